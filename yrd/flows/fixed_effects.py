"""Fixed effects of two-way PPML gravity models: their integer codes, the cells PPML drops for
separation and the exact fixed effects given the coefficients (used by :mod:`yrd.flows.gravity`).

:func:`balance_fixed_effects` is hand-written because no well-kept library returns the fixed
effects of a pyfixest ``fepois`` fit at the precision the adding-up check needs: it solves the
PPML first-order conditions for the fixed effects by alternating (Sinkhorn / iterative
proportional) fitting, for given coefficients.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from yrd.parallel import collect_warnings

log = logging.getLogger(__name__)

#: Start of pyfixest's message when its default (alternating projections) demeaner stalls.
DEMEANING_FAILED = "Demeaning failed"
#: ``note`` of a model estimated with pyfixest's LSMR demeaner after the default one stalled.
LSMR_NOTE = "default demeaner (alternating projections) did not converge; estimated with pyfixest's LSMR demeaner"


def fepois_ppml(fml: str, data: pd.DataFrame, iwls_maxiter: int, model: str = "pooled"):
    """pyfixest ``fepois`` as the gravity models call it (CRV1 by ``cl``, IWLS tolerance 1e-10)
    on the cells of :func:`ppml_sample`. Returns ``(fit, retried)``.

    No singleton removal and no fixed-effect separation check (``fixef_rm="none"``,
    ``separation_check=[]``): :func:`ppml_sample` already dropped both, and no all-zero group
    is left once they are gone (a group keeps every positive cell it had, since a positive cell
    separates neither of its groups), so pyfixest's check would find nothing; it cost ~6 % of
    a national source's fit. ``data`` (columns ``y``, ``fe1``, ``fe2``) is checked for an
    all-zero group first and a ``ValueError`` raised if one is there.

    pyfixest's default demeaner (alternating projections) can stall on sparse, weakly connected
    fixed-effect graphs ("Demeaning failed after 10000 iterations"; seen on one of ten redraws of
    the default world's investment flows and on the small national world); the model is then
    estimated again with pyfixest's sparse LSMR demeaner (``pyfixest.demeaners.LsmrDemeaner``),
    which solves the same least-squares problem by another algorithm, and ``retried`` is True.
    When that fails too, or its IWLS does not converge, or a coefficient or standard error is not
    finite (a degenerate fit on a handful of moves), the first failure is raised: the model is not
    estimable ("Demeaning failed"). Any other failure raises.

    Each call logs one line with its wall time, whatever the outcome ("model pooled: pyfixest
    fepois, 3209725 cells, 22.431 s"): ``make bench`` reads it from the rules' logs
    (:data:`yrd.benchmark.FIT_LINE`) to report how much of the core the fits take. The clock
    starts after pyfixest's estimation modules are imported."""
    import pyfixest as pf

    fepois = pf.fepois  # imports pyfixest's estimation modules (seconds) before the clock starts
    t0 = time.perf_counter()
    try:
        return _fepois_ppml(fepois, fml, data, iwls_maxiter, model)
    finally:
        # the line yrd.benchmark.FIT_LINE reads: make bench sums these fits' time per rule
        log.info("model %s: pyfixest fepois, %d cells, %.3f s", model, len(data), time.perf_counter() - t0)


def _fepois_ppml(fepois: Callable[..., Any], fml: str, data: pd.DataFrame, iwls_maxiter: int, model: str):
    """:func:`fepois_ppml` without its timing line (``fepois``: ``pyfixest.fepois``)."""
    if len(data) and zero_fe_cells(data["y"].to_numpy(), data["fe1"].to_numpy(), data["fe2"].to_numpy()).any():
        raise ValueError("fepois_ppml: the cells include an all-zero fixed-effect group (use ppml_sample first)")

    def fit(demeaner=None):
        with collect_warnings() as caught:  # the models of estimate_gravity may run on threads
            out = fepois(
                fml,
                data=data,
                vcov={"CRV1": "cl"},
                fixef_rm="none",
                separation_check=[],
                iwls_tol=1e-10,
                iwls_maxiter=iwls_maxiter,
                demeaner=demeaner,
            )
        for w in caught:
            if not issubclass(w.category, (DeprecationWarning, FutureWarning)) and "deprecated" not in str(w.message):
                log.info("model %s: pyfixest: %s", model, w.message)
        return out

    try:
        return fit(), False
    except Exception as exc:
        msg = " ".join(str(exc).split())
        if not msg.startswith(DEMEANING_FAILED):
            raise
        log.warning("model %s: %s; retried with pyfixest's LSMR demeaner", model, msg.split(". ")[0])
        first = exc
    from pyfixest.demeaners import LsmrDemeaner

    try:
        out = fit(LsmrDemeaner())
    except Exception as exc:  # noqa: BLE001 - the model is not estimable: say why the first try failed
        log.warning("model %s: the LSMR demeaner failed too (%s)", model, " ".join(str(exc).split()))
        raise first from exc
    coef, se = out.coef().to_numpy(dtype=float), out.se().to_numpy(dtype=float)
    if not (out.convergence and np.isfinite(coef).all() and np.isfinite(se).all()):
        # e.g. 28 moves on 378 cells: LSMR "converges" to estimates without standard errors
        log.warning("model %s: the LSMR demeaner gave no usable estimates (coef %s, s.e. %s)", model, coef, se)
        raise first
    return out, True


def _sorted_codes(*codes: np.ndarray) -> np.ndarray:
    """Codes numbering from 0 the sorted distinct tuples of the integer code arrays ``codes``
    (each numbering its own values in sorted order): the codes of
    ``pd.factorize(pd.MultiIndex.from_arrays(values), sort=True)`` without building the
    index's tuples."""
    key = np.zeros(len(codes[0]), dtype=np.int64)
    size = 1
    for c in codes:
        c = np.asarray(c, dtype=np.int64)
        card = int(c.max(initial=-1)) + 1
        key = key * card + c
        size *= card
    if size <= max(4 * len(key), 1 << 20):
        # dense ranks of the keys in one pass (the key range is small: places x classes x
        # periods), the codes of np.unique(key, return_inverse=True) without its sort
        present = np.zeros(size, dtype=bool)
        present[key] = True
        rank = np.cumsum(present, dtype=np.int64) - 1
        return rank[key]
    return np.unique(key, return_inverse=True)[1].reshape(-1)


def add_fixed_effect_codes(f: pd.DataFrame) -> pd.DataFrame:
    """Add to a frame with ``origin``, ``dest``, ``group`` and ``period`` (in place; returned) the
    integer codes of the fixed effects and clusters, each numbering its sorted distinct keys from
    0: ``og`` (origin x group x period), ``dg`` (destination x group x period), ``pair``
    (directed pair) and ``undirected_pair`` ({origin, dest})."""
    o, d = _place_order_codes(f["origin"], f["dest"])
    g = _order_codes(f["group"])
    t = _order_codes(f["period"])
    f["og"] = _sorted_codes(o, g, t)
    f["dg"] = _sorted_codes(d, g, t)
    f["pair"] = _sorted_codes(o, d)
    f["undirected_pair"] = _sorted_codes(np.minimum(o, d), np.maximum(o, d))
    return f


def _sorted_categories(s: pd.Series) -> bool:
    """``s`` is a categorical without missing values whose categories are in sorted order."""
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        and s.cat.categories.is_monotonic_increasing
        and not (s.cat.codes.to_numpy() < 0).any()
    )


def _order_codes(s: pd.Series) -> np.ndarray:
    """Non-negative integer codes that order as the values of ``s`` do (equal values, equal
    codes; not necessarily dense): a sorted categorical's own codes, an integer column's offsets
    from its minimum (small ranges), else ``pd.factorize(sort=True)``. :func:`_sorted_codes`
    ranks the combined keys densely, so the fixed-effect codes do not depend on which is used;
    the first two avoid factorising ~9 M national cells."""
    if _sorted_categories(s):
        return s.cat.codes.to_numpy().astype(np.int64)
    v = s.to_numpy()
    if np.issubdtype(v.dtype, np.integer) and len(v) and int(v.max()) - int(v.min()) < (1 << 20):
        return v.astype(np.int64) - int(v.min())
    return pd.factorize(s, sort=True)[0].astype(np.int64)


def _place_order_codes(origin: pd.Series, dest: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_order_codes` of origins and destinations on one scale (a place has the same code
    on both sides): the shared categories' codes, else one factorisation of both columns."""
    if _sorted_categories(origin) and _sorted_categories(dest) and origin.cat.categories.equals(dest.cat.categories):
        return origin.cat.codes.to_numpy().astype(np.int64), dest.cat.codes.to_numpy().astype(np.int64)
    n = len(origin)
    places = pd.factorize(pd.concat([origin, dest], ignore_index=True), sort=True)[0]
    return places[:n], places[n:]


def zero_fe_cells(y: np.ndarray, *fe: np.ndarray) -> np.ndarray:
    """True for cells in a fixed-effect group (of any of the ``fe`` code arrays) whose outcome
    is zero in every cell: the cells PPML drops for separation."""
    y = np.asarray(y, dtype=float)
    out = np.zeros(len(y), dtype=bool)
    for codes in fe:
        tot = np.bincount(codes, weights=y)
        out |= tot[codes] <= 0
    return out


def ppml_sample(
    y: np.ndarray, fe1: np.ndarray, fe2: np.ndarray, finite: np.ndarray | None = None
) -> tuple[np.ndarray, int, int]:
    """The cells pyfixest ``fepois`` estimates on (``fixef_rm="singleton"``,
    ``separation_check=["fe"]``), computed before the call so that only these cells are handed
    to pyfixest (:func:`yrd.flows.gravity.fit_ppml`, with ``fixef_rm="none"``).

    pyfixest (0.60, ``ModelMatrix._process`` then ``Fepois.prepare_model_matrix``) first drops
    the cells with a non-finite value (``finite`` False; all finite when None), then the
    singletons of the two fixed effects (:func:`pyfixest.estimation.detect_singletons`: cells
    alone in their group, iterated), then, among the cells left, every cell of a group whose
    outcome is zero in all its cells (separation; ppmlhdfe's "fe" check, Correia, Guimaraes and
    Zylkin 2021). The cells kept, their order and so the estimates and clustered standard errors
    are those of pyfixest on the full frame; pyfixest never sees the separated cells, which on a
    national grid are more than 99 % of the cells.

    Returns ``(keep, n_singletons, n_separated)``: a boolean mask over the cells and the number
    of cells dropped at each step (``n_separated`` is pyfixest's ``n_separation_na``).
    """
    from pyfixest.estimation import detect_singletons

    y = np.asarray(y, dtype=float)
    ok = np.ones(len(y), dtype=bool) if finite is None else np.asarray(finite, dtype=bool)
    f1, f2 = np.asarray(fe1)[ok], np.asarray(fe2)[ok]
    ids = np.empty((2, len(f1)), dtype=np.uint32).T  # column-major, as pyfixest passes them
    ids[:, 0] = pd.factorize(f1)[0]
    ids[:, 1] = pd.factorize(f2)[0]
    single = np.zeros(len(y), dtype=bool)
    if len(f1):
        single[ok] = detect_singletons(ids)
    del ids, f1, f2
    f1, f2 = np.asarray(fe1), np.asarray(fe2)
    keep = ok & ~single
    sep = np.zeros(len(y), dtype=bool)
    if keep.any() and not (y[keep] > 0).all():
        sep[keep] = zero_fe_cells(y[keep], pd.factorize(f1[keep])[0], pd.factorize(f2[keep])[0])
    keep &= ~sep
    return keep, int(single.sum()), int(sep.sum())


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
    for _ in range(maxiter):
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
