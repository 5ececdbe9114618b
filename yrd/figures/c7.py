"""C7: the tested quantities from ``claims/c7.json`` only (no recomputation).

Left: mean log growth of foreign-led and domestic clusters in Sunan and in the rest of the study
area (Sunan excluded) with their intervals, and the difference in differences of part (a).
Right: local supplier depth of foreign-led and domestic clusters with their intervals, and the
within-industry gap of part (b). Every number printed goes through :func:`fmt` so that a test can
compare it with the claim file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt

from yrd.figures.common import finish, group_label, no_data_figure
from yrd.plotting import bilingual

FOREIGN_COLOUR, DOMESTIC_COLOUR = "#D55E00", "#0072B2"


def fmt(x: float | None, signed: bool = False) -> str:
    """A number as printed in the figure (3 decimals; ``NA`` when missing)."""
    if x is None:
        return "NA"
    return f"{x:+.3f}" if signed else f"{x:.3f}"


def _fit_text(fit: Mapping[str, Any] | None, label: str, verdict: str, reason: str = "") -> str:
    if not fit or "estimate" not in fit:
        why = "\n".join(textwrap.wrap(reason, 60))
        return f"{label}: no estimate\nverdict: {verdict}" + (f"\n{why}" if why else "")
    return (
        f"{label} = {fmt(fit['estimate'], True)}\n{100 * fit['level']:.0f}% CI [{fmt(fit['ci_low'], True)}, "
        f"{fmt(fit['ci_high'], True)}], n={fit['n']}\n{fit['vcov']}\nverdict: {verdict}"
    )


def _fit_box(ax, text: str) -> None:
    """The tested estimate's text in a box below the axes."""
    ax.text(
        0.0,
        -0.2,
        text,
        transform=ax.transAxes,
        fontsize=7.5,
        va="top",
        bbox=dict(facecolor="white", edgecolor="#cccccc", alpha=0.9),
    )


def _points(ax, rows: list[tuple[str, str, Mapping[str, Any] | None]], key: str) -> None:
    """One point with its interval per (x label, kind, cell)."""
    for x, (_label, kind, cell) in enumerate(rows):
        if not cell or cell.get(key) is None:
            ax.text(x, 0, "no data", ha="center", va="bottom", fontsize=8)
            continue
        colour = FOREIGN_COLOUR if kind == "foreign_led" else DOMESTIC_COLOUR
        lo, hi = cell.get("ci_low"), cell.get("ci_high")
        if lo is not None and hi is not None:
            ax.errorbar(x, cell[key], yerr=[[cell[key] - lo], [hi - cell[key]]], fmt="o", color=colour, capsize=4)
        else:
            ax.plot(x, cell[key], "o", color=colour)
        ax.annotate(
            f"{fmt(cell[key])}\nn={cell['n']}",
            (x, cell[key]),
            xytext=(8, 0),
            textcoords="offset points",
            fontsize=7.5,
            va="center",
        )
    ax.set_xticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
    ax.set_xlim(-0.6, len(rows) - 0.2)


def c7_tested_figure(doc: Mapping[str, Any], *, cjk: bool, source: str, synthetic: bool):
    """The C7 figure from the claim document ``doc`` (:func:`yrd.claims.c7.claim_c7`); the no-data
    figure for a document without parts (a run without the survey)."""
    if "parts" not in doc and doc.get("verdict") == "no data":
        title = bilingual("C7: 外资带动型与内资集群", "C7: foreign-led vs domestic clusters", cjk)
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(11, 6.4), gridspec_kw={"width_ratios": [1.5, 1]})
    parts = doc.get("parts", {})
    pa, pb = parts.get("a_growth", {}), parts.get("b_supplier_depth", {})
    fit_a, fit_b = pa.get("fit"), pb.get("fit")
    fl, dom = bilingual("外资带动", "foreign-led", cjk), bilingual("内资", "domestic", cjk)
    sunan, rest = group_label("sunan", cjk), bilingual("其余地区", "rest", cjk) + "\n(no Sunan)"
    cells = (fit_a or {}).get("cells", {})
    _points(
        ax_a,
        [
            (f"{sunan}\n{fl}", "foreign_led", cells.get("focus_foreign_led")),
            (f"{sunan}\n{dom}", "domestic", cells.get("focus_domestic")),
            (f"{rest}\n{fl}", "foreign_led", cells.get("rest_foreign_led")),
            (f"{rest}\n{dom}", "domestic", cells.get("rest_domestic")),
        ],
        "mean_growth",
    )
    ax_a.axhline(0, color="#999999", lw=0.7)
    ax_a.set_ylabel(
        f"mean log growth of cluster {doc.get('measure', '')}, {doc.get('start_year')}-{doc.get('end_year')}"
    )
    ax_a.set_title(bilingual("(a) 集群增长", "(a) growth of clusters", cjk), fontsize=10)
    _fit_box(
        ax_a,
        _fit_text(fit_a, "DiD (foreign - domestic, Sunan - rest)", pa.get("verdict", "no data"), pa.get("reason", "")),
    )
    means = (fit_b or {}).get("means", {})
    _points(ax_b, [(fl, "foreign_led", means.get("foreign_led")), (dom, "domestic", means.get("domestic"))], "mean")
    ax_b.set_ylabel("local supplier depth (share of IO input needs, 0-1)")
    ax_b.set_title(bilingual("(b) 植根性: 本地供应深度", "(b) rootedness: local supplier depth", cjk), fontsize=10)
    _fit_box(ax_b, _fit_text(fit_b, "within-industry gap", pb.get("verdict", "no data"), pb.get("reason", "")))
    title = bilingual(
        "C7: 外资带动型与内资集群",
        f"C7: foreign-led vs domestic clusters - verdict: {doc.get('verdict')}",
        cjk,
    )
    subtitle = (
        f"clusters: prefecture x industry with LQ > 1 in {doc.get('start_year')}; foreign-led: foreign-invested "
        f"share of {doc.get('measure', '')} > {fmt(doc.get('foreign_threshold'))}; points: means with their "
        f"{100 * (1 - doc.get('alpha', 0.05)):.0f}% t intervals; boxes: the tested estimates"
    )
    return finish(fig, title=title, source=source, synthetic=synthetic, cjk=cjk, subtitle=subtitle)
