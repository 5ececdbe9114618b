"""C7: Sunan's foreign-led clusters grow faster and are weakly rooted.

The paper: "外资带动型产业集聚，是苏南产业集聚中发展最快的类型……产业集群的植根性弱". Two parts, each
tested on clusters = (prefecture, 2-digit industry) with LQ > 1 in the base year
(:mod:`yrd.claims.c7_clusters`):

(a) growth: foreign-led clusters grow faster than domestic ones in Sunan, relative to the same
    gap in the rest of the study area (Sunan excluded): the difference in differences b3 of
    log employment growth from the start to the end year (pyfixest, errors clustered by
    industry); supported if its interval lies above 0.
(b) rootedness: foreign-led clusters have a lower local supplier depth (share of their national
    input-output needs that the prefecture's own industries could meet) than domestic clusters
    of the same industry (pyfixest with industry fixed effects, errors clustered by prefecture);
    supported if the interval lies below 0. Relatedness density (Hidalgo et al. 2007) is reported
    beside it, not used for the verdict.

:func:`claim_c7` returns the claims-table row and a JSON-serialisable document (``claims/c7.json``,
written by the claims rule with :func:`write_c7_json`), the only source of the C7 figure.

Sunan's leading industries (:func:`sunan_leading`) are kept for the location-quotient maps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import STATEMENTS, ClaimResult
from yrd.claims.c7_clusters import (
    cell_matrix,
    cluster_growth,
    cluster_table,
    combine_verdicts,
    growth_difference,
    part_verdict,
    proximity,
    rca_matrix,
    relatedness_density,
    rootedness_difference,
    supplier_depth,
)
from yrd.io import sorted_codes


def lq_table(firm_years: pd.DataFrame, regions: pd.Series, year: int, measure: str = "employment") -> pd.DataFrame:
    """Location quotients of each region x industry in ``year``.

    ``regions``: maps each firm-year row (same index) to its region (NaN rows are dropped, so
    this also restricts the study area). Returns ``region``, ``industry``, ``size`` (the
    measure summed), ``lq`` (:func:`yrd.metrics.location.location_quotient`)."""
    from yrd.metrics.location import location_quotient

    d = firm_years.assign(_region=regions)
    d = d[(d["year"] == year) & d["_region"].notna()]
    X = d.groupby(["_region", "industry"])[measure].sum().astype(float).unstack(fill_value=0.0)
    lq = location_quotient(X)
    out = X.stack().rename("size").to_frame().join(lq.stack().rename("lq"))
    out.index.names = ["region", "industry"]
    return out.reset_index().astype({"region": "str", "industry": "str"})


def sunan_leading(
    firm_years: pd.DataFrame,
    groups: pd.Series,
    year: int,
    n: int,
    focus: str = "sunan",
    measure: str = "employment",
) -> pd.DataFrame:
    """Leading industries of the ``focus`` group in ``year``: location quotient of the group as
    one region against the study area (all rows with a group), LQ > 1, ranked by LQ x the
    group's size in the industry; the top ``n``: ``industry``, ``lq``, ``size``, ``score``."""
    reg = groups.where(groups == focus, "rest").where(groups.notna())
    t = lq_table(firm_years, reg, year, measure)
    t = t[(t["region"] == focus) & (t["lq"] > 1)].copy()
    t["score"] = t["lq"] * t["size"]
    return t.sort_values(["score", "industry"], ascending=[False, True]).head(n)[["industry", "lq", "size", "score"]]


def foreign_share(
    firm_years: pd.DataFrame,
    mask: pd.Series,
    industries: Sequence[str],
    prefixes: Sequence[str],
    measure: str,
) -> float:
    """Share of ``measure`` in firms whose ``reg_type`` starts with one of ``prefixes``
    (registration types 2xx: HK/Macao/Taiwan-invested, 3xx: foreign-invested), among rows
    selected by ``mask`` in ``industries``."""
    d = firm_years[mask & firm_years["industry"].astype(str).isin(list(industries))]
    tot = float(d[measure].sum())
    if tot <= 0:
        return float("nan")
    foreign = d["reg_type"].astype(str).str[:1].isin([str(p) for p in prefixes])
    return float(d.loc[foreign, measure].sum()) / tot


def _num(x: Any) -> float | None:
    """``x`` as a float, or None when missing or not finite (JSON has no NaN)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def _clean(obj: Any) -> Any:
    """Floats without NaN (None) in nested dicts/lists, numpy scalars as Python numbers."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return _num(obj)
    return obj


def c7_years(firm_years: pd.DataFrame, cfg: Mapping[str, Any]) -> tuple[int, int]:
    """(start, end) of the growth comparison: ``start_year`` / ``end_year`` of the config, null
    for the first / last year of the data."""
    start = int(cfg["start_year"]) if cfg.get("start_year") is not None else int(firm_years["year"].min())
    end = int(cfg["end_year"]) if cfg.get("end_year") is not None else int(firm_years["year"].max())
    return start, end


def first_group_of_area(areas: pd.Series, groups: pd.Series) -> pd.Series:
    """The region group of each area: the first non-missing ``groups`` value among the rows of
    the area (rows aligned by position; missing areas left out), indexed by the area as a
    string in sorted order, as ``pd.Series(groups, index=areas).dropna()`` without missing
    areas, grouped by area with ``.first()``. Computed on integer codes of the areas
    (:func:`yrd.io.sorted_codes`): the first row of each area is found by ``drop_duplicates``
    (not ``np.unique``, which sorts millions of codes) and only those rows' groups are read."""
    a, a_values = sorted_codes(areas)
    rows = np.flatnonzero((a >= 0) & groups.notna().to_numpy(dtype=bool))
    seen = pd.Series(a[rows]).drop_duplicates()  # first row of each area
    order = np.argsort(seen.to_numpy(), kind="stable")  # sorted codes = sorted areas
    codes, first = seen.to_numpy()[order], seen.index.to_numpy()[order]
    values = groups.iloc[rows[first]].to_numpy(dtype=object)
    index = np.asarray(a_values, dtype=object)[codes]
    out = pd.Series(values, index=index)
    out.index = out.index.astype(str)
    return out


def claim_c7(
    firm_years: pd.DataFrame,
    areas: pd.Series,
    groups: pd.Series,
    cfg: Mapping[str, Any],
    alpha: float,
    io: pd.DataFrame | None = None,
    focus: str = "sunan",
) -> ClaimResult:
    """C7 on the firm-years (``year``, ``industry``, ``reg_type`` and the measures).

    ``areas``: prefecture of each row inside the study area (NaN outside); ``groups``: its region
    group (``focus`` = Sunan; every other group is the rest of the delta, Sunan excluded);
    ``cfg``: claims.c7 (measure, output_measure, foreign_prefixes, foreign_threshold,
    start_year, end_year, min_clusters); ``io``: supplier x user input coefficients between
    GB/T 4754-2002 divisions (:func:`yrd.claims.c7_clusters.io_coefficients`), None for no data.
    ``details["document"]`` holds every number of the test."""
    measure, out_measure = cfg["measure"], cfg["output_measure"]
    start, end = c7_years(firm_years, cfg)
    thr, k = float(cfg["foreign_threshold"]), int(cfg["min_clusters"])
    prefixes = [str(p) for p in cfg["foreign_prefixes"]]
    test = (
        f"Clusters: prefecture x 2-digit industry with LQ > 1 ({measure}, {start}); foreign-led if registration "
        f"types {'xx, '.join(prefixes)}xx hold more than {thr:.0%} of its {measure}. (a) Difference in differences "
        f"of log {measure} growth {start}-{end}, foreign-led - domestic, Sunan - rest of the study area (Sunan "
        "excluded), pyfixest OLS, errors clustered by industry: supported if the "
        f"{100 * (1 - alpha):.0f}% interval is above 0. (b) Local supplier depth (share of the cluster's national "
        "IO input needs, 2002 table, that the prefecture's industries could meet), foreign-led - domestic within "
        "industries, pyfixest with industry fixed effects, errors clustered by prefecture: supported if the interval "
        f"is below 0. Each part needs at least {k} clusters per group (fewer: inconclusive; none: no data). Both supported: supported; one: partly supported."
    )
    evidence = "claims/<sample>/c7.json; figures/c7_tested.png; sample/<sample>/firm_years.parquet; resources/ionet/ (2002 IO table)"
    tab = cluster_table(firm_years, areas, start, prefixes, thr, measure)
    clusters = tab[tab["cluster"]].copy()
    area_group = first_group_of_area(areas, groups)
    clusters["group"] = clusters["area"].map(area_group)
    clusters["sunan"] = clusters["group"] == focus

    # (a) growth
    growth = cluster_growth(clusters.assign(cluster=True), firm_years, areas, end, measure)
    fit_a = growth_difference(growth, growth["sunan"], alpha, k) if end > start else None
    verdict_a, reason_a = part_verdict(fit_a, +1)
    if end <= start:
        reason_a = f"end year {end} is not after the start year {start}"

    # (b) rootedness: local supplier depth (test) and relatedness density (reported)
    X = cell_matrix(firm_years, areas, start, measure)
    M = rca_matrix(X)
    dens = relatedness_density(M, proximity(M)).stack()
    clusters["density"] = [
        float(dens.get((a, i), np.nan)) for a, i in zip(clusters["area"], clusters["industry"], strict=True)
    ]
    if io is None:
        fit_b, fit_d = None, None
        verdict_b, reason_b = "no data", "no input-output table"
        clusters["supplier_depth"] = np.nan
    else:
        Y = cell_matrix(firm_years, areas, start, out_measure)
        Y.index = Y.index.astype(str)
        depth = supplier_depth(Y, io).stack()
        clusters["supplier_depth"] = [
            float(depth.get((a, i), np.nan)) for a, i in zip(clusters["area"], clusters["industry"], strict=True)
        ]
        fit_b = rootedness_difference(clusters, "supplier_depth", alpha, k)
        verdict_b, reason_b = part_verdict(fit_b, -1)
    fit_d = rootedness_difference(clusters, "density", alpha, k)
    verdict = combine_verdicts(verdict_a, verdict_b)
    parts = {"a": verdict_a, "b": verdict_b}

    def est(fit: dict[str, Any] | None) -> str:
        if not fit or "estimate" not in fit:
            return "no estimate"
        return f"{fit['estimate']:+.3f} [{fit['ci_low']:+.3f}, {fit['ci_high']:+.3f}], n={fit['n']}"

    n_f = int(clusters["foreign_led"].sum())
    value = (
        f"{len(clusters)} clusters in {start}, {n_f} foreign-led ({int((clusters['foreign_led'] & clusters['sunan']).sum())} in "
        f"Sunan); (a) growth DiD {est(fit_a)}: {verdict_a}; (b) supplier depth foreign-led - domestic {est(fit_b)}: "
        f"{verdict_b}"
    )
    notes = (
        f"(a) {verdict_a}: {reason_a}. (b) {verdict_b}: {reason_b}. Relatedness density (Hidalgo et al. 2007), "
        f"foreign-led - domestic within industries: {est(fit_d)} (reported, not used for the verdict). Supplier depth "
        "is an upper bound (suppliers not shared among clusters) on national 2002 coefficients."
    )
    if verdict == "partly supported":
        which = [p for p, v in parts.items() if v == "supported"]
        notes = f"Supported part: ({which[0]}). " + notes
    cols = ["area", "group", "industry", "size", "lq", "foreign_share", "foreign_led", "supplier_depth", "density"]
    g = growth.set_index(["area", "industry"])[["size_end", "growth"]]
    table = clusters[cols].join(g, on=["area", "industry"])
    doc = {
        "claim": "C7",
        "statement": STATEMENTS["C7"][0],
        "statement_zh": STATEMENTS["C7"][1],
        "test": test,
        "verdict": verdict,
        "reason": notes,
        "start_year": start,
        "end_year": end,
        "measure": measure,
        "output_measure": out_measure,
        "foreign_threshold": thr,
        "alpha": alpha,
        "n_clusters": int(len(clusters)),
        "n_foreign_led": n_f,
        "parts": {
            "a_growth": {
                "verdict": verdict_a,
                "reason": reason_a,
                "quantity": f"log growth of cluster {measure} {start}-{end}",
                "unit": "log points",
                "fit": fit_a,
            },
            "b_supplier_depth": {
                "verdict": verdict_b,
                "reason": reason_b,
                "quantity": "share of national IO input needs the prefecture's industries could meet",
                "unit": "share (0-1)",
                "fit": fit_b,
                "io_table": "China 2002, 122 sectors (NBS, via R package ionet 0.2.2), manufacturing sectors mapped "
                "to GB/T 4754-2002 divisions (resources/ionet/io2002_sector_gb2002_division.csv)",
            },
            "relatedness_density": {
                "role": "reported, not used for the verdict",
                "unit": "0-100",
                "fit": fit_d,
            },
        },
        "clusters": table.to_dict(orient="records"),
    }
    return ClaimResult(
        "C7",
        test,
        value,
        verdict,
        evidence,
        notes,
        details={"document": _clean(doc), "clusters": table},
    )


def write_c7_json(doc: Mapping[str, Any], path: str | Path) -> None:
    """Write ``doc`` as indented UTF-8 JSON (no NaN: ``allow_nan=False``)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(_clean(doc), fh, indent=2, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
