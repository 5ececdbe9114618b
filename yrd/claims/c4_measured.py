"""C4 on what is measurable: transport integration from road travel times, economic integration
from the dispersion of GDP per capita and manufacturing shares across Shanghai, Jiangsu,
Zhejiang and Anhui.

Indicators (:func:`measured_indicators`), each "lower = more integrated"
------------------------------------------------------------------------
* ``transport`` / ``mean_travel_time``: population-weighted mean road travel time among the
  prefectures of the study's region set (hours; :mod:`yrd.integration`, Ma and Tang 2024).
* ``economic`` / ``gdp_per_capita_dispersion``: coefficient of variation (ddof 0, unweighted)
  across the four provinces of GDP per capita in current yuan (DOSE v2.11 ``grp_pc_lcu``; Wenz et
  al. 2023, Scientific Data 10, 425): sigma-convergence (Barro and Sala-i-Martin 1992).
* ``economic`` / ``manufacturing_share_dispersion``: coefficient of variation across the four
  provinces of the manufacturing (industry) share of GDP (DOSE ``man_grp_pc_lcu / grp_pc_lcu``).
* ``market`` / ``relative_price_segmentation``: the market segmentation index (relative price
  method), only when the user supplies price panels (``metrics.segmentation.prices``).

The paper's market and industry integration (its lowest tier) have no direct statistic without
price panels or inter-provincial trade; the two DOSE dispersions are their measurable economic
outcomes and form the ``economic`` dimension (placed in the bottom tier by the default config).
Information, institution and ecology have no data.

Comparable scale
----------------
The indicators share no unit, so each is turned into a progress index against the base year
(the first year all indicators have): ``I_k(t) = x_k(base) / x_k(t)`` (1 in the base year, above
1 as the indicator falls). A dimension's index is the geometric mean of its indicators'
indexes. *Level* = ``I(last year)`` (cumulative progress since the base year); *speed* = the
OLS slope of ``ln I`` on the year (per cent per year / 100) with Newey-West errors (pyfixest
``feols``, ``vcov="NW"``). Transport against another dimension: the slope of the interaction
``year x transport`` in ``ln I ~ year + transport + year x transport`` on the two dimensions
stacked (Newey-West within each dimension, pyfixest panel HAC).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.stats import newey_west_lags

#: The four provinces of the economic indicators (DOSE ``region`` names) and their codes.
PROVINCES = {"Shanghai": "31", "Jiangsu": "32", "Zhejiang": "33", "Anhui": "34"}
UNITS = {
    "mean_travel_time": "hours",
    "gdp_per_capita_dispersion": "CV across SH/JS/ZJ/AH",
    "manufacturing_share_dispersion": "CV across SH/JS/ZJ/AH",
    "relative_price_segmentation": "index",
}
SOURCES = {
    "mean_travel_time": "Ma and Tang (2024), road travel times (real)",
    "gdp_per_capita_dispersion": "DOSE v2.11, Wenz et al. (2023) (real)",
    "manufacturing_share_dispersion": "DOSE v2.11, Wenz et al. (2023) (real)",
    "relative_price_segmentation": "user price panels (metrics.segmentation.prices)",
}


def _cv(s: pd.Series) -> float:
    return float(s.std(ddof=0) / s.mean())


def dose_dispersion(dose: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """``year``, ``indicator``, ``value``: the two DOSE dispersions across the four provinces of
    :data:`PROVINCES` (module docstring). A year without all four provinces is left out."""
    d = dose[dose["region"].isin(list(PROVINCES)) & dose["year"].isin(list(years))].copy()
    d = d.dropna(subset=["grp_pc_lcu", "man_grp_pc_lcu"])
    d["man_share"] = d["man_grp_pc_lcu"] / d["grp_pc_lcu"]
    full = d.groupby("year")["region"].nunique()
    d = d[d["year"].isin(full[full == len(PROVINCES)].index)]
    g = d.groupby("year")
    out = pd.concat(
        [
            g["grp_pc_lcu"].apply(_cv).rename("gdp_per_capita_dispersion"),
            g["man_share"].apply(_cv).rename("manufacturing_share_dispersion"),
        ],
        axis=1,
    )
    return out.rename_axis("year").reset_index().melt(id_vars="year", var_name="indicator", value_name="value")


def integration_region_set(region_set: str) -> str:
    """The region set whose road-time index is C4's transport dimension: the analysis' own YRD
    set, and ``yrd41_2019`` (the YRD's 41 cities, the paper's region) for a national region set,
    which has no road-time index. C4 is about the YRD's integration and reads no firm data."""
    from yrd.regions import REGION_SETS

    return region_set if region_set in REGION_SETS else "yrd41_2019"


def measured_indicators(
    index: pd.DataFrame,
    dose: pd.DataFrame | None,
    region_set: str,
    years: Sequence[int],
    segmentation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every measured indicator by year: ``year``, ``dimension``, ``indicator``, ``value``,
    ``unit``, ``source``, ``progress`` (``x(base)/x(t)``, base = first common year), ``base_year``.

    ``index``: the integration index (:func:`yrd.integration.integration_index`); ``dose``: the
    DOSE China table; ``segmentation``: ``year``, ``segmentation`` (optional)."""
    years = sorted(int(y) for y in years)
    t = index[(index["region_set"] == region_set) & (index["measure"] == "mean_travel_time_h")]
    parts = [t[["year", "value"]].assign(dimension="transport", indicator="mean_travel_time")]
    if dose is not None:
        parts.append(dose_dispersion(dose, years).assign(dimension="economic"))
    if segmentation is not None and not segmentation.empty:
        s = segmentation.dropna(subset=["segmentation"])[["year", "segmentation"]]
        parts.append(
            s.rename(columns={"segmentation": "value"}).assign(
                dimension="market", indicator="relative_price_segmentation"
            )
        )
    d = pd.concat(parts, ignore_index=True)
    d = d[d["year"].isin(years)].astype({"year": "int64", "value": "float64"})
    common = set.intersection(*(set(g["year"]) for _, g in d.groupby("indicator")))
    if not common:
        return d.assign(unit="", source="", progress=np.nan, base_year=pd.NA).iloc[0:0]
    base = min(common)
    d = d[d["year"] >= base]
    first = d[d["year"] == base].set_index("indicator")["value"]
    d["progress"] = d["indicator"].map(first) / d["value"]
    d["base_year"] = base
    d["unit"] = d["indicator"].map(UNITS)
    d["source"] = d["indicator"].map(SOURCES)
    cols = ["year", "dimension", "indicator", "value", "unit", "source", "progress", "base_year"]
    return d[cols].sort_values(["dimension", "indicator", "year"], ignore_index=True)


def dimension_progress(indicators: pd.DataFrame) -> pd.DataFrame:
    """``year``, ``dimension``, ``progress``: geometric mean of its indicators' progress indexes
    (years where every indicator of the dimension is present)."""
    d = indicators.assign(log_progress=np.log(indicators["progress"]))
    n = d.groupby("dimension")["indicator"].nunique()
    g = d.groupby(["dimension", "year"]).agg(log_progress=("log_progress", "mean"), k=("indicator", "nunique"))
    g = g[g["k"] == g.index.get_level_values("dimension").map(n)]
    return g.reset_index().assign(progress=lambda x: np.exp(x["log_progress"]))[["year", "dimension", "progress"]]


def progress_speed(progress: pd.DataFrame, lags: int | None = None) -> pd.DataFrame:
    """Per dimension: ``level`` (progress in the last year), ``speed`` (OLS slope of ln progress
    on the year, Newey-West s.e. ``se`` and two-sided ``p``, pyfixest), ``n`` years."""
    import pyfixest as pf

    rows = []
    for dim, g in progress.groupby("dimension"):
        g = g.sort_values("year").assign(ln=lambda x: np.log(x["progress"]), t=lambda x: x["year"] - x["year"].mean())
        L = newey_west_lags(len(g)) if lags is None else int(lags)
        m = pf.feols("ln ~ t", g, vcov="NW", vcov_kwargs={"lag": L, "time_id": "year"})
        tidy = m.tidy().loc["t"]
        rows.append(
            {
                "dimension": dim,
                "level": float(g["progress"].iloc[-1]),
                "last_year": int(g["year"].iloc[-1]),
                "speed": float(tidy["Estimate"]),
                "se": float(tidy["Std. Error"]),
                "p": float(tidy["Pr(>|t|)"]),
                "n": len(g),
            }
        )
    return pd.DataFrame(rows)


def speed_difference(progress: pd.DataFrame, a: str, b: str, lags: int | None = None) -> dict[str, float]:
    """Slope of ``ln progress`` of dimension ``a`` minus that of ``b`` (coefficient of
    ``t x a`` in the stacked regression of the module docstring), Newey-West s.e. within each
    dimension (pyfixest panel HAC), two-sided p."""
    import pyfixest as pf

    d = progress[progress["dimension"].isin([a, b])].copy()
    d["ln"] = np.log(d["progress"])
    d["t"] = d["year"] - d["year"].mean()
    d["is_a"] = (d["dimension"] == a).astype(float)
    d["t_a"] = d["t"] * d["is_a"]
    d["panel"] = d["is_a"].astype(int)
    L = newey_west_lags(d.groupby("dimension").size().min()) if lags is None else int(lags)
    m = pf.feols("ln ~ t + is_a + t_a", d, vcov="NW", vcov_kwargs={"lag": L, "time_id": "year", "panel_id": "panel"})
    tidy = m.tidy().loc["t_a"]
    return {"diff": float(tidy["Estimate"]), "se": float(tidy["Std. Error"]), "p": float(tidy["Pr(>|t|)"])}


def measured_ranking(
    indicators: pd.DataFrame, tiers: Sequence[Sequence[str]], alpha: float
) -> tuple[str, pd.DataFrame, dict[str, Any]]:
    """The paper's ranking among the measured dimensions.

    Returns ``(verdict, table, details)``. ``table``: :func:`progress_speed` with the paper's
    ``tier`` (1 = highest) of each dimension and, for each measured dimension of a lower tier
    than transport, the speed difference against transport (``diff``, ``diff_se``, ``diff_p``).
    Verdict: ``supported`` if transport's level and speed exceed those of every measured
    lower-tier dimension and each speed difference is positive with p < alpha; ``not supported``
    if some lower-tier dimension's speed exceeds transport's with p < alpha, or its level is
    higher and its speed not significantly lower; ``inconclusive`` otherwise (including no
    lower-tier dimension measured); ``no data`` without transport."""
    prog = dimension_progress(indicators)
    table = progress_speed(prog)
    tier_of = {d: i + 1 for i, t in enumerate(tiers) for d in t}
    table["tier"] = table["dimension"].map(tier_of)
    details: dict[str, Any] = {"progress": prog}
    if "transport" not in set(table["dimension"]):
        return "no data", table, details
    t_tier = tier_of.get("transport", 1)
    tr = table.set_index("dimension").loc["transport"]
    lower = [d for d in table["dimension"] if d != "transport" and tier_of.get(d, 0) > t_tier]
    verdicts = []
    for d in lower:
        diff = speed_difference(prog, "transport", d)
        for k, v in diff.items():
            table.loc[table["dimension"] == d, f"diff_{k}" if k != "diff" else "diff"] = v
        row = table.set_index("dimension").loc[d]
        level_ok = tr["level"] > row["level"]
        if diff["diff"] > 0 and diff["p"] < alpha and level_ok:
            verdicts.append("supported")
        elif diff["diff"] < 0 and diff["p"] < alpha:
            verdicts.append("not supported")
        else:
            verdicts.append("inconclusive")
    if not verdicts:
        return "inconclusive", table, details
    if "not supported" in verdicts:
        return "not supported", table, details
    return ("supported" if all(v == "supported" for v in verdicts) else "inconclusive"), table, details


def untested_dimensions(measured: Sequence[str], dimensions: Sequence[str]) -> list[str]:
    """The paper's dimensions without any measured indicator."""
    return [d for d in dimensions if d not in set(measured)]


def summary_text(table: pd.DataFrame, indicators: pd.DataFrame) -> str:
    """One sentence per measured dimension with its numbers (for the claims row)."""
    base = int(indicators["base_year"].iloc[0])
    parts = []
    table = table.assign(first=table["dimension"].ne("transport")).sort_values(["first", "dimension"])
    for r in table.itertuples():
        inds = indicators[indicators["dimension"] == r.dimension]
        first_last = ", ".join(
            f"{k} {g['value'].iloc[0]:.3g} -> {g['value'].iloc[-1]:.3g} {UNITS.get(k, '')}"
            for k, g in inds.sort_values("year").groupby("indicator")
        )
        txt = (
            f"{r.dimension}: progress {r.level:.3f} ({base}-{r.last_year}), speed {100 * r.speed:+.2f}%/yr "
            f"(NW se {100 * r.se:.2f}, p={r.p:.3g}) [{first_last}]"
        )
        if "diff" in table.columns and np.isfinite(getattr(r, "diff", np.nan)):
            txt += f"; transport minus {r.dimension}: {100 * r.diff:+.2f}%/yr (p={r.diff_p:.3g})"
        parts.append(txt)
    return "; ".join(parts)


def as_records(table: pd.DataFrame) -> list[Mapping[str, Any]]:
    """JSON-friendly rows of a table (NaN -> None)."""
    return [
        {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in r.items()}
        for r in table.to_dict("records")
    ]
