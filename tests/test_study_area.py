"""The study area (geography.study_area, issue 18): rows of firms outside it are counted and kept
in a side table, and moves across its boundary are flows to and from the province outside.

Unit tests on hand-made tables with known answers, the configuration checks, and an end-to-end
run of the tiny world's raw files as a user's national file: study area the 16 cities of 2003, and
the 2004 file edited so that three Shanghai firms reappear in Wuhan (420102) and two firms are in
Beijing (110101), as in a national survey file.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from yrd.config_semantic import study_area_errors
from yrd.flows.shanghai import focus_flows
from yrd.study_area import (
    flag_moves,
    flow_prefectures,
    node_label,
    outside_flows,
    split_by_study_area,
    study_area_counts,
    study_area_prefectures,
)

PREFECTURES = "resources/regions/prefectures.csv"
CLASSES = {"13": "labour", "37": "capital"}


def test_study_areas_are_the_region_sets_and_china_is_everything():
    assert len(study_area_prefectures("yrd16_2003", PREFECTURES)) == 16
    assert len(study_area_prefectures("yrd41_2019", PREFECTURES)) == 41
    assert study_area_prefectures("yrd16_2003", PREFECTURES) < study_area_prefectures("yrd41_2019", PREFECTURES)
    assert study_area_prefectures("china", PREFECTURES) is None
    with pytest.raises(ValueError, match="unknown study area"):
        study_area_prefectures("yrd26_2016", PREFECTURES)


def test_rows_outside_are_split_off_and_counted_per_file():
    rec = pd.DataFrame(
        {
            "source_file": ["a.csv"] * 4 + ["b.csv"] * 2,
            "prefecture": ["310100", "420100", "320500", "110100", "340100", "330100"],
        }
    )
    codes = study_area_prefectures("yrd16_2003", PREFECTURES)
    inside, outside = split_by_study_area(rec, codes)
    assert inside["prefecture"].tolist() == ["310100", "320500", "330100"]
    assert outside["prefecture"].tolist() == ["420100", "110100", "340100"]  # Hefei: Anhui is not in the 16
    recon = pd.DataFrame({"source_file": ["a.csv", "b.csv"], "rows_read": [5, 2], "rows_clean": [4, 2]})
    out = study_area_counts(recon, outside, "yrd16_2003")
    assert out.columns.tolist() == [
        "source_file",
        "rows_read",
        "rows_clean",
        "study_area",
        "rows_in_study_area",
        "rows_outside_study_area",
    ]
    assert out["rows_outside_study_area"].tolist() == [2, 1]
    assert out["rows_in_study_area"].tolist() == [2, 1]
    assert (out["rows_in_study_area"] + out["rows_outside_study_area"] == out["rows_clean"]).all()
    with pytest.raises(ValueError, match="missing in the reconciliation"):
        study_area_counts(recon.iloc[:1], outside, "yrd16_2003")
    # all of China: nothing is outside
    assert len(split_by_study_area(rec, study_area_prefectures("china", PREFECTURES))[1]) == 0


def moves_table() -> pd.DataFrame:
    """Six moves with known study-area status for the 16 cities of 2003."""
    return pd.DataFrame(
        {
            "firm_id": [1, 2, 3, 4, 5, 6],
            "year": [2001, 2001, 2002, 2002, 2003, 2020],
            "origin_prefecture": ["310100", "310100", "420100", "310100", "340100", "310100"],
            "dest_prefecture": ["420100", "320500", "310100", "340200", "320300", "420100"],
            "industry": ["13", "13", "37", "99", "13", "13"],
        }
    )


def test_crossing_moves_become_flows_to_and_from_the_outside_province():
    codes = study_area_prefectures("yrd16_2003", PREFECTURES)
    m = flag_moves(moves_table(), codes)
    assert m["origin_in_study_area"].tolist() == [True, True, False, True, False, True]
    assert m["dest_in_study_area"].tolist() == [False, True, True, False, False, False]
    study = sorted(codes)
    f = outside_flows(m, study, range(2000, 2004), CLASSES)
    # crossing: moves 1 (out to Hubei), 3 (in from Hubei), 4 (out to Anhui), 6 (outside the years)
    assert f.attrs["n_crossing"] == 4 and f.attrs["n_counted"] == 3
    assert f.attrs["dropped"] == {"outside_prefectures": 0, "outside_years": 1}
    nodes = sorted(set(f.loc[f["direction"] == "out", "dest"]))
    assert nodes == ["340000", "420000"]
    # every study prefecture x node x direction x year x group, zeros included
    assert len(f) == 16 * 2 * 2 * 4 * 6
    tot = f[(f["group"] == "total") & (f["moves"] > 0)].sort_values(["year", "origin"])
    assert tot[["year", "origin", "dest", "direction", "moves"]].values.tolist() == [
        [2001, "310100", "420000", "out", 1],
        [2002, "310100", "340000", "out", 1],  # industry 99 has no class: total only
        [2002, "420000", "310100", "in", 1],
    ]
    assert f.loc[f["group"] != "total", "moves"].sum() == 2
    # nothing crosses: an empty table with the columns
    none = outside_flows(flag_moves(moves_table().iloc[[1]], codes), study, range(2000, 2004), CLASSES)
    assert len(none) == 0 and none.columns.tolist() == ["year", "origin", "dest", "group", "direction", "moves"]


def test_flow_prefectures_is_the_study_area_within_the_flow_region_set():
    boundaries = study_area_prefectures("yrd41_2019", PREFECTURES)
    assert len(flow_prefectures(boundaries, "yrd16_2003", None, PREFECTURES)) == 16
    assert len(flow_prefectures(boundaries, "yrd41_2019", None, PREFECTURES)) == 41
    assert len(flow_prefectures(boundaries, "yrd41_2019", "yrd16_2003", PREFECTURES)) == 16
    assert len(flow_prefectures(boundaries, "china", None, PREFECTURES)) == 41


def test_shanghai_table_has_a_row_for_each_outside_province():
    codes = study_area_prefectures("yrd16_2003", PREFECTURES)
    m = flag_moves(moves_table(), codes)
    od = pd.DataFrame(
        {
            "year": [2001, 2002],
            "origin": ["310100"] * 2,
            "dest": ["320500"] * 2,
            "group": ["total"] * 2,
            "moves": [1, 0],
        }
    ).astype({"year": "int64"})
    out = outside_flows(m, sorted(codes), range(2001, 2003), CLASSES)
    t = focus_flows(od, {"310100": "shanghai", "320500": "sunan"}, "310100", outside=out)
    tot = t[t["group"] == "total"].set_index(["year", "partner"])
    assert tot.loc[(2001, "outside_420000"), "outflow"] == 1
    assert tot.loc[(2002, "outside_420000"), "inflow"] == 1
    assert tot.loc[(2002, "outside_340000"), "outflow"] == 1
    assert tot.loc[(2002, "outside"), "net_outflow"] == 0
    assert tot.loc[(2001, "all"), "outflow"] == 1  # "all" stays the study area
    assert np.isnan(tot.loc[(2001, "outside"), "outflow_share"])
    assert node_label("420000") == ("湖北（研究区外）", "Hubei (outside the study area)")


def base_config() -> dict:
    return {
        "run": {"synthetic": True},
        "geography": {"study_area": "yrd41_2019", "region_set": "yrd16_2003", "provinces": ["31", "32", "33", "34"]},
        "flows": {"region_set": None},
    }


def test_config_checks_name_the_key():
    assert list(study_area_errors(base_config())) == []
    c = base_config()
    c["geography"]["study_area"] = "yrd16_2003"
    c["geography"]["region_set"] = "yrd41_2019"
    c["flows"]["region_set"] = "yrd41_2019"
    msgs = list(study_area_errors(c))
    assert any(m.startswith("config key 'geography.region_set'") for m in msgs)
    assert any(m.startswith("config key 'flows.region_set'") for m in msgs)
    assert any(m.startswith("config key 'geography.study_area': a synthetic world") for m in msgs)
    c = base_config()
    c["geography"]["provinces"] = ["31", "32", "33"]
    assert any("needs the boundaries of provinces ['34']" in m for m in study_area_errors(c))
    c = base_config()
    c["run"]["synthetic"] = False
    c["geography"]["study_area"] = "china"
    assert any(m.startswith("config key 'geography.provinces'") for m in study_area_errors(c))


# --- end to end: a national file ------------------------------------------------------------

WUHAN, BEIJING = "420102", "110101"


def nationalise_2004(raw, truth_records: pd.DataFrame, truth_panel: pd.DataFrame) -> dict:
    """Edit the tiny world's 2004 file (csv, GBK, Chinese headers) in place: three Shanghai firms
    whose last year is 2004 (observed in 2003) reappear in Wuhan, and two firms seen only in 2004
    are put in Beijing. Returns the true firm ids of each."""
    path = raw / "asif_2004.csv"
    d = pd.read_csv(path, dtype=str, encoding="gbk", keep_default_na=False)
    rec = truth_records[
        (truth_records["source_file"] == "asif_2004.csv") & ~truth_records["invalid"] & ~truth_records["duplicate"]
    ]
    years = truth_panel.groupby("true_firm_id")["year"].agg(["min", "max", "nunique"])
    rec = rec.assign(county=d["行政区别"].to_numpy()[rec["source_row"].to_numpy()])
    rec = rec.join(years, on="true_firm_id")
    # largest first, so that the movers also meet the consistent sample's threshold in both years
    output = pd.to_numeric(d["工业总产值(当年价格)"], errors="coerce").to_numpy()[rec["source_row"].to_numpy()]
    rec = rec.assign(output=output).sort_values("output", ascending=False, kind="stable")
    in_sh = rec["county"].str.startswith("31")
    # the firm's one row in 2004 (no exact duplicate of it elsewhere in the file)
    single = ~rec["true_firm_id"].duplicated(keep=False)
    movers = rec[in_sh & single & (rec["max"] == 2004) & (rec["min"] <= 2003) & (rec["nunique"] >= 2)].head(3)
    beijing = rec[in_sh & single & (rec["min"] == 2004) & (rec["max"] == 2004)].head(2)
    assert len(movers) == 3 and len(beijing) == 2, (len(movers), len(beijing))
    for rows, county, city in ((movers, WUHAN, "湖北省武汉市江岸区"), (beijing, BEIJING, "北京市东城区")):
        i = rows["source_row"].to_numpy()
        d.loc[i, "行政区别"] = county
        d.loc[i, "街道地址"] = [f"{city}解放大道{k + 1}号" for k in range(len(i))]
        d.loc[i, "区号"] = "027" if county == WUHAN else "010"
    d.to_csv(path, index=False, encoding="gbk")
    return {"movers": movers["true_firm_id"].tolist(), "beijing": beijing["true_firm_id"].tolist()}


@pytest.fixture(scope="module")
def national_run(tiny_run, tmp_path_factory):
    from test_feedback_workflow import user_config

    from helpers.workflow import copy_workflow, snakemake

    work = copy_workflow(tmp_path_factory.mktemp("national"))
    (work / "data").mkdir()
    world = tiny_run / "resources" / "raw" / "tiny"
    for p in sorted(world.glob("asif_*.*")):
        shutil.copy(p, work / "data" / p.name)
    ids = nationalise_2004(
        work / "data",
        pd.read_parquet(world / "truth" / "records.parquet"),
        pd.read_parquet(world / "truth" / "panel.parquet", columns=["true_firm_id", "year"]),
    )
    cfg = user_config(work).replace("tiny_user", "tiny_national")
    cfg = cfg.replace(
        "geography: {region_set: yrd16_2003}", "geography: {study_area: yrd16_2003, region_set: yrd16_2003}"
    )
    (work / "config" / "tiny_national.yaml").write_text(cfg, encoding="utf-8")
    targets = [
        "results/tiny_national/claims.csv",
        "results/tiny_national/flows/shanghai.parquet",
        "results/tiny_national/figures/flow_map_shanghai.png",
        "results/tiny_national/figures/flow_map_shanghai.html",
    ]
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny_national.yaml", "--", *targets)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    return work / "results" / "tiny_national", ids


@pytest.mark.workflow
def test_reconciliation_counts_the_rows_outside_the_study_area(national_run):
    res, _ = national_run
    recon = pd.read_csv(res / "clean" / "reconciliation.csv")
    outside = pd.read_parquet(res / "clean" / "outside_study_area.parquet")
    records = pd.read_parquet(res / "clean" / "records.parquet")
    assert (recon["rows_in_study_area"] + recon["rows_outside_study_area"] == recon["rows_clean"]).all()
    assert recon["rows_outside_study_area"].sum() == len(outside) > 0
    assert recon["rows_in_study_area"].sum() == len(records)
    assert set(recon["study_area"]) == {"yrd16_2003"}
    # the national rows are outside, not quarantined
    o4 = outside[outside["source_file"] == "asif_2004.csv"]
    assert (o4["county"] == WUHAN).sum() == 3 and (o4["county"] == BEIJING).sum() == 2
    assert set(records["prefecture"].str[:2]) <= {"31", "32", "33"}


@pytest.mark.workflow
def test_moves_to_wuhan_are_kept_and_flow_to_hubei(national_run):
    res, _ = national_run
    moves = pd.read_parquet(res / "relocations" / "moves.parquet")
    to_wuhan = moves[moves["dest_prefecture"] == "420100"]
    assert len(to_wuhan) == 3
    assert to_wuhan["origin_prefecture"].eq("310100").all() and to_wuhan["year"].eq(2004).all()
    assert (~to_wuhan["dest_in_study_area"]).all() and to_wuhan["origin_in_study_area"].all()
    od = pd.read_parquet(res / "flows" / "od_outside.parquet")
    tot = od[od["group"] == "total"]
    hubei = tot[(tot["origin"] == "310100") & (tot["dest"] == "420000")]
    assert hubei["moves"].sum() == 3 and hubei.loc[hubei["year"] == 2004, "moves"].sum() == 3
    # Anhui and the rest of Jiangsu and Zhejiang are outside the 16 cities: their flows are here too
    crossing = moves[moves["origin_in_study_area"] != moves["dest_in_study_area"]]
    assert tot["moves"].sum() == len(crossing[crossing["year"].between(1998, 2013)])
    assert {"340000", "320000", "330000"} <= set(tot.loc[tot["moves"] > 0, "dest"]) | set(
        tot.loc[tot["moves"] > 0, "origin"]
    )
    sh = pd.read_parquet(res / "flows" / "shanghai.parquet")
    row = sh[(sh["group"] == "total") & (sh["partner"] == "outside_420000") & (sh["year"] == 2004)]
    assert row["outflow"].tolist() == [3]


@pytest.mark.workflow
def test_c2_reports_the_moves_beyond_the_study_area(national_run):
    res, _ = national_run
    claims = pd.read_csv(res / "claims.csv", dtype=str, keep_default_na=False).set_index("claim")
    value = claims.loc["C2", "value"]
    assert "beyond the study area in 2000-2004 (not in the test)" in value
    assert "Hubei out 3 / in 0" in value
    log = (res / "logs" / "fig_flow_map.log").read_text(encoding="utf-8")
    assert "'420000': 3.0" in log
    page = (res / "figures" / "flow_map_shanghai.html").read_text(encoding="utf-8")
    assert "beyond the study area" in page


def test_region_groups_of_a_national_study_area():
    from yrd.study_area import region_groups

    g = region_groups(["310100", "320500", "320300", "420100", "500200"], PREFECTURES)
    assert g == {
        "310100": "shanghai",
        "320500": "sunan",
        "320300": "rest_of_jiangsu",
        "420100": "province_420000",
        "500200": "province_500000",
    }
