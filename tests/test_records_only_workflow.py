"""A records-only run (run.asif: false, issue 16): a user's business-registration extracts and no
survey. The run ends with claims, figures and a report in which the parts that need the ASIF
survey say "no data", C2/C3 take their verdict from the registered address changes, and the
flows are those of the two registration sources."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from helpers.workflow import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

NO_SURVEY = "no ASIF survey data in this run (run.asif: false, a records-only run)"


def records_config(changes: list[str], investments: list[str]) -> str:
    return (
        "\n".join(
            [
                "run: {name: tiny_records, synthetic: false, asif: false}",
                "geography: {region_set: yrd16_2003}",
                "registration:",
                "  changes: [" + ", ".join(changes) + "]",
                "  investments: [" + ", ".join(investments) + "]",
                "plotting: {dpi: 80}",
            ]
        )
        + "\n"
    )


@pytest.fixture(scope="module")
def records_run(tiny_run, tmp_path_factory):
    """The tiny world's registration extracts fed in as a user's own, without the survey files."""
    work = copy_workflow(tmp_path_factory.mktemp("records"))
    (work / "data").mkdir()
    names = {"changes": [], "investments": []}
    for p in sorted((tiny_run / "resources" / "raw" / "tiny" / "registration").glob("*.*")):
        shutil.copy(p, work / "data" / p.name)
        names["changes" if p.name.startswith("changes_") else "investments"].append(f"data/{p.name}")
    assert len(names["changes"]) == 5 and len(names["investments"]) == 4, names
    (work / "config" / "tiny_records.yaml").write_text(
        records_config(names["changes"], names["investments"]), encoding="utf-8"
    )
    res = snakemake(work, "--cores", "2", "--configfile", "config/tiny_records.yaml")
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    rep = snakemake(
        work, "--cores", "1", "--configfile", "config/tiny_records.yaml", "--report", "results/tiny_records/report.html"
    )
    assert rep.returncode == 0, rep.stdout[-3000:] + rep.stderr[-3000:]
    return work


def test_no_survey_step_runs_and_no_world_is_generated(records_run):
    res = records_run / "results" / "tiny_records"
    assert not (records_run / "resources" / "raw").exists(), "the records-only run generated a synthetic world"
    for survey_output in ("clean/firm_years.parquet", "relocations/moves.parquet", "flows/od.parquet"):
        assert not (res / survey_output).exists(), survey_output
    assert (res / "registration" / "relocation_events.parquet").exists()
    assert (res / "report.html").stat().st_size > 100_000


def test_survey_claims_say_no_data_and_c2_c3_use_the_records(records_run):
    claims = pd.read_csv(records_run / "results" / "tiny_records" / "claims.csv", dtype=str, keep_default_na=False)
    c = claims.set_index("claim")
    for claim in ("C1", "C5", "C7"):
        assert c.loc[claim, "verdict"] == "no data"
        assert c.loc[claim, "value"] == NO_SURVEY
    for claim in ("C4", "C6"):  # real public data: independent of the survey
        assert c.loc[claim, "verdict"] != "no data"
    for claim in ("C2", "C3"):
        assert c.loc[claim, "notes"].startswith(
            "No ASIF survey data in this run: the verdict is the same test on the registered address changes."
        )
        assert c.loc[claim, "value"].startswith("registered address changes:")
    html = (records_run / "results" / "tiny_records" / "claims.html").read_text(encoding="utf-8")
    assert html.count(NO_SURVEY) >= 3


def test_flows_are_those_of_the_registration_sources(records_run):
    res = records_run / "results" / "tiny_records"
    gravity = pd.read_csv(res / "flows" / "sources" / "gravity.csv")
    assert set(gravity["source"]) == {"changes", "investments"}
    links = pd.read_parquet(res / "registration" / "links.parquet")
    assert set(links["method"]) == {"none"}  # no survey to link to
    expansions = pd.read_parquet(res / "registration" / "expansion_events.parquet")
    assert len(expansions) > 0 and set(expansions["origin_method"]) == {"key_area_code"}
