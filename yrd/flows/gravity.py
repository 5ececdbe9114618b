"""Gravity equations of relocation flows estimated by Poisson pseudo-maximum likelihood (PPML).

Model
-----
For moves ``F`` from prefecture ``o`` to prefecture ``d != o`` of relocation class ``g`` in
year ``t`` (period ``p(t)``)::

    E[F_odgt] = exp( alpha_{o,g,p} + mu_{d,g,p} + b_dist ln d_od(t) + b_border B_od + c'z_od )

* ``pooled``: one distance and one border coefficient for all classes, origin and destination
  fixed effects by class x period (``origin^group^period + dest^group^period``). This is the
  synthetic world's data-generating process when the period is one year
  (``docs/synthetic_world.md``: a reconsidering firm's multinomial logit gives exactly this
  mean, Guimaraes, Figueiredo and Woodward 2003), so the pooled model recovers
  ``beta_log_distance`` and ``beta_border``.
* one model per class ``g``: the same equation on that class's cells with
  ``origin^period + dest^period`` effects.

Estimation with :func:`pyfixest.fepois` (IWLS with demeaned fixed effects, as ppmlhdfe);
standard errors clustered by origin-destination pair (``cluster="pair"``: directed pair
o->d; ``"undirected_pair"``: {o, d}, so that o->d and d->o share a cluster).

Separation
----------
A fixed-effect group (e.g. an origin x class x year) whose cells are all zero has a fixed
effect of minus infinity: its cells carry no information on the coefficients and are dropped.
pyfixest's ``separation_check=["fe"]`` finds exactly these cells and reports their number as
``n_separation_na``; it is written as ``n_separated`` and checked against the count computed
here (:func:`zero_fe_cells`). Years without any move (the first study year, when a move needs
an observation the year before) are entirely separated. Other separation (a regressor that
perfectly predicts zeros, pyfixest's ``"ir"`` check) cannot arise with distance and the
border dummy and is not tested for. pyfixest also drops singleton fixed-effect groups
(``fixef_rm="singleton"``), which do not change the estimates; ``n_obs`` is the number of
cells used.

Fitted values and fixed effects
-------------------------------
Given the estimated coefficients, the fixed effects are recomputed exactly by alternating
(Sinkhorn / iterative proportional) fitting of the PPML first-order conditions: for every
origin and destination fixed-effect group, fitted flows sum to observed flows
(:func:`balance_fixed_effects`, to relative precision 1e-12). Cells of all-zero groups get a
fitted flow of 0 (fixed effect minus infinity, stored as NaN in ``log_fe``).
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from yrd.flows.od import TOTAL
from yrd.industry import RELOCATION_CLASSES

log = logging.getLogger(__name__)

REGRESSORS = ("log_distance", "border")
CLUSTERS = ("pair", "undirected_pair")
TABLE_COLUMNS = ["model", "term", "estimate", "std_error", "n_obs", "n_separated", "p_value", "n_cells",
                 "n_moves", "converged", "fixed_effects", "cluster", "note"]


def period_of(years, start: int, length: int = 1) -> np.ndarray:
    """First year of the period of each year: ``start + length * floor((year - start) / length)``."""
    if length < 1:
        raise ValueError("period length must be >= 1")
    y = np.asarray(years, dtype=np.int64)
    return start + length * ((y - start) // length)


def gravity_frame(
    od: pd.DataFrame,
    pairs: pd.DataFrame,
    period_length: int = 1,
    start: int | None = None,
    classes: Sequence[str] = RELOCATION_CLASSES,
) -> pd.DataFrame:
    """Estimation cells: the prefecture-level OD panel's class cells (``total`` left out) joined
    with the pair variables (:func:`yrd.flows.pairs.pair_table`).

    Adds ``period`` (first year of the period; periods start at ``start``, default the first
    year of the panel), integer codes ``og`` (origin x group x period), ``dg``
    (destination x group x period), ``pair`` (directed pair) and ``undirected_pair``.
    """
    d = od
    if "level" in d.columns:
        d = d[d["level"] == "prefecture"]
    d = d[d["group"].isin(classes)]
    d = d[d["origin"] != d["dest"]]
    cols = ["year", "origin", "dest", "group", "moves"]
    d = d[cols].copy()
    d["year"] = d["year"].astype(np.int64)
    p = pairs.copy()
    p["year"] = p["year"].astype(np.int64)
    f = d.merge(p, on=["year", "origin", "dest"], how="left", validate="many_to_one")
    miss = f["log_distance"].isna()
    if miss.any():
        raise ValueError(f"{int(miss.sum())} cells without pair variables, e.g. "
                         f"{f.loc[miss, ['year', 'origin', 'dest']].head(3).to_dict('records')}")
    start = int(f["year"].min()) if start is None else int(start)
    f["period"] = period_of(f["year"], start, period_length)
    f["og"] = pd.factorize(pd.MultiIndex.from_frame(f[["origin", "group", "period"]]), sort=True)[0]
    f["dg"] = pd.factorize(pd.MultiIndex.from_frame(f[["dest", "group", "period"]]), sort=True)[0]
    f["pair"] = pd.factorize(pd.MultiIndex.from_frame(f[["origin", "dest"]]), sort=True)[0]
    lo = np.where(f["origin"] < f["dest"], f["origin"], f["dest"])
    hi = np.where(f["origin"] < f["dest"], f["dest"], f["origin"])
    f["undirected_pair"] = pd.factorize(pd.MultiIndex.from_arrays([lo, hi]), sort=True)[0]
    f = f.sort_values(["year", "group", "origin", "dest"], kind="stable").reset_index(drop=True)
    return f


def zero_fe_cells(y: np.ndarray, *fe: np.ndarray) -> np.ndarray:
    """True for cells in a fixed-effect group (of any of the ``fe`` code arrays) whose outcome
    is zero in every cell: the cells PPML drops for separation."""
    y = np.asarray(y, dtype=float)
    out = np.zeros(len(y), dtype=bool)
    for codes in fe:
        tot = np.bincount(codes, weights=y)
        out |= tot[codes] <= 0
    return out


def balance_fixed_effects(
    y: np.ndarray, xb: np.ndarray, fe1: np.ndarray, fe2: np.ndarray, tol: float = 1e-12, maxiter: int = 100_000
) -> tuple[np.ndarray, np.ndarray]:
    """Fixed effects of a two-way PPML model given the linear index ``xb`` (= b'x).

    Solves sum_{cells of group k} mu = sum_{cells of group k} y for every group of ``fe1`` and
    of ``fe2``, with mu = exp(a[fe1] + m[fe2] + xb), by alternating updates (Sinkhorn), to
    relative precision ``tol``. Cells of all-zero groups get mu = 0 and NaN fixed effects.

    Returns ``(log_fe, mu)``: ``log_fe = a[fe1] + m[fe2]`` per cell, and the fitted values.
    """
    y = np.asarray(y, dtype=float)
    xb = np.asarray(xb, dtype=float)
    sep = zero_fe_cells(y, fe1, fe2)
    k = ~sep
    log_fe = np.full(len(y), np.nan)
    mu = np.zeros(len(y))
    if not k.any():
        return log_fe, mu
    f1 = pd.factorize(fe1[k])[0]
    f2 = pd.factorize(fe2[k])[0]
    yk, xk = y[k], xb[k]
    t1 = np.bincount(f1, weights=yk)
    t2 = np.bincount(f2, weights=yk)
    ly1, ly2 = np.log(t1), np.log(t2)
    a = np.zeros(len(t1))
    m = np.zeros(len(t2))
    for it in range(maxiter):
        a = ly1 - np.log(np.bincount(f1, weights=np.exp(m[f2] + xk), minlength=len(t1)))
        e = np.exp(a[f1] + xk)
        m = ly2 - np.log(np.bincount(f2, weights=e, minlength=len(t2)))
        fit1 = np.bincount(f1, weights=np.exp(a[f1] + m[f2] + xk), minlength=len(t1))
        if np.max(np.abs(fit1 / t1 - 1.0)) < tol:
            break
    else:
        raise RuntimeError(f"fixed effects did not converge in {maxiter} iterations")
    log_fe[k] = a[f1] + m[f2]
    mu[k] = np.exp(log_fe[k] + xk)
    return log_fe, mu


@dataclass
class GravityResult:
    """One fitted gravity model."""

    model: str
    terms: list[str]
    estimate: np.ndarray
    std_error: np.ndarray
    p_value: np.ndarray
    n_obs: int
    n_separated: int
    n_cells: int
    n_moves: int
    converged: bool
    fixed_effects: str
    cluster: str
    note: str = ""
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)  # fitted, log_fe, separated (index of the frame)

    def coef(self) -> pd.Series:
        return pd.Series(self.estimate, index=self.terms, name=self.model)

    def table(self) -> pd.DataFrame:
        n = len(self.terms)
        return pd.DataFrame(
            {
                "model": [self.model] * n,
                "term": self.terms,
                "estimate": self.estimate,
                "std_error": self.std_error,
                "n_obs": self.n_obs,
                "n_separated": self.n_separated,
                "p_value": self.p_value,
                "n_cells": self.n_cells,
                "n_moves": self.n_moves,
                "converged": self.converged,
                "fixed_effects": self.fixed_effects,
                "cluster": self.cluster,
                "note": self.note,
            }
        )[TABLE_COLUMNS]


def fit_ppml(
    frame: pd.DataFrame,
    regressors: Sequence[str] = REGRESSORS,
    *,
    y: str = "moves",
    fe: tuple[str, str] = ("og", "dg"),
    cluster: str = "pair",
    model: str = "pooled",
    fixed_effects: str = "origin^group^period + dest^group^period",
) -> GravityResult:
    """PPML with two sets of fixed effects (integer code columns ``fe``) by pyfixest ``fepois``,
    standard errors clustered by ``cluster``; fitted values and fixed effects by
    :func:`balance_fixed_effects`. A model that cannot be estimated (no moves, everything
    separated, no variation) returns NaN estimates and a ``note``."""
    import pyfixest as pf

    regressors = list(regressors)
    if cluster not in frame.columns:
        raise ValueError(f"cluster column {cluster!r} not in the frame")
    yv = frame[y].to_numpy(dtype=float)
    f1 = frame[fe[0]].to_numpy()
    f2 = frame[fe[1]].to_numpy()
    sep_own = zero_fe_cells(yv, f1, f2)
    n_cells, n_moves = len(frame), int(yv.sum())
    nan = np.full(len(regressors), np.nan)
    base = dict(model=model, terms=regressors, n_cells=n_cells, n_moves=n_moves, fixed_effects=fixed_effects,
                cluster=cluster)

    def failed(note: str) -> GravityResult:
        log.warning("model %s: %s", model, note)
        cells = pd.DataFrame({"fitted": np.where(sep_own, 0.0, np.nan), "log_fe": np.nan, "separated": sep_own},
                             index=frame.index)
        return GravityResult(estimate=nan, std_error=nan, p_value=nan, n_obs=0, n_separated=int(sep_own.sum()),
                             converged=False, note=note, cells=cells, **base)

    if n_moves == 0 or sep_own.all():
        return failed("no moves: every cell separated")
    data = pd.DataFrame({"y": yv, **{r: frame[r].to_numpy(dtype=float) for r in regressors},
                         "fe1": f1, "fe2": f2, "cl": frame[cluster].to_numpy()})
    fml = "y ~ " + " + ".join(regressors) + " | fe1 + fe2"
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = pf.fepois(fml, data=data, vcov={"CRV1": "cl"}, separation_check=["fe"], iwls_tol=1e-10,
                            iwls_maxiter=200)
        for w in caught:
            if not issubclass(w.category, (DeprecationWarning, FutureWarning)) and "deprecated" not in str(w.message):
                log.info("model %s: pyfixest: %s", model, w.message)
    except Exception as exc:  # noqa: BLE001 - any estimation failure is reported, not fatal
        return failed(f"estimation failed: {type(exc).__name__}: {exc}")
    coef = fit.coef().reindex(regressors)
    se = fit.se().reindex(regressors)
    pv = fit.pvalue().reindex(regressors)
    n_sep = int(getattr(fit, "n_separation_na", 0) or 0)
    if n_sep != int(sep_own.sum()):
        log.warning("model %s: pyfixest dropped %d cells for separation, all-zero fixed-effect groups hold %d",
                    model, n_sep, int(sep_own.sum()))
    notes = []
    if coef.isna().any():
        notes.append(f"dropped (collinear): {list(coef.index[coef.isna()])}")
    if not fit.convergence:
        notes.append("IWLS did not converge")
    xb = data[regressors].to_numpy() @ np.nan_to_num(coef.to_numpy(dtype=float))
    log_fe, mu = balance_fixed_effects(yv, xb, f1, f2)
    cells = pd.DataFrame({"fitted": mu, "log_fe": log_fe, "separated": sep_own}, index=frame.index)
    return GravityResult(
        estimate=coef.to_numpy(dtype=float),
        std_error=se.to_numpy(dtype=float),
        p_value=pv.to_numpy(dtype=float),
        n_obs=int(fit._N),
        n_separated=n_sep,
        converged=bool(fit.convergence),
        note="; ".join(notes),
        cells=cells,
        **base,
    )


def estimate_gravity(
    frame: pd.DataFrame,
    regressors: Sequence[str] = REGRESSORS,
    classes: Sequence[str] | None = None,
    cluster: str = "pair",
) -> tuple[pd.DataFrame, dict[str, GravityResult]]:
    """The pooled model and one model per class (module docstring) on a :func:`gravity_frame`.

    Returns the coefficient table (columns :data:`TABLE_COLUMNS`: ``model``, ``term``,
    ``estimate``, ``std_error``, ``n_obs``, ``n_separated`` first) and the fits by model name.
    """
    if cluster not in CLUSTERS:
        raise ValueError(f"cluster must be one of {CLUSTERS}")
    classes = [c for c in (classes or RELOCATION_CLASSES) if c in set(frame["group"])]
    fits: dict[str, GravityResult] = {}
    pooled = frame[frame["group"].isin(classes)]
    fits["pooled"] = fit_ppml(pooled, regressors, cluster=cluster, model="pooled")
    for g in classes:
        sub = frame[frame["group"] == g]
        fits[g] = fit_ppml(sub, regressors, cluster=cluster, model=g,
                           fixed_effects="origin^period + dest^period")
    for name, r in fits.items():
        log.info("model %s: %s; n_obs %d, separated %d, moves %d %s", name,
                 ", ".join(f"{t} {e:.4f} ({s:.4f})" for t, e, s in zip(r.terms, r.estimate, r.std_error)),
                 r.n_obs, r.n_separated, r.n_moves, r.note)
    table = pd.concat([r.table() for r in fits.values()], ignore_index=True)
    return table, fits


def fitted_cells(frame: pd.DataFrame, result: GravityResult, regressors: Sequence[str]) -> pd.DataFrame:
    """The model's cells with their variables, ``fitted`` flows, ``log_fe`` (alpha + mu, NaN when
    separated) and ``separated`` (the layout of ``results/flows/gravity_fitted.parquet``)."""
    cols = ["year", "period", "origin", "dest", "group", "moves", "distance", *regressors]
    cols = list(dict.fromkeys(c for c in cols if c in frame.columns))
    out = frame.loc[result.cells.index, cols].join(result.cells)
    return out.reset_index(drop=True)


def adding_up(cells: pd.DataFrame, keys: Sequence[Sequence[str]] = (("origin", "group", "period"),
                                                                   ("dest", "group", "period"))) -> float:
    """Largest absolute difference between fitted and observed flows summed by each fixed-effect
    grouping (zero at the PPML solution)."""
    worst = 0.0
    for k in keys:
        s = cells.groupby(list(k))[["moves", "fitted"]].sum()
        worst = max(worst, float((s["fitted"] - s["moves"]).abs().max()))
    return worst


__all__ = [
    "CLUSTERS",
    "REGRESSORS",
    "TABLE_COLUMNS",
    "TOTAL",
    "GravityResult",
    "adding_up",
    "balance_fixed_effects",
    "estimate_gravity",
    "fit_ppml",
    "fitted_cells",
    "gravity_frame",
    "period_of",
    "zero_fe_cells",
]
