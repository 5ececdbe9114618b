"""C7: Sunan's leading industries and their foreign-invested share."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult


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


def c7_verdict(diff_pp: float | None, margin_pp: float) -> str:
    """``supported`` if Sunan's foreign share exceeds the study area's by more than
    ``margin_pp`` points, ``not supported`` if it is lower by more than that, else
    ``inconclusive``; ``no data`` without shares."""
    if diff_pp is None or not math.isfinite(diff_pp):
        return "no data"
    if diff_pp > margin_pp:
        return "supported"
    if diff_pp < -margin_pp:
        return "not supported"
    return "inconclusive"


def claim_c7(firm_years: pd.DataFrame, groups: pd.Series, cfg: Mapping[str, Any], labels=None) -> ClaimResult:
    """C7. ``groups``: region group of each firm-year row (NaN outside the study area);
    ``cfg``: year (null: last), n_leading, measure, foreign_prefixes, margin_pp."""
    measure = cfg["measure"]
    year = int(cfg["year"]) if cfg.get("year") is not None else int(firm_years["year"].max())
    test = (
        f"Sunan's leading industries in {year}: location quotient > 1 against the study area, top "
        f"{cfg['n_leading']} by LQ x {measure}. Foreign-invested share of their {measure} (registration types "
        f"{'xx, '.join(cfg['foreign_prefixes'])}xx) in Sunan against the same industries in the whole study "
        f"area: supported if higher by more than {cfg['margin_pp']} points, not supported if lower by more, "
        "else inconclusive."
    )
    evidence = "figures/c7_lq_sunan.png; figures/c7_kdensity.png; clean/firm_years.parquet"
    notes = "Rootedness / local supplier depth (植根性): no data (needs input-output or supplier links)."
    lead = sunan_leading(firm_years, groups, year, int(cfg["n_leading"]), measure=measure)
    if lead.empty:
        return ClaimResult(
            "C7",
            test,
            f"no Sunan industry with LQ > 1 in {year}",
            "no data",
            evidence,
            notes,
        )
    inds = lead["industry"].tolist()
    in_year = (firm_years["year"] == year) & groups.notna()
    s = foreign_share(
        firm_years,
        in_year & (groups == "sunan"),
        inds,
        cfg["foreign_prefixes"],
        measure,
    )
    a = foreign_share(firm_years, in_year, inds, cfg["foreign_prefixes"], measure)
    diff = 100 * (s - a)
    verdict = c7_verdict(diff, float(cfg["margin_pp"]))
    lab = labels or {}
    value = (
        "leading: "
        + ", ".join(f"{lab.get(r.industry, r.industry)} (LQ {r.lq:.2f})" for r in lead.itertuples())
        + f"; foreign share Sunan {s:.1%} vs study area {a:.1%} ({diff:+.1f} pp)"
    )
    return ClaimResult(
        "C7",
        test,
        value,
        verdict,
        evidence,
        notes,
        details={"leading": lead, "sunan_share": s, "area_share": a},
    )
