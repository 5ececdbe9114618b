"""What ``make bench`` measures: which rules are the core pipeline, and how cost grows with size.

* :func:`classify_rules` sorts the rules of a run into ``world`` (they make the synthetic world,
  which stands in for the user's raw data: their outputs lie under ``resources/raw/``), ``truth``
  (they score the pipeline against the synthetic world's truth: an input lies in a ``truth/``
  folder) and ``core`` (everything else: ingest to claims, figures and report tables, what a user
  with their own files runs). It reads Snakemake's ``--detailed-summary`` table, so a new rule is
  classified by what it reads and writes, not by a list kept by hand.
* :func:`fit_intervals` and :func:`union_seconds` read the PPML gravity fits' timing lines from a
  rule's log (:data:`FIT_LINE`, written by :func:`yrd.flows.fixed_effects.fepois_ppml`), and
  :func:`fit_seconds` sums, over the rules of one kind, the time during which a fit was running:
  the part of the core that pyfixest sets.
* :func:`scaling_exponent` fits ``log(cost) = a + b log(firm-years)`` by least squares over the
  worlds of a scaling run; ``b`` is the exponent (1: cost proportional to size).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

KINDS = ("core", "truth", "world")


def read_detailed_summary(text: str) -> pd.DataFrame:
    """Snakemake's ``--detailed-summary`` output (tab-separated, one row per output file) as a
    table with ``output_file``, ``rule`` and ``input-file(s)`` (comma-separated paths)."""
    lines = [ln for ln in text.splitlines() if "\t" in ln]
    if not lines or not lines[0].startswith("output_file"):
        raise ValueError("not a Snakemake --detailed-summary table (no 'output_file' header)")
    return pd.read_csv(io.StringIO("\n".join(lines)), sep="\t", dtype=str, keep_default_na=False)


def classify_rules(summary: pd.DataFrame) -> dict[str, str]:
    """Rule -> ``world``, ``truth`` or ``core`` (module docstring) from a detailed summary
    (:func:`read_detailed_summary`). A rule with any output under ``resources/raw/`` is ``world``;
    else a rule with any input in a ``truth/`` folder, or made by a ``truth`` rule (e.g. the
    calibration figure of the calibration table), is ``truth``; else ``core``."""
    made_by = dict(zip(summary["output_file"].astype(str), summary["rule"].astype(str), strict=True))
    inputs: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for rule, d in summary.groupby("rule", sort=True):
        inputs[str(rule)] = {p for p in ",".join(d["input-file(s)"].astype(str)).split(",") if p and p != "-"}
        if d["output_file"].astype(str).str.startswith("resources/raw/").any():
            kinds[str(rule)] = "world"
        elif any("/truth/" in p for p in inputs[str(rule)]):
            kinds[str(rule)] = "truth"
        else:
            kinds[str(rule)] = "core"
    changed = True
    while changed:  # truth propagates to the rules that read a truth rule's output
        changed = False
        for rule, ins in inputs.items():
            if kinds[rule] == "core" and any(kinds.get(made_by.get(p, ""), "") == "truth" for p in ins):
                kinds[rule] = "truth"
                changed = True
    return kinds


def core_totals(rules: pd.DataFrame, kinds: Mapping[str, str]) -> dict[str, float]:
    """Sum of wall seconds and peak memory (MB) of each kind over a per-rule table (``rule``,
    ``seconds``, ``max_rss_mb``; ``rule:wildcard`` rows count as their rule); rules missing from
    ``kinds`` count as ``core``."""
    k = rules["rule"].map(lambda r: kinds.get(r.split(":")[0], "core"))
    out: dict[str, float] = {}
    for kind in KINDS:
        sel = rules[k == kind]
        out[f"{kind}_seconds"] = float(sel["seconds"].sum())
        out[f"{kind}_peak_mb"] = float(sel["max_rss_mb"].max()) if len(sel) else 0.0
    return out


#: The line :func:`yrd.flows.fixed_effects.fepois_ppml` logs after each PPML fit, in the format of
#: :func:`yrd.logs.configure_logging` ("2026-12-01 07:20:35,933 <logger> INFO model pooled:
#: pyfixest fepois, 3209725 cells, 22.431 s"): the time stamp is the fit's end, the seconds its length.
FIT_LINE = re.compile(
    r"^(?P<end>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) \S+ \S+ model \S+: pyfixest fepois, \d+ cells, "
    r"(?P<seconds>\d+(?:\.\d+)?) s$",
    re.MULTILINE,
)


def fit_intervals(text: str) -> list[tuple[float, float]]:
    """``(start, end)`` of each fit logged in ``text`` (:data:`FIT_LINE`), in seconds on the log's
    clock (its local time stamps, read to the millisecond), ``start = end - seconds``."""
    out = []
    for m in FIT_LINE.finditer(text):
        end = datetime.strptime(m["end"], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        out.append((end - float(m["seconds"]), end))
    return out


def union_seconds(intervals: Iterable[tuple[float, float]]) -> float:
    """Length of the union of the intervals ``(start, end)``: the time during which at least one
    of them was running (fits on two threads at once count once)."""
    total, cur_start, cur_end = 0.0, None, None
    for start, end in sorted(intervals):
        if cur_end is None or start > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = start, end
        else:
            cur_end = max(cur_end, end)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def rule_logs(summary: pd.DataFrame) -> dict[str, list[str]]:
    """Rule -> its log files, from a detailed summary (:func:`read_detailed_summary`, column
    ``log-file(s)``; a wildcard rule's jobs each have their own)."""
    out: dict[str, set[str]] = {}
    for rule, logs in zip(summary["rule"].astype(str), summary["log-file(s)"].astype(str), strict=True):
        out.setdefault(rule, set()).update(p for p in logs.split(",") if p and p != "-")
    return {rule: sorted(paths) for rule, paths in out.items()}


def fit_seconds(
    logs: Mapping[str, Sequence[str | Path]], kinds: Mapping[str, str], kind: str = "core", root: Path | None = None
) -> dict[str, float]:
    """Seconds during which a PPML fit was running, per rule of ``kind`` with any fit in its logs
    (each log file's fits as one union, :func:`union_seconds`; a wildcard rule's jobs summed).
    ``logs``: rule -> log paths (:func:`rule_logs`), relative to ``root``. A log that does not
    exist counts nothing: the rule did not run."""
    out: dict[str, float] = {}
    for rule, paths in logs.items():
        if kinds.get(rule, "core") != kind:
            continue
        seconds = 0.0
        for p in paths:
            path = (root / p) if root is not None else Path(p)
            if path.is_file():
                seconds += union_seconds(fit_intervals(path.read_text(encoding="utf-8", errors="replace")))
        if seconds > 0:
            out[rule] = seconds
    return out


def scaling_exponent(firm_years: np.ndarray, cost: np.ndarray) -> float:
    """Least-squares slope ``b`` of ``log(cost)`` on ``log(firm_years)`` (at least two distinct
    sizes and positive costs; NaN otherwise)."""
    x = np.log(np.asarray(firm_years, dtype=float))
    y = np.log(np.asarray(cost, dtype=float))
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(np.unique(x)) < 2:
        return float("nan")
    xc = x - x.mean()
    return float((xc * (y - y.mean())).sum() / (xc**2).sum())


def step_exponents(firm_years: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The exponent between each world and the next smaller one: with the worlds sorted by
    size, ``b_k = log(cost_k / cost_{k-1}) / log(n_k / n_{k-1})`` (NaN for the smallest world and
    where a size repeats or a cost is not positive), in the input order.

    One slope fitted over all worlds (:func:`scaling_exponent`) understates growth at scale when
    the smallest world's cost is mostly fixed (process start-up, imports): the step between the
    two largest worlds is the one that says how cost grows beyond them."""
    n = np.asarray(firm_years, dtype=float)
    c = np.asarray(cost, dtype=float)
    order = np.argsort(n, kind="stable")
    ns, cs = n[order], c[order]
    out_sorted = np.full(len(n), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.log(cs[1:] / cs[:-1]) / np.log(ns[1:] / ns[:-1])
    ok = np.isfinite(b) & (ns[1:] > ns[:-1]) & (cs[1:] > 0) & (cs[:-1] > 0)
    out_sorted[1:] = np.where(ok, b, np.nan)
    out = np.empty_like(out_sorted)
    out[order] = out_sorted
    return out


__all__ = [
    "FIT_LINE",
    "KINDS",
    "classify_rules",
    "core_totals",
    "fit_intervals",
    "fit_seconds",
    "read_detailed_summary",
    "rule_logs",
    "scaling_exponent",
    "step_exponents",
    "union_seconds",
]
