"""Free-text Chinese addresses -> county codes of the harmonised vintage.

Business-registration extracts (工商登记) give a firm's address before and after a move as free
text and never code the county. This module resolves such text to the county-level code of
one vintage (``geography.vintage``, default 2021), with the prefecture and province codes and
a statement of how it was resolved, never a silent guess.

Method (the algorithm of the ``cpca`` package, github.com/DQinYuan/chinese_province_city_area_mapper,
MIT, whose current-name table is shipped in ``resources/cpca/adcodes.csv``, re-implemented over
the code *history*): every province, prefecture and county name that was ever in force
(areacodes ``result.csv``, 1981-today, see :mod:`yrd.geography`), in full (``吴中区``) and
short form (``吴中``, suffix dropped, at least two characters left), is matched in the
address by a greedy longest-match scan from the left. The first province name fixes the
province, the first consistent prefecture name the prefecture, and the first county name
consistent with both the county. Each county record carries its vintage code from
:func:`yrd.geography.harmonisation_table` (renames, 撤县设区, mergers such as 南汇区 -> 浦东新区
in 2009), so an old name lands on the vintage code. A name of a unit that was later *split*
(吴县 -> 吴中区 + 相城区) follows the project's documented split rule, the same code ASIF records
of that unit get, and is flagged ``rule == "split"``. The cpca table itself is not used for the
look-up: it holds current names only (no history), and the PyPI ``cpca`` package is not in the
pinned environment.

Resolution kinds (column ``resolution``):

* ``county``: a county name in force in the vintage, unique given the context;
* ``county_old_name``: a county name no longer (or not yet) in force, harmonised to the vintage
  (column ``rule`` says how: ``renamed``, ``recoded``, or ``split`` by the project's split rule);
* ``ambiguous``: the county name fits several vintage counties (鼓楼区 in 南京 and 徐州, 普陀区
  in 上海 and 舟山) and the text names no prefecture that separates them; or the only place name
  is both a prefecture in force and a former county-level city (``镇江市高新区…``, ``六安市长江路…``:
  the prefecture, or the old city before 撤地设市, the text alone does not say); no county code;
* ``prefecture`` / ``province``: only that level was found (e.g. ``苏州工业园区``);
* ``none``: no place name.

Heuristics (documented choices): a *short* name directly followed by a street word
(路, 街, 道, 巷, 弄, 号, 桥, 村) is read as a street (``金山路`` is not 金山区); once a county is
found the rest of the text (street, building) is ignored; a name that is both a prefecture and
a county (巢湖市) is read as the prefecture only if a later name gives a county inside it, else as
the county when that county is in force (巢湖市 since 2011) and as ``ambiguous`` when only the
prefecture is (镇江市: a prefecture-level city's seat was a county-level city of the same name
before; reading it as that old city put addresses that name only the prefecture in a wrong
district).
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import count
from typing import NamedTuple

import pandas as pd

from yrd.geography import DEFAULT_VINTAGE, History, code_history, harmonisation_table

#: Resolution kinds, from most to least specific.
RESOLUTIONS = ("county", "county_old_name", "ambiguous", "prefecture", "province", "none")
#: Fields of a parsed address (:class:`Resolved`), the columns of :meth:`AddressParser.parse_series`.
RESOLVED_COLUMNS = ("county", "prefecture", "province", "resolution", "matched", "rule")

_SHORT_SUFFIXES = {
    "province": ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市"),
    "prefecture": ("自治州", "地区", "盟", "市"),
    "county": ("自治县", "新区", "县", "区", "市", "旗"),
}
_SKIP_NAMES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_STREET_WORDS = set("路街道巷弄号桥村")
_MUNICIPALITIES = {"11", "12", "31", "50"}  # Beijing, Tianjin, Shanghai, Chongqing


@dataclass(frozen=True)
class _Place:
    code: str
    name: str
    level: str
    parent: str  # prefecture name (county records), as in areacodes
    vcode: str | None  # vintage code (county/prefecture), None if it has none
    current: bool  # in force in the vintage
    rule: str  # harmonisation rule to the vintage (yrd.geography.harmonisation_table)
    # province (2-digit) and prefecture (4-digit) prefixes of ``code`` and ``vcode``, for
    # AddressParser._fits (derived from the fields above: not compared)
    provinces: frozenset[str] = field(init=False, compare=False, repr=False)
    prefixes: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        codes = (self.code, self.vcode) if self.vcode else (self.code,)
        object.__setattr__(self, "provinces", frozenset(c[:2] for c in codes))
        object.__setattr__(self, "prefixes", frozenset(c[:4] for c in codes))


class _Entry(NamedTuple):
    """The places of one indexed name: all of them, those of each level (in the same order),
    and whether the name is the full name of any of them."""

    places: tuple[_Place, ...]
    provinces: tuple[_Place, ...]
    prefectures: tuple[_Place, ...]
    counties: tuple[_Place, ...]
    full: bool


@dataclass(frozen=True)
class Resolved:
    """One parsed address: vintage ``county`` code (or None), ``prefecture`` and ``province``
    codes (or None), the ``resolution`` kind (see :data:`RESOLUTIONS`), the ``matched``
    names (``|``-separated) and the harmonisation ``rule`` that took the county name to the
    vintage (``identity``, ``renamed``, ``recoded``, ``split``; empty without a county)."""

    county: str | None
    prefecture: str | None
    province: str | None
    resolution: str
    matched: str
    rule: str = ""


def _vintage_year(valid_from: int, valid_to: int, vintage: int) -> int:
    if valid_from <= vintage < valid_to:
        return vintage
    return valid_to - 1 if valid_to <= vintage else valid_from


class AddressParser:
    """Address -> vintage county code resolver over the areacodes code history.

    Parameters
    ----------
    history
        The code history (path of ``resources/areacodes/result.csv`` or its
        :func:`yrd.geography.code_history` table).
    vintage
        Target vintage (``geography.vintage``).
    provinces
        2-digit province prefixes to restrict the gazetteer to (e.g. ``["31", "32", "33",
        "34"]``); ``None`` (default) keeps all of China, which is stricter: a name shared with a
        county elsewhere is ambiguous unless the text names the province or prefecture.
    """

    def __init__(self, history: History, vintage: int = DEFAULT_VINTAGE, provinces: list[str] | None = None):
        t = code_history(history)
        if provinces is not None:
            t = t[t["code"].str[:2].isin(list(provinces))]
        t = t[~t["name"].isin(_SKIP_NAMES)].reset_index(drop=True)
        years = [_vintage_year(int(a), int(b), vintage) for a, b in zip(t["valid_from"], t["valid_to"])]
        harm = harmonisation_table(t["code"], pd.Series(years, index=t.index), vintage, history=history)
        self.vintage = vintage
        self.index: dict[str, list[tuple[_Place, bool]]] = {}
        for row, vc, rule in zip(t.itertuples(index=False), harm["code_vintage"], harm["rule"]):
            cur = bool(row.valid_from <= vintage < row.valid_to)
            v = row.code if cur else (None if pd.isna(vc) else str(vc))
            place = _Place(row.code, row.name, row.level, row.parent, v, cur, "identity" if cur else str(rule))
            self._add(row.name, place, True)
            for suf in _SHORT_SUFFIXES[row.level]:
                if row.name.endswith(suf) and len(row.name) - len(suf) >= 2:
                    self._add(row.name[: -len(suf)], place, False)
                    break
        self.maxlen = max(map(len, self.index))
        # lengths of the names starting with each character, longest first: the scan looks up
        # only these (most characters start no place name), the same longest match as trying
        # every length from maxlen down (3x faster on the national extracts)
        # (names shorter than two characters are never matched: left out)
        starts: dict[str, set[int]] = {}
        for name in self.index:
            if len(name) >= 2:
                starts.setdefault(name[0], set()).add(len(name))
        self._lengths = {c: sorted(ls, reverse=True) for c, ls in starts.items()}
        # each name's places split by level once, not at every match
        self._entries = {
            name: _Entry(
                tuple(p for p, _ in hits),
                *(tuple(p for p, _ in hits if p.level == lv) for lv in ("province", "prefecture", "county")),
                any(full for _, full in hits),
            )
            for name, hits in self.index.items()
        }
        self._parse = lru_cache(maxsize=None)(self._parse_uncached)

    def _add(self, name: str, place: _Place, full: bool) -> None:
        lst = self.index.setdefault(name, [])
        if all(p != place for p, _ in lst):
            lst.append((place, full))

    # -- scanning -------------------------------------------------------------------------
    def tokens(self, text: str) -> list[tuple[str, list[_Place]]]:
        """Place names found in ``text`` by the greedy longest-match scan, in order."""
        return [(name, list(entry.places)) for name, entry in self._scan(text)]

    def _scan(self, text: str) -> Iterator[tuple[str, _Entry]]:
        """The tokens of :meth:`tokens` one by one (with the name's :class:`_Entry`), so that
        parsing reads only as far as it needs: the first county name ends it."""
        i, n = 0, len(text)
        lengths, entries = self._lengths, self._entries
        while i < n:
            for length in lengths.get(text[i], ()):
                if length > n - i:
                    continue
                sub = text[i : i + length]
                entry = entries.get(sub)
                if entry is None:
                    continue
                if not entry.full and text[i + length : i + length + 1] in _STREET_WORDS:
                    continue  # 金山路: a street, not 金山区
                yield sub, entry
                i += length
                break
            else:
                i += 1

    # -- resolution -----------------------------------------------------------------------
    @staticmethod
    def _fits(p: _Place, prov: set[str] | None, pref: tuple[set[str], set[str]] | None) -> bool:
        """Whether ``p`` (its code or vintage code) lies in one of the provinces ``prov`` and in
        one of the prefectures ``pref`` (4-digit prefixes, or the parent's name); ``None``: any."""
        if prov is not None and prov.isdisjoint(p.provinces):
            return False
        if pref is not None:
            prefixes, names = pref
            if prefixes.isdisjoint(p.prefixes) and p.parent not in names:
                return False
        return True

    def _parse_uncached(self, text: str) -> Resolved:
        scan = self._scan(text)
        toks: list[tuple[str, _Entry]] = []  # the tokens read so far
        prov: set[str] | None = None
        pref: tuple[set[str], set[str]] | None = None
        pref_codes: set[str] = set()
        matched: list[str] = []
        county: list[_Place] = []
        for k in count():
            if k == len(toks):  # read the next token; none left: done
                tok = next(scan, None)
                if tok is None:
                    break
                toks.append(tok)
            name, entry = toks[k]
            if prov is None and pref is None and entry.provinces:
                prov = {p.code[:2] for p in entry.provinces}
                matched.append(name)
                continue
            prefs = [p for p in entry.prefectures if self._fits(p, prov, None)]
            cnts = [p for p in entry.counties if self._fits(p, prov, pref)]
            if prefs and pref is None:
                cand = ({c[:4] for p in prefs for c in (p.code, p.vcode) if c}, {p.name for p in prefs})
                # a name that is also a county is the prefecture if a later name is a county in
                # it (only then is the rest of the text read)
                if not cnts or self._county_later(toks, k, scan, prov, cand):
                    pref = cand
                    pref_codes = {p.vcode for p in prefs if p.vcode}
                    matched.append(name)
                    continue
                if any(p.current for p in prefs) and not any(p.current for p in cnts):
                    # 镇江市 / 六安市 alone: the prefecture in force or the county-level city of that
                    # name before it; the text does not say which
                    codes = {p.vcode for p in prefs if p.current}
                    code = codes.pop() if len(codes) == 1 else None
                    matched.append(name)
                    prov_code = code[:2] + "0000" if code else None
                    return Resolved(None, code, prov_code, "ambiguous", "|".join(matched))
            if cnts:
                county = cnts
                matched.append(name)
                break
        return self._result(county, pref_codes, prov, matched)

    def _county_later(
        self,
        toks: list[tuple[str, _Entry]],
        k: int,
        scan: Iterator[tuple[str, _Entry]],
        prov: set[str] | None,
        pref: tuple[set[str], set[str]],
    ) -> bool:
        """Whether a token after ``toks[k]`` names a county fitting ``prov`` and ``pref``; the
        tokens not read yet are read from ``scan`` into ``toks`` up to the first that does."""
        if any(self._fits(q, prov, pref) for _, entry in toks[k + 1 :] for q in entry.counties):
            return True
        for tok in scan:
            toks.append(tok)
            if any(self._fits(q, prov, pref) for q in tok[1].counties):
                return True
        return False

    def _result(
        self, county: list[_Place], pref_codes: set[str], prov: set[str] | None, matched: list[str]
    ) -> Resolved:
        m = "|".join(matched)
        if county:
            vcodes = {p.vcode for p in county if p.vcode}
            if len(vcodes) == 1:
                code = vcodes.pop()
                if any(p.current for p in county):
                    return Resolved(code, code[:4] + "00", code[:2] + "0000", "county", m, "identity")
                rules = {p.rule for p in county if p.vcode}
                rule = "split" if "split" in rules else min(rules)
                return Resolved(code, code[:4] + "00", code[:2] + "0000", "county_old_name", m, rule)
            if vcodes:
                pre = {c[:4] for c in vcodes}
                pro = {c[:2] for c in vcodes}
                return Resolved(
                    None,
                    pre.pop() + "00" if len(pre) == 1 else None,
                    pro.pop() + "0000" if len(pro) == 1 else None,
                    "ambiguous",
                    m,
                )
        if len(pref_codes) == 1:
            code = next(iter(pref_codes))
            return Resolved(None, code, code[:2] + "0000", "prefecture", m)
        if prov is not None and len(prov) == 1:
            pro = next(iter(prov))
            # a municipality's (直辖市) prefecture is its xx0100, as in yrd.geography.prefecture_of
            return Resolved(None, pro + "0100" if pro in _MUNICIPALITIES else None, pro + "0000", "province", m)
        return Resolved(None, None, None, "none", m)

    def parse(self, text: object) -> Resolved:
        """Resolve one address (see the module docstring). ``None``/NaN/empty give ``none``."""
        if text is None or (isinstance(text, float) and text != text):
            return Resolved(None, None, None, "none", "")
        s = "".join(unicodedata.normalize("NFKC", str(text)).split())
        return self._parse(s)

    def parse_series(
        self, addresses: pd.Series, columns: Sequence[str] = RESOLVED_COLUMNS, dtype: str | type = "string"
    ) -> pd.DataFrame:
        """:meth:`parse` over a Series (each distinct string parsed once; results cached across
        calls): the fields ``columns`` of :class:`Resolved` (default all: ``county``,
        ``prefecture``, ``province``, ``resolution``, ``matched``, ``rule``) as columns of dtype
        ``dtype`` (default ``string``; ``object`` keeps the Python values, ``None`` missing),
        indexed like ``addresses``."""
        values = addresses.astype(object)
        uniq = {v: self.parse(v) for v in pd.unique(values)}
        rows = [uniq[v] for v in values]
        table = pd.DataFrame({c: [getattr(r, c) for r in rows] for c in columns}, index=addresses.index, dtype=object)
        return table.astype(dtype)


@lru_cache(maxsize=4)
def _parser(history: str, vintage: int, provinces: tuple[str, ...] | None) -> AddressParser:
    return AddressParser(history, vintage, list(provinces) if provinces is not None else None)


def address_parser(
    history: str | os.PathLike, vintage: int = DEFAULT_VINTAGE, provinces: list[str] | None = None
) -> AddressParser:
    """The parser :func:`parse_addresses` uses for these arguments: built at the first call in
    a process, then the same object (with its cache of parsed addresses)."""
    return _parser(os.fspath(history), vintage, tuple(provinces) if provinces is not None else None)


def parse_addresses(
    addresses: pd.Series,
    *,
    history: str,
    vintage: int = DEFAULT_VINTAGE,
    provinces: list[str] | None = None,
) -> pd.DataFrame:
    """Vintage county, prefecture and province codes of free-text addresses, with how each was
    resolved; see :class:`AddressParser`. The parser for one (history path, vintage, provinces)
    is built once per process (:func:`address_parser`) and caches every distinct address."""
    return address_parser(str(history), vintage, provinces).parse_series(addresses)


def resolution_rates(parsed: pd.DataFrame) -> pd.Series:
    """Share of each resolution kind (all of :data:`RESOLUTIONS`, zeros included)."""
    return parsed["resolution"].value_counts(normalize=True).reindex(list(RESOLUTIONS), fill_value=0.0)


def time_parse(parser: AddressParser, addresses: pd.Series) -> float:
    """Seconds to parse ``addresses`` with a fresh cache (for the performance note)."""
    parser._parse.cache_clear()
    t0 = time.perf_counter()
    parser.parse_series(addresses)
    return time.perf_counter() - t0
