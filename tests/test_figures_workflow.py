"""The claim figures, claims table, run status and report on the tiny world end to end
(tiny_run fixture)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from PIL import Image

from helpers.figure_numbers import FIGURES as FIGURE_CHECKS
from helpers.figure_numbers import build, unmatched
from yrd import claims as C
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
    "c7_tested.png",
    "c7_lq_sunan.png",
    "c7_kdensity.png",
    "counterfactuals.png",
    "c4_integration_profile.png",
    "integration_index.png",
]


@pytest.fixture(scope="module")
def run(tiny_run):
    return tiny_run


@pytest.mark.parametrize("name", FIGURES)
def test_figure_is_a_valid_png(run, name):
    path = run / "results" / "tiny" / "figures" / name
    assert path.is_file(), name
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        assert im.format == "PNG" and min(im.size) > 200


def test_c4_segmentation_figure_absent_without_price_panels(run):
    assert not (run / "results" / "tiny" / "figures" / "c4_market_segmentation.png").exists()


def test_claims_table_has_every_claim_with_an_allowed_verdict(run):
    t = pd.read_csv(run / "results" / "tiny" / "claims.csv", dtype=str, keep_default_na=False)
    assert t["claim"].tolist() == [f"C{i}" for i in range(1, 8)]
    assert set(t["verdict"]) <= set(VERDICTS)
    # C4 on the measured dimensions (real travel times and DOSE), naming what it could not test
    c4 = t.set_index("claim").loc["C4"]
    assert c4["verdict"] in {"supported", "not supported", "inconclusive"}
    assert "transport: progress" in c4["value"] and "economic: progress" in c4["value"]
    assert "information" in c4["notes"] and "ecology" in c4["notes"] and "institution" in c4["notes"]
    assert (t["test"].str.len() > 20).all() and (t["evidence"].str.len() > 0).all()


def test_c6_json_is_written_with_every_basis_and_matches_the_claims_row(run):
    doc = json.loads((run / "results" / "tiny" / "claims" / "consistent" / "c6.json").read_text(encoding="utf-8"))
    t = pd.read_csv(run / "results" / "tiny" / "claims.csv", dtype=str, keep_default_na=False).set_index("claim")
    assert doc["claim"] == "C6" and doc["verdict"] == t.loc["C6", "verdict"]
    assert [b["id"] for b in doc["bases"]] == [
        "market_fx",
        "market_fx_unweighted",
        "ppp_gapminder",
        "dose_fx",
        "dose_ppp",
    ]
    assert all(b["available"] for b in doc["bases"]) and doc["italy"]["available"]
    assert "claims/<sample>/c6.json" in t.loc["C6", "evidence"]


def test_every_claim_writes_its_document_and_the_table_is_a_view_of_them(run):
    for sample in ("consistent", "full"):
        docs = [C.read_claim_json(run / "results" / "tiny" / "claims" / sample / f"c{n}.json") for n in range(1, 8)]
        t = pd.read_csv(run / "results" / "tiny" / "claims" / sample / "claims.csv", dtype=str, keep_default_na=False)
        assert t.equals(C.claims_table_from_documents(docs).astype(str))
        # the headline table gives each sample's verdict from its documents (main: consistent)
        main = pd.read_csv(run / "results" / "tiny" / "claims.csv", dtype=str, keep_default_na=False)
        assert main[f"verdict_{sample}"].tolist() == [d["verdict"] for d in docs]
    docs = [C.read_claim_json(run / "results" / "tiny" / "claims" / "consistent" / f"c{n}.json") for n in range(1, 8)]
    assert main["verdict"].tolist() == [d["verdict"] for d in docs]
    c1 = docs[0]
    assert set(c1["drawing"]) == {*c1["config"]["metrics"], "specialisation"}
    assert docs[4]["matrices"] and docs[4]["sets"][docs[4]["config"]["region_set"]]["members"]


@pytest.mark.parametrize("name", [n for n in FIGURE_CHECKS if n != "c4_segmentation"])
def test_tiny_claim_figures_print_only_numbers_of_their_document(run, name):
    import matplotlib.pyplot as plt

    doc = C.read_claim_json(run / "results" / "tiny" / "claims" / "consistent" / f"{FIGURE_CHECKS[name]}.json")
    fig = build(name, doc, cjk=False)
    try:
        assert unmatched(fig, doc) == []
    finally:
        plt.close(fig)


def test_report_contains_figures_claims_and_config(run):
    html = (run / "results" / "tiny" / "report.html").read_text(encoding="utf-8")
    for name in [*FIGURES, "claims.csv", "claims.html", "Configuration of this run"]:
        assert name in html, name


def test_report_opens_with_the_checks_of_the_run(run):
    """The report's opening text lists every failed check and every claim not tested (status.csv)."""
    status = pd.read_csv(run / "results" / "tiny" / "status.csv", keep_default_na=False)
    html = (run / "results" / "tiny" / "report.html").read_text(encoding="utf-8")
    assert "Checks of this run" in html
    for r in status[status["status"].isin(["failed", "not tested"])].itertuples():
        assert r.check in html, r.check
    assert set(status.loc[status["area"] == "claims", "check"]) == {f"C{i}" for i in range(1, 8)}
