"""The claim figures, claims table and report on the tiny world end to end (tiny_run fixture).

Skipped until workflow/rules/report.smk is included in the Snakefile (integration step)."""

from __future__ import annotations

import pandas as pd
import pytest
from PIL import Image

from yrd.claims import VERDICTS

pytestmark = pytest.mark.workflow

FIGURES = [
    "c1_concentration_integration.png",
    "c2_shanghai_net_outflows.png",
    "flow_map_shanghai.png",
    "c3_relocations_sh_js_zj.png",
    "c5_similarity_heatmaps.png",
    "c5_similarity_trend.png",
    "c6_eu_disparities.png",
    "c7_lq_sunan.png",
    "c7_kdensity.png",
    "counterfactuals.png",
]


@pytest.fixture(scope="module")
def run(root, request):
    if 'include: "workflow/rules/report.smk"' not in (root / "Snakefile").read_text():
        pytest.skip("workflow/rules/report.smk is not included in the Snakefile yet")
    return request.getfixturevalue("tiny_run")


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_a_valid_png(run, name):
    path = run / "results" / "figures" / name
    assert path.is_file(), name
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG" and min(im.size) > 200


def test_c4_figures_absent_without_configured_data(run):
    assert not (run / "results" / "figures" / "c4_market_segmentation.png").exists()
    assert not (run / "results" / "figures" / "c4_integration_profile.png").exists()


def test_claims_table_has_every_claim_with_an_allowed_verdict(run):
    t = pd.read_csv(run / "results" / "claims.csv", dtype=str, keep_default_na=False)
    assert t["claim"].tolist() == [f"C{i}" for i in range(1, 8)]
    assert set(t["verdict"]) <= set(VERDICTS)
    assert t.set_index("claim").loc["C4", "verdict"] == "no data"
    assert (t["test"].str.len() > 20).all() and (t["evidence"].str.len() > 0).all()


def test_report_contains_figures_claims_and_config(run):
    html = (run / "results" / "report.html").read_text(encoding="utf-8")
    for name in [*FIGURES, "claims.csv", "claims.html", "Configuration of this run"]:
        assert name in html, name
