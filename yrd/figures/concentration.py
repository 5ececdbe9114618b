"""C1: concentration and specialisation against integration on industry-year panels.

Points are within-industry (within-region for specialisation) values plus the grand mean, so the
fixed-effects fit of the claim is what is drawn; the curves, bands and turning points come from
:func:`yrd.claims.c1_fits`, the function the claim uses, so figure and claim show the same numbers."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims import c1_fits
from yrd.claims.c1_panel import Z95, panel_sample, within_points
from yrd.figures.common import finish, p_text, place_axes
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


def fit_texts(fits, metric: str, alpha: float) -> str:
    """The numbers printed in a panel (``metric`` or ``"specialisation"``), from :func:`c1_fits`."""
    if metric == "specialisation":
        sp = fits.specialisation
        if sp is None:
            return f"no fit: {fits.problems.get('specialisation', '')}"
        verdict = "rises" if sp.rises(alpha) else "no significant rise"
        return f"slope {sp.slope:.3g} ({p_text(sp.p)})\n{sp.n_groups} regions, {sp.n_obs} obs\n-> {verdict}"
    f = fits.metrics.get(metric)
    if f is None:
        return f"no fit: {fits.problems.get(metric, '')}"
    tp = (
        f"turning point {f.turning_point:.3g} [{f.tp_low:.3g}, {f.tp_high:.3g}]"
        if np.isfinite(f.turning_point)
        else "turning point NA"
    )
    return (
        f"b2 = {f.b2:.3g} ({p_text(f.p_b2)})\n{tp}\n"
        f"{f.n_groups} industries, {f.n_obs} obs\n-> {f.shape(alpha).replace('_', ' ')}"
    )


def concentration_integration_figure(
    conc: pd.DataFrame,
    spec: pd.DataFrame,
    *,
    cfg: Mapping[str, Any],
    x_label: str,
    alpha: float,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """One panel per concentration metric of ``cfg["metrics"]`` (industry-year points demeaned by
    industry plus the grand mean, against integration; the fixed-effects quadratic with its 95%
    band; the turning point and its delta-method 95% interval) and one for specialisation
    (region-year points demeaned by region, fixed-effects line with its band). ``conc``, ``spec``:
    :func:`yrd.claims.c1_panels`; ``cfg``: the claims.c1 block (as for the claim)."""
    import matplotlib.pyplot as plt

    metrics = list(cfg["metrics"])
    fits = c1_fits(conc, spec, metrics=metrics, min_years=int(cfg["min_years"]), min_clusters=int(cfg["min_clusters"]))
    cols = [*metrics, "specialisation"]
    fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 4.6), squeeze=False)
    axes = axes[0]
    years = pd.concat([conc["year"], spec["year"]]).to_numpy()
    norm = plt.Normalize(years.min(), years.max()) if len(years) else None
    sc = None
    for ax, col in zip(axes, cols, strict=True):
        group = "region" if col == "specialisation" else "industry"
        raw = spec if col == "specialisation" else conc[conc["metric"] == col]
        d = panel_sample(raw, "value", "integration", group)
        if len(d):
            y = within_points(d, group=group).to_numpy(float)
            x = d["integration"].to_numpy(float)
            sc = ax.scatter(x, y, c=d["year"].to_numpy(), cmap="viridis", norm=norm, s=9, alpha=0.6, lw=0, zorder=3)
            grid = np.linspace(x.min(), x.max(), 200)
        if col == "specialisation":
            ax.set_title(metric_label(cfg["specialisation"], cjk), fontsize=10)
            ax.set_ylabel(bilingual("地区内值+总均值", "within-region + grand mean", cjk), fontsize=8.5)
            sp = fits.specialisation
            if sp is not None:
                hw = Z95 * sp.se * np.abs(grid - sp.x_mean)
                ax.fill_between(grid, sp.line(grid) - hw, sp.line(grid) + hw, color="#D55E00", alpha=0.15, lw=0)
                ax.plot(grid, sp.line(grid), color="#D55E00", lw=1.6)
        else:
            ax.set_title(metric_label(col, cjk), fontsize=10)
            ax.set_ylabel(bilingual("行业内值+总均值", "within-industry + grand mean", cjk), fontsize=8.5)
            f = fits.metrics.get(col)
            if f is not None:
                yhat, hw = f.curve(grid), f.band(grid)
                ax.fill_between(grid, yhat - hw, yhat + hw, color="#D55E00", alpha=0.15, lw=0)
                ax.plot(grid, yhat, color="#D55E00", lw=1.6)
                lo, hi = max(f.tp_low, f.x_min), min(f.tp_high, f.x_max)
                # the turning point means something only for a significant concave fit
                concave = f.shape(alpha) in ("inverted_u", "concave_outside")
                if concave and np.isfinite(lo) and np.isfinite(hi) and lo < hi:
                    ax.axvspan(lo, hi, color="#0072B2", alpha=0.1, lw=0)
                if concave and f.x_min <= f.turning_point <= f.x_max:
                    ax.axvline(f.turning_point, color="#0072B2", ls="--", lw=1)
                    ax.plot([f.turning_point], f.curve([f.turning_point]), marker="v", color="#0072B2", ms=8, zorder=4)
        _box(ax, fit_texts(fits, col, alpha))
        ax.set_xlabel(textwrap.fill(x_label, 48), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7.5)
    if sc is not None:
        cax = fig.add_axes((0.945, 0.2, 0.01, 0.55))
        cb = fig.colorbar(sc, cax=cax)
        cb.set_label(bilingual("年份", "year", cjk), fontsize=8)
        cb.ax.tick_params(labelsize=7)
    title = bilingual(
        "产业集中、地区专业化与一体化（倒U检验）",
        "Concentration, specialisation and integration (inverted U test)",
        cjk,
    )
    sub = (
        "Industry-year points demeaned by industry (+ grand mean); fixed-effects quadratic with 95% band, "
        "turning point (dashed) and its 95% interval (blue) when the fit is significantly concave (claim C1)"
    )
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(fig, synthetic=synthetic, subtitle=sub, gap=0.06, left=0.06, right=0.925, bottom=0.19, wspace=0.3)
