"""Relocation flows: the counterfactual distance scenarios of the gravity model and helpers of the
flow figures (C2 and C3 are drawn as rates in :mod:`yrd.figures.relocation_rates`)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from yrd.figures.common import (
    class_short,
    finish,
    no_data_figure,
)
from yrd.io import select_rows
from yrd.plotting import bilingual

CLASS_ORDER = ("labour", "capital", "technology", "port", "urban")


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
    present = set(d["group"])
    shown = [g for g in groups if g in present]
    x = np.arange(len(shown))
    bw = 0.8 / max(1, len(targets))
    bands = {"shift_lo", "shift_hi"} <= set(d.columns) and bool(d["shift_lo"].notna().any())
    for ax, name in zip(axes[0], names, strict=True):
        s = d[d["scenario"] == name]
        for k, t in enumerate(targets):
            v = s[s["target"] == t].set_index("group")["shift"].reindex(shown) * 100
            zh, en = TARGET_LABELS.get(t, (t, t))
            xs = x - 0.4 + bw * (k + 0.5)
            ax.bar(xs, v.fillna(0), width=bw, color=tcol[k % 4], label=bilingual(zh, en, cjk))
            if bands:
                lo, hi = (
                    s[s["target"] == t].set_index("group")[c].reindex(shown) * 100 for c in ("shift_lo", "shift_hi")
                )
                err = np.vstack([(v - lo).clip(lower=0), (hi - v).clip(lower=0)])
                ax.errorbar(xs, v, yerr=err, fmt="none", ecolor="black", elinewidth=0.9, capsize=2.5)
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
    if bands:
        sub += "\n" + band_text(d)
    return finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk)


def band_text(d: pd.DataFrame) -> str:
    """Subtitle line of the scenario bands: interval level, B and method
    (:mod:`yrd.flows.scenario_bands`), from the ``bootstrap_level``, ``bootstrap_draws`` and ``bootstrap_method``
    columns of the scenario rows ``d``."""
    b = d["bootstrap_draws"].dropna()
    method = next((m for m in d["bootstrap_method"].astype(str) if m), "")
    n = int(b.iloc[0]) if len(b) else 0
    level = ""
    if "bootstrap_level" in d.columns and d["bootstrap_level"].notna().any():
        level = f"{100 * float(d['bootstrap_level'].dropna().iloc[0]):g} % "
    return f"Error bars: {level}percentile interval of B = {n} draws ({method}); distance-elasticity uncertainty only"


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
        o = select_rows(o, o["level"] == "prefecture")
    out = {"observed": flow_totals(o[o["group"] == "total"], focus, years, "moves")}
    if fitted_unavailable(fitted) is None:
        f = fitted[fitted["group"] != "total"]
        out["fitted"] = flow_totals(f, focus, years, "fitted")
    return out
