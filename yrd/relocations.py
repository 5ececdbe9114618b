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
    """
    if level not in ("prefecture", "county"):
        raise ValueError("level must be 'prefecture' or 'county'")
    missing = [c for c in ("firm_id", "year", "county") if c not in linked.columns]
    if missing:
        raise ValueError(f"linked records lack columns {missing}")
    d = pd.DataFrame(
        {
            "firm_id": linked["firm_id"].to_numpy(),
            "year": pd.to_numeric(linked["year"]).to_numpy(dtype=np.int64),
            "county": linked["county"].astype("string").to_numpy(dtype=object),
        }
    )
    if "prefecture" in linked.columns:
        pref = linked["prefecture"].astype("string")
        pref = pref.fillna(linked["county"].astype("string").str[:4] + "00")
    else:
        pref = linked["county"].astype("string").str[:4] + "00"
    d["prefecture"] = pref.to_numpy(dtype=object)
    d["industry"] = linked["industry"].astype("string").to_numpy(dtype=object) if "industry" in linked.columns else None
    sf = (
        pd.factorize(linked["source_file"].astype("string"), sort=True)[0]
        if "source_file" in linked.columns
        else np.zeros(len(d), dtype=np.int64)
    )
    sr = (
        pd.to_numeric(linked["source_row"]).to_numpy(dtype=np.int64)
        if "source_row" in linked.columns
        else np.arange(len(d))
    )
    d["_sf"], d["_sr"], d["_pos"] = sf, sr, np.arange(len(d))
    d = d[pd.notna(d["firm_id"]) & pd.notna(d["county"])]
    d = d.sort_values(["firm_id", "year", "_sf", "_sr", "_pos"], kind="stable")
    d = d.drop_duplicates(["firm_id", "year"]).reset_index(drop=True)

    loc_col = "prefecture" if level == "prefecture" else "county"
    fid = d["firm_id"].to_numpy()
    loc = d[loc_col].to_numpy(dtype=object)
    county = d["county"].to_numpy(dtype=object)
    pref_a = d["prefecture"].to_numpy(dtype=object)
    n = len(d)
    if screen_blips and n >= 3:
        same_prev = np.zeros(n, dtype=bool)
        same_next = np.zeros(n, dtype=bool)
        same_prev[1:] = fid[1:] == fid[:-1]
        same_next[:-1] = fid[:-1] == fid[1:]
        prev_loc = np.empty(n, dtype=object)
        next_loc = np.empty(n, dtype=object)
        prev_loc[1:] = loc[:-1]
        next_loc[:-1] = loc[1:]
        blip = same_prev & same_next & (loc != prev_loc) & (prev_loc == next_loc)
        if blip.any():
            idx = np.flatnonzero(blip)
            loc = loc.copy()
            county = county.copy()
            pref_a = pref_a.copy()
            loc[idx] = loc[idx - 1]
            county[idx] = county[idx - 1]
            pref_a[idx] = pref_a[idx - 1]
    if n < 2:
        return _empty()
    move = (fid[1:] == fid[:-1]) & (loc[1:] != loc[:-1])
    k = np.flatnonzero(move) + 1  # row of the first observation at the new place
    yr = d["year"].to_numpy()
    out = pd.DataFrame(
        {
            "firm_id": fid[k],
            "year": yr[k].astype(np.int64),
            "origin_year": yr[k - 1].astype(np.int64),
            "origin_county": pd.array(county[k - 1], dtype="string"),
            "dest_county": pd.array(county[k], dtype="string"),
            "origin_prefecture": pd.array(pref_a[k - 1], dtype="string"),
            "dest_prefecture": pd.array(pref_a[k], dtype="string"),
            "industry": pd.array(d["industry"].to_numpy(dtype=object)[k], dtype="string"),
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


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "firm_id": pd.Series([], dtype="int64"),
            "year": pd.Series([], dtype="int64"),
            "origin_year": pd.Series([], dtype="int64"),
            **{c: pd.Series([], dtype="string") for c in COLUMNS if c not in ("firm_id", "year", "origin_year")},
        }
    )[COLUMNS]
