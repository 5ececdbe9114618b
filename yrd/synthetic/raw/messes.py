"""Defects put in on purpose: invalid rows, missing firm codes, the row order of a delivery and
exact duplicate rows. Every draw comes from the year's generator ``rng``, in a fixed order."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from yrd.synthetic import identity as ident

#: Reasons of invalid rows, drawn with equal probability.
INVALID_REASONS = ("missing_county_code", "negative_employment", "founding_year_impossible", "unknown_industry_code")
#: Industry code of rows made invalid with ``unknown_industry_code``.
UNKNOWN_INDUSTRY_CODE = "9999"


def invalidate(
    data: Mapping[str, np.ndarray], year: int, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Make a share ``rate`` of the rows of ``data`` (canonical columns, changed in place)
    invalid, spread evenly over :data:`INVALID_REASONS`: county code missing, employment
    negative, founding year after ``year`` or before 1800, industry code
    :data:`UNKNOWN_INDUSTRY_CODE`. Returns (invalid flag, reason or None) per row."""
    n = len(data["firm_code"])
    invalid = rng.random(n) < rate
    reason_i = rng.integers(0, len(INVALID_REASONS), n)
    reason = np.where(invalid, np.array(INVALID_REASONS, dtype=object)[reason_i], None)
    m = invalid & (reason_i == 0)
    data["county_code"][m] = None
    m = invalid & (reason_i == 1)
    data["employment"][m] = -data["employment"][m]
    m = invalid & (reason_i == 2)
    late = rng.random(n) < 0.5
    data["founding_year"][m & late] = year + rng.integers(1, 16, n)[m & late]
    data["founding_year"][m & ~late] = np.where(rng.random(n) < 0.25, 0, rng.integers(1000, 1800, n))[m & ~late]
    m = invalid & (reason_i == 3)
    data["industry_code"][m] = UNKNOWN_INDUSTRY_CODE
    return invalid, reason


def drop_firm_codes(
    data: Mapping[str, np.ndarray], invalid: np.ndarray, rate: float, rng: np.random.Generator
) -> np.ndarray:
    """Empty the firm code of a share ``rate`` of the valid rows (in place); returns the flag."""
    code_missing = ~invalid & (rng.random(len(invalid)) < rate)
    data["firm_code"][code_missing] = None
    return code_missing


def file_order(
    county_code: np.ndarray, duplicate_rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Order of the rows in the file: grouped by raw county code (deliveries are sorted by
    region; missing codes last), random within; a share ``duplicate_rate`` of rows written
    twice, the copy right after the original or later in the file.

    Returns (row of every file row, True where the file row is a copy)."""
    n = len(county_code)
    perm = rng.permutation(n)
    key = pd.Series(county_code[perm], dtype=object).fillna("999999").to_numpy(dtype=str)
    order = perm[np.argsort(key, kind="stable")]
    dup_src = np.flatnonzero(rng.random(n) < duplicate_rate)  # positions in `order`
    later = rng.random(len(dup_src)) < 0.5
    where = np.where(later, dup_src + ident.pick(rng.random(len(dup_src)), n - dup_src), dup_src) + 0.5
    final = np.argsort(np.concatenate([np.arange(n, dtype=float), where]), kind="stable")
    out_rows = order[np.concatenate([np.arange(n), dup_src])[final]]
    return out_rows, final >= n
