"""Relocation flows: Shanghai's net flows by class (C2), moves among Shanghai, Jiangsu and
Zhejiang (C3) and the counterfactual distance scenarios of the gravity model."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from yrd.claims import c2_conditions, c2_window_flows, c3_yearly, poisson_trend
from yrd.figures.common import (
    CLASS_COLOURS,
    class_label,
    class_short,
    finish,
    group_label,
    no_data_figure,
    p_text,
    place_axes,
    province_label,
)
from yrd.plotting import bilingual

CLASS_ORDER = ("labour", "capital", "technology", "port", "urban")
STATUS_MARK = {"holds": "✓", "contradicted": "✗", "undetermined": "?"}


def shanghai_net_outflows_figure(
    shanghai: pd.DataFrame,
    *,
    window: Sequence[int],
    partners: Sequence[str],
    outflow_classes: Sequence[str],
    inflow_classes: Sequence[str],
    alpha: float,
    significance: bool,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """Left: Shanghai's net outflow (moves out minus moves in) to/from ``partners`` by class
    and year as a diverging heatmap with the claim's window outlined. Right: the window's totals
    by class with the expected direction and the test status (:func:`yrd.claims.c2_conditions`)."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    d = shanghai[shanghai["partner"].isin(list(partners)) & shanghai["group"].isin(CLASS_ORDER)]
    title = bilingual("上海企业净迁出（按产业类型和年份）", "Shanghai's net relocation outflows by industry class", cjk)
    if d.empty:
        return no_data_figure(
            "No moves of Shanghai in the flow table", title=title, source=source, synthetic=synthetic, cjk=cjk
        )
    mat = (
        d.groupby(["group", "year"])["net_outflow"]
        .sum()
        .unstack("year")
        .reindex([c for c in CLASS_ORDER if c in set(d["group"])])
    )
    years = list(mat.columns)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(14, 4.9), gridspec_kw={"width_ratios": [2.1, 1.25]})
    vmax = max(1.0, float(np.abs(mat.to_numpy()).max()))
    im = ax.imshow(mat.to_numpy(dtype=float), cmap="RdBu_r", norm=TwoSlopeNorm(0, -vmax, vmax), aspect="auto")
    for i in range(mat.shape[0]):
        for j in range(mat.shape[1]):
            v = mat.iat[i, j]
            if v != 0:
                ax.text(
                    j,
                    i,
                    f"{int(v):+d}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if abs(v) > 0.6 * vmax else "black",
                )
    ax.set_xticks(range(len(years)), [str(y) for y in years], rotation=90, fontsize=7.5)
    ax.set_yticks(range(mat.shape[0]), [class_label(c, cjk) for c in mat.index], fontsize=8.5)
    y0, y1 = int(window[0]), int(window[1])
    if y0 in years or y1 in years:
        j0 = years.index(max(y0, years[0]))
        j1 = years.index(min(y1, years[-1]))
        ax.add_patch(plt.Rectangle((j0 - 0.5, -0.5), j1 - j0 + 1, mat.shape[0], fill=False, lw=2, ec="black"))
    cb = fig.colorbar(im, ax=ax, fraction=0.03, pad=0.01)
    cb.set_label(bilingual("净迁出（家）", "net outflow (moves out - in)", cjk), fontsize=8)
    ax.set_title(
        bilingual("按年份", "by year", cjk)
        + f"; partners: {', '.join(group_label(p, cjk) for p in partners)}"
        + "\n"
        + bilingual("黑框：论文时段", "black box: the paper's window", cjk)
        + f" {y0}-{y1}",
        fontsize=9,
    )

    wf = c2_window_flows(shanghai, window, partners)
    cond = c2_conditions(wf, outflow_classes, inflow_classes, alpha, significance).set_index("group")
    shown = [c for c in CLASS_ORDER if c in set(wf["group"])]
    w = wf.set_index("group").reindex(shown)
    ypos = np.arange(len(shown))
    ax2.barh(ypos, w["net_outflow"], color=[CLASS_COLOURS[c] for c in shown], height=0.6)
    ax2.axvline(0, color="black", lw=0.8)
    lim = max(1.0, float(w["net_outflow"].abs().max())) * 1.1
    ax2.set_xlim(-lim, lim * 4.2)
    ax2.axvspan(lim, lim * 4.2, color="white", zorder=3)
    ticks = np.unique(np.round(np.linspace(-lim, lim, 5)))
    ax2.set_xticks(ticks, [f"{t:g}" for t in ticks])
    for y, c in zip(ypos, shown, strict=True):
        r = w.loc[c]
        txt = f"out {int(r.outflow)} / in {int(r.inflow)}"
        if c in cond.index:
            k = cond.loc[c]
            exp = (
                bilingual("应净迁出", "expect out", cjk)
                if k["expected"] == "out"
                else bilingual("应净迁入", "expect in", cjk)
            )
            txt += f"\n{exp}: {STATUS_MARK[k['status']]} {k['status']} ({p_text(k['p'])})"
        ax2.text(lim * 1.05, y, txt, va="center", ha="left", fontsize=7, zorder=4)
    ax2.set_yticks(ypos, [class_label(c, cjk) for c in shown], fontsize=8.5)
    ax2.invert_yaxis()
    ax2.set_xlabel(bilingual("净迁出（家）", "net outflow, moves (out - in)", cjk), fontsize=8.5)
    ax2.set_title(bilingual("论文时段合计", "window total", cjk) + f" {y0}-{y1}", fontsize=9.5)
    ax2.grid(axis="x", alpha=0.3)
    ax2.spines[["right", "top"]].set_visible(False)
    sub = "Positive (red): more firms left Shanghai than arrived; negative (blue): net inflow (claim C2)"
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(fig, synthetic=synthetic, subtitle=sub, gap=0.09, left=0.155, right=0.99, bottom=0.15, wspace=0.6)


def relocations_provinces_figure(
    moves: pd.DataFrame,
    *,
    provinces: Sequence[str],
    years: Sequence[int],
    start: int,
    alpha: float,
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """Left: yearly moves between prefectures of different provinces among ``provinces``,
    stacked by origin province, with the Poisson trend from ``start``. Right: origin x
    destination province matrix of all moves between prefectures since ``start`` (the diagonal:
    moves between prefectures of one province)."""
    import matplotlib.pyplot as plt

    provs = [str(p)[:2] for p in provinces]
    y = c3_yearly(moves, provs, years)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12.5, 4.9), gridspec_kw={"width_ratios": [1.7, 1]})
    colours = {"31": "#D55E00", "32": "#0072B2", "33": "#009E73", "34": "#E69F00"}
    bottom = np.zeros(len(y))
    for p in provs:
        ax.bar(
            y["year"],
            y[f"from_{p}"],
            bottom=bottom,
            color=colours.get(p, "#999"),
            width=0.8,
            label=bilingual("迁出地", "from", cjk) + " " + province_label(p, cjk),
        )
        bottom += y[f"from_{p}"].to_numpy()
    w = y[y["year"] >= start]
    if len(w) >= 3 and w["moves"].sum() > 0:
        tr = poisson_trend(w["moves"], w["year"])
        ax.plot(
            w["year"],
            tr.predict(w["year"]),
            color="black",
            lw=1.8,
            label=f"Poisson trend {tr.growth:+.1%}/yr ({p_text(tr.p)})",
        )
    ax.axvline(start - 0.5, color="#777", ls="--", lw=1)
    ax.set_xlabel(bilingual("年份（迁入新址的第一年）", "year (first year at the new place)", cjk), fontsize=8.5)
    ax.set_ylabel(bilingual("跨省迁移企业数", "moves between provinces (firms)", cjk), fontsize=8.5)
    ax.legend(fontsize=7.5, loc="upper left")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        bilingual("苏浙沪之间跨省迁移（按年份和迁出地）", "between the provinces, by year and origin", cjk),
        fontsize=9.5,
    )

    po = moves["origin_prefecture"].astype(str).str[:2]
    pd_ = moves["dest_prefecture"].astype(str).str[:2]
    sel = po.isin(provs) & pd_.isin(provs) & (moves["year"] >= start) & moves["year"].isin(list(years))
    m = pd.crosstab(po[sel], pd_[sel]).reindex(index=provs, columns=provs, fill_value=0)
    im = ax2.imshow(m.to_numpy(), cmap="Blues")
    vmax = max(1, int(m.to_numpy().max()))
    for i in range(len(provs)):
        for j in range(len(provs)):
            v = int(m.iat[i, j])
            ax2.text(j, i, str(v), ha="center", va="center", fontsize=10, color="white" if v > 0.6 * vmax else "black")
    labs = [province_label(p, cjk) for p in provs]
    ax2.set_xticks(range(len(provs)), labs, fontsize=8.5)
    ax2.set_yticks(range(len(provs)), labs, fontsize=8.5)
    ax2.set_xlabel(bilingual("迁入省", "destination province", cjk), fontsize=8.5)
    ax2.set_ylabel(bilingual("迁出省", "origin province", cjk), fontsize=8.5)
    last = max(years) if len(years) else start
    ax2.set_title(bilingual("迁出地 × 迁入地", "origin x destination", cjk) + f", {start}-{last}", fontsize=9.5)
    fig.colorbar(im, ax=ax2, fraction=0.045, pad=0.03).set_label(bilingual("企业数", "moves", cjk), fontsize=8)
    title = bilingual("苏浙沪企业互迁", "Firm relocations among Shanghai, Jiangsu and Zhejiang", cjk)
    sub = "Moves between prefectures detected in the linked firm panel (claim C3); diagonal: within one province"
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


SCENARIO_LABELS = {
    "without_hangzhou_bay_bridge": ("无杭州湾大桥", "without the Hangzhou Bay Bridge"),
    "gateway_pudong_airport": ("上海门户东移至浦东机场", "Shanghai's gateway at Pudong airport"),
    "gateway_yangshan_port": ("上海门户东移至洋山港", "Shanghai's gateway at Yangshan port"),
}
TARGET_LABELS = {
    "sunan": ("苏南", "Sunan"),
    "south_of_bay": ("杭州湾南岸", "south of Hangzhou Bay"),
}


def counterfactuals_figure(
    scenarios: pd.DataFrame,
    *,
    window: str = "post",
    groups: Sequence[str] = (*CLASS_ORDER, "total"),
    cjk: bool,
    synthetic: bool,
    source: str,
):
    """One panel per scenario: the shift (scenario - baseline, percentage points) of the share
    of Shanghai's predicted outflow going to each target set, by class, pooled over the years
    from the scenario's start (``window='post'``)."""
    import matplotlib.pyplot as plt

    title = bilingual(
        "交通与门户变化的反事实情景", "Counterfactual distance scenarios: shifts of Shanghai's outflow shares", cjk
    )
    reason = scenarios_unavailable(scenarios)
    if reason:
        return no_data_figure(fit_unavailable_text(reason), title=title, source=source, synthetic=synthetic, cjk=cjk)
    if "status" in scenarios.columns:
        scenarios = scenarios[scenarios["status"] == "estimated"]
    d = scenarios[(scenarios["window"] == window) & scenarios["group"].isin(list(groups))]
    if d.empty:
        return no_data_figure("No scenario rows", title=title, source=source, synthetic=synthetic, cjk=cjk)
    names = list(dict.fromkeys(d["scenario"]))
    targets = list(dict.fromkeys(d["target"]))
    fig, axes = plt.subplots(1, len(names), figsize=(4.3 * len(names) + 1, 4.8), squeeze=False, sharey=True)
    tcol = ["#0072B2", "#009E73", "#CC79A7", "#E69F00"]
    shown = [g for g in groups if g in set(d["group"])]
    x = np.arange(len(shown))
    bw = 0.8 / max(1, len(targets))
    for ax, name in zip(axes[0], names, strict=True):
        s = d[d["scenario"] == name]
        for k, t in enumerate(targets):
            v = s[s["target"] == t].set_index("group")["shift"].reindex(shown) * 100
            zh, en = TARGET_LABELS.get(t, (t, t))
            ax.bar(x - 0.4 + bw * (k + 0.5), v.fillna(0), width=bw, color=tcol[k % 4], label=bilingual(zh, en, cjk))
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(x, [class_short(g, cjk) for g in shown], fontsize=7.5)
        zh, en = SCENARIO_LABELS.get(name, (name, name))
        r = s.iloc[0]
        ax.set_title(
            f"{bilingual(zh, en, cjk)}\n{r['type']}, {int(r['start_year'])}-{int(r['end_year'])}", fontsize=8.5
        )
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel(bilingual("份额变化（百分点）", "share: scenario - baseline (pp)", cjk), fontsize=8.5)
    axes[0][-1].legend(fontsize=7.5, title=bilingual("迁入地", "destination", cjk), title_fontsize=7.5)
    sub = (
        "PPML gravity (pooled) with fixed effects held; shift of the share of Shanghai's predicted outflow; "
        "for a 'without X' scenario the effect of X is minus the bar"
    )
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def fit_unavailable_text(reason: str, width: int = 70) -> str:
    """The text a figure shows when the PPML fit cannot be used:
    ``PPML fit not available: <reason>``, wrapped to ``width`` characters."""
    return textwrap.fill(f"PPML fit not available: {reason}", width=width)


def scenarios_unavailable(scenarios: pd.DataFrame) -> str | None:
    """The reason no scenario could be predicted (every row ``not estimable``,
    :func:`yrd.flows.scenarios.scenario_shares`), or None."""
    if "status" not in scenarios.columns or scenarios.empty or (scenarios["status"] == "estimated").any():
        return None
    reasons = list(dict.fromkeys(scenarios["reason"].astype(str)))
    return "; ".join(reasons) or "not estimable"


def fitted_unavailable(fitted: pd.DataFrame | None) -> str | None:
    """Why the fitted flows (``results/<run>/flows/gravity_fitted.parquet``) cannot be shown, or
    None: the pooled model did not converge (``converged`` False, reason in ``note``) or the
    fitted flows are missing."""
    if fitted is None or fitted.empty:
        return "no fitted flows"
    if "converged" in fitted.columns and not fitted["converged"].astype(bool).all():
        note = str(fitted["note"].iloc[0]) if "note" in fitted.columns else ""
        return f"pooled model {note}" if note else "pooled model did not converge"
    if fitted["fitted"].isna().any():
        return "fitted flows missing"
    return None


def add_unavailable_note(fig, reason: str, *, y: float = 0.5) -> None:
    """Write ``PPML fit not available: <reason>`` across ``fig`` (at height ``y``, figure
    fraction) in a framed box, so that a figure without its fitted panel says why."""
    fig.text(
        0.5,
        y,
        fit_unavailable_text(reason, width=60),
        ha="center",
        va="center",
        fontsize=9.5,
        color="#8B0000",
        zorder=10,
        bbox={"boxstyle": "round,pad=0.5", "facecolor": "white", "edgecolor": "#8B0000", "alpha": 0.92},
    )


def flow_totals(table: pd.DataFrame, focus: str, years: Sequence[int] | None, value: str) -> pd.Series:
    """Flows out of ``focus`` summed over ``years`` (all if None) by destination."""
    d = table[table["origin"].astype(str) == str(focus)]
    if years is not None:
        d = d[d["year"].isin(list(years))]
    return d.groupby(d["dest"].astype(str))[value].sum()


def observed_and_fitted(
    od: pd.DataFrame, fitted: pd.DataFrame | None, focus: str, years: Sequence[int] | None
) -> Mapping[str, pd.Series]:
    """Observed moves out of ``focus`` (OD panel, prefecture level, group total) and, if given
    and usable (:func:`fitted_unavailable` is None), the PPML fitted flows (summed over classes)
    by destination."""
    o = od
    if "level" in o.columns:
        o = o[o["level"] == "prefecture"]
    out = {"observed": flow_totals(o[o["group"] == "total"], focus, years, "moves")}
    if fitted_unavailable(fitted) is None:
        f = fitted[fitted["group"] != "total"]
        out["fitted"] = flow_totals(f, focus, years, "fitted")
    return out
