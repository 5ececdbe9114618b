"""Gravity coefficients and coverage of the three flow sources (:mod:`yrd.flows.sources`).

Left two panels: the pooled PPML distance elasticity and border coefficient of each source
(``flows/sources/gravity.csv``) with 95 % confidence intervals, ``estimate +- 1.96 SE``
(pair-clustered SE); on a synthetic world the true value of each source
(``validation/gravity_sources.json``) is a red diamond. A model that could not be estimated is
named instead. Right panel: coverage (events / true events, :mod:`yrd.flows.source_comparison`)
by great-circle distance band for each source; without a truth (real data) the share of each
source's events in each band.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from yrd.figures.common import finish
from yrd.plotting import bilingual

#: Labels of the sources (Chinese, English).
SOURCE_LABELS = {
    "asif": ("工业企业数据库迁址", "ASIF moves"),
    "changes": ("工商变更登记", "registered relocations"),
    "investments": ("对外投资", "investments"),
}
#: Okabe-Ito colours of the sources.
SOURCE_COLOURS = {"asif": "#0072B2", "changes": "#E69F00", "investments": "#009E73"}
TERMS = {
    "log_distance": ("距离弹性", "distance elasticity (ln km or ln hours)"),
    "border": ("省界系数", "provincial border coefficient"),
}
Z95 = 1.959963984540054


def source_label(source: str, cjk: bool) -> str:
    zh, en = SOURCE_LABELS.get(source, (source, source))
    return bilingual(zh, en, cjk)


def _true_values(validation: Mapping[str, Any] | None) -> dict[tuple[str, str], float]:
    """(source, term) -> true value from the validation document."""
    out: dict[tuple[str, str], float] = {}
    for source, res in ((validation or {}).get("sources") or {}).items():
        for par in (res.get("parameters") or {}).values():
            out[(source, par["term"])] = float(par["true"])
    return out


def flow_sources_figure(
    gravity: pd.DataFrame,
    comparison: pd.DataFrame,
    validation: Mapping[str, Any] | None,
    *,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """The figure (module docstring) of the gravity table (:func:`yrd.flows.sources.sources_gravity`),
    the comparison table (:func:`yrd.flows.source_comparison.comparison_table`) and, on a
    synthetic world, the validation document (:func:`yrd.flows.sources.sources_validation`)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    sources = list(dict.fromkeys(gravity["source"]))
    truth = _true_values(validation)
    fig, axes = plt.subplots(1, 3, figsize=(13.5, 5.4), gridspec_kw={"width_ratios": [1, 1, 1.35]})
    pooled = gravity[gravity["model"] == "pooled"]
    y = np.arange(len(sources))[::-1]
    for ax, (term, (zh, en)) in zip(axes[:2], TERMS.items()):
        t = pooled[pooled["term"] == term].set_index("source")
        for yi, s in zip(y, sources):
            est = float(t.loc[s, "estimate"]) if s in t.index else float("nan")
            se = float(t.loc[s, "std_error"]) if s in t.index else float("nan")
            col = SOURCE_COLOURS.get(s, "#555555")
            if np.isfinite(est):
                xerr = Z95 * se if np.isfinite(se) else None
                ax.errorbar(est, yi, xerr=xerr, fmt="o", color=col, ms=7, capsize=4, lw=2)
                n = int(t.loc[s, "n_moves"]) if "n_moves" in t.columns else None
                label = f"{est:.2f} ({se:.2f})" + (f"\nn={n:,}" if n is not None else "")
                ax.annotate(
                    label, (est, yi), xytext=(0, 8), textcoords="offset points", ha="center", va="bottom", fontsize=7.5
                )
            else:
                note = str(t.loc[s, "note"]) if s in t.index and pd.notna(t.loc[s, "note"]) else "no estimate"
                ax.text(
                    0.03,
                    yi + 0.12,
                    bilingual("无法估计", "not estimable", cjk) + ": " + note.split(" (")[0][:40],
                    transform=ax.get_yaxis_transform(),
                    ha="left",
                    va="bottom",
                    fontsize=7,
                    color="#666666",
                )
            if (s, term) in truth:
                ax.plot(truth[(s, term)], yi, marker="D", color="#B2182B", ms=8, mfc="none", mew=1.8, ls="none")
        ax.margins(x=0.25)
        ax.set_yticks(y, [source_label(s, cjk) for s in sources] if ax is axes[0] else [""] * len(sources))
        ax.set_ylim(-0.6, len(sources) - 0.2)
        ax.set_xlabel(
            bilingual(zh, en, cjk) + "\n" + bilingual("估计值及95%置信区间", "estimate, 95% CI", cjk), fontsize=8.5
        )
        ax.set_title(bilingual(zh, en.split(" (")[0], cjk), fontsize=10)
        ax.grid(axis="x", color="#eeeeee")
    if truth:
        axes[1].legend(
            [
                Line2D([], [], marker="o", color="#333333", ls="none"),
                Line2D([], [], marker="D", color="#B2182B", mfc="none", ls="none"),
            ],
            [bilingual("估计", "estimate", cjk), bilingual("真实值", "true value", cjk)],
            loc="lower right",
            fontsize=7.5,
        )
    _coverage_panel(axes[2], comparison, sources, cjk, has_truth=bool(truth) or comparison["truth"].notna().any())
    title = bilingual(
        "三种来源的迁移流：引力模型与覆盖率", "Relocation flows from three sources: gravity and coverage", cjk
    )
    sub = "Pooled PPML (pyfixest fepois), origin x class x period and destination x class x period fixed effects"
    return finish(fig, title=title, source=source, synthetic=synthetic, cjk=cjk, subtitle=sub)


def _coverage_panel(ax, comparison: pd.DataFrame, sources: list[str], cjk: bool, *, has_truth: bool) -> None:
    """Grouped bars by distance band: coverage (events / truth) or, without truth, shares."""
    d = comparison[(comparison["dimension"] == "distance") & (comparison["cell"] != "unknown")]
    bands = list(dict.fromkeys(d["cell"]))
    x = np.arange(len(bands))
    w = 0.8 / max(len(sources), 1)
    col = "coverage" if has_truth else "share"
    for k, s in enumerate(sources):
        v = d[d["source"] == s].set_index("cell").reindex(bands)[col].to_numpy(dtype=float)
        bars = ax.bar(
            x + (k - (len(sources) - 1) / 2) * w,
            np.nan_to_num(v),
            w,
            color=SOURCE_COLOURS.get(s, "#555"),
            label=source_label(s, cjk),
        )
        for b, val in zip(bars, v):
            txt = "n/a" if not np.isfinite(val) else (f"{val:.2f}" if has_truth else f"{100 * val:.0f}%")
            ax.annotate(
                txt,
                (b.get_x() + b.get_width() / 2, b.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                fontsize=6.5,
            )
    if has_truth:
        ax.axhline(1.0, color="#B2182B", lw=1, ls="--")
        ax.set_ylabel(
            bilingual("覆盖率", "coverage", cjk) + "\n" + bilingual("事件数/真实数", "events / true events", cjk),
            fontsize=8.5,
        )
        ax.set_title(bilingual("按距离的覆盖率", "Coverage by distance band", cjk), fontsize=10)
    else:
        ax.set_ylabel(bilingual("事件占比", "share of the source's events", cjk), fontsize=8.5)
        ax.set_title(bilingual("按距离的分布", "Events by distance band", cjk), fontsize=10)
    ax.set_xticks(x, bands)
    ax.set_xlabel(bilingual("地级市质心间大圆距离", "great-circle km between prefecture centroids", cjk), fontsize=8.5)
    top = np.nanmax(np.r_[d[col].to_numpy(dtype=float), 1.0 if has_truth else 0.0])
    ax.set_ylim(0, 1.45 * (top if np.isfinite(top) and top > 0 else 1.0))
    ax.legend(loc="upper left", fontsize=7.5, frameon=False, ncol=1)
