"""C1 on industry-year panels (yrd.claims.c1, yrd.claims.c1_panel): known answers, statsmodels
equivalence, verdict cases and invariance to the units of integration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.claim_configs import C1_CFG
from yrd import claims as C
from yrd.claims.c1_panel import panel_quadratic, panel_slope, turning_point_delta, within_points

ALPHA = 0.05
YEARS = np.arange(1998, 2014)
CFG = C1_CFG


def _x(lo=1.0, hi=2.0):
    """A measured-looking integration path: increasing, unevenly spaced."""
    u = np.linspace(0, 1, len(YEARS))
    return lo + (hi - lo) * (u + 0.15 * np.sin(3 * u)) / (1 + 0.15 * np.sin(3))


def _panel(f, x, n_ind=30, sd=0.01, seed=0, metric="ellison_glaeser"):
    """Industry-year panel y_it = a_i + f(x_t) + e_it."""
    rng = np.random.default_rng(seed)
    a = rng.normal(0, 0.2, n_ind)
    rows = [
        (int(t), f"{i:02d}", metric, a[i] + f(xt) + rng.normal(0, sd), xt)
        for i in range(n_ind)
        for t, xt in zip(YEARS, x, strict=True)
    ]
    return pd.DataFrame(rows, columns=["year", "industry", "metric", "value", "integration"])


def _spec(slope, x, n_reg=16, sd=0.01, seed=1):
    rng = np.random.default_rng(seed)
    b = rng.normal(0.5, 0.1, n_reg)
    rows = [
        (int(t), f"r{r:02d}", b[r] + slope * xt + rng.normal(0, sd), xt)
        for r in range(n_reg)
        for t, xt in zip(YEARS, x, strict=True)
    ]
    return pd.DataFrame(rows, columns=["year", "region", "value", "integration"])


def _conc(f_eg, f_gini, x, **kw):
    return pd.concat(
        [_panel(f_eg, x, metric="ellison_glaeser", **kw), _panel(f_gini, x, metric="locational_gini", seed=7, **kw)],
        ignore_index=True,
    )


def inv_u(x):
    return -0.4 * (x - 1.5) ** 2


# ------------------------------------------------------------------------------ estimator
def test_recovers_b2_and_turning_point_of_a_known_inverted_u():
    x = _x()
    f = panel_quadratic(_panel(inv_u, x, sd=0.01))
    assert f.b2 == pytest.approx(-0.4, abs=4 * f.se_b2)
    assert f.b2 == pytest.approx(-0.4, rel=0.05)
    assert f.turning_point == pytest.approx(1.5, abs=0.01)
    assert f.tp_low < 1.5 < f.tp_high
    assert f.inside and f.shape(ALPHA) == "inverted_u"
    assert (f.n_groups, f.n_obs, f.n_x) == (30, 30 * len(YEARS), len(YEARS))


def test_delta_method_gradient():
    """se(c*) = sqrt(g' V g), g = (-1/(2 b2), b1/(2 b2^2)), checked against a numerical gradient."""
    b1, b2, V = 0.3, -0.5, np.array([[0.01, 0.002], [0.002, 0.04]])
    c, se = turning_point_delta(b1, b2, V)
    h = 1e-7
    g = np.array(
        [(-(b1 + h) / (2 * b2) - c) / h, (-b1 / (2 * (b2 + h)) - c) / h],
    )
    assert c == pytest.approx(0.3)
    assert se == pytest.approx(np.sqrt(g @ V @ g), rel=1e-5)
    assert np.isnan(turning_point_delta(1.0, 0.0, V)[0])


def test_matches_statsmodels_ols_with_industry_dummies_and_cluster_covariance():
    """Coefficients equal statsmodels OLS with industry dummies. Covariance: statsmodels
    ``cov_type="cluster"`` with ``use_correction=True`` multiplies by G/(G-1) (N-1)/(N-K) with K
    counting every dummy (K = G + 2), and ``df_correction=True`` takes t with G-1 df: that is
    pyfixest CRV1 with ``ssc(k_fixef="full")`` exactly. pyfixest's default CRV1 (the claim's,
    ``k_fixef="nonnested"``: fixed effects nested in the clusters count as one parameter, k = 3)
    equals statsmodels' covariance times (N-K)/(N-3), and equals statsmodels exactly on the
    industry-demeaned data with a constant (K = 3)."""
    sm = pytest.importorskip("statsmodels.api")
    pf = pytest.importorskip("pyfixest")
    d = _panel(inv_u, _x(), sd=0.05, n_ind=12)
    f = panel_quadratic(d)
    data = d.assign(c=d["integration"] - d["integration"].mean())
    data["c2"] = data["c"] ** 2
    groups = pd.factorize(data["industry"])[0]
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups, "use_correction": True, "df_correction": True}}
    dummies = pd.get_dummies(data["industry"], prefix="ind", drop_first=True, dtype=float)
    m = sm.OLS(data["value"], sm.add_constant(pd.concat([data[["c", "c2"]], dummies], axis=1))).fit(use_t=True, **kw)
    assert f.b1 == pytest.approx(m.params["c"], abs=1e-6)
    assert f.b2 == pytest.approx(m.params["c2"], abs=1e-6)
    n, g = len(data), data["industry"].nunique()
    v_sm = m.cov_params().loc[["c", "c2"], ["c", "c2"]].to_numpy()
    assert np.asarray(f.cov) == pytest.approx(v_sm * (n - g - 2) / (n - 3), abs=1e-6, rel=1e-6)
    full = pf.feols("value ~ c + c2 | industry", data=data, vcov={"CRV1": "industry"}, ssc=pf.ssc(k_fixef="full"))
    assert full.se().to_numpy() == pytest.approx(m.bse[["c", "c2"]].to_numpy(), rel=1e-6)
    assert full.pvalue().to_numpy() == pytest.approx(m.pvalues[["c", "c2"]].to_numpy(), rel=1e-6, abs=1e-12)
    within = data.assign(**{k: data[k] - data.groupby("industry")[k].transform("mean") for k in ("value", "c", "c2")})
    w = sm.OLS(within["value"], sm.add_constant(within[["c", "c2"]])).fit(use_t=True, **kw)
    assert f.se_b1 == pytest.approx(w.bse["c"], rel=1e-6)
    assert f.se_b2 == pytest.approx(w.bse["c2"], rel=1e-6)
    assert f.p_b2 == pytest.approx(w.pvalues["c2"], rel=1e-6, abs=1e-12)


def test_within_points_carry_the_fixed_effects_fit():
    d = _panel(inv_u, _x(), sd=0.0)
    f = panel_quadratic(d.assign(value=d["value"] + 1e-9 * np.sin(np.arange(len(d)))))
    pts = within_points(d)
    assert pts.to_numpy() == pytest.approx(f.curve(d["integration"]), abs=1e-6)


# -------------------------------------------------------------------------------- verdicts
def _claim(conc, spec):
    return C.claim_c1(conc, spec, CFG, ALPHA, "test")


def test_supported_for_an_inverted_u_inside_the_range_and_rising_specialisation():
    x = _x()
    r = _claim(_conc(inv_u, lambda z: -0.2 * (z - 1.4) ** 2, x), _spec(0.1, x))
    assert r.verdict == "supported", r.value
    d = r.details["metrics"]["ellison_glaeser"]
    assert d["shape"] == "inverted_u" and d["n_industries"] == 30 and d["n_obs"] == 30 * len(YEARS)
    assert r.details["specialisation"]["rises"]
    for word in ("b1=", "b2=", "s.e.", "turning point", "[95%", "30 industries", "480 obs", "specialisation slope"):
        assert word in r.value
    import json

    json.dumps(r.details)


def test_partly_supported_for_a_concave_fit_with_turning_point_outside_the_range():
    x = _x(0.0, 1.0)
    r = _claim(_conc(lambda z: z - 0.3 * z**2, lambda z: 0.5 * z - 0.2 * z**2, x), _spec(0.1, x))
    assert r.verdict == "partly supported", r.value
    assert r.details["metrics"]["ellison_glaeser"]["shape"] == "concave_outside"
    assert "not inside" in r.notes


def test_partly_supported_when_metrics_disagree_or_specialisation_does_not_rise():
    x = _x()
    disagree = _claim(_conc(inv_u, lambda z: 0.1 * z, x), _spec(0.1, x))
    assert disagree.verdict == "partly supported" and "disagree" in disagree.notes
    flat_spec = _claim(_conc(inv_u, inv_u, x), _spec(0.0, x))
    assert flat_spec.verdict == "partly supported" and "specialisation does not rise" in flat_spec.notes


def test_not_supported_for_u_shape_or_flat_concentration():
    x = _x()
    u = _claim(_conc(lambda z: 0.4 * (z - 1.5) ** 2, lambda z: 0.3 * (z - 1.4) ** 2, x), _spec(0.1, x))
    flat = _claim(_conc(lambda z: 0 * z, lambda z: 0 * z, x), _spec(0.1, x))
    assert u.verdict == "not supported" and u.details["metrics"]["ellison_glaeser"]["shape"] == "u"
    assert flat.verdict == "not supported"


def test_inconclusive_with_too_few_integration_values_or_industries_and_no_data_without_rows():
    x = _x()
    few_ind = _claim(_conc(inv_u, inv_u, x, n_ind=3), _spec(0.1, x))
    assert few_ind.verdict == "inconclusive" and "clusters" in few_ind.notes
    const = _claim(_conc(inv_u, inv_u, np.full(len(YEARS), 1.0)), _spec(0.1, x))
    assert const.verdict == "inconclusive" and "no curve" in const.notes
    empty = _claim(_conc(inv_u, inv_u, x).iloc[:0], _spec(0.1, x))
    assert empty.verdict == "no data"


def test_invariant_to_units_and_offset_of_integration():
    x = _x()
    conc, spec = _conc(inv_u, lambda z: -0.2 * (z - 1.4) ** 2, x), _spec(0.1, x)
    a = _claim(conc, spec)
    b = _claim(
        conc.assign(integration=1000 + 10 * conc["integration"]),
        spec.assign(integration=1000 + 10 * spec["integration"]),
    )
    assert a.verdict == b.verdict == "supported"
    for m in CFG["metrics"]:
        da, db = a.details["metrics"][m], b.details["metrics"][m]
        assert (db["turning_point"] - 1000) / 10 == pytest.approx(da["turning_point"], rel=1e-9)
        assert (db["turning_point_low"] - 1000) / 10 == pytest.approx(da["turning_point_low"], rel=1e-9)
        assert db["p_b2"] == pytest.approx(da["p_b2"], rel=1e-9)
        assert db["b2"] * 100 == pytest.approx(da["b2"], rel=1e-9)


def test_break_dummy_matches_statsmodels_and_absorbs_a_level_shift():
    """With ``break_year`` the model carries post = 1[t >= 2011]: coefficients equal statsmodels
    OLS with industry dummies and the dummy; the clustered s.e. equal statsmodels on the
    industry-demeaned data with a constant (the claim's CRV1, fixed effects nested in clusters
    counted as one parameter, see the test above). A pure level shift at the break is absorbed by
    the dummy instead of bending the curve."""
    sm = pytest.importorskip("statsmodels.api")
    x = _x()
    d = _panel(lambda v: 0.05 * v, x, sd=0.01, n_ind=12)
    d.loc[d["year"] >= 2011, "value"] += 0.3  # the survey's sample break, not economics
    naive = panel_quadratic(d)
    f = panel_quadratic(d, break_year=2011)
    assert f.break_shift == pytest.approx(0.3, abs=4 * f.break_se)
    assert abs(f.b2) < abs(naive.b2)
    data = d.assign(c=d["integration"] - d["integration"].mean(), post=(d["year"] >= 2011).astype(float))
    data["c2"] = data["c"] ** 2
    dummies = pd.get_dummies(data["industry"], prefix="ind", drop_first=True, dtype=float)
    m = sm.OLS(data["value"], sm.add_constant(pd.concat([data[["c", "c2", "post"]], dummies], axis=1))).fit()
    for mine, theirs in ((f.b1, "c"), (f.b2, "c2"), (f.break_shift, "post")):
        assert mine == pytest.approx(m.params[theirs], abs=1e-6)
    groups = pd.factorize(data["industry"])[0]
    kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups, "use_correction": True, "df_correction": True}}
    cols = ("value", "c", "c2", "post")
    within = data.assign(**{k: data[k] - data.groupby("industry")[k].transform("mean") for k in cols})
    w = sm.OLS(within["value"], sm.add_constant(within[["c", "c2", "post"]])).fit(use_t=True, **kw)
    # statsmodels counts K = 4 (constant, c, c2, post) where pyfixest counts k = 4 (c, c2, post and
    # the nested fixed effects as one): the same correction
    assert f.se_b2 == pytest.approx(w.bse["c2"], rel=1e-6)
    assert f.break_se == pytest.approx(w.bse["post"], rel=1e-6)
    assert f.break_p == pytest.approx(w.pvalues["post"], rel=1e-6, abs=1e-12)
    # a period on one side of the break: no dummy
    early = panel_quadratic(d[d["year"] < 2011], break_year=2011)
    assert np.isnan(early.break_shift)


def test_specialisation_slope_with_break_dummy_matches_statsmodels():
    sm = pytest.importorskip("statsmodels.api")
    x = _x()
    s = _spec(0.2, x)
    s.loc[s["year"] >= 2011, "value"] -= 0.1
    f = panel_slope(s, break_year=2011)
    data = s.assign(post=(s["year"] >= 2011).astype(float))
    dummies = pd.get_dummies(data["region"], prefix="r", drop_first=True, dtype=float)
    m = sm.OLS(data["value"], sm.add_constant(pd.concat([data[["integration", "post"]], dummies], axis=1))).fit()
    assert f.slope == pytest.approx(m.params["integration"], abs=1e-6)
    assert f.break_shift == pytest.approx(m.params["post"], abs=1e-6)
    assert f.break_shift == pytest.approx(-0.1, abs=4 * f.break_se)
