"""Row-level validation of raw ASIF records, and the harmonised values of valid rows.

Every value is first normalised as text: surrounding whitespace (also full-width) removed, and
the tokens of :data:`MISSING_TOKENS` (``""``, ``.``, ``NA``, ``NULL``, ``-`` ...) read as missing.
Numbers are parsed explicitly (:func:`parse_numbers`): full-width digits are accepted,
``"1,234"`` (thousands separators in groups of three) is 1234, ``"12.0"`` is 12; anything else
that is not a finite number is *non-numeric*.

The checks form a pandera :class:`~pandera.api.pandas.container.DataFrameSchema` over a frame of
prepared columns (:func:`row_schema`), validated with ``lazy=True``; its ``failure_cases`` become
quarantine rows, one per (row, problem). Reasons (``reason`` is ``"<code>: <text>"``):

======================  ================  ====================================================
code                    column            when
======================  ================  ====================================================
missing_county_code     county_code       the county code is missing
invalid_county_code     county_code       not a 6-digit code (after removing a trailing ``.0``)
county_code_not_in_force county_code      not a code in force in the file's year (``tolerance``
                                          years either side accepted), by the real code history
county_code_no_successor county_code      in force that year but without a successor in the
                                          target vintage
not_county_code         county_code       a province or prefecture code, not a county-level one
missing_industry_code   industry_code     the industry code is missing
unknown_industry_code   industry_code     not a code of that year's GB/T 4754 vintage (1994 up to
                                          2002, 2002 in 2003-2011, 2011 from 2012), or not a code
not_manufacturing       industry_code     a code of that vintage whose 2002 division is outside
                                          manufacturing (13-43), e.g. 1994 1711 轧花业
missing_employment      employment        employment is missing
non_numeric_employment  employment        not a number (e.g. ``abc``)
negative_employment     employment        below zero
zero_employment         employment        zero
absurd_employment       employment        above :data:`ABSURD_EMPLOYMENT` persons
non_integer_employment  employment        not a whole number
non_numeric_output      output            not a number (a missing output is kept, and counted)
negative_output         output            below zero
absurd_output           output            above :data:`ABSURD_MONEY` thousand yuan (after the
                                          unit conversion)
non_numeric_sales       sales             as for output (sales is an optional column)
negative_sales          sales             below zero
absurd_sales            sales             above :data:`ABSURD_MONEY` thousand yuan
non_numeric_founding_year founding_year   not a number (a missing founding year is kept)
founding_year_impossible founding_year    after the file's year, before :data:`MIN_FOUNDING_YEAR`
                                          or not a whole number
year_mismatch           year              a ``year`` column value that is not the file's year
duplicate_firm_code     firm_code         the same (normalised) firm code earlier in the file,
                                          with different content; the first one is kept
malformed_row           row               a CSV record with a wrong number of fields (the
                                          other checks are skipped for it)
======================  ================  ====================================================

A missing firm code is not a reason (linking can use the name): the row is kept and counted.
Firm codes are normalised (NFKC, upper case, hyphens and spaces removed: ``70321456-x`` ->
``70321456X``) before the duplicate check and in the clean data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from yrd.geography import History, codes_in_force, harmonisation_table, prefecture_of, province_of
from yrd.industry.codes import industry_vintage, normalise_industry_codes
from yrd.industry.crosswalks import Crosswalks, crosswalk, harmonise_industry_codes
from yrd.ingest.headers import CANONICAL_COLUMNS
from yrd.ingest.numbers import (  # noqa: F401 - re-exported: the parsers validation uses
    _FIRM_CODE_JUNK,
    _THOUSANDS,
    MISSING_TOKENS,
    _nfkc,
    clean_text,
    normalise_firm_codes,
    parse_numbers,
)
from yrd.ingest.units import money_factor

#: Employment above this (persons) is absurd (the largest Chinese manufacturers employ some 10^5).
ABSURD_EMPLOYMENT = 500_000
#: Output or sales above this (thousand yuan, i.e. 10 trillion yuan) are absurd.
ABSURD_MONEY = 1e10
#: Founding years before this are impossible.
MIN_FOUNDING_YEAR = 1800
#: Column of quarantine rows about the whole record.
ROW = "row"
#: Harmonisation rules of yrd.geography that give a valid code.
_COUNTY_OK = ("identity", "renamed", "recoded", "split")


# ============================================================================ reference look-ups
# The reference tables are arguments: ``history`` the code history (path of
# resources/areacodes/result.csv or yrd.geography.code_history), ``crosswalks`` the industry
# crosswalk tables (yrd.industry.load_crosswalks).
def _county_level_codes(vintage: int, history: History) -> frozenset[str]:
    if isinstance(history, pd.DataFrame):
        return frozenset(codes_in_force(vintage, "county", history=history)["code"])
    return _county_level_codes_of_file(vintage, os.fspath(history))


@lru_cache(maxsize=8)
def _county_level_codes_of_file(vintage: int, history: str) -> frozenset[str]:
    return frozenset(codes_in_force(vintage, "county", history=history)["code"])


def _known_industry_codes(vintage: int, crosswalks: Crosswalks) -> frozenset[str]:
    """Codes (2, 3 and 4 digits) of a GB/T 4754 vintage, from the crosswalk tables."""
    return crosswalks.cached(
        ("known_codes", vintage),
        lambda: frozenset().union(
            *(set(crosswalk(vintage, level=k, crosswalks=crosswalks)["from_code"]) for k in (2, 3, 4))
        ),
    )


def _harmonise_counties(
    codes: pd.Series, year: int, vintage: int, tolerance: int, history: History
) -> tuple[pd.Series, pd.Series]:
    """(vintage code, rule) of each code: :func:`yrd.geography.harmonisation_table` applied to
    the distinct codes and mapped back."""
    pos, uniq = pd.factorize(codes)  # pos -1: missing
    tab = harmonisation_table(pd.Series(uniq, dtype="str"), year, vintage, tolerance=tolerance, history=history)

    def mapped(column: str) -> pd.Series:
        return pd.Series(pd.array(tab[column].to_numpy(), dtype="str").take(pos, allow_fill=True), index=codes.index)

    return mapped("code_vintage"), mapped("rule").fillna("invalid")


# ============================================================================ preparation
@dataclass
class Prepared:
    """Normalised values of one file's rows (index = source_row)."""

    text: pd.DataFrame  # every canonical column as clean text (missing columns: all NA)
    numbers: pd.DataFrame  # employment, output, sales (thousand yuan), founding_year, year
    county: pd.Series  # harmonised county code (vintage) or NA
    county_status: pd.Series  # harmonisation rule / not_county; NA where the code is missing
    industry: pd.Series  # 2002 division or NA
    industry_status: pd.Series  # ok / unknown / not_manufacturing; NA where missing
    firm_code: pd.Series  # normalised firm code


def prepare(
    canon: pd.DataFrame,
    year: int,
    factor: float,
    vintage: int,
    tolerance: int,
    *,
    history: History,
    crosswalks: Crosswalks,
) -> Prepared:
    """Normalise the canonical raw columns of one file (module docstring); ``factor`` turns the
    file's money unit into thousand yuan; ``history`` is the code history (path of
    ``resources/areacodes/result.csv`` or :func:`yrd.geography.code_history`) and ``crosswalks``
    the industry crosswalk tables (:func:`yrd.industry.load_crosswalks`)."""
    idx = canon.index
    text = pd.DataFrame(
        {
            c: clean_text(canon[c]) if c in canon else pd.Series(np.nan, index=idx, dtype="str")
            for c in CANONICAL_COLUMNS
        },
        index=idx,
    )
    numbers = pd.DataFrame(
        {c: parse_numbers(text[c]) for c in ("employment", "output", "sales", "founding_year", "year")}, index=idx
    )
    if factor != 1:  # rounded to 1e-6 thousand yuan to drop binary noise (1523.45 * 10)
        numbers["output"] = (numbers["output"] * factor).round(6)
        numbers["sales"] = (numbers["sales"] * factor).round(6)

    # county codes: the real code history, the file's year, then the vintage
    county, status = _harmonise_counties(text["county_code"], int(year), vintage, tolerance, history)
    good = status.isin(_COUNTY_OK)
    not_county = good & ~county.isin(_county_level_codes(vintage, history)).fillna(False).astype(bool)
    status = status.mask(not_county, "not_county")
    county = county.mask(not_county)
    status = status.mask(text["county_code"].isna())

    # industry codes: vintage of the year, primary 2002 division
    industry = harmonise_industry_codes(text["industry_code"], int(year), crosswalks=crosswalks)
    iv = industry_vintage(int(year))
    code = normalise_industry_codes(text["industry_code"])
    known = code.isin(_known_industry_codes(iv, crosswalks)).fillna(False).astype(bool)
    istatus = pd.Series(
        np.where(industry.notna(), "ok", np.where(known, "not_manufacturing", "unknown")), index=idx, dtype="str"
    )
    istatus = istatus.mask(text["industry_code"].isna())
    return Prepared(
        text,
        numbers,
        county.astype("str"),
        status,
        industry.astype("str"),
        istatus,
        normalise_firm_codes(text["firm_code"]),
    )


# ============================================================================ the schema
@dataclass(frozen=True)
class _Rule:
    column: str  # canonical column reported in the quarantine table
    code: str  # reason code
    template: str  # text; {value}, {year}, {vintage}, {tol}, {iv}, {unit}, {first}


def _fails(s: pd.Series, year: int) -> pd.Series:
    """Every (non-missing) value fails: for columns that only hold the offending values."""
    return pd.Series(False, index=s.index)


#: The row checks, in the order of the check frame's columns (:func:`check_frame`): check-frame
#: column, pandera check name, test ``(values, file year) -> passes`` (None: pandera's own
#: ``not_nullable`` or ``field_uniqueness`` check), reason code (None: the check name) and text.
_ROW_CHECKS: tuple[tuple[str, str, Callable[[pd.Series, int], pd.Series] | None, str | None, str], ...] = (
    ("county_code", "not_nullable", None, "missing_county_code", "county code is missing"),
    ("county_status", "invalid_county_code", lambda s, year: s != "invalid", None, "'{value}' is not a 6-digit code"),
    ("county_status", "county_code_not_in_force", lambda s, year: s != "not_in_force", None, "{value} is not a county code in force in {year}{tol}"),
    ("county_status", "county_code_no_successor", lambda s, year: s != "no_successor", None, "{value} (in force in {year}) has no successor in the {vintage} code list"),
    ("county_status", "not_county_code", lambda s, year: s != "not_county", None, "{value} is a province or prefecture code, not a county code"),
    ("industry_code", "not_nullable", None, "missing_industry_code", "industry code is missing"),
    ("industry_status", "unknown_industry_code", lambda s, year: s != "unknown", None, "{value} is not a GB/T 4754-{iv} industry code"),
    ("industry_status", "not_manufacturing", lambda s, year: s != "not_manufacturing", None, "{value} is a GB/T 4754-{iv} code outside manufacturing"),
    ("employment_text", "not_nullable", None, "missing_employment", "employment is missing"),
    ("employment_unparsed", "non_numeric_employment", _fails, None, "'{value}' is not a number"),
    ("employment", "negative_employment", lambda s, year: s >= 0, None, "{value} is negative"),
    ("employment", "zero_employment", lambda s, year: s != 0, None, "employment is {value}"),
    ("employment", "absurd_employment", lambda s, year: s <= ABSURD_EMPLOYMENT, None, f"{{value}} is above {ABSURD_EMPLOYMENT} persons"),
    ("employment", "non_integer_employment", lambda s, year: s == np.round(s), None, "{value} is not a whole number of persons"),
    ("output_unparsed", "non_numeric_output", _fails, None, "'{value}' is not a number"),
    ("output", "negative_output", lambda s, year: s >= 0, None, "{value} is negative"),
    ("output", "absurd_output", lambda s, year: s <= ABSURD_MONEY, None, f"{{value}} {{unit}} is above {ABSURD_MONEY:,.0f} thousand yuan"),
    ("sales_unparsed", "non_numeric_sales", _fails, None, "'{value}' is not a number"),
    ("sales", "negative_sales", lambda s, year: s >= 0, None, "{value} is negative"),
    ("sales", "absurd_sales", lambda s, year: s <= ABSURD_MONEY, None, f"{{value}} {{unit}} is above {ABSURD_MONEY:,.0f} thousand yuan"),
    ("founding_year_unparsed", "non_numeric_founding_year", _fails, None, "'{value}' is not a year"),
    ("founding_year", "founding_year_after_file", lambda s, year: s <= year, "founding_year_impossible", "{value} is after the file's year {year}"),
    ("founding_year", "founding_year_too_early", lambda s, year: s >= MIN_FOUNDING_YEAR, "founding_year_impossible", f"{{value}} is before {MIN_FOUNDING_YEAR}"),
    ("founding_year", "founding_year_not_whole", lambda s, year: s == np.round(s), "founding_year_impossible", "{value} is not a whole year"),
    ("year_unparsed", "year_not_numeric", _fails, "year_mismatch", "the row says '{value}', the file is {year}"),
    ("year", "year_mismatch", lambda s, year: s == year, None, "the row says {value}, the file is {year}"),
    # unique within the file (missing codes are not compared)
    ("firm_code", "field_uniqueness", None, "duplicate_firm_code", "{value} already appears on source_row {first}"),
)  # fmt: skip
#: Canonical column reported for a check-frame column, where it is not the column itself (or,
#: for ``<column>_unparsed``, ``<column>``).
_REPORTED_AS = {"county_status": "county_code", "industry_status": "industry_code", "employment_text": "employment"}


def row_schema(year: int) -> tuple[pa.DataFrameSchema, dict[tuple[str, str], _Rule]]:
    """The pandera schema of the check frame (:func:`check_frame`) of a file of ``year`` and the
    rule of each (check-frame column, pandera check name) pair, both from :data:`_ROW_CHECKS`.
    A column is nullable (missing values are not checked) unless it has a ``not_nullable`` check;
    ``field_uniqueness`` makes it unique, its first occurrence not reported."""
    rules: dict[tuple[str, str], _Rule] = {}
    specs: dict[str, dict] = {}
    for col, name, passes, code, template in _ROW_CHECKS:
        rules[(col, name)] = _Rule(_REPORTED_AS.get(col, col.removesuffix("_unparsed")), code or name, template)
        spec = specs.setdefault(col, {"nullable": True, "checks": []})
        if name == "not_nullable":
            spec["nullable"] = False
        elif name == "field_uniqueness":
            spec.update(unique=True, report_duplicates="exclude_first")
        else:
            spec["checks"].append(pa.Check(lambda s, passes=passes: passes(s, year), name=name))
    cols = {col: pa.Column(**spec) for col, spec in specs.items()}
    return pa.DataFrameSchema(cols, strict=True, coerce=False, name=f"asif_rows_{year}"), rules


def check_frame(prep: Prepared) -> pd.DataFrame:
    """The frame the schema validates (index = source_row)."""
    t, n = prep.text, prep.numbers

    def unparsed(c: str) -> pd.Series:  # the text of values that are there but not numbers
        return t[c].where(n[c].isna())

    return pd.DataFrame(
        {
            "county_code": t["county_code"],
            "county_status": prep.county_status,
            "industry_code": t["industry_code"],
            "industry_status": prep.industry_status,
            "employment_text": t["employment"],
            "employment_unparsed": unparsed("employment"),
            "employment": n["employment"],
            "output_unparsed": unparsed("output"),
            "output": n["output"],
            "sales_unparsed": unparsed("sales"),
            "sales": n["sales"],
            "founding_year_unparsed": unparsed("founding_year"),
            "founding_year": n["founding_year"],
            "year_unparsed": unparsed("year"),
            "year": n["year"],
            "firm_code": prep.firm_code,
        },
        index=t.index,
    )


def validate_rows(
    prep: Prepared, year: int, *, vintage: int, tolerance: int, unit: str, rows: pd.Index | None = None
) -> pd.DataFrame:
    """Quarantine rows (``source_row``, ``column``, ``reason``) of the rows ``rows`` (default all)
    of a prepared file; empty if every row passes. Vectorised: pandera collects every failure
    (``lazy=True``) and the reason texts are built per reason from the raw values."""
    frame = check_frame(prep)
    if rows is not None:
        frame = frame.loc[rows]
    schema, rules = row_schema(int(year))
    try:
        schema.validate(frame, lazy=True)
        return _empty_quarantine()
    except SchemaErrors as err:
        fc = err.failure_cases
    fc = fc[["column", "check", "failure_case", "index"]].copy()
    known = pd.MultiIndex.from_frame(fc[["column", "check"]].astype(object)).isin(list(rules))
    unknown = fc[~known | fc["index"].isna().to_numpy()]
    if len(unknown):
        raise RuntimeError(f"unexpected validation failures (a bug): {unknown.head(5).to_dict('records')}")
    fc["index"] = fc["index"].astype("int64")
    fmt = {
        "year": int(year),
        "vintage": vintage,
        "iv": industry_vintage(int(year)),
        "tol": f" (or within {tolerance} years)" if tolerance else "",
        "unit": "万元" if money_factor(unit) == 10 else "千元",
    }
    parts = []
    first_of = None
    for (col, check), grp in fc.groupby(["column", "check"], sort=True):
        rule = rules[(col, check)]
        idx = pd.Index(grp["index"].to_numpy())
        text = pd.Series(rule.code + ": ", index=idx, dtype="str")
        for piece in re.split("([\x01\x02])", rule.template.format(value="\x01", first="\x02", **fmt)):
            if piece == "\x01":
                text = text + prep.text[rule.column].reindex(idx).fillna("").astype("str")
            elif piece == "\x02":
                if first_of is None:
                    fcode = frame["firm_code"]
                    first_of = _first_occurrence(fcode[fcode.isin(fcode.reindex(idx).dropna().unique())])
                text = text + first_of.reindex(idx).astype("Int64").astype("str")
            elif piece:
                text = text + piece
        parts.append(
            pd.DataFrame({"source_row": idx.to_numpy(), "column": rule.column, "reason": text.to_numpy(dtype=object)})
        )
    out = pd.concat(parts, ignore_index=True)
    out = out.drop_duplicates(["source_row", "column", "reason"])
    return out.sort_values(["source_row", "column", "reason"], ignore_index=True).astype(
        {"source_row": "int64", "column": "str", "reason": "str"}
    )


def _first_occurrence(codes: pd.Series) -> pd.Series:
    """For each row with a firm code: the source_row of the code's first occurrence."""
    s = codes.dropna()
    pos = pd.Series(s.index.to_numpy(), index=s.index)
    return pos.groupby(s.to_numpy()).transform("min")


def malformed_quarantine(malformed: dict[int, str]) -> pd.DataFrame:
    """Quarantine rows of CSV records with a wrong number of fields."""
    if not malformed:
        return _empty_quarantine()
    rows = sorted(malformed)
    return pd.DataFrame(
        {
            "source_row": np.array(rows, dtype="int64"),
            "column": ROW,
            "reason": [f"malformed_row: {malformed[r]}" for r in rows],
        }
    ).astype({"column": "str", "reason": "str"})


def _empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source_row": pd.Series([], dtype="int64"),
            "column": pd.Series([], dtype="str"),
            "reason": pd.Series([], dtype="str"),
        }
    )


# ============================================================================ clean values
def clean_values(prep: Prepared, rows: pd.Index, year: int) -> pd.DataFrame:
    """The clean columns (without source_file/source_row) of the valid ``rows``."""
    t = prep.text.loc[rows]
    n = prep.numbers.loc[rows]
    county = prep.county.loc[rows]
    out = pd.DataFrame(
        {
            "year": pd.Series(int(year), index=rows, dtype="Int64"),
            "firm_code": prep.firm_code.loc[rows],
            "name": t["name"],
            "legal_rep": t["legal_rep"],
            "phone": t["phone"],
            "area_code": t["area_code"],
            "postcode": t["postcode"],
            "address": t["address"],
            "founding_year": n["founding_year"].round().astype("Int64"),
            "reg_type": t["reg_type"],
            "county": county,
            "prefecture": prefecture_of(county).astype("str"),
            "province": province_of(county).astype("str"),
            "industry": prep.industry.loc[rows],
            "county_code_raw": t["county_code"],
            "industry_code_raw": t["industry_code"],
            "firm_code_raw": t["firm_code"],
            "employment": n["employment"].round().astype("Int64"),
            "output": n["output"].astype("float64"),
            "sales": n["sales"].astype("float64"),
        },
        index=rows,
    )
    out["lon"], out["lat"], out["point_issue"] = parse_point(t["longitude"], t["latitude"])
    return out


def parse_point(lon: pd.Series, lat: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The optional geocode columns (clean text; all missing when the file has none) as float64
    ``lon``, ``lat`` (:func:`parse_numbers`; not a number -> NaN) and ``point_issue``: missing
    when both parse or both are missing, ``not_numeric: longitude='...' latitude='...'`` when a
    value is there but not a number (the raw texts kept), ``incomplete`` when only one is there.
    A bad geocode never quarantines the row: the firm-year is good data without a usable point
    (rule plant_points flags it)."""
    x, y = parse_numbers(lon), parse_numbers(lat)
    bad = (lon.notna() & x.isna()) | (lat.notna() & y.isna())
    issue = pd.Series(pd.NA, index=lon.index, dtype="str")
    if bad.any():
        issue[bad] = "not_numeric: longitude='" + lon[bad].fillna("") + "' latitude='" + lat[bad].fillna("") + "'"
    one = ~bad & (lon.isna() != lat.isna())
    issue[one] = "incomplete"
    return x.astype("float64"), y.astype("float64"), issue
