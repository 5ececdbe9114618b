"""C2: Shanghai's net relocation flows by class in the paper's window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from yrd.claims.base import ClaimResult, _p


def c2_window_flows(shanghai: pd.DataFrame, window: Sequence[int], partners: Sequence[str]) -> pd.DataFrame:
    """Shanghai's moves summed over ``window`` (inclusive years) and ``partners`` (region
    groups) by class: ``group``, ``outflow``, ``inflow``, ``net_outflow``.

    ``shanghai``: ``results/flows/shanghai.parquet`` (year, group, partner, outflow, inflow, ...)."""
    y0, y1 = int(window[0]), int(window[1])
    d = shanghai[(shanghai["year"] >= y0) & (shanghai["year"] <= y1) & shanghai["partner"].isin(list(partners))]
    g = d.groupby("group", sort=False)[["outflow", "inflow"]].sum()
    g["net_outflow"] = g["outflow"] - g["inflow"]
    return g.reset_index().astype({"group": "str"})


def c2_conditions(
    window_flows: pd.DataFrame,
    out_classes: Sequence[str],
    in_classes: Sequence[str],
    alpha: float,
    significance: bool = True,
) -> pd.DataFrame:
    """Status of each expected direction: ``group``, ``expected`` (out or in), ``outflow``,
    ``inflow``, ``net_outflow``, ``p`` (exact two-sided binomial test of outflow against
    inflow with probability 1/2) and ``status``: ``holds`` (right sign, and p < alpha when
    ``significance``), ``contradicted`` (wrong sign, and p < alpha when ``significance``) or
    ``undetermined``."""
    w = window_flows.set_index("group")
    rows = []
    for expected, classes in (("out", out_classes), ("in", in_classes)):
        for g in classes:
            o = int(w["outflow"].get(g, 0))
            i = int(w["inflow"].get(g, 0))
            p = float(stats.binomtest(o, o + i, 0.5).pvalue) if o + i > 0 else 1.0
            sign = np.sign(o - i) * (1 if expected == "out" else -1)
            sig = (p < alpha) or not significance
            status = "holds" if sign > 0 and sig else "contradicted" if sign < 0 and sig else "undetermined"
            rows.append((g, expected, o, i, o - i, p, status))
    return pd.DataFrame(
        rows,
        columns=[
            "group",
            "expected",
            "outflow",
            "inflow",
            "net_outflow",
            "p",
            "status",
        ],
    )


def c2_verdict(conditions: pd.DataFrame) -> str:
    """``supported``: every condition holds; ``not supported``: none holds and at least one is
    contradicted; ``inconclusive``: the rest (some hold, or none is determined); ``no data``: no
    move of the listed classes in the window."""
    if conditions.empty or (conditions["outflow"] + conditions["inflow"]).sum() == 0:
        return "no data"
    st = conditions["status"]
    if (st == "holds").all():
        return "supported"
    if not (st == "holds").any() and (st == "contradicted").any():
        return "not supported"
    return "inconclusive"


def claim_c2(shanghai: pd.DataFrame | None, cfg: Mapping[str, Any], alpha: float) -> ClaimResult:
    """C2 from Shanghai's flows. ``cfg``: window, partners, outflow_classes, inflow_classes, significance."""
    w = cfg["window"]
    sig = bool(cfg["significance"])
    test = (
        f"Moves between Shanghai and {', '.join(cfg['partners'])} summed over {w[0]}-{w[1]} by class: "
        f"net outflow > 0 for {', '.join(cfg['outflow_classes'])} and net inflow > 0 for "
        f"{', '.join(cfg['inflow_classes'])}"
        + (f", each with an exact binomial test of out- against inflow (p < {alpha})" if sig else " (signs only)")
        + ": supported if all hold; not supported if none holds and one is contradicted; else inconclusive."
    )
    evidence = "figures/c2_shanghai_net_outflows.png; flows/shanghai.parquet"
    if shanghai is None:
        return ClaimResult("C2", test, "no flow table", "no data", evidence)
    wf = c2_window_flows(shanghai, w, cfg["partners"])
    cond = c2_conditions(wf, cfg["outflow_classes"], cfg["inflow_classes"], alpha, sig)
    verdict = c2_verdict(cond)
    value = "; ".join(
        f"{r.group}: out {r.outflow}, in {r.inflow}, net out {r.net_outflow:+d} (p={_p(r.p)}) -> {r.status}"
        for r in cond.itertuples()
    )
    return ClaimResult(
        "C2",
        test,
        value,
        verdict,
        evidence,
        details={"conditions": cond, "window_flows": wf},
    )
