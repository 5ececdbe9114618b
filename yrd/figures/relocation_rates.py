"""C2 and C3 as rates per firm at risk (:mod:`yrd.claims.c2`, :mod:`yrd.claims.c3`).

Both figures draw the :class:`~yrd.claims.base.ClaimResult` of their claim and print its numbers
with the claim's own text functions (:func:`yrd.claims.c2.c2_condition_text`,
:func:`yrd.claims.c3.c3_trend_text`, :func:`yrd.claims.c3.c3_frequency_text`), so the figure and
the claims table show the same numbers. Yearly rates carry exact (Garwood) Poisson intervals,
window shares exact (Clopper-Pearson) intervals; the ASIF sampling break is a dotted line.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from yrd.claims.base import ClaimResult
from yrd.claims.c2 import c2_condition_text
from yrd.claims.c3 import c3_frequency_text, c3_trend_text
from yrd.claims.rates import RateFit, poisson_exact_ci
from yrd.figures.common import CLASS_COLOURS, class_label, finish, no_data_figure
from yrd.plotting import bilingual

PER = 1000.0  # rates per 1,000 firms at risk


def _rate_band(ax, years, moves, risk, alpha: float, colour: str, label: str, ls: str = "-") -> None:
    """Rate per 1,000 firms at risk with its exact Poisson interval (shaded)."""
    risk = np.asarray(risk, dtype=float)
    ok = risk > 0
    ci = np.array([poisson_exact_ci(int(k), alpha) for k in moves], dtype=float).reshape(-1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = PER * np.asarray(moves, dtype=float) / risk
        lo, hi = PER * ci[:, 0] / risk, PER * ci[:, 1] / risk
    yrs = np.asarray(years)[ok]
    ax.plot(yrs, rate[ok], color=colour, ls=ls, marker="o", ms=3, lw=1.4, label=label)
    ax.fill_between(yrs, lo[ok], hi[ok], color=colour, alpha=0.15, lw=0)


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


def c2_rates_figure(
    result: ClaimResult, *, window, break_year: int, alpha: float, cjk: bool, synthetic: bool, source: str
):
    """Left (one panel per listed class): Shanghai's out-moves per 1,000 Shanghai firms at risk
    and in-moves per 1,000 partner firms at risk by year, exact intervals, the window shaded and
    the break marked. Right: the window's share of out-moves by class with its Clopper-Pearson
    interval and the claim's text for each class."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "上海与苏浙的企业迁移（每千家在险企业）", "Shanghai's moves with Jiangsu and Zhejiang per firm at risk", cjk
    )
    cond = result.details.get("conditions")
    table = result.details.get("table")
    if cond is None or table is None or cond.empty:
        return no_data_figure(result.value or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
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
            _rate_band(ax, d["year"], d["moves"], d["at_risk"], alpha, CLASS_COLOURS.get(c, "#444"), lab, ls)
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
    ax2.set_title(bilingual("论文时段", "window", cjk) + f" {y0}-{y1}: {result.verdict}", fontsize=9.5)
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


def _fitted(fit: RateFit, yearly: pd.DataFrame) -> np.ndarray:
    eta = fit.coef.get("Intercept", 0.0) + fit.coef.get("trend", 0.0) * yearly["trend"]
    eta = eta + fit.coef.get("post_break", 0.0) * yearly["post_break"]
    return PER * np.exp(eta.to_numpy(dtype=float))


def c3_rates_figure(result: ClaimResult, *, break_year: int, alpha: float, cjk: bool, synthetic: bool, source: str):
    """Left: moves of Zhejiang firms out of their prefecture and out of the province per 1,000
    Zhejiang firms at risk by year, exact intervals, with the fitted Poisson trend (break dummy
    included). Right: moves between and within the provinces per 1,000 firms at risk there (the
    benchmark for "frequent"). Below: the claim's text."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "浙江企业迁移率与苏浙沪互迁", "Migration of Zhejiang firms and among SH/JS/ZJ per firm at risk", cjk
    )
    y = result.details.get("yearly")
    if y is None or y.empty:
        return no_data_figure(result.value or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    fig = plt.figure(figsize=(13, 6.2))
    gs = fig.add_gridspec(2, 2, height_ratios=[1, 0.3])
    ax = fig.add_subplot(gs[0, 0])
    _rate_band(ax, y["year"], y["zj_out_prefecture"], y["zj_at_risk"], alpha, "#009E73", "out of the prefecture")
    _rate_band(ax, y["year"], y["zj_out_province"], y["zj_at_risk"], alpha, "#D55E00", "out of Zhejiang", "--")
    for key, colour in (("trend", "#009E73"), ("trend_province", "#D55E00")):
        fit = result.details.get(key)
        if fit is not None and "trend" in fit.coef:
            fy = _fitted(fit, y)
            for side in (0, 1):  # the break dummy shifts the level: one segment on each side
                sel = (y["post_break"] == side).to_numpy()
                ax.plot(y["year"][sel], fy[sel], color=colour, lw=2.2, alpha=0.6)
    _mark_break(ax, break_year, cjk)
    ax.set_ylabel(bilingual("每千家在险浙江企业", "per 1,000 Zhejiang firms at risk", cjk), fontsize=8)
    ax.set_title(
        bilingual("浙江企业迁移（粗线：泊松趋势）", "Zhejiang firms' moves (thick: Poisson trend)", cjk), fontsize=9.5
    )
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    ax2 = fig.add_subplot(gs[0, 1])
    _rate_band(ax2, y["year"], y["between_provinces"], y["at_risk"], alpha, "#0072B2", "between provinces")
    _rate_band(ax2, y["year"], y["within_province"], y["at_risk"], alpha, "#777777", "within one province", "--")
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
    risk = int(y["zj_at_risk"].sum())
    lines = [
        c3_trend_text(
            "Zhejiang out of prefecture", result.details.get("trend"), int(y["zj_out_prefecture"].sum()), risk
        ),
        c3_trend_text("out of province", result.details.get("trend_province"), int(y["zj_out_province"].sum()), risk),
    ]
    if "frequency" in result.details:
        lines.append(c3_frequency_text(result.details["frequency"], alpha))
    for k, line in enumerate(lines):
        tax.text(0.0, 0.95 - k * 0.3, line, fontsize=8, va="top", transform=tax.transAxes)
    tax.text(1.0, 0.95, f"verdict: {result.verdict}", fontsize=9, va="top", ha="right", transform=tax.transAxes)
    sub = (
        f"Exact Poisson intervals; dotted: ASIF sampling break {break_year} (the trend carries a post-break dummy); "
        "firms at risk: observed there in t-1 or t (claim C3)"
    )
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)
