"""Relocations of firms read from linked firm-years.

A relocation is a change of location between two consecutive observations of one firm
(``firm_id`` from :func:`yrd.linking.link_records`), also across years in which the firm is not
in the sample; its ``year`` is the first year the firm is observed at the new place and
``origin_year`` the last year it was observed at the old one.

Screens (documented choices)
----------------------------
* **Administrative code changes are not moves**: locations are compared on the harmonised
  ``county`` column (one code vintage, :mod:`yrd.geography`), never on a raw code column;
  prefectures are ``prefecture`` or, when absent, the first four digits of the county + ``00``.
  A county whose raw code changed (撤县设区, renumbering) keeps one harmonised code, so it cannot
  produce a move.
* **A-B-A blips are recording errors**: a firm observed at A, then at B for exactly one
  observation, then at A again (at the level of detection) is taken to have stayed at A; the
  B observation is set to A's location before moves are read. This also removes the two
  spurious moves a one-year false link or a one-year miscoded county would create. A firm that
  truly moves away for one year and back is lost (rare compared with coding errors).
* **Entry and exit are not moves**: only changes between two observations of the same firm
  count; a firm's first and last observations start and end its history.
* Several records of one firm in one year (copies) count once: the first in
  (``source_file``, ``source_row``) order, or in input order.

Levels
------
``level="prefecture"``: moves across prefectures only (blips screened on prefectures).
``level="county"``: any change of county (blips screened on counties); ``kind`` tells moves
between prefectures from moves within one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from yrd.io import sort_positions, sorted_codes, stable_order

#: The columns of linked records :func:`detect_relocations` reads (the last four optional).
RECORD_COLUMNS = ["firm_id", "year", "county", "prefecture", "industry", "source_file", "source_row"]

COLUMNS = [
    "firm_id",
    "year",
    "origin_year",
    "origin_county",
    "dest_county",
    "origin_prefecture",
    "dest_prefecture",
    "industry",
    "kind",
]


def detect_relocations(linked: pd.DataFrame, *, level: str = "prefecture", screen_blips: bool = True) -> pd.DataFrame:
    """Moves of firms between consecutive observations.

    Parameters
    ----------
    linked
        Records with ``firm_id``, ``year``, ``county`` (harmonised 6-digit code) and
        optionally ``prefecture``, ``industry``, ``source_file``, ``source_row``.
    level
        ``"prefecture"`` or ``"county"`` (module docstring).
    screen_blips
        Treat A-B-A one-observation excursions as recording errors (default True).

    Returns
    -------
    DataFrame with columns ``firm_id``, ``year`` (first year at the new place),
    ``origin_year`` (last year at the old place), ``origin_county``, ``dest_county``,
    ``origin_prefecture``, ``dest_prefecture``, ``industry`` (the firm's industry in
    ``year``) and ``kind`` (``"between_prefectures"`` / ``"within_prefecture"``), sorted by
    firm and year.

    For speed at ASIF scale the firm-years are handled as row positions into integer code
    arrays (no DataFrame of codes copied at each step), and the first record of a firm-year is
    the first of its run after the stable sort, which is what ``drop_duplicates`` kept.
    """
    if level not in ("prefecture", "county"):
        raise ValueError("level must be 'prefecture' or 'county'")
    missing = [c for c in ("firm_id", "year", "county") if c not in linked.columns]
    if missing:
        raise ValueError(f"linked records lack columns {missing}")
    # locations and industries as integer codes of their distinct strings (yrd.io.sorted_codes):
    # the comparisons and the blip screen below run on the codes, and only the moves' rows are
    # turned back into strings (4.4 M firm-years at ASIF scale: seconds of Python strings saved)
    county = linked["county"].astype("string")
    if "prefecture" in linked.columns:
        pref = linked["prefecture"].astype("string")
        if pref.isna().any():  # the county's first four digits + "00", sliced only when needed
            pref = pref.fillna(county.str[:4] + "00")
    else:
        pref = county.str[:4] + "00"
    county_codes, counties = sorted_codes(county)
    pref_codes, prefs = sorted_codes(pref)
    if "industry" in linked.columns:
        ind_codes, industries = sorted_codes(linked["industry"].astype("string"))
    else:
        ind_codes, industries = np.full(len(linked), -1, dtype=np.int64), pd.Index([], dtype=object)
    sf = (
        pd.factorize(linked["source_file"].astype("string"), sort=True)[0]
        if "source_file" in linked.columns
        else np.zeros(len(linked), dtype=np.int64)
    )
    sr = (
        pd.to_numeric(linked["source_row"]).to_numpy(dtype=np.int64)
        if "source_row" in linked.columns
        else np.arange(len(linked))
    )
    firm_ids = linked["firm_id"].to_numpy()
    years = pd.to_numeric(linked["year"]).to_numpy(dtype=np.int64)
    rows = np.flatnonzero(pd.notna(firm_ids) & (county_codes >= 0))
    # first record of each firm-year in (source_file, source_row, input) order: a stable sort,
    # then the first row of each run of one firm-year (the rows of one firm-year are adjacent
    # once sorted: what drop_duplicates(["firm_id", "year"]) keeps, without hashing the pairs)
    rows = rows[_firm_year_order(firm_ids[rows], years[rows], sf[rows], sr[rows])]
    fid, yr = firm_ids[rows], years[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (fid[1:] != fid[:-1]) | (yr[1:] != yr[:-1])
    rows, fid, yr = rows[first], fid[first], yr[first]

    county = county_codes[rows]
    pref_a = pref_codes[rows]
    loc = pref_a if level == "prefecture" else county
    n = len(rows)
    if screen_blips and n >= 3:
        same_prev = np.zeros(n, dtype=bool)
        same_next = np.zeros(n, dtype=bool)
        same_prev[1:] = fid[1:] == fid[:-1]
        same_next[:-1] = fid[:-1] == fid[1:]
        prev_loc = np.full(n, -1, dtype=np.int64)
        next_loc = np.full(n, -1, dtype=np.int64)
        prev_loc[1:] = loc[:-1]
        next_loc[:-1] = loc[1:]
        blip = same_prev & same_next & (loc != prev_loc) & (prev_loc == next_loc)
        if blip.any():
            idx = np.flatnonzero(blip)
            county = county.copy()
            pref_a = pref_a.copy()
            county[idx] = county[idx - 1]
            pref_a[idx] = pref_a[idx - 1]
            loc = pref_a if level == "prefecture" else county
    if n < 2:
        return _empty()
    move = (fid[1:] == fid[:-1]) & (loc[1:] != loc[:-1])
    k = np.flatnonzero(move) + 1  # row of the first observation at the new place
    out = pd.DataFrame(
        {
            "firm_id": fid[k],
            "year": yr[k].astype(np.int64),
            "origin_year": yr[k - 1].astype(np.int64),
            "origin_county": _strings(county[k - 1], counties),
            "dest_county": _strings(county[k], counties),
            "origin_prefecture": _strings(pref_a[k - 1], prefs),
            "dest_prefecture": _strings(pref_a[k], prefs),
            "industry": _strings(ind_codes[rows[k]], industries),
        }
    )
    out["kind"] = pd.array(
        np.where(
            out["origin_prefecture"].to_numpy(dtype=object) != out["dest_prefecture"].to_numpy(dtype=object),
            "between_prefectures",
            "within_prefecture",
        ),
        dtype="string",
    )
    if level == "prefecture":
        out = out[out["kind"] == "between_prefectures"]
    return out.reset_index(drop=True)[COLUMNS]


def read_records(path) -> pd.DataFrame:
    """The columns of :data:`RECORD_COLUMNS` a linked firm-year file has (e.g.
    ``clean/firm_years.parquet``): the rest of the table is not read."""
    import pyarrow.parquet as pq

    names = set(pq.read_schema(path).names)
    return pd.read_parquet(path, columns=[c for c in RECORD_COLUMNS if c in names])


def _firm_year_order(firm_id: np.ndarray, year: np.ndarray, sf: np.ndarray, sr: np.ndarray) -> np.ndarray:
    """Positions sorting the rows by ``firm_id``, ``year``, ``sf``, ``sr`` (source file code and
    row), ties in input order (``sort_values(kind="stable")``): one combined integer key sorted
    once when the firm ids are integers (:func:`yrd.io.stable_order`), else pandas
    (:func:`yrd.io.sort_positions`)."""
    if np.issubdtype(firm_id.dtype, np.integer):
        return stable_order(firm_id, year, sf, sr)
    keys = pd.DataFrame({"firm_id": firm_id, "year": year, "_sf": sf, "_sr": sr})
    return sort_positions(keys, list(keys.columns))


def _strings(codes: np.ndarray, values: pd.Index) -> pd.api.extensions.ExtensionArray:
    """``values[codes]`` as a ``string`` array, missing where the code is -1."""
    v = np.asarray(values, dtype=object)
    obj = np.where(codes >= 0, v[np.maximum(codes, 0)] if len(v) else None, None)
    return pd.array(obj, dtype="string")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "firm_id": pd.Series([], dtype="int64"),
            "year": pd.Series([], dtype="int64"),
            "origin_year": pd.Series([], dtype="int64"),
            **{c: pd.Series([], dtype="string") for c in COLUMNS if c not in ("firm_id", "year", "origin_year")},
        }
    )[COLUMNS]
