"""Claims C2 and C3 on each flow source: ASIF moves, registered relocations, investments.

The claims' verdicts (:mod:`yrd.claims.c2`, :mod:`yrd.claims.c3`) use ASIF moves per firm at
risk. Registration records (issue 16) cover firms outside the survey too, so there is no
population at risk for them; this module reports the evidence of each source on *counts*
(events of :mod:`yrd.flows.sources`, layout :data:`yrd.flows.sources.EVENT_COLUMNS`) with the
claims' own tests where they need no denominator, and says where the sources disagree. It
reports; it gives no verdict.

C2 (Shanghai and its partners in ``claims.c2.window``)
-----------------------------------------------------
* **Net direction by class** (:func:`c2_source_conditions`): the claim's conditional binomial
  test, :func:`yrd.claims.c2.c2_conditions` (share of out-moves in out + in moves between
  Shanghai and the partner groups in the window, exact Clopper-Pearson interval; holds,
  contradicted, undetermined, too few moves).
* **Outflow shares** (:func:`c2_source_shares`): the share of Shanghai's outflows (to any other
  study prefecture) that go to each region group of ``groups`` (Sunan, Zhejiang, ...) in the
  window and in the other years, the change in percentage points and the two-sided Fisher exact
  test of the 2 x 2 table (window / other x to the group / elsewhere).

C3 (Zhejiang since ``claims.c3.start``)
---------------------------------------
* **Trend** (:func:`c3_source_trends`): the yearly count of moves of Zhejiang firms out of their
  prefecture, ``log E[moves_t] = b0 + b1 (t - start) + b2 post_break_t`` (pyfixest ``fepois``
  through :func:`yrd.claims.rates.poisson_rate` with unit exposure, robust s.e.); ``exp(b1) - 1``
  is the yearly growth of the count (not of the rate, as in the claim); without a move on one side
  of the break the model is fitted without ``post_break``.
* **Frequency**: moves between prefectures of different provinces among ``claims.c3.provinces``
  against moves between prefectures of one province: ratio ``k / m`` with the exact interval of
  :func:`yrd.claims.c3.c3_frequency`.

Disagreement (:func:`disagreements`): for a C2 class, sources whose statuses are decided
(holds / contradicted) and differ, or one decided and another undetermined; for an outflow
share, changes significant (p < alpha) in opposite directions, or significant in one source and
not in another; for C3, trends significant in opposite directions or in one source only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from scipy import stats

from yrd.claims.c2 import FOCUS, c2_conditions
from yrd.claims.rates import class_of_industry, clopper_pearson, poisson_rate

DECIDED = ("holds", "contradicted")


def _area(groups: Mapping[str, str], partners: Sequence[str]) -> pd.Series:
    a = pd.Series(dict(groups)).astype(str)
    return a[a.isin([FOCUS, *partners])].where(lambda s: s == FOCUS, "partners")


def c2_source_conditions(
    events: Mapping[str, pd.DataFrame],
    groups: Mapping[str, str],
    classes: Mapping[str, str],
    cfg: Mapping[str, Any],
    alpha: float,
) -> pd.DataFrame:
    """The C2 net-direction conditions (:func:`yrd.claims.c2.c2_conditions`) of each source's
    events in the window: ``source`` then the columns of ``c2_conditions``."""
    area = _area(groups, cfg["partners"])
    y0, y1 = (int(x) for x in cfg["window"])
    parts = []
    for source, ev in events.items():
        og = ev["origin_prefecture"].astype(str).map(area)
        dg = ev["dest_prefecture"].astype(str).map(area)
        cls = class_of_industry(ev["industry"].astype("string").fillna(""), classes)
        year = pd.to_numeric(ev["year"], errors="coerce")
        rows = []
        for direction, sel in (("out", (og == FOCUS) & (dg == "partners")), ("in", (og == "partners") & (dg == FOCUS))):
            d = pd.DataFrame({"class": cls[sel], "year": year[sel]}).dropna()
            cnt = d.groupby(["class", "year"]).size().rename("moves").reset_index()
            rows.append(cnt.assign(direction=direction))
        t = pd.concat(rows, ignore_index=True)
        t["window"] = t["year"].between(y0, y1).astype("int64")
        cond = c2_conditions(t, cfg["outflow_classes"], cfg["inflow_classes"], alpha, cfg["min_moves"])
        parts.append(cond.assign(source=source))
    out = pd.concat(parts, ignore_index=True)
    return out[["source", *[c for c in out.columns if c != "source"]]]


def c2_source_shares(
    events: Mapping[str, pd.DataFrame],
    groups: Mapping[str, str],
    window: Sequence[int],
    targets: Sequence[str],
    focus_group: str = FOCUS,
) -> pd.DataFrame:
    """Share of the focus group's (Shanghai's) outflows going to each of ``targets`` (region
    groups) in the window and in the other years, by source: ``source``, ``target``,
    ``to_target_window``, ``out_window``, ``share_window``, ``to_target_other``, ``out_other``,
    ``share_other``, ``change_pp`` (100 x (window - other)) and ``p`` (Fisher exact, two-sided)."""
    g = pd.Series(dict(groups)).astype(str)
    y0, y1 = (int(x) for x in window)
    rows = []
    for source, ev in events.items():
        og = ev["origin_prefecture"].astype(str).map(g)
        dg = ev["dest_prefecture"].astype(str).map(g)
        out = ev[(og == focus_group) & dg.notna() & (dg != focus_group)]
        dgo = dg[out.index]
        inw = pd.to_numeric(out["year"], errors="coerce").between(y0, y1)
        for target in targets:
            hit = dgo == target
            a, n1 = int((hit & inw).sum()), int(inw.sum())
            b, n0 = int((hit & ~inw).sum()), int((~inw).sum())
            s1 = a / n1 if n1 else float("nan")
            s0 = b / n0 if n0 else float("nan")
            p = float(stats.fisher_exact([[a, n1 - a], [b, n0 - b]])[1]) if n1 and n0 else float("nan")
            rows.append((source, target, a, n1, s1, b, n0, s0, 100 * (s1 - s0), p))
    cols = ["source", "target", "to_target_window", "out_window", "share_window"]
    return pd.DataFrame(rows, columns=[*cols, "to_target_other", "out_other", "share_other", "change_pp", "p"])


def c3_source_trends(
    events: Mapping[str, pd.DataFrame], years: Sequence[int], cfg: Mapping[str, Any], alpha: float
) -> pd.DataFrame:
    """C3 by source (module docstring): ``source``, ``moves`` (Zhejiang out-of-prefecture moves
    from ``cfg["start"]``), ``growth`` (exp(b1) - 1 per year), ``p``, ``trend`` (``rising``,
    ``falling`` at ``alpha``, else ``flat``; ``not estimable``), ``between``, ``within`` (moves
    between and within provinces among ``cfg["provinces"]``), ``ratio`` and its ``lo``, ``hi``."""
    start = int(cfg["start"])
    end = int(cfg["end"]) if cfg.get("end") else max(int(y) for y in years)
    yrs = [int(y) for y in years if start <= int(y) <= end]
    provs = [str(p)[:2] for p in cfg["provinces"]]
    rows = []
    for source, ev in events.items():
        o = ev["origin_prefecture"].astype(str)
        d = ev["dest_prefecture"].astype(str)
        year = pd.to_numeric(ev["year"], errors="coerce")
        cross = (o != d) & year.isin(yrs)
        zj = ev[cross & (o.str[:2] == "33")]
        cnt = pd.to_numeric(zj["year"]).value_counts().reindex(yrs, fill_value=0)
        t = pd.DataFrame({"moves": cnt.to_numpy(), "at_risk": 1.0, "trend": [y - start for y in yrs]})
        t["post_break"] = [int(y >= int(cfg["break_year"])) for y in yrs]
        fit = poisson_rate(t, ["trend", "post_break"]) if len(yrs) >= int(cfg["min_years"]) else None
        if fit is None and len(yrs) >= int(cfg["min_years"]):  # e.g. no move on one side of the break
            fit = poisson_rate(t, ["trend"])
        if fit is None or "trend" not in fit.coef:
            growth, p, trend = float("nan"), float("nan"), "not estimable"
        else:
            growth, p = math.exp(fit.coef["trend"]) - 1, fit.p["trend"]
            trend = ("rising" if growth > 0 else "falling") if p < alpha else "flat"
        among = cross & o.str[:2].isin(provs) & d.str[:2].isin(provs)
        k = int((among & (o.str[:2] != d.str[:2])).sum())
        m = int((among & (o.str[:2] == d.str[:2])).sum())
        lo, hi = clopper_pearson(k, k + m, alpha)
        odds = [q / (1 - q) if q < 1 else float("inf") for q in (lo, hi)]
        rows.append((source, int(len(zj)), growth, p, trend, k, m, k / m if m else float("inf"), *odds))
    cols = ["source", "moves", "growth", "p", "trend", "between", "within", "ratio", "lo", "hi"]
    return pd.DataFrame(rows, columns=cols)


def disagreements(conditions: pd.DataFrame, shares: pd.DataFrame, trends: pd.DataFrame, alpha: float) -> list[str]:
    """Where the sources disagree (module docstring), one sentence each."""
    out = []
    for cls, d in conditions.groupby("class", sort=False):
        st = dict(zip(d["source"], d["status"]))
        decided = {s: v for s, v in st.items() if v in DECIDED}
        if decided and (len(set(decided.values())) > 1 or any(v == "undetermined" for v in st.values())):
            out.append(f"C2 {cls}: " + ", ".join(f"{s} {v}" for s, v in st.items()))
    for target, d in shares.groupby("target", sort=False):
        sig = {r.source: ("up" if r.change_pp > 0 else "down") for r in d.itertuples() if r.p < alpha}
        if sig and (len(set(sig.values())) > 1 or len(sig) < len(d)):
            out.append(
                f"C2 share of Shanghai's outflows to {target}, window minus other years: "
                + ", ".join(f"{r.source} {r.change_pp:+.1f} pp (p={r.p:.3g})" for r in d.itertuples())
            )
    sig = {r.source: r.trend for r in trends.itertuples() if r.trend in ("rising", "falling")}
    if sig and (len(set(sig.values())) > 1 or len(sig) < len(trends)):
        out.append(
            "C3 trend of Zhejiang firms' moves: "
            + ", ".join(f"{r.source} {r.trend} ({r.growth:+.1%}/year)" for r in trends.itertuples())
        )
    return out
