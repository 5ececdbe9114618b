"""C1: concentration against integration (the inverted U) on industry-year panels.

The paper's sentence has two parts: (1) the regional concentration of industry rises and then
falls as integration goes from low to high (new economic geography's inverted U); (2) regional
specialisation rises with integration. Part 1 is tested per concentration metric on the
industry-year panel with industry fixed effects and errors clustered by industry, part 2 on the
region-year panel of specialisation with region fixed effects (estimators:
:mod:`yrd.claims.c1_panel`). Integration is the measured index (:func:`c1_integration`), never the
synthetic world's truth.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.c1_panel import (
    Z95,
    PanelQuadratic,
    PanelSlope,
    panel_quadratic,
    panel_sample,
    panel_slope,
    within_points,
)
from yrd.claims.document import to_jsonable


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


def c1_without_index(
    path: str, *, configured: bool, region_set: str, measure: str, cfg: Mapping[str, Any]
) -> ClaimResult | None:
    """C1's row when its integration axis does not exist, else ``None``: the measured index
    (``path``, :mod:`yrd.integration`) covers the YRD region sets only (real road times of the
    YRD's 41 cities), so a national region set (``china``, a macro-region) without a configured
    table (``claims.c1.integration``) cannot be tested; the row says why and what to set."""
    if configured:
        return None
    index = pd.read_parquet(path, columns=["region_set", "measure"])
    if ((index["region_set"] == region_set) & (index["measure"] == measure)).any():
        return None
    reason = (
        f"no integration index for region set {region_set!r}: the measured index ({measure}) comes from real "
        f"road travel times of the YRD's cities only (region sets {sorted(set(index['region_set']))}); "
        "give a table of your own in claims.c1.integration (year, integration) to test C1 on this region set"
    )
    return ClaimResult(
        "C1",
        test="not run: the test needs an integration index for geography.region_set",
        value=reason,
        verdict="no data",
        evidence="integration/index.parquet",
        notes=reason,
        details={"reason": reason, "config": dict(cfg)},
    )


def c1_panels(
    concentration: pd.DataFrame,
    specialisation: pd.DataFrame,
    integration: pd.DataFrame,
    *,
    level: str,
    metrics: Sequence[str],
    specialisation_metric: str,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """C1's two panels at ``level`` with the year's ``integration`` joined on:

    concentration (``year``, ``industry``, ``metric``, ``value``, ``integration``; one row per
    industry-year and metric of ``metrics``) and specialisation (``year``, ``region``, ``value``,
    ``integration``; ``specialisation_metric`` per region-year). Years without integration drop."""
    integ = integration[["year", "integration"]].astype({"year": "int64"})
    c = concentration[(concentration["level"] == level) & concentration["metric"].isin(list(metrics))]
    c = c[["year", "industry", "metric", "value"]].astype({"year": "int64", "industry": str})
    s = specialisation[(specialisation["level"] == level) & (specialisation["metric"] == specialisation_metric)]
    s = s[["year", "region", "value"]].astype({"year": "int64", "region": str})
    conc = c.merge(integ, on="year", how="inner").sort_values(["metric", "industry", "year"])
    spec = s.merge(integ, on="year", how="inner").sort_values(["region", "year"])
    return conc.reset_index(drop=True), spec.reset_index(drop=True)


@dataclass
class C1Fits:
    """The fits behind C1 (one per concentration metric, one for specialisation) and, for what
    could not be fitted, why (``problems``: metric or ``"specialisation"`` -> reason)."""

    metrics: dict[str, PanelQuadratic] = field(default_factory=dict)
    specialisation: PanelSlope | None = None
    problems: dict[str, str] = field(default_factory=dict)
    n_rows: int = 0


def _too_few(d: pd.DataFrame, group: str, min_values: int, min_clusters: int) -> str:
    if d.empty:
        return "no rows with data"
    n_x, n_g = d["integration"].nunique(), d[group].nunique()
    if n_x < min_values:
        return f"integration takes {n_x} distinct value(s) (fewer than {min_values}): no curve to fit"
    if n_g < min_clusters:
        return f"{n_g} {group}(s) with data (fewer than {min_clusters} clusters)"
    return ""


def c1_fits(
    conc: pd.DataFrame,
    spec: pd.DataFrame,
    *,
    metrics: Sequence[str],
    min_years: int,
    min_clusters: int,
    break_year: int | None = None,
) -> C1Fits:
    """Fit :func:`~yrd.claims.c1_panel.panel_quadratic` per metric (industry FE, clustered by
    industry) and :func:`~yrd.claims.c1_panel.panel_slope` for specialisation (region FE,
    clustered by region) on :func:`c1_panels` output. A fit needs at least ``min_years``
    (and 3) distinct integration values and ``min_clusters`` clusters. ``break_year``: both
    models carry a post-break level shift (the ASIF threshold break of 2011)."""
    out = C1Fits(n_rows=len(conc))
    need_x = max(3, int(min_years))
    for m in metrics:
        d = panel_sample(conc[conc["metric"] == m], "value", "integration", "industry")
        why = _too_few(d, "industry", need_x, int(min_clusters))
        if why:
            out.problems[m] = why
        else:
            out.metrics[m] = panel_quadratic(d, break_year=break_year)
    d = panel_sample(spec, "value", "integration", "region")
    why = _too_few(d, "region", 2, int(min_clusters))
    if why:
        out.problems["specialisation"] = why
    else:
        out.specialisation = panel_slope(d, break_year=break_year)
    return out


def _pv(p: float) -> str:
    """``p=0.012``, ``p<0.001`` or ``p=NA``."""
    text = _p(p)
    return f"p{text}" if text.startswith("<") else f"p={text}"


_SHAPE_WORDS = {
    "inverted_u": "inverted U (turning point inside the range)",
    "concave_outside": "concave, turning point's interval not inside the range",
    "u": "U shape",
    "no_curvature": "no significant curvature",
}


def c1_verdict(fits: C1Fits, metrics: Sequence[str], alpha: float) -> tuple[str, str]:
    """Verdict and the reason in words.

    Part 1 (inverted U), per metric: ``inverted_u`` when b2 < 0 with p < alpha and the 95%
    interval of the turning point lies strictly inside the observed integration range.
    Part 2: the specialisation slope is > 0 with p < alpha.

    ``no data``: no concentration rows; ``inconclusive``: some metric could not be fitted (too
    few distinct integration values or industries); ``not supported``: no metric has b2 < 0
    with p < alpha (flat, linear or U-shaped), whatever specialisation does (a rise of
    specialisation alone is no inverted U); ``supported``: every metric is an inverted U and
    specialisation rises; ``partly supported``: otherwise, i.e. every metric an inverted U but
    specialisation not rising (or not estimable), or some metric concave and significant while
    another is not (the metrics disagree), or every concave metric's turning-point interval is
    not inside the observed range (concentration may only rise, or only fall, over the data)."""
    if fits.n_rows == 0:
        return "no data", "no concentration rows at the configured level joined to the integration years"
    missing = [m for m in metrics if m in fits.problems]
    if missing:
        return "inconclusive", "; ".join(f"{m}: {fits.problems[m]}" for m in missing)
    shapes = {m: f.shape(alpha) for m, f in fits.metrics.items()}
    if not any(s in ("inverted_u", "concave_outside") for s in shapes.values()):
        return "not supported", f"no metric has a negative b2 with p < {alpha}"
    sp = fits.specialisation
    if sp is None:
        spec_words = f"specialisation not estimable ({fits.problems.get('specialisation', '')})"
    elif sp.rises(alpha):
        spec_words = "specialisation rises"
    else:
        spec_words = f"specialisation does not rise with p < {alpha}"
    if all(s == "inverted_u" for s in shapes.values()):
        if sp is not None and sp.rises(alpha):
            return "supported", f"every metric an inverted U inside the range and {spec_words}"
        return "partly supported", f"every metric an inverted U inside the range but {spec_words}"
    if all(s == "concave_outside" for s in shapes.values()):
        why = "concave with p < alpha but the turning point's 95% interval is not inside the observed integration range"
    else:
        why = "metrics disagree: " + ", ".join(f"{m} {_SHAPE_WORDS[s]}" for m, s in shapes.items())
    return "partly supported", f"{why}; {spec_words}"


def _metric_text(m: str, f: PanelQuadratic, alpha: float) -> str:
    return (
        f"{m}: b1={_fmt(f.b1)} (s.e. {_fmt(f.se_b1)}, {_pv(f.p_b1)}), b2={_fmt(f.b2)} (s.e. {_fmt(f.se_b2)}, "
        f"{_pv(f.p_b2)}), turning point {_fmt(f.turning_point)} [95% {_fmt(f.tp_low)}, {_fmt(f.tp_high)}] "
        f"{'inside' if f.inside else 'not inside'} the range [{_fmt(f.x_min)}, {_fmt(f.x_max)}], "
        f"{f.n_groups} industries, {f.n_obs} obs -> {_SHAPE_WORDS[f.shape(alpha)]}"
    )


def claim_c1(
    conc: pd.DataFrame, spec: pd.DataFrame, cfg: Mapping[str, Any], alpha: float, source: str = ""
) -> ClaimResult:
    """C1 from :func:`c1_panels` output. ``cfg``: ``level``, ``metrics``, ``specialisation``,
    ``min_years``, ``min_clusters``; rule of :func:`c1_verdict`."""
    metrics = list(cfg["metrics"])
    test = (
        f"Industry-year panel ({cfg['level']} level), per metric ({', '.join(metrics)}): value on integration "
        "and its square (integration centred on its mean) with industry fixed effects, s.e. clustered by "
        "industry (pyfixest CRV1)"
        + (
            f", and a level-shift dummy from {cfg['break_year']} (the survey's threshold break)"
            if cfg.get("break_year") is not None
            else ""
        )
        + "; turning point -b1/(2 b2) with a delta-method 95% interval. Specialisation "
        f"({cfg['specialisation']}, region-year panel): slope on integration with region fixed effects, "
        f"clustered by region. Supported if every metric has b2 < 0 with p < {alpha} and its turning point's "
        "interval inside the observed integration range, and specialisation rises (slope > 0, p < alpha); "
        "not supported if no metric has b2 < 0 with p < alpha; inconclusive if a metric has too few distinct "
        f"integration values (< {max(3, int(cfg['min_years']))}) or industries (< {cfg['min_clusters']}); "
        "partly supported otherwise (inverted U without rising specialisation, metrics disagree, or concave "
        "with the turning point's interval not inside the range)."
    )
    evidence = "figures/c1_concentration_integration.png; metrics/concentration.parquet; metrics/specialisation.parquet"
    break_year = cfg.get("break_year")
    fits = c1_fits(
        conc,
        spec,
        metrics=metrics,
        min_years=int(cfg["min_years"]),
        min_clusters=int(cfg["min_clusters"]),
        break_year=None if break_year is None else int(break_year),
    )
    verdict, reason = c1_verdict(fits, metrics, alpha)
    parts = [_metric_text(m, f, alpha) for m, f in fits.metrics.items()]
    parts += [f"{k}: {v}" for k, v in fits.problems.items()]
    sp = fits.specialisation
    if sp is not None:
        parts.append(
            f"specialisation slope={_fmt(sp.slope)} (s.e. {_fmt(sp.se)}, {_pv(sp.p)}; {sp.n_groups} regions, "
            f"{sp.n_obs} obs): {'rises' if sp.rises(alpha) else 'no significant rise'}"
        )
    shifts = [
        f"{m} {_fmt(f.break_shift)} ({_pv(f.break_p)})"
        for m, f in [*fits.metrics.items(), ("specialisation", sp)]
        if f is not None and math.isfinite(f.break_shift)
    ]
    if shifts:
        parts.append(f"post-{break_year} level shift: " + ", ".join(shifts))
    parts.append(f"integration: {source or 'see caption'}")
    details: dict[str, Any] = {
        "alpha": alpha,
        "config": dict(cfg),
        "metrics": {
            m: {**f.to_dict(), "shape": f.shape(alpha), "turning_point_fit": float(f.curve([f.turning_point])[0])}
            for m, f in fits.metrics.items()
        },
        "specialisation": None if sp is None else {**sp.to_dict(), "rises": sp.rises(alpha)},
        "problems": dict(fits.problems),
        "reason": reason,
        "integration_source": source,
        "drawing": to_jsonable(c1_drawing(conc, spec, fits, metrics)),
    }
    return ClaimResult("C1", test, "; ".join(parts), verdict, evidence, notes=reason, details=details)


def c1_drawing(
    conc: pd.DataFrame, spec: pd.DataFrame, fits: C1Fits, metrics: Sequence[str], n_grid: int = 200
) -> dict[str, Any]:
    """What the C1 figure draws, per panel (each metric, then ``"specialisation"``): ``points``
    (``x`` integration, ``y`` within-group value plus the grand mean, ``year``; the scale of the
    fixed-effects fit, :func:`~yrd.claims.c1_panel.within_points`) and, when fitted, ``curve``
    (``x`` on an even grid of ``n_grid`` points over the observed range, ``fit``, ``low``,
    ``high``: the fit and its 95% band, :meth:`PanelQuadratic.curve` and :meth:`PanelQuadratic.band`;
    for specialisation the line ``ybar + slope (x - xbar)`` with half-width 1.96 se |x - xbar|)."""
    out: dict[str, Any] = {}
    for col in [*metrics, "specialisation"]:
        group = "region" if col == "specialisation" else "industry"
        raw = spec if col == "specialisation" else conc[conc["metric"] == col]
        d = panel_sample(raw, "value", "integration", group)
        panel: dict[str, Any] = {"points": [], "curve": None}
        if len(d):
            x = d["integration"].to_numpy(float)
            y = within_points(d, group=group).to_numpy(float)
            panel["points"] = pd.DataFrame({"x": x, "y": y, "year": d["year"].to_numpy()})
            grid = np.linspace(x.min(), x.max(), n_grid)
            fit_q = fits.metrics.get(col) if col != "specialisation" else None
            if fit_q is not None:
                yhat, hw = fit_q.curve(grid), fit_q.band(grid)
            elif col == "specialisation" and fits.specialisation is not None:
                sp = fits.specialisation
                yhat, hw = sp.line(grid), Z95 * sp.se * np.abs(grid - sp.x_mean)
            else:
                yhat = None
            if yhat is not None:
                panel["curve"] = {"x": grid, "fit": yhat, "low": yhat - hw, "high": yhat + hw}
        out[col] = panel
    return out
