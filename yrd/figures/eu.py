"""C6: EU disparities in 2002 against the paper's figures, on the main basis (market exchange
rates, World Bank) and at PPP (Gapminder), with Italy's regional gap (DOSE)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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

MAIN_COLOUR, PPP_COLOUR, PAPER_COLOUR = "#0072B2", "#E69F00", "#B2182B"
#: Right end of the country axis (%): a longer bar (Luxembourg at market rates) is cut there and labelled.
X_CAP = 60.0


def _basis(doc: Mapping[str, Any], basis_id: str) -> Mapping[str, Any]:
    return next(b for b in doc["bases"] if b["id"] == basis_id)


def _gaps(basis: Mapping[str, Any]) -> dict[str, float]:
    return {r["country"]: r["gap_pct"] for r in basis.get("countries", [])}


def _countries_panel(ax, doc: Mapping[str, Any], cjk: bool) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    main, ppp = _basis(doc, doc["main_basis"]), _basis(doc, "ppp_gapminder")
    g_main, g_ppp = _gaps(main), _gaps(ppp)
    paper, tol = doc["paper"], doc["tolerance_pp"]
    order = sorted(doc["members"], key=lambda c: g_main.get(c, g_ppp.get(c, 0.0)))
    values = [v for v in [*g_main.values(), *g_ppp.values()] if v < X_CAP]
    hi = min(X_CAP, max([*values, *(v + tol + 18 for v in paper.values())]) + 10)
    lo = min([*values, *(v - tol - 20 for v in paper.values())]) - 6
    h = 0.38
    for y, c in enumerate(order):
        if c in paper:
            v = paper[c]
            ax.add_patch(plt.Rectangle((v - tol, y - 0.47), 2 * tol, 0.94, color=PAPER_COLOUR, alpha=0.13, lw=0))
            ax.plot([v], [y], marker="D", color=PAPER_COLOUR, ms=7.5, zorder=4)
            right = v >= 0
            ax.annotate(
                bilingual(f"论文 {v:+g}%", f"paper {v:+g}%", cjk),
                (v + (tol if right else -tol), y),
                xytext=(3 if right else -3, 0),
                textcoords="offset points",
                ha="left" if right else "right",
                va="center",
                fontsize=7,
                color=PAPER_COLOUR,
            )
        for gaps, dy, colour in ((g_main, h / 2, MAIN_COLOUR), (g_ppp, -h / 2, PPP_COLOUR)):
            if c not in gaps:
                ax.text(
                    1, y + dy, bilingual("无数据", "no data", cjk), va="center", ha="left", fontsize=6.5, color="#666"
                )
                continue
            v = gaps[c]
            shown = min(v, hi - 2)
            ax.barh(y + dy, shown, height=h, color=colour, zorder=2)
            # long bars carry their value inside (positive: at the end; negative: next to zero, clear of
            # the paper's marks), short ones beside it
            inside = abs(shown) > 12
            label = f"{v:+.1f}%" + (" ▸" if v > shown else "")
            if inside:
                x, ha = (shown - 0.8, "right") if v >= 0 else (-0.8, "right")
            else:
                x, ha = (shown + 0.8, "left") if v >= 0 else (shown - 0.8, "right")
            ax.text(x, y + dy, label, va="center", ha=ha, fontsize=6.5, color="white" if inside else "#222", zorder=5)
    labels = [bilingual(COUNTRY_ZH.get(c, c), c, cjk) for c in order]
    ax.set_yticks(range(len(order)), labels, fontsize=8)
    for lab, c in zip(ax.get_yticklabels(), order, strict=True):
        if c in paper:
            lab.set_color(PAPER_COLOUR)
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlim(lo, hi)
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel(bilingual("与欧盟平均水平的差距 (%)", "gap to the EU mean, %", cjk), fontsize=8.5)
    ax.set_title(bilingual("各国人均GDP", f"GDP per capita, {doc['year']}", cjk), fontsize=10)

    ppp_cov = "" if not ppp.get("countries_missing") else f", mean of {len(ppp['countries_used'])}"
    handles = [
        Patch(color=MAIN_COLOUR, label=bilingual("市场汇率", "market exchange rates (World Bank), main basis", cjk)),
        Patch(color=PPP_COLOUR, label=bilingual("购买力平价", f"PPP (Gapminder{ppp_cov})", cjk)),
        Line2D([], [], marker="D", color=PAPER_COLOUR, lw=0, label=bilingual("论文数值", "paper's figure", cjk)),
        Patch(color=PAPER_COLOUR, alpha=0.13, label=f"± {tol:g} pp"),
    ]
    ax.legend(handles=handles, loc="upper left", fontsize=7)


def _italy_panel(ax, doc: Mapping[str, Any], cjk: bool) -> None:
    it = doc["italy"]
    ax.set_title(bilingual("意大利各大区人均GDP", f"Italy's regions, {doc['year']}", cjk), fontsize=10)
    if not it.get("available"):
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"Italy's regional gap: no data\n({it.get('reason', '')})", ha="center", va="center")
        return
    regions = list(reversed(it["regions"]))
    colours = [PAPER_COLOUR if r["region"] in (it["max_region"], it["min_region"]) else "#9ecae1" for r in regions]
    ax.barh(range(len(regions)), [r["gdp_pc_lcu"] / 1000 for r in regions], color=colours, height=0.7)
    ax.set_yticks(range(len(regions)), [r["region"] for r in regions], fontsize=6.8)
    ax.set_ylim(-0.7, len(regions) - 0.3)
    ax.axvline(it["national"] / 1000, color="black", lw=0.9, ls="--")
    ax.text(
        it["national"] / 1000,
        (len(regions) - 1) / 2,
        bilingual("全国", "national", cjk) + f" {it['national'] / 1000:.1f}",
        ha="center",
        va="center",
        fontsize=6.8,
        rotation=90,
        bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="none"),
    )
    main = it["readings"][0]
    text = (
        f"(max − min) / national = {main['value_pct']:.1f}%\n"
        + bilingual(f"论文 {main['paper_pct']:g}%", f"paper {main['paper_pct']:g}%", cjk)
        + f" ({main['diff_pp']:+.1f} pp, {main['outcome']})\n"
        + f"max / min = {it['ratio']:.2f}"
    )
    ax.text(
        0.97,
        0.04,
        text,
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize=7.3,
        bbox=dict(boxstyle="round,pad=0.35", facecolor="white", edgecolor=PAPER_COLOUR),
    )
    ax.set_xlabel(bilingual("千欧元/人 (DOSE)", "thousand EUR per head (DOSE)", cjk), fontsize=8.5)
    ax.grid(axis="x", alpha=0.3)


def eu_disparities_figure(doc: Mapping[str, Any], *, cjk: bool, source: str):
    """Two panels from the C6 document (:func:`yrd.claims.c6_document`): left, each member's
    gap to the EU mean on the main basis (market exchange rates) and at PPP, with the paper's
    figures as red diamonds and the tolerance band; right, Italy's regional GDP per capita
    (DOSE) with the national value and the regional gap against the paper's 70%."""
    import matplotlib.pyplot as plt

    fig, (ax_c, ax_i) = plt.subplots(1, 2, figsize=(12, 7.4), gridspec_kw={"width_ratios": [1.55, 1]})
    _countries_panel(ax_c, doc, cjk)
    _italy_panel(ax_i, doc, cjk)
    main, ppp = _basis(doc, doc["main_basis"]), _basis(doc, "ppp_gapminder")
    mean = f" ({main['average']:,.0f} USD)" if main.get("average") else ""
    by = {o: [c for c, v in doc["main_outcomes"].items() if v == o] for o in set(doc["main_outcomes"].values())}
    outcome = "; ".join(f"{o.capitalize()}: {', '.join(cs)}" for o, cs in sorted(by.items(), reverse=True))
    sub = (
        f"Blue: market exchange rates (World Bank WDI, current USD), gap to the population-weighted EU mean over "
        f"{main['coverage']}{mean}: the main basis.\n"
        f"Orange: PPP (Gapminder, constant 2005 international dollars), {ppp['coverage']}. Right: Italy's regions (DOSE v2.11, EUR).\n"
        f"Verdict on the main basis (± {doc['tolerance_pp']:g} pp): {doc['verdict']}. {outcome}. "
        f"Other bases: claims/<sample>/c6.json"
    )
    title = bilingual(
        f"{doc['year']}年欧盟成员国人均GDP差距与意大利地区差距",
        f"EU disparities in {doc['year']}: GDP per capita against the EU-15 mean",
        cjk,
    )
    finish(fig, title=title, subtitle=sub, source=source, synthetic=False, cjk=cjk)
    return fig
