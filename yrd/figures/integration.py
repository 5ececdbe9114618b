"""Integration figures: the measured integration index, C4's measured dimensions, market
segmentation over time and a user's six-dimension profile (no indicator is invented)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from yrd.figures.common import finish, no_data_figure, p_text
from yrd.plotting import bilingual

DIMENSION_LABELS = {
    "market": ("市场", "market"),
    "industry": ("产业", "industry"),
    "transport": ("交通", "transport"),
    "information": ("信息", "information"),
    "institution": ("制度", "institution"),
    "ecology": ("生态", "ecology"),
    "economic": ("经济", "economic"),
}
INDICATOR_LABELS = {
    "mean_travel_time": ("平均公路通行时间", "mean road travel time"),
    "gdp_per_capita_dispersion": ("人均GDP变异系数", "CV of GDP per capita"),
    "manufacturing_share_dispersion": ("制造业比重变异系数", "CV of manufacturing share"),
    "relative_price_segmentation": ("市场分割指数", "market segmentation index"),
}


def segmentation_figure(doc: Mapping[str, Any], *, cjk: bool, synthetic: bool, source: str):
    """Yearly market segmentation index (mean over region pairs) with its OLS trend, from the C4
    claim document (``doc["segmentation"]``, :func:`yrd.claims.c4.c4_segmentation`)."""
    import matplotlib.pyplot as plt

    seg = doc.get("segmentation") or {"series": [], "trend": None}
    d = pd.DataFrame.from_records(seg["series"], columns=["year", "segmentation", "fitted"])
    fig, ax = plt.subplots(figsize=(8, 4.6))
    ax.plot(d["year"], d["segmentation"] * 1000, marker="o", color="#0072B2", label="segmentation x 1000")
    tr = seg["trend"]
    if tr is not None:
        ax.plot(
            d["year"],
            d["fitted"] * 1000,
            ls=":",
            color="#0072B2",
            label=f"trend {tr['slope'] * 1000:+.3f}/yr ({p_text(tr['p'])})",
        )
    ax.set_xlabel(bilingual("年份", "year", cjk))
    ax.set_ylabel(bilingual("市场分割指数 ×1000", "segmentation index x 1000", cjk))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    title = bilingual("市场分割（相对价格法）", "Market segmentation by the relative price method", cjk)
    sub = "Variance over goods of de-meaned relative price changes, mean over region pairs (claim C4)"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def integration_profile_figure(
    indicators: pd.DataFrame, doc: Mapping[str, Any], *, cjk: bool, synthetic: bool, source: str
):
    """Left: each dimension's index over years (the configured table, as given); right: the
    ranking the C4 claim tested (``doc["tiers"]``, :func:`yrd.claims.c4.c4_tier_check`, from the
    claim document claims/c4.json), bars coloured by the paper's tier (top, middle, bottom)."""
    import matplotlib.pyplot as plt

    tiers = doc["paper_tiers"]
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
    check = pd.DataFrame.from_records(doc["tiers"]).sort_values("rank", ascending=False)
    last = int(check["year"].iloc[0])
    colours = [tier_col[tier_of[d]] if d in tier_of else "#999" for d in check["dimension"]]
    ax2.barh(range(len(check)), check["value"].to_numpy(), color=colours)
    ax2.set_yticks(range(len(check)), [bilingual(*DIMENSION_LABELS.get(d, (d, d)), cjk) for d in check["dimension"]])
    ax2.set_title(
        f"{last}: " + bilingual("颜色为论文所述层级", "colour = the paper's tier (green high, red low)", cjk),
        fontsize=9,
    )
    ax2.grid(axis="x", alpha=0.3)
    title = bilingual("长三角一体化六个维度", "Six dimensions of YRD integration", cjk)
    return finish(
        fig,
        title=title,
        subtitle=f"Configured indicator table (claim C4: {doc['verdict']})",
        source=source,
        synthetic=synthetic,
        cjk=cjk,
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


def measured_profile_figure(doc: Mapping[str, Any], *, cjk: bool, source: str):
    """C4 on the measured dimensions from the C4 claim document ``claims/c4.json``
    (:func:`yrd.claims.c4.claim_c4_measured`): left, every indicator's progress index
    x(base)/x(t) by year (solid: the dimension's geometric mean, the document's ``progress``);
    right, each dimension's level (progress in the last year) and speed (%/year with its 95%
    interval ``speed_low``-``speed_high``). The dimensions without data are named, not drawn."""
    import matplotlib.pyplot as plt

    colours = {"transport": "#1a9641", "economic": "#d7191c", "market": "#fdae61"}
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 5.0), gridspec_kw={"width_ratios": [1.6, 1]})
    if not doc.get("ranking") or not doc.get("indicators"):
        title = bilingual("长三角一体化：可测量的维度", "YRD integration: the dimensions that can be measured", cjk)
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=False, cjk=cjk)
    indicators = pd.DataFrame.from_records(doc["indicators"])
    progress = pd.DataFrame.from_records(doc["progress"])
    ranking = pd.DataFrame.from_records(doc["ranking"])
    untested, verdict = doc["untested"], doc["verdict"]
    base = int(indicators["base_year"].iloc[0])
    for (dim, ind), g in indicators.groupby(["dimension", "indicator"]):
        g = g.sort_values("year")
        lab = bilingual(*INDICATOR_LABELS.get(ind, (ind, ind)), cjk)
        ls = "-" if ind == "mean_travel_time" else "--"
        ax.plot(g["year"], g["progress"], ls=ls, marker="o", ms=2.5, lw=1.2, color=colours.get(dim, "#555"), label=lab)
    for dim, g in progress.groupby("dimension"):
        if indicators.loc[indicators["dimension"] == dim, "indicator"].nunique() > 1:
            g = g.sort_values("year")
            zh, en = DIMENSION_LABELS.get(dim, (dim, dim))
            ax.plot(g["year"], g["progress"], lw=2.6, color=colours.get(dim, "#555"), label=bilingual(zh, en, cjk))
    ax.axhline(1, color="#777", lw=0.8)
    ax.set_xlabel(bilingual("年份", "year", cjk))
    ax.set_ylabel(bilingual(f"进展指数 x({base})/x(t)", f"progress x({base})/x(t)", cjk))
    ax.legend(fontsize=7, loc="upper left")
    ax.grid(alpha=0.3)
    r = ranking.assign(first=ranking["dimension"].ne("transport")).sort_values(["first", "dimension"])
    ypos = np.arange(len(r))
    err = [100 * (r["speed"] - r["speed_low"]), 100 * (r["speed_high"] - r["speed"])]
    ax2.barh(ypos, 100 * r["speed"], xerr=err, color=[colours.get(d, "#555") for d in r["dimension"]])
    ax2.set_yticks(ypos, [bilingual(*DIMENSION_LABELS.get(d, (d, d)), cjk) for d in r["dimension"]])
    for y, row in zip(ypos, r.itertuples(), strict=True):
        ax2.text(0.02, y + 0.32, f"level {row.level:.2f}", transform=ax2.get_yaxis_transform(), fontsize=8)
    ax2.set_xlabel(bilingual("速度（%/年）", "speed: trend of ln progress, %/yr (95% CI)", cjk))
    ax2.invert_yaxis()
    ax2.grid(axis="x", alpha=0.3)
    ax2.set_title(f"C4: {verdict}", fontsize=10)
    ax.xaxis.get_major_locator().set_params(integer=True)
    title = bilingual("长三角一体化：可测量的维度", "YRD integration: the dimensions that can be measured", cjk)
    sub = "Not tested (no data): " + ", ".join(untested) + ". Real data: Ma and Tang (2024) travel times; DOSE v2.11."
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=False, cjk=cjk)
