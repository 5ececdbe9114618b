"""Snakemake end to end on the tiny config, lint, report, and clear failure on a bad config."""

import geopandas as gpd
import pandas as pd
import pytest

from helpers.workflow import copy_workflow, snakemake

pytestmark = pytest.mark.workflow


def test_tiny_run_outputs(tiny_run):
    res = tiny_run / "results" / "tiny"
    pref = gpd.read_parquet(res / "geography" / "boundaries_prefecture.parquet")
    assert len(pref) == 41 and pref["group"].notna().all()
    dist = pd.read_parquet(res / "geography" / "distances_prefecture.parquet")
    assert len(dist) == 41 * 41
    harm = pd.read_csv(res / "geography" / "county_harmonisation.csv", dtype=str)
    assert harm["code_vintage"].notna().all()
    png = res / "figures" / "study_area.png"
    assert png.stat().st_size > 50_000
    for rule in ["code_history", "boundaries", "study_area_map", "county_harmonisation"]:
        assert (res / "logs" / f"{rule}.log").exists()


def test_report_has_the_figure(tiny_run):
    html = (tiny_run / "results" / "tiny" / "report.html").read_text(encoding="utf-8", errors="ignore")
    assert "study_area.png" in html
    assert "SYNTHETIC" in html


def test_second_run_does_nothing(tiny_run):
    res = snakemake(tiny_run, "--cores", "1", "--configfile", "config/tiny.yaml", "--dry-run")
    assert res.returncode == 0
    assert "Nothing to be done" in res.stdout + res.stderr


def test_lint_is_clean(tiny_run):
    res = snakemake(tiny_run, "--lint", "--configfile", "config/tiny.yaml")
    assert res.returncode == 0, res.stdout + res.stderr


def test_bad_config_fails_before_any_rule(tmp_path):
    work = copy_workflow(tmp_path)
    (work / "config" / "bad.yaml").write_text("geography:\n  regon_set: yrd16_2003\n", encoding="utf-8")
    res = snakemake(work, "--cores", "1", "--configfile", "config/bad.yaml")
    assert res.returncode != 0
    assert "'geography.regon_set': unknown key" in res.stdout + res.stderr
    assert not (work / "results").exists()


def test_cleaning_stage_outputs(tiny_run):
    res = tiny_run / "results" / "tiny"
    fy = pd.read_parquet(res / "clean" / "firm_years.parquet")
    cols = [
        "firm_id",
        "year",
        "county",
        "prefecture",
        "province",
        "industry",
        "employment",
        "output",
        "source_file",
        "source_row",
    ]
    assert set(cols) <= set(fy.columns)
    q = pd.read_parquet(res / "clean" / "quarantine.parquet")
    assert list(q.columns)[:4] == ["source_file", "source_row", "column", "reason"] and len(q) > 0
    rec = pd.read_csv(res / "clean" / "reconciliation.csv")
    assert (rec["rows_read"] == rec["rows_clean"] + rec["rows_quarantined"] + rec["exact_duplicates_removed"]).all()
    assert rec["rows_clean"].sum() == len(fy)
    # every raw row is accounted for: the truth has one row per raw data row
    truth = pd.read_parquet(tiny_run / "resources" / "raw" / "tiny" / "truth" / "records.parquet")
    assert rec["rows_read"].sum() == len(truth)
    moves = pd.read_parquet(res / "relocations" / "moves.parquet")
    assert {
        "firm_id",
        "year",
        "origin_county",
        "dest_county",
        "origin_prefecture",
        "dest_prefecture",
        "industry",
    } <= set(moves.columns)
    assert (moves["origin_prefecture"] != moves["dest_prefecture"]).all()  # level: prefecture
    import json

    score = json.loads((res / "validation" / "linking.json").read_text())
    assert score["linking"]["precision"] >= 0.99 and score["linking"]["recall"] >= 0.97
    assert score["relocations"]["prefecture"]["precision"] >= 0.95
