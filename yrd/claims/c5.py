"""C5: structural convergence (产业同构), tested as a level and as a process.

The paper states that the industrial structures of the delta's cities are alike (a level) and
becoming more alike (a process, 趋同). Both are measured on the mean over pairs of distinct
prefectures of the UNIDO structural similarity (cosine of the employment shares by industry,
UNIDO 1979; in Chinese work 结构相似系数):

* level: the mean pairwise similarity in the test year is at or above ``threshold``;
* process: the OLS slope of the yearly mean on the year is positive with a two-sided Newey-West
  p-value below ``alpha`` (:func:`yrd.claims.stats.linear_trend`, ``se="hac"``, lags
  ``hac_lags`` or the Newey-West rule), with a level-shift dummy from ``break_year`` on (the
  2011 rise of the ASIF sampling threshold; null: no dummy) so the jump at the break is not read
  as convergence.

:func:`c5_verdict` combines the two; the verdict is that of the configured region set, the other
region set (the 2003 sixteen cities or the 41 cities of 2019) is reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.stats import LinearTrend, linear_trend
from yrd.io import distinct

REGION_SETS = ("yrd16_2003", "yrd41_2019")
SET_NAMES = {"yrd16_2003": "16 cities of 2003", "yrd41_2019": "41 cities of 2019"}


def mean_pairwise(similarity: pd.DataFrame, members: Sequence[str], metric: str, level: str) -> pd.DataFrame:
    """Mean over pairs of distinct ``members`` of ``metric`` by year: ``year``, ``mean``, ``n_pairs``.

    Only the ``year`` and ``value`` of the selected pairs are copied out of the table (not its
    string columns): the same rows in the same order, so the same means."""
    mem = {str(m) for m in members}
    a, b = similarity["region_a"].astype(str), similarity["region_b"].astype(str)
    keep = (similarity["level"] == level) & (similarity["metric"] == metric) & a.isin(mem) & b.isin(mem) & (a != b)
    d = similarity.loc[keep, ["year", "value"]]
    g = d.groupby("year")["value"]
    return pd.DataFrame({"mean": g.mean(), "n_pairs": g.size()}).reset_index().astype({"year": "int64"})


def regions_present(similarity: pd.DataFrame) -> set[str]:
    """The region codes (as strings) in ``region_a`` or ``region_b`` of the similarity table."""
    return distinct(similarity["region_a"], similarity["region_b"], as_str=True)


def c5_verdict(level_value: float | None, threshold: float, trend: LinearTrend | None, alpha: float) -> str:
    """Verdict of C5 from the level and the trend of the mean pairwise similarity.

    ``no data`` without a level; ``inconclusive`` without a trend (fewer than three years);
    ``supported`` if level >= ``threshold`` and the trend is positive with p < ``alpha``;
    ``partly supported`` if exactly one of the two holds (:func:`c5_parts` says which);
    ``not supported`` if neither holds.
    """
    if level_value is None or not math.isfinite(level_value):
        return "no data"
    if trend is None:
        return "inconclusive"
    level_ok, trend_ok = c5_parts(level_value, threshold, trend, alpha)
    if level_ok and trend_ok:
        return "supported"
    if level_ok or trend_ok:
        return "partly supported"
    return "not supported"


def c5_parts(level_value: float, threshold: float, trend: LinearTrend, alpha: float) -> tuple[bool, bool]:
    """(level at or above the threshold, significant positive trend)."""
    return bool(level_value >= threshold), bool(trend.slope > 0 and trend.p < alpha)


@dataclass
class C5Set:
    """Level and trend of one region set; ``missing``: members absent from the table."""

    name: str
    n_members: int
    missing: int
    series: pd.DataFrame
    year: int | None = None
    level: float | None = None
    n_pairs: int = 0
    trend: LinearTrend | None = None

    members: tuple[str, ...] = ()

    def to_dict(self, threshold: float | None = None, alpha: float | None = None) -> dict[str, Any]:
        """JSON-friendly numbers: the set's members, level, trend (with ``fitted``: the trend line
        at each year of ``series``) and, given ``threshold`` and ``alpha``, its verdict and sentence."""
        series = self.series.copy()
        if self.trend is not None:
            series["fitted"] = self.trend.predict(series["year"])
        out: dict[str, Any] = {
            "name": self.name,
            "members": list(self.members),
            "n_members": self.n_members,
            "missing": self.missing,
            "series": series,
            "year": self.year,
            "level": self.level,
            "n_pairs": self.n_pairs,
            "trend": None if self.trend is None else vars(self.trend).copy(),
        }
        if threshold is not None and alpha is not None:
            out["verdict"] = self.verdict(threshold, alpha)
            out["text"] = self.describe(threshold, alpha)
        return out

    def verdict(self, threshold: float, alpha: float) -> str:
        if self.missing:
            return "no data"
        return c5_verdict(self.level, threshold, self.trend, alpha)

    def describe(self, threshold: float, alpha: float) -> str:
        """One sentence: level against the threshold, trend with its p-value, and which part holds."""
        label = SET_NAMES.get(self.name, self.name)
        if self.missing:
            return f"{label}: {self.missing} of {self.n_members} prefectures not in the similarity table"
        if self.level is None:
            return f"{label}: no pairs in the test year"
        first = self.series.iloc[0]
        txt = (
            f"{label}: level {_fmt(self.level)} in {self.year} over {self.n_pairs} pairs "
            f"({'>=' if self.level >= threshold else '<'} {threshold:g}; {int(first['year'])}: "
            f"{_fmt(float(first['mean']))})"
        )
        if self.trend is None:
            return txt + "; trend not tested (fewer than 3 years)"
        txt += f", trend {_fmt(self.trend.slope)}/year (Newey-West p={_p(self.trend.p)})"
        if self.trend.break_year is not None:
            txt += f", shift from {self.trend.break_year} {_fmt(self.trend.break_shift)} (p={_p(self.trend.break_p)})"
        level_ok, trend_ok = c5_parts(self.level, threshold, self.trend, alpha)
        if level_ok != trend_ok:
            txt += " - level holds, no significant rise" if level_ok else " - significant rise, level below threshold"
        return f"{txt} -> {self.verdict(threshold, alpha)}"


def c5_set(
    similarity: pd.DataFrame,
    name: str,
    members: Sequence[str],
    cfg: Mapping[str, Any],
    present: set[str] | None = None,
) -> C5Set:
    """Level in ``cfg['year']`` (null: last year) and Newey-West trend of one region set.
    ``present``: the region codes of the table (:func:`regions_present`), computed if not given."""
    present = regions_present(similarity) if present is None else present
    missing = len(set(map(str, members)) - present)
    mp = mean_pairwise(similarity, members, cfg["metric"], cfg["level"])
    out = C5Set(name, len(members), missing, mp, members=tuple(str(m) for m in members))
    if missing or mp.empty:
        return out
    out.year = int(cfg["year"]) if cfg.get("year") is not None else int(mp["year"].max())
    row = mp[mp["year"] == out.year]
    if len(row):
        out.level, out.n_pairs = float(row["mean"].iloc[0]), int(row["n_pairs"].iloc[0])
    if len(mp) >= 3:
        out.trend = linear_trend(
            mp["year"], mp["mean"], se="hac", lags=cfg.get("hac_lags"), break_year=cfg.get("break_year")
        )
    return out


def claim_c5(
    similarity: pd.DataFrame,
    members: Sequence[str],
    cfg: Mapping[str, Any],
    alpha: float,
    others: Mapping[str, Sequence[str]] | None = None,
    matrix_years: Sequence[int] | None = None,
) -> ClaimResult:
    """C5. ``members``: prefectures of ``cfg['region_set']`` (the verdict's set); ``others``:
    further region sets (name -> prefectures) reported beside it; cfg: region_set, metric,
    level, year, threshold, hac_lags (null: Newey-West rule); ``matrix_years``: years of the
    pairwise matrices kept for the heatmaps (:func:`c5_matrices`; default first and last year).
    Verdict: :func:`c5_verdict`."""
    thr = float(cfg["threshold"])
    test = (
        f"Mean pairwise {cfg['metric']} (UNIDO cosine of industry employment shares) among the "
        f"{cfg['region_set']} {cfg['level']}s, as a level ({cfg['year'] or 'last year'} >= {thr:g}) and a "
        f"process (OLS trend over the years > 0, Newey-West p < {alpha}"
        + (
            f", with a level shift from {cfg['break_year']} for the ASIF threshold break"
            if cfg.get("break_year")
            else ""
        )
        + "): supported if both hold, partly "
        "supported if one holds (the value says which), not supported if neither; inconclusive with fewer "
        "than 3 years. The other region set is reported beside it. 'Low-level' (low value added) is not measured."
    )
    evidence = "figures/c5_similarity_heatmaps.png; figures/c5_similarity_trend.png; metrics/similarity.parquet"
    present = regions_present(similarity)  # once for every set and the matrices
    main = c5_set(similarity, cfg["region_set"], members, cfg, present)
    rest = [c5_set(similarity, n, m, cfg, present) for n, m in (others or {}).items() if n != cfg["region_set"]]
    details: dict[str, Any] = {
        "sets": {s.name: s.to_dict(thr, alpha) for s in [main, *rest]},
        "mean_pairwise": main.series,
        "alpha": alpha,
        "config": dict(cfg),
        "matrices": c5_matrices(similarity, main.members, matrix_years, cfg["metric"], cfg["level"], present),
    }
    if main.trend is not None:
        details["trend"] = main.trend
    if main.missing:
        value = (
            f"only {main.n_members - main.missing} of the {main.n_members} {cfg['region_set']} regions are in the "
            "similarity table (choose claims.c5.region_set within geography.region_set)"
        )
        return ClaimResult("C5", test, value, "no data", evidence, details=details)
    if main.series.empty:
        return ClaimResult(
            "C5", test, "no pairs of the region set in the similarity table", "no data", evidence, details=details
        )
    value = "; ".join(s.describe(thr, alpha) for s in [main, *rest])
    notes = "verdict from claims.c5.region_set = " + str(cfg["region_set"])
    return ClaimResult("C5", test, value, main.verdict(thr, alpha), evidence, notes=notes, details=details)


def similarity_matrix(
    similarity: pd.DataFrame, members: Sequence[str], year: int, metric: str, level: str
) -> pd.DataFrame:
    """Square matrix (members x members) of ``metric`` in ``year`` (diagonal 1 for similarity)."""
    keep = (similarity["year"] == year) & (similarity["metric"] == metric) & (similarity["level"] == level)
    d = similarity.loc[keep, ["region_a", "region_b", "value"]]  # only the columns of the matrix
    d = d[d["region_a"].isin(members) & d["region_b"].isin(members)]
    m = d.pivot_table(index="region_a", columns="region_b", values="value", aggfunc="mean")
    m = m.combine_first(m.T).reindex(index=list(members), columns=list(members))
    a = m.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(a, 1.0 if metric == "structural_similarity" else 0.0)
    return pd.DataFrame(a, index=m.index, columns=m.columns)


def c5_matrices(
    similarity: pd.DataFrame,
    members: Sequence[str],
    years: Sequence[int] | None,
    metric: str,
    level: str,
    present: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The pairwise matrices of the verdict's set for the heatmaps: one per year of ``years``
    (default: the first and last year of the table) with ``year``, ``codes`` (the members in
    the table), ``values`` (rows of :func:`similarity_matrix`) and ``mean`` (mean over the
    off-diagonal cells, the number printed above the heatmap). ``present``: the region codes of
    the table (:func:`regions_present`), computed if not given."""
    if similarity.empty:
        return []
    present = regions_present(similarity) if present is None else present
    codes = [str(c) for c in members if str(c) in present]
    if years is None or len(years) == 0:
        years = [int(similarity["year"].min()), int(similarity["year"].max())]
    out = []
    for y in years:
        a = similarity_matrix(similarity, codes, int(y), metric, level).to_numpy(dtype=float)
        off = a[~np.eye(len(codes), dtype=bool)]
        mean = float(np.nanmean(off)) if np.isfinite(off).any() else float("nan")
        out.append({"year": int(y), "codes": codes, "values": a, "mean": mean})
    return out
