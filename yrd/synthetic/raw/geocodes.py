"""Geocodes written into the raw files: the plant points as a user's longitude/latitude columns.

When ``synthetic.plant_points.in_raw`` is true every raw file gets two more columns, after the
others: ``longitude`` and ``latitude`` (headers from the dialect table: 经度 / 纬度, lon / lat,
jingdu / weidu ...), the true plant point of the firm-year (:mod:`yrd.synthetic.points`) written
as text with 6 decimals (about 0.1 m), the way geocodes pasted in by a user look. Defects, drawn
per row of the year's file (before its rows are ordered and duplicated, so an exact duplicate
row keeps its copy's values):

* a share ``missing_share`` of rows: both cells empty (not geocoded);
* a share ``bad_share`` of rows: a wrong geocode, one of three kinds with equal probability:
  ``swapped`` (longitude and latitude exchanged), ``other_county`` (the point of another
  firm-year of the same file that lies in another county; ``swapped`` when the one drawn is in
  the same county) or ``text`` (text that is not a number, from :data:`GARBAGE`).

The kind of every row is in the record truth (``geocode_defect``: None, ``missing``,
``swapped``, ``other_county``, ``text``). Draws come from their own generator
(``SeedSequence((seed, SALT, year))``), so the other columns of the files do not change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

#: Salt of the geocode defects' generator (with synthetic.seed and the year).
SALT = 0x9E0D
#: Canonical columns of the geocodes (appended after the file's other columns).
POINT_COLUMNS = ("longitude", "latitude")
#: Kinds of wrong geocodes.
BAD_KINDS = ("swapped", "other_county", "text")
#: Text written instead of a number (each is not a number for yrd.ingest.validation.parse_numbers).
GARBAGE = ("不详", "待查", "#VALUE!", "见备注", "121°28′E", "经度缺失", "?")


def geocode_columns(
    lon: np.ndarray, lat: np.ndarray, county: np.ndarray, cfg: Mapping[str, Any], seed: int, year: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``longitude`` and ``latitude`` text columns of one year's rows (true points ``lon``,
    ``lat`` and their ``county`` codes, in panel order) and the defect of each row (module
    docstring). ``cfg``: the ``synthetic.plant_points`` block."""
    n = len(lon)
    rng = np.random.default_rng(np.random.SeedSequence((int(seed) % 2**63, SALT, int(year))))
    u = rng.random(n)
    kind = rng.integers(0, len(BAD_KINDS), n)
    other = rng.integers(0, max(n, 1), n)
    garbage = rng.integers(0, len(GARBAGE), (2, n))
    m_share, b_share = float(cfg["missing_share"]), float(cfg["bad_share"])
    missing = u < m_share
    bad = ~missing & (u < m_share + b_share)
    defect = np.full(n, None, dtype=object)
    defect[missing] = "missing"
    kinds = np.array(BAD_KINDS, dtype=object)[kind]
    same = county[other] == county
    kinds = np.where((kinds == "other_county") & same, "swapped", kinds)
    defect[bad] = kinds[bad]

    x, y = lon.astype(float).copy(), lat.astype(float).copy()
    sw = defect == "swapped"
    x[sw], y[sw] = lat[sw], lon[sw]
    oc = defect == "other_county"
    x[oc], y[oc] = lon[other[oc]], lat[other[oc]]
    lon_t = np.char.mod("%.6f", x).astype(object)
    lat_t = np.char.mod("%.6f", y).astype(object)
    lon_t[missing] = ""
    lat_t[missing] = ""
    tx = defect == "text"
    lon_t[tx] = np.array(GARBAGE, dtype=object)[garbage[0][tx]]
    lat_t[tx] = np.array(GARBAGE, dtype=object)[garbage[1][tx]]
    return lon_t, lat_t, defect
