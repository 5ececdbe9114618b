"""yrd.claims.stats (pyfixest) against statsmodels on the same tables.

Matching options, checked to a relative difference of 1e-6:

* classical errors (pyfixest ``vcov="iid"``) = statsmodels ``OLS(...).fit()`` (s^2 = e'e/(n - k));
* Newey-West (pyfixest ``vcov="NW"``, Bartlett kernel, ``lag`` L) = statsmodels
  ``fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})``: both multiply the
  HAC sandwich by the small-sample factor n/(n - k) (``use_correction=False`` omits it);
* p-values: t with n - k degrees of freedom, statsmodels ``use_t=True`` (pyfixest's own NW
  p-values use n - 1, so the module recomputes them);
* Poisson trend (pyfixest ``fepois``, ``vcov="hetero"``) = statsmodels ``GLM(family=Poisson())``
  with ``cov_type="HC0"`` times sqrt(n/(n - k)) (pyfixest's small-sample factor; statsmodels'
  GLM applies none, and its ``HC1`` is the same as HC0 for GLM), offset passed as ``offset``.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from yrd.claims import stats as S

REL = 1e-6
YEARS = np.arange(1998, 2014, dtype=float)


def _rel(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def _series(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = YEARS - YEARS.mean()
    e = np.zeros(len(t))
    for i in range(len(t)):  # AR(1) errors, so that the HAC correction matters
        e[i] = (0.6 * e[i - 1] if i else 0.0) + rng.normal(0, 0.02)
    return YEARS.copy(), 0.5 + 0.01 * t - 0.0015 * t**2 + e


def _sm_ols(y, X, se: str, lags: int | None):
    if se == "classical":
        return sm.OLS(y, X).fit(use_t=True)
    return sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)


@pytest.mark.parametrize(("se", "lags"), [("classical", None), ("hac", 0), ("hac", 1), ("hac", 2), ("hac", 4)])
def test_linear_trend_equals_statsmodels(se, lags):
    x, y = _series()
    tr = S.linear_trend(x, y, se=se, lags=lags)
    ref = _sm_ols(y, sm.add_constant(x - x.mean()), se, lags if lags is not None else 0)
    assert _rel(tr.slope, ref.params[1]) < REL
    assert _rel(tr.se, ref.bse[1]) < REL
    assert _rel(tr.p, ref.pvalues[1]) < REL
    assert _rel(tr.intercept, ref.params[0] - ref.params[1] * x.mean()) < REL


def test_linear_trend_default_lags_are_newey_west_rule():
    x, y = _series(3)
    L = S.newey_west_lags(len(x))
    assert L == 2
    ref = _sm_ols(y, sm.add_constant(x - x.mean()), "hac", L)
    assert _rel(S.linear_trend(x, y).se, ref.bse[1]) < REL


@pytest.mark.parametrize(("se", "lags"), [("classical", None), ("hac", 2), ("hac", 3)])
def test_quadratic_fit_equals_statsmodels(se, lags):
    x, y = _series(11)
    f = S.quadratic_fit(x, y, se=se, lags=lags)
    xc = x - x.mean()
    ref = _sm_ols(y, np.column_stack([np.ones_like(xc), xc, xc**2]), se, lags)
    assert _rel([f.c0, f.c1, f.c2], ref.params) < REL
    assert _rel(f.centred.se, ref.bse) < REL
    assert _rel(f.centred.p, ref.pvalues) < REL
    assert _rel(f.p_b2, ref.pvalues[2]) < REL
    assert _rel(f.turning_point, x.mean() - ref.params[1] / (2 * ref.params[2])) < REL
    # the original-scale coefficients, on a well-conditioned x (0..15) where raw OLS is exact
    x0 = x - 1998
    ref0 = _sm_ols(y, np.column_stack([np.ones_like(x0), x0, x0**2]), se, lags)
    f0 = S.quadratic_fit(x0, y, se=se, lags=lags)
    assert _rel([f0.b0, f0.b1, f0.b2], ref0.params) < REL
    assert _rel(f0.ols.se, ref0.bse) < REL
    assert _rel(f0.ols.p, ref0.pvalues) < REL


@pytest.mark.parametrize("se", ["classical", "hac"])
def test_quadratic_in_raw_calendar_years_equals_years_since_1998(se):
    """The review's ill-conditioned case: x = 1998..2013 and x^2 are nearly collinear (the old
    pinv code gave a wrong fit); centring gives the same fit, p-value and turning point as on
    x - 1998, shifted by 1998."""
    x, y = _series(5)
    raw = S.quadratic_fit(x, y, se=se)
    shifted = S.quadratic_fit(x - 1998, y, se=se)
    assert _rel(raw.predict(x), shifted.predict(x - 1998)) < 1e-9
    assert _rel(raw.b2, shifted.b2) < 1e-9
    assert _rel(raw.p_b2, shifted.p_b2) < 1e-9
    assert _rel(raw.turning_point, shifted.turning_point + 1998) < 1e-9
    assert raw.x_min == 1998 and raw.x_max == 2013
    xs = x - 1998
    ref = _sm_ols(y, np.column_stack([np.ones_like(xs), xs, xs**2]), se, S.newey_west_lags(16))
    assert _rel(raw.p_b2, ref.pvalues[2]) < REL
    assert _rel(raw.turning_point, 1998 - ref.params[1] / (2 * ref.params[2])) < REL
    assert _rel(raw.band(x), shifted.band(xs)) < 1e-9


def test_ols_hac_equals_statsmodels_with_correction_not_without():
    x, y = _series(2)
    X = sm.add_constant(x - x.mean())
    res = S.ols(y, X, se="hac", lags=2)
    with_c = _sm_ols(y, X, "hac", 2)
    without = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": False})
    assert _rel(res.coef, with_c.params) < REL
    assert _rel(res.se, with_c.bse) < REL
    assert _rel(res.cov, with_c.cov_params()) < REL
    assert _rel(res.se, without.bse * np.sqrt(16 / 14)) < REL


def _counts(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(2000, 2016, dtype=float)
    mu = 20 * np.exp(0.08 * (t - 2000))
    return t, rng.negative_binomial(5, 5 / (5 + mu)).astype(float)  # overdispersed counts


def test_poisson_trend_equals_statsmodels_glm_robust():
    t, y = _counts()
    tr = S.poisson_trend(y, t)
    n, k = len(y), 2
    ref = sm.GLM(y, sm.add_constant(t - t.mean()), family=sm.families.Poisson()).fit(
        cov_type="HC0", use_t=True, tol=1e-14
    )
    assert _rel(tr.slope, ref.params[1]) < REL
    assert _rel(tr.intercept, ref.params[0] - ref.params[1] * t.mean()) < REL
    assert _rel(tr.se, ref.bse[1] * np.sqrt(n / (n - k))) < REL
    assert _rel(tr.p, 2 * stats.t.sf(abs(ref.params[1] / (ref.bse[1] * np.sqrt(n / (n - k)))), n - k)) < REL
    pearson = np.sum((y - ref.mu) ** 2 / ref.mu) / (n - k)
    assert _rel(tr.dispersion, pearson) < REL
    assert tr.dispersion > 1  # the counts are overdispersed


def test_poisson_trend_with_exposure_equals_statsmodels_offset():
    t, y = _counts(4)
    expo = np.linspace(1.0, 2.5, len(t))
    tr = S.poisson_trend(y, t, exposure=expo)
    n = len(y)
    ref = sm.GLM(y, sm.add_constant(t - t.mean()), family=sm.families.Poisson(), offset=np.log(expo)).fit(
        cov_type="HC0", tol=1e-14
    )
    assert _rel(tr.slope, ref.params[1]) < REL
    assert _rel(tr.se, ref.bse[1] * np.sqrt(n / (n - 2))) < REL


def test_poisson_trend_refuses_empty_and_short_series():
    with pytest.raises(ValueError, match="count"):
        S.poisson_trend(np.zeros(5), np.arange(5))
    with pytest.raises(ValueError, match="three"):
        S.poisson_trend([1, 2], [0, 1])


def test_max_relative_difference_report(capsys):
    """Prints the largest relative difference over the comparisons above (read with -s)."""
    x, y = _series()
    diffs = []
    for se, lags in [("classical", None), ("hac", 2)]:
        f = S.quadratic_fit(x, y, se=se, lags=lags)
        xc = x - x.mean()
        ref = _sm_ols(y, np.column_stack([np.ones_like(xc), xc, xc**2]), se, lags)
        diffs += [_rel(f.centred.coef, ref.params), _rel(f.centred.se, ref.bse), _rel(f.centred.p, ref.pvalues)]
    t, c = _counts()
    tr = S.poisson_trend(c, t)
    g = sm.GLM(c, sm.add_constant(t - t.mean()), family=sm.families.Poisson()).fit(cov_type="HC0", tol=1e-14)
    diffs += [_rel(tr.slope, g.params[1]), _rel(tr.se, g.bse[1] * np.sqrt(len(c) / (len(c) - 2)))]
    print(f"max relative difference pyfixest vs statsmodels: {max(diffs):.2e}")
    assert max(diffs) < REL


def test_no_hand_written_estimator_left_in_claims():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1] / "yrd" / "claims"
    for path in root.glob("*.py"):
        text = path.read_text()
        for word in ("pinv", "lstsq", "np.linalg", "IRLS"):
            assert word not in text, f"{word} in {path.name}"


def test_break_dummy_absorbs_the_2011_level_shift_and_matches_statsmodels():
    import statsmodels.api as sm

    from yrd.claims.stats import linear_trend

    years = np.arange(1998, 2014, dtype=float)
    rng = np.random.default_rng(3)
    y = 0.5 + 0.002 * (years - 1998) + 0.2 * (years >= 2011) + rng.normal(0, 0.005, len(years))
    plain = linear_trend(years, y, se="hac", lags=2)
    tr = linear_trend(years, y, se="hac", lags=2, break_year=2011)
    assert plain.slope > 0.01  # the jump read as a trend
    assert tr.slope == pytest.approx(0.002, abs=0.001) and tr.break_shift == pytest.approx(0.2, abs=0.01)
    X = sm.add_constant(np.column_stack([years - years.mean(), (years >= 2011).astype(float)]))
    ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True}, use_t=True)
    assert tr.slope == pytest.approx(ref.params[1], rel=1e-6)
    assert tr.se == pytest.approx(ref.bse[1], rel=1e-6)
    assert tr.break_shift == pytest.approx(ref.params[2], rel=1e-6)
    assert tr.break_p == pytest.approx(ref.pvalues[2], rel=1e-6, abs=1e-12)
    assert tr.predict([2010.0, 2011.0])[1] - tr.predict([2010.0, 2011.0])[0] == pytest.approx(tr.slope + tr.break_shift)
    # fewer than two years after the break: no dummy
    assert linear_trend(years[:14], y[:14], break_year=2011).break_year is None
