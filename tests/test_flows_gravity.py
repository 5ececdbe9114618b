"""PPML gravity (yrd.flows.gravity): design check against the synthetic world's logit, pyfixest
against a dummy-variable Poisson GLM, separation, exact adding-up of fitted flows."""

import time

import numpy as np
import pandas as pd
import pytest

from helpers.gravity_world import small_world
from yrd.flows import (
    adding_up,
    balance_fixed_effects,
    estimate_gravity,
    fit_ppml,
    fitted_cells,
    period_of,
    simulate_logit_flows,
    zero_fe_cells,
)


def test_design_check_logit_flows_recover_coefficients_within_one_percent():
    """41 places, 16 years, 5 classes, origin and destination effects by class x year: flows
    drawn from the multinomial logit of the synthetic world; the pooled PPML recovers both
    coefficients within 1 % in seconds."""
    t0 = time.perf_counter()
    f = simulate_logit_flows(n_places=41, n_years=16, n_classes=5, beta_log_distance=-1.3, beta_border=-0.7, seed=7)
    r = fit_ppml(f)
    elapsed = time.perf_counter() - t0
    est = dict(zip(r.terms, r.estimate))
    se = dict(zip(r.terms, r.std_error))
    print(
        f"design check: {len(f)} cells, {int(f['moves'].sum())} moves, {elapsed:.1f} s; "
        f"log_distance {est['log_distance']:.4f} ({se['log_distance']:.4f}), border {est['border']:.4f} "
        f"({se['border']:.4f})"
    )
    assert len(f) == 41 * 40 * 16 * 5
    assert abs(est["log_distance"] / -1.3 - 1) < 0.01
    assert abs(est["border"] / -0.7 - 1) < 0.01
    assert r.converged
    assert elapsed < 60


def _dummy_design(f):
    """Regressors, all origin-group dummies, destination-group dummies without the first
    destination of each (group, period) block (identification)."""
    X = [f[["log_distance", "border"]].to_numpy(float)]
    og = pd.get_dummies(f["og"]).to_numpy(float)
    dg = pd.get_dummies(f["dg"])
    first = f.groupby(["group", "period"])["dg"].min().to_numpy()
    dg = dg.drop(columns=list(first)).to_numpy(float)
    return np.hstack([*X, og, dg])


def _newton_poisson(X, y, iters=100):
    b = np.zeros(X.shape[1])
    b[2:] = np.log(y.mean())
    for _ in range(iters):
        mu = np.exp(X @ b)
        step = np.linalg.solve(X.T @ (mu[:, None] * X), X.T @ (y - mu))
        b += step
        if np.max(np.abs(step)) < 1e-13:
            break
    return b, np.exp(X @ b)


def test_fepois_equals_dummy_variable_poisson_by_newton():
    f = small_world()
    r = fit_ppml(f)
    X, y = _dummy_design(f), f["moves"].to_numpy(float)
    b, mu = _newton_poisson(X, y)
    np.testing.assert_allclose(r.estimate, b[:2], rtol=1e-6)
    np.testing.assert_allclose(r.cells["fitted"].to_numpy(), mu, rtol=1e-6, atol=1e-8)


def test_fepois_equals_statsmodels_poisson_glm_with_dummies():
    sm = pytest.importorskip("statsmodels.api", reason="statsmodels is a test-only dependency")
    import pyfixest as pf

    f = small_world(seed=5)
    X, y = _dummy_design(f), f["moves"].to_numpy(float)
    glm = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-13)
    r = fit_ppml(f)
    np.testing.assert_allclose(r.estimate, glm.params[:2], rtol=1e-6)
    np.testing.assert_allclose(r.cells["fitted"].to_numpy(), glm.fittedvalues, rtol=1e-6)
    # iid standard errors: the same information matrix (without pyfixest's small-sample factor)
    iid = pf.fepois(
        "moves ~ log_distance + border | og + dg",
        data=f,
        vcov="iid",
        iwls_tol=1e-12,
        ssc=pf.ssc(k_adj=False, G_adj=False),
    )
    np.testing.assert_allclose(iid.se().to_numpy(), glm.bse[:2], rtol=1e-4)


def test_separation_destination_with_only_zeros_is_reported_and_estimates_stay_finite():
    f = small_world(seed=11, zero_dest="340100")
    r = fit_ppml(f)
    n_zero = int((f["dest"] == "340100").sum())  # 6 origins x 2 years x 2 classes
    assert n_zero == 24
    assert r.n_separated == n_zero
    assert int(zero_fe_cells(f["moves"], f["og"], f["dg"]).sum()) == n_zero
    assert r.n_obs == len(f) - n_zero
    assert np.isfinite(r.estimate).all() and np.isfinite(r.std_error).all()
    # the same estimates as on the data without the separated cells
    r2 = fit_ppml(f[f["dest"] != "340100"])
    np.testing.assert_allclose(r.estimate, r2.estimate, rtol=1e-8)
    sep = r.cells["separated"].to_numpy()
    assert (r.cells.loc[sep, "fitted"] == 0).all() and r.cells.loc[sep, "log_fe"].isna().all()


def test_baseline_fitted_flows_add_up_to_observed_totals_by_fixed_effect_group():
    f = small_world(seed=2, n=9, years=3, classes=("labour", "port", "urban"), zero_dest="340200")
    table, fits = estimate_gravity(f, classes=["labour", "port", "urban"])
    cells = fitted_cells(f, fits["pooled"], ["log_distance", "border"])
    assert adding_up(cells) < 1e-8
    assert cells["fitted"].sum() == pytest.approx(cells["moves"].sum(), rel=1e-12)
    assert list(table.columns[:6]) == ["model", "term", "estimate", "std_error", "n_obs", "n_separated"]
    assert set(table["model"]) == {"pooled", "labour", "port", "urban"}
    assert (table.loc[table["model"] == "pooled", "n_separated"] == 8 * 3 * 3).all()


def test_balance_fixed_effects_matches_pyfixest_fitted_values():
    f = small_world(seed=4)
    r = fit_ppml(f)
    xb = f[["log_distance", "border"]].to_numpy() @ r.estimate
    log_fe, mu = balance_fixed_effects(f["moves"], xb, f["og"].to_numpy(), f["dg"].to_numpy())
    np.testing.assert_allclose(mu, np.exp(log_fe + xb))
    np.testing.assert_allclose(np.bincount(f["og"], weights=mu), np.bincount(f["og"], weights=f["moves"]), rtol=1e-11)


def test_model_without_moves_is_reported_not_fatal():
    f = small_world()
    f["moves"] = 0
    r = fit_ppml(f)
    assert np.isnan(r.estimate).all() and r.n_obs == 0 and r.n_separated == len(f) and "no moves" in r.note


def test_period_of():
    assert list(period_of([1998, 1999, 2000, 2001, 2002], 1998, 2)) == [1998, 1998, 2000, 2000, 2002]
    assert list(period_of([1998, 2013], 1998, 1)) == [1998, 2013]
    with pytest.raises(ValueError):
        period_of([2000], 1998, 0)
