"""C2 and C3 on each source of migration events: ASIF moves, registration address changes and
subsidiaries opened in another prefecture (investment records).

The claim's verdict stays the one of its main test on the ASIF moves (:mod:`yrd.claims.c2`,
:mod:`yrd.claims.c3`); this module runs the same stated test on the events of each registration
source and says, in the claim's notes and document, what each source finds and where it disagrees.

Sources (one moves-like frame each, columns ``year``, ``origin_prefecture``, ``dest_prefecture``
and ``industry``, 2-digit or missing):

* ``asif``: ``relocations/moves.parquet`` (firms seen at a new place in the survey);
* ``changes``: ``registration/relocation_events.parquet`` (registered address moves; the year is
  the year of the registration, which may lag the move; industry from the linked ASIF firm,
  missing for firms never in the survey);
* ``investments``: ``registration/expansion_events.parquet`` (a parent in the origin prefecture
  opens a subsidiary or branch in the destination; the year of founding). For C2 a Shanghai
  parent opening a plant in Jiangsu or Zhejiang counts as an out-move of its class: industrial
  transfer (产业转移) by expansion rather than by moving the legal entity.

C2 on a source: the net-direction test of :func:`yrd.claims.c2.c2_conditions` on the source's
events in the window (conditional binomial: no firms-at-risk denominator is needed, so it runs
without the survey). Events without an industry have no class and are counted apart
(``unclassified``).

C3 on a source: the growth of the yearly number of events of Zhejiang origin out of their
prefecture, ``log E[n_t] = b0 + b1 (t - start)`` (pyfixest ``fepois`` through
:func:`yrd.claims.rates.poisson_rate`, robust s.e.), with no firms-at-risk offset and no
post-2011 dummy: registration covers every registered firm, not a sample above a threshold, so
neither the survey's denominator nor its 2011 threshold break applies. It is therefore the
growth of the number of moves, not of a rate per firm; the text says so.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _p
from yrd.claims.c2 import FOCUS, c2_conditions, c2_verdict
from yrd.claims.c3 import ZHEJIANG
from yrd.claims.rates import class_of_industry, poisson_rate

#: Sources in the order they are reported, with their labels.
SOURCE_LABELS = {
    "asif": "ASIF moves",
    "changes": "registered address changes",
    "investments": "subsidiaries opened (investment records)",
}
MOVE_COLUMNS = ("year", "origin_prefecture", "dest_prefecture", "industry")


def _frame(events: pd.DataFrame) -> pd.DataFrame:
    """The moves-like columns of a source's events (prefecture-crossing events only)."""
    missing = [c for c in MOVE_COLUMNS if c not in events.columns]
    if missing:
        raise ValueError(f"source events lack columns {missing}")
    e = events[list(MOVE_COLUMNS)].copy()
    e["origin_prefecture"] = e["origin_prefecture"].astype("string")
    e["dest_prefecture"] = e["dest_prefecture"].astype("string")
    e = e[e["origin_prefecture"].notna() & e["dest_prefecture"].notna()]
    return e[e["origin_prefecture"] != e["dest_prefecture"]].assign(year=lambda d: d["year"].astype(int))


def c2_source_table(
    events: pd.DataFrame,
    groups: Mapping[str, str],
    classes: Mapping[str, str],
    partners: Sequence[str],
    window: Sequence[int],
) -> tuple[pd.DataFrame, int]:
    """Counts per class x direction in and out of the window (``class``, ``direction``,
    ``window``, ``moves``) of a source's events between Shanghai and the partner groups, and the
    number of those events without a class (no industry)."""
    area = pd.Series(groups).astype(str)
    area = area[area.isin([FOCUS, *partners])].where(lambda s: s == FOCUS, "partners")
    e = _frame(events)
    og, dg = e["origin_prefecture"].map(area), e["dest_prefecture"].map(area)
    e = e.assign(cls=class_of_industry(e["industry"].fillna(""), classes))
    w = e["year"].between(int(window[0]), int(window[1])).astype("int64")
    rows, unclassified = [], 0
    for direction, sel in (("out", (og == FOCUS) & (dg == "partners")), ("in", (og == "partners") & (dg == FOCUS))):
        d = e[sel].assign(window=w[sel])
        unclassified += int(d["cls"].isna().sum())
        cnt = d.dropna(subset=["cls"]).groupby(["cls", "window"]).size()
        rows += [(c, direction, int(win), int(n)) for (c, win), n in cnt.items()]
    table = pd.DataFrame(rows, columns=["class", "direction", "window", "moves"])
    return table, unclassified


def c2_by_source(
    sources: Mapping[str, pd.DataFrame],
    groups: Mapping[str, str],
    classes: Mapping[str, str],
    cfg: Mapping[str, Any],
    alpha: float,
) -> dict[str, dict[str, Any]]:
    """C2's net-direction test on each source (module docstring): per source ``verdict``,
    ``conditions`` (:func:`yrd.claims.c2.c2_conditions`), ``unclassified`` and ``events`` (all
    events between Shanghai and the partners)."""
    out = {}
    for name, ev in sources.items():
        table, uncl = c2_source_table(ev, groups, classes, cfg["partners"], cfg["window"])
        cond = c2_conditions(table, cfg["outflow_classes"], cfg["inflow_classes"], alpha, int(cfg["min_moves"]))
        out[name] = {
            "verdict": c2_verdict(cond),
            "conditions": cond,
            "unclassified": uncl,
            "events": int(table["moves"].sum()) + uncl,
        }
    return out


def c3_source_yearly(events: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Per year: ``zj_out_prefecture`` (events of Zhejiang origin into another prefecture),
    ``zj_out_province`` (into another province), ``trend`` (years since the first) and
    ``exposure`` (1: counts, no denominator)."""
    e = _frame(events)
    zj = e["origin_prefecture"].str[:2] == ZHEJIANG
    idx = pd.Index(sorted(int(y) for y in years), name="year")
    out = pd.DataFrame(
        {
            "zj_out_prefecture": e[zj].groupby("year").size().reindex(idx, fill_value=0),
            "zj_out_province": e[zj & (e["dest_prefecture"].str[:2] != ZHEJIANG)]
            .groupby("year")
            .size()
            .reindex(idx, fill_value=0),
        },
        index=idx,
    ).reset_index()
    out["trend"] = out["year"] - (idx[0] if len(idx) else 0)
    out["exposure"] = 1
    return out.astype("int64")


def c3_by_source(
    sources: Mapping[str, pd.DataFrame], years: Sequence[int], cfg: Mapping[str, Any], alpha: float
) -> dict[str, dict[str, Any]]:
    """C3's trend on each source (module docstring): per source ``verdict`` (supported: growth
    > 0 with p < alpha; not supported: < 0 with p < alpha; inconclusive; no data without
    events), ``growth`` (exp(b1) - 1), ``p``, ``events`` and ``yearly``."""
    end = int(cfg["end"]) if cfg.get("end") is not None else max(years)
    yrs = [y for y in years if int(cfg["start"]) <= y <= end]
    out = {}
    for name, ev in sources.items():
        y = c3_source_yearly(ev, yrs)
        n = int(y["zj_out_prefecture"].sum())
        fit = poisson_rate(y, ["trend"], count="zj_out_prefecture", exposure="exposure") if n else None
        if fit is None or "trend" not in fit.coef:
            out[name] = {"verdict": "no data", "growth": None, "p": None, "events": n, "yearly": y}
            continue
        b, p = fit.coef["trend"], fit.p["trend"]
        verdict = ("supported" if b > 0 else "not supported") if p < alpha else "inconclusive"
        out[name] = {"verdict": verdict, "growth": math.exp(b) - 1, "p": p, "events": n, "yearly": y}
    return out


def sources_text(claim: str, evidence: Mapping[str, Mapping[str, Any]], main_verdict: str) -> str:
    """One sentence per source and the sources whose verdict differs from the main test's."""
    parts = []
    for name, e in evidence.items():
        label = SOURCE_LABELS.get(name, name)
        if claim == "C2":
            cond = e["conditions"]
            cls = ", ".join(f"{r['class']} out {r.out}/in {r['in']} {r.status}" for _, r in cond.iterrows())
            parts.append(f"{label}: {e['verdict']} ({e['events']} events; {cls}; unclassified {e['unclassified']})")
        else:
            g = "NA" if e["growth"] is None else f"{100 * e['growth']:+.1f}%/yr (p={_p(e['p'])})"
            parts.append(f"{label}: {e['verdict']} ({e['events']} Zhejiang events out of prefecture; count trend {g})")
    differ = [SOURCE_LABELS.get(n, n) for n, e in evidence.items() if e["verdict"] != main_verdict]
    tail = f"disagree with the main test ({main_verdict}): {', '.join(differ)}" if differ else "all sources agree"
    return "By source - " + "; ".join(parts) + f"; {tail}."


def verdict_from_source(result: ClaimResult, evidence: Mapping[str, Mapping[str, Any]], source: str = "changes"):
    """In a run without the survey (``result`` is *no data*), the claim's verdict is that of the
    same test on ``source`` (registered address changes: the registration analogue of the survey's
    moves), and the value and notes say so; otherwise ``result`` unchanged."""
    e = evidence.get(source)
    if result.verdict != "no data" or e is None:
        return result
    label = SOURCE_LABELS.get(source, source)
    one = sources_text(result.claim, {source: e}, e["verdict"]).removeprefix("By source - ")
    result.verdict = e["verdict"]
    result.value = one.removesuffix("; all sources agree.")
    result.notes = f"No ASIF survey data in this run: the verdict is the same test on the {label}."
    result.details = {"reason": result.notes, "verdict_source": source, "config": result.details.get("config", {})}
    return result


def attach_sources(result: ClaimResult, evidence: Mapping[str, Mapping[str, Any]]) -> ClaimResult:
    """``result`` with the per-source evidence in its notes and in ``details["sources"]``."""
    if not evidence:
        return result
    text = sources_text(result.claim, evidence, result.verdict)
    result.notes = f"{result.notes} {text}".strip()
    keep = ("verdict", "events", "unclassified", "conditions", "growth", "p", "yearly")
    result.details["sources"] = {n: {k: e[k] for k in keep if k in e} for n, e in evidence.items()}
    return result
