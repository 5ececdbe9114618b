"""C4: market segmentation over time and the six-dimension integration profile (only when
the data are configured; no indicator is invented)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from yrd.claims import linear_trend
from yrd.figures.common import finish, p_text
from yrd.plotting import bilingual

DIMENSION_LABELS = {
    "market": ("市场", "market"),
    "industry": ("产业", "industry"),
    "transport": ("交通", "transport"),
    "information": ("信息", "information"),
    "institution": ("制度", "institution"),
    "ecology": ("生态", "ecology"),
}


def segmentation_figure(overall: pd.DataFrame, *, cjk: bool, synthetic: bool, source: str):
    """Yearly market segmentation index (mean over region pairs) with its OLS trend."""
    import matplotlib.pyplot as plt

    d = overall.dropna(subset=["segmentation"]).sort_values("year")
    fig, ax = plt.subplots(figsize=(8, 4.6))
    ax.plot(d["year"], d["segmentation"] * 1000, marker="o", color="#0072B2", label="segmentation x 1000")
    if len(d) >= 3:
        tr = linear_trend(d["year"], d["segmentation"], se="classical")
        ax.plot(
            d["year"],
            (tr.intercept + tr.slope * d["year"]) * 1000,
            ls=":",
            color="#0072B2",
            label=f"trend {tr.slope * 1000:+.3f}/yr ({p_text(tr.p)})",
        )
    ax.set_xlabel(bilingual("年份", "year", cjk))
    ax.set_ylabel(bilingual("市场分割指数 ×1000", "segmentation index x 1000", cjk))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    title = bilingual("市场分割（相对价格法）", "Market segmentation by the relative price method", cjk)
    sub = "Variance over goods of de-meaned relative price changes, mean over region pairs (claim C4)"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def integration_profile_figure(
    indicators: pd.DataFrame, tiers: Sequence[Sequence[str]], *, cjk: bool, synthetic: bool, source: str
):
    """Left: each dimension's index over years; right: the last year's ranking, bars coloured
    by the paper's tier (top, middle, bottom)."""
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [1.6, 1]})
    tier_of = {d: i for i, t in enumerate(tiers) for d in t}
    tier_col = ["#1a9641", "#a6d96a", "#d7191c"]
    for dim, g in indicators.groupby("dimension"):
        g = g.sort_values("year")
        zh, en = DIMENSION_LABELS.get(dim, (dim, dim))
        ax.plot(
            g["year"],
            g["value"],
            marker="o",
            ms=3,
            label=bilingual(zh, en, cjk),
            color=tier_col[tier_of[dim]] if dim in tier_of else "#999",
        )
    ax.set_xlabel(bilingual("年份", "year", cjk))
    ax.set_ylabel(bilingual("一体化指数", "integration index (as given)", cjk))
    ax.legend(fontsize=7.5)
    ax.grid(alpha=0.3)
    last = int(indicators["year"].max())
    s = indicators[indicators["year"] == last].groupby("dimension")["value"].mean().sort_values()
    ax2.barh(range(len(s)), s.to_numpy(), color=[tier_col[tier_of[d]] if d in tier_of else "#999" for d in s.index])
    ax2.set_yticks(range(len(s)), [bilingual(*DIMENSION_LABELS.get(d, (d, d)), cjk) for d in s.index])
    ax2.set_title(
        f"{last}: " + bilingual("颜色为论文所述层级", "colour = the paper's tier (green high, red low)", cjk),
        fontsize=9,
    )
    ax2.grid(axis="x", alpha=0.3)
    title = bilingual("长三角一体化六个维度", "Six dimensions of YRD integration", cjk)
    return finish(
        fig, title=title, subtitle="Configured indicator table (claim C4)", source=source, synthetic=synthetic, cjk=cjk
    )


REGION_SET_LABELS = {
    "yrd16_2003": ("16 城（2003）", "16 cities of 2003"),
    "yrd41_2019": ("41 城（2019）", "41 cities of 2019"),
}


def integration_index_figure(index: pd.DataFrame, region_set: str, *, cjk: bool, source: str):
    """The measured integration index (:mod:`yrd.integration`): left, the population-weighted
    mean road travel time (hours) among the 16 and the 41 cities; right, the dispersion (CV) of
    travel-time market access across prefectures. ``region_set``: the study's set, drawn bold."""
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.6))
    colours = {"yrd16_2003": "#D55E00", "yrd41_2019": "#0072B2"}
    for s, g in index.groupby("region_set"):
        lab = bilingual(*REGION_SET_LABELS.get(s, (s, s)), cjk)
        lw = 2.4 if s == region_set else 1.3
        t = g[g["measure"] == "mean_travel_time_h"].sort_values("year")
        ax.plot(t["year"], t["value"], marker="o", ms=3, lw=lw, color=colours.get(s, "#555"), label=lab)
        c = g[g["measure"] == "market_access_cv"].sort_values("year")
        ax2.plot(c["year"], c["value"], marker="o", ms=3, lw=lw, color=colours.get(s, "#555"), label=lab)
    ax.set_ylabel(bilingual("小时", "hours", cjk))
    ax2.set_ylabel(bilingual("变异系数", "coefficient of variation", cjk))
    for a in (ax, ax2):
        a.set_xlabel(bilingual("年份", "year", cjk))
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    ax.set_title(bilingual("人口加权平均公路通行时间", "Population-weighted mean road travel time", cjk), fontsize=10)
    ax2.set_title(bilingual("市场可达性的地区差异", "Dispersion of market access across cities", cjk), fontsize=10)
    title = bilingual(
        "长三角一体化指数（实测公路通行时间）", "YRD integration index from measured road travel times", cjk
    )
    sub = "T(t) = sum P_i P_j T_ij(t) / sum P_i P_j over pairs; MA_i = sum_j P_j T_ij^-theta; P = census population (integration.weight)"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=False, cjk=cjk)
