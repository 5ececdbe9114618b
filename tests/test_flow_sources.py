"""Flows from three sources (yrd.flows.sources, yrd.flows.source_comparison): PPML recovers each
source's coefficients on events drawn from a known gravity model over real prefectures; every
event is accounted for; the comparison table's counts and coverage on a hand-made truth are exact."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from helpers.resources import CLASSES_CSV, PREFECTURES_CSV
from helpers.source_world import as_source_table, city_boundaries, class_industries, gravity_events
from yrd.flows import study_frame
from yrd.flows.pairs import prefecture_points
from yrd.flows.source_comparison import band_labels, comparison_table
from yrd.flows.sources import (
    EVENT_COLUMNS,
    SOURCES,
    same_od_panel,
    source_events,
    source_od,
    sources_gravity,
    sources_validation,
    truth_investment_events,
    truth_relocation_events,
)
from yrd.industry import industry_classes, relocation_class
from yrd.regions import prefectures

#: 14 real prefectures of the four provinces.
CODES = [
    "310100",
    "320100",
    "320200",
    "320500",
    "320600",
    "321000",
    "330100",
    "330200",
    "330400",
    "330600",
    "340100",
    "340200",
    "340500",
    "341800",
]
YEARS = range(2000, 2004)
TRUE = {
    "asif": (-1.3, -0.7),
    "changes": (-1.3, -0.7),
    "investments": (-0.9, -0.4),
}


@pytest.fixture(scope="module")
def groups_map():
    return relocation_class(industry_classes(CLASSES_CSV))


@pytest.fixture(scope="module")
def world():
    b = city_boundaries(CODES)
    tables = {}
    for k, (source, (bd, bb)) in enumerate(TRUE.items()):
        ev = gravity_events(b, beta_log_distance=bd, beta_border=bb, years=YEARS, seed=11 + k, scale=4.0)
        tables[source] = as_source_table(ev, source, seed=k)
    return b, tables


def test_each_source_recovers_its_gravity_coefficients_within_two_standard_errors(world, groups_map):
    b, tables = world
    frames = {}
    for source in SOURCES:
        ev = source_events(source, tables[source])
        assert list(ev.columns) == EVENT_COLUMNS and len(ev) == len(tables[source])
        od = source_od(ev, CODES, YEARS, groups_map)
        assert od.attrs["prefecture"]["counted_classified"] == len(ev)
        frames[source] = study_frame(od, b, "great_circle", period_length=1, start=2000)
    table = sources_gravity(frames, cluster="pair")
    assert list(table.columns[:3]) == ["source", "model", "term"]
    assert list(dict.fromkeys(table["source"])) == list(SOURCES)
    pooled = table[table["model"] == "pooled"].set_index(["source", "term"])
    for source, (bd, bb) in TRUE.items():
        for term, truth in (("log_distance", bd), ("border", bb)):
            est, se = pooled.loc[(source, term), ["estimate", "std_error"]]
            print(f"{source} {term}: {est:.3f} ({se:.3f}), true {truth}")
            assert abs(est - truth) <= 2 * se, (source, term, est, se)
    params = {s: {"beta_log_distance": bd, "beta_border": bb} for s, (bd, bb) in TRUE.items()}
    val = sources_validation(table, params)
    assert set(val["sources"]) == set(SOURCES)
    assert all(r["parameters"][p]["within_2se"] for r in val["sources"].values() for p in r["parameters"])
    assert val["accepted"]
    # a source without gravity rows is not accepted, with a reason
    val2 = sources_validation(table[table["source"] != "investments"], params)
    assert not val2["accepted"] and "not estimable" in val2["sources"]["investments"]["reason"]


def test_reused_estimates_equal_a_fit_and_identical_panels_are_detected(world, groups_map, tmp_path):
    """Rule source_gravity takes the asif rows from rule gravity when the asif panel equals
    flows/od.parquet: the table with a reused source equals the table fitted in full, the reused
    source's frame is never touched (None), a reused table with other terms is refused, and
    same_od_panel tells an identical panel file (the same bytes, or the same table in other bytes)
    from one with a single cell changed."""
    b, tables = world
    od = {s: source_od(source_events(s, tables[s]), CODES, YEARS, groups_map) for s in ("asif", "changes")}
    frames = {s: study_frame(o, b, "great_circle", period_length=1, start=2000) for s, o in od.items()}
    full = sources_gravity(frames, cluster="pair")
    estimated = full[full["source"] == "asif"].drop(columns="source")
    reused = sources_gravity(
        [("asif", None), ("changes", frames["changes"])], cluster="pair", reuse={"asif": estimated}
    )
    pd.testing.assert_frame_equal(reused, full)
    with pytest.raises(ValueError, match="pooled terms"):
        sources_gravity([("asif", None)], ["log_distance"], reuse={"asif": estimated})
    a, same, other = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    for path in (a, same):
        od["asif"].to_parquet(path, index=False)
    changed = od["asif"].copy()
    changed.loc[changed.index[-1], "moves"] += 1
    changed.to_parquet(other, index=False)
    assert same_od_panel(a, same)
    assert not same_od_panel(a, other)
    # the same table in other bytes (another compression) is still the same panel
    recompressed = tmp_path / "d.parquet"
    od["asif"].to_parquet(recompressed, index=False, compression="gzip")
    assert recompressed.read_bytes() != a.read_bytes()
    assert same_od_panel(a, recompressed)
    assert not same_od_panel(recompressed, other)


def test_events_to_flows_keep_every_event(groups_map):
    """counted (classified + unclassified) + outside the study area + within one prefecture +
    outside the years = input, for each source layout."""
    ind = class_industries()
    ev = pd.DataFrame(
        [
            (2000, "310100", "320500", ind["labour"]),  # counted, classified
            (2001, "310100", "330100", ind["port"]),  # counted, classified
            (2002, "320500", "310100", None),  # counted, unclassified (no industry)
            (2002, "320500", "330100", "99"),  # counted, unclassified (unknown industry)
            (2003, "310100", "310100", ind["labour"]),  # within one prefecture
            (2001, "310100", "999900", ind["labour"]),  # outside the study prefectures
            (1990, "310100", "320500", ind["labour"]),  # outside the years
        ],
        columns=["year", "origin_prefecture", "dest_prefecture", "industry"],
    )
    for source in SOURCES:
        table = as_source_table(ev.assign(distance=1.0), source)
        if source == "investments":  # an investment whose origin is unknown (no area code)
            table = pd.concat([table, table.iloc[[0]].assign(origin_prefecture=None, origin_county=None)])
        events = source_events(source, table)
        assert len(events) == len(table)
        od = source_od(events, CODES, YEARS, groups_map)
        acc = od.attrs["prefecture"]
        outside = 2 if source == "investments" else 1
        assert acc == {
            "input": len(table),
            "counted_classified": 2,
            "unclassified": 2,
            "outside_prefectures": outside,
            "within_prefecture": 1,
            "outside_years": 1,
        }
        pref = od[od["level"] == "prefecture"]
        assert pref.loc[pref["group"] == "total", "moves"].sum() == 4
        assert pref.loc[pref["group"] != "total", "moves"].sum() == 2
        assert od.attrs["province"]["input"] == len(table)


def _hand_events(rows):
    return pd.DataFrame(
        {
            "firm_id": pd.array(range(1, len(rows) + 1), dtype="Int64"),
            "year": pd.array([r[0] for r in rows], dtype="Int64"),
            "origin_county": pd.array([None] * len(rows), dtype="string"),
            "dest_county": pd.array([None] * len(rows), dtype="string"),
            "origin_prefecture": pd.array([r[1] for r in rows], dtype="string"),
            "dest_prefecture": pd.array([r[2] for r in rows], dtype="string"),
            "industry": pd.array([r[3] for r in rows], dtype="string"),
            "employment": pd.array([r[4] for r in rows], dtype="Int64"),
        }
    )


def test_comparison_counts_and_coverage_on_a_hand_made_truth_are_exact(groups_map):
    ind = class_industries()
    codes = ["310100", "320500", "330100", "340100"]
    b = city_boundaries(codes)
    e = [
        (2001, "310100", "320500", ind["labour"], 10),  # <100 km (Shanghai-Suzhou 85 km)
        (2006, "310100", "330100", ind["port"], 100),  # 100-300 km (Shanghai-Hangzhou 165 km)
        (2003, "310100", "340100", None, None),  # 300+ km (Shanghai-Hefei 400 km), unclassified
        (2010, "320500", "330100", ind["technology"], 1000),  # 100-300 km (Suzhou-Hangzhou 122 km)
    ]
    not_counted = [(2001, "320500", "320500", ind["labour"], 10), (2001, "310100", "999900", ind["labour"], 10)]
    truth_rows = [*e, (2002, "330100", "340100", ind["labour"], 40)]  # Hangzhou-Hefei 310 km
    events = {"asif": _hand_events(e + not_counted), "changes": _hand_events(e[:2])}
    truth = {"asif": _hand_events(truth_rows), "changes": _hand_events(truth_rows)}
    sample = {"asif": _hand_events(e[:2]), "changes": _hand_events(e[:2])}
    rg = prefectures(PREFECTURES_CSV).set_index("code")["group"].to_dict()
    kw = dict(
        prefectures=codes,
        years=range(1998, 2014),
        points=prefecture_points(b),
        groups_map=groups_map,
        region_groups=rg,
        window=(2000, 2004),
        focus="310100",
        partners=("sunan", "zhejiang"),
    )
    t = comparison_table(events, truth, sample, **kw).set_index(["source", "dimension", "cell"])
    a = t.loc["asif"]
    expected_events = {
        ("total", "all"): 4,
        ("size", "<50"): 1,
        ("size", "50-299"): 1,
        ("size", "300+"): 1,
        ("size", "unknown"): 1,
        ("distance", "<100 km"): 1,
        ("distance", "100-300 km"): 2,
        ("distance", "300+ km"): 1,
        ("distance", "unknown"): 0,
        ("class", "labour"): 1,
        ("class", "port"): 1,
        ("class", "technology"): 1,
        ("class", "capital"): 0,
        ("class", "urban"): 0,
        ("class", "unclassified"): 1,
        ("period", "2000-2004"): 2,
        ("period", "other years"): 2,
        ("focus_out", "sunan"): 1,
        ("focus_out", "zhejiang"): 1,
        ("focus_out", "other"): 1,
    }
    assert a["events"].to_dict() == expected_events
    expected_truth = dict(expected_events)
    for key in [
        ("total", "all"),
        ("size", "<50"),
        ("distance", "300+ km"),
        ("class", "labour"),
        ("period", "2000-2004"),
    ]:
        expected_truth[key] += 1
    assert a["truth"].to_dict() == {k: float(v) for k, v in expected_truth.items()}
    assert a.loc[("total", "all"), "coverage"] == pytest.approx(4 / 5)
    assert a.loc[("distance", "300+ km"), "coverage"] == pytest.approx(1 / 2)
    assert np.isnan(a.loc[("class", "capital"), "coverage"])  # no truth in the cell
    assert a.loc[("total", "all"), "coverage_sample"] == pytest.approx(2.0)
    assert a.loc[("focus_out", "sunan"), "share"] == pytest.approx(1 / 3)
    assert a.loc[("size", "<50"), "truth_share"] == pytest.approx(2 / 5)
    c = t.loc["changes"]
    assert c.loc[("total", "all"), "events"] == 2 and c.loc[("total", "all"), "coverage"] == pytest.approx(2 / 5)
    assert c.loc[("total", "all"), "coverage_sample"] == pytest.approx(1.0)
    # real data: no truth, the truth columns are NaN, the counts the same
    r = comparison_table(events, None, None, **kw).set_index(["source", "dimension", "cell"])
    assert r["truth"].isna().all() and r["coverage"].isna().all()
    assert r.loc["asif", "events"].to_dict() == expected_events


def test_truth_events_of_a_synthetic_world():
    moves = pd.DataFrame(
        {
            "true_firm_id": [1, 2, 3],
            "year": np.array([2001, 2002, 2003], dtype=np.int16),
            "origin_county": ["310101", "320502", "330102"],
            "dest_county": ["320502", "320503", "340102"],
            "industry": ["17", "18", "19"],
            "kind": ["between_prefectures", "within_prefecture", "between_prefectures"],
            "observable": [True, False, False],
        }
    )
    panel = pd.DataFrame({"true_firm_id": [1, 3], "year": [2000, 2003], "employment": [55, 7]})
    t = truth_relocation_events(moves, panel)
    assert t["origin_prefecture"].tolist() == ["310100", "330100"]
    assert t["employment"].tolist() == [55, pd.NA]  # year - 1 at the origin
    assert len(truth_relocation_events(moves, panel, sample_only=True)) == 1
    inv = pd.DataFrame(
        {
            "parent_firm_id": [1, 3, 3],
            "origin_county": ["310101", "330102", "330102"],
            "dest_county": ["320502", "340102", "330103"],
            "origin_prefecture": ["310100", "330100", "330100"],
            "dest_prefecture": ["320500", "340100", "330100"],
            "year": [2000, 2003, 2004],
            "industry": ["17", "19", "19"],
            "above_threshold": [False, True, True],
        }
    )
    ti = truth_investment_events(inv, panel)
    assert ti["firm_id"].tolist() == [1, 3] and ti["employment"].tolist() == [55, 7]
    assert len(truth_investment_events(inv, panel, sample_only=True)) == 1


def test_band_labels():
    assert band_labels([50, 300]) == ["<50", "50-299", "300+"]
    assert band_labels([100, 300], "km") == ["<100 km", "100-300 km", "300+ km"]
    with pytest.raises(ValueError):
        band_labels([300, 100])


@pytest.mark.parametrize("with_truth", [True, False])
def test_flow_sources_figure_renders(world, groups_map, tmp_path, with_truth):
    from yrd.figures.common import save
    from yrd.figures.flow_sources import flow_sources_figure
    from yrd.plotting import setup_fonts

    cjk = setup_fonts("auto")
    gravity = pd.DataFrame(
        {
            "source": np.repeat(list(SOURCES), 2),
            "model": "pooled",
            "term": ["log_distance", "border"] * 3,
            "estimate": [-1.35, -0.78, -1.31, -0.75, np.nan, np.nan],
            "std_error": [0.06, 0.05, 0.04, 0.04, np.nan, np.nan],
            "n_moves": [3280, 3280, 6541, 6541, 0, 0],
            "converged": [True] * 4 + [False] * 2,
            "note": [""] * 4 + ["not estimable: no moves, every cell separated"] * 2,
        }
    )
    b, tables = world
    events = {s: source_events(s, tables[s]) for s in SOURCES}
    truth = events if with_truth else None
    comp = comparison_table(
        events,
        truth,
        truth,
        prefectures=CODES,
        years=YEARS,
        points=prefecture_points(b),
        groups_map=groups_map,
        region_groups=prefectures(PREFECTURES_CSV).set_index("code")["group"].to_dict(),
    )
    val = None
    if with_truth:
        val = {
            "sources": {
                s: {
                    "parameters": {
                        "beta_log_distance": {"term": "log_distance", "true": bd},
                        "beta_border": {"term": "border", "true": bb},
                    }
                }
                for s, (bd, bb) in TRUE.items()
            }
        }
    fig = flow_sources_figure(gravity, comp, val, cjk=cjk, synthetic=with_truth, source="Source: hand-made test frame.")
    path = save(fig, tmp_path / "f.png", 50)
    with Image.open(path) as im:
        assert im.size[0] > 500 and im.size[1] > 200


def test_a_source_without_events_gives_zero_flows_and_a_not_estimable_model(world, groups_map):
    b, tables = world
    empty = tables["changes"].iloc[:0]
    ev = source_events("changes", empty)
    assert len(ev) == 0 and list(ev.columns) == EVENT_COLUMNS
    od = source_od(ev, CODES, YEARS, groups_map)
    assert od["moves"].sum() == 0 and od.attrs["prefecture"]["input"] == 0
    frames = {"changes": study_frame(od, b, "great_circle", start=2000)}
    table = sources_gravity(frames)
    pooled = table[table["model"] == "pooled"]
    assert pooled["estimate"].isna().all() and not pooled["converged"].any()
    assert "no moves" in pooled["note"].iloc[0]
    comp = comparison_table(
        {"changes": ev},
        None,
        None,
        prefectures=CODES,
        years=YEARS,
        points=prefecture_points(b),
        groups_map=groups_map,
        region_groups=prefectures(PREFECTURES_CSV).set_index("code")["group"].to_dict(),
    )
    assert comp["events"].sum() == 0 and comp["share"].isna().all()


def test_sources_gravity_takes_frames_one_at_a_time():
    """sources_gravity on a generator of (source, frame) pairs (each frame built when reached, as
    rules source_gravity and truth_source_gravity pass them) gives the table of the mapping."""
    from helpers.gravity_world import small_world

    built = []

    def frames():
        for i, source in enumerate(["asif", "investments"]):
            built.append(source)
            yield source, small_world(seed=i, n=7, years=2, classes=("labour", "port"))

    lazy = sources_gravity(frames(), min_moves=0)
    assert built == ["asif", "investments"]
    eager = sources_gravity(dict(frames()), min_moves=0)
    pd.testing.assert_frame_equal(lazy, eager)
    assert list(lazy["source"].unique()) == ["asif", "investments"]
