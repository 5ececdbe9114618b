"""C4: the ranking of integration dimensions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.stats import linear_trend

DIMENSIONS = (
    "market",
    "industry",
    "transport",
    "information",
    "institution",
    "ecology",
)


def c4_tier_check(indicators: pd.DataFrame, tiers: Sequence[Sequence[str]], year: int | None = None) -> pd.DataFrame:
    """Rank the dimensions by their index in ``year`` (default: the last year) and compare with
    the paper's tiers (list of lists, highest first): ``dimension``, ``value``, ``rank``,
    ``tier`` (expected, 1 = highest), ``rank_tier`` (the tier its rank falls in) and ``match``."""
    y = int(indicators["year"].max()) if year is None else int(year)
    d = indicators[indicators["year"] == y].groupby("dimension")["value"].mean().sort_values(ascending=False)
    expected = {dim: i + 1 for i, tier in enumerate(tiers) for dim in tier}
    bounds, start = [], 0
    for tier in tiers:
        bounds.append((start, start + len(tier)))
        start += len(tier)
    rows = []
    for rank, (dim, v) in enumerate(d.items(), start=1):
        rt = next((i + 1 for i, (a, b) in enumerate(bounds) if a < rank <= b), len(tiers) + 1)
        rows.append((dim, float(v), rank, expected.get(dim), rt, expected.get(dim) == rt))
    return pd.DataFrame(rows, columns=["dimension", "value", "rank", "tier", "rank_tier", "match"]).assign(year=y)


def c4_verdict(check: pd.DataFrame | None, tiers: Sequence[Sequence[str]]) -> str:
    """``supported``: every dimension ranks in its stated tier; ``not supported``: some does not;
    ``inconclusive``: a stated dimension is missing from the table; ``no data``: no indicator table."""
    if check is None or check.empty:
        return "no data"
    stated = {d for t in tiers for d in t}
    if not stated <= set(check["dimension"]):
        return "inconclusive"
    return "supported" if check.loc[check["dimension"].isin(stated), "match"].all() else "not supported"


def claim_c4(
    segmentation: pd.DataFrame | None,
    indicators: pd.DataFrame | None,
    cfg: Mapping[str, Any],
    alpha: float,
) -> ClaimResult:
    """C4: ranking of the six dimensions from a configured indicator table (year, dimension,
    value: higher = more integrated); market segmentation's trend (relative price method) is
    reported when configured, but alone cannot rank the dimensions (-> inconclusive)."""
    tiers = [list(cfg["tiers"][k]) for k in ("top", "middle", "bottom")]
    test = (
        "Rank of the six integration dimensions in the last year of the configured indicator table against "
        f"the paper's tiers (top {tiers[0]}, then {tiers[1]}, lowest {tiers[2]}): supported if every "
        "dimension ranks in its tier, not supported otherwise. Market segmentation (relative price method), "
        f"when configured: OLS trend on the year (p < {alpha}) reported; alone it cannot rank dimensions."
    )
    evidence = []
    parts = []
    details: dict[str, Any] = {}
    if segmentation is not None and not segmentation.empty:
        s = segmentation.dropna(subset=["segmentation"]).sort_values("year")
        evidence += [
            "figures/c4_market_segmentation.png",
            "metrics/segmentation_overall.parquet",
        ]
        if len(s) >= 3:
            tr = linear_trend(s["year"], s["segmentation"], se="classical")
            parts.append(f"market segmentation trend {_fmt(tr.slope)}/year (p={_p(tr.p)}), {len(s)} years")
            details["segmentation_trend"] = tr
    check = None
    if indicators is not None and not indicators.empty:
        check = c4_tier_check(indicators, tiers)
        evidence += ["figures/c4_integration_profile.png"]
        parts.append(
            f"{int(check['year'].iloc[0])} ranking: "
            + ", ".join(f"{r.dimension} {_fmt(r.value)}" for r in check.itertuples())
        )
        details["tiers"] = check
        verdict = c4_verdict(check, tiers)
    elif details:
        verdict = "inconclusive"
    else:
        verdict = "no data"
        parts.append("no price panel (metrics.segmentation.prices) and no indicator table (claims.c4.indicators)")
    return ClaimResult(
        "C4",
        test,
        "; ".join(parts),
        verdict,
        "; ".join(evidence) or "-",
        details=details,
    )
