"""Every number a claim figure prints comes from its claim document (claims/cN.json).

Each claim figure is built from a claim document (tests/helpers/claim_documents.py: the claim
function, :func:`yrd.claims.claim_document` and a JSON round trip). The test reads every
matplotlib Text artist of the figure (titles, suptitle, subtitles, annotations, axis labels,
legend labels and titles; tick labels excluded), extracts each number and checks that some
number of the document, formatted the way figures format numbers
(:func:`helpers.figure_numbers.formatted`), prints
as exactly that text. The words of fixed labels that carry a digit (``per 1,000``, ``95% band``,
...) are listed in :data:`helpers.figure_numbers.FIXED` and removed first. The test can fail: a number added to a
figure, or a figure checked against a document whose numbers differ, is reported
(``test_the_check_fails_...``).
"""

from __future__ import annotations

import copy

import matplotlib
import pytest

from helpers.claim_documents import (
    c1_document,
    c2_document,
    c3_document,
    c4_document,
    c5_document,
    c6_document,
)
from helpers.figure_numbers import FIGURES, NUMBER, build, printed_texts, unmatched
from yrd.figures import common
from yrd.plotting import setup_fonts

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def cjk():
    return setup_fonts("auto")


@pytest.fixture(scope="module")
def docs():
    return {
        "c1": c1_document(),
        "c2": c2_document(),
        "c3": c3_document(),
        "c4": c4_document(),
        "c5": c5_document(),
        "c6": c6_document(),
    }


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_number_a_claim_figure_prints_is_in_its_claim_document(name, docs, cjk):
    doc = docs[FIGURES[name]]
    fig = build(name, doc, cjk)
    try:
        texts = printed_texts(fig)
        assert any(NUMBER.search(t) for t in texts), "the figure prints no number at all"
        assert unmatched(fig, doc) == []
    finally:
        matplotlib.pyplot.close(fig)


def _shifted(doc):
    """``doc`` with every float moved by 37% and every integer by 7 (booleans kept)."""

    def walk(x):
        if isinstance(x, bool) or x is None or isinstance(x, str):
            return x
        if isinstance(x, int):
            return x + 7
        if isinstance(x, float):
            return x * 1.37 + 0.0137
        if isinstance(x, dict):
            return {k: walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        return x

    return walk(copy.deepcopy(doc))


@pytest.mark.parametrize("name", list(FIGURES))
def test_the_check_fails_against_a_document_with_other_numbers(name, docs, cjk):
    doc = docs[FIGURES[name]]
    fig = build(name, doc, cjk)
    try:
        assert unmatched(fig, _shifted(doc)), "the check does not see numbers that are not in the document"
    finally:
        matplotlib.pyplot.close(fig)


def test_the_check_fails_for_a_number_the_figure_adds(docs, cjk):
    fig = build("c1_concentration", docs["c1"], cjk)
    try:
        assert unmatched(fig, docs["c1"]) == []
        fig.axes[0].text(0.5, 0.5, "refitted slope 0.1234 (p=0.042)")
        bad = unmatched(fig, docs["c1"])
        assert any("0.1234" in b for b in bad) and any("0.042" in b for b in bad)
    finally:
        matplotlib.pyplot.close(fig)


def test_figures_show_the_verdict_of_the_document(docs, cjk):
    for name in ("c2_shanghai", "c3_relocations", "c4_profile"):
        doc = docs[FIGURES[name]]
        fig = build(name, doc, cjk)
        try:
            assert any(doc["verdict"] in t for t in printed_texts(fig)), name
        finally:
            matplotlib.pyplot.close(fig)


def test_printed_texts_excludes_tick_labels(cjk):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1234.5])
    ax.set_title("slope 0.5")
    fig.canvas.draw()
    texts = printed_texts(fig)
    plt.close(fig)
    assert texts == ["slope 0.5"]
    assert common.SYNTHETIC_EN  # the synthetic mark is a Text artist too and carries no number


def test_no_data_documents_give_figures_that_say_so(cjk):
    from helpers.claim_documents import C5_CFG, as_json, similarity
    from yrd import claims as C

    c5 = as_json(C.claim_c5(similarity().iloc[0:0], ["310100", "999999"], C5_CFG, 0.05))
    c2 = c2_document(empty=True)
    for name, doc in (("c5_heatmaps", c5), ("c5_trend", c5), ("c2_shanghai", c2)):
        assert doc["verdict"] == "no data"
        fig = build(name, doc, cjk)
        try:
            assert unmatched(fig, doc) == []
            if name != "c5_trend":
                assert any(doc["value"] in t for t in printed_texts(fig)), name
        finally:
            matplotlib.pyplot.close(fig)
