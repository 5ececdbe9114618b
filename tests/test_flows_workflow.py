"""The flows rules end to end on the tiny world (skipped until workflow/rules/flows.smk is
included by the Snakefile): OD panels, gravity, both distance measures side by side, the
Hangzhou Bay Bridge scenario with real road times, and flows.distance road_time."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from helpers.workflow import ROOT, snakemake
from yrd.flows import DISTANCE_MEASURES
from yrd.flows.measures import COMPARISON_COLUMNS

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(
        "workflow/rules/flows.smk" not in (ROOT / "Snakefile").read_text(encoding="utf-8"),
        reason="flows.smk is not included by the Snakefile yet",
    ),
]


def test_flow_outputs(tiny_run):
    res = tiny_run / "results" / "tiny"
    od = pd.read_parquet(res / "flows" / "od.parquet")
    assert {"year", "origin", "dest", "group", "moves", "level"} <= set(od.columns)
    moves = pd.read_parquet(res / "relocations" / "moves.parquet")
    pref = od[(od["level"] == "prefecture") & (od["group"] == "total")]
    assert pref["moves"].sum() == len(moves) and (pref["moves"] == 0).any()
    grav = pd.read_csv(res / "flows" / "gravity.csv")
    assert list(grav.columns[:6]) == ["model", "term", "estimate", "std_error", "n_obs", "n_separated"]
    pooled = grav[grav["model"] == "pooled"].set_index("term")
    assert np.isfinite(pooled.loc[["log_distance", "border"], "estimate"]).all()
    cells = pd.read_parquet(res / "flows" / "gravity_fitted.parquet")
    by = cells.groupby(["origin", "group", "period"])[["moves", "fitted"]].sum()
    assert np.allclose(by["moves"], by["fitted"], atol=1e-6)
    sh = pd.read_parquet(res / "flows" / "shanghai.parquet")
    assert (sh["net_outflow"] == sh["outflow"] - sh["inflow"]).all()
    sc = pd.read_parquet(res / "flows" / "scenarios.parquet")
    assert set(sc["window"]) == {"year", "post"} and sc["scenario"].nunique() >= 1
    # the Hangzhou Bay Bridge with the real road times: from 2008 Shanghai-Ningbo is held at its
    # 2007 travel time, so (distance coefficient < 0) the south-of-bay share falls; 0 before
    assert pooled.loc["log_distance", "estimate"] < 0
    bridge = sc[(sc["scenario"] == "without_hangzhou_bay_bridge") & (sc["group"] == "total")]
    assert (bridge["type"] == "road_time_as_of").all()
    post = bridge[bridge["window"] == "post"].set_index("target")
    assert post.loc["south_of_bay", "start_year"] == 2008 and post.loc["south_of_bay", "shift"] < 0
    pre = bridge[(bridge["window"] == "year") & (bridge["start_year"] < 2008)]
    assert pre["shift"].notna().any() and (pre["shift"].dropna().abs() < 1e-15).all()  # NaN: no outflow
    val = json.loads((res / "validation" / "gravity.json").read_text())
    assert set(val["parameters"]) == {"beta_log_distance", "beta_border"}
    for rule in [
        "od_panel",
        "gravity",
        "gravity_distance_comparison",
        "shanghai_flows",
        "scenarios",
        "validate_gravity",
    ]:
        assert (res / "logs" / f"{rule}.log").exists()


def test_gravity_distance_comparison(tiny_run):
    res = tiny_run / "results" / "tiny"
    cmp = pd.read_csv(res / "flows" / "gravity_distance_comparison.csv", keep_default_na=False, na_values=[""])
    assert list(cmp.columns) == COMPARISON_COLUMNS
    grav = pd.read_csv(res / "flows" / "gravity.csv")
    assert set(cmp["model"]) == set(grav["model"])
    assert len(cmp) == 2 * len(grav)  # every model x term under both measures
    assert cmp.groupby(["model", "term"])["measure"].apply(list).map(lambda m: m == list(DISTANCE_MEASURES)).all()
    assert set(zip(cmp["measure"], cmp["unit"])) == {("great_circle", "km"), ("road_time", "hours")}
    pooled = cmp[cmp["model"] == "pooled"].set_index(["measure", "term"])
    assert pooled["converged"].all() and np.isfinite(pooled["estimate"]).all()
    assert (pooled["std_error"] > 0).all() and pooled["p_value"].between(0, 1).all()
    assert pooled.loc[("road_time", "log_distance"), "interpretation"].startswith("elasticity")
    # flows.distance road_time (the default): the road-time rows are the estimates of gravity.csv
    main = grav.set_index(["model", "term"])["estimate"]
    rt = cmp[cmp["measure"] == "road_time"].set_index(["model", "term"])["estimate"]
    np.testing.assert_allclose(rt.to_numpy(), main.reindex(rt.index).to_numpy(), rtol=1e-9)
    # the road-time estimates differ from the great-circle ones
    assert (
        pooled.loc[("road_time", "log_distance"), "estimate"]
        != pooled.loc[("great_circle", "log_distance"), "estimate"]
    )


def test_gravity_with_road_time_distances(tiny_run, tmp_path):
    """flows.distance: road_time through the gravity and scenarios rules, on a copy of the tiny
    study's outputs (results/tiny_road in a copy of the session's run, which other tests, also in
    other pytest-xdist workers, read as it is): every fitted cell's distance is the road travel
    time of its own year, with 2-year periods."""
    work = tmp_path / "work"
    shutil.copytree(tiny_run, work, symlinks=True, copy_function=shutil.copy2)
    shutil.copytree(work / "results" / "tiny", work / "results" / "tiny_road", copy_function=shutil.copy2)
    (work / "config" / "tiny_road.yaml").write_text(
        "run:\n  name: tiny_road\nflows:\n  distance: road_time\n  period_length: 2\n", encoding="utf-8"
    )
    try:
        args = ("--configfile", "config/tiny.yaml", "config/tiny_road.yaml")
        target = "results/tiny_road/flows/scenarios.parquet"
        run = snakemake(
            work,
            "--cores",
            "1",
            *args,
            "--forcerun",
            "gravity",
            "--allowed-rules",
            "gravity",
            "scenarios",
            "--",
            target,
        )
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        res = work / "results" / "tiny_road"
        log = (res / "logs" / "gravity.log").read_text(encoding="utf-8")
        assert "distances: road_time (hours)" in log
        cells = pd.read_parquet(res / "flows" / "gravity_fitted.parquet")
        times = pd.read_parquet(res / "integration" / "road_times.parquet")
        m = cells.merge(times, on=["year", "origin", "dest"], how="left", validate="many_to_one")
        assert m["hours"].notna().all()
        np.testing.assert_array_equal(m["distance"].to_numpy(), m["hours"].to_numpy())
        assert set(cells["period"] - cells["year"]) == {0, -1}  # two-year periods, yearly distances
        sh_nb = m[(m["origin"] == "310100") & (m["dest"] == "330200")].groupby("year")["distance"].first()
        assert [round(sh_nb[y], 3) for y in (2007, 2008, 2009)] == [3.247, 3.015, 2.673]
        grav = pd.read_csv(res / "flows" / "gravity.csv")
        cmp = pd.read_csv(work / "results" / "tiny" / "flows" / "gravity_distance_comparison.csv")
        assert grav["model"].nunique() == cmp["model"].nunique()
        sc = pd.read_parquet(res / "flows" / "scenarios.parquet")
        post = sc[
            (sc["scenario"] == "without_hangzhou_bay_bridge") & (sc["window"] == "post") & (sc["group"] == "total")
        ]
        assert (post.set_index("target").loc["south_of_bay", "shift"] < 0) == (
            grav.set_index(["model", "term"]).loc[("pooled", "log_distance"), "estimate"] < 0
        )
    finally:
        shutil.rmtree(work)
