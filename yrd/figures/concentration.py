"""C1: concentration and specialisation against integration, with the fitted quadratic."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from yrd.claims import linear_trend, quadratic_fit
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


def _band(fit_ols, X: np.ndarray) -> np.ndarray:
    """Half-width of the 95% band of the fitted mean (normal approximation)."""
    var = np.einsum("ij,jk,ik->i", X, fit_ols.cov, X)
    return 1.96 * np.sqrt(np.clip(var, 0, None))


def concentration_integration_figure(
    series: pd.DataFrame,
    *,
    metrics: Sequence[str],
    specialisation_metric: str,
    x_label: str,
    alpha: float,
    se: str = "hac",
    hac_lags: int | None = None,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """One panel per concentration metric (yearly mean across industries against integration,
    points labelled by year, fitted quadratic with its 95% band and the turning point) and a
    panel for specialisation with its linear fit. ``series``: :func:`yrd.claims.c1_series`."""
    import matplotlib.pyplot as plt

    cols = [*metrics, "specialisation"]
    fig, axes = plt.subplots(1, len(cols), figsize=(4.2 * len(cols), 4.6), squeeze=False)
    axes = axes[0]
    d = series.dropna(subset=["integration"]).sort_values("year")
    x = d["integration"].to_numpy(dtype=float)
    grid = np.linspace(x.min(), x.max(), 200) if len(x) else np.array([])
    years = d["year"].to_numpy()
    norm = plt.Normalize(years.min(), years.max()) if len(years) else None
    varies = len(np.unique(x)) >= 3  # no fit when integration is constant (e.g. the no-integration experiment)
    for ax, col in zip(axes, cols, strict=True):
        y = d[col].to_numpy(dtype=float)
        ok = np.isfinite(y)
        sc = ax.scatter(x[ok], y[ok], c=years[ok], cmap="viridis", norm=norm, s=28, zorder=3, edgecolor="white", lw=0.5)
        for xi, yi, yr in zip(x[ok], y[ok], years[ok], strict=True):
            if yr in (years.min(), years.max()) or yr % 5 == 0:
                ax.annotate(str(yr), (xi, yi), xytext=(3, 3), textcoords="offset points", fontsize=6.5, color="#333")
        if col == "specialisation":
            ax.set_title(metric_label(specialisation_metric, cjk), fontsize=10)
            ax.set_ylabel(bilingual("地区均值", "mean across regions (unitless)", cjk), fontsize=8.5)
            if ok.sum() >= 3 and varies:
                tr = linear_trend(x[ok], y[ok], se=se, lags=hac_lags)
                ax.plot(grid, tr.intercept + tr.slope * grid, color="#D55E00", lw=1.6, label="linear fit")
                verdict = "rises" if (tr.slope > 0 and tr.p < alpha) else "no significant rise"
                ax.text(
                    0.02,
                    0.97,
                    f"slope {tr.slope:.3g} ({p_text(tr.p)})\n{verdict}",
                    transform=ax.transAxes,
                    va="top",
                    fontsize=7.5,
                    bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"),
                )
        else:
            ax.set_title(metric_label(col, cjk), fontsize=10)
            ax.set_ylabel(bilingual("行业均值", "mean across industries (unitless)", cjk), fontsize=8.5)
            if ok.sum() >= 4 and varies:
                f = quadratic_fit(x[ok], y[ok], se=se, lags=hac_lags)
                X = np.column_stack([np.ones_like(grid), grid, grid**2])
                yhat = f.predict(grid)
                hw = _band(f.ols, X)
                ax.fill_between(grid, yhat - hw, yhat + hw, color="#D55E00", alpha=0.15, lw=0)
                ax.plot(grid, yhat, color="#D55E00", lw=1.6)
                shape = f.shape(alpha)
                txt = f"b2 = {f.b2:.3g} ({p_text(f.p_b2)})\nturning point {f.turning_point:.3g}\n-> {shape.replace('_', ' ')}"
                if f.inside:
                    ax.axvline(f.turning_point, color="#D55E00", ls="--", lw=1)
                    ax.plot([f.turning_point], [f.predict([f.turning_point])[0]], marker="v", color="#D55E00", ms=8)
                else:
                    txt += " (outside range)"
                ax.text(
                    0.02,
                    0.97,
                    txt,
                    transform=ax.transAxes,
                    va="top",
                    fontsize=7.5,
                    bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"),
                )
        ax.set_xlabel(x_label, fontsize=8.5)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7.5)
    if len(years):
        cax = fig.add_axes((0.945, 0.2, 0.01, 0.55))
        cb = fig.colorbar(sc, cax=cax)
        cb.set_label(bilingual("年份", "year", cjk), fontsize=8)
        cb.ax.tick_params(labelsize=7)
    title = bilingual(
        "产业集中、地区专业化与一体化（倒U检验）",
        "Concentration, specialisation and integration (inverted U test)",
        cjk,
    )
    sub = "Fitted quadratic with 95% band; turning point marked when inside the observed range (claim C1)"
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(fig, synthetic=synthetic, subtitle=sub, gap=0.06, left=0.06, right=0.925, bottom=0.16, wspace=0.3)
