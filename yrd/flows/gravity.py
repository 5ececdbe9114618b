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
pyfixest's ``separation_check=["fe"]`` finds exactly these cells; they are found here before
the call (below), so pyfixest's own check is not run, and their number is written as
``n_separated`` (checked against :func:`zero_fe_cells` on all cells). Years without any move
(the first study year, when a move needs an observation the year before) are entirely
separated. Other separation (a regressor that perfectly predicts zeros, pyfixest's ``"ir"``
check) cannot arise with distance and the border dummy and is not tested for. pyfixest also drops singleton fixed-effect groups
(``fixef_rm="singleton"``), which do not change the estimates; ``n_obs`` is the number of
cells used. These drops are computed before the call (:func:`yrd.flows.fixed_effects.ppml_sample`:
singletons first, then separated cells among the rest, pyfixest's own order) and pyfixest is
handed only the cells it estimates on (``fixef_rm="none"``): on a national grid (342
prefectures, ~9 M cells) more than 99 % of the cells are separated, and pyfixest's copies of
them were most of the memory. Estimates, standard errors and ``n_obs`` are those of the call
on all cells; ``n_separated`` is the count of the second step.

Models that cannot be estimated
-------------------------------
Estimation never raises: a model that cannot be estimated is recorded with NaN estimates,
``converged`` False and the reason in ``note`` (:func:`fit_ppml`):

* ``not estimable: no moves, every cell separated``: no move in the model's cells;
* ``did not converge (pyfixest: Demeaning failed after 10000 iterations)``: on worlds with few
  moves the demeaning of the fixed effects inside pyfixest's IWLS does not converge (the fixed
  effects and the regressors nearly separate the few positive cells);
* ``not estimable: regressors collinear with the fixed effects (pyfixest: All variables are
  collinear)``: with a handful of cells left after separation, the fixed effects absorb every
  regressor;
* ``did not converge (IWLS: ... iterations)``: pyfixest returned without convergence; its last
  estimates are kept in the table but its fitted flows are not computed (NaN);
* ``skipped: N moves < flows.min_moves (M)``: a per-class model with fewer than ``min_moves``
  moves is not attempted (:func:`estimate_gravity`; the pooled model is always attempted).

The fitted cells of a model that did not converge are NaN (0 for separated cells, whose fitted
flow is 0 at any PPML solution); :func:`model_unavailable` gives the reason a model cannot be
used downstream (scenarios, validation, figures).

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
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from yrd.flows.fixed_effects import (
    LSMR_NOTE,
    balance_fixed_effects,
    fepois_ppml,
    ppml_sample,
    zero_fe_cells,
)
from yrd.flows.frame import gravity_frame, period_of  # noqa: F401 - re-exported (yrd.flows)
from yrd.industry import RELOCATION_CLASSES
from yrd.io import distinct, sorted_codes
from yrd.parallel import run_threads

log = logging.getLogger(__name__)

REGRESSORS = ("log_distance", "border")
CLUSTERS = ("pair", "undirected_pair")
TABLE_COLUMNS = [
    "model",
    "term",
    "estimate",
    "std_error",
    "n_obs",
    "n_separated",
    "p_value",
    "n_cells",
    "n_moves",
    "converged",
    "fixed_effects",
    "cluster",
    "note",
]


_PYFIXEST_FAILURES = (
    ("Demeaning failed", "did not converge (pyfixest: {msg})"),
    ("All variables are collinear", "not estimable: regressors collinear with the fixed effects (pyfixest: {msg})"),
)


def _one_line(text: str) -> str:
    """``text`` on one line, whitespace collapsed."""
    return " ".join(str(text).split())


def failure_reason(exc: BaseException) -> str:
    """The ``note`` of a model whose estimation raised ``exc``: what happened, in words, with
    the first sentence of pyfixest's message."""
    msg = _one_line(exc)
    first = msg.split(". ")[0].rstrip(".")
    for start, note in _PYFIXEST_FAILURES:
        if msg.startswith(start):
            return note.format(msg=first)
    return f"estimation failed ({type(exc).__name__}: {msg})"


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


def _not_estimated(frame: pd.DataFrame, separated: np.ndarray, note: str, base: dict) -> GravityResult:
    """A model without estimates: NaN coefficients, ``converged`` False, ``note`` the reason;
    fitted flows NaN except in separated cells (0)."""
    nan = np.full(len(base["terms"]), np.nan)
    cells = pd.DataFrame(
        {"fitted": np.where(separated, 0.0, np.nan), "log_fe": np.nan, "separated": separated}, index=frame.index
    )
    return GravityResult(
        estimate=nan,
        std_error=nan.copy(),
        p_value=nan.copy(),
        n_obs=0,
        n_separated=int(separated.sum()),
        converged=False,
        note=note,
        cells=cells,
        **base,
    )


def _base(frame: pd.DataFrame, regressors: Sequence[str], y: str, model: str, fixed_effects: str, cluster: str) -> dict:
    """The fields of a :class:`GravityResult` known before estimation."""
    n_moves = int(frame[y].to_numpy(dtype=float).sum())
    return dict(
        model=model,
        terms=list(regressors),
        n_cells=len(frame),
        n_moves=n_moves,
        fixed_effects=fixed_effects,
        cluster=cluster,
    )


def skipped_model(
    frame: pd.DataFrame,
    regressors: Sequence[str],
    min_moves: int,
    *,
    y: str = "moves",
    fe: tuple[str, str] = ("og", "dg"),
    cluster: str = "pair",
    model: str = "pooled",
    fixed_effects: str = "origin^group^period + dest^group^period",
) -> GravityResult:
    """A model not attempted because its cells hold fewer than ``min_moves`` moves: NaN
    estimates, ``converged`` False, note ``skipped: N moves < flows.min_moves (M)``."""
    base = _base(frame, regressors, y, model, fixed_effects, cluster)
    sep = zero_fe_cells(frame[y].to_numpy(dtype=float), frame[fe[0]].to_numpy(), frame[fe[1]].to_numpy())
    note = f"skipped: {base['n_moves']} moves < flows.min_moves ({int(min_moves)})"
    log.warning("model %s: %s", model, note)
    return _not_estimated(frame, sep, note, base)


def fit_ppml(
    frame: pd.DataFrame,
    regressors: Sequence[str] = REGRESSORS,
    *,
    y: str = "moves",
    fe: tuple[str, str] = ("og", "dg"),
    cluster: str = "pair",
    model: str = "pooled",
    fixed_effects: str = "origin^group^period + dest^group^period",
    fitted: bool = True,
) -> GravityResult:
    """PPML with two sets of fixed effects (integer code columns ``fe``) by pyfixest ``fepois``,
    standard errors clustered by ``cluster``; fitted values and fixed effects by
    :func:`balance_fixed_effects` (only when ``fitted``: with ``fitted=False`` the result's cells
    hold NaN fitted flows and fixed effects, and ``converged`` is pyfixest's IWLS convergence).

    Never raises on estimation problems: a model that cannot be estimated (no moves, pyfixest
    fails, e.g. demeaning does not converge or every regressor is collinear with the fixed
    effects) returns NaN estimates, ``converged`` False and the reason in ``note`` (module
    docstring); a model whose IWLS does not converge keeps pyfixest's last estimates with
    ``converged`` False, and its fitted flows are NaN (0 in separated cells)."""

    regressors = list(regressors)
    if cluster not in frame.columns:
        raise ValueError(f"cluster column {cluster!r} not in the frame")
    yv = frame[y].to_numpy(dtype=float)
    f1 = frame[fe[0]].to_numpy()
    f2 = frame[fe[1]].to_numpy()
    sep_own = zero_fe_cells(yv, f1, f2)
    base = _base(frame, regressors, y, model, fixed_effects, cluster)

    def failed(note: str) -> GravityResult:
        log.warning("model %s: %s", model, note)
        return _not_estimated(frame, sep_own, note, base)

    if base["n_moves"] == 0 or sep_own.all():
        return failed("not estimable: no moves, every cell separated")
    xs = {r: frame[r].to_numpy(dtype=float) for r in regressors}
    finite = np.isfinite(yv)
    for x in xs.values():
        finite &= np.isfinite(x)
    # pyfixest's own sample (singletons, then separated cells dropped), so that it is handed
    # only the cells it estimates on: same estimates, a fraction of the memory (ppml_sample)
    keep, n_single, n_sep = ppml_sample(yv, f1, f2, finite)
    if n_single:
        log.info("model %s: pyfixest: %d singleton fixed effect(s) dropped from the model.", model, n_single)
    if n_sep:
        log.info("model %s: pyfixest: %d observations removed because of separation.", model, n_sep)
    data = pd.DataFrame(
        {
            "y": yv[keep],
            **{r: x[keep] for r, x in xs.items()},
            "fe1": f1[keep],
            "fe2": f2[keep],
            "cl": frame[cluster].to_numpy()[keep],
        }
    )
    fml = "y ~ " + " + ".join(regressors) + " | fe1 + fe2"
    iwls_maxiter = 200
    notes = []
    try:
        fit, retried = fepois_ppml(fml, data, iwls_maxiter, model)
        if retried:
            notes.append(LSMR_NOTE)
    except Exception as exc:  # noqa: BLE001 - any estimation failure is reported, not fatal
        return failed(failure_reason(exc))
    coef = fit.coef().reindex(regressors)
    se = fit.se().reindex(regressors)
    pv = fit.pvalue().reindex(regressors)
    n_sep += int(getattr(fit, "n_separation_na", 0) or 0)  # none: the separated cells were not handed over
    if n_sep != int(sep_own.sum()):
        log.warning(
            "model %s: pyfixest dropped %d cells for separation, all-zero fixed-effect groups hold %d",
            model,
            n_sep,
            int(sep_own.sum()),
        )
    if coef.isna().any():
        notes.append(f"dropped (collinear): {list(coef.index[coef.isna()])}")
    converged = bool(fit.convergence)
    del data, keep
    if converged and not fitted:
        log_fe, mu = np.full(len(yv), np.nan), np.where(sep_own, 0.0, np.nan)
    elif converged:
        xb = np.column_stack(list(xs.values())) @ np.nan_to_num(coef.to_numpy(dtype=float))
        try:
            log_fe, mu = balance_fixed_effects(yv, xb, f1, f2)
        except RuntimeError as exc:
            converged = False
            notes.append(f"did not converge (fitted flows: {_one_line(exc)})")
    else:
        notes.append(f"did not converge (IWLS: {iwls_maxiter} iterations)")
    if not converged:
        log.warning("model %s: %s; fitted flows not computed", model, "; ".join(notes))
        log_fe, mu = np.full(len(yv), np.nan), np.where(sep_own, 0.0, np.nan)
    cells = pd.DataFrame({"fitted": mu, "log_fe": log_fe, "separated": sep_own}, index=frame.index)
    return GravityResult(
        estimate=coef.to_numpy(dtype=float),
        std_error=se.to_numpy(dtype=float),
        p_value=pv.to_numpy(dtype=float),
        n_obs=int(fit._N),
        n_separated=n_sep,
        converged=converged,
        note="; ".join(notes),
        cells=cells,
        **base,
    )


def estimate_gravity(
    frame: pd.DataFrame,
    regressors: Sequence[str] = REGRESSORS,
    classes: Sequence[str] | None = None,
    cluster: str = "pair",
    min_moves: int = 0,
    fitted: bool = True,
    workers: int = 1,
) -> tuple[pd.DataFrame, dict[str, GravityResult]]:
    """The pooled model and one model per class (module docstring) on a :func:`gravity_frame`.
    ``fitted=False``: coefficients only, no fitted flows (:func:`fit_ppml`). ``workers=2``: the
    pooled model on one thread while the class models are fitted one after another on a second
    (:func:`yrd.parallel.run_threads`; pyfixest's demeaning and NumPy release the GIL). The
    estimates do not depend on it.

    A class whose cells hold fewer than ``min_moves`` moves (config ``flows.min_moves``) is not
    estimated (:func:`skipped_model`); the pooled model is always attempted. No model failure
    raises: failures are rows with ``converged`` False and the reason in ``note``.

    Returns the coefficient table (columns :data:`TABLE_COLUMNS`: ``model``, ``term``,
    ``estimate``, ``std_error``, ``n_obs``, ``n_separated`` first) and the fits by model name.
    """
    if cluster not in CLUSTERS:
        raise ValueError(f"cluster must be one of {CLUSTERS}")
    if int(min_moves) < 0:
        raise ValueError("min_moves must be >= 0")
    present = distinct(frame["group"])  # once: the frame has ~9 M cells on a national grid
    classes = [c for c in (classes or RELOCATION_CLASSES) if c in present]
    fits: dict[str, GravityResult] = {}
    in_classes = frame["group"].isin(classes)
    pooled = frame if in_classes.all() else frame[in_classes]  # no copy of the whole frame

    def fit_pooled() -> dict[str, GravityResult]:
        return {"pooled": fit_ppml(pooled, regressors, cluster=cluster, model="pooled", fitted=fitted)}

    # the class models read only these columns: a class's cells are copied without the strings
    used = list(dict.fromkeys(["moves", "og", "dg", *regressors, cluster]))
    codes, names = sorted_codes(frame["group"]) if classes else (None, None)

    def fit_classes() -> dict[str, GravityResult]:
        out = {}
        for g in classes:
            sub = frame.loc[codes == names.get_loc(g), used]
            kw = dict(cluster=cluster, model=g, fixed_effects="origin^period + dest^period")
            if sub["moves"].sum() < min_moves:
                out[g] = skipped_model(sub, regressors, min_moves, **kw)
            else:
                out[g] = fit_ppml(sub, regressors, fitted=fitted, **kw)
        return out

    for part in run_threads([fit_pooled, fit_classes] if classes else [fit_pooled], workers=workers):
        fits.update(part)
    for name, r in fits.items():
        log.info(
            "model %s: %s; n_obs %d, separated %d, moves %d %s",
            name,
            ", ".join(f"{t} {e:.4f} ({s:.4f})" for t, e, s in zip(r.terms, r.estimate, r.std_error)),
            r.n_obs,
            r.n_separated,
            r.n_moves,
            r.note,
        )
    table = pd.concat([r.table() for r in fits.values()], ignore_index=True)
    return table, fits


def model_unavailable(
    table: pd.DataFrame, model: str = "pooled", terms: Sequence[str] = ("log_distance",)
) -> str | None:
    """Why ``model`` of a gravity table (``results/<run>/flows/gravity.csv``) cannot be used, or
    None when it converged with finite estimates of ``terms``. E.g. ``pooled model did not
    converge (pyfixest: Demeaning failed after 10000 iterations)``."""
    t = table[table["model"] == model]
    if t.empty:
        return f"{model} model not in the gravity table"
    first = t.iloc[0]
    note = "" if pd.isna(first.get("note")) else _one_line(first.get("note"))
    if str(first.get("converged", True)).lower() not in ("true", "1"):
        return f"{model} model {note}" if note else f"{model} model did not converge"
    est = t.set_index("term")["estimate"]
    missing = [term for term in terms if term not in est.index or not np.isfinite(float(est[term]))]
    if missing:
        return f"{model} model has no estimate of {', '.join(missing)}" + (f" ({note})" if note else "")
    return None
