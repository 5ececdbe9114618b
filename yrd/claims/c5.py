"""C5: structural convergence (产业同构)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.stats import linear_trend


def mean_pairwise(similarity: pd.DataFrame, members: Sequence[str], metric: str, level: str) -> pd.DataFrame:
    """Mean over pairs of distinct ``members`` of ``metric`` by year: ``year``, ``mean``, ``n_pairs``."""
    mem = {str(m) for m in members}
    d = similarity[
        (similarity["level"] == level)
        & (similarity["metric"] == metric)
        & similarity["region_a"].astype(str).isin(mem)
        & similarity["region_b"].astype(str).isin(mem)
        & (similarity["region_a"].astype(str) != similarity["region_b"].astype(str))
    ]
    g = d.groupby("year")["value"]
    return pd.DataFrame({"mean": g.mean(), "n_pairs": g.size()}).reset_index().astype({"year": "int64"})


def c5_verdict(level_value: float | None, threshold: float) -> str:
    """``supported`` if the mean pairwise similarity >= threshold, ``not supported`` if below,
    ``no data`` without a value."""
    if level_value is None or not math.isfinite(level_value):
        return "no data"
    return "supported" if level_value >= threshold else "not supported"


def claim_c5(
    similarity: pd.DataFrame,
    members: Sequence[str],
    cfg: Mapping[str, Any],
    alpha: float,
) -> ClaimResult:
    """C5. ``members``: prefectures of ``cfg['region_set']``; cfg: metric, level, year, threshold."""
    test = (
        f"Mean pairwise {cfg['metric']} (UNIDO cosine of industry employment shares) among the "
        f"{cfg['region_set']} {cfg['level']}s in {cfg['year'] or 'the last year'}: supported ('structures "
        f"converge') if >= {cfg['threshold']}, else not supported. The trend over years is reported (OLS, "
        f"p < {alpha}). 'Low-level' (low value added) is not measured."
    )
    evidence = "figures/c5_similarity_heatmaps.png; figures/c5_similarity_trend.png; metrics/similarity.parquet"
    mp = mean_pairwise(similarity, members, cfg["metric"], cfg["level"])
    present = set(similarity["region_a"].astype(str)) | set(similarity["region_b"].astype(str))
    covered = len(set(map(str, members)) & present)
    if covered < len(members):
        return ClaimResult(
            "C5",
            test,
            f"only {covered} of the {len(members)} {cfg['region_set']} regions are in the similarity table "
            "(choose claims.c5.region_set within geography.region_set)",
            "no data",
            evidence,
        )
    if mp.empty:
        return ClaimResult(
            "C5",
            test,
            "no pairs of the region set in the similarity table",
            "no data",
            evidence,
        )
    year = int(cfg["year"]) if cfg.get("year") is not None else int(mp["year"].max())
    row = mp[mp["year"] == year]
    lv = float(row["mean"].iloc[0]) if len(row) else None
    verdict = c5_verdict(lv, float(cfg["threshold"]))
    parts = [f"{year}: mean {_fmt(lv)} over {int(row['n_pairs'].iloc[0]) if len(row) else 0} pairs"]
    details: dict[str, Any] = {"mean_pairwise": mp}
    first = mp.iloc[0]
    parts.append(f"{int(first['year'])}: {_fmt(float(first['mean']))}")
    if len(mp) >= 3:
        tr = linear_trend(mp["year"], mp["mean"], se="hac")
        parts.append(f"trend {_fmt(tr.slope)}/year (p={_p(tr.p)})")
        details["trend"] = tr
    return ClaimResult("C5", test, "; ".join(parts), verdict, evidence, details=details)
