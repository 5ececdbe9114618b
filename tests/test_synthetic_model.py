"""The synthetic world's model: the schema documents every parameter, moves follow a gravity
law with exactly the true coefficients (recovered by PPML, as the logit-Poisson equivalence of
Guimaraes, Figueiredo and Woodward 2003 says), runs are deterministic, integration can be
switched off, effective distances are the real road travel times at one speed, new firms follow
China's national industry mix, and the ASIF threshold lets firms leave the sample without
moving."""

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.resources import (
    AREACODES_CSV,
    CLASSES_CSV,
    CONFIG_SCHEMA,
    NAMES_2002_CSV,
    national_employment,
    road_times,
)
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
    geo, ind, ind4, shares = model_inputs(
        pref, cty, CENSUS, industry_classes(CLASSES_CSV), names, None, params, road_times(), national_employment()
    )
    return geo, ind, ind4, shares, params


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
    geo, ind, ind4, shares, params = _world(layers, firms_initial=20000, beta_log_distance=-1.1, beta_border=-0.9)
    res = simulate(geo, ind, params, ind4, shares=shares)
    m = res.moves[res.moves["kind"] == "between_prefectures"].copy()
    m["o"] = m["origin_county"].str[:4] + "00"
    m["d"] = m["dest_county"].str[:4] + "00"
    m["g"] = m["industry"].map(ind.set_index("code")["relocation_class"])
    codes = list(geo.pref_codes)
    idx = pd.MultiIndex.from_product([sorted(m["year"].unique()), codes, codes, CLASSES], names=["year", "o", "d", "g"])
    f = m.groupby(["year", "o", "d", "g"]).size().reindex(idx, fill_value=0).rename("moves").reset_index()
    f = f[f["o"] != f["d"]]
    # the distances the firms faced: each year's effective road distance (truth/distances.parquet)
    dist = res.distances.rename(columns={"origin": "o", "dest": "d"}).astype({"year": int})
    f = f.merge(dist[["year", "o", "d", "distance_km"]], on=["year", "o", "d"], validate="many_to_one")
    f["ldist"] = np.log(f["distance_km"])
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
    geo, ind, ind4, shares, params = _world(layers, firms_initial=1500)
    a = simulate(geo, ind, params, ind4, shares=shares)
    b = simulate(geo, ind, params, ind4, shares=shares)
    pd.testing.assert_frame_equal(a.panel, b.panel)
    pd.testing.assert_frame_equal(a.moves, b.moves)
    geo2, ind2, ind42, shares2, params2 = _world(layers, firms_initial=1500, seed=7)
    c = simulate(geo2, ind2, params2, ind42, shares=shares2)
    assert not a.panel[["county", "employment"]].equals(c.panel[["county", "employment"]])


def test_integration_switched_off_keeps_costs_flat(layers):
    geo, ind, ind4, shares, params = _world(layers, firms_initial=1500, integration_start=0.0, integration_end=0.0)
    res = simulate(geo, ind, params, ind4, shares=shares)
    st = res.prefecture_years.drop_duplicates("year")
    assert st["trade_cost_per_100km"].nunique() == 1
    assert st["border_trade_cost"].iloc[0] == params.border_cost_max
    geo, ind, ind4, shares, params = _world(layers, firms_initial=1500)
    st = simulate(geo, ind, params, ind4, shares=shares).prefecture_years.drop_duplicates("year")
    assert st["trade_cost_per_100km"].is_monotonic_decreasing and st["trade_cost_per_100km"].nunique() > 10


def test_effective_distances_are_road_times_at_one_speed(layers):
    geo, ind, ind4, shares, params = _world(layers, firms_initial=1500)
    off = ~np.eye(len(geo.pref_codes), dtype=bool)
    d98 = effective_distance(geo, params, params.start)
    # one speed: in the first study year the effective distances add up to the great-circle ones
    assert d98[off].sum() == pytest.approx(geo.dist[off].sum())
    assert 40 < geo.road_speed < 120
    np.testing.assert_allclose(np.diag(d98), np.diag(geo.dist))
    # the Hangzhou Bay Bridge (2008) is in the real times: Shanghai-Ningbo shrinks, Shanghai-Jiaxing does not
    i, j, k = (list(geo.pref_codes).index(c) for c in ("310100", "330200", "330400"))
    d07, d09 = effective_distance(geo, params, 2007), effective_distance(geo, params, 2009)
    h = road_times().set_index(["year", "origin", "dest"])["hours"]
    assert d09[i, j] / d07[i, j] == pytest.approx(h[2009, "310100", "330200"] / h[2007, "310100", "330200"])
    assert d09[i, j] < 0.85 * d07[i, j]
    assert d09[i, k] == pytest.approx(d07[i, k])
    # burn-in years face the network of the first study year; a frozen network never changes
    np.testing.assert_array_equal(effective_distance(geo, params, params.start - 3), d98)
    frozen = dataclasses.replace(params, road_times_year=params.start)
    np.testing.assert_array_equal(effective_distance(geo, frozen, 2013), d98)
    with pytest.raises(ValueError, match="road travel times cover"):
        effective_distance(geo, dataclasses.replace(params, road_times_year=1990), 2000)
    # the truth holds the distances used, every recorded year and ordered pair
    res = simulate(geo, ind, params, ind4, shares=shares)
    dist = res.distances.set_index(["year", "origin", "dest"])["distance_km"]
    assert len(dist) == (params.end - params.start + 1) * len(geo.pref_codes) ** 2
    assert dist[2009, "310100", "330200"] == pytest.approx(d09[i, j])


def test_new_firms_follow_the_national_industry_mix(layers):
    geo, ind, ind4, shares, params = _world(layers, firms_initial=6000)
    nat = national_employment().pivot(index="year", columns="code", values="share")
    assert np.allclose(shares.sum(axis=1), 1.0)
    pd.testing.assert_series_equal(shares.loc[params.start - 1], nat.loc[params.start], check_names=False)
    pd.testing.assert_series_equal(shares.loc[2010], nat.loc[2010], check_names=False)
    res = simulate(geo, ind, params, ind4, shares=shares)
    pop = res.population[res.population["year"] == params.start]
    firms = pop.groupby("industry")["firms"].sum()
    sim = firms / firms.sum()
    # firm counts by division track the national employment shares (sizes are class-free)
    assert np.corrcoef(sim.reindex(nat.columns, fill_value=0), nat.loc[params.start])[0, 1] > 0.95


def test_threshold_sample_entry_without_moving(layers):
    geo, ind, ind4, shares, params = _world(layers, firms_initial=3000)
    res = simulate(geo, ind, params, ind4, shares=shares)
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


def test_foreign_entrants_locate_by_their_own_weights(layers):
    """Foreign-invested firms (310 HK/Macau/Taiwan, 230 foreign) are an outcome of their location
    choice: with a strong true port weight their share is much higher in the seaports than
    elsewhere; with every foreign weight 0 it is about the same."""
    base = _params().foreign

    def shares(**weights):
        foreign = {**base, "port": 0.0, "market_access": 0.0, "urban": 0.0, "size_premium": 0.0, **weights}
        geo, ind, ind4, sh, params = _world(layers, firms_initial=3000, foreign=foreign)
        p = simulate(geo, ind, params, ind4, shares=sh).panel
        assert {"230", "310"} <= set(p["reg_type"])
        port = dict(zip(geo.pref_codes, geo.port, strict=True))
        pref = p["county"].map(dict(zip(geo.county_codes, geo.pref_codes[geo.county_pref], strict=True)))
        at_port = pref.map(port) >= 1.0
        f = p["reg_type"].isin(["230", "310"])
        return f[at_port].mean(), f[~at_port].mean()

    port_share, other_share = shares(port=3.0)
    assert port_share > 2.5 * other_share
    flat_port, flat_other = shares()
    assert 0.6 < flat_port / flat_other < 1.6
