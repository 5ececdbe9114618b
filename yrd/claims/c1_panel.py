"""C1's panel estimators: the quadratic in integration with group fixed effects (pyfixest).

Model (one concentration metric, industries i, years t)::

    y_it = a_i + b1 c_t + b2 c_t^2 + e_it,    c_t = x_t - xbar

with ``x_t`` the integration index, ``xbar`` its mean over the estimation sample (centring before
squaring makes b1 the slope at the mean and leaves b2, its p-value and the turning point in the
original units unchanged by any affine change of units of x), industry fixed effects ``a_i`` and
errors clustered by industry: ``pyfixest.feols("y ~ c + c2 | industry", vcov={"CRV1": "industry"})``
with pyfixest's default small-sample correction (``ssc(k_adj=True, k_fixef="nonnested",
G_adj=True, G_df="min")``: V = G/(G-1) (N-1)/(N-k) (X'X)^-1 (sum_g X_g'e_g e_g'X_g) (X'X)^-1 on the
within-transformed data, k = 3 because fixed effects nested in the clusters count as one
parameter; p-values from Student's t with G - 1 degrees of freedom). Reference: Cameron and
Miller (2015), "A practitioner's guide to cluster-robust inference", J. Human Resources 50(2);
Berge (2018), fixest/pyfixest documentation on small-sample corrections.

With ``break_year`` set, both models also carry ``post_t = 1[t >= break_year]``, a level shift for
the survey's 2011 threshold break (ASIF: 5 -> 20 million yuan of sales), so a jump in the
concentration indices at the break is not read as a response to integration; the dummy is left
out (and its estimate NaN) when the sample lies on one side of the break only.

Turning point (where d y / d x = 0)::

    c* = -b1 / (2 b2),    x* = xbar + c*

95% interval by the delta method: with g = (d c*/d b1, d c*/d b2) = (-1/(2 b2), b1/(2 b2^2)) and V
the clustered covariance of (b1, b2), se(x*) = sqrt(g' V g) and the interval x* -/+ 1.96 se(x*)
(normal approximation; Greene, Econometric Analysis, ch. 4.6 / Wooldridge 2010, ch. 3.5.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

Z95 = float(st.norm.ppf(0.975))


@dataclass(frozen=True)
class PanelQuadratic:
    """Fixed-effects quadratic fit of one metric on integration (see the module docstring)."""

    b1: float
    b2: float
    se_b1: float
    se_b2: float
    p_b1: float
    p_b2: float
    cov: tuple[tuple[float, float], tuple[float, float]]
    x_mean: float
    c2_mean: float
    y_mean: float
    x_min: float
    x_max: float
    turning_point: float
    tp_se: float
    n_obs: int
    n_groups: int
    n_x: int
    break_shift: float = math.nan
    break_se: float = math.nan
    break_p: float = math.nan

    @property
    def tp_low(self) -> float:
        return self.turning_point - Z95 * self.tp_se

    @property
    def tp_high(self) -> float:
        return self.turning_point + Z95 * self.tp_se

    @property
    def inside(self) -> bool:
        """The whole 95% interval of the turning point lies strictly inside [x_min, x_max]."""
        lo, hi = self.tp_low, self.tp_high
        return bool(math.isfinite(lo) and math.isfinite(hi) and self.x_min < lo and hi < self.x_max)

    def shape(self, alpha: float) -> str:
        """``inverted_u`` (b2 < 0, p < alpha, turning-point interval inside the range),
        ``concave_outside`` (b2 < 0, p < alpha, interval not inside the range), ``u`` (b2 > 0,
        p < alpha), ``no_curvature`` (p >= alpha or not estimable)."""
        if not (math.isfinite(self.p_b2) and self.p_b2 < alpha):
            return "no_curvature"
        if self.b2 > 0:
            return "u"
        return "inverted_u" if self.inside else "concave_outside"

    def curve(self, x) -> np.ndarray:
        """The fixed-effects fit on the scale of :func:`within_points`: grand mean of y plus
        b1 (c - mean c) + b2 (c^2 - mean c^2), c = x - xbar (exact for a balanced panel)."""
        c = np.asarray(x, dtype=float) - self.x_mean
        return self.y_mean + self.b1 * c + self.b2 * (c**2 - self.c2_mean)

    def band(self, x) -> np.ndarray:
        """Half-width of the 95% band of :meth:`curve` (normal; the grand mean taken as fixed)."""
        c = np.asarray(x, dtype=float) - self.x_mean
        g = np.column_stack([c, c**2 - self.c2_mean])
        var = np.einsum("ij,jk,ik->i", g, np.asarray(self.cov), g)
        return Z95 * np.sqrt(np.clip(var, 0, None))

    def to_dict(self) -> dict[str, float | int | bool]:
        """JSON-friendly numbers (plain floats and ints; NaN for what is not estimable)."""
        return {
            "b1": self.b1,
            "se_b1": self.se_b1,
            "p_b1": self.p_b1,
            "b2": self.b2,
            "se_b2": self.se_b2,
            "p_b2": self.p_b2,
            "x_mean": self.x_mean,
            "turning_point": self.turning_point,
            "turning_point_se": self.tp_se,
            "turning_point_low": self.tp_low,
            "turning_point_high": self.tp_high,
            "x_min": self.x_min,
            "x_max": self.x_max,
            "inside": self.inside,
            "n_obs": self.n_obs,
            "n_industries": self.n_groups,
            "n_integration_values": self.n_x,
            "break_shift": self.break_shift,
            "break_se": self.break_se,
            "break_p": self.break_p,
        }


@dataclass(frozen=True)
class PanelSlope:
    """Fixed-effects slope of a metric on integration, clustered by group."""

    slope: float
    se: float
    p: float
    x_mean: float
    y_mean: float
    n_obs: int
    n_groups: int
    break_shift: float = math.nan
    break_se: float = math.nan
    break_p: float = math.nan

    def rises(self, alpha: float) -> bool:
        return bool(self.slope > 0 and self.p < alpha)

    def line(self, x) -> np.ndarray:
        """The fit on the scale of :func:`within_points` (grand mean + slope (x - xbar))."""
        return self.y_mean + self.slope * (np.asarray(x, dtype=float) - self.x_mean)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "slope": self.slope,
            "se": self.se,
            "p": self.p,
            "n_obs": self.n_obs,
            "n_regions": self.n_groups,
            "break_shift": self.break_shift,
            "break_se": self.break_se,
            "break_p": self.break_p,
        }


def turning_point_delta(b1: float, b2: float, cov) -> tuple[float, float]:
    """c* = -b1/(2 b2) and its delta-method standard error sqrt(g' V g), g = (-1/(2 b2), b1/(2 b2^2))."""
    if not (math.isfinite(b1) and math.isfinite(b2)) or b2 == 0:
        return math.nan, math.nan
    g = np.array([-1.0 / (2 * b2), b1 / (2 * b2**2)])
    var = float(g @ np.asarray(cov, dtype=float) @ g)
    return -b1 / (2 * b2), math.sqrt(var) if var >= 0 else math.nan


def panel_sample(d: pd.DataFrame, y: str, x: str, group: str) -> pd.DataFrame:
    """The estimation sample: rows (all columns kept) with finite ``x`` and ``y`` of groups seen at least twice."""
    d = d.dropna(subset=[group, x, y])
    d = d[np.isfinite(d[x].to_numpy(float)) & np.isfinite(d[y].to_numpy(float))]
    # a group seen once carries no within variation (pyfixest drops such singletons' information anyway)
    return d[d.groupby(group)[y].transform("size") > 1].reset_index(drop=True)


def _feols(fml: str, d: pd.DataFrame, group: str):
    import pyfixest as pf

    return pf.feols(fml, data=d, vcov={"CRV1": group})


def _break_dummy(data: pd.DataFrame, d: pd.DataFrame, break_year: int | None) -> str:
    """Add ``post`` (1 from ``break_year`` on) to ``data`` when both sides of the break are in the
    sample; returns the formula term (``" + post"`` or ``""``)."""
    if break_year is None or "year" not in d.columns:
        return ""
    post = (d["year"].astype(int) >= int(break_year)).astype(float).to_numpy()
    if post.min() == post.max():
        return ""
    data["post"] = post
    return " + post"


def _break_numbers(fit, term: str) -> dict[str, float]:
    if not term:
        return {}
    return {
        "break_shift": float(fit.coef()["post"]),
        "break_se": float(fit.se()["post"]),
        "break_p": float(fit.pvalue()["post"]),
    }


def panel_quadratic(
    d: pd.DataFrame,
    *,
    y: str = "value",
    x: str = "integration",
    group: str = "industry",
    break_year: int | None = None,
):
    """Fit the model of the module docstring on ``d`` (columns ``group``, ``x``, ``y``; ``year``
    for the post-``break_year`` dummy)."""
    d = panel_sample(d, y, x, group)
    xm = float(d[x].mean())
    data = pd.DataFrame({"g": d[group].astype(str), "y": d[y].astype(float), "c": d[x].astype(float) - xm})
    data["c2"] = data["c"] ** 2
    term = _break_dummy(data, d, break_year)
    fit = _feols(f"y ~ c + c2{term} | g", data, "g")
    coef, se, p = fit.coef(), fit.se(), fit.pvalue()
    cov = np.asarray(fit._vcov, dtype=float)[:2, :2]
    b1, b2 = float(coef["c"]), float(coef["c2"])
    c_star, tp_se = turning_point_delta(b1, b2, cov)
    return PanelQuadratic(
        b1=b1,
        b2=b2,
        se_b1=float(se["c"]),
        se_b2=float(se["c2"]),
        p_b1=float(p["c"]),
        p_b2=float(p["c2"]),
        cov=((cov[0, 0], cov[0, 1]), (cov[1, 0], cov[1, 1])),
        x_mean=xm,
        c2_mean=float(data["c2"].mean()),
        y_mean=float(data["y"].mean()),
        x_min=float(d[x].min()),
        x_max=float(d[x].max()),
        turning_point=xm + c_star,
        tp_se=tp_se,
        n_obs=len(data),
        n_groups=int(data["g"].nunique()),
        n_x=int(d[x].nunique()),
        **_break_numbers(fit, term),
    )


def panel_slope(
    d: pd.DataFrame,
    *,
    y: str = "value",
    x: str = "integration",
    group: str = "region",
    break_year: int | None = None,
) -> PanelSlope:
    """``feols("y ~ x [+ post] | group", vcov={"CRV1": group})``: the within-group slope on
    integration (with the post-``break_year`` level shift when both sides are in the sample)."""
    d = panel_sample(d, y, x, group)
    data = pd.DataFrame({"g": d[group].astype(str), "y": d[y].astype(float), "x": d[x].astype(float)})
    term = _break_dummy(data, d, break_year)
    fit = _feols(f"y ~ x{term} | g", data, "g")
    return PanelSlope(
        slope=float(fit.coef()["x"]),
        se=float(fit.se()["x"]),
        p=float(fit.pvalue()["x"]),
        x_mean=float(data["x"].mean()),
        y_mean=float(data["y"].mean()),
        n_obs=len(data),
        n_groups=int(data["g"].nunique()),
        **_break_numbers(fit, term),
    )


def within_points(d: pd.DataFrame, *, y: str = "value", group: str = "industry") -> pd.Series:
    """y_it - mean_i(y) + mean(y): the within-group values plus the grand mean, the scale on which
    the fixed-effects fit (:meth:`PanelQuadratic.curve`) is drawn."""
    v = d[y].astype(float)
    return v - v.groupby(d[group]).transform("mean") + v.mean()
