"""The messy raw layer of the synthetic world: per-year ASIF-like files and their truth.

The model (:mod:`yrd.synthetic.model`) produces a TRUE clean panel, one row per firm-year in
the Annual Survey of Industrial Firms (ASIF) sample. :func:`write_raw_world` writes that panel
the way real ASIF deliveries look (``/work/shared/data/README.md``):

* one file per year, ``asif_<year>.<ext>``, in mixed formats and encodings (Stata .dta, GBK
  CSV, UTF-8 CSV with or without byte-order mark, Excel, Parquet);
* headers in a per-year dialect (Chinese, English short names, pinyin initials) whose names
  also change between years of one dialect, from ``config/header_dialects.yaml``; optional
  columns missing in some years; column order differs between years;
* money (gross output, sales) in 千元 or, in some years, 万元;
* county codes as in force in the year of the file (real code history, :mod:`yrd.geography`)
  and industry codes in the GB/T 4754 vintage of the year (1994 / 2002 / 2011,
  :mod:`yrd.industry`);
* firm identities that linking has to cope with (:mod:`yrd.synthetic.identity`): organisation
  codes (法人代码) that are reissued or reused by another firm after the first one exits, names
  written differently from year to year and firms renamed for good, legal representatives
  that change, phones and addresses that change with moves;
* exact duplicate rows, a few rows with a missing firm code and a few invalid rows.

Beside the files it writes ``truth/records.parquet``: for every data row of every file the
true firm behind it and which defects were put in on purpose, and ``truth/files.json``: per
file its year, format, encoding, dialect, money unit and header of each canonical column (what
a distributor's documentation would say).

Determinism: the same panel, configuration and seed give byte-identical files (fixed column
order, line endings, float formats, Stata time stamp and data label, zip time stamps of
.xlsx); another seed gives another world. Firm-level draws are hashes of ``(seed,
true_firm_id)``, so a firm's identity does not depend on the other firms.

Configuration (``raw_cfg``; every key optional, year keys may be ints or strings):

``formats`` : {year: format}
    File format of each year: ``dta`` (Stata 14+, version 118, UTF-8), ``csv_gbk`` (GBK, CRLF
    line ends), ``csv_utf8_bom`` (UTF-8 with BOM, CRLF), ``csv_utf8`` (UTF-8, LF), ``xlsx``
    (slow at scale) or ``parquet``. Given years override :data:`DEFAULT_FORMATS`; years in
    neither cycle through dta / csv_gbk / csv_utf8_bom.
``dialects`` : {year: dialect}
    Header dialect of each year: ``zh``, ``en`` or ``pinyin`` (:data:`DEFAULT_DIALECTS`;
    other years: ``zh`` for text formats, ``en``/``pinyin`` for dta). In .dta files only
    headers that are valid Stata names are used.
``money_unit`` : {year: "qian" | "wan"}
    Unit of output and sales in the year's file: 千元 (``qian``, default) or 万元 (``wan``,
    values / 10). Default :data:`DEFAULT_MONEY_UNIT` (2004 and 2009 in 万元). Money is written
    rounded to 100 yuan (1 decimal in 千元, 2 in 万元).
``columns_absent`` : {year: [canonical column, ...]}
    Optional columns missing from the year's file (:data:`DEFAULT_COLUMNS_ABSENT`); the
    required columns (``firm_code``, ``name``, ``county_code``, ``industry_code``,
    ``employment``, ``output``) cannot be dropped. When ``area_code`` is absent the phone
    carries it (``0512-65231234``).
``firm_code_style`` : {year: "plain" | "hyphen"}
    How the 9-character organisation code is written: ``70321456X`` or ``70321456-X``
    (default plain, hyphen in 2004).
``id_reissue_rate`` : float, default 0.02
    Share of firms (with at least two sample years) whose 法人代码 changes once, from one of
    their sample years on (``id_reissued`` in the truth).
``id_reuse_rate`` : float, default 0.003
    Share of firms entering the sample after its first year that carry the code of another
    firm which left the sample before (``id_reused`` in the truth).
``name_variant_rate`` : float, default 0.03
    Share of firm-years whose name is written differently (``name_variant``): 有限公司 /
    有限责任公司 swapped, ASCII instead of full-width parentheses, an inserted space, a one-
    character typo in the trade name, the place prefix dropped.
``rename_rate`` : float, default 0.03
    Share of firms (with at least two sample years) renamed for good once: new trade name,
    place of the current location, 厂 becoming a company (``renamed``).
``legal_rep_change_rate`` : float, default 0.03
    Share of firms (with at least two sample years) whose legal representative changes once.
``phone_change_rate`` : float, default 0.05
    Share of firms (with at least two sample years) whose phone number changes once without a
    move. A move to another prefecture always brings a new phone (new area code), address and
    postcode; a move within a prefecture a new address and, for half the moves, a new phone.
``duplicate_rate`` : float, default 0.002
    Share of rows written twice, identically; the copy follows the original directly or
    somewhere later in the same file and is flagged ``duplicate``.
``invalid_rate`` : float, default 0.003
    Share of rows made invalid on purpose, spread evenly over :data:`INVALID_REASONS`:
    county code missing, employment negative, founding year after the file's year or before
    1800, industry code ``9999``.
``missing_firm_code_rate`` : float, default 0.001
    Share of (otherwise valid) rows whose firm code is missing (``firm_code_missing``).

The rates are probabilities: the realised counts vary around them.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from yrd.geography import DEFAULT_VINTAGE, codes_in_force, harmonise_county_codes
from yrd.industry import (
    MANUFACTURING_2002,
    crosswalk,
    harmonise_industry_codes,
    industry_vintage,
    names_2002_4digit,
)
from yrd.io import write_xlsx
from yrd.synthetic import identity as ident

log = logging.getLogger(__name__)

DIALECTS_YAML = Path(__file__).resolve().parents[2] / "config" / "header_dialects.yaml"

FORMATS = ("dta", "csv_gbk", "csv_utf8_bom", "csv_utf8", "xlsx", "parquet")
EXTENSIONS = {"dta": "dta", "csv_gbk": "csv", "csv_utf8_bom": "csv", "csv_utf8": "csv", "xlsx": "xlsx",
              "parquet": "parquet"}
#: Text encoding and line terminator of the CSV formats.
CSV_ENCODING = {"csv_gbk": ("gbk", "\r\n"), "csv_utf8_bom": ("utf-8-sig", "\r\n"), "csv_utf8": ("utf-8", "\n")}
DIALECTS = ("zh", "en", "pinyin")
MONEY_UNITS = {"qian": 1.0, "wan": 10.0}
CODE_STYLES = ("plain", "hyphen")
CANONICAL = ("firm_code", "name", "legal_rep", "county_code", "industry_code", "founding_year", "reg_type",
             "employment", "output", "sales", "phone", "area_code", "postcode", "address", "year")
REQUIRED = ("firm_code", "name", "county_code", "industry_code", "employment", "output")
INVALID_REASONS = ("missing_county_code", "negative_employment", "founding_year_impossible",
                   "unknown_industry_code")
UNKNOWN_INDUSTRY_CODE = "9999"
FILE_PATTERN = re.compile(r"^asif_(\d{4})\.(dta|csv|xlsx|parquet)$")

DEFAULT_FORMATS: dict[int, str] = {
    1998: "dta", 1999: "csv_gbk", 2000: "csv_gbk", 2001: "dta", 2002: "csv_utf8_bom", 2003: "dta",
    2004: "csv_gbk", 2005: "csv_gbk", 2006: "dta", 2007: "csv_utf8_bom", 2008: "dta", 2009: "csv_gbk",
    2010: "csv_utf8", 2011: "dta", 2012: "csv_utf8_bom", 2013: "csv_gbk",
}
DEFAULT_DIALECTS: dict[int, str] = {
    1998: "en", 1999: "zh", 2000: "zh", 2001: "pinyin", 2002: "zh", 2003: "en", 2004: "zh", 2005: "zh",
    2006: "pinyin", 2007: "zh", 2008: "en", 2009: "zh", 2010: "en", 2011: "zh", 2012: "zh", 2013: "pinyin",
}
DEFAULT_MONEY_UNIT: dict[int, str] = {2004: "wan", 2009: "wan"}
DEFAULT_COLUMNS_ABSENT: dict[int, list[str]] = {
    1999: ["sales", "year"], 2001: ["year"], 2004: ["year", "postcode"], 2009: ["year"],
    2010: ["area_code"], 2012: ["year"],
}
DEFAULT_FIRM_CODE_STYLE: dict[int, str] = {2004: "hyphen"}
DEFAULT_RATES: dict[str, float] = {
    "id_reissue_rate": 0.02,
    "id_reuse_rate": 0.003,
    "name_variant_rate": 0.03,
    "rename_rate": 0.03,
    "legal_rep_change_rate": 0.03,
    "phone_change_rate": 0.05,
    "duplicate_rate": 0.002,
    "invalid_rate": 0.003,
    "missing_firm_code_rate": 0.001,
}
_YEAR_MAPS = ("formats", "dialects", "money_unit", "columns_absent", "firm_code_style")

#: Fixed metadata so that binary files are byte-identical between runs.
_STATA_TIME = _dt.datetime(2000, 1, 1, 0, 0)

PANEL_COLUMNS = ("true_firm_id", "year", "county", "industry", "industry4", "employment", "output", "sales",
                 "founding_year", "reg_type", "moved")

# salts of the hash draws (any distinct numbers)
_S_CTY, _S_IND, _S_REISSUE, _S_REISSUE_Y, _S_REUSE, _S_RENAME, _S_RENAME_Y = 11, 12, 13, 14, 15, 16, 17
_S_REP, _S_REP_Y, _S_PHONE, _S_PHONE_Y, _S_MOVEPHONE, _S_PLACE, _S_WORD = 18, 19, 20, 21, 22, 23, 24
_S_FORM, _S_PAREN, _S_VAR, _S_VARKIND, _S_ADDR, _S_HEAD, _S_COLS, _S_TRADE = 25, 26, 27, 28, 29, 30, 31, 32


# ============================================================================ configuration
def _year_map(value: Any, key: str) -> dict[int, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"raw_cfg.{key} must be a mapping {{year: value}}, got {type(value).__name__}")
    out = {}
    for k, v in value.items():
        try:
            out[int(k)] = v
        except (TypeError, ValueError):
            raise ValueError(f"raw_cfg.{key}: key {k!r} is not a year") from None
    return out


def resolve_raw_config(raw_cfg: Mapping[str, Any] | None, years: Iterable[int]) -> dict[str, Any]:
    """Fill defaults into ``raw_cfg`` (keys in the module docstring) and validate it.

    Returns ``{"years": {year: {"format", "dialect", "money_unit", "columns_absent",
    "firm_code_style"}}, <rate>: float, ...}``. Raises ``ValueError`` naming the key on an
    unknown key or a bad value.
    """
    raw_cfg = dict(raw_cfg or {})
    unknown = set(raw_cfg) - set(_YEAR_MAPS) - set(DEFAULT_RATES)
    if unknown:
        raise ValueError(f"unknown raw_cfg keys {sorted(unknown)}; known: {sorted([*_YEAR_MAPS, *DEFAULT_RATES])}")
    out: dict[str, Any] = {}
    for key, default in DEFAULT_RATES.items():
        v = raw_cfg.get(key, default)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0.0 <= float(v) < 1.0:
            raise ValueError(f"raw_cfg.{key} must be a number in [0, 1), got {v!r}")
        out[key] = float(v)
    maps = {k: _year_map(raw_cfg.get(k), k) for k in _YEAR_MAPS}
    per_year = {}
    cycle = ("dta", "csv_gbk", "csv_utf8_bom")
    for y in sorted(int(v) for v in years):
        fmt = maps["formats"].get(y, DEFAULT_FORMATS.get(y, cycle[y % 3]))
        if fmt not in FORMATS:
            raise ValueError(f"raw_cfg.formats[{y}] must be one of {FORMATS}, got {fmt!r}")
        default_dialect = DEFAULT_DIALECTS.get(y) or (("en", "pinyin")[y % 2] if fmt == "dta" else "zh")
        dialect = maps["dialects"].get(y, default_dialect)
        if dialect not in DIALECTS:
            raise ValueError(f"raw_cfg.dialects[{y}] must be one of {DIALECTS}, got {dialect!r}")
        unit = maps["money_unit"].get(y, DEFAULT_MONEY_UNIT.get(y, "qian"))
        if unit not in MONEY_UNITS:
            raise ValueError(f"raw_cfg.money_unit[{y}] must be one of {tuple(MONEY_UNITS)}, got {unit!r}")
        absent = maps["columns_absent"].get(y, DEFAULT_COLUMNS_ABSENT.get(y, []))
        if isinstance(absent, str) or not isinstance(absent, Iterable):
            raise ValueError(f"raw_cfg.columns_absent[{y}] must be a list of column names, got {absent!r}")
        absent = list(absent)
        bad = [c for c in absent if c not in CANONICAL]
        if bad:
            raise ValueError(f"raw_cfg.columns_absent[{y}]: unknown columns {bad}; known: {CANONICAL}")
        req = [c for c in absent if c in REQUIRED]
        if req:
            raise ValueError(f"raw_cfg.columns_absent[{y}]: required columns {req} cannot be absent")
        style = maps["firm_code_style"].get(y, DEFAULT_FIRM_CODE_STYLE.get(y, "plain"))
        if style not in CODE_STYLES:
            raise ValueError(f"raw_cfg.firm_code_style[{y}] must be one of {CODE_STYLES}, got {style!r}")
        per_year[y] = {"format": fmt, "dialect": dialect, "money_unit": unit, "columns_absent": sorted(set(absent)),
                       "firm_code_style": style}
    out["years"] = per_year
    return out


def file_name(year: int, fmt: str) -> str:
    """Raw file name of a year: ``asif_<year>.<ext>`` (ext ``dta``, ``csv``, ``xlsx``, ``parquet``)."""
    return f"asif_{int(year)}.{EXTENSIONS[fmt]}"


# ============================================================================ header dialects
def load_header_dialects(path: str | Path | None = None) -> dict[str, Any]:
    """Read and check the header-dialect table (default ``config/header_dialects.yaml``).

    Returns ``{"canonical": [column, ...], "required": [...], "dialects": {dialect:
    {column: [header, ...]}}}``. Raises ``ValueError`` if a dialect lacks a canonical column
    or a header name is listed under two canonical columns.
    """
    path = Path(path or DIALECTS_YAML)
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or not {"canonical", "required", "dialects"} <= set(doc):
        raise ValueError(f"{path}: expected keys canonical, required, dialects")
    canonical = list(doc["canonical"])
    required = list(doc["required"])
    missing = [c for c in (*CANONICAL, *REQUIRED) if c not in canonical]
    if missing or not set(required) <= set(canonical):
        raise ValueError(f"{path}: canonical columns missing {missing} or required not canonical")
    owner: dict[str, tuple[str, str]] = {}
    dialects: dict[str, dict[str, list[str]]] = {}
    for d, cols in (doc["dialects"] or {}).items():
        dialects[d] = {}
        for c in canonical:
            names = [str(n).strip() for n in (cols or {}).get(c) or []]
            if not names:
                raise ValueError(f"{path}: dialect {d!r} has no header for {c!r}")
            for n in names:
                prev = owner.setdefault(n.lower(), (c, d))
                if prev[0] != c:
                    raise ValueError(f"{path}: header {n!r} is listed for {prev[0]!r} ({prev[1]}) and {c!r} ({d})")
            dialects[d][c] = names
        unknown = set(cols or {}) - set(canonical)
        if unknown:
            raise ValueError(f"{path}: dialect {d!r} has non-canonical columns {sorted(unknown)}")
    absent = [d for d in DIALECTS if d not in dialects]
    if absent:
        raise ValueError(f"{path}: dialects {absent} missing")
    return {"canonical": canonical, "required": required, "dialects": dialects}


_STATA_NAME = re.compile(r"^[^\W\d]\w{0,31}$")


def _headers_for_year(table: dict[str, Any], dialect: str, year: int, fmt: str, seed: int) -> dict[str, str]:
    """One header per canonical column for ``year`` (a deterministic choice among the dialect's
    names; in .dta files only valid Stata names)."""
    out = {}
    for i, col in enumerate(CANONICAL):
        names = table["dialects"][dialect][col]
        if fmt == "dta":
            names = [n for n in names if _STATA_NAME.match(n)]
            if not names:
                raise ValueError(f"dialect {dialect!r} has no valid Stata name for {col!r} (year {year}, dta)")
        out[col] = names[int(ident.pick(ident.uniform(seed, year, i, _S_HEAD), len(names)))]
    return out


# ============================================================================ code vintages
def county_code_candidates(
    years: Iterable[int], vintage: int = DEFAULT_VINTAGE, provinces: Iterable[str] | None = None
) -> pd.DataFrame:
    """For each year, every county-level code in force and the vintage county it harmonises to.

    Columns ``county`` (vintage code), ``year``, ``code`` (code in force that year), ``name``
    and ``parent`` (its name and prefecture name in that year, from the code history). The raw
    code of a firm in vintage county ``c`` in year ``t`` is one of the rows with ``county ==
    c`` and ``year == t``.
    """
    provinces = None if provinces is None else sorted({str(p)[:2] for p in provinces})
    parts = []
    for y in sorted({int(v) for v in years}):
        c = codes_in_force(y, "county", provinces)
        h = harmonise_county_codes(c["code"], y, vintage)
        parts.append(pd.DataFrame({
            "county": h.to_numpy(dtype=object), "year": y, "code": c["code"].to_numpy(dtype=object),
            "name": c["name"].to_numpy(dtype=object), "parent": c["parent"].to_numpy(dtype=object),
        }))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["county"].notna()]
    return out.sort_values(["county", "year", "code"], kind="stable").reset_index(drop=True)


def reachable_counties(
    years: Iterable[int], vintage: int = DEFAULT_VINTAGE, provinces: Iterable[str] | None = None
) -> set[str]:
    """Vintage counties that some code in force in every one of ``years`` harmonises to: the
    counties where the model may place firms (elsewhere a raw file of some year could not
    carry a code that harmonises back to the firm's county, e.g. 2021 相城区 was part of 吴县市,
    which harmonises to 吴中区, before 2001)."""
    years = sorted({int(v) for v in years})
    cand = county_code_candidates(years, vintage, provinces)
    n_years = cand.groupby("county")["year"].nunique()
    vint = codes_in_force(vintage, "county", None if provinces is None else sorted({str(p)[:2] for p in provinces}))
    full = set(n_years.index[n_years == len(years)])
    return {str(c) for c in vint["code"] if c in full}


def industry_code_candidates(industry4: Iterable[str], year: int) -> pd.DataFrame:
    """Codes of the GB/T 4754 vintage of ``year`` that can stand for each 2002 class.

    For a 2002 four-digit class ``k`` (division ``k[:2]``): the source codes the crosswalk maps
    to ``k`` whose harmonised division (:func:`yrd.industry.harmonise_industry_codes`) is
    ``k[:2]``; if there is none (1994 3752, 3753; 2011 3663) or ``k`` is not a 2002 class,
    source codes mapping into ``k``'s three-digit group, else any source code, harmonising to
    ``k[:2]``. Columns ``industry4``, ``code``, ``rule`` (``inverse``, ``group``, ``division``).
    """
    v = industry_vintage(int(year))
    classes = sorted({str(k) for k in industry4})
    if v == 2002:
        codes = names_2002_4digit()["code"]
        pairs = pd.DataFrame({"from_code": codes, "to_code": codes})
    else:
        pairs = crosswalk(v, level=4)[["from_code", "to_code"]]
    src = pd.Series(sorted(set(pairs["from_code"])), dtype=object)
    div = pd.Series(harmonise_industry_codes(src, int(year)).to_numpy(dtype=object), index=src.to_numpy())
    pairs = pairs.assign(div=pairs["from_code"].map(div))
    pairs = pairs[pairs["div"].notna() & (pairs["div"] == pairs["to_code"].str[:2])]
    rows = []
    by_target = {k: g["from_code"].tolist() for k, g in pairs.groupby("to_code")}
    by_group = {k: sorted(set(g["from_code"])) for k, g in pairs.groupby(pairs["to_code"].str[:3])}
    by_div = {k: sorted(set(g["from_code"])) for k, g in pairs.groupby("div")}
    for k in classes:
        if k in by_target:
            codes, rule = sorted(set(by_target[k])), "inverse"
        elif k[:3] in by_group:
            codes, rule = by_group[k[:3]], "group"
        elif k[:2] in by_div:
            codes, rule = by_div[k[:2]], "division"
        else:
            raise ValueError(f"no GB/T 4754-{v} code harmonises to division {k[:2]} (class {k}, year {year})")
        rows.extend((k, c, rule) for c in codes)
    return pd.DataFrame(rows, columns=["industry4", "code", "rule"])


# ============================================================================ panel
class _Panel:
    """The true panel as numpy arrays, rows sorted by (year, true_firm_id); string columns are
    integer codes into small arrays of distinct values (memory: 4.4 million rows)."""

    def __init__(self, panel: pd.DataFrame):
        missing = [c for c in PANEL_COLUMNS if c not in panel.columns and c != "moved"]
        if missing:
            raise ValueError(f"panel lacks columns {missing}")
        if len(panel) == 0:
            raise ValueError("panel is empty")
        fid = panel["true_firm_id"].to_numpy(dtype=np.int64)
        year = panel["year"].to_numpy(dtype=np.int64)
        order = np.lexsort((fid, year))
        self.fid, self.year = fid[order], year[order]
        self.employment = panel["employment"].to_numpy(dtype=np.int64)[order]
        self.output = panel["output"].to_numpy(dtype=np.float64)[order]
        self.sales = panel["sales"].to_numpy(dtype=np.float64)[order]
        self.founding_year = panel["founding_year"].to_numpy(dtype=np.int64)[order]
        cty, cty_u = self._codes(panel["county"], order, 0)
        if not all(re.fullmatch(r"\d{6}", c) for c in cty_u):
            bad = [c for c in cty_u if not re.fullmatch(r"\d{6}", c)]
            raise ValueError(f"panel.county must be 6-digit codes, e.g. {bad[:3]}")
        self.county = np.array([int(c) for c in cty_u], dtype=np.int64)[cty]  # numeric county code
        self.k4, self.k4_u = self._codes(panel["industry4"], order, 4)  # 2002 class (index, values)
        div, div_u = self._codes(panel["industry"], order, 2)
        pairs = np.unique(np.stack([div, self.k4]), axis=1)
        bad = [(div_u[a], self.k4_u[b]) for a, b in pairs.T
               if div_u[a] != self.k4_u[b][:2] or div_u[a] not in MANUFACTURING_2002]
        if bad:
            raise ValueError(
                f"panel.industry must be a 2002 manufacturing division equal to industry4[:2], e.g. {bad[:3]}")
        self.div_u = np.array([k[:2] for k in self.k4_u], dtype=object)  # division of each class
        self.reg, self.reg_u = self._codes(panel["reg_type"], order, 0)
        if (self.employment < 1).any():
            raise ValueError("panel.employment must be >= 1")
        if ((self.founding_year > self.year) | (self.founding_year < 1800)).any():
            raise ValueError("panel.founding_year must be between 1800 and the year of the row")
        if np.isnan(self.output).any() or np.isnan(self.sales).any():
            raise ValueError("panel.output and panel.sales must not be missing")
        if ((np.diff(self.year) == 0) & (np.diff(self.fid) == 0)).any():
            raise ValueError("panel has several rows for one (true_firm_id, year)")
        self.n = len(self.fid)
        self.years = [int(y) for y in np.unique(self.year)]
        self.fids, f = np.unique(self.fid, return_inverse=True)
        self.f = f.astype(np.int64)  # firm position 0 .. n_firms-1
        self.pref = self.county // 100  # 2021 prefecture (4 digits): Shanghai districts 3101xx -> 3101

    @staticmethod
    def _codes(col: pd.Series, order: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        codes, uniq = pd.factorize(col, use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError(f"panel.{col.name} has missing values")
        u = [str(v).strip() for v in uniq]
        if width:
            u = [v.zfill(width) for v in u]
        # merge values that only differed before normalisation
        u_arr, remap = np.unique(np.array(u, dtype=object).astype(str), return_inverse=True)
        return remap[codes][order].astype(np.int64), u_arr.astype(object)

    def bounds(self):
        """(year, first row, end row) of each year."""
        cut = np.flatnonzero(np.diff(self.year)) + 1
        lo = np.concatenate([[0], cut])
        hi = np.concatenate([cut, [self.n]])
        return [(int(self.year[a]), int(a), int(b)) for a, b in zip(lo, hi)]


class _FirmOrder:
    """Rows grouped by firm, in year order, for per-firm events and cumulative counters."""

    def __init__(self, f: np.ndarray, year: np.ndarray, n_firms: int):
        self.order = np.lexsort((year, f))
        self.f = f[self.order]
        self.year = year[self.order]
        self.n = np.bincount(f, minlength=n_firms)
        self.start = np.concatenate([[0], np.cumsum(self.n)[:-1]])
        self.first = np.zeros(len(f), dtype=bool)
        self.first[self.start[self.n > 0]] = True
        self.inverse = np.empty_like(self.order)
        self.inverse[self.order] = np.arange(len(self.order))

    def event_year(self, u: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """For chosen firms with >= 2 rows, the year of one of their rows after the first
        (drawn by ``u``); 9999 otherwise."""
        ok = chosen & (self.n >= 2)
        k = 1 + ident.pick(u, np.maximum(self.n - 1, 1))
        idx = np.minimum(self.start + k, len(self.year) - 1)
        return np.where(ok, self.year[idx], 9999)

    def row_of(self, firms: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Firm-order position of the row of each (firm, year), which must exist."""
        return np.searchsorted(self.f * 10_000 + self.year, firms * 10_000 + years)

    def cumulative(self, inc: np.ndarray) -> np.ndarray:
        """Per-firm running sum of ``inc`` (given in firm order), returned in firm order."""
        cs = np.cumsum(inc)
        base = cs[self.start] - inc[self.start]
        return cs - base[self.f]


# ============================================================================ county / industry
def _assign_county_codes(p: _Panel, cand: pd.DataFrame, fid_u: np.ndarray) -> np.ndarray:
    """Index into ``cand`` of the raw county code of every row. A firm keeps its code while the
    code is still a candidate for its county (so codes change only with real code changes or
    moves); otherwise it takes the candidate drawn by its own stable number."""
    key_ct = cand["county"].astype(np.int64).to_numpy() * 10_000 + cand["year"].to_numpy(dtype=np.int64)
    ct_keys, ct_start, ct_n = np.unique(key_ct, return_index=True, return_counts=True)
    code_int = cand["code"].astype(np.int64).to_numpy()
    full_key = key_ct * 1_000_000 + code_int  # (county, year, code), sorted like cand
    row_ct = p.county * 10_000 + p.year
    pos = np.minimum(np.searchsorted(ct_keys, row_ct), len(ct_keys) - 1)
    miss = ct_keys[pos] != row_ct
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise ValueError(
            f"county {p.county[i]} cannot be written in {p.year[i]}: no county code in force that year "
            f"harmonises to it (place firms only in reachable_counties())"
        )
    out = np.empty(p.n, dtype=np.int64)
    last = np.full(len(p.fids), -1, dtype=np.int64)  # last raw code of each firm
    for _, lo, hi in p.bounds():
        fi = p.f[lo:hi]
        start, n = ct_start[pos[lo:hi]], ct_n[pos[lo:hi]]
        fresh = start + ident.pick(fid_u[fi], n)
        prev = last[fi]
        keep_key = row_ct[lo:hi] * 1_000_000 + np.maximum(prev, 0)
        j = np.minimum(np.searchsorted(full_key, keep_key), len(full_key) - 1)
        keep = (prev >= 0) & (full_key[j] == keep_key)
        idx = np.where(keep, j, fresh)
        out[lo:hi] = idx
        last[fi] = code_int[idx]
    return out


def _assign_industry_codes(p: _Panel, fid_u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Raw industry code of every row, in the vintage of its year: a stable choice per firm
    among :func:`industry_code_candidates`. Returns (index per row, code strings)."""
    out = np.empty(p.n, dtype=np.int64)
    all_codes: list[str] = []
    by_vintage: dict[int, list[int]] = {}
    for y in p.years:
        by_vintage.setdefault(industry_vintage(y), []).append(y)
    for v, ys in by_vintage.items():
        rows = np.flatnonzero(np.isin(p.year, ys))
        present = np.unique(p.k4[rows])
        cand = industry_code_candidates(p.k4_u[present], ys[0])
        keys, c_start, c_n = np.unique(cand["industry4"].to_numpy(dtype=str), return_index=True, return_counts=True)
        # candidate block of every class index
        blk = np.searchsorted(keys, p.k4_u.astype(str))
        blk = np.minimum(blk, len(keys) - 1)
        k = p.k4[rows]
        idx = c_start[blk[k]] + ident.pick(fid_u[p.f[rows]], c_n[blk[k]])
        out[rows] = len(all_codes) + idx
        all_codes.extend(cand["code"].tolist())
    return out, np.array(all_codes, dtype=object)


def _check_codes(p: _Panel, cand: pd.DataFrame, cty_idx: np.ndarray, ind_idx: np.ndarray, ind_codes: np.ndarray,
                 vintage: int) -> None:
    """Every (raw code, year) of the panel must harmonise back to the true county / division."""
    t = pd.DataFrame({"i": cty_idx, "y": p.year, "c": p.county}).drop_duplicates().to_numpy().T
    codes = pd.Series(cand["code"].to_numpy(dtype=object)[t[0]])
    h = harmonise_county_codes(codes, pd.Series(t[1]), vintage).to_numpy(dtype=object)
    bad = np.flatnonzero(h != np.array([str(c) for c in t[2]], dtype=object))
    if len(bad):
        ex = [(codes[i], int(t[1][i]), int(t[2][i])) for i in bad[:5]]
        raise RuntimeError(f"raw county codes (code, year, true county) do not harmonise back: {ex}")
    t = pd.DataFrame({"i": ind_idx, "y": p.year, "k": p.k4}).drop_duplicates().to_numpy().T
    codes = pd.Series(ind_codes[t[0]])
    h = harmonise_industry_codes(codes, pd.Series(t[1])).to_numpy(dtype=object)
    bad = np.flatnonzero(h != p.div_u[t[2]])
    if len(bad):
        ex = [(codes[i], int(t[1][i]), p.k4_u[t[2][i]]) for i in bad[:5]]
        raise RuntimeError(f"raw industry codes (code, year, true class) do not harmonise back: {ex}")


# ============================================================================ identities
def _place_strings(county_name: np.ndarray, parent: np.ndarray, shanghai: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Place part of a firm name from the county (name in force) and prefecture (parent name in
    force) of its location, with a per-firm choice ``u``: mostly the prefecture (苏州), else
    prefecture + county (杭州萧山), prefecture + 市, or the county alone; county-level cities and
    counties often use their own name (江阴市, 长兴县). Shanghai firms: 上海 or 上海 + district."""
    cn = pd.Series(county_name, dtype=object)
    pa = pd.Series(parent, dtype=object)
    stems = {n: ident.place_stem(n) for n in set(cn) | set(pa)}
    c_stem = cn.map(stems).to_numpy(dtype=object)
    p_stem = np.where(shanghai, "上海", pa.map(stems).to_numpy(dtype=object))
    district = cn.str.endswith("区").to_numpy() | shanghai
    full = cn.to_numpy(dtype=object)
    out = np.where(u < 0.62, p_stem, np.where(u < 0.80, p_stem + c_stem, np.where(u < 0.90, p_stem + "市", c_stem)))
    out = np.where(shanghai & (u >= 0.9), p_stem, out)
    out = np.where(~district & (u < 0.45), full, out)
    out = np.where(~district & (u >= 0.45) & (u < 0.62), c_stem, out)
    return out.astype(object)


def _compose_names(place, ta, tb, word, form, paren, *, space=None, ascii_paren=None, drop_place=None):
    """Firm names from components: place, trade characters (indices into
    :data:`~yrd.synthetic.identity.TRADE_CHARS` or strings), industry word, legal form (index
    into :data:`~yrd.synthetic.identity.LEGAL_FORMS`) and the parenthesised-place flag:
    ``苏州华盛纺织有限公司`` or ``华盛（苏州）纺织有限公司``."""
    chars = np.array(list(ident.TRADE_CHARS), dtype=object)
    trade = (chars[ta] if ta.dtype != object else ta) + (chars[tb] if tb.dtype != object else tb)
    n = len(place)
    sp = np.where(space, " ", "") if space is not None else np.full(n, "", dtype=object)
    op = np.where(ascii_paren, "(", "（") if ascii_paren is not None else np.full(n, "（", dtype=object)
    cl = np.where(ascii_paren, ")", "）") if ascii_paren is not None else np.full(n, "）", dtype=object)
    pl = np.where(drop_place, "", place) if drop_place is not None else place
    sfx = np.array(ident.LEGAL_FORMS, dtype=object)[form]
    prefix_style = pl + sp + trade + word + sfx
    paren_pl = np.where(pl == "", "", op + pl + cl)
    paren_style = trade + sp + paren_pl + word + sfx
    return np.where(paren, paren_style, prefix_style).astype(object)


class _Identities:
    """Firm-level identity draws (codes, names, people, events), indexed by firm position."""

    def __init__(self, p: _Panel, fo: _FirmOrder, cand: pd.DataFrame, cty_idx: np.ndarray, cfg: dict, seed: int):
        fids = p.fids
        n = len(fids)
        first_row = fo.order[fo.start]  # row of each firm's first year
        first_year = fo.year[fo.start]
        last_year = fo.year[fo.start + fo.n - 1]
        u = lambda salt: ident.uniform(seed, fids, salt)  # noqa: E731

        # --- events (9999: none)
        self.reissue_year = fo.event_year(u(_S_REISSUE_Y), u(_S_REISSUE) < cfg["id_reissue_rate"])
        self.rename_year = fo.event_year(u(_S_RENAME_Y), u(_S_RENAME) < cfg["rename_rate"])
        self.rep_year = fo.event_year(u(_S_REP_Y), u(_S_REP) < cfg["legal_rep_change_rate"])
        self.phone_year = fo.event_year(u(_S_PHONE_Y), u(_S_PHONE) < cfg["phone_change_rate"])

        # --- organisation codes: original and reissued, all distinct; then reuse of exited firms' codes
        reissued = np.flatnonzero(self.reissue_year < 9999)
        codes = ident.organisation_codes(np.concatenate([fids * 2, fids[reissued] * 2 + 1]), seed)
        self.code0 = codes[:n].copy()
        self.code1 = np.full(n, None, dtype=object)
        self.code1[reissued] = codes[n:]
        self.reused = np.zeros(n, dtype=bool)
        recipient = (u(_S_REUSE) < cfg["id_reuse_rate"]) & (first_year > first_year.min())
        final = np.where(self.reissue_year < 9999, self.code1, self.code0)
        used = np.zeros(n, dtype=bool)
        h_donor = ident.hash64(seed, fids, _S_REUSE + 100)
        for t in np.unique(first_year[recipient]):
            rec = np.flatnonzero(recipient & (first_year == t))
            pool = np.flatnonzero((last_year < t) & ~used)
            k = min(len(rec), len(pool))
            if k == 0:
                continue
            rec, pool = rec[:k], pool[np.argsort(h_donor[pool], kind="stable")][:k]
            self.code0[rec] = final[pool]
            used[pool] = True
            self.reused[rec] = True
            final[rec] = np.where(self.reissue_year[rec] < 9999, self.code1[rec], self.code0[rec])

        # --- legal representatives
        self.rep0 = ident.person_names(fids, seed, 0)
        self.rep1 = np.full(n, None, dtype=object)
        changed = np.flatnonzero(self.rep_year < 9999)
        self.rep1[changed] = ident.person_names(fids[changed], seed, 1)

        # --- names: place at founding (first row) and at the rename year
        self.form0, self.paren = ident.legal_forms(p.reg_u[p.reg[first_row]], u(_S_FORM), u(_S_PAREN))
        div_first = p.div_u[p.k4[first_row]]
        self.word = np.empty(n, dtype=object)
        u_word = u(_S_WORD)
        for d in np.unique(div_first):
            m = div_first == d
            pool_w = np.array(ident.INDUSTRY_WORDS.get(d, (ident.DEFAULT_INDUSTRY_WORD,)), dtype=object)
            self.word[m] = pool_w[ident.pick(u_word[m], len(pool_w))]
        u_place = u(_S_PLACE)
        cname, cparent = cand["name"].to_numpy(dtype=object), cand["parent"].to_numpy(dtype=object)
        shanghai = p.county // 10_000 == 31
        ci = cty_idx[first_row]
        self.place0 = _place_strings(cname[ci], cparent[ci], shanghai[first_row], u_place)
        ridx = np.flatnonzero(self.rename_year < 9999)
        self.place1 = self.place0.copy()
        if len(ridx):
            pos = fo.order[fo.row_of(ridx, self.rename_year[ridx])]
            self.place1[ridx] = _place_strings(cname[cty_idx[pos]], cparent[cty_idx[pos]], shanghai[pos], u_place[ridx])
        self.form1 = self.form0.copy()
        factory = self.form0 >= 3  # 厂 / 总厂 become companies when renamed (企业改制)
        self.form1[factory] = np.where(u(_S_FORM + 100)[factory] < 0.7, 0, 1)
        # trade names, redrawn until every canonical name (original and renamed) is unique
        self.ta0, self.tb0 = ident.trade_pairs(fids, seed, _S_TRADE)
        self.ta1, self.tb1 = ident.trade_pairs(fids, seed, _S_TRADE + 1)
        for round_ in range(1, 60):
            name0 = _compose_names(self.place0, self.ta0, self.tb0, self.word, self.form0, self.paren)
            name1 = _compose_names(self.place1[ridx], self.ta1[ridx], self.tb1[ridx], self.word[ridx],
                                   self.form1[ridx], self.paren[ridx])
            dup = pd.Series(np.concatenate([name0, name1]), dtype=object).duplicated().to_numpy()
            d0, d1 = np.flatnonzero(dup[:n]), ridx[dup[n:]]
            if len(d0) == 0 and len(d1) == 0:
                break
            self.ta0[d0], self.tb0[d0] = ident.trade_pairs(fids[d0], seed, _S_TRADE + 10 * round_)
            self.ta1[d1], self.tb1[d1] = ident.trade_pairs(fids[d1], seed, _S_TRADE + 10 * round_ + 1)
        else:  # pragma: no cover
            raise RuntimeError("could not draw unique firm names")
        self.name0 = name0
        self.name1 = np.full(n, None, dtype=object)
        self.name1[ridx] = name1


# ============================================================================ writing
def _write_file(df: pd.DataFrame, path: Path, fmt: str, money_unit: str, labels: dict[str, str], year: int) -> None:
    if fmt == "dta":
        df.to_stata(path, write_index=False, version=118, time_stamp=_STATA_TIME,
                    data_label=f"ASIF {year} (synthetic)", variable_labels=labels)
    elif fmt in CSV_ENCODING:
        enc, eol = CSV_ENCODING[fmt]
        df.to_csv(path, index=False, encoding=enc, lineterminator=eol,
                  float_format="%.2f" if money_unit == "wan" else "%.1f")
    elif fmt == "parquet":
        df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    elif fmt == "xlsx":
        write_xlsx(df, path, creator="yrd synthetic")
    else:  # pragma: no cover - validated before
        raise ValueError(fmt)


def _clear_old_files(out_dir: Path) -> None:
    for q in out_dir.iterdir():
        if q.is_file() and FILE_PATTERN.match(q.name):
            q.unlink()


def write_raw_world(
    panel: pd.DataFrame,
    out_dir: str | Path,
    raw_cfg: Mapping[str, Any] | None = None,
    seed: int = 0,
    vintage: int = DEFAULT_VINTAGE,
    dialects_path: str | Path | None = None,
) -> pd.DataFrame:
    """Write the true ``panel`` as messy per-year raw ASIF files and return the record truth.

    Parameters
    ----------
    panel
        True panel, one row per firm-year in the sample: ``true_firm_id``, ``year``, ``county``
        (6-digit code of ``vintage``), ``industry`` (2002 division), ``industry4`` (2002 class),
        ``employment``, ``output`` and ``sales`` (千元), ``founding_year``, ``reg_type``
        (``moved`` is not needed: moves are read from county changes).
    out_dir
        Directory of the raw files (created; raw files ``asif_<year>.<ext>`` already there are
        removed first). The truth goes to ``out_dir/truth/records.parquet`` and
        ``out_dir/truth/files.json``.
    raw_cfg
        Messiness configuration, keys in the module docstring.
    seed
        Seed of every draw.
    vintage
        Vintage of the panel's county codes (:data:`yrd.geography.DEFAULT_VINTAGE`).
    dialects_path
        Header-dialect table, default ``config/header_dialects.yaml``.

    Returns
    -------
    The record truth (also written): one row per data row of every file, in file order, with
    columns ``source_file`` (file name relative to ``out_dir``), ``source_row`` (0-based data
    row, header excluded), ``true_firm_id``, ``year``, ``invalid``, ``invalid_reason``
    (:data:`INVALID_REASONS` or None), ``duplicate`` (an exact copy of an earlier row of the
    same file), ``id_reissued`` (the firm code is not the firm's original one), ``id_reused``
    (the firm code is one that an earlier firm, gone from the sample, had), ``name_variant``
    (the name is written differently from the firm's current name), ``renamed`` (the firm's
    name after its permanent rename), ``firm_code_missing``. The firm-level flags are those of
    the firm-year even where the value itself is missing or invalid in the row.

    Raises ``ValueError`` for a bad panel or configuration, or when a county cannot be written
    in some year (see :func:`reachable_counties`); ``RuntimeError`` if a row's county or
    industry code would not harmonise back to the truth.
    """
    t0 = _dt.datetime.now()
    out_dir = Path(out_dir)
    p = _Panel(panel)
    cfg = resolve_raw_config(raw_cfg, p.years)
    table = load_header_dialects(dialects_path)
    seed = int(seed)
    fo = _FirmOrder(p.f, p.year, len(p.fids))
    provinces = sorted({str(c)[:2] for c in np.unique(p.county // 10_000)})

    # --- code vintages
    cand = county_code_candidates(p.years, vintage, provinces)
    cty_idx = _assign_county_codes(p, cand, ident.uniform(seed, p.fids, _S_CTY))
    ind_idx, ind_codes = _assign_industry_codes(p, ident.uniform(seed, p.fids, _S_IND))
    _check_codes(p, cand, cty_idx, ind_idx, ind_codes, vintage)

    # --- identities; location spells and phone epochs per row (computed in firm order)
    idt = _Identities(p, fo, cand, cty_idx, cfg, seed)
    cty_sorted, pref_sorted = p.county[fo.order], p.pref[fo.order]
    new_spell = np.zeros(p.n, dtype=bool)
    new_spell[1:] = (cty_sorted[1:] != cty_sorted[:-1]) & (fo.f[1:] == fo.f[:-1])
    cross = np.zeros(p.n, dtype=bool)
    cross[1:] = new_spell[1:] & (pref_sorted[1:] != pref_sorted[:-1])
    spell_sorted = fo.cumulative(new_spell.astype(np.int64))
    inc = cross | (new_spell & (ident.uniform(seed, p.fids[fo.f], spell_sorted, _S_MOVEPHONE) < 0.5))
    inc |= fo.year == idt.phone_year[fo.f]
    epoch = fo.cumulative(inc.astype(np.int64))[fo.inverse]
    spell = spell_sorted[fo.inverse]
    del cty_sorted, pref_sorted, new_spell, cross, spell_sorted, inc

    # --- look-real tables by prefecture and county
    pref_u, pref_i = np.unique(p.pref, return_inverse=True)
    pref_codes = [f"{q}00" for q in pref_u]
    unknown = [q for q in pref_codes if q not in ident.AREA_CODES]
    if unknown:
        raise ValueError(f"no telephone area code for prefectures {unknown[:5]} (only the 41 YRD prefectures)")
    area_u = np.array([ident.AREA_CODES[q] for q in pref_codes], dtype=object)
    post_u = np.array([ident.POSTCODE_PREFIX[q] for q in pref_codes], dtype=object)
    cty_u, cty_i = np.unique(p.county, return_inverse=True)
    digit_u = (pd.Series(cty_u).groupby(cty_u // 100).cumcount().to_numpy() % 10).astype(str).astype(object)
    look = {"area": area_u[pref_i], "post": post_u[pref_i], "digit": digit_u[cty_i]}

    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "truth").mkdir(exist_ok=True)
    _clear_old_files(out_dir)
    truth_parts, files_meta = [], {}
    for t, lo, hi in p.bounds():
        ycfg = cfg["years"][t]
        data, flags = _year_rows(p, np.arange(lo, hi), t, idt, cand, cty_idx, ind_codes[ind_idx[lo:hi]], spell, epoch,
                                 look, ycfg, cfg, seed)
        fname = file_name(t, ycfg["format"])
        headers = _headers_for_year(table, ycfg["dialect"], t, ycfg["format"], seed)
        cols = [c for c in CANONICAL if c not in ycfg["columns_absent"]]
        rest = cols[1:]
        order = np.argsort(ident.uniform(seed, t, np.arange(len(rest)), _S_COLS))
        cols = [cols[0]] + [rest[i] for i in order]
        df = pd.DataFrame({headers[c]: data[c] for c in cols})
        labels = {headers[c]: table["dialects"]["zh"][c][0] for c in cols}
        _write_file(df, out_dir / fname, ycfg["format"], ycfg["money_unit"], labels, t)
        flags.insert(0, "source_row", np.arange(len(df), dtype=np.int64))
        flags.insert(0, "source_file", fname)
        truth_parts.append(flags)
        files_meta[fname] = {
            "year": t, "format": ycfg["format"], "encoding": CSV_ENCODING.get(ycfg["format"], (None,))[0],
            "dialect": ycfg["dialect"], "money_unit": ycfg["money_unit"], "firm_code_style": ycfg["firm_code_style"],
            "industry_code_numeric": ycfg["format"] == "dta", "rows": len(df),
            "columns": {c: headers[c] for c in cols},
        }
        log.info("raw %s: %d rows (%s, %s, %s)", fname, len(df), ycfg["format"], ycfg["dialect"], ycfg["money_unit"])
    truth = pd.concat(truth_parts, ignore_index=True)
    truth.to_parquet(out_dir / "truth" / "records.parquet", index=False, engine="pyarrow", compression="zstd")
    with open(out_dir / "truth" / "files.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(files_meta, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    log.info("raw world: %d files, %d rows in %.1f s", len(files_meta), len(truth),
             (_dt.datetime.now() - t0).total_seconds())
    return truth


def _year_rows(p: _Panel, rows, t, idt: _Identities, cand, cty_idx, raw_industry, spell, epoch, look, ycfg, cfg, seed):
    """The data columns (canonical names) and the truth flags of one year's file, rows in file order."""
    n = len(rows)
    fi = p.f[rows]
    fid = p.fids[fi]
    rng = np.random.default_rng([seed % 2**63, t, 0xA5])

    # --- firm code, name, legal representative
    reissued = t >= idt.reissue_year[fi]
    code = np.where(reissued, idt.code1[fi], idt.code0[fi])
    reused = idt.reused[fi] & ~reissued
    if ycfg["firm_code_style"] == "hyphen":
        s = pd.Series(code, dtype=object)
        code = (s.str[:8] + "-" + s.str[8:]).to_numpy(dtype=object)
    renamed = t >= idt.rename_year[fi]
    name = np.where(renamed, idt.name1[fi], idt.name0[fi])
    variant = ident.uniform(seed, fid, t, _S_VAR) < cfg["name_variant_rate"]
    if variant.any():
        name[variant] = _variant_names(idt, fi[variant], renamed[variant], fid[variant], t, seed)
    rep = np.where(t >= idt.rep_year[fi], idt.rep1[fi], idt.rep0[fi])

    # --- address, phone, postcode (look-real only)
    ci = cty_idx[rows]
    cname = cand["name"].to_numpy(dtype=object)[ci]
    parent = cand["parent"].to_numpy(dtype=object)[ci]
    parent = np.where(parent == "直辖", "上海市", parent)
    parent = np.where(pd.Series(parent, dtype=object).str.endswith("市").to_numpy(), parent, "")
    sp = spell[rows]
    ua = ident.uniform(seed, fid, sp, _S_ADDR)
    ub = ident.uniform(seed, fid, sp, _S_ADDR + 1000)
    uc = ident.uniform(seed, fid, sp, _S_ADDR + 2000)
    district = pd.Series(cname, dtype=object).str.endswith("区").to_numpy()
    pref_part = np.where(district | (ua < 0.5), parent, "")
    zone = np.array(ident.ZONES, dtype=object)[ident.pick(ub, len(ident.ZONES))]
    town = np.array(ident.TOWNS, dtype=object)[ident.pick(uc, len(ident.TOWNS))]
    middle = np.where(ua < 0.35, zone, np.where(ua < 0.65, town, ""))
    road = np.array(ident.ROADS, dtype=object)[ident.pick((ub * 7919) % 1.0, len(ident.ROADS))]
    number = ident.digits(1 + ident.pick((uc * 104729) % 1.0, 998))
    address = pref_part + cname + middle + road + number + "号"
    acode = look["area"][rows]
    phone = ident.phone_numbers(fid, epoch[rows], acode, seed)
    if "area_code" in ycfg["columns_absent"]:
        phone = acode + "-" + phone
    # postcode: prefecture prefix (3 or 4 digits), county digit, then zeros or a local part
    local = ident.pick((ua * 7907) % 1.0, 100)
    local = np.where(((ua * 31) % 1.0) < 0.6, 0, local)
    pp = look["post"][rows]
    three = pd.Series(pp, dtype=object).str.len().to_numpy() == 3
    postcode = pp + look["digit"][rows] + np.where(three, ident.digits(local, 2), ident.digits(local // 10))

    # --- facts
    unit = MONEY_UNITS[ycfg["money_unit"]]
    decimals = 2 if ycfg["money_unit"] == "wan" else 1
    data: dict[str, np.ndarray] = {
        "firm_code": code.astype(object),
        "name": name.astype(object),
        "legal_rep": rep.astype(object),
        "county_code": cand["code"].to_numpy(dtype=object)[ci],
        "industry_code": raw_industry.astype(object),
        "founding_year": p.founding_year[rows].copy(),
        "reg_type": p.reg_u[p.reg[rows]],
        "employment": p.employment[rows].copy(),
        "output": np.round(p.output[rows] / unit, decimals),
        "sales": np.round(p.sales[rows] / unit, decimals),
        "phone": phone.astype(object),
        "area_code": acode.astype(object),
        "postcode": postcode.astype(object),
        "address": address.astype(object),
        "year": np.full(n, t, dtype=np.int64),
    }

    # --- invalid rows and missing firm codes
    invalid = rng.random(n) < cfg["invalid_rate"]
    reason_i = rng.integers(0, len(INVALID_REASONS), n)
    reason = np.where(invalid, np.array(INVALID_REASONS, dtype=object)[reason_i], None)
    m = invalid & (reason_i == 0)
    data["county_code"][m] = None
    m = invalid & (reason_i == 1)
    data["employment"][m] = -data["employment"][m]
    m = invalid & (reason_i == 2)
    late = rng.random(n) < 0.5
    data["founding_year"][m & late] = t + rng.integers(1, 16, n)[m & late]
    data["founding_year"][m & ~late] = np.where(rng.random(n) < 0.25, 0, rng.integers(1000, 1800, n))[m & ~late]
    m = invalid & (reason_i == 3)
    data["industry_code"][m] = UNKNOWN_INDUSTRY_CODE
    code_missing = ~invalid & (rng.random(n) < cfg["missing_firm_code_rate"])
    data["firm_code"][code_missing] = None
    if ycfg["format"] == "dta":
        data["industry_code"] = data["industry_code"].astype(np.int64)

    # --- row order: grouped by raw county code (deliveries are sorted by region), random within
    perm = rng.permutation(n)
    key = pd.Series(data["county_code"][perm], dtype=object).fillna("999999").to_numpy(dtype=str)
    order = perm[np.argsort(key, kind="stable")]
    # --- exact duplicates: right after the original or later in the file
    dup_src = np.flatnonzero(rng.random(n) < cfg["duplicate_rate"])  # positions in `order`
    later = rng.random(len(dup_src)) < 0.5
    where = np.where(later, dup_src + ident.pick(rng.random(len(dup_src)), n - dup_src), dup_src) + 0.5
    final = np.argsort(np.concatenate([np.arange(n, dtype=float), where]), kind="stable")
    out_rows = order[np.concatenate([np.arange(n), dup_src])[final]]  # row (in this year) of every file row
    data = {k: v[out_rows] for k, v in data.items()}
    flags = pd.DataFrame({
        "true_firm_id": fid[out_rows],
        "year": np.full(len(out_rows), t, dtype=np.int64),
        "invalid": invalid[out_rows],
        "invalid_reason": pd.array(reason[out_rows], dtype=object),
        "duplicate": final >= n,
        "id_reissued": reissued[out_rows],
        "id_reused": reused[out_rows],
        "name_variant": variant[out_rows],
        "renamed": renamed[out_rows],
        "firm_code_missing": code_missing[out_rows],
    })
    return data, flags


NAME_VARIANTS = ("legal_form_swap", "ascii_parentheses", "inserted_space", "typo", "place_dropped")


def _variant_names(idt: _Identities, fi, renamed, fid, t, seed) -> np.ndarray:
    """Names of the selected rows written differently (one of :data:`NAME_VARIANTS`): a swap
    of 有限公司 / 有限责任公司 (else a typo), ASCII parentheses (only names with a parenthesised
    place, else an inserted space), an inserted space, a typo of one trade-name character, or
    the place prefix dropped."""
    kind = ident.pick(ident.uniform(seed, fid, t, _S_VARKIND), len(NAME_VARIANTS))
    place = np.where(renamed, idt.place1[fi], idt.place0[fi])
    ta = np.where(renamed, idt.ta1[fi], idt.ta0[fi])
    tb = np.where(renamed, idt.tb1[fi], idt.tb0[fi])
    form = np.where(renamed, idt.form1[fi], idt.form0[fi])
    paren = idt.paren[fi]
    swappable = form <= 1
    kind = np.where((kind == 0) & ~swappable, 3, kind)
    kind = np.where((kind == 1) & ~paren, 2, kind)
    form = np.where(kind == 0, 1 - np.minimum(form, 1), form)
    chars = np.array(list(ident.TRADE_CHARS), dtype=object)
    typos = np.array(list(ident.TRADE_TYPOS), dtype=object)
    first = ident.uniform(seed, fid, t, _S_VARKIND + 1000) < 0.5
    a = np.where((kind == 3) & first, typos[ta], chars[ta])
    b = np.where((kind == 3) & ~first, typos[tb], chars[tb])
    return _compose_names(place, a.astype(object), b.astype(object), idt.word[fi], form, paren,
                          space=kind == 2, ascii_paren=kind == 1, drop_place=kind == 4)
