"""Fixed effects of two-way PPML gravity models: the cells PPML drops for separation and the
exact fixed effects given the coefficients (used by :mod:`yrd.flows.gravity`).

:func:`balance_fixed_effects` is hand-written because no well-kept library returns the fixed
effects of a pyfixest ``fepois`` fit at the precision the adding-up check needs: it solves the
PPML first-order conditions for the fixed effects by alternating (Sinkhorn / iterative
proportional) fitting, for given coefficients.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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


#: Reason of a failed estimation, from the start of pyfixest's error message.
