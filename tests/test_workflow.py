"""Snakemake end to end on the tiny config, lint, report, and clear failure on a bad config."""

import geopandas as gpd
import pandas as pd
import pytest

from conftest import copy_workflow, snakemake

pytestmark = pytest.mark.workflow


def test_tiny_run_outputs(tiny_run):
    res = tiny_run / "results"
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
    html = (tiny_run / "results" / "report.html").read_text(encoding="utf-8", errors="ignore")
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
