"""C7's building blocks: clusters, their foreign lead, growth, local supplier depth and relatedness.

A *cluster* is an (area, 2-digit industry) cell with location quotient LQ_ri > 1 (employment,
prefectures of the study area). It is *foreign-led* (外资带动型) if firms with a foreign
registration type (2xx: Hong Kong/Macao/Taiwan-invested, 3xx: foreign-invested) hold more than a
share ``threshold`` of its employment in the base year.

Rootedness (植根性) is measured two ways:

* **local supplier depth** (the test): the intermediate-input needs of cluster (r, i), from
  national input coefficients a_ji = Z_ji / X_i (2002 input-output table of China, NBS, via the
  R package ionet; Z intermediate use of j's output by i, X_i total input = gross output of i),
  are n_rij = a_ji Y_ri for every manufacturing supplier division j (Y_ri output of the cluster).
  The share of the needs that the area's own industries could meet is

      depth_ri = sum_j min(n_rij, Y_rj) / sum_j n_rij,

  in [0, 1] (Y_rj the output of division j in area r, the cluster's own division included). It
  is an upper bound of local sourcing: the area's suppliers are not shared among its clusters.
  (Miller and Blair 2009, *Input-Output Analysis*, ch. 2 for a_ji; the "could meet" reading
  follows the local-supplier measures of Ellison, Glaeser and Kerr 2010, AER 100(3).)
* **relatedness density** (descriptive): proximity phi_ij = min(P(RCA_i | RCA_j),
  P(RCA_j | RCA_i)) of industries i, j across the prefectures (Hidalgo, Klinger, Barabasi and
  Hausmann 2007, Science 317: 482-487) and density_ri = 100 sum_j x_rj phi_ij / sum_j phi_ij
  with x_rj = 1 if area r has RCA (LQ >= 1) in j (EconGeo ``relatedness_density``, Balland).

Every regression is a call of :func:`pyfixest.feols`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def _year_rows(firm_years: pd.DataFrame, areas: pd.Series, year: int, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of ``year`` with an area: ``_area`` (``areas`` aligned on the index, as
    ``firm_years.assign(_area=areas)`` aligns it) and ``columns``, selected once without
    copying the other columns of the firm-years."""
    area = areas if areas.index.equals(firm_years.index) else areas.reindex(firm_years.index)
    keep = ((firm_years["year"] == year) & area.notna()).to_numpy(dtype=bool, na_value=False)
    out = pd.DataFrame({"_area": area[keep]})
    for c in columns:
        out[c] = firm_years[c][keep]
    return out


def _cell_sums(rows: pd.DataFrame, measure: str) -> pd.DataFrame:
    """area x industry matrix of ``measure`` summed over ``rows`` (of :func:`_year_rows`)."""
    return rows.groupby(["_area", "industry"])[measure].sum().astype(float).unstack(fill_value=0.0)


def cell_matrix(firm_years: pd.DataFrame, areas: pd.Series, year: int, measure: str) -> pd.DataFrame:
    """area x industry matrix of ``measure`` in ``year`` (rows with an area only). Only the
    three columns used are taken from the rows of ``year`` (:func:`_year_rows`): the same sums."""
    return _cell_sums(_year_rows(firm_years, areas, year, ["industry", measure]), measure)


def cluster_table(
    firm_years: pd.DataFrame,
    areas: pd.Series,
    year: int,
    prefixes: Sequence[str],
    threshold: float,
    measure: str = "employment",
) -> pd.DataFrame:
    """Every (area, industry) cell of ``year`` with ``size`` (``measure`` summed), ``lq``
    (:func:`yrd.metrics.location.location_quotient` across the areas), ``foreign_share`` (share
    of ``measure`` in firms whose ``reg_type`` starts with one of ``prefixes``), ``cluster``
    (LQ > 1) and ``foreign_led`` (cluster and foreign_share > ``threshold``).

    ``areas``: the area of each firm-year row (same index; NaN rows are left out). The rows of
    ``year`` are selected once, with the four columns used (:func:`_year_rows`)."""
    from yrd.metrics.location import location_quotient

    fy = _year_rows(firm_years, areas, year, ["industry", measure, "reg_type"])  # selected once
    X = _cell_sums(fy, measure)  # cell_matrix(firm_years, areas, year, measure)
    foreign = fy["reg_type"].astype(str).str[:1].isin([str(p) for p in prefixes])
    F = _cell_sums(fy[foreign], measure)
    F = F.reindex(index=X.index, columns=X.columns, fill_value=0.0)
    lq = location_quotient(X)
    out = pd.DataFrame(
        {
            "size": X.stack(),
            "lq": lq.stack(),
            "foreign_share": (F / X.where(X > 0)).stack(future_stack=True),
        }
    )
    out.index.names = ["area", "industry"]
    out = out.reset_index().astype({"area": "str", "industry": "str"})
    out = out[out["size"] > 0].reset_index(drop=True)
    out["cluster"] = out["lq"] > 1
    out["foreign_led"] = out["cluster"] & (out["foreign_share"] > threshold)
    return out


def cluster_growth(
    clusters: pd.DataFrame, firm_years: pd.DataFrame, areas: pd.Series, end: int, measure: str = "employment"
) -> pd.DataFrame:
    """``clusters`` (rows of :func:`cluster_table` with ``cluster`` true) with ``size_end``
    (``measure`` of the same area and industry in ``end``) and the log growth
    ``growth = ln(size_end / size)``; NaN (and ``vanished`` true) when the cell is empty in ``end``."""
    c = clusters[clusters["cluster"]].copy()
    X = cell_matrix(firm_years, areas, end, measure).stack()
    X.index = X.index.set_names(["area", "industry"])
    X = X.rename(lambda v: str(v), level=0).rename(lambda v: str(v), level=1)
    c["size_end"] = [float(X.get((a, i), 0.0)) for a, i in zip(c["area"], c["industry"], strict=True)]
    c["vanished"] = c["size_end"] <= 0
    with np.errstate(divide="ignore"):
        c["growth"] = np.where(c["vanished"], np.nan, np.log(c["size_end"] / c["size"]))
    return c.reset_index(drop=True)


def _fit(formula: str, data: pd.DataFrame, term: str, cluster: str | None, alpha: float) -> dict[str, Any]:
    """One pyfixest OLS: the coefficient ``term`` with its (1 - alpha) interval (t with the
    model's degrees of freedom), standard error, p-value and n. Errors clustered by ``cluster``
    (CRV1) if given, else heteroskedasticity-robust (HC1)."""
    import pyfixest as pf

    vcov: Any = {"CRV1": cluster} if cluster else "hetero"
    fit = pf.feols(formula, data, vcov=vcov)
    ci = fit.confint(alpha=alpha)
    est = float(fit.coef()[term])
    se = float(fit.se()[term])
    lo, hi = (float(v) for v in ci.loc[term])
    return {
        "estimate": est,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "p": float(fit.pvalue()[term]),
        "n": int(fit._N),
        "vcov": f"CRV1 by {cluster}" if cluster else "HC1 (heteroskedasticity-robust)",
        "formula": formula,
        "level": 1 - alpha,
    }


def growth_difference(growth: pd.DataFrame, focus: pd.Series, alpha: float, min_clusters: int = 2) -> dict[str, Any]:
    """Difference in differences of cluster log growth: foreign-led against domestic clusters,
    in the focus group (Sunan) against the rest.

        growth_c = b0 + b1 foreign_c + b2 focus_c + b3 foreign_c x focus_c + e_c

    b3 = (mean g of foreign-led - domestic in the focus) - (the same in the rest), by pyfixest
    OLS with errors clustered by industry (CRV1; HC1 if fewer than ``min_clusters`` industries).
    ``focus``: bool for each row of ``growth``. Only ``cells`` if a cell (foreign-led/domestic x focus/rest)
    has fewer than ``min_clusters`` clusters with a growth (then only ``cells``). Returns the fit of b3 (:func:`_fit`)
    plus ``cells``: n, mean growth and its t interval (:func:`mean_interval`) of the four cells."""
    d = growth.assign(focus=np.asarray(focus, bool)).dropna(subset=["growth"])
    d = d.assign(foreign=d["foreign_led"].astype(int), sunan=d["focus"].astype(int))
    cells = {}
    for f, fname in ((1, "foreign_led"), (0, "domestic")):
        for s, sname in ((1, "focus"), (0, "rest")):
            g = d.loc[(d["foreign"] == f) & (d["sunan"] == s), "growth"]
            cells[f"{sname}_{fname}"] = {"mean_growth": _mean(g), **mean_interval(g, alpha)}
    if min(v["n"] for v in cells.values()) < min_clusters:
        return {"cells": cells}
    cluster = "industry" if d["industry"].nunique() >= max(min_clusters, 2) else None
    out = _fit("growth ~ foreign * sunan", d, "foreign:sunan", cluster, alpha)
    out["cells"] = cells
    return out


def io_coefficients(intermediate: pd.DataFrame, total_input: pd.DataFrame, sector_map: pd.DataFrame) -> pd.DataFrame:
    """National input coefficients between GB/T 4754-2002 divisions.

    a_JI = sum_{j in J, i in I} Z_ji / sum_{i in I} X_i for supplier division J and using
    division I (Z: ``intermediate`` with ``from_code``, ``to_code``, ``value``; X: ``total_input``
    with ``code`` and ``TI`` (total input = gross output); ``sector_map``: ``io_code`` ->
    ``gb2002_division``). Only mapped (manufacturing) sectors. Rows: supplier J, columns: user I."""
    m = dict(zip(sector_map["io_code"].astype(str).str.zfill(3), sector_map["gb2002_division"].astype(str)))
    z = intermediate.assign(
        J=intermediate["from_code"].astype(str).str.zfill(3).map(m),
        I=intermediate["to_code"].astype(str).str.zfill(3).map(m),
    ).dropna(subset=["J", "I"])
    Z = z.groupby(["J", "I"])["value"].sum().unstack(fill_value=0.0)
    x = total_input.assign(I=total_input["code"].astype(str).str.zfill(3).map(m)).dropna(subset=["I"])
    X = x.groupby("I")["TI"].sum()
    divs = sorted(set(m.values()), key=int)
    Z = Z.reindex(index=divs, columns=divs, fill_value=0.0)
    return Z / X.reindex(divs).to_numpy()[None, :]


def supplier_depth(output: pd.DataFrame, A: pd.DataFrame) -> pd.DataFrame:
    """Local supplier depth of every area x industry (see the module docstring):
    depth_ri = sum_j min(a_ji Y_ri, Y_rj) / sum_j a_ji Y_ri.

    ``output``: areas in rows, divisions in columns (Y); ``A``: supplier x user coefficients
    (:func:`io_coefficients`). Industries missing from ``A`` get NaN; areas x industries with no
    output get NaN. Returns areas x industries."""
    inds = [c for c in output.columns if c in A.columns]
    Y = output.reindex(columns=A.index, fill_value=0.0).to_numpy(float)  # suppliers available
    out = pd.DataFrame(np.nan, index=output.index, columns=output.columns)
    for i in inds:
        a = A[i].to_numpy(float)  # a_ji over suppliers j
        need = output[i].to_numpy(float)[:, None] * a[None, :]
        tot = need.sum(axis=1)
        met = np.minimum(need, Y).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = np.where(tot > 0, met / tot, np.nan)
    return out


def rca_matrix(X: pd.DataFrame) -> pd.DataFrame:
    """Binary revealed comparative advantage x_ri = 1 if LQ_ri >= 1 (Balassa 1965; EconGeo
    ``location_quotient(binary = TRUE)``)."""
    from yrd.metrics.location import location_quotient

    return location_quotient(X, binary=True).astype(int)


def proximity(M: pd.DataFrame) -> pd.DataFrame:
    """Hidalgo et al. (2007) proximity of industries from a binary region x industry matrix M:
    phi_ij = min(P(x_i = 1 | x_j = 1), P(x_j = 1 | x_i = 1)) = C_ij / max(u_i, u_j), with
    C = M'M the co-occurrences and u_i = C_ii the ubiquity; 0 where an industry is nowhere;
    diagonal 0 (as EconGeo's relatedness matrices)."""
    m = M.to_numpy(float)
    C = m.T @ m
    u = np.diag(C).copy()
    den = np.maximum(u[:, None], u[None, :])
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = np.where(den > 0, C / den, 0.0)
    np.fill_diagonal(phi, 0.0)
    return pd.DataFrame(phi, index=M.columns, columns=M.columns)


def relatedness_density(M: pd.DataFrame, phi: pd.DataFrame) -> pd.DataFrame:
    """density_ri = 100 sum_j x_rj phi_ij / sum_j phi_ij (EconGeo ``relatedness_density``:
    ``t(t(mat %*% relatedness) / colSums(relatedness)) * 100``, without its rounding); NaN for an
    industry related to none."""
    phi = phi.reindex(index=M.columns, columns=M.columns)
    rel = M.to_numpy(float) @ phi.to_numpy(float)
    tot = phi.to_numpy(float).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(tot[None, :] > 0, 100 * rel / tot[None, :], np.nan)
    return pd.DataFrame(d, index=M.index, columns=M.columns)


def rootedness_difference(clusters: pd.DataFrame, column: str, alpha: float, min_clusters: int = 2) -> dict[str, Any]:
    """Foreign-led against domestic clusters on ``column`` (e.g. supplier depth) within
    industries: pyfixest OLS ``column ~ foreign | industry`` (industry fixed effects, because a
    cluster's input needs come from its industry's national coefficients), errors clustered by
    area (CRV1; HC1 with fewer than ``min_clusters`` areas). The estimate is the mean
    within-industry gap foreign-led - domestic. Only ``means`` if either group has fewer than
    ``min_clusters`` clusters with a value or no industry has both kinds (then only ``means``). Adds ``means``: n and
    mean of each group."""
    d = clusters.dropna(subset=[column]).assign(foreign=lambda x: x["foreign_led"].astype(int))
    means = {
        name: {
            "mean": _mean(d.loc[d["foreign"] == f, column]),
            **mean_interval(d.loc[d["foreign"] == f, column], alpha),
        }
        for f, name in ((1, "foreign_led"), (0, "domestic"))
    }
    both = d.groupby("industry")["foreign"].nunique() == 2
    if min(v["n"] for v in means.values()) < min_clusters or not both.any():
        return {"means": means}
    d = d[d["industry"].isin(both[both].index)]
    cluster = "area" if d["area"].nunique() >= max(min_clusters, 2) else None
    out = _fit(f"{column} ~ foreign | industry", d, "foreign", cluster, alpha)
    out["means"] = means
    return out


def _mean(s: pd.Series) -> float | None:
    return float(s.mean()) if len(s) else None


def mean_interval(s: pd.Series, alpha: float) -> dict[str, Any]:
    """n and the (1 - alpha) t interval of a mean: mean -/+ t_{1-alpha/2, n-1} sd / sqrt(n)
    (None for the bounds with fewer than 2 values)."""
    from scipy import stats

    s = pd.Series(s, dtype=float).dropna()
    n = len(s)
    if n < 2:
        return {"n": n, "ci_low": None, "ci_high": None}
    h = float(stats.t.ppf(1 - alpha / 2, n - 1) * s.std(ddof=1) / math.sqrt(n))
    return {"n": n, "ci_low": float(s.mean()) - h, "ci_high": float(s.mean()) + h}


def part_verdict(fit: dict[str, Any] | None, sign: int) -> tuple[str, str]:
    """Verdict of one part from its interval: ``supported`` if the whole interval has the
    claimed ``sign`` (+1 or -1), ``not supported`` if the whole interval has the opposite sign,
    ``inconclusive`` if it contains 0; without an estimate ``inconclusive`` when every group has
    clusters but some have too few (fewer than min_clusters), ``no data`` when a group has none
    (or there is no fit at all); with the reason."""
    if fit is None or not math.isfinite(fit.get("estimate", math.nan)):
        groups = (fit or {}).get("cells") or (fit or {}).get("means") or {}
        counts = ", ".join(f"{k.replace('focus', 'Sunan')} {v['n']}" for k, v in groups.items())
        if groups and min(v["n"] for v in groups.values()) > 0:
            return "inconclusive", f"too few clusters to estimate ({counts})"
        return "no data", f"a group has no cluster ({counts})" if counts else "no estimate"
    lo, hi = sign * fit["ci_low"], sign * fit["ci_high"]
    lo, hi = min(lo, hi), max(lo, hi)
    level = f"{100 * fit['level']:.0f}% interval [{fit['ci_low']:.3g}, {fit['ci_high']:.3g}]"
    if lo > 0:
        return "supported", f"{level} excludes 0 on the claimed side"
    if hi < 0:
        return "not supported", f"{level} excludes 0 on the opposite side"
    return "inconclusive", f"{level} contains 0"


def combine_verdicts(a: str, b: str) -> str:
    """Two parts into one verdict: both supported -> supported; one supported -> partly
    supported; none supported and one not supported -> not supported; both no data -> no data;
    else inconclusive."""
    if a == b == "supported":
        return "supported"
    if "supported" in (a, b):
        return "partly supported"
    if "not supported" in (a, b):
        return "not supported"
    if a == b == "no data":
        return "no data"
    return "inconclusive"
