"""C1: concentration against integration (the inverted U)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.stats import QuadraticFit, linear_trend, quadratic_fit


def integration_path(years: Sequence[int], table: pd.DataFrame | None = None, source: str = "") -> pd.DataFrame:
    """Integration measure by year: ``year``, ``integration``, ``source``.

    ``table``: columns ``year`` and ``integration``, several rows per year allowed (averaged):
    a user's integration index or one measure of :mod:`yrd.integration`. Without a table the
    measure is the year itself.
    """
    years = sorted(int(y) for y in years)
    if table is not None:
        d = table.groupby("year", as_index=False)["integration"].mean()
        d = d.astype({"year": "int64", "integration": "float64"})
        src = source or "integration table"
    else:
        d = pd.DataFrame({"year": years, "integration": np.asarray(years, dtype=float)})
        src = "year (no integration measure configured)"
    d = d[d["year"].isin(years)].sort_values("year").reset_index(drop=True)
    d["source"] = src
    return d


def c1_integration(
    path: str, years: Sequence[int], *, configured: bool, region_set: str, measure: str
) -> tuple[pd.DataFrame, str]:
    """C1's integration axis and a description of it.

    ``configured`` (``claims.c1.integration`` set): the user's table at ``path`` (``year``,
    ``integration``). Otherwise ``path`` is the measured index ``integration/index.parquet``
    (:mod:`yrd.integration`): ``measure`` (``travel_time_index`` = T(base)/T(t), the inverse of the
    population-weighted mean road travel time relative to the base year) for ``region_set``.
    Claims never read the synthetic world's own lambda(t)."""
    from yrd.claims.base import read_table
    from yrd.integration import c1_integration_series

    if configured:
        return integration_path(years, read_table(path), "configured integration table"), "configured integration table"
    source = f"{measure} of {region_set} from real road travel times (Ma and Tang 2024)"
    series = c1_integration_series(pd.read_parquet(path), region_set, measure)
    return integration_path(years, series, source), source


def c1_series(
    concentration: pd.DataFrame,
    specialisation: pd.DataFrame,
    integration: pd.DataFrame,
    *,
    level: str,
    metrics: Sequence[str],
    specialisation_metric: str,
) -> pd.DataFrame:
    """One row per year: ``integration`` and the mean across industries of each concentration
    metric, and the mean across regions of the specialisation metric, at ``level``."""
    c = concentration[(concentration["level"] == level) & concentration["metric"].isin(metrics)]
    wide = c.groupby(["year", "metric"])["value"].mean().unstack("metric")
    s = specialisation[(specialisation["level"] == level) & (specialisation["metric"] == specialisation_metric)]
    wide["specialisation"] = s.groupby("year")["value"].mean()
    wide = wide.reset_index()
    wide["year"] = wide["year"].astype("int64")
    out = integration[["year", "integration"]].merge(wide, on="year", how="inner")
    for m in metrics:
        if m not in out:
            out[m] = np.nan
    return out[["year", "integration", *metrics, "specialisation"]]


def c1_verdict(fits: Mapping[str, QuadraticFit], alpha: float) -> str:
    """``supported``: every metric's quadratic term is negative with p < alpha and its turning
    point lies strictly inside the observed integration range (an inverted U within the data);
    ``not supported``: no metric has a negative quadratic term with p < alpha (flat, linear or
    U-shaped); ``inconclusive``: otherwise (negative and significant for some metric but the
    turning point outside the range, i.e. concave but monotone over the data, or metrics
    disagree); ``no data``: no fit."""
    if not fits:
        return "no data"
    shapes = [f.shape(alpha) for f in fits.values()]
    if all(s == "inverted_u" for s in shapes):
        return "supported"
    if not any(s in ("inverted_u", "concave") for s in shapes):
        return "not supported"
    return "inconclusive"


def claim_c1(series: pd.DataFrame, cfg: Mapping[str, Any], alpha: float, source: str = "") -> ClaimResult:
    """C1 from :func:`c1_series` output. ``cfg``: ``metrics``, ``se``, ``hac_lags``, ``min_years``."""
    metrics = list(cfg["metrics"])
    test = (
        f"OLS of the yearly mean across industries of each of {', '.join(metrics)} ({cfg['level']} level) "
        f"on integration and its square ({cfg['se']} s.e.): supported if for every metric the square term "
        f"is negative with p < {alpha} and the turning point lies inside the observed integration range; "
        f"not supported if no metric has a negative square term with p < {alpha}; else inconclusive. "
        f"Specialisation ({cfg['specialisation']}, mean across regions) rising: OLS slope on integration "
        "> 0 with p < alpha (reported, not part of the verdict)."
    )
    evidence = "figures/c1_concentration_integration.png; metrics/concentration.parquet; metrics/specialisation.parquet"
    d = series.dropna(subset=["integration"])
    if len(d) < int(cfg.get("min_years", 5)):
        return ClaimResult("C1", test, f"{len(d)} years with data", "no data", evidence)
    if d["integration"].nunique() < 3:
        return ClaimResult(
            "C1",
            test,
            f"integration takes {d['integration'].nunique()} value(s) ({source}): no curve to fit",
            "no data",
            evidence,
        )
    fits = {}
    for m in metrics:
        dm = d.dropna(subset=[m])
        if len(dm) >= int(cfg.get("min_years", 5)):
            fits[m] = quadratic_fit(dm["integration"], dm[m], se=cfg["se"], lags=cfg.get("hac_lags"))
    verdict = c1_verdict(fits, alpha)
    parts = [
        f"{m}: b2={_fmt(f.b2)} (p={_p(f.p_b2)}), turning point {_fmt(f.turning_point)} "
        f"{'inside' if f.inside else 'outside'} [{_fmt(f.x_min)}, {_fmt(f.x_max)}] -> {f.shape(alpha)}"
        for m, f in fits.items()
    ]
    spec = d.dropna(subset=["specialisation"])
    details: dict[str, Any] = {"fits": fits}
    if len(spec) >= 3:
        tr = linear_trend(
            spec["integration"],
            spec["specialisation"],
            se=cfg["se"],
            lags=cfg.get("hac_lags"),
        )
        rising = tr.slope > 0 and tr.p < alpha
        parts.append(
            f"specialisation slope={_fmt(tr.slope)} (p={_p(tr.p)}): {'rises' if rising else 'no significant rise'}"
        )
        details["specialisation"] = tr
    parts.append(f"integration measure: {source or 'see caption'}; n={len(d)} years")
    return ClaimResult("C1", test, "; ".join(parts), verdict, evidence, details=details)
