"""C4: the ranking of integration dimensions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.c1_panel import Z95
from yrd.claims.stats import linear_trend

DIMENSIONS = (
    "market",
    "industry",
    "transport",
    "information",
    "institution",
    "ecology",
)
#: Dimensions with a measured indicator in the pipeline (yrd.claims.c4_measured): ``economic``
#: stands for the measurable outcomes of the paper's market and industry integration.
MEASURED_DIMENSIONS = ("transport", "economic", "market")


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
    measured: pd.DataFrame | None = None,
    transport_set: str = "yrd41_2019",
) -> ClaimResult:
    """C4: ranking of the six dimensions from a configured indicator table (year, dimension,
    value: higher = more integrated); without one, the paper's ranking among the *measured*
    dimensions (``measured``: :func:`yrd.claims.c4_measured.measured_indicators`, transport from
    road travel times, economic from DOSE, market from price panels when given). Market
    segmentation's trend alone cannot rank the dimensions (-> inconclusive). ``transport_set``: the
    region set of the road-time index (:func:`yrd.claims.c4_measured.integration_region_set`)."""
    tiers = [list(cfg["tiers"][k]) for k in ("top", "middle", "bottom")]
    seg = c4_segmentation(segmentation)
    if (indicators is None or indicators.empty) and measured is not None and not measured.empty:
        r = claim_c4_measured(measured, tiers, alpha, transport_set)
        r.details.update({"segmentation": seg, "config": dict(cfg)})
        return r
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
        details["paper_tiers"] = tiers
        verdict = c4_verdict(check, tiers)
    elif details:
        verdict = "inconclusive"
    else:
        verdict = "no data"
        parts.append("no price panel (metrics.segmentation.prices) and no indicator table (claims.c4.indicators)")
    details.update({"segmentation": seg, "config": dict(cfg), "alpha": alpha})
    return ClaimResult(
        "C4",
        test,
        "; ".join(parts),
        verdict,
        "; ".join(evidence) or "-",
        details=details,
    )


def c4_segmentation(segmentation: pd.DataFrame | None) -> dict[str, Any] | None:
    """What the market segmentation figure draws: ``series`` (``year``, ``segmentation``,
    ``fitted``) and ``trend`` (:func:`yrd.claims.stats.linear_trend`, classical s.e., with
    at least three years; else None). None without a segmentation table."""
    if segmentation is None or segmentation.empty:
        return None
    s = segmentation.dropna(subset=["segmentation"]).sort_values("year")[["year", "segmentation"]]
    tr = linear_trend(s["year"], s["segmentation"], se="classical") if len(s) >= 3 else None
    if tr is not None:
        s = s.assign(fitted=tr.intercept + tr.slope * s["year"].astype(float))
    return {"series": s, "trend": None if tr is None else vars(tr).copy()}


def claim_c4_measured(
    measured: pd.DataFrame, tiers: Sequence[Sequence[str]], alpha: float, transport_set: str = "yrd41_2019"
) -> ClaimResult:
    """C4 on the measured dimensions (:mod:`yrd.claims.c4_measured`): the verdict tests the
    paper's ranking (transport highest and fastest) against every measured dimension of a lower
    tier and names the dimensions it could not test."""
    from yrd.claims.c4_measured import measured_ranking, summary_text

    base = int(measured["base_year"].iloc[0])
    last = int(measured["year"].max())
    test = (
        "Measured dimensions only. Each indicator (lower = more integrated) becomes a progress index "
        f"x(base)/x(t) with base {base}; a dimension's index is the geometric mean of its indicators'. "
        f"Transport: population-weighted mean road travel time among the {transport_set} cities (Ma and Tang "
        "2024); economic: CV of GDP per "
        "capita and of the manufacturing share across SH/JS/ZJ/AH (DOSE), the measurable outcomes of the "
        "paper's market and industry integration; market: relative-price segmentation only with price panels. "
        f"Supported if transport's progress in {last} (level) and its trend of ln progress (speed, OLS with "
        "Newey-West s.e., pyfixest) exceed those of every measured lower-tier dimension, each speed "
        f"difference > 0 with p < {alpha}; not supported if a lower-tier dimension is significantly faster "
        "(the level, without a standard error, cannot reject alone); else inconclusive."
    )
    verdict, table, details = measured_ranking(measured, tiers, alpha)
    measured_dims = sorted(set(measured["dimension"]))
    stated = [d for t in tiers for d in t]
    untested = [d for d in stated if d not in measured_dims]
    if "market" not in measured_dims:
        untested_text = "market (relative prices: no price panel, metrics.segmentation.prices)"
        others = [d for d in untested if d != "market"]
    else:
        untested_text, others = "", untested
    could_not = ", ".join([x for x in [untested_text, *others] if x])
    table = table.assign(speed_low=table["speed"] - Z95 * table["se"], speed_high=table["speed"] + Z95 * table["se"])
    details.update(
        {"ranking": table, "indicators": measured, "untested": untested, "alpha": alpha, "paper_tiers": tiers}
    )
    details["base_year"] = base
    return ClaimResult(
        "C4",
        test,
        summary_text(table, measured),
        verdict,
        "figures/c4_integration_profile.png; integration/index.parquet; resources/dose/dose_china.csv",
        f"Not tested (no data): {could_not}. The economic dimension is placed in tier "
        f"{next((i + 1 for i, t in enumerate(tiers) if 'economic' in t), 'none')} by claims.c4.tiers.",
        details=details,
    )
