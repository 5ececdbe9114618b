"""C2: Shanghai's relocations with Jiangsu and Zhejiang by class, as rates per firm at risk.

The paper: in the four years before it (``claims.c2.window``, 2000-2004) Shanghai moved labour-
and capital-intensive industry to Jiangsu and Zhejiang and took in port-type and urban-type
industry from them.

Tables
------
* **Out-moves**: moves (``relocations/moves.parquet``) from a Shanghai prefecture to a prefecture
  of a partner group (``claims.c2.partners``: sunan, rest_of_jiangsu, zhejiang), per Shanghai firm
  at risk of the class (:func:`yrd.claims.rates.firms_at_risk`).
* **In-moves**: moves from a partner prefecture to Shanghai, per partner firm at risk.
* The class of a move and of a firm is the relocation class of its 2-digit industry
  (:func:`yrd.industry.relocation_class`).

Tests
-----
* **Net direction** in the window, by class (the claim): ``o`` out-moves and ``i`` in-moves;
  conditional on ``n = o + i``, ``o ~ Binomial(n, pi)``; the share out ``o / n`` with its exact
  Clopper-Pearson interval. An expected out-class *holds* when the interval lies above 1/2, is
  *contradicted* when it lies below; an in-class the other way round; otherwise *undetermined*.
  With ``n < claims.c2.min_moves`` the class is *too few moves*.
* **Window against the other years** (reported, not in the verdict): for each class x direction,
  ``log E[moves_t] = log(at_risk_t) + b0 + b1 window_t + b2 post_break_t`` (pyfixest ``fepois``,
  robust s.e.); ``exp(b1)`` is the rate ratio of the window to the other years with the ASIF
  sampling break held apart (:mod:`yrd.claims.rates`).

Beyond the study area (reported, not in the verdict): when ``geography.study_area`` leaves out
part of China, moves between Shanghai and prefectures outside it (flagged by
:func:`yrd.study_area.flag_moves`) are counted in the window by outside province and direction
(:func:`c2_outside`); the claim is about Jiangsu and Zhejiang, so they do not enter the test.

Verdict: *supported* when every listed class holds; *partly supported* when some hold (named);
*not supported* when none holds and one is contradicted; *inconclusive* when none holds and none is
contradicted (undetermined, or too few moves); *no data* without moves or firms at risk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _p
from yrd.claims.rates import binom_p, class_of_industry, clopper_pearson, firms_at_risk, poisson_rate, rate_intervals
from yrd.io import map_values

FOCUS = "shanghai"


def c2_table(
    moves: pd.DataFrame,
    firm_years: pd.DataFrame,
    groups: Mapping[str, str],
    classes: Mapping[str, str],
    partners: Sequence[str],
    years: Sequence[int],
    window: Sequence[int],
    break_year: int,
) -> pd.DataFrame:
    """One row per class x direction x year: ``class``, ``direction`` (``out`` of Shanghai to the
    partners, ``in`` to Shanghai from them), ``year``, ``moves``, ``at_risk`` (Shanghai firms of
    the class for ``out``, partner firms for ``in``), ``rate`` (moves / at_risk), ``window``
    (1 inside ``window``, inclusive) and ``post_break`` (1 for years >= ``break_year``).

    ``groups``: prefecture code -> region group (boundaries' ``group``); ``classes``: 2-digit
    industry -> relocation class."""
    area = pd.Series(groups).astype(str)
    area = area[area.isin([FOCUS, *partners])].where(lambda s: s == FOCUS, "partners")
    fy = firm_years.assign(cls=class_of_industry(firm_years["industry"], classes))
    risk = firms_at_risk(fy, area, years, by="cls").rename(columns={"cls": "class"})
    og = map_values(moves["origin_prefecture"].astype(str), area)
    dg = map_values(moves["dest_prefecture"].astype(str), area)
    m = moves.assign(cls=class_of_industry(moves["industry"], classes))
    rows = []
    for direction, sel, at in (
        ("out", (og == FOCUS) & (dg == "partners"), FOCUS),
        ("in", (og == "partners") & (dg == FOCUS), "partners"),
    ):
        cnt = m[sel].groupby(["year", "cls"]).size()
        r = risk[risk["area"] == at].drop(columns="area").copy()
        r["moves"] = [int(cnt.get((y, c), 0)) for y, c in zip(r["year"], r["class"], strict=True)]
        rows.append(r.assign(direction=direction))
    t = pd.concat(rows, ignore_index=True)
    y0, y1 = int(window[0]), int(window[1])
    t["rate"] = t["moves"] / t["at_risk"].where(t["at_risk"] > 0)
    t["window"] = t["year"].between(y0, y1).astype("int64")
    t["post_break"] = (t["year"] >= int(break_year)).astype("int64")
    return t[["class", "direction", "year", "moves", "at_risk", "rate", "window", "post_break"]]


def c2_outside(moves: pd.DataFrame, groups: Mapping[str, str], window: Sequence[int]) -> pd.DataFrame:
    """Moves between Shanghai and prefectures outside the study area in ``window`` (inclusive):
    one row per outside province (:func:`yrd.study_area.outside_node`) with ``out`` (Shanghai to
    there) and ``in`` counts; empty when the moves carry no study-area flags or none crosses."""
    from yrd.study_area import FLAG_COLUMNS, outside_node

    cols = ["province", "out", "in"]
    if any(c not in moves.columns for c in FLAG_COLUMNS):
        return pd.DataFrame(columns=cols)
    sh = {str(k) for k, v in groups.items() if v == FOCUS}
    y = pd.to_numeric(moves["year"], errors="coerce")
    m = moves[y.between(int(window[0]), int(window[1]))]
    o, d = m["origin_prefecture"].astype(str), m["dest_prefecture"].astype(str)
    out = m[o.isin(sh) & ~m["dest_in_study_area"].astype(bool)]
    inn = m[d.isin(sh) & ~m["origin_in_study_area"].astype(bool)]
    a = pd.Series(outside_node(out["dest_prefecture"]), dtype=object).value_counts()
    b = pd.Series(outside_node(inn["origin_prefecture"]), dtype=object).value_counts()
    t = pd.DataFrame({"out": a, "in": b}).fillna(0).astype("int64").rename_axis("province").reset_index()
    return t[cols].sort_values("province", ignore_index=True)


def c2_outside_text(table: pd.DataFrame, window: Sequence[int]) -> str:
    """One sentence on :func:`c2_outside` (empty when nothing crosses the boundary)."""
    from yrd.study_area import PROVINCE_NAMES

    if not len(table) or int(table[["out", "in"]].to_numpy().sum()) == 0:
        return ""
    each = ", ".join(
        f"{PROVINCE_NAMES.get(str(p)[:2], (p, p))[1]} out {o} / in {i}"
        for p, o, i in zip(table["province"], table["out"], table["in"], strict=True)
    )
    return (
        f"beyond the study area in {window[0]}-{window[1]} (not in the test): out {int(table['out'].sum())}, "
        f"in {int(table['in'].sum())} ({each})"
    )


def c2_window_fits(table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """Rate ratio of the window to the other years per class x direction (module docstring):
    ``class``, ``direction``, ``moves_window``, ``risk_window`` (firm-years at risk),
    ``rate_window``, ``rate_other``, ``rate_ratio``, ``rr_lo``, ``rr_hi`` (Wald interval of
    exp(b1)), ``p`` (of b1; NaN when the model cannot be fitted)."""
    rows = []
    for (cls, direction), d in table.groupby(["class", "direction"], sort=True):
        w, o = d[d["window"] == 1], d[d["window"] == 0]
        fit = poisson_rate(d, ["window", "post_break"])
        rr = fit.ratio("window", alpha) if fit is not None and "window" in fit.coef else (float("nan"),) * 3
        p = fit.p["window"] if fit is not None and "window" in fit.p else float("nan")
        rows.append(
            (
                cls,
                direction,
                int(w["moves"].sum()),
                int(w["at_risk"].sum()),
                w["moves"].sum() / max(w["at_risk"].sum(), 1),
                o["moves"].sum() / max(o["at_risk"].sum(), 1),
                *rr,
                p,
            )
        )
    cols = ["class", "direction", "moves_window", "risk_window", "rate_window", "rate_other"]
    return pd.DataFrame(rows, columns=[*cols, "rate_ratio", "rr_lo", "rr_hi", "p"])


def c2_conditions(
    table: pd.DataFrame,
    out_classes: Sequence[str],
    in_classes: Sequence[str],
    alpha: float,
    min_moves: int,
) -> pd.DataFrame:
    """Net direction in the window for each listed class (module docstring): ``class``,
    ``expected`` (out or in), ``out``, ``in``, ``n``, ``share_out``, ``lo``, ``hi`` (exact
    ``1 - alpha`` interval of the share out), ``p`` (exact binomial test of share 1/2) and
    ``status``: holds, contradicted, undetermined or too few moves."""
    w = table[table["window"] == 1].groupby(["class", "direction"])["moves"].sum()
    rows = []
    for expected, classes in (("out", out_classes), ("in", in_classes)):
        for c in classes:
            o, i = int(w.get((c, "out"), 0)), int(w.get((c, "in"), 0))
            n = o + i
            lo, hi = clopper_pearson(o, n, alpha)
            if n < min_moves:
                status = "too few moves"
            elif lo > 0.5:
                status = "holds" if expected == "out" else "contradicted"
            elif hi < 0.5:
                status = "holds" if expected == "in" else "contradicted"
            else:
                status = "undetermined"
            rows.append((c, expected, o, i, n, o / n if n else float("nan"), lo, hi, binom_p(o, n), status))
    cols = ["class", "expected", "out", "in", "n", "share_out", "lo", "hi", "p", "status"]
    return pd.DataFrame(rows, columns=cols)


def c2_verdict(conditions: pd.DataFrame) -> str:
    """Verdict from :func:`c2_conditions` (module docstring). ``partly supported`` and
    ``inconclusive`` name their classes in :func:`claim_c2`'s value."""
    if conditions.empty or conditions["n"].sum() == 0:
        return "no data"
    st = conditions["status"]
    if (st == "holds").all():
        return "supported"
    if (st == "holds").any():
        return "partly supported"
    if (st == "contradicted").any():
        return "not supported"
    return "inconclusive"


def c2_condition_text(r: Any) -> str:
    """One class's numbers as printed in the claims table and in the C2 figure."""
    if r.status == "too few moves":
        return f"{r['class']} (expect {r.expected}): out {r.out}, in {r['in']} -> inconclusive (too few moves: {r.n})"
    return (
        f"{r['class']} (expect {r.expected}): out {r.out}, in {r['in']}, share out {r.share_out:.2f} "
        f"[{r.lo:.2f}, {r.hi:.2f}] (p={_p(r.p)}) -> {r.status}"
    )


def claim_c2(
    moves: pd.DataFrame | None,
    firm_years: pd.DataFrame | None,
    groups: Mapping[str, str],
    classes: Mapping[str, str],
    years: Sequence[int],
    cfg: Mapping[str, Any],
    alpha: float,
) -> ClaimResult:
    """C2. ``cfg``: window, partners, outflow_classes, inflow_classes, min_moves, break_year;
    ``years``: the study years (the other years of the rate model)."""
    w = cfg["window"]
    test = (
        f"Moves between Shanghai and {', '.join(cfg['partners'])} in {w[0]}-{w[1]} by class: share of "
        f"out-moves in out + in with an exact (Clopper-Pearson, {1 - alpha:.0%}) interval; a class holds when "
        f"the interval excludes 1/2 on the stated side (out for {', '.join(cfg['outflow_classes'])}; in for "
        f"{', '.join(cfg['inflow_classes'])}); fewer than {cfg['min_moves']} moves: inconclusive (too few "
        "moves). Supported if all hold, partly supported if some hold, not supported if none holds and one "
        "is contradicted, else inconclusive. Reported beside it: out-moves per Shanghai firm at risk and "
        "in-moves per partner firm at risk (firms observed there in t-1 or t), and the window/other-years "
        f"rate ratio by class and direction (Poisson, log firms at risk offset, post-{cfg['break_year']} "
        "dummy, robust s.e.)."
    )
    evidence = "figures/c2_shanghai_net_outflows.png; relocations/moves.parquet; clean/firm_years.parquet"
    if moves is None or firm_years is None:
        return ClaimResult("C2", test, "no moves or firm-years", "no data", evidence, details={"config": dict(cfg)})
    t = c2_table(moves, firm_years, groups, classes, cfg["partners"], years, w, cfg["break_year"])
    if t["at_risk"].sum() == 0:
        return ClaimResult(
            "C2", test, "no firms at risk", "no data", evidence, details={"table": t, "config": dict(cfg)}
        )
    lo, hi = rate_intervals(t["moves"], t["at_risk"], alpha)
    t = t.assign(rate_low=lo, rate_high=hi)
    cond = c2_conditions(t, cfg["outflow_classes"], cfg["inflow_classes"], alpha, int(cfg["min_moves"]))
    fits = c2_window_fits(t, alpha)
    verdict = c2_verdict(cond)
    parts = [c2_condition_text(r) for _, r in cond.iterrows()]
    if verdict == "partly supported":
        parts.append("holds: " + ", ".join(cond.loc[cond["status"] == "holds", "class"]))
    outside = c2_outside(moves, groups, w)
    if c2_outside_text(outside, w):
        parts.append(c2_outside_text(outside, w))
    shown = fits[fits["class"].isin(cond["class"])]
    parts.append(
        "window/other-years rate ratio: "
        + ", ".join(
            f"{r['class']} {r.direction} "
            + (f"{r.rate_ratio:.2f} (p={_p(r.p)})" if r.rate_ratio == r.rate_ratio else "not estimable")
            for _, r in shown.iterrows()
        )
    )
    return ClaimResult(
        "C2",
        test,
        "; ".join(parts),
        verdict,
        evidence,
        details={
            "conditions": cond,
            "table": t,
            "window_fits": fits,
            "outside_study_area": outside,
            "alpha": alpha,
            "confidence": 1 - alpha,
            "config": dict(cfg),
        },
    )
