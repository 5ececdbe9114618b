"""The synthetic world's model: the schema documents every parameter, moves follow a gravity
law with exactly the true coefficients (recovered by PPML, as the logit-Poisson equivalence of
Guimaraes, Figueiredo and Woodward 2003 says), runs are deterministic, integration can be
switched off, and the ASIF threshold lets firms leave the sample without moving."""

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.resources import AREACODES_CSV, CLASSES_CSV, CONFIG_SCHEMA, NAMES_2002_CSV
from yrd.boundaries import build_boundaries
from yrd.config import iter_schema_properties, load_schema
from yrd.industry import industry_classes, names_2002_4digit
from yrd.synthetic.model import CLASSES, WorldParams, effective_distance, simulate
from yrd.synthetic.world import model_inputs

CENSUS = pd.read_csv("resources/census/census_city_2010-2020_v1_nogeom.csv", dtype={"city_code": str})
#: The default study's configuration: the only place where the model's defaults live.
CONFIG = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))


def _params(**kw) -> WorldParams:
    """Parameters of config/config.yaml (synthetic block, period) with the fields ``kw`` replaced."""
    syn = CONFIG["synthetic"]
    params = WorldParams.from_config(
        {**copy.deepcopy(syn["model"]), "seed": syn["seed"]}, CONFIG["period"]["start"], CONFIG["period"]["end"]
    )
    return dataclasses.replace(params, **kw)


@pytest.fixture(scope="module")
def layers():
    return build_boundaries(["31", "32", "33", "34"], 2021, history=AREACODES_CSV)


def _world(layers, **kw):
    pref, cty = layers
    params = _params(**kw)
    names = names_2002_4digit(NAMES_2002_CSV)
    geo, ind, ind4 = model_inputs(pref, cty, CENSUS, industry_classes(CLASSES_CSV), names, None, params)
    return geo, ind, ind4, params


def test_schema_documents_every_parameter():
    schema = load_schema(CONFIG_SCHEMA)
    model = schema["properties"]["synthetic"]["properties"]["model"]
    keys = set(model["properties"])
    fields = {f.name for f in dataclasses.fields(WorldParams)} - {"seed", "start", "end"}
    fields = (fields - {"integration_start", "integration_end"}) | {"integration"}
    assert keys == fields
    assert set(model["properties"]["classes"]["required"]) == set(CLASSES)
    undocumented = [k for k, sub in iter_schema_properties(model) if not sub.get("description")]
    assert undocumented == []


def test_parameters_come_from_the_config_only():
    """No parameter has a default in the code: a config block missing a key is refused, naming it."""
    assert all(
        f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        for f in dataclasses.fields(WorldParams)
    )
    model = {**copy.deepcopy(CONFIG["synthetic"]["model"]), "seed": 1}
    del model["exit_base"]
    with pytest.raises(ValueError, match="exit_base"):
        WorldParams.from_config(model, 1998, 2013)
    model = {**copy.deepcopy(CONFIG["synthetic"]["model"]), "seed": 1}
    del model["classes"]["port"]["wage"]
    with pytest.raises(ValueError, match=r"port\.wage"):
        WorldParams.from_config(model, 1998, 2013)
    p = _params()
    assert p.firms_initial == CONFIG["synthetic"]["model"]["firms_initial"]
    assert p.classes == CONFIG["synthetic"]["model"]["classes"]


def test_gravity_coefficients_are_recovered_by_ppml(layers):
    pf = pytest.importorskip("pyfixest")
    geo, ind, ind4, params = _world(layers, firms_initial=20000, beta_log_distance=-1.1, beta_border=-0.9, events=[])
    res = simulate(geo, ind, params, ind4)
    m = res.moves[res.moves["kind"] == "between_prefectures"].copy()
    m["o"] = m["origin_county"].str[:4] + "00"
    m["d"] = m["dest_county"].str[:4] + "00"
    m["g"] = m["industry"].map(ind.set_index("code")["relocation_class"])
    codes = list(geo.pref_codes)
    idx = pd.MultiIndex.from_product([sorted(m["year"].unique()), codes, codes, CLASSES], names=["year", "o", "d", "g"])
    f = m.groupby(["year", "o", "d", "g"]).size().reindex(idx, fill_value=0).rename("moves").reset_index()
    f = f[f["o"] != f["d"]]
    pos = {c: i for i, c in enumerate(codes)}
    f["ldist"] = np.log(geo.dist[f["o"].map(pos), f["d"].map(pos)])
    f["border"] = (f["o"].str[:2] != f["d"].str[:2]).astype(int)
    f["ogt"] = f["o"] + f["g"] + f["year"].astype(str)
    f["dgt"] = f["d"] + f["g"] + f["year"].astype(str)
    f["pair"] = f["o"] + f["d"]
    fit = pf.fepois("moves ~ ldist + border | ogt + dgt", data=f, vcov={"CRV1": "pair"})
    est, se = fit.coef(), fit.se()
    assert m.shape[0] > 2000
    assert abs(est["ldist"] - (-1.1)) < max(4 * se["ldist"], 0.05)
    assert abs(est["border"] - (-0.9)) < max(4 * se["border"], 0.05)


def test_same_seed_same_world_other_seed_other_world(layers):
    geo, ind, ind4, params = _world(layers, firms_initial=1500)
    a = simulate(geo, ind, params, ind4)
    b = simulate(geo, ind, params, ind4)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.moves, b.moves)
    geo2, ind2, ind42, params2 = _world(layers, firms_initial=1500, seed=7)
    c = simulate(geo2, ind2, params2, ind42)
    assert not a.panel[["county", "employment"]].equals(c.panel[["county", "employment"]])


def test_integration_switched_off_keeps_costs_flat(layers):
    geo, ind, ind4, params = _world(layers, firms_initial=1500, integration_start=0.0, integration_end=0.0)
    res = simulate(geo, ind, params, ind4)
    st = res.prefecture_years.drop_duplicates("year")
    assert st["trade_cost_per_100km"].nunique() == 1
    assert st["border_trade_cost"].iloc[0] == params.border_cost_max
    geo, ind, ind4, params = _world(layers, firms_initial=1500)
    st = simulate(geo, ind, params, ind4).prefecture_years.drop_duplicates("year")
    assert st["trade_cost_per_100km"].is_monotonic_decreasing and st["trade_cost_per_100km"].nunique() > 10


def test_infrastructure_event_removes_a_detour(layers):
    event = {"name": "bridge", "year": 2008, "detour_before": 2.0, "pairs": [["330200", "310100"]]}
    geo, ind, ind4, params = _world(layers, firms_initial=1500, events=[event])
    i, j = list(geo.pref_codes).index("330200"), list(geo.pref_codes).index("310100")
    assert effective_distance(geo, params, 2007)[i, j] == pytest.approx(2 * geo.dist[i, j])
    assert effective_distance(geo, params, 2008)[i, j] == pytest.approx(geo.dist[i, j])


def test_threshold_sample_entry_without_moving(layers):
    geo, ind, ind4, params = _world(layers, firms_initial=3000)
    res = simulate(geo, ind, params, ind4)
    p = res.panel
    small = p[p["reg_type"] != "110"]
    # every non-state firm in the sample meets the year's sales threshold
    thr = np.where(small["year"] >= params.threshold_switch_year, params.threshold_late, params.threshold_early)
    assert (small["sales"] >= thr).all()
    # firms appear with gaps (below the threshold some years) although they never moved
    years = p.groupby("true_firm_id")["year"].agg(["min", "max", "size"])
    gaps = years[(years["max"] - years["min"] + 1) > years["size"]]
    movers = set(res.moves["true_firm_id"])
    assert len(set(gaps.index) - movers) > 10
    # the 2011 threshold rise shrinks the sample
    n = p.groupby("year").size()
    assert n[2011] < n[2010]
    # heavy-tailed firm sizes: the largest firms are far above the median
    assert p["employment"].quantile(0.999) > 20 * p["employment"].median()
