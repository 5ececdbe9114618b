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


@pytest.fixture(scope="module")
def national_tiny(tmp_path_factory):
    """A copy of the workflow with the small national world generated in it."""
    work = copy_workflow(tmp_path_factory.mktemp("national_tiny") / "work")
    res = snakemake(work, "--cores", "2", "resources/raw/national_tiny/truth/panel.parquet", "--configfile",
                    "config/national_tiny.yaml")  # fmt: skip
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return work


@pytest.mark.workflow
def test_small_national_world_spans_china(national_tiny):
    work = national_tiny
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


# --- the national world's raw files as a user's national survey file, study area the YRD -------

WAN_YEARS = (2004, 2009)  # the synthetic files' money unit (synthetic.raw.money_unit)


@pytest.fixture(scope="module")
def national_file_run(national_tiny):
    """The small national world's 16 raw files fed in as a user's own (run.synthetic: false) with
    the default study area (yrd41_2019): the reconciliation must count the rows of the rest of
    China and Shanghai's moves to it must be in the flow tables (issue 18)."""
    raw = sorted((national_tiny / "resources/raw/national_tiny").glob("asif_*.*"))
    assert len(raw) == 16
    files = ", ".join(f'"{p.stem[5:]}": {p.relative_to(national_tiny).as_posix()}' for p in raw)
    units = ", ".join(f'"{p.stem[5:]}": {"wan" if int(p.stem[5:]) in WAN_YEARS else "qian"}' for p in raw)
    (national_tiny / "config" / "national_file.yaml").write_text(
        "run: {name: national_file, synthetic: false}\n"
        "geography: {study_area: yrd41_2019, region_set: yrd41_2019}\n"
        f"ingest: {{files: {{{files}}}, money_unit: {{{units}}}}}\n"
        "plotting: {dpi: 80}\n",
        encoding="utf-8",
    )
    targets = ["results/national_file/claims.csv", "results/national_file/flows/shanghai.parquet"]
    res = snakemake(national_tiny, "--cores", "2", "--configfile", "config/national_file.yaml", "--", *targets)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return national_tiny / "results" / "national_file"


@pytest.mark.workflow
def test_national_file_with_the_yrd_as_study_area(national_file_run, national_tiny):
    res = national_file_run
    recon = pd.read_csv(res / "clean" / "reconciliation.csv")
    assert (recon["rows_in_study_area"] + recon["rows_outside_study_area"] == recon["rows_clean"]).all()
    assert (
        recon["rows_read"] == recon["rows_clean"] + recon["rows_quarantined"] + recon["exact_duplicates_removed"]
    ).all()
    outside = pd.read_parquet(res / "clean" / "outside_study_area.parquet")
    assert len(outside) == recon["rows_outside_study_area"].sum()
    # the national world puts most firms outside the YRD; none of them is quarantined for it
    assert recon["rows_outside_study_area"].sum() > recon["rows_in_study_area"].sum()
    assert outside["province"].astype(str).str[:2].nunique() >= 25
    assert not outside["province"].astype(str).str[:2].isin(["31", "32", "33", "34"]).any()
    # Shanghai's moves to the rest of China: in the moves, the outside OD table and Shanghai's table
    moves = pd.read_parquet(res / "relocations" / "moves.parquet")
    out_sh = moves[(moves["origin_prefecture"] == "310100") & ~moves["dest_in_study_area"]]
    assert len(out_sh) > 0
    od = pd.read_parquet(res / "flows" / "od_outside.parquet")
    tot = od[(od["group"] == "total") & (od["origin"] == "310100") & (od["direction"] == "out")]
    assert tot["moves"].sum() == len(out_sh[out_sh["year"].between(1998, 2013)])
    assert set(tot.loc[tot["moves"] > 0, "dest"]) == {c[:2] + "0000" for c in out_sh["dest_prefecture"]}
    sh = pd.read_parquet(res / "flows" / "shanghai.parquet")
    assert sh.loc[(sh["group"] == "total") & (sh["partner"] == "outside"), "outflow"].sum() == tot["moves"].sum()
    # moves with both ends outside the YRD are not kept (counted in the log)
    assert (moves["origin_in_study_area"] | moves["dest_in_study_area"]).all()
    log = (res / "logs" / "relocations.log").read_text(encoding="utf-8")
    assert "moves with both ends outside not kept" in log


# --- the same files with all of China as study area and region set ------------------------------


@pytest.fixture(scope="module")
def national_china_run(national_tiny):
    """The small national world's raw files as a user's own with study area and region set
    ``china``: the metrics run over every prefecture (issue 18)."""
    cfg = (national_tiny / "config" / "national_file.yaml").read_text(encoding="utf-8")
    provinces = ", ".join(f'"{p}"' for p in MAINLAND)
    cfg = cfg.replace("run: {name: national_file,", "run: {name: national_china,").replace(
        "geography: {study_area: yrd41_2019, region_set: yrd41_2019}",
        f"geography: {{study_area: china, region_set: china, provinces: [{provinces}]}}",
    )
    (national_tiny / "config" / "national_china.yaml").write_text(cfg, encoding="utf-8")
    targets = ["results/national_china/claims.csv", "results/national_china/figures/study_area.png"]
    res = snakemake(national_tiny, "--cores", "2", "--configfile", "config/national_china.yaml", "--", *targets)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return national_tiny / "results" / "national_china"


@pytest.mark.workflow
def test_metrics_over_every_prefecture_of_china(national_file_run, national_china_run):
    res = national_china_run
    fy = pd.read_parquet(res / "sample" / "consistent" / "firm_years.parquet", columns=["year", "prefecture"])
    assert fy["prefecture"].astype(str).str[:2].nunique() == 31
    spec = pd.read_parquet(res / "metrics" / "consistent" / "specialisation.parquet")
    pref = spec[(spec["level"] == "prefecture") & (spec["metric"] == "krugman_specialisation")]
    # a region with firms in a year has its specialisation that year: every prefecture, all of China
    have = {int(y): set(s.astype(str)) for y, s in fy.groupby("year")["prefecture"]}
    got = {int(y): set(s.astype(str)) for y, s in pref.groupby("year")["region"]}
    assert got == have
    assert min(len(v) for v in got.values()) > 250
    # the concentration of an industry is over all of China: its prefecture-level Hoover index
    # differs from the YRD run's (national_file_run: the same firms, region set yrd41_2019)
    conc = pd.read_parquet(res / "metrics" / "consistent" / "concentration.parquet")
    yrd = pd.read_parquet(national_file_run / "metrics" / "consistent" / "concentration.parquet")
    key = ["year", "industry", "level", "metric"]
    both = conc.merge(yrd, on=key, suffixes=("_china", "_yrd"))
    hoover = both[(both["level"] == "prefecture") & (both["metric"] == "hoover")]
    assert len(hoover) > 100 and (hoover["value_china"] != hoover["value_yrd"]).mean() > 0.9
    # C1 has no road-time index outside the YRD: no data, with the reason, not an error
    claims = pd.read_csv(res / "claims.csv")
    c1 = claims[claims["claim"] == "C1"].iloc[0]
    assert c1["verdict"] == "no data" and "claims.c1.integration" in c1["value"]
    assert (res / "figures" / "study_area.png").stat().st_size > 50_000
