"""Statistics of the claims' tests: OLS with classical or Newey-West errors, quadratic and linear fits, a quasi-Poisson trend."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass
class OLSResult:
    """OLS estimates: ``coef``, ``se``, ``t``, ``p`` (two-sided, t with ``df`` = n - k), ``cov``."""

    coef: np.ndarray
    se: np.ndarray
    t: np.ndarray
    p: np.ndarray
    cov: np.ndarray
    df: int
    n: int
    se_type: str


def newey_west_lags(n: int) -> int:
    """Newey and West (1994) rule of thumb: floor(4 (n/100)^(2/9))."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def ols(y, X, se: str = "hac", lags: int | None = None) -> OLSResult:
    """Least squares of ``y`` on the columns of ``X`` (include the constant yourself).

    ``se``: ``classical`` (s^2 (X'X)^-1) or ``hac`` (Newey-West with Bartlett weights and
    ``lags`` lags, default :func:`newey_west_lags`, times n/(n-k)); time order is the row order.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if n <= k:
        raise ValueError(f"OLS needs more observations ({n}) than coefficients ({k})")
    xtx_inv = np.linalg.pinv(X.T @ X)
    coef = xtx_inv @ X.T @ y
    e = y - X @ coef
    df = n - k
    if se == "classical":
        cov = xtx_inv * (e @ e / df)
    elif se == "hac":
        L = newey_west_lags(n) if lags is None else int(lags)
        u = X * e[:, None]
        S = u.T @ u
        for lag in range(1, min(L, n - 1) + 1):
            w = 1 - lag / (L + 1)
            G = u[lag:].T @ u[:-lag]
            S += w * (G + G.T)
        cov = xtx_inv @ S @ xtx_inv * n / df
    else:
        raise ValueError(f"se must be 'classical' or 'hac', got {se!r}")
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, coef / sd, np.where(coef == 0, 0.0, np.inf * np.sign(coef)))
    p = 2 * stats.t.sf(np.abs(t), df)
    return OLSResult(coef, sd, t, p, cov, df, n, se)


@dataclass
class QuadraticFit:
    """y = b0 + b1 x + b2 x^2 with the turning point -b1 / (2 b2) and the observed x range."""

    b0: float
    b1: float
    b2: float
    p_b2: float
    turning_point: float
    x_min: float
    x_max: float
    n: int
    ols: OLSResult

    @property
    def inside(self) -> bool:
        """Turning point strictly inside the observed range of x."""
        return bool(math.isfinite(self.turning_point) and self.x_min < self.turning_point < self.x_max)

    def shape(self, alpha: float) -> str:
        """``inverted_u`` (b2 < 0, p < alpha, turning point inside the range), ``concave``
        (b2 < 0, p < alpha, turning point outside), ``u`` (b2 > 0, p < alpha) or ``none``."""
        if self.p_b2 < alpha and self.b2 < 0:
            return "inverted_u" if self.inside else "concave"
        if self.p_b2 < alpha and self.b2 > 0:
            return "u"
        return "none"

    def predict(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.b0 + self.b1 * x + self.b2 * x**2


def quadratic_fit(x, y, se: str = "hac", lags: int | None = None) -> QuadraticFit:
    """Fit y on x and x^2 (see :class:`QuadraticFit`)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    res = ols(y, np.column_stack([np.ones_like(x), x, x**2]), se=se, lags=lags)
    b0, b1, b2 = res.coef
    tp = -b1 / (2 * b2) if b2 != 0 else float("nan")
    return QuadraticFit(
        b0,
        b1,
        b2,
        float(res.p[2]),
        float(tp),
        float(x.min()),
        float(x.max()),
        len(x),
        res,
    )


@dataclass
class LinearTrend:
    intercept: float
    slope: float
    p: float
    n: int


def linear_trend(x, y, se: str = "hac", lags: int | None = None) -> LinearTrend:
    """OLS slope of y on x with its two-sided p-value."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    res = ols(y[ok], np.column_stack([np.ones(ok.sum()), x[ok]]), se=se, lags=lags)
    return LinearTrend(float(res.coef[0]), float(res.coef[1]), float(res.p[1]), int(ok.sum()))


@dataclass
class PoissonTrend:
    """log E[count_t] = a + b t, quasi-Poisson standard errors."""

    intercept: float
    slope: float
    se: float
    p: float
    dispersion: float
    n: int

    @property
    def growth(self) -> float:
        """Yearly growth rate exp(b) - 1."""
        return math.exp(self.slope) - 1

    def predict(self, t) -> np.ndarray:
        return np.exp(self.intercept + self.slope * np.asarray(t, dtype=float))


def poisson_trend(counts, t, max_iter: int = 100, tol: float = 1e-10) -> PoissonTrend:
    """Poisson regression of ``counts`` on a constant and ``t`` by iteratively reweighted least
    squares; the covariance is scaled by the Pearson dispersion chi2/(n - 2) when it exceeds 1
    (quasi-Poisson); p-value two-sided from t with n - 2 degrees of freedom."""
    y = np.asarray(counts, dtype=float)
    t = np.asarray(t, dtype=float)
    if len(y) < 3:
        raise ValueError("a Poisson trend needs at least three periods")
    if y.sum() <= 0:
        raise ValueError("a Poisson trend needs at least one count > 0")
    tc = t - t.mean()
    X = np.column_stack([np.ones_like(tc), tc])
    b = np.array([math.log(y.mean()), 0.0])
    for _ in range(max_iter):
        eta = X @ b
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        W = mu
        b_new = np.linalg.solve(X.T @ (X * W[:, None]), X.T @ (W * z))
        if np.max(np.abs(b_new - b)) < tol:
            b = b_new
            break
        b = b_new
    mu = np.exp(X @ b)
    n, k = X.shape
    disp = float(np.sum((y - mu) ** 2 / mu) / (n - k))
    cov = np.linalg.inv(X.T @ (X * mu[:, None])) * max(1.0, disp)
    se = float(math.sqrt(cov[1, 1]))
    p = float(2 * stats.t.sf(abs(b[1] / se), n - k)) if se > 0 else 0.0
    return PoissonTrend(float(b[0] - b[1] * t.mean()), float(b[1]), se, p, disp, n)
