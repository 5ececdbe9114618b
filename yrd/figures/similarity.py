"""C5: structural similarity (UNIDO cosine) between prefectures: heatmaps and the mean over time.

Both figures draw the C5 claim document ``claims/c5.json`` (:func:`yrd.claims.claim_c5`): the
matrices of the verdict's set (:func:`yrd.claims.c5.c5_matrices`), the yearly means and the
fitted trends of each region set; nothing is recomputed here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.c5 import REGION_SETS, similarity_matrix  # noqa: F401 - similarity_matrix re-exported
from yrd.figures.common import finish, group_colour, no_data_figure, p_text, place_axes, source_note
from yrd.plotting import bilingual
from yrd.regions import GROUPS

SET_LABELS = {
    "yrd16_2003": ("2003年16城", "16-city delta (2003)"),
    "yrd41_2019": ("长三角41城", "whole YRD, 41 cities (2019)"),
}


def set_label(name: str, cjk: bool) -> str:
    zh, en = SET_LABELS.get(name, (name, name))
    return bilingual(zh, en, cjk)


def order_by_group(codes: Sequence[str], groups: Mapping[str, str]) -> list[str]:
    rank = {g: i for i, g in enumerate(GROUPS["group"])}
    return sorted(codes, key=lambda c: (rank.get(groups.get(c, ""), 99), c))


def similarity_heatmaps_figure(
    doc: Mapping[str, Any],
    *,
    groups: Mapping[str, str],
    labels: Mapping[str, str],
    cjk: bool,
    synthetic: bool,
    source: str,
    title_set: str = "",
):
    """One heatmap per matrix of the C5 document (``doc["matrices"]``: the pairwise similarity
    among the members of the verdict's region set, claims.c5.region_set, in the table; ordered
    by region group, group shown by a colour strip), common colour scale 0-1, the document's
    off-diagonal mean in each title. Sized for print: up to 20 members the panels sit side by
    side on a page width, more members get one page-wide panel per row."""
    import matplotlib.pyplot as plt

    matrices = doc.get("matrices") or []
    metric, level = doc["config"]["metric"], doc["config"]["level"]
    if not matrices or not matrices[0]["codes"]:
        title = bilingual("产业结构相似系数（地级市两两之间）", "Structural similarity between prefectures", cjk)
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    table_codes = matrices[0]["codes"] if matrices else []
    codes = order_by_group(table_codes, groups)
    n = len(codes)
    years = [m["year"] for m in matrices]
    # print size: the 16 cities side by side on a page width (~8.5 in), the 41 one panel per row
    small = n <= 20
    panel = 3.5 if small else 6.0
    ncols, nrows = (len(years), 1) if small else (1, len(years))
    width, height = panel * ncols + 2.6, (panel + 0.45) * nrows + 1.45
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
    fs = 7.5 if small else 6.5
    im = None
    for ax, mat in zip(axes.ravel(), matrices, strict=True):
        y = mat["year"]
        values = np.array([[np.nan if v is None else v for v in row] for row in mat["values"]], dtype=float)
        m = pd.DataFrame(values, index=mat["codes"], columns=mat["codes"]).reindex(index=codes, columns=codes)
        im = ax.imshow(m.to_numpy(dtype=float), cmap="magma_r", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(range(n), [labels.get(c, c) for c in codes], rotation=90, fontsize=fs)
        ax.set_yticks(range(n), [labels.get(c, c) for c in codes], fontsize=fs)
        w = max(0.4, 0.025 * n)
        for i, c in enumerate(codes):
            col = group_colour(groups.get(c, ""))
            ax.add_patch(plt.Rectangle((-0.5 - 1.2 * w, i - 0.5), w, 1, color=col, clip_on=False))
            ax.add_patch(plt.Rectangle((i - 0.5, n - 0.5 + 0.2 * w), 1, w, color=col, clip_on=False))
        mean = "NA" if mat["mean"] is None else f"{mat['mean']:.2f}"
        ax.set_title(f"{y}: " + bilingual("均值", "mean", cjk) + f" {mean}", fontsize=9.5)
        ax.tick_params(length=0, pad=72 * 1.45 * w * panel / max(n, 1) + 2)
        ax.set_xlim(-0.5, n - 0.5)
        ax.set_ylim(n - 0.5, -0.5)
    from matplotlib.patches import Patch

    right = 1 - 1.95 / width
    shown = [g for g in GROUPS["group"] if g in {groups.get(c) for c in codes}]
    grp_rows = GROUPS.set_index("group")
    fig.legend(
        [Patch(color=group_colour(g)) for g in shown],
        [bilingual(grp_rows.loc[g, "label_zh"], grp_rows.loc[g, "label_en"], cjk) for g in shown],
        loc="upper left",
        bbox_to_anchor=(right + 0.15 / width, 0.36),
        fontsize=7,
        frameon=False,
        title=bilingual("地区分组", "region group", cjk),
        title_fontsize=7.5,
    )
    cax = fig.add_axes((right + 0.25 / width, 0.42, 0.12 / width, 0.3))
    cb = fig.colorbar(im, cax=cax)
    cb.ax.tick_params(labelsize=7)
    cb.set_label(bilingual("结构相似系数", "similarity (UNIDO cosine)", cjk), fontsize=7.5)
    title = bilingual("产业结构相似系数（地级市两两之间）", "Structural similarity between prefectures", cjk)
    sub = f"{title_set}, {n} prefectures; {metric}, {level} level, employment by 2-digit industry; strips: region group"
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(
        fig,
        synthetic=synthetic,
        subtitle=sub,
        gap=0.03,
        left=0.75 / width + 0.04,
        right=right,
        bottom=0.75 / height,
        wspace=0.32,
        hspace=0.3,
    )


def similarity_trend_figure(doc: Mapping[str, Any], *, cjk: bool, synthetic: bool, source: str):
    """Mean pairwise similarity by year within each region set of the C5 document fully in the
    table (``doc["sets"]``), with its OLS trend (Newey-West p-value, as the C5 verdict; the
    fitted line with the break shift) and the claim's threshold; the verdict's set
    (claims.c5.region_set) drawn thicker."""
    import matplotlib.pyplot as plt

    if not doc.get("sets"):  # a no-data document (e.g. a run without the survey)
        title = bilingual("产业同构：地区间结构相似系数的变化", "Industrial structure convergence over time", cjk)
        return no_data_figure(doc["value"] or "no data", title=title, source=source, synthetic=synthetic, cjk=cjk)
    cfg = doc["config"]
    threshold, metric, level = cfg.get("threshold"), cfg["metric"], cfg["level"]
    break_year, main = cfg.get("break_year"), cfg["region_set"]
    sets = doc.get("sets") or {}
    order = [n for n in REGION_SETS if n in sets] + [n for n in sets if n not in REGION_SETS]
    fig, ax = plt.subplots(figsize=(8, 4.8))
    colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7"]
    for name, col in zip(order, colours, strict=False):
        st = sets[name]
        mp = pd.DataFrame.from_records(st["series"], columns=["year", "mean", "n_pairs", "fitted"])
        if st["missing"] or mp.empty:
            continue  # only region sets fully in the table
        lab = set_label(name, cjk)
        tr = st["trend"]
        if tr is not None:
            lab += f": trend {tr['slope']:+.4f}/yr (Newey-West {p_text(tr['p'])})"
            ax.plot(mp["year"], mp["fitted"], color=col, lw=1, ls=":")
        if name == main:
            lab += " - " + bilingual("检验对象", "tested", cjk)
        ax.plot(mp["year"], mp["mean"], marker="o", ms=4, color=col, label=lab, lw=2.2 if name == main else 1.2)
    if break_year is not None:
        ax.axvline(break_year - 0.5, color="#777777", lw=1, ls="-.")
        ax.text(
            break_year - 0.6,
            0.97,
            bilingual(f"{break_year} 抽样门槛提高", f"{break_year}: ASIF threshold raised", cjk),
            fontsize=7,
            color="#555555",
            ha="right",
            va="top",
        )
    if threshold is not None:
        ax.axhline(threshold, color="#B2182B", ls="--", lw=1)
        ax.text(
            ax.get_xlim()[0],
            threshold,
            " " + bilingual("“趋同”阈值", "claim threshold", cjk) + f" {threshold:g}",
            va="bottom",
            fontsize=7.5,
            color="#B2182B",
        )
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(bilingual("年份", "year", cjk))
    ax.set_ylabel(bilingual("相似系数均值", "mean pairwise similarity", cjk))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7.5, loc="lower right")
    title = bilingual("产业同构：地区间结构相似系数的变化", "Industrial structure convergence over time", cjk)
    sub = f"{metric} (UNIDO cosine of employment shares by industry), mean over pairs of {level}s"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def similarity_source(path: str, synthetic: bool) -> str:
    """Source line of the C5 figures (:func:`yrd.figures.common.source_note`)."""
    return source_note([path], synthetic, "UNIDO structural similarity of employment by 2-digit industry.")
