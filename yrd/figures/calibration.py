"""The synthetic world against real aggregates (:mod:`yrd.synthetic.calibration`; synthetic runs only).

Left: each province's share of the four provinces' manufacturing output by year, real (DOSE,
solid) and simulated (the synthetic firms, dashed; an outcome of the model). Right: the industry
mix, each GB/T 4754-2002 division's share of the synthetic firms' employment against its share
of China's manufacturing employment in the last year (matched by construction for new firms),
the divisions farthest from their national share named.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from yrd.figures.common import PROVINCE_LABELS, finish, legend_outside
from yrd.plotting import bilingual

#: Okabe-Ito colours of the four provinces.
PROVINCE_COLOURS = {"31": "#D55E00", "32": "#0072B2", "33": "#009E73", "34": "#CC79A7"}


def calibration_figure(
    table: pd.DataFrame,
    fit: pd.DataFrame,
    industry_labels: Mapping[str, str],
    *,
    cjk: bool,
    source: str,
    n_labels: int = 6,
):
    """The figure of the calibration table and its fit (:func:`yrd.synthetic.calibration.calibration_table`,
    :func:`~yrd.synthetic.calibration.fit_statistics`); ``industry_labels``: label of each division
    code (:func:`yrd.figures.common.industry_labels`); the ``n_labels`` divisions farthest from the
    national share are named."""
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(13, 6.4), gridspec_kw={"width_ratios": [1.5, 1]})
    prov = table[table["moment"] == "province_output_share"]
    pfit = fit[fit["moment"] == "province_output_share"].set_index("key")
    if prov["key"].nunique() > MAX_LINES:
        _province_scatter(ax, prov, pfit, cjk)
    else:
        _province_lines(ax, prov, pfit, cjk)
    _industry_panel(ax2, table, fit, industry_labels, n_labels, cjk)
    title = bilingual("合成世界与真实总量的比较", "The synthetic world against real aggregates", cjk)
    sub = (
        "Matched by construction: road distances (Ma and Tang 2024) and new firms' industry mix; "
        "compared as an outcome: provincial shares"
    )
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=True, cjk=cjk)


#: Above this many provinces (a national world) the provincial shares are drawn as a scatter.
MAX_LINES = 6


def _overall_head(pfit: pd.DataFrame, cjk: bool) -> str:
    overall = pfit.loc["all"] if "all" in pfit.index else None
    head = bilingual("各省份额", "Provincial shares", cjk) + ": an outcome of the model"
    if overall is not None:
        head += f"\nall provinces and years: RMSE {overall['rmse_pp']:.1f} pp, r {overall['correlation']:+.2f}"
    return head


def _province_scatter(ax, prov: pd.DataFrame, pfit: pd.DataFrame, cjk: bool) -> None:
    """Simulated against real share of every province and year (a national world: 31 provinces),
    the YRD's four in their colours, the others grey; the 45-degree line is a perfect fit."""
    from matplotlib.lines import Line2D

    top = float(max(prov["real"].max(), prov["simulated"].max())) * 1.08
    ax.plot([0, top], [0, top], color="#999999", lw=1, ls=":")
    other = prov[~prov["key"].isin(list(PROVINCE_COLOURS))]
    ax.scatter(other["real"], other["simulated"], s=10, color="#9a9a9a", alpha=0.6, lw=0, zorder=2)
    handles = [Line2D([], [], color="#9a9a9a", marker="o", ls="", ms=4)]
    labels = [bilingual("其他省份", f"other {other['key'].nunique()} provinces", cjk)]
    for key, col in PROVINCE_COLOURS.items():
        g = prov[prov["key"] == key]
        if not len(g):
            continue
        ax.scatter(g["real"], g["simulated"], s=16, color=col, zorder=3)
        zh, en = PROVINCE_LABELS.get(key, (key, key))
        f = pfit.loc[key] if key in pfit.index else None
        stat = f"RMSE {f['rmse_pp']:.1f} pp, r {f['correlation']:+.2f}" if f is not None else ""
        handles.append(Line2D([], [], color=col, marker="o", ls="", ms=5))
        labels.append(f"{bilingual(zh, en, cjk)}\n{stat}")
    legend_outside(ax, handles, labels, fontsize=7.5, labelspacing=0.9)
    ax.set_xlabel(bilingual("真实份额（DOSE，%）", "real share (DOSE, %)", cjk))
    ax.set_ylabel(bilingual("模拟份额（合成数据，%）", "simulated share (SYNTHETIC, %)", cjk))
    ax.set_title(_overall_head(pfit, cjk) + "; one point per province and year, % of China's manufacturing", fontsize=9)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.grid(alpha=0.3)


def _province_lines(ax, prov: pd.DataFrame, pfit: pd.DataFrame, cjk: bool) -> None:
    """Each province's real (solid) and simulated (dashed) share by year."""
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for key, g in prov.groupby("key", sort=True):
        g = g.sort_values("year")
        col = PROVINCE_COLOURS.get(key, "#555555")
        zh, en = PROVINCE_LABELS.get(key, (key, key))
        ax.plot(g["year"], g["real"], color=col, lw=2.0, marker="o", ms=3)
        ax.plot(g["year"], g["simulated"], color=col, lw=1.6, ls="--", marker="s", ms=3, mfc="white")
        f = pfit.loc[key] if key in pfit.index else None
        stat = f"RMSE {f['rmse_pp']:.1f} pp, r {f['correlation']:+.2f}" if f is not None else ""
        handles.append(Line2D([], [], color=col, lw=2.5))
        labels.append(f"{bilingual(zh, en, cjk)}\n{stat}")
    handles += [
        Line2D([], [], color="#333333", lw=2.0, marker="o", ms=3),
        Line2D([], [], color="#333333", lw=1.6, ls="--", marker="s", ms=3, mfc="white"),
    ]
    labels += [
        bilingual("真实（DOSE）", "real (DOSE)", cjk),
        bilingual("模拟（合成数据）", "simulated (SYNTHETIC)", cjk),
    ]
    legend_outside(ax, handles, labels, fontsize=7.5, labelspacing=0.9)
    ax.set_xlabel(bilingual("年份", "year", cjk))
    n = prov["key"].nunique()
    ax.set_ylabel(bilingual(f"占{n}省市制造业产出（%）", f"% of the {n} provinces' manufacturing output", cjk))
    ax.set_title(_overall_head(pfit, cjk), fontsize=9.5)
    ax.grid(alpha=0.3)
    ax.set_ylim(0, float(max(prov["real"].max(), prov["simulated"].max())) * 1.12)


def _industry_panel(ax2, table: pd.DataFrame, fit: pd.DataFrame, industry_labels, n_labels: int, cjk: bool) -> None:
    """Each division's share of simulated against national employment in the last year."""
    mix = table[table["moment"] == "industry_employment_share"]
    last = int(mix["year"].max())
    m = mix[mix["year"] == last]
    top = float(max(m["real"].max(), m["simulated"].max())) * 1.08
    ax2.plot([0, top], [0, top], color="#999999", lw=1, ls=":")
    ax2.scatter(m["real"], m["simulated"], s=18, color="#444444", zorder=3)
    far = m.assign(gap=(m["simulated"] - m["real"]).abs()).nlargest(n_labels, "gap")
    _label_points(ax2, far, industry_labels, top)
    ifit = fit[(fit["moment"] == "industry_employment_share") & (fit["key"] == "all")]
    stat = f"{last}; all years: RMSE {ifit['rmse_pp'].iloc[0]:.2f} pp, r {ifit['correlation'].iloc[0]:+.2f}"
    head2 = bilingual("行业结构", "Industry mix", cjk) + ": new firms matched by construction"
    ax2.set_title(f"{head2}\n{stat}", fontsize=9.5)
    ax2.set_xlabel(bilingual("占全国制造业就业（%）", "% of national employment", cjk))
    ax2.set_ylabel(bilingual("占模拟企业就业（%）", "% of simulated employment", cjk))
    ax2.set_xlim(0, top)
    ax2.set_ylim(0, top)
    ax2.grid(alpha=0.3)


def _label_points(ax, rows: pd.DataFrame, labels: Mapping[str, str], top: float) -> None:
    """Name the points ``rows`` (``key``, ``real``, ``simulated``) with leader lines, the labels
    stacked bottom-up without overlap: to the left of points in the right part of the axes, else
    to the right."""
    gap = 0.05 * top
    y_prev = -np.inf
    for r in rows.sort_values("simulated").itertuples():
        right_side = r.real > 0.55 * top
        y = max(float(r.simulated) - 0.5 * gap, y_prev + gap)
        y_prev = y
        x = r.real - 0.04 * top if right_side else r.real + 0.04 * top
        ax.annotate(
            labels.get(str(r.key), str(r.key)),
            (r.real, r.simulated),
            xytext=(x, y),
            fontsize=6.5,
            va="center",
            ha="right" if right_side else "left",
            arrowprops={"arrowstyle": "-", "color": "#666666", "lw": 0.6},
        )
