"""The check of tests/test_claim_figures.py: every number a claim figure prints is a number of its
claim document, formatted as figures format numbers (shared with tests/test_figures_workflow.py,
which runs it on the tiny world's claims/cN.json)."""

from __future__ import annotations

import math
import re

from helpers.claim_documents import CODES_FOR_MAPS
from yrd.figures import concentration, eu, integration, relocation_rates, similarity

SRC = "Source: hand-made test frame."

#: Fixed words of the figures' labels that contain digits (not numbers of the claim).
FIXED = (
    "per 1,000",
    "x 1000",
    "×1000",
    "2-digit",
    "t-1",
    "95% band",
    "95% interval",
    "95% CI",
    "x(base)/x(t)",
    "T(t)",
    "C1",
    "C2",
    "C3",
    "C4",
    "C5",
    "C6",
    "2003年16城",
    "16-city",
    "41城",
    "41 cities",
    "(2003)",
    "(2019)",
    "p<0.001",
    "p=<0.001",
    "Ma and Tang (2024)",
    "DOSE v2.11",
    "constant 2005 international dollars",
)
NUMBER = re.compile(r"(?<![\w.])[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?%?")
FORMATS = (
    "d",
    ".0f",
    ".1f",
    ".2f",
    ".3f",
    ".4f",
    ".2g",
    ".3g",
    "g",
    "+.1f",
    "+.2f",
    "+.3f",
    "+.4f",
    "+g",
    ",.0f",
    ".0%",
    ".1%",
    "+.1%",
)


#: Parts of the documents a figure draws but does not print (points, curves, yearly series,
#: matrices): left out of the numbers a printed number may match, so that the check is strict.
DRAWN_ONLY = {"drawing", "table", "yearly", "values", "series", "indicators", "progress", "window_fits"}


def numbers_of(doc) -> list[float]:
    """Every number in a claim document (recursively; booleans and :data:`DRAWN_ONLY` parts excluded)."""
    out: list[float] = []

    def walk(x):
        if isinstance(x, bool) or x is None:
            return
        if isinstance(x, (int, float)):
            out.append(float(x))
        elif isinstance(x, dict):
            for k, v in x.items():
                if k not in DRAWN_ONLY:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    walk(doc)
    return out


def formatted(doc) -> set[str]:
    """Every number of ``doc`` in each format of :data:`FORMATS`, also scaled by 100, 1000 and
    1/1000 (rates per 1,000, percentages printed without the % sign, values in thousands); a
    printed ``x%`` also matches a document number ``x`` (values stored in per cent)."""
    out: set[str] = set()
    for v in set(numbers_of(doc)):
        for scale in (1, 100, 1000, 0.001):
            x = v * scale
            if not math.isfinite(x):
                continue
            for f in FORMATS:
                if f == "d":
                    if x == int(x):
                        out.add(str(int(x)))
                    continue
                out.add(format(x, f))
    return out | {s.replace(",", "") for s in out}


def printed_texts(fig) -> list[str]:
    """The text of every Text artist of ``fig`` except tick labels: the figure's texts
    (suptitle, subtitle, source, synthetic mark), each axes' texts and annotations, titles and
    axis labels, and the legends' labels and titles."""
    arts = list(fig.texts) + ([fig._suptitle] if fig._suptitle is not None else [])
    legends = list(fig.legends)
    for ax in fig.axes:
        arts += list(ax.texts) + [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]
        if ax.get_legend() is not None:
            legends.append(ax.get_legend())
    for leg in legends:
        arts += [*leg.get_texts(), leg.get_title()]
    return [t.get_text() for t in arts if t.get_text().strip()]


def unmatched(fig, doc) -> list[str]:
    """Numbers printed in ``fig`` that are no number of ``doc`` in a figure format."""
    allowed = formatted(doc)
    bad = []
    for text in printed_texts(fig):
        t = text.replace("−", "-")
        for phrase in FIXED:
            t = t.replace(phrase, " ")
        for tok in NUMBER.findall(t):
            plain = tok.lstrip("+-")
            forms = {tok, plain}
            forms |= {f.replace(",", "") for f in forms}
            forms |= {f[:-1] for f in forms if f.endswith("%")}
            if not forms & allowed:
                bad.append(f"{tok!r} in {text!r}")
    return bad


def build(name: str, doc, cjk: bool):
    """The claim figure ``name`` drawn from ``doc`` (as the figure scripts do)."""
    if name == "c1_concentration":
        return concentration.concentration_integration_figure(
            doc, x_label="integration", cjk=cjk, synthetic=True, source=SRC
        )
    if name == "c2_shanghai":
        return relocation_rates.c2_rates_figure(doc, cjk=cjk, synthetic=True, source=SRC)
    if name == "c3_relocations":
        return relocation_rates.c3_rates_figure(doc, cjk=cjk, synthetic=True, source=SRC)
    if name == "c4_profile":
        return integration.measured_profile_figure(doc, cjk=cjk, source=SRC)
    if name == "c4_segmentation":
        return integration.segmentation_figure(doc, cjk=cjk, synthetic=False, source=SRC)
    if name == "c5_heatmaps":
        groups = {c: g for c, (_, _, g) in CODES_FOR_MAPS.items()}
        labels = {c: en for c, (_, en, _) in CODES_FOR_MAPS.items()}
        return similarity.similarity_heatmaps_figure(
            doc, groups=groups, labels=labels, cjk=cjk, synthetic=True, source=SRC, title_set="toy"
        )
    if name == "c5_trend":
        return similarity.similarity_trend_figure(doc, cjk=cjk, synthetic=True, source=SRC)
    if name == "c6_eu":
        return eu.eu_disparities_figure(doc, cjk=cjk, source=SRC)
    raise KeyError(name)


FIGURES = {
    "c1_concentration": "c1",
    "c2_shanghai": "c2",
    "c3_relocations": "c3",
    "c4_profile": "c4",
    "c4_segmentation": "c4",
    "c5_heatmaps": "c5",
    "c5_trend": "c5",
    "c6_eu": "c6",
}
