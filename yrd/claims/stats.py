"""Statistics of the claims' tests, all estimated by pyfixest: OLS with classical or Newey-West
standard errors, linear trends and quadratic fits on centred regressors, a Poisson trend.

Every regression is a call of :func:`pyfixest.feols` or :func:`pyfixest.fepois` (Berge, fixest;
pyfixest >= 0.60); this module only builds the tables, centres the regressors and maps the
estimates back to the original scale. p-values are two-sided from Student's t with n - k
degrees of freedom (statsmodels' ``use_t=True`` with ``df_resid``), conservative with the 10-20
yearly points of the claims. Equality with statsmodels is checked in tests/test_claims_stats.py.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Convergence tolerance of pyfixest's IWLS for the Poisson trend (its default is 1e-8).
IWLS_TOL = 1e-12


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


def _t_p(coef: np.ndarray, se: np.ndarray, df: int) -> tuple[np.ndarray, np.ndarray]:
    """t = coef / se (infinite for an exact fit) and the two-sided p from t(df)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, coef / se, np.where(coef == 0, 0.0, np.inf * np.sign(coef)))
    from scipy import stats  # here: the figures that import the claim modules need no SciPy

    return t, 2 * stats.t.sf(np.abs(t), df)


def ols(y, X, se: str = "hac", lags: int | None = None) -> OLSResult:
    """Least squares of ``y`` on the columns of ``X`` (include the constant yourself) by
    ``pyfixest.feols`` without its own intercept.

    ``se``: ``classical`` (pyfixest ``vcov="iid"``: s^2 (X'X)^-1 with s^2 = e'e/(n - k)) or
    ``hac`` (pyfixest ``vcov="NW"``: Newey and West (1987), Bartlett weights 1 - l/(L + 1) for
    lags l = 1..L, ``lags`` L default :func:`newey_west_lags`, times n/(n - k); equal to statsmodels'
    ``cov_type="HAC"`` with ``use_correction=True``). Time order is the row order. Centre the
    columns (e.g. year minus its mean): pyfixest solves the normal equations, which lose all
    precision on raw calendar years and their squares.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if n <= k:
        raise ValueError(f"OLS needs more observations ({n}) than coefficients ({k})")
    if se not in ("classical", "hac"):
        raise ValueError(f"se must be 'classical' or 'hac', got {se!r}")
    import pyfixest as pf

    names = [f"x{j}" for j in range(k)]
    d = pd.DataFrame(X, columns=names)
    d["y"] = y
    d["time"] = np.arange(n)
    fml = "y ~ " + " + ".join(names) + " - 1"
    if se == "classical":
        fit = pf.feols(fml, d, vcov="iid")
    else:
        L = newey_west_lags(n) if lags is None else int(lags)
        fit = pf.feols(fml, d, vcov="NW", vcov_kwargs={"lag": min(L, n - 1), "time_id": "time"})
    coef = fit.coef().reindex(names).to_numpy(dtype=float)
    cov = np.asarray(fit._vcov, dtype=float)
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    t, p = _t_p(coef, sd, n - k)
    return OLSResult(coef, sd, t, p, cov, n - k, n, se)


def _clean(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok], y[ok]


@dataclass
class QuadraticFit:
    """y = c0 + c1 (x - m) + c2 (x - m)^2 with m = mean(x), estimated on the centred x.

    ``b0``, ``b1``, ``b2`` are the coefficients on the original scale (b2 = c2, b1 = c1 - 2 c2 m,
    b0 = c0 - c1 m + c2 m^2); the turning point is m - c1 / (2 c2) = -b1 / (2 b2); ``p_b2`` tests
    c2 = b2 = 0 (invariant to the centring). ``centred`` holds the regression on the centred x;
    ``ols`` the same estimates mapped to the original scale (coef b = A c, cov A V A', with
    A = [[1, -m, m^2], [0, 1, -2m], [0, 0, 1]]).
    """

    c0: float
    c1: float
    c2: float
    centre: float
    p_b2: float
    turning_point: float
    x_min: float
    x_max: float
    n: int
    centred: OLSResult
    ols: OLSResult

    @property
    def b0(self) -> float:
        return self.c0 - self.c1 * self.centre + self.c2 * self.centre**2

    @property
    def b1(self) -> float:
        return self.c1 - 2 * self.c2 * self.centre

    @property
    def b2(self) -> float:
        return self.c2

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

    def design(self, x) -> np.ndarray:
        """Rows (1, x - m, (x - m)^2) of the centred regression at ``x``."""
        xc = np.asarray(x, dtype=float) - self.centre
        return np.column_stack([np.ones_like(xc), xc, xc**2])

    def predict(self, x) -> np.ndarray:
        return self.design(x) @ np.array([self.c0, self.c1, self.c2])

    def band(self, x, z: float = 1.96) -> np.ndarray:
        """Half-width z * se of the fitted mean at ``x`` (from the centred covariance)."""
        X = self.design(x)
        return z * np.sqrt(np.clip(np.einsum("ij,jk,ik->i", X, self.centred.cov, X), 0, None))


def quadratic_fit(x, y, se: str = "hac", lags: int | None = None) -> QuadraticFit:
    """Fit y on (x - mean x) and its square by :func:`ols` (see :class:`QuadraticFit`); rows
    with a missing x or y are dropped, time order is the row order."""
    x, y = _clean(x, y)
    m = float(x.mean()) if len(x) else 0.0
    xc = x - m
    res = ols(y, np.column_stack([np.ones_like(xc), xc, xc**2]), se=se, lags=lags)
    c0, c1, c2 = (float(v) for v in res.coef)
    tp = m - c1 / (2 * c2) if c2 != 0 else float("nan")
    A = np.array([[1.0, -m, m * m], [0.0, 1.0, -2 * m], [0.0, 0.0, 1.0]])
    coef, cov = A @ res.coef, A @ res.cov @ A.T
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    raw = OLSResult(coef, sd, *_t_p(coef, sd, res.df), cov, res.df, res.n, res.se_type)
    return QuadraticFit(c0, c1, c2, m, float(res.p[2]), float(tp), float(x.min()), float(x.max()), len(x), res, raw)


@dataclass
class LinearTrend:
    """y = intercept + slope x (intercept on the original scale of x), ``se`` and ``p`` of the slope."""

    intercept: float
    slope: float
    p: float
    n: int
    se: float = float("nan")
    #: Level shift from ``break_year`` on (NaN when no break dummy was fitted).
    break_shift: float = float("nan")
    break_p: float = float("nan")
    break_year: int | None = None

    def predict(self, x) -> np.ndarray:
        """Fitted values, the break shift included from ``break_year`` on."""
        x = np.asarray(x, dtype=float)
        out = self.intercept + self.slope * x
        if self.break_year is not None and np.isfinite(self.break_shift):
            out = out + self.break_shift * (x >= self.break_year)
        return out


def linear_trend(x, y, se: str = "hac", lags: int | None = None, break_year: int | None = None) -> LinearTrend:
    """Slope of y on x - mean(x) by :func:`ols` (classical or Newey-West errors) with its
    two-sided p-value; the intercept is mapped back to x = 0.

    ``break_year``: also fit a level shift ``1[x >= break_year]`` (the ASIF sampling threshold
    rose from 5 to 20 million yuan of sales in 2011), so that a jump at the break is not read as
    a trend; only when at least two observations lie on each side (else no dummy, and
    ``break_year`` of the result is None)."""
    x, y = _clean(x, y)
    m = float(x.mean()) if len(x) else 0.0
    cols = [np.ones_like(x), x - m]
    use_break = break_year is not None and (x < break_year).sum() >= 2 and (x >= break_year).sum() >= 2
    if use_break:
        cols.append((x >= break_year).astype(float))
    res = ols(y, np.column_stack(cols), se=se, lags=lags)
    a, b = float(res.coef[0]), float(res.coef[1])
    out = LinearTrend(a - b * m, b, float(res.p[1]), len(x), float(res.se[1]))
    if use_break:
        out.break_shift, out.break_p, out.break_year = float(res.coef[2]), float(res.p[2]), int(break_year)
    return out


@dataclass
class PoissonTrend:
    """log E[count_t] = a + b t (+ log exposure), heteroskedasticity-robust standard errors."""

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


def poisson_trend(counts, t, exposure=None) -> PoissonTrend:
    """Poisson regression (pseudo-maximum likelihood) of ``counts`` on a constant and
    t - mean(t) by ``pyfixest.fepois``, with log ``exposure`` as offset if given.

    Overdispersion: the point estimates are the Poisson (quasi-)ML ones, consistent whatever the
    variance; the standard error is the heteroskedasticity-robust sandwich (pyfixest
    ``vcov="hetero"``: HC0 times n/(n - k), equal to statsmodels' GLM Poisson ``cov_type="HC0"``
    times sqrt(n/(n - k))), valid under any overdispersion (Wooldridge 1999; Santos Silva and
    Tenreyro 2006), the usual robust alternative to scaling by the Pearson dispersion. That
    dispersion, chi2/(n - k), is reported in ``dispersion`` only. The p-value is two-sided from
    t with n - k degrees of freedom.
    """
    y = np.asarray(counts, dtype=float)
    t = np.asarray(t, dtype=float)
    if len(y) < 3:
        raise ValueError("a Poisson trend needs at least three periods")
    if y.sum() <= 0:
        raise ValueError("a Poisson trend needs at least one count > 0")
    import pyfixest as pf

    m = float(t.mean())
    d = pd.DataFrame({"y": y, "tc": t - m})
    kw = {}
    if exposure is not None:
        d["log_exposure"] = np.log(np.asarray(exposure, dtype=float))
        kw["offset"] = "log_exposure"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        fit = pf.fepois("y ~ tc", d, vcov="hetero", iwls_tol=IWLS_TOL, iwls_maxiter=100, **kw)
    a, b = float(fit.coef()["Intercept"]), float(fit.coef()["tc"])
    se = float(fit.se()["tc"])
    n, k = len(y), 2
    mu = np.exp(a + b * d["tc"].to_numpy() + (d["log_exposure"].to_numpy() if exposure is not None else 0.0))
    disp = float(np.sum((y - mu) ** 2 / mu) / (n - k))
    _, p = _t_p(np.array([b]), np.array([se]), n - k)
    return PoissonTrend(a - b * m, b, se, float(p[0]), disp, n)
