"""The national geography (boundaries of all 31 mainland provincial units) and the small national
synthetic world (config/national_tiny.yaml, rule simulate)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.workflow import copy_workflow, snakemake
from yrd.boundaries import OUTSIDE_GROUP, add_region_attributes, build_boundaries
from yrd.geography import code_history
from yrd.synthetic.national import census_population, fill_road_hours, synthetic_place_codes

AREACODES = "resources/areacodes/result.csv"
CENSUS = "resources/census/census_city_2010-2020_v1_nogeom.csv"
MAINLAND = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
            "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]  # fmt: skip


@pytest.fixture(scope="module")
def national(root):
    skipped: list[dict] = []
    pref, cty = build_boundaries(MAINLAND, 2021, history=root / AREACODES, skipped=skipped)
    return add_region_attributes(pref, root / "resources/regions/prefectures.csv"), cty, skipped


@pytest.mark.slow
def test_national_boundaries_cover_every_prefecture_and_county(national, root):
    pref, cty, skipped = national
    # 333 prefecture-level units of the 2021 list + Beijing, Tianjin, Shanghai, Chongqing's
    # districts and counties + 4 units of province-administered county-level units
    assert len(pref) == 342 and pref["code"].is_unique
    assert {"110100", "120100", "310100", "500100", "500200", "419000", "429000", "469000", "659000"} <= set(
        pref["code"]
    )
    assert set(cty["prefecture_code"]) == set(pref["code"])
    assert len(cty) == 2846 and cty["code"].is_unique
    # cities without counties: the city is its own county
    assert {"441900", "442000", "460400", "620200"} <= set(cty["code"])
    hist = code_history(root / AREACODES)
    in_force = hist[(hist["level"] == "county") & (hist["valid_from"] <= 2021) & (hist["valid_to"] > 2021)]
    in_force = in_force[in_force["code"].str[:2].isin(MAINLAND)]
    # every areacodes county has a polygon or is reported, and every cnmaps record left out is reported
    no_poly = set(in_force["code"]) - set(cty["code"])
    assert no_poly == {s["code"] for s in skipped if s["code"]} == {"659011"}
    assert sorted(s["district"] for s in skipped if not s["code"]) == ["加格达奇区", "海西蒙古族藏族自治州直辖"]
    assert (pref.loc[~pref["code"].str[:2].isin(["31", "32", "33", "34"]), "group"] == OUTSIDE_GROUP).all()
    assert pref["province_zh"].notna().all() and (pref["area_km2"] > 0).all()


@pytest.mark.slow
def test_every_census_city_is_matched_or_listed_with_a_reason(national, root):
    pref, cty, _ = national
    census = pd.read_csv(root / CENSUS, dtype={"city_code": str})
    pop, report = census_population(census, pref, cty)
    assert pop.notna().all() and (pop > 0).all() and len(pop) == len(pref)
    rows = report[report["source"] == "census"]
    assert len(rows) == len(census) == 369
    unmatched = rows[rows["rule"].str.startswith("unmatched")]
    assert set(unmatched["city_code"]) == {"810000", "820000"}
    # real populations: a prefecture's is its census 2010 count; the xx90yy units are summed
    c = census.set_index("city_code")["popu_2010"]
    assert pop["320500"] == c["320500"] and pop["440300"] == c["440300"]
    assert pop["429000"] == pytest.approx(c[["429004", "429005", "429006", "429021"]].sum())
    assert pop["500100"] + pop["500200"] == pytest.approx(c["500100"])
    assert set(report.loc[report["source"] == "unit", "unit"]) == {"500200", "659000"}


def test_road_hours_fallback_keeps_timed_pairs_and_uses_their_speed():
    d = np.array([[0.0, 100.0, 300.0], [100.0, 0.0, 200.0], [300.0, 200.0, 0.0]])
    h = np.full((2, 3, 3), np.nan)
    h[:, 0, 1] = h[:, 1, 0] = [2.0, 1.0]
    out, n = fill_road_hours(h, d)
    assert n == 2 * 4
    assert out[0, 0, 1] == 2.0 and out[1, 0, 1] == 1.0
    assert out[0, 0, 2] == pytest.approx(300 / 50) and out[1, 1, 2] == pytest.approx(200 / 100)
    assert np.isnan(np.diagonal(out, axis1=1, axis2=2)).all()


def test_synthetic_place_codes_are_unique_and_leave_the_yrd_alone():
    area, post = synthetic_place_codes(["110100", "120100", "320500", "440100", "440300"], {"320500"})
    assert "320500" not in area and len(set(area.values())) == 4
    assert post["440100"] == "510" and post["440300"] == "511"


@pytest.mark.workflow
def test_small_national_world_spans_china(tmp_path):
    work = copy_workflow(tmp_path / "work")
    snakemake(work, "--cores", "2", "resources/raw/national_tiny/truth/panel.parquet", "--configfile",
              "config/national_tiny.yaml")  # fmt: skip
    truth = work / "resources/raw/national_tiny/truth"
    panel = pd.read_parquet(truth / "panel.parquet")
    prefs = panel["county"].astype(str).str[:4] + "00"
    assert prefs.nunique() >= 300
    assert prefs.str[:2].nunique() == 31
    assert {"441900", "442000", "500200", "429000"} <= set(prefs)  # a city without counties, Chongqing, 9xxx units
    # real populations: the population of the truth's prefectures is the census one
    census = pd.read_csv(work / CENSUS, dtype={"city_code": str}).set_index("city_code")["popu_2010"]
    py = pd.read_parquet(truth / "prefecture_years.parquet")
    assert py["prefecture"].nunique() >= 330
    dist = pd.read_parquet(truth / "distances.parquet")
    assert np.isfinite(dist["distance_km"]).all() and (dist["distance_km"] > 0).all()
    one = dist[dist["year"] == 2005].pivot(index="origin", columns="dest", values="distance_km")
    assert np.allclose(one.to_numpy(), one.to_numpy().T, rtol=1e-6)
    # Beijing-Guangzhou by the fallback: about the great-circle distance (1,890 km), shrinking later
    assert 1500 < one.loc["110100", "440100"] < 2300
    moves = pd.read_parquet(truth / "moves.parquet")
    o, d = moves["origin_county"].astype(str).str[:2], moves["dest_county"].astype(str).str[:2]
    yrd = ["31", "32", "33", "34"]
    assert ((o != d) & ~o.isin(yrd) & ~d.isin(yrd)).sum() > 10
    # firms where people are: entrants choose prefectures with weight N_p (census population)
    firms = panel[panel["year"] == 1998].groupby(prefs[panel["year"] == 1998]).size()
    common = firms.index.intersection(census.index)
    assert len(common) >= 250
    assert np.corrcoef(np.log(firms[common]), np.log(census[common]))[0, 1] > 0.4
