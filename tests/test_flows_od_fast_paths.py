"""Fast paths of the OD panel, flow sources, source comparison and Shanghai table against the
formulations they replace (copied here as references): exact equality on hand-built and random
inputs (yrd.flows.sources.employment_at, yrd.flows.od.counted_mask,
yrd.flows.source_comparison.cells_of / cell_counts / band_of / comparison_table,
yrd.flows.shanghai.read_focus_panel)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.resources import PREFECTURES_CSV
from yrd.flows.od import counted_mask, od_panels
from yrd.flows.shanghai import focus_flows, read_focus_panel
from yrd.flows.source_comparison import (
    OTHER,
    UNCLASSIFIED,
    band_labels,
    band_of,
    cell_counts,
    cell_order,
    cells_of,
    comparison_table,
)
from yrd.flows.sources import EVENT_COLUMNS, employment_at
from yrd.io import distinct
from yrd.study_area import region_groups

CODES = ["310100", "320100", "320200", "320500", "330100", "330200", "340100"]
GMAP = {"13": "labour", "18": "labour", "25": "port", "40": "technology", "30": "capital", "14": "urban"}
POINTS = pd.DataFrame(
    {
        "code": CODES,
        "lon": [121.45, 118.8, 120.3, 120.65, 119.5, 121.45, 117.25],
        "lat": [31.15, 32.05, 31.55, 31.35, 29.9, 29.75, 31.85],
    }
)
REGION_GROUPS = {
    "310100": "shanghai",
    "320100": "rest_of_jiangsu",
    "320200": "sunan",
    "320500": "sunan",
    "330100": "zhejiang",
    "330200": "zhejiang",
    "340100": "anhui",
}


# --------------------------------------------------------------------------- references
def employment_at_reference(firm_years: pd.DataFrame, firm_id, year) -> pd.api.extensions.ExtensionArray:
    """The replaced formulation: a (firm, year) MultiIndex lookup."""
    fy = firm_years.rename(columns={"true_firm_id": "firm_id"})
    look = (
        fy[["firm_id", "year", "employment"]]
        .dropna(subset=["firm_id", "year"])
        .astype({"firm_id": "int64", "year": "int64"})
        .drop_duplicates(["firm_id", "year"])
        .set_index(["firm_id", "year"])["employment"]
    )
    fid = pd.array(firm_id, dtype="Int64")
    yr = pd.array(year, dtype="Int64")
    ok = ~(pd.isna(fid) | pd.isna(yr))
    out = pd.array([pd.NA] * len(fid), dtype="Int64")
    if ok.any():
        key = pd.MultiIndex.from_arrays([np.asarray(fid[ok], dtype=np.int64), np.asarray(yr[ok], dtype=np.int64)])
        out[ok] = pd.array(look.reindex(key).to_numpy(), dtype="Int64")
    return out


def counted_mask_reference(moves, prefectures, years):
    """The replaced formulation: Python loops over the rows."""
    code_set = {str(c) for c in prefectures}
    o = moves["origin_prefecture"].astype("string").to_numpy(dtype=object, na_value=None)
    d = moves["dest_prefecture"].astype("string").to_numpy(dtype=object, na_value=None)
    y = pd.to_numeric(moves["year"], errors="coerce").to_numpy(dtype=float)
    in_area = np.array([a in code_set and b in code_set for a, b in zip(o, d)], dtype=bool)
    same = np.array([a == b for a, b in zip(o, d)], dtype=bool)
    in_years = np.isin(y, sorted({int(v) for v in years}))
    dropped = {
        "outside_prefectures": int((~in_area).sum()),
        "within_prefecture": int((in_area & same).sum()),
        "outside_years": int((in_area & ~same & ~in_years).sum()),
    }
    return in_area & ~same & in_years, dropped


def band_of_reference(values, edges, unit="", missing="unknown"):
    labels = np.array(band_labels(edges, unit), dtype=object)
    v = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype=float)
    idx = np.searchsorted(np.asarray(edges, dtype=float), v, side="right")
    out = labels[np.minimum(idx, len(labels) - 1)]
    out[np.isnan(v)] = missing
    return out


def cells_of_reference(
    events, *, distances, groups_map, region_groups, window, focus, partners, size_bands, distance_bands_km
):
    """The replaced formulation: row-by-row labels and a MultiIndex of distances."""
    n = len(events)
    o = events["origin_prefecture"].astype(str).to_numpy()
    d = events["dest_prefecture"].astype(str).to_numpy()
    km = pd.Series(
        distances["distance"].to_numpy(dtype=float),
        index=pd.MultiIndex.from_frame(distances[["origin", "dest"]].astype(str)),
    )
    dist = km.reindex(pd.MultiIndex.from_arrays([o, d])).to_numpy(dtype=float) if n else np.array([])
    gmap = {str(k): str(v) for k, v in dict(groups_map).items()}
    ind = events["industry"].astype("string").to_numpy(dtype=object, na_value=None)
    year = events["year"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    in_window = (year >= window[0]) & (year <= window[1])
    part = set(partners)
    rg = {str(k): str(v) for k, v in dict(region_groups).items()}
    focus_out = np.array(
        [(rg.get(b) if rg.get(b) in part else OTHER) if a == str(focus) else None for a, b in zip(o, d)], dtype=object
    )
    return {
        "total": np.full(n, "all", dtype=object),
        "size": band_of_reference(events["employment"].astype("Float64"), size_bands),
        "distance": band_of_reference(dist, distance_bands_km, "km"),
        "class": np.array([gmap.get(i, UNCLASSIFIED) if i is not None else UNCLASSIFIED for i in ind], dtype=object),
        "period": np.where(in_window, f"{int(window[0])}-{int(window[1])}", "other years").astype(object),
        "focus_out": focus_out,
    }


def cell_counts_reference(events, order, **kw):
    cells = cells_of_reference(events, **kw)
    parts = [
        pd.Series(c[pd.notna(c)], dtype=object).value_counts().rename_axis("cell").reset_index().assign(dimension=dim)
        for dim, c in cells.items()
    ]
    counts = pd.concat(parts, ignore_index=True).set_index(["dimension", "cell"])["count"]
    idx = pd.MultiIndex.from_tuples(list(order), names=["dimension", "cell"])
    extra = set(counts.index) - set(idx)
    if extra:
        raise ValueError(f"cells outside the table: {sorted(extra)}")
    return counts.reindex(idx, fill_value=0).astype(np.int64)


# --------------------------------------------------------------------------- inputs
def random_events(rng: np.random.Generator, n: int, with_missing: bool = True) -> pd.DataFrame:
    """Events in the layout EVENT_COLUMNS over CODES plus an outside code, with missing values."""
    places = np.array([*CODES, "990100"], dtype=object)
    o = places[rng.integers(0, len(places), n)]
    d = places[rng.integers(0, len(places), n)]
    ind = np.array(["13", "18", "25", "40", "30", "14", "99"], dtype=object)[rng.integers(0, 7, n)]
    emp = rng.integers(1, 800, n).astype(object)
    year = rng.integers(1996, 2016, n).astype(object)
    if with_missing:
        for col in (o, d, ind, emp, year):
            col[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "firm_id": pd.array(rng.integers(0, 50, n), dtype="Int64"),
            "year": pd.array(year, dtype="Int64"),
            "origin_county": pd.array([None] * n, dtype="string"),
            "dest_county": pd.array([None] * n, dtype="string"),
            "origin_prefecture": pd.array(o, dtype="string"),
            "dest_prefecture": pd.array(d, dtype="string"),
            "industry": pd.array(ind, dtype="string"),
            "employment": pd.array(emp, dtype="Int64"),
        }
    )[EVENT_COLUMNS]


def comparison_kw():
    from yrd.flows.pairs import great_circle_pairs

    return dict(
        distances=great_circle_pairs(POINTS, CODES),
        groups_map=GMAP,
        region_groups=REGION_GROUPS,
        window=(2000, 2004),
        focus="310100",
        partners=("sunan", "zhejiang"),
        size_bands=(50, 300),
        distance_bands_km=(100, 300),
    )


# --------------------------------------------------------------------------- employment_at
def test_employment_at_equals_the_multiindex_lookup_on_hand_built_cases():
    panel = pd.DataFrame(
        {
            "firm_id": pd.array([1, 1, 2, 2, None, 3, 1, -4], dtype="Int64"),
            "year": pd.array([2000, 2001, 2000, 2000, 2000, None, 2000, 2003], dtype="Int64"),
            "employment": pd.array([10, 11, 20, 21, 99, 30, 12, pd.NA], dtype="Int64"),
        }
    )
    fid = pd.array([1, 1, 2, 2, 3, None, 5, 1, -4, 1], dtype="Int64")
    year = pd.array([2000, 2001, 2000, 1990, 2000, 2000, 2000, None, 2003, 2030], dtype="Int64")
    got = employment_at(panel, fid, year)
    pd.testing.assert_extension_array_equal(got, employment_at_reference(panel, fid, year))
    # first row of a duplicated firm-year; missing where the firm-year is absent
    assert list(got[:4]) == [10, 11, 20, pd.NA]


@pytest.mark.parametrize("emp_dtype", ["int64", "Int64", "float64"])
def test_employment_at_equals_the_multiindex_lookup_on_random_panels(emp_dtype):
    rng = np.random.default_rng(7)
    for n in (0, 1, 50, 3000):
        employment = pd.Series(rng.integers(1, 5000, n)).astype(emp_dtype)
        if emp_dtype != "int64":  # missing employment in the panel
            employment[rng.random(n) < 0.1] = None
        panel = pd.DataFrame(
            {
                "true_firm_id": rng.integers(0, 400, n),
                "year": rng.integers(1998, 2014, n).astype(np.int16),
                "employment": employment.array,
            }
        ).sample(frac=1.0, random_state=1)
        assert str(panel["employment"].dtype) == emp_dtype
        fid = pd.Series(rng.integers(-5, 420, 2000))
        year = pd.Series(rng.integers(1995, 2016, 2000))
        pd.testing.assert_extension_array_equal(
            employment_at(panel, fid, year), employment_at_reference(panel, fid, year)
        )


def test_employment_at_with_firm_ids_too_far_apart_for_offsets():
    big = 2**62
    panel = pd.DataFrame(
        {"firm_id": [-big, 5, big, 5, 7], "year": [2000, 2001, 2002, 2001, 2000], "employment": [1, 2, 3, 4, 5]}
    )
    fid = [-big, 5, big, 7, 6, big]
    year = [2000, 2001, 2002, 2000, 2000, 2001]
    pd.testing.assert_extension_array_equal(employment_at(panel, fid, year), employment_at_reference(panel, fid, year))


# --------------------------------------------------------------------------- counted_mask
def test_counted_mask_equals_the_row_loop():
    rng = np.random.default_rng(3)
    hand = pd.DataFrame(
        {
            "year": [2000, 2000, 2001, 1990, None, 2000],
            "origin_prefecture": ["310100", "310100", None, "320500", "320500", "990100"],
            "dest_prefecture": ["320500", "310100", None, "310100", "310100", "310100"],
        }
    )
    for moves in (hand, random_events(rng, 2000), random_events(rng, 0)):
        got = counted_mask(moves, CODES, range(1998, 2014))
        ref = counted_mask_reference(moves, CODES, range(1998, 2014))
        np.testing.assert_array_equal(got[0], ref[0])
        assert got[1] == ref[1]
    # object columns of Python strings (as from a CSV) too
    obj = hand.astype({"origin_prefecture": object, "dest_prefecture": object})
    np.testing.assert_array_equal(counted_mask(obj, CODES, [2000])[0], counted_mask_reference(obj, CODES, [2000])[0])


# --------------------------------------------------------------------------- source comparison
def test_band_of_on_floats_equals_the_object_conversion():
    v = np.array([np.nan, 0.0, 49.9, 50.0, 299.0, 300.0, 1e9, -3.0])
    np.testing.assert_array_equal(band_of(v, (50, 300)), band_of_reference(v, (50, 300)))
    np.testing.assert_array_equal(band_of(v, (100, 300), "km"), band_of_reference(v, (100, 300), "km"))


def test_cells_of_and_cell_counts_equal_the_row_by_row_labels():
    rng = np.random.default_rng(11)
    kw = comparison_kw()
    order = cell_order(kw["window"], kw["partners"], kw["size_bands"], kw["distance_bands_km"])
    for n in (0, 1, 500, 5000):
        ev = random_events(rng, n)
        got, ref = cells_of(ev, **kw), cells_of_reference(ev, **kw)
        assert list(got) == list(ref)
        for dim in ref:
            np.testing.assert_array_equal(got[dim], ref[dim], err_msg=dim)
        # counted events only (as comparison_table), and all events
        keep = counted_mask_reference(ev, CODES, range(1998, 2014))[0]
        for e in (ev[keep].reset_index(drop=True), ev):
            pd.testing.assert_series_equal(
                cell_counts(e, order, **kw), cell_counts_reference(e, order, **kw), check_exact=True
            )


def test_cell_counts_rejects_cells_outside_the_table_as_before():
    kw = comparison_kw()
    order = list(cell_order(kw["window"], kw["partners"], kw["size_bands"], kw["distance_bands_km"]))
    ev = random_events(np.random.default_rng(2), 300, with_missing=False)
    short = [o for o in order if o != ("class", "port")]
    with pytest.raises(ValueError, match="cells outside the table") as new:
        cell_counts(ev, short, **kw)
    with pytest.raises(ValueError, match="cells outside the table") as old:
        cell_counts_reference(ev, short, **kw)
    assert str(new.value) == str(old.value)


def test_cells_of_names_the_first_duplicated_distance_pair():
    kw = comparison_kw()
    d = kw["distances"]
    kw["distances"] = pd.concat([d, d.iloc[[5, 3, 5]]], ignore_index=True)  # two pairs repeated
    pair = (str(d["origin"].iloc[5]), str(d["dest"].iloc[5]))
    ev = random_events(np.random.default_rng(3), 50)
    with pytest.raises(ValueError, match="distance table has 2 duplicated") as err:
        cells_of(ev, **kw)
    assert f"first {pair!r}; each pair must appear once" in str(err.value)


def test_comparison_table_with_a_truth_shared_by_two_sources():
    rng = np.random.default_rng(5)
    events = {s: random_events(rng, 400) for s in ("asif", "changes", "investments")}
    rel = random_events(rng, 900)
    truth = {"asif": rel, "changes": rel, "investments": random_events(rng, 300)}
    sample = {"asif": rel.iloc[::2], "changes": rel.iloc[::2], "investments": truth["investments"].iloc[::3]}
    kw = comparison_kw()
    del kw["distances"]
    got = comparison_table(events, truth, sample, prefectures=CODES, years=range(1998, 2014), points=POINTS, **kw)
    # reference: the counts of each source's events and truths computed separately
    full_kw = comparison_kw()
    order = cell_order(kw["window"], kw["partners"], kw["size_bands"], kw["distance_bands_km"])
    for source in events:
        for col, ev in (("events", events[source]), ("truth", truth[source]), ("truth_sample", sample[source])):
            keep = counted_mask_reference(ev, CODES, range(1998, 2014))[0]
            ref = cell_counts_reference(ev[keep].reset_index(drop=True), order, **full_kw)
            np.testing.assert_array_equal(got.loc[got["source"] == source, col].to_numpy(dtype=float), ref)


# --------------------------------------------------------------------------- Shanghai table
def test_read_focus_panel_gives_the_table_of_the_whole_panel(tmp_path):
    rng = np.random.default_rng(9)
    moves = random_events(rng, 3000, with_missing=False)
    od = od_panels(moves, CODES, range(1999, 2003), GMAP)
    od.attrs = {}
    path = tmp_path / "od.parquet"
    od.to_parquet(path, index=False)
    whole = pd.read_parquet(path)
    # the replaced script: every code of the file (both levels), the whole panel to focus_flows
    ref = focus_flows(whole, region_groups(distinct(whole["origin"], whole["dest"], as_str=True), PREFECTURES_CSV))
    rows, panel = read_focus_panel(path, "310100")
    got = focus_flows(rows, region_groups(panel.codes, PREFECTURES_CSV), panel=panel)
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    pref = whole[whole["level"] == "prefecture"]
    expected = pref[(pref["origin"] == "310100") | (pref["dest"] == "310100")].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, expected, check_exact=True)
    assert panel.codes == distinct(pref["origin"], pref["dest"], as_str=True)
    assert panel.years == [1999, 2000, 2001, 2002]
    assert panel.groups == distinct(pref["group"])
    # a focus not in the panel: no rows, and focus_flows says so as before
    rows, panel = read_focus_panel(path, "999999")
    assert rows.empty
    with pytest.raises(ValueError, match="not in the OD panel"):
        focus_flows(rows, dict.fromkeys(panel.codes, "x"), focus="999999", panel=panel)
