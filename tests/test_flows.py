"""Relocation flows (yrd.flows): OD panels, pair variables, the Shanghai table, distance
scenarios and the validation against the truth."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from helpers.resources import PREFECTURES_CSV
from yrd.flows import (
    GROUPS,
    adding_up,
    fit_ppml,
    fitted_cells,
    focus_flows,
    gravity_frame,
    gravity_validation,
    od_panel,
    od_panels,
    pair_table,
    scenario_distance,
    scenario_shares,
)
from yrd.flows.fixed_effects import add_fixed_effect_codes
from yrd.flows.od import read_od_cells
from yrd.flows.pairs import prefecture_points
from yrd.flows.scenario_bands import add_scenario_bands
from yrd.flows.scenario_jobs import gather_scenarios, read_focus_cells, scenario_table
from yrd.flows.scenarios import COLUMNS as SCENARIO_COLUMNS
from yrd.flows.scenarios import resolve_targets
from yrd.regions import prefectures

SH, SZ, WX, NB, JX, HF, HZ, SX = "310100", "320500", "320200", "330200", "330400", "340100", "330100", "330600"
CODES = [SH, SZ, WX, NB, JX, HF, HZ, SX]
#: approximate centroids (lon, lat)
POINTS = pd.DataFrame(
    {
        "code": CODES,
        "lon": [121.45, 120.65, 120.30, 121.45, 120.80, 117.25, 119.50, 120.60],
        "lat": [31.15, 31.35, 31.55, 29.75, 30.70, 31.85, 29.90, 29.80],
    }
)
GMAP = {"13": "labour", "18": "labour", "25": "port", "40": "technology", "30": "capital", "14": "urban"}
REGION_GROUPS = (
    prefectures(PREFECTURES_CSV).assign(code=lambda d: d["code"].astype(str)).set_index("code")["group"].to_dict()
)


def _moves(rows):
    return pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])


MOVES = _moves(
    [
        (2000, SH, SZ, "18"),
        (2000, SH, SZ, "18"),
        (2000, SH, NB, "30"),
        (2000, WX, SH, "14"),
        (2000, HF, SH, "25"),
        (2000, SZ, WX, "40"),
        (2001, SH, HF, "13"),
        (2001, SH, JX, "99"),  # industry without class: total only
        (2001, SZ, SZ, "13"),  # within prefecture: dropped
        (2001, SH, "110100", "13"),  # Beijing, outside: dropped
        (1990, SH, SZ, "13"),  # outside years: dropped
    ]
)


# --------------------------------------------------------------------------- OD panel
def test_od_panel_keeps_every_cell_and_conserves_totals():
    od = od_panel(MOVES, CODES, [2000, 2001, 2002], GMAP)
    assert list(od.columns) == ["year", "origin", "dest", "group", "moves"]
    assert len(od) == 3 * len(GROUPS) * 8 * 7  # years x groups x ordered pairs of distinct places
    assert not od.duplicated(["year", "origin", "dest", "group"]).any()
    assert (od["origin"] != od["dest"]).all()
    assert (od["moves"] > 0).sum() == 13  # every other cell is a zero row
    tot = od[od["group"] == "total"]
    assert tot["moves"].sum() == 8  # 11 moves minus within, outside area and outside years
    assert od[od["group"] != "total"]["moves"].sum() == 7  # the unclassified move is in total only
    assert tot[tot["year"] == 2002]["moves"].sum() == 0 and (od["year"] == 2002).sum() == len(GROUPS) * 56
    cell = od.set_index(["year", "origin", "dest", "group"])["moves"]
    assert cell[(2000, SH, SZ, "labour")] == 2 and cell[(2000, SH, SZ, "total")] == 2
    assert cell[(2001, SH, JX, "total")] == 1 and cell[(2001, SH, JX, "labour")] == 0
    assert od.attrs["dropped"] == {"outside_prefectures": 1, "within_prefecture": 1, "outside_years": 1}
    assert od.attrs["unclassified"] == 1
    # class totals equal the total group where every industry has a class
    by = od[od["year"] == 2000].groupby("group")["moves"].sum()
    assert by.drop("total").sum() == by["total"] == 6


def test_od_panel_province_level_sums_the_prefecture_panel():
    both = od_panels(MOVES, CODES, [2000, 2001], GMAP)
    assert list(both.columns) == ["level", "year", "origin", "dest", "group", "moves"]
    pref = both[both["level"] == "prefecture"]
    prov = both[both["level"] == "province"]
    assert len(prov) == 2 * len(GROUPS) * 4 * 4  # four provinces, origin == dest kept
    agg = pref.assign(origin=pref["origin"].str[:2] + "0000", dest=pref["dest"].str[:2] + "0000")
    agg = agg.groupby(["year", "origin", "dest", "group"])["moves"].sum()
    p = prov.set_index(["year", "origin", "dest", "group"])["moves"]
    assert (p.reindex(agg.index) == agg).all() and p.sum() == agg.sum()
    assert p[(2000, "320000", "320000", "technology")] == 1  # Suzhou -> Wuxi: inside Jiangsu


def test_read_od_cells_gives_the_estimation_cells_of_the_file(tmp_path):
    """read_od_cells (strings as categoricals, rows chosen by the Parquet reader) gives the same
    cells, in the same order and the same gravity frame, as reading the whole file."""
    both = od_panels(MOVES, CODES, [2000, 2001], GMAP)
    path = tmp_path / "od.parquet"
    both.to_parquet(path, index=False)
    cells = read_od_cells(path)
    assert list(cells.columns) == ["year", "origin", "dest", "group", "moves"]
    full = pd.read_parquet(path)
    want = full[(full["level"] == "prefecture") & (full["group"] != "total") & (full["origin"] != full["dest"])]
    pd.testing.assert_frame_equal(
        cells.astype(dict.fromkeys(("origin", "dest", "group"), str)),
        want.drop(columns="level").reset_index(drop=True).astype(dict.fromkeys(("origin", "dest", "group"), str)),
        check_dtype=False,
    )
    assert cells["moves"].sum() == 7 and len(cells) == 2 * 5 * 56
    pairs = pair_table(POINTS, [2000, 2001])
    a, b = gravity_frame(full, pairs), gravity_frame(cells, pairs)
    for c in ("og", "dg", "pair", "moves", "log_distance", "border", "year", "period"):
        assert (a[c].to_numpy() == b[c].to_numpy()).all(), c
    assert (a["origin"].astype(str).to_numpy() == b["origin"].astype(str).to_numpy()).all()


def test_od_panel_rejects_bad_input():
    with pytest.raises(ValueError, match="level"):
        od_panel(MOVES, CODES, [2000], GMAP, level="county")
    with pytest.raises(ValueError, match="lack columns"):
        od_panel(MOVES.drop(columns="industry"), CODES, [2000], GMAP)
    with pytest.raises(ValueError, match="classes"):
        od_panel(MOVES, CODES, [2000], {"13": "textiles"})


# --------------------------------------------------------------------------- Shanghai table
def test_shanghai_table_on_a_hand_made_example():
    od = od_panel(MOVES, CODES, [2000, 2001], GMAP)
    t = focus_flows(od, REGION_GROUPS, focus=SH)
    assert list(t.columns) == [
        "year",
        "group",
        "partner",
        "outflow",
        "inflow",
        "net_outflow",
        "outflow_share",
        "inflow_share",
    ]
    assert set(t["partner"]) == {"sunan", "zhejiang", "anhui", "all"}  # no rest-of-Jiangsu place here
    assert len(t) == 2 * len(GROUPS) * 4
    r = t.set_index(["year", "group", "partner"])
    assert r.loc[(2000, "labour", "sunan"), "outflow"] == 2
    assert r.loc[(2000, "capital", "zhejiang"), "outflow"] == 1
    assert r.loc[(2000, "urban", "sunan"), ["outflow", "inflow", "net_outflow"]].tolist() == [0, 1, -1]
    assert r.loc[(2000, "port", "anhui"), "inflow"] == 1
    assert r.loc[(2000, "total", "all"), ["outflow", "inflow", "net_outflow"]].tolist() == [3, 2, 1]
    assert r.loc[(2000, "total", "sunan"), "outflow_share"] == pytest.approx(2 / 3)
    assert r.loc[(2000, "total", "anhui"), "inflow_share"] == pytest.approx(1 / 2)
    assert r.loc[(2001, "total", "zhejiang"), "outflow"] == 1  # the unclassified move to Jiaxing
    assert r.loc[(2001, "labour", "anhui"), "outflow"] == 1
    assert np.isnan(r.loc[(2001, "port", "all"), "outflow_share"])  # no port outflow in 2001
    # Suzhou -> Wuxi does not involve Shanghai
    assert t["outflow"].sum() == 2 * t[t["partner"] == "all"]["outflow"].sum()


# --------------------------------------------------------------------------- pairs
def test_pair_table_great_circle_user_table_and_covariates():
    p = pair_table(POINTS, [2000, 2001], covariates=["same_region_group"], regions=prefectures(PREFECTURES_CSV))
    assert len(p) == 2 * 8 * 7
    d = p.set_index(["year", "origin", "dest"])
    assert d.loc[(2000, SH, SZ), "distance"] == pytest.approx(d.loc[(2001, SZ, SH), "distance"])
    assert 70 < d.loc[(2000, SH, SZ), "distance"] < 90
    assert d.loc[(2000, SH, SZ), "border"] == 1 and d.loc[(2000, SZ, WX), "border"] == 0
    assert d.loc[(2000, SZ, WX), "same_region_group"] == 1 and d.loc[(2000, NB, SZ), "same_region_group"] == 0
    # a user table given in one direction, by year, with an extra covariate
    rows = [
        (y, a, b, 10.0 + i, float(i % 2))
        for y in (2000, 2001)
        for i, (a, b) in enumerate((a, b) for a in CODES for b in CODES if a < b)
    ]
    user = pd.DataFrame(rows, columns=["year", "origin", "dest", "distance", "rail"])
    q = pair_table(POINTS, [2000, 2001], distance_table=user, covariates=["rail"]).set_index(["year", "origin", "dest"])
    assert q.loc[(2001, SZ, SH), "distance"] == q.loc[(2001, SH, SZ), "distance"]
    assert np.allclose(q["log_distance"], np.log(q["distance"]))
    with pytest.raises(ValueError, match="misses"):
        pair_table(POINTS, [2000, 2001, 2002], distance_table=user)
    with pytest.raises(ValueError, match="unknown covariate"):
        pair_table(POINTS, [2000], covariates=["ports"])


def test_contiguity_from_polygons():
    boxes = gpd.GeoDataFrame(
        {"code": [SH, SZ, NB]},
        geometry=[
            shapely.box(121, 31, 121.5, 31.5),
            shapely.box(120.5, 31, 121, 31.5),
            shapely.box(121, 29, 121.5, 29.5),
        ],
        crs="EPSG:4326",
    )
    pts = POINTS[POINTS["code"].isin([SH, SZ, NB])]
    p = pair_table(pts, [2000], covariates=["contiguity"], boundaries=boxes).set_index(["origin", "dest"])
    assert p.loc[(SH, SZ), "contiguity"] == 1 and p.loc[(SZ, SH), "contiguity"] == 1
    assert p.loc[(SH, NB), "contiguity"] == 0


# --------------------------------------------------------------------------- scenarios
@pytest.fixture(scope="module")
def fitted():
    """The pooled model fitted on Poisson flows with a gravity mean among the eight places."""
    rng = np.random.default_rng(42)
    years = list(range(2004, 2012))
    pairs = pair_table(POINTS, years)
    rows = []
    for y in years:
        for g in ("labour", "port", "urban"):
            a = dict(zip(CODES, rng.normal(0, 0.4, 8)))
            m = dict(zip(CODES, rng.normal(0, 0.4, 8)))
            sub = pairs[pairs["year"] == y]
            mu = 30 * np.exp(
                sub["origin"].map(a) + sub["dest"].map(m) - 1.3 * np.log(sub["distance"] / 100) - 0.7 * sub["border"]
            )
            rows.append(
                pd.DataFrame(
                    {
                        "year": y,
                        "origin": sub["origin"],
                        "dest": sub["dest"],
                        "group": g,
                        "moves": rng.poisson(mu.to_numpy()),
                    }
                )
            )
    od = pd.concat(rows, ignore_index=True)
    od.loc[(od["year"] == 2005) & (od["origin"] == SH) & (od["group"] == "port"), "moves"] = 0  # separated
    frame = gravity_frame(od, pairs)
    r = fit_ppml(frame)
    return fitted_cells(frame, r, ["log_distance", "border"]), r.coef().to_dict(), od


BRIDGE = {
    "name": "without_bridge",
    "type": "scale_pairs",
    "from_year": 2008,
    "factor": 1.6,
    "pairs": [[NB, SH], [NB, JX]],
}
PUDONG = {"name": "pudong", "type": "move_point", "from_year": 2006, "prefecture": SH, "lon": 121.80, "lat": 31.15}
TARGETS = {"sunan": [SZ, WX], "south_of_bay": [NB, SX]}


def test_scenarios_are_deterministic_and_baseline_adds_up(fitted):
    cells, coef, od = fitted
    assert adding_up(cells) < 1e-8
    a = scenario_shares(cells, coef, [BRIDGE, PUDONG], SH, TARGETS, POINTS)
    b = scenario_shares(cells, coef, [BRIDGE, PUDONG], SH, TARGETS, POINTS)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == SCENARIO_COLUMNS
    # baseline predicted outflows equal the observed outflows of the focus, by class and year
    obs = od[od["origin"] == SH].groupby(["year", "group"])["moves"].sum()
    yr = a[(a["window"] == "year") & (a["scenario"] == "pudong") & (a["target"] == "sunan") & (a["group"] != "total")]
    got = yr.set_index(["start_year", "group"])["baseline_outflow"]
    np.testing.assert_allclose(got.to_numpy(), obs.reindex(got.index).to_numpy(), atol=1e-8)
    # the separated class-year has no predicted outflow and no share
    sep = yr.set_index(["start_year", "group"]).loc[(2005, "port")]
    assert sep["baseline_outflow"] == 0 and np.isnan(sep["baseline_share"])
    # the total group sums the classes
    tot = a[(a["group"] == "total") & (a["window"] == "year")].set_index(["scenario", "start_year", "target"])
    cls = a[(a["group"] != "total") & (a["window"] == "year")].groupby(["scenario", "start_year", "target"])
    np.testing.assert_allclose(tot["scenario_flow"], cls["scenario_flow"].sum().reindex(tot.index), rtol=1e-12)


def test_scenario_effects_have_the_expected_signs_and_timing(fitted):
    cells, coef, _ = fitted
    out = scenario_shares(cells, coef, [BRIDGE, PUDONG], SH, TARGETS, POINTS)
    tot = out[out["group"] == "total"]
    pre = tot[(tot["window"] == "year") & (tot["start_year"] < tot["from_year"])]
    assert (pre["shift"].abs() < 1e-15).all() and len(pre) > 0
    post = tot[tot["window"] == "post"].set_index(["scenario", "target"])
    # without the bridge, Ningbo is farther from Shanghai: the south-of-bay share falls, Sunan's rises
    assert post.loc[("without_bridge", "south_of_bay"), "shift"] < 0
    assert post.loc[("without_bridge", "sunan"), "shift"] > 0
    # Shanghai's point moved east: farther from Sunan
    assert post.loc[("pudong", "sunan"), "shift"] < 0
    # the pooled window is the sum of its years
    yrs = tot[
        (tot["window"] == "year")
        & (tot["scenario"] == "pudong")
        & (tot["target"] == "sunan")
        & (tot["start_year"] >= 2006)
    ]
    row = post.loc[("pudong", "sunan")]
    assert row["start_year"] == 2006 and row["end_year"] == 2011
    assert row["scenario_flow"] == pytest.approx(yrs["scenario_flow"].sum())
    assert row["scenario_share"] == pytest.approx(yrs["scenario_flow"].sum() / yrs["scenario_outflow"].sum())


def test_neutral_scenarios_change_nothing(fitted):
    cells, coef, _ = fitted
    same_point = {**PUDONG, "name": "stay", "lon": POINTS.loc[0, "lon"], "lat": POINTS.loc[0, "lat"]}
    unit = {**BRIDGE, "name": "unit", "factor": 1.0}
    out = scenario_shares(cells, coef, [same_point, unit], SH, TARGETS, POINTS)
    assert np.nanmax(np.abs(out["shift"])) < 1e-12
    np.testing.assert_allclose(out["scenario_flow"], out["baseline_flow"], rtol=1e-12)


def test_scenario_jobs_one_at_a_time_equal_all_at_once(fitted, tmp_path):
    """Rule scenario runs one scenario per job from the focus's cells only (read_focus_cells);
    the gathered table equals the table of all scenarios computed at once from every cell."""
    cells, coef, _ = fitted
    fitted_path, table_path = tmp_path / "fitted.parquet", tmp_path / "gravity.csv"
    cells.to_parquet(fitted_path, index=False)
    se = 0.05
    pd.DataFrame(
        {"model": "pooled", "term": list(coef), "estimate": list(coef.values()), "std_error": se, "converged": True}
    ).to_csv(table_path, index=False)
    poly = gpd.GeoDataFrame(
        {"code": CODES}, geometry=gpd.points_from_xy(POINTS["lon"], POINTS["lat"]).buffer(0.05), crs="EPSG:4326"
    )
    boundaries_path = tmp_path / "boundaries.parquet"
    poly.to_parquet(boundaries_path)
    focus_cells, origins, missing = read_focus_cells(fitted_path, SH)
    assert origins == sorted(CODES) and not missing
    want = cells[cells["origin"] == SH].reset_index(drop=True)
    pd.testing.assert_frame_equal(focus_cells, want)
    bands = {"draws": 50, "level": 0.9, "seed": 7}
    args = (fitted_path, table_path, boundaries_path, PREFECTURES_CSV)
    parts = [scenario_table(*args, [sc], SH, TARGETS, bands) for sc in (BRIDGE, PUDONG)]
    got = gather_scenarios(parts)
    whole = scenario_table(*args, [BRIDGE, PUDONG], SH, TARGETS, bands)
    pd.testing.assert_frame_equal(got, whole, check_exact=True)
    points = prefecture_points(poly)
    direct = add_scenario_bands(
        scenario_shares(cells, coef, [BRIDGE, PUDONG], SH, TARGETS, points), cells, coef, se,
        [BRIDGE, PUDONG], SH, TARGETS, points, draws=50, level=0.9, seed=7,
    )  # fmt: skip
    pd.testing.assert_frame_equal(got, direct, check_exact=True)
    assert got["shift_lo"].notna().any()
    with pytest.raises(ValueError, match="two tables"):
        gather_scenarios([parts[0], parts[0]])
    # a missing fitted flow anywhere in the table makes every scenario not estimable
    broken = cells.copy()
    broken.loc[broken["origin"] == SZ, "fitted"] = np.nan
    broken.to_parquet(fitted_path, index=False)
    out = scenario_table(*args, [BRIDGE], SH, TARGETS, bands)
    assert (out["status"] == "not estimable").all() and "fitted flows are missing" in out["reason"].iloc[0]


def test_scenario_distances():
    cells = pair_table(POINTS, [2007, 2008])
    d = scenario_distance(cells, BRIDGE, POINTS)
    ratio = pd.Series(
        d / cells["distance"].to_numpy(), index=pd.MultiIndex.from_frame(cells[["year", "origin", "dest"]])
    )
    assert ratio[(2008, SH, NB)] == pytest.approx(1.6) and ratio[(2008, NB, SH)] == pytest.approx(1.6)
    assert ratio[(2007, SH, NB)] == 1 and ratio[(2008, SH, JX)] == 1
    d = scenario_distance(cells, {**PUDONG, "from_year": 2008}, POINTS)
    ratio = pd.Series(d / cells["distance"].to_numpy(), index=ratio.index)
    assert ratio[(2008, SH, SZ)] > 1.2 and ratio[(2008, SZ, SH)] == ratio[(2008, SH, SZ)]
    assert ratio[(2008, SZ, WX)] == 1 and ratio[(2007, SH, SZ)] == 1
    with pytest.raises(ValueError, match="type"):
        scenario_distance(cells, {"name": "x", "type": "teleport", "from_year": 2000})
    with pytest.raises(ValueError, match="unknown prefectures"):
        scenario_distance(cells, {**BRIDGE, "pairs": [[SH, "999900"]]})


def test_resolve_targets():
    t = resolve_targets({"sunan": "sunan", "bay": [NB, SX]}, REGION_GROUPS)
    assert t["sunan"] == ["320100", "320200", "320400", "320500", "321100"]
    assert t["bay"] == [NB, SX]
    with pytest.raises(ValueError):
        resolve_targets({"x": ["123456"]}, REGION_GROUPS)


# --------------------------------------------------------------------------- validation
def test_gravity_validation_acceptance_rule():
    table = pd.DataFrame(
        {
            "model": ["pooled", "pooled"],
            "term": ["log_distance", "border"],
            "estimate": [-1.36, -0.70 - 0.03],
            "std_error": [0.02, 0.01],
            "n_obs": 10,
            "n_separated": 2,
            "n_moves": 50,
        }
    )
    v = gravity_validation(table, {"beta_log_distance": -1.3, "beta_border": -0.7})
    d, b = v["parameters"]["beta_log_distance"], v["parameters"]["beta_border"]
    assert not d["within_2se"] and d["within_tolerance"]  # 0.06 <= max(0.04, 0.065)
    assert not b["within_2se"] and b["within_tolerance"]  # 0.03 <= max(0.02, 0.035)
    assert v["accepted"] and v["n_obs"] == 10
    table.loc[1, "estimate"] = -0.80
    assert not gravity_validation(table, {"beta_log_distance": -1.3, "beta_border": -0.7})["accepted"]


def test_join_pairs_equals_the_merge_it_replaces_and_names_missing_pairs():
    """gravity_frame joins the pair variables by one integer key per year x origin x destination
    (yrd.flows.pairs.join_pairs); the result is the left merge on the string keys, with
    categorical or string cells, and a cell without pair variables or a repeated pair stops it."""
    from yrd.flows.pairs import join_pairs

    rng = np.random.default_rng(5)
    codes = ["310100", "320500", "330400", "320200"]
    pairs = pd.DataFrame(
        [(y, o, d) for y in (2001, 2002) for o in codes for d in codes if o != d], columns=["year", "origin", "dest"]
    )
    pairs["log_distance"] = rng.normal(size=len(pairs))
    pairs["border"] = (pairs["origin"].str[:2] != pairs["dest"].str[:2]).astype(float)
    cells = pairs[["year", "origin", "dest"]].sample(frac=1.0, random_state=1).reset_index(drop=True)
    cells = pd.concat([cells, cells.head(5)], ignore_index=True)  # a pair's cell may repeat (classes)
    cells["moves"] = rng.integers(0, 4, len(cells))
    ref = cells.merge(pairs, on=["year", "origin", "dest"], how="left", validate="many_to_one")
    pd.testing.assert_frame_equal(join_pairs(cells.copy(), pairs), ref)
    cat = cells.assign(
        origin=pd.Categorical(cells["origin"], categories=sorted(codes)),
        dest=pd.Categorical(cells["dest"], categories=sorted(codes)),
    )
    kept = join_pairs(cat.copy(), pairs, cast_keys=False)  # the frame source_gravity estimates on
    assert isinstance(kept["origin"].dtype, pd.CategoricalDtype) and isinstance(kept["dest"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(kept.astype({"origin": ref["origin"].dtype, "dest": ref["dest"].dtype}), ref)
    # the fixed-effect and cluster codes do not depend on the key type (categories sorted as strings)
    both = [add_fixed_effect_codes(f.assign(group="c1", period=f["year"])) for f in (kept, ref)]
    cols = ["og", "dg", "pair", "undirected_pair"]
    pd.testing.assert_frame_equal(both[0][cols], both[1][cols])
    pd.testing.assert_frame_equal(join_pairs(cat, pairs), ref)
    with pytest.raises(ValueError, match="1 cells without pair variables"):
        join_pairs(cells.head(3).assign(year=[2001, 2001, 2003]), pairs)
    with pytest.raises(ValueError, match="1 cells without pair variables"):
        first = (pairs[["year", "origin", "dest"]] == cells.iloc[0][["year", "origin", "dest"]]).all(axis=1)
        join_pairs(cells.head(3), pairs.assign(log_distance=np.where(first, np.nan, 0.0)))
    with pytest.raises(ValueError, match="repeat"):
        join_pairs(cells.head(3), pd.concat([pairs, pairs.head(1)]))


def test_distinct_values_of_columns():
    from yrd.io import distinct

    a = pd.Series(["b", "a", None, "b"], dtype="string")
    b = pd.Categorical(["c", "a"], categories=["a", "c", "z"])
    assert distinct(a, pd.Series(b), as_str=True) == {"a", "b", "c"}
    assert distinct(pd.Series([2001, 2003, 2001])) == {2001, 2003}
    assert distinct(pd.Series([], dtype=float)) == set()


def test_fixed_effect_codes_do_not_depend_on_the_key_types():
    # strings, sorted categoricals (their codes used directly), categoricals with different
    # categories (factorised), integer and string periods: same codes. Unsorted categoricals
    # are numbered in category order (pandas' factorize): the same groups, other numbers.
    rng = np.random.default_rng(3)
    places = ["320500", "310100", "330200", "340100"]
    n = 200
    base = pd.DataFrame(
        {
            "origin": rng.choice(places, n),
            "dest": rng.choice(places, n),
            "group": rng.choice(["c1", "c3", "c2"], n),
            "period": rng.choice([2004, 2000, 2008], n),
        }
    )
    cols = ["og", "dg", "pair", "undirected_pair"]
    ref = add_fixed_effect_codes(base.copy())[cols]
    assert ref["og"].max() + 1 == base.groupby(["origin", "group", "period"]).ngroups
    variants = [
        base.astype({"origin": pd.CategoricalDtype(sorted(places)), "dest": pd.CategoricalDtype(sorted(places))}),
        base.astype(
            {"origin": pd.CategoricalDtype(sorted(places) + ["999999"]), "dest": pd.CategoricalDtype(sorted(places))}
        ),
        base.astype({"group": pd.CategoricalDtype(["c1", "c2", "c3"]), "period": str}),
    ]
    for v in variants:
        pd.testing.assert_frame_equal(add_fixed_effect_codes(v.copy())[cols], ref)
    unsorted = add_fixed_effect_codes(
        base.astype({"origin": pd.CategoricalDtype(places), "dest": pd.CategoricalDtype(places)})
    )[cols]
    for c in cols:
        assert len(pd.unique(unsorted[c])) == len(pd.unique(ref[c])) == len(set(zip(unsorted[c], ref[c])))


def test_read_focus_rows_equals_the_whole_file_restricted_to_the_focus(tmp_path):
    from yrd.io import read_focus_rows

    od = pd.DataFrame(
        {
            "level": ["prefecture"] * 8,
            "year": [2001, 2001, 2001, 2002, 2002, 2002, 2003, 2003],
            "origin": ["310100", "320500", "330200", "310100", "310100", "320500", None, "310100"],
            "dest": ["320500", "310100", "320500", "310100", "330200", "330200", "310100", None],
            "group": ["total", "port", "total", "port", "total", None, "total", "port"],
            "moves": [3, 1, 2, 0, 4, 5, 6, 7],
        }
    )
    path = tmp_path / "od.parquet"
    od.to_parquet(path, index=False)
    whole = pd.read_parquet(path)
    ref = whole[(whole["origin"] == "310100") | (whole["dest"] == "310100")].reset_index(drop=True)
    assert len(ref) == 6  # missing keys: a row is kept by its other key
    got = read_focus_rows(path, "310100")
    pd.testing.assert_frame_equal(got, ref, check_exact=True)
    assert got.dtypes.equals(ref.dtypes)
    assert read_focus_rows(path, "999999").empty
    # keys stored as categories (not plain strings): the reader's own filters, the same rows
    od.astype({"origin": "category", "dest": "category"}).to_parquet(path, index=False)
    whole = pd.read_parquet(path)
    ref = whole[(whole["origin"] == "310100") | (whole["dest"] == "310100")].reset_index(drop=True)
    pd.testing.assert_frame_equal(read_focus_rows(path, "310100"), ref, check_categorical=False)


def test_map_values_equals_series_map_in_values_type_and_index():
    # yrd.io.map_values maps each distinct value once; the result must be Series.map's, also
    # with missing values, keys absent from the mapping and integer or string targets
    from yrd.io import map_values

    s = pd.Series(["320500", "310100", None, "320500", "330200"], dtype="str", index=[3, 4, 5, 6, 7], name="p")
    mappings = [
        pd.Series({"320500": "sunan", "310100": "shanghai"}),
        {"320500": 1, "310100": 2, "330200": 3},
        {"320500": "a", "310100": "b", "330200": "c"},
    ]
    for m in mappings:
        pd.testing.assert_series_equal(map_values(s, m), s.map(m))
        full = s.dropna()
        pd.testing.assert_series_equal(map_values(full, m), full.map(m))
    obj = pd.Series(["13", "31", None], dtype=object)
    pd.testing.assert_series_equal(map_values(obj, {"13": "x"}), obj.map({"13": "x"}))


def test_strings_from_codes_equal_the_object_array_column():
    from yrd.io import strings_from_codes

    values = ["310100", "320500", "330200"]
    codes = np.array([2, 0, 0, 1, 2])
    got = pd.Series(strings_from_codes(codes, values))
    pd.testing.assert_series_equal(got, pd.Series(np.array(values, dtype=object)[codes]).astype("str"))
    assert len(strings_from_codes(np.array([], dtype=np.int64), values)) == 0
