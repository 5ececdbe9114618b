"""C1: concentration and specialisation against integration on industry-year panels.

Points are within-industry (within-region for specialisation) values plus the grand mean, so the
fixed-effects fit of the claim is what is drawn; the points, curves, bands and turning points come from
the claim document ``claims/c1.json`` (:func:`yrd.claims.c1.c1_drawing`), so figure and claim show the
same numbers."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from yrd.figures.common import finish, no_data_figure, p_text, place_axes
from yrd.plotting import bilingual

METRIC_LABELS = {
    "ellison_glaeser": ("EG 集聚指数", "Ellison-Glaeser index"),
    "locational_gini": ("区位基尼系数", "locational Gini"),
    "hoover": ("胡佛系数", "Hoover index"),
    "herfindahl_industry": ("赫芬达尔指数", "Herfindahl (industry)"),
    "maurel_sedillot": ("MS 集聚指数", "Maurel-Sedillot index"),
    "krugman_specialisation": ("克鲁格曼专业化指数", "Krugman specialisation"),
    "krugman_specialisation_rest": ("克鲁格曼专业化指数(其余)", "Krugman specialisation (rest)"),
    "herfindahl_region": ("地区赫芬达尔指数", "Herfindahl (region)"),
}


def metric_label(metric: str, cjk: bool) -> str:
    zh, en = METRIC_LABELS.get(metric, (metric, metric))
    return bilingual(zh, en, cjk)


def _box(ax, text: str) -> None:
    ax.text(
        0.02,
        0.97,
        text,
        transform=ax.transAxes,
        va="top",
        fontsize=7.5,
        bbox=dict(facecolor="white", alpha=0.85, edgecolor="none"),
    )


def fit_texts(doc: Mapping[str, Any], metric: str) -> str:
    """The numbers printed in a panel (``metric`` or ``"specialisation"``), from the C1 document."""
    if metric == "specialisation":
        sp = doc.get("specialisation")
        if sp is None:
            return f"no fit: {doc['problems'].get('specialisation', '')}"
        verdict = "rises" if sp["rises"] else "no significant rise"
        return f"slope {_g(sp['slope'])} ({_pt(sp['p'])})\n{sp['n_regions']} regions, {sp['n_obs']} obs\n-> {verdict}"
    f = doc["metrics"].get(metric)
    if f is None:
        return f"no fit: {doc['problems'].get(metric, '')}"
    tp = (
        f"turning point {_g(f['turning_point'])} [{_g(f['turning_point_low'])}, {_g(f['turning_point_high'])}]"
        if f["turning_point"] is not None
        else "turning point NA"
    )
    return (
        f"b2 = {_g(f['b2'])} ({_pt(f['p_b2'])})\n{tp}\n"
        f"{f['n_industries']} industries, {f['n_obs']} obs\n-> {f['shape'].replace('_', ' ')}"
    )


def _g(x: float | None) -> str:
    return "NA" if x is None else f"{x:.3g}"


def _pt(p: float | None) -> str:
    return "p=NA" if p is None else p_text(p)


def _finite(*xs) -> bool:
    return all(x is not None and np.isfinite(x) for x in xs)


def concentration_integration_figure(
    doc: Mapping[str, Any],
    *,
    x_label: str,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """One panel per concentration metric of the C1 document's ``config["metrics"]``
    (industry-year points demeaned by industry plus the grand mean, against integration; the
    fixed-effects quadratic with its 95% band; the turning point and its delta-method 95%
    interval) and one for specialisation (region-year points demeaned by region, fixed-effects
    line with its band). ``doc``: the claim document ``claims/c1.json``
    (:func:`yrd.claims.claim_c1`, :func:`yrd.claims.c1.c1_drawing`): nothing is refitted here."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "产业集中、地区专业化与一体化（倒U检验）",
        "Concentration, specialisation and integration (inverted U test)",
        cjk,
    )
    if "drawing" not in doc:  # a no-data document (e.g. a run without the survey)
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    cfg = doc["config"]
    metrics = list(cfg["metrics"])
    drawing = doc["drawing"]
    cols = [*metrics, "specialisation"]
    fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 4.6), squeeze=False)
    axes = axes[0]
    years = [p["year"] for c in cols for p in drawing[c]["points"]]
    norm = plt.Normalize(min(years), max(years)) if years else None
    sc = None
    for ax, col in zip(axes, cols, strict=True):
        panel = drawing[col]
        pts = pd.DataFrame.from_records(panel["points"], columns=["x", "y", "year"])
        if len(pts):
            sc = ax.scatter(
                pts["x"], pts["y"], c=pts["year"], cmap="viridis", norm=norm, s=9, alpha=0.6, lw=0, zorder=3
            )
        curve = panel["curve"]
        if curve is not None:
            ax.fill_between(curve["x"], curve["low"], curve["high"], color="#D55E00", alpha=0.15, lw=0)
            ax.plot(curve["x"], curve["fit"], color="#D55E00", lw=1.6)
        if col == "specialisation":
            ax.set_title(metric_label(cfg["specialisation"], cjk), fontsize=10)
            ax.set_ylabel(bilingual("地区内值+总均值", "within-region + grand mean", cjk), fontsize=8.5)
        else:
            ax.set_title(metric_label(col, cjk), fontsize=10)
            ax.set_ylabel(bilingual("行业内值+总均值", "within-industry + grand mean", cjk), fontsize=8.5)
            f = doc["metrics"].get(col)
            if f is not None:
                tp, x_min, x_max = f["turning_point"], f["x_min"], f["x_max"]
                # the turning point means something only for a significant concave fit
                concave = f["shape"] in ("inverted_u", "concave_outside")
                if concave and _finite(f["turning_point_low"], f["turning_point_high"]):
                    lo, hi = max(f["turning_point_low"], x_min), min(f["turning_point_high"], x_max)
                    if lo < hi:
                        ax.axvspan(lo, hi, color="#0072B2", alpha=0.1, lw=0)
                if concave and _finite(tp) and x_min <= tp <= x_max:
                    ax.axvline(tp, color="#0072B2", ls="--", lw=1)
                    ax.plot([tp], [f["turning_point_fit"]], marker="v", color="#0072B2", ms=8, zorder=4)
        _box(ax, fit_texts(doc, col))
        ax.set_xlabel(textwrap.fill(x_label, 48), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7.5)
    if sc is not None:
        cax = fig.add_axes((0.945, 0.2, 0.01, 0.55))
        cb = fig.colorbar(sc, cax=cax)
        cb.set_label(bilingual("年份", "year", cjk), fontsize=8)
        cb.ax.tick_params(labelsize=7)
    sub = (
        "Industry-year points demeaned by industry (+ grand mean); fixed-effects quadratic with 95% band, "
        f"turning point (dashed) and its 95% interval (blue) when the fit is significantly concave (claim C1: {doc['verdict']})"
    )
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(fig, synthetic=synthetic, subtitle=sub, gap=0.06, left=0.06, right=0.925, bottom=0.19, wspace=0.3)
