"""Road travel time in the gravity model (yrd.flows.measures) and the road_time_as_of scenario
(yrd.flows.scenarios), on hand-made tables with known answers and on the shipped Ma & Tang times."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from helpers.gravity_world import small_world
from helpers.resources import RESOURCES
from yrd.errors import UserError
from yrd.flows import (
    DISTANCE_MEASURES,
    distance_comparison,
    road_time_table,
    scenario_distance,
    study_frame,
    study_pairs,
)
from yrd.flows.measures import COMPARISON_COLUMNS, comparison_rows, effect_pct
from yrd.integration import read_cities, read_road_times

TIMES_CSV = RESOURCES / "transport_times" / "yrd_travel_time_road.csv"
CITIES_CSV = RESOURCES / "transport_times" / "cityinfo_yrd.csv"
SH, NB, JX, SZ = "310100", "330200", "330400", "320500"
CODES = [SH, SZ, NB, JX]
POINTS = pd.DataFrame({"code": CODES, "lon": [121.45, 120.65, 121.45, 120.80], "lat": [31.15, 31.35, 29.75, 30.70]})
YEARS = [2006, 2007, 2008, 2009]
#: Hand-made road hours: Shanghai-Ningbo 4, 4, 2, 1 (a bridge opens in 2008 and is widened in
#: 2009), Jiaxing-Ningbo 3, 3, 3, 1.5; every other pair 1 + its position, the same every year.
HAND_HOURS = {
    frozenset((SH, NB)): [4.0, 4.0, 2.0, 1.0],
    frozenset((JX, NB)): [3.0, 3.0, 3.0, 1.5],
}


def hand_times(years=YEARS, codes=CODES) -> pd.DataFrame:
    rows = []
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1 :]]
    for k, (a, b) in enumerate(pairs):
        for i, y in enumerate(years):
            h = HAND_HOURS.get(frozenset((a, b)), [1.0 + k] * len(years))[i]
            rows += [(y, a, b, h), (y, b, a, h)]
    return pd.DataFrame(rows, columns=["year", "origin", "dest", "hours"])


BRIDGE = {"name": "without_bridge", "type": "road_time_as_of", "from_year": 2008, "as_of": 2007, "pairs": [[NB, SH]]}


# --------------------------------------------------------------------------- road_time_as_of
def test_road_time_as_of_scales_by_the_ratio_of_travel_times():
    cells = study_pairs("great_circle", POINTS, YEARS)
    d = scenario_distance(cells, {**BRIDGE, "pairs": [[NB, SH], [JX, NB]]}, road_times=hand_times())
    ratio = pd.Series(
        d / cells["distance"].to_numpy(), index=pd.MultiIndex.from_frame(cells[["year", "origin", "dest"]])
    )
    # T(2007) / T(year) from 2008 on, both directions; 1 before from_year and on other pairs
    assert ratio[(2008, SH, NB)] == pytest.approx(4 / 2) and ratio[(2008, NB, SH)] == pytest.approx(2.0)
    assert ratio[(2009, SH, NB)] == pytest.approx(4 / 1)
    assert ratio[(2008, JX, NB)] == pytest.approx(1.0) and ratio[(2009, NB, JX)] == pytest.approx(3 / 1.5)
    assert ratio[(2007, SH, NB)] == 1 and ratio[(2006, NB, JX)] == 1
    assert (ratio.drop([(y, a, b) for y in YEARS for a, b in [(SH, NB), (NB, SH), (JX, NB), (NB, JX)]]) == 1).all()


def test_road_time_as_of_with_road_time_distances_is_the_travel_time_of_as_of():
    times = hand_times()
    cells = study_pairs("road_time", POINTS, YEARS, road_times=times)
    d = pd.Series(
        scenario_distance(cells, BRIDGE, road_times=times),
        index=pd.MultiIndex.from_frame(cells[["year", "origin", "dest"]]),
    )
    assert [d[(y, SH, NB)] for y in YEARS] == [4.0, 4.0, 4.0, 4.0]
    assert [d[(y, NB, JX)] for y in YEARS] == [3.0, 3.0, 3.0, 1.5]  # not listed: real times
    # a scenario from a year after the data changes nothing
    np.testing.assert_array_equal(
        scenario_distance(cells, {**BRIDGE, "from_year": 2010}, road_times=times), cells["distance"]
    )


def test_road_time_as_of_needs_the_times_of_its_pairs_and_years():
    cells = study_pairs("great_circle", POINTS, YEARS)
    times = hand_times()
    with pytest.raises(UserError, match="in 2005"):
        scenario_distance(cells, {**BRIDGE, "as_of": 2005}, road_times=times)
    no_jx = times[(times["origin"] != JX) & (times["dest"] != JX)]
    with pytest.raises(UserError, match=f"no road travel time for {NB}-{JX} in 2007"):
        scenario_distance(cells, {**BRIDGE, "pairs": [[JX, NB]]}, road_times=no_jx)
    no_2009 = times[(times["year"] != 2009) | ~times["origin"].isin([JX, NB]) | ~times["dest"].isin([JX, NB])]
    with pytest.raises(UserError, match=f"{NB}-{JX} in 2009"):
        scenario_distance(cells, {**BRIDGE, "pairs": [[JX, NB]]}, road_times=no_2009)
    with pytest.raises(ValueError, match="need the road travel times"):
        scenario_distance(cells, BRIDGE)
    with pytest.raises(ValueError, match="unknown prefectures"):
        scenario_distance(cells, {**BRIDGE, "pairs": [[SH, "999900"]]}, road_times=times)


def test_scale_pairs_still_works():
    cells = study_pairs("great_circle", POINTS, YEARS)
    sc = {"name": "detour", "type": "scale_pairs", "from_year": 2008, "factor": 1.6, "pairs": [[NB, SH]]}
    d = scenario_distance(cells, sc)
    hit = ((cells["origin"] == SH) & (cells["dest"] == NB) | (cells["origin"] == NB) & (cells["dest"] == SH)) & (
        cells["year"] >= 2008
    )
    np.testing.assert_allclose(d / cells["distance"], np.where(hit, 1.6, 1.0))


# --------------------------------------------------------------------------- road_time pairs
@pytest.fixture(scope="module")
def shipped():
    """The shipped road times of 1998-2013 and the 41 prefectures' points."""
    cities = read_cities(CITIES_CSV)
    return read_road_times(TIMES_CSV, range(1998, 2014)), cities[["code", "lon", "lat"]]


def test_road_time_pair_table_covers_every_year_and_equals_the_hours(shipped):
    times, points = shipped
    years = list(range(1998, 2014))
    p = study_pairs("road_time", points, years, road_times=times)
    n = len(points)
    assert n == 41 and len(p) == len(years) * n * (n - 1)
    assert sorted(p["year"].unique()) == years
    assert p.groupby("year").size().eq(n * (n - 1)).all()
    m = p.merge(times, on=["year", "origin", "dest"], how="left", validate="one_to_one")
    assert m["hours"].notna().all()
    np.testing.assert_array_equal(m["distance"].to_numpy(), m["hours"].to_numpy())
    np.testing.assert_allclose(p["log_distance"], np.log(p["distance"]))
    d = p.set_index(["year", "origin", "dest"])["distance"]
    assert [round(d[(y, SH, NB)], 3) for y in (2007, 2008, 2009)] == [3.247, 3.015, 2.673]
    assert d[(2009, NB, SH)] == d[(2009, SH, NB)]
    # the border dummy does not depend on the measure
    gc = study_pairs("great_circle", points, years)
    np.testing.assert_array_equal(gc["border"], p["border"])
    assert (gc[["year", "origin", "dest"]].to_numpy() == p[["year", "origin", "dest"]].to_numpy()).all()


def test_a_study_prefecture_without_road_times_is_named(shipped):
    times, points = shipped
    extra = pd.concat([points, pd.DataFrame({"code": ["341400"], "lon": [117.9], "lat": [31.6]})])  # Chaohu
    with pytest.raises(UserError, match=r"no road travel time for prefectures \['341400'\]"):
        study_pairs("road_time", extra, [2005], road_times=times)
    with pytest.raises(UserError, match=r"years \[2020\]"):
        road_time_table(times, [SH, NB], [2013, 2020])
    with pytest.raises(UserError, match="flows.distances must be null"):
        study_pairs("road_time", points, [2005], distance_table=times.rename(columns={"hours": "distance"}))
    with pytest.raises(ValueError, match="great_circle"):
        study_pairs("rail_time", points, [2005])


def test_longer_periods_keep_the_travel_time_of_each_year():
    """With flows.period_length 2 the cells stay yearly and each joins its own year's hours; the
    period only groups the fixed effects."""
    boxes = gpd.GeoDataFrame(
        {"code": CODES},
        geometry=[
            shapely.box(lon - 0.2, lat - 0.2, lon + 0.2, lat + 0.2) for lon, lat in zip(POINTS["lon"], POINTS["lat"])
        ],
        crs="EPSG:4326",
    )
    od = pd.DataFrame(
        [(y, a, b, "labour", 1, "prefecture") for y in YEARS for a in CODES for b in CODES if a != b],
        columns=["year", "origin", "dest", "group", "moves", "level"],
    )
    f = study_frame(od, boxes, "road_time", road_times=hand_times(), period_length=2, start=2006)
    assert len(f) == len(od)
    sh_nb = f[(f["origin"] == SH) & (f["dest"] == NB)].set_index("year")
    assert sh_nb["distance"].to_list() == [4.0, 4.0, 2.0, 1.0]
    assert sh_nb["period"].to_list() == [2006, 2006, 2008, 2008]
    np.testing.assert_allclose(f["log_distance"], np.log(f["distance"]))
    gc = study_frame(od, boxes, "great_circle", period_length=2, start=2006)
    assert gc.groupby(["origin", "dest"])["distance"].nunique().eq(1).all()  # great circle: constant


# --------------------------------------------------------------------------- comparison
def test_effect_in_percent_by_hand():
    # 1.1^-1.3 = exp(-1.3 ln 1.1) = exp(-0.123904) = 0.883465
    assert effect_pct("log_distance", -1.3) == pytest.approx(-11.6535, abs=1e-4)
    assert effect_pct("border", -0.7) == pytest.approx(-50.3415, abs=1e-4)  # exp(-0.7) = 0.496585
    assert np.isnan(effect_pct("border", np.nan))


def test_comparison_rows_columns_and_interpretation():
    table = pd.DataFrame(
        {
            "model": ["pooled", "pooled", "labour", "labour"],
            "term": ["log_distance", "border"] * 2,
            "estimate": [-1.3, -0.7, np.nan, np.nan],
            "std_error": [0.05, 0.04, np.nan, np.nan],
            "n_obs": [100, 100, 0, 0],
            "n_separated": 0,
            "p_value": [0.0, 0.0, np.nan, np.nan],
            "n_cells": 120,
            "n_moves": [500, 500, 10, 10],
            "converged": [True, True, False, False],
            "fixed_effects": "x",
            "cluster": "pair",
            "note": ["", "", "skipped: 10 moves < flows.min_moves (25)", "skipped: 10 moves < flows.min_moves (25)"],
        }
    )
    r = comparison_rows(table, "road_time")
    assert list(r.columns) == COMPARISON_COLUMNS
    assert (r["unit"] == "hours").all() and (r["measure"] == "road_time").all()
    assert r.loc[0, "interpretation"] == (
        "elasticity -1.300 w.r.t. road travel time (hours): 10% longer -> -11.7% expected moves"
    )
    assert r.loc[1, "interpretation"] == "crossing a provincial border -> -50.3% expected moves (exp(b) - 1)"
    assert r.loc[2, "interpretation"] == "not estimated (skipped: 10 moves < flows.min_moves (25))"
    assert comparison_rows(table, "great_circle").loc[0, "unit"] == "km"


def test_comparison_of_measures_that_differ_by_a_constant_factor_is_identical():
    """Distances in minutes instead of km-like units: ln d shifts by a constant, which the
    fixed effects absorb, so every estimate is the same under both 'measures'."""
    f = small_world(seed=5, n=7, years=2)
    g = f.assign(distance=f["distance"] / 60.0, log_distance=f["log_distance"] - np.log(60.0))
    out = distance_comparison({"great_circle": f, "road_time": g})
    assert list(out.columns) == COMPARISON_COLUMNS
    assert list(out["model"].iloc[:4]) == ["pooled"] * 4
    assert list(out["term"].iloc[:4]) == ["log_distance", "log_distance", "border", "border"]
    assert list(out["measure"].iloc[:4]) == list(DISTANCE_MEASURES) * 2
    assert set(out["model"]) == {"pooled", "labour", "port"}
    w = out.pivot_table(index=["model", "term"], columns="measure", values=["estimate", "std_error"])
    np.testing.assert_allclose(w["estimate"]["great_circle"], w["estimate"]["road_time"], rtol=1e-7)
    np.testing.assert_allclose(w["std_error"]["great_circle"], w["std_error"]["road_time"], rtol=1e-6)
    pooled = out[(out["model"] == "pooled") & (out["term"] == "log_distance")]
    assert pooled["converged"].all() and (pooled["estimate"] - -1.2).abs().max() < 0.2  # the world's -1.2


def test_road_time_subset_keeps_the_prefectures_with_travel_times():
    """A national OD panel (here four prefectures, two of them outside the YRD's road-time table):
    the distance comparison runs on the flows among the two with travel times; a panel the times
    cover is returned as it is."""
    from yrd.flows.measures import road_time_subset

    codes = ["310100", "320500", "420100", "110100"]
    od = pd.DataFrame(
        [("prefecture", 2005, a, b, "total", 1) for a in codes for b in codes if a != b]
        + [("province", 2005, "310000", "420000", "total", 1)],
        columns=["level", "year", "origin", "dest", "group", "moves"],
    )
    times = pd.DataFrame({"year": [2005, 2005], "origin": ["310100", "320500"], "dest": ["320500", "310100"]})
    sub, covered = road_time_subset(od, times.assign(hours=1.0))
    assert covered == (2, 4)
    assert sorted(zip(sub["origin"], sub["dest"], strict=True)) == [("310100", "320500"), ("320500", "310100")]
    full, none = road_time_subset(od[od["origin"].isin(codes[:2]) & od["dest"].isin(codes[:2])], times)
    assert none is None and len(full) == 2
