"""GB/T 4754 reference tables: the 2002 divisions and their classes, the NBS name lists, the
vintage of a year's codes, and the shape of a code (:mod:`yrd.industry`).

Each table is read from the path given (the shipped files are under ``resources/industry/``);
a table already read may be passed instead of the path.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

#: A reference table as a path or as a DataFrame already read.
Table = str | Path | pd.DataFrame

VINTAGES = (1994, 2002, 2011)
TARGET_VINTAGE = 2002
#: The 30 manufacturing divisions of GB/T 4754-2002 (no 38).
MANUFACTURING_2002 = tuple(str(c) for c in range(13, 44) if c != 38)
FACTOR_CLASSES = ("labour", "capital", "technology")


def read_table(path: Table, **kwargs) -> pd.DataFrame:
    """``pd.read_csv(path, **kwargs)``, or a copy of ``path`` when it is a DataFrame already."""
    return path.copy() if isinstance(path, pd.DataFrame) else pd.read_csv(path, **kwargs)


def industries(path: Table) -> pd.DataFrame:
    """The 30 two-digit manufacturing divisions of GB/T 4754-2002.

    Columns: ``code`` (two-character string, "13" .. "43", no "38"), ``name_zh`` (official
    name in the standard), ``name_en`` (English name used by the NBS in the China Statistical
    Yearbook), ``name_short_zh`` and ``name_short_en`` (figure labels, <= 12 and <= 22
    characters). ``path``: ``resources/industry/gb2002_2digit.csv``.
    """
    return read_table(path, dtype=str, keep_default_na=False)


def industry_classes(path: Table) -> pd.DataFrame:
    """Classes of each 2002 division: ``code``, ``factor_intensity`` (labour / capital /
    technology), ``port_type`` and ``urban_type`` (bool) and a ``source_*`` column citing the
    source or stating the project rule of each assignment (:mod:`yrd.industry` and
    ``resources/industry/README.md``). ``path``: ``resources/industry/classes.csv``."""
    d = read_table(path, dtype=str, keep_default_na=False)
    for col in ("port_type", "urban_type"):
        flag = d[col].astype(str).str.strip().str.lower().map({"true": True, "false": False})
        if flag.isna().any():
            raise ValueError(f"{col} must be True or False, got {sorted(set(d.loc[flag.isna(), col]))}")
        d[col] = flag.astype(bool)
    return d


def industry_vintage(year: int) -> int:
    """GB/T 4754 vintage of the industry codes in records of ``year``.

    ASIF and NBS practice: GB/T 4754-1994 up to 2002, GB/T 4754-2002 in 2003-2011 and
    GB/T 4754-2011 from 2012. Caveat: years before the 1994 standard came into use (GB
    4754-1984) and statistics from 2018 on (GB/T 4754-2017) are not distinguished; records
    of those years must be recoded before they reach this module.
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"year must be an integer, got {year!r}")
    if year <= 2002:
        return 1994
    if year <= 2011:
        return 2002
    return 2011


def names_2002_4digit(path: Table) -> pd.DataFrame:
    """Four-digit GB/T 4754-2002 codes with names (``code``, ``name_zh``), duplicates removed, from
    the NBS list ``path`` (``resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv``)."""
    n = read_table(path, dtype=str)
    n = pd.DataFrame({"code": n["c2002"].str.strip(), "name_zh": n["n2002"].str.strip()})
    return n.drop_duplicates().sort_values("code").reset_index(drop=True)


def names_2011_2digit(path: Table) -> pd.DataFrame:
    """Two-digit GB/T 4754-2011 divisions with names (``code``, ``name_zh``) from the NBS list
    ``path`` (``resources/industry/GB4754_2011_2digit_from_NBS_xls.csv``)."""
    n = read_table(path, dtype=str)
    return pd.DataFrame({"code": n["c2011"].str.strip(), "name_zh": n["n2011"].str.strip()})


def normalise_industry_codes(codes: pd.Series) -> pd.Series:
    """Industry codes as digit strings of 2-4 characters, ``<NA>`` otherwise.

    Accepts ints, floats (``1711.0``), strings with whitespace. A three-digit string is read
    as a three-digit group (e.g. ``"131"``), never as a four-digit class that lost its leading
    zero: such classes (01xx-09xx) are agriculture and mining, outside the ASIF's manufacturing.
    """
    s = pd.Series(codes, copy=False).astype("string").str.strip()
    s = s.str.replace(r"\.0*$", "", regex=True)
    return s.where(s.str.fullmatch(r"\d{2,4}").fillna(False)).astype("string")
