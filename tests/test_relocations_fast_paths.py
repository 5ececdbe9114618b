"""The fast path of yrd.relocations against the formulation it replaces: detect_relocations
selecting the first record of each firm-year by row positions (adjacent rows after the stable
sort) instead of a DataFrame of codes and drop_duplicates, on hand-built and random linked
firm-years (exact equality and equal Parquet bytes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.io import sort_positions, sorted_codes, stable_order
from yrd.relocations import COLUMNS, _empty, _strings, detect_relocations


def _reference_detect_relocations(
    linked: pd.DataFrame, *, level: str = "prefecture", screen_blips: bool = True
) -> pd.DataFrame:
    """yrd.relocations.detect_relocations as it was before the firm-years were selected by row
    positions (a DataFrame of codes sorted, then drop_duplicates): the reference."""
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
    d = pd.DataFrame(
        {
            "firm_id": linked["firm_id"].to_numpy(),
            "year": pd.to_numeric(linked["year"]).to_numpy(dtype=np.int64),
            "county": county_codes,
            "prefecture": pref_codes,
            "industry": ind_codes,
            "_sf": sf,
            "_sr": sr,
        }
    )
    d = d[pd.notna(d["firm_id"]).to_numpy() & (county_codes >= 0)]
    # first record of each firm-year in (source_file, source_row, input) order: a stable sort
    d = d.iloc[_reference_firm_year_order(d)]
    d = d.drop_duplicates(["firm_id", "year"]).reset_index(drop=True)

    fid = d["firm_id"].to_numpy()
    county = d["county"].to_numpy()
    pref_a = d["prefecture"].to_numpy()
    loc = pref_a if level == "prefecture" else county
    n = len(d)
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
    yr = d["year"].to_numpy()
    out = pd.DataFrame(
        {
            "firm_id": fid[k],
            "year": yr[k].astype(np.int64),
            "origin_year": yr[k - 1].astype(np.int64),
            "origin_county": _strings(county[k - 1], counties),
            "dest_county": _strings(county[k], counties),
            "origin_prefecture": _strings(pref_a[k - 1], prefs),
            "dest_prefecture": _strings(pref_a[k], prefs),
            "industry": _strings(d["industry"].to_numpy()[k], industries),
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


def _reference_firm_year_order(d: pd.DataFrame) -> np.ndarray:
    """Positions sorting ``d`` by ``firm_id``, ``year``, ``_sf``, ``_sr``, ties in input order
    (``sort_values(kind="stable")``): one combined integer key sorted once when the firm ids are
    integers (:func:`yrd.io.stable_order`), else pandas (:func:`yrd.io.sort_positions`)."""
    keys = ["firm_id", "year", "_sf", "_sr"]
    if np.issubdtype(d["firm_id"].to_numpy().dtype, np.integer):
        return stable_order(*(d[c].to_numpy() for c in keys))
    return sort_positions(d, keys)


def _linked(seed: int, n_firms: int, string_ids: bool = False, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    """Random linked firm-years: firms moving among a few counties of three prefectures, with
    one-year blips, copies of a firm-year (several records, different sources), missing
    counties, prefectures and industries, in shuffled order."""
    rng = np.random.default_rng(seed)
    counties = np.array(["320505", "320506", "320205", "320211", "310101", "330106"])
    rows = []
    for f in range(n_firms):
        start = int(rng.integers(1998, 2008))
        years = sorted(set(rng.integers(start, 2014, int(rng.integers(1, 9))).tolist()))
        here = rng.choice(counties)
        for y in years:
            if rng.random() < 0.25:
                here = rng.choice(counties)
            c = here if rng.random() > 0.1 else rng.choice(counties)  # a blip
            for _ in range(1 + int(rng.random() < 0.1)):  # sometimes two records of one firm-year
                rows.append((f, y, c))
    df = pd.DataFrame(rows, columns=["firm_id", "year", "county"])
    n = len(df)
    df["county"] = pd.array(np.where(rng.random(n) < 0.02, None, df["county"]), dtype="str")
    df["prefecture"] = pd.array(np.where(rng.random(n) < 0.1, None, df["county"].str[:4] + "00"), dtype="str")
    df["industry"] = pd.array(rng.choice(["13", "17", "26", None], n), dtype="str")
    df["source_file"] = pd.array(rng.choice(["asif_a.csv", "asif_b.csv"], n), dtype="str")
    df["source_row"] = rng.permutation(n).astype("int64")
    df["year"] = df["year"].astype("Int64")
    if string_ids:
        df["firm_id"] = pd.array([f"F{i:05d}" for i in df["firm_id"]], dtype="str")
    df = df.iloc[rng.permutation(n)].reset_index(drop=True)
    return df.drop(columns=list(drop))


@pytest.mark.parametrize("level", ["prefecture", "county"])
@pytest.mark.parametrize("screen_blips", [True, False])
@pytest.mark.parametrize(
    ("seed", "n_firms", "string_ids", "drop"),
    [
        (0, 1, False, ()),
        (1, 3, False, ()),
        (2, 400, False, ()),
        (3, 400, True, ()),
        (4, 300, False, ("prefecture", "industry")),
        (5, 300, False, ("source_file", "source_row")),
    ],
)
def test_detect_relocations_equals_the_reference(tmp_path, level, screen_blips, seed, n_firms, string_ids, drop):
    df = _linked(seed, n_firms, string_ids, drop)
    got = detect_relocations(df, level=level, screen_blips=screen_blips)
    want = _reference_detect_relocations(df, level=level, screen_blips=screen_blips)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.columns) == COLUMNS
    got.to_parquet(tmp_path / "new.parquet", index=False)
    want.to_parquet(tmp_path / "ref.parquet", index=False)
    assert (tmp_path / "new.parquet").read_bytes() == (tmp_path / "ref.parquet").read_bytes()


def test_detect_relocations_with_a_missing_firm_id_equals_the_reference():
    df = _linked(6, 200)
    df["firm_id"] = pd.array(np.where(np.arange(len(df)) % 17 == 0, None, df["firm_id"]), dtype="Int64")
    for level in ("prefecture", "county"):
        pd.testing.assert_frame_equal(
            detect_relocations(df, level=level), _reference_detect_relocations(df, level=level), check_exact=True
        )


@pytest.mark.parametrize("level", ["prefecture", "county"])
def test_detect_relocations_with_every_prefecture_given_equals_the_reference(level):
    df = _linked(7, 300)
    df["prefecture"] = df["prefecture"].fillna("329900")  # none missing: no fallback from counties
    pd.testing.assert_frame_equal(
        detect_relocations(df, level=level), _reference_detect_relocations(df, level=level), check_exact=True
    )
