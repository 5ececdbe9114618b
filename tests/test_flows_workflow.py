"""The flows rules end to end on the tiny world (skipped until workflow/rules/flows.smk is
included by the Snakefile)."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers.workflow import ROOT

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
    val = json.loads((res / "validation" / "gravity.json").read_text())
    assert set(val["parameters"]) == {"beta_log_distance", "beta_border"}
    for rule in ["od_panel", "gravity", "shanghai_flows", "scenarios", "validate_gravity"]:
        assert (res / "logs" / f"{rule}.log").exists()
