"""C6: EU disparities in 2002 from Gapminder against the paper's figures."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from yrd.figures.common import finish
from yrd.plotting import bilingual

#: Chinese names of the EU-15 members.
COUNTRY_ZH = {
    "Austria": "奥地利",
    "Belgium": "比利时",
    "Denmark": "丹麦",
    "Finland": "芬兰",
    "France": "法国",
    "Germany": "德国",
    "Greece": "希腊",
    "Ireland": "爱尔兰",
    "Italy": "意大利",
    "Luxembourg": "卢森堡",
    "Netherlands": "荷兰",
    "Portugal": "葡萄牙",
    "Spain": "西班牙",
    "Sweden": "瑞典",
    "United Kingdom": "英国",
}

NOTE = (
    "Why the numbers differ: Gapminder's GDP per capita is at purchasing-power parity (constant 2005 "
    "international USD), which narrows the gaps of the poorer members compared with GDP per head at market "
    "exchange rates; the average here is population-weighted over the EU members listed (Luxembourg is not in "
    "Gapminder); the paper names no source and its '-46%' is closer to exchange-rate comparisons (likely a "
    "Eurostat or press figure, not verified here). Italy's regional gap (70%): no regional GDP data in the "
    "pipeline, not tested."
)


def eu_disparities_figure(
    gaps: pd.DataFrame,
    paper: Mapping[str, float],
    *,
    year: int,
    tolerance_pp: float,
    cjk: bool,
    source: str,
):
    """Horizontal bars: each country's gap to the population-weighted average (``gaps`` from
    :func:`yrd.claims.eu_gaps`), the paper's figures as red diamonds with the tolerance band."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    d = gaps.sort_values("gap_pct")
    fig, ax = plt.subplots(figsize=(8.5, 6.2))
    ypos = range(len(d))
    colours = ["#0072B2" if c in paper else "#9ecae1" for c in d["country"]]
    ax.barh(list(ypos), d["gap_pct"], color=colours, height=0.7)
    for y, r in zip(ypos, d.itertuples(), strict=True):
        ax.text(
            r.gap_pct + (1 if r.gap_pct >= 0 else -1),
            y,
            f"{r.gap_pct:+.0f}%",
            va="center",
            ha="left" if r.gap_pct >= 0 else "right",
            fontsize=7.5,
        )
        if r.country in paper:
            v = paper[r.country]
            ax.add_patch(
                plt.Rectangle((v - tolerance_pp, y - 0.42), 2 * tolerance_pp, 0.84, color="#B2182B", alpha=0.15, lw=0)
            )
            ax.plot([v], [y], marker="D", color="#B2182B", ms=8, zorder=4)
            right = v >= 0
            ax.annotate(
                f"paper {v:+g}%",
                (v + (tolerance_pp if right else -tolerance_pp), y),
                xytext=(4 if right else -4, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7.5,
                color="#B2182B",
            )
    labels = [bilingual(COUNTRY_ZH.get(c, c), c, cjk) for c in d["country"]]
    ax.set_yticks(list(ypos), labels, fontsize=8.5)
    ax.axvline(0, color="black", lw=0.8)
    lo = min(float(d["gap_pct"].min()) - 8, min(paper.values(), default=0) - tolerance_pp - 16)
    hi = max(float(d["gap_pct"].max()) + 8, max(paper.values(), default=0) + tolerance_pp + 16)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(bilingual("与欧盟人口加权平均的差距 (%)", f"gap to the population-weighted average ({year}), %", cjk))
    ax.grid(axis="x", alpha=0.3)
    avg = gaps.attrs.get("average")
    handles = [
        Patch(color="#0072B2", label=bilingual("论文提及的国家", "countries in the paper", cjk)),
        Patch(color="#9ecae1", label=bilingual("其他成员国", "other members", cjk)),
        Line2D([], [], marker="D", color="#B2182B", lw=0, label=bilingual("论文数值", "paper's figure", cjk)),
        Patch(color="#B2182B", alpha=0.15, label=f"± {tolerance_pp:g} pp tolerance"),
    ]
    ax.legend(handles=handles, loc="center left", fontsize=7.5)
    fig.text(0.01, 0.045, NOTE, fontsize=7, color="#333333", wrap=True, va="bottom")
    title = bilingual(f"{year}年欧盟成员国人均GDP差距", f"EU disparities in {year}: GDP per capita (PPP)", cjk)
    sub = f"{len(d)} of the EU-15 (no Luxembourg); average {avg:,.0f} USD (PPP, constant 2005 prices)" if avg else None
    finish(fig, title=title, subtitle=sub, source=source, synthetic=False, cjk=cjk, bottom=0.17)
    return fig
