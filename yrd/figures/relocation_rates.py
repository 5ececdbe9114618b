"""C2 and C3 as rates per firm at risk (:mod:`yrd.claims.c2`, :mod:`yrd.claims.c3`).

Both figures draw the claim document of their claim (``claims/c2.json``, ``claims/c3.json``,
:mod:`yrd.claims.document`) and print its numbers with the claim's own text functions
(:func:`yrd.claims.c2.c2_condition_text`, :func:`yrd.claims.c3.c3_trend_text`,
:func:`yrd.claims.c3.c3_frequency_text`), so the figure and the claims table show the same
numbers; nothing is refitted here. Yearly rates carry exact (Garwood) Poisson intervals, window
shares exact (Clopper-Pearson) intervals; the ASIF sampling break is a dotted line.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from yrd.claims.c2 import c2_condition_text
from yrd.claims.c3 import c3_frequency_text, c3_trend_text
from yrd.claims.document import records
from yrd.figures.common import CLASS_COLOURS, class_label, finish, no_data_figure
from yrd.plotting import bilingual

PER = 1000.0  # rates per 1,000 firms at risk


def _rate_band(ax, years, rate, low, high, colour: str, label: str, ls: str = "-") -> None:
    """Rate per 1,000 firms at risk with its exact Poisson interval (shaded), all from the claim document."""
    rate, low, high = (PER * np.asarray(v, dtype=float) for v in (rate, low, high))
    ok = np.isfinite(rate)
    yrs = np.asarray(years)[ok]
    ax.plot(yrs, rate[ok], color=colour, ls=ls, marker="o", ms=3, lw=1.4, label=label)
    ax.fill_between(yrs, low[ok], high[ok], color=colour, alpha=0.15, lw=0)


def _mark_break(ax, break_year: int, cjk: bool, label: bool = True) -> None:
    ax.axvline(break_year - 0.5, color="#555", ls=":", lw=1.3)
    if label:
        ax.text(
            break_year - 0.4,
            0.98,
            bilingual("统计口径调整", "ASIF break", cjk) + f" {break_year}",
            transform=ax.get_xaxis_transform(),
            fontsize=6.5,
            va="top",
            color="#555",
        )


def c2_rates_figure(doc: Mapping[str, Any], *, cjk: bool, synthetic: bool, source: str):
    """``doc``: the C2 claim document (window, break year and alpha from its ``config`` and ``alpha``).
    Left (one panel per listed class): Shanghai's out-moves per 1,000 Shanghai firms at risk
    and in-moves per 1,000 partner firms at risk by year, exact intervals, the window shaded and
    the break marked. Right: the window's share of out-moves by class with its Clopper-Pearson
    interval and the claim's text for each class."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "上海与苏浙的企业迁移（每千家在险企业）", "Shanghai's moves with Jiangsu and Zhejiang per firm at risk", cjk
    )
    cond, table = records(doc.get("conditions")), records(doc.get("table"))
    if cond.empty or table.empty or doc.get("verdict") == "no data":
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    window, break_year, alpha = doc["config"]["window"], doc["config"]["break_year"], doc["alpha"]
    classes = list(cond["class"])
    ncol = 2
    nrow = max(1, math.ceil(len(classes) / ncol))
    fig = plt.figure(figsize=(14, 2.3 * nrow + 2.6))
    gs = fig.add_gridspec(nrow + 1, ncol + 1, width_ratios=[1, 1, 1.15], height_ratios=[*([1] * nrow), 0.55])
    y0, y1 = int(window[0]), int(window[1])
    for k, c in enumerate(classes):
        ax = fig.add_subplot(gs[k // ncol, k % ncol])
        for direction, ls, lab in (("out", "-", "out of Shanghai"), ("in", "--", "into Shanghai")):
            d = table[(table["class"] == c) & (table["direction"] == direction)].sort_values("year")
            _rate_band(ax, d["year"], d["rate"], d["rate_low"], d["rate_high"], CLASS_COLOURS.get(c, "#444"), lab, ls)
        ax.axvspan(y0 - 0.5, y1 + 0.5, color="#DDD", alpha=0.5, lw=0)
        _mark_break(ax, break_year, cjk, label=k == 0)
        ax.set_title(class_label(c, cjk), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        if k % ncol == 0:
            ax.set_ylabel(bilingual("每千家在险企业", "per 1,000 at risk", cjk), fontsize=7.5)
        if k == 0:
            ax.legend(fontsize=6.5, loc="upper left", bbox_to_anchor=(0.0, -0.12), ncol=2, frameon=False)
    ax2 = fig.add_subplot(gs[:nrow, ncol])
    ypos = np.arange(len(cond))
    for yv, (_, r) in zip(ypos, cond.iterrows(), strict=True):
        if r.n > 0:
            ax2.errorbar(
                r.share_out,
                yv,
                xerr=[[r.share_out - r.lo], [r.hi - r.share_out]],
                fmt="o",
                color=CLASS_COLOURS.get(r["class"], "#444"),
                capsize=3,
            )
    ax2.axvline(0.5, color="black", lw=0.8)
    ax2.set_xlim(0, 1)
    ax2.set_yticks(
        ypos,
        [f"{class_label(c, cjk)}\n(expect {e})" for c, e in zip(cond["class"], cond["expected"], strict=True)],
        fontsize=8,
    )
    ax2.invert_yaxis()
    ax2.set_xlabel(
        bilingual("时段内迁出占比", "share of out-moves in the window", cjk) + f" ({1 - alpha:.0%} exact)", fontsize=8
    )
    ax2.set_title(bilingual("论文时段", "window", cjk) + f" {y0}-{y1}: {doc['verdict']}", fontsize=9.5)
    ax2.grid(axis="x", alpha=0.3)
    tax = fig.add_subplot(gs[nrow, :])
    tax.set_axis_off()
    for k, (_, r) in enumerate(cond.iterrows()):
        tax.text(0.0, 1 - k * 0.24, c2_condition_text(r), fontsize=7.5, va="top", transform=tax.transAxes)
    sub = (
        f"Grey band: the paper's window {y0}-{y1}; dotted: ASIF sampling break {break_year}; "
        "firms at risk: observed in the origin area in t-1 or t (claim C2)"
    )
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def c3_rates_figure(doc: Mapping[str, Any], *, cjk: bool, synthetic: bool, source: str):
    """``doc``: the C3 claim document (:func:`yrd.claims.c3.c3_drawing` columns in ``yearly``).
    Left: moves of Zhejiang firms out of their prefecture and out of the province per 1,000
    Zhejiang firms at risk by year, exact intervals, with the fitted Poisson trend (break dummy
    included). Right: moves between and within the provinces per 1,000 firms at risk there (the
    benchmark for "frequent"). Below: the claim's text."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "浙江企业迁移率与苏浙沪互迁", "Migration of Zhejiang firms and among SH/JS/ZJ per firm at risk", cjk
    )
    y = records(doc.get("yearly"))
    if y.empty or doc.get("verdict") == "no data":
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    break_year, alpha = doc["config"]["break_year"], doc["alpha"]
    fig = plt.figure(figsize=(13, 6.2))
    gs = fig.add_gridspec(2, 2, height_ratios=[1, 0.3])
    ax = fig.add_subplot(gs[0, 0])
    for series, colour, lab, ls in (
        ("zj_out_prefecture", "#009E73", "out of the prefecture", "-"),
        ("zj_out_province", "#D55E00", "out of Zhejiang", "--"),
    ):
        _rate_band(ax, y["year"], y[f"{series}_rate"], y[f"{series}_low"], y[f"{series}_high"], colour, lab, ls)
        if f"{series}_fit" in y:
            for side in (0, 1):  # the break dummy shifts the level: one segment on each side
                sel = (y["post_break"] == side).to_numpy()
                ax.plot(y["year"][sel], PER * y[f"{series}_fit"][sel], color=colour, lw=2.2, alpha=0.6)
    _mark_break(ax, break_year, cjk)
    ax.set_ylabel(bilingual("每千家在险浙江企业", "per 1,000 Zhejiang firms at risk", cjk), fontsize=8)
    ax.set_title(
        bilingual("浙江企业迁移（粗线：泊松趋势）", "Zhejiang firms' moves (thick: Poisson trend)", cjk), fontsize=9.5
    )
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    ax2 = fig.add_subplot(gs[0, 1])
    for series, colour, lab, ls in (
        ("between_provinces", "#0072B2", "between provinces", "-"),
        ("within_province", "#777777", "within one province", "--"),
    ):
        _rate_band(ax2, y["year"], y[f"{series}_rate"], y[f"{series}_low"], y[f"{series}_high"], colour, lab, ls)
    _mark_break(ax2, break_year, cjk)
    ax2.set_ylabel(bilingual("每千家在险企业", "per 1,000 firms at risk", cjk), fontsize=8)
    ax2.set_title(
        bilingual("苏浙沪互迁与省内跨市迁移（基准）", "among SH/JS/ZJ vs within a province (benchmark)", cjk),
        fontsize=9.5,
    )
    ax2.legend(fontsize=7, loc="upper left")
    ax2.grid(alpha=0.3)
    tax = fig.add_subplot(gs[1, :])
    tax.set_axis_off()
    tot = doc["totals"]
    lines = [
        c3_trend_text("Zhejiang out of prefecture", doc.get("trend"), tot["zj_out_prefecture"], tot["zj_at_risk"]),
        c3_trend_text("out of province", doc.get("trend_province"), tot["zj_out_province"], tot["zj_at_risk"]),
    ]
    if doc.get("frequency"):
        lines.append(c3_frequency_text(doc["frequency"], alpha))
    for k, line in enumerate(lines):
        tax.text(0.0, 0.95 - k * 0.3, line, fontsize=8, va="top", transform=tax.transAxes)
    tax.text(1.0, 0.95, f"verdict: {doc['verdict']}", fontsize=9, va="top", ha="right", transform=tax.transAxes)
    sub = (
        f"Exact Poisson intervals; dotted: ASIF sampling break {break_year} (the trend carries a post-break dummy); "
        "firms at risk: observed there in t-1 or t (claim C3)"
    )
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)
