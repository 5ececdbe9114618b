"""PPML gravity (yrd.flows.gravity): design check against the synthetic world's logit, pyfixest
against a dummy-variable Poisson GLM, separation, exact adding-up of fitted flows."""

import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from helpers.gravity_world import small_world
from yrd.flows import (
    adding_up,
    adding_up_codes,
    balance_fixed_effects,
    check_adding_up,
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
    # the same check on the frame's fixed-effect codes (what rule gravity runs)
    r = fits["pooled"]
    assert adding_up_codes(f["moves"], r.cells["fitted"], f["og"], f["dg"]) < 1e-8
    assert check_adding_up(f, r) < 1e-8
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


def _pyfixest_on_all_cells(f: pd.DataFrame, cluster: str = "pair"):
    """pyfixest fepois on every cell (singletons and separated cells dropped by pyfixest itself)."""
    import warnings

    import pyfixest as pf

    data = pd.DataFrame(
        {
            "y": f["moves"].to_numpy(dtype=float),
            "log_distance": f["log_distance"].to_numpy(dtype=float),
            "border": f["border"].to_numpy(dtype=float),
            "fe1": f["og"].to_numpy(),
            "fe2": f["dg"].to_numpy(),
            "cl": f[cluster].to_numpy(),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pf.fepois(
            "y ~ log_distance + border | fe1 + fe2",
            data=data,
            vcov={"CRV1": "cl"},
            separation_check=["fe"],
            iwls_tol=1e-10,
            iwls_maxiter=200,
        )


def _with_singletons(f: pd.DataFrame) -> pd.DataFrame:
    """``f`` plus cells of new origin groups with one cell each (singletons); one of them is the
    only positive cell of a new destination group, whose other cells (zeros) are separated only
    once the singleton is gone."""
    extra = f.iloc[:3].copy()
    extra["og"] = f["og"].max() + 1 + np.arange(3)  # three singleton origin groups
    extra["dg"] = [f["dg"].max() + 1, f["dg"].iloc[0], f["dg"].iloc[1]]
    extra["moves"] = [5, 0, 2]
    lonely = f.iloc[3:6].copy()  # zeros in the new destination group, in populated origin groups
    lonely["dg"] = f["dg"].max() + 1
    lonely["moves"] = 0
    return pd.concat([f, extra, lonely], ignore_index=True)


@pytest.mark.parametrize(
    "case",
    ["plain", "separated", "singletons", "sparse_logit"],
)
def test_fit_ppml_hands_pyfixest_its_sample_and_gets_identical_estimates(case):
    """fit_ppml passes pyfixest only the cells it estimates on (yrd.flows.fixed_effects.ppml_sample:
    singletons, then separated cells dropped beforehand): estimates, s.e., p-values, n_obs and
    the separation count are bit-for-bit those of pyfixest on all cells."""
    from yrd.flows.fixed_effects import ppml_sample

    f = {
        "plain": lambda: small_world(seed=5, n=9, years=3, classes=("labour", "port", "urban"), scale=2.0),
        "separated": lambda: small_world(seed=2, n=9, years=3, classes=("labour", "port", "urban"), zero_dest="340200"),
        "singletons": lambda: _with_singletons(small_world(seed=1, n=9, years=3, classes=("labour", "port"))),
        "sparse_logit": lambda: simulate_logit_flows(n_places=40, n_years=6, firms=(1, 4), seed=2),
    }[case]()
    keep, n_single, n_sep = ppml_sample(f["moves"], f["og"].to_numpy(), f["dg"].to_numpy())
    if case == "singletons":
        assert n_single == 3 and n_sep >= 3
    for cluster in ("pair", "undirected_pair"):
        ref = _pyfixest_on_all_cells(f, cluster)
        r = fit_ppml(f, cluster=cluster)
        assert np.array_equal(r.estimate, ref.coef().to_numpy())
        assert np.array_equal(r.std_error, ref.se().to_numpy())
        assert np.array_equal(r.p_value, ref.pvalue().to_numpy())
        assert r.n_obs == ref._N == int(keep.sum())
        assert r.n_separated == int(getattr(ref, "n_separation_na", 0) or 0) == n_sep


def test_write_fitted_cells_writes_the_file_of_to_parquet(tmp_path):
    """The fitted table written a row group at a time (yrd.flows.gravity.write_fitted_cells) is the
    file pandas writes in one go: byte for byte with pyarrow's row groups, the same table with
    smaller pieces, the same bytes with the pieces written on a second thread; also for a model
    whose cells are a subset of the frame."""
    from yrd.flows import write_fitted_cells

    f = small_world(seed=2, n=9, years=3, classes=("labour", "port", "urban"), zero_dest="340200")
    reg = ["log_distance", "border"]
    for r in (fit_ppml(f), fit_ppml(f[f["group"] == "port"], model="port")):
        whole = tmp_path / "whole.parquet"
        fitted_cells(f, r, reg).to_parquet(whole, index=False)
        write_fitted_cells(f, r, reg, tmp_path / "same.parquet")
        assert (tmp_path / "same.parquet").read_bytes() == whole.read_bytes()
        write_fitted_cells(f, r, reg, tmp_path / "pieces.parquet", chunk_rows=50)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "pieces.parquet"), pd.read_parquet(whole))
        # pieces written on a second thread while the next is built: the same bytes
        write_fitted_cells(f, r, reg, tmp_path / "threaded.parquet", chunk_rows=50, workers=2)
        assert (tmp_path / "threaded.parquet").read_bytes() == (tmp_path / "pieces.parquet").read_bytes()


def test_gravity_frame_codes_number_sorted_keys_as_multiindex_factorize():
    """The fixed-effect and cluster codes of gravity_frame (integer keys, no tuples) are those of
    pd.factorize(MultiIndex, sort=True) on the key columns."""
    f = simulate_logit_flows(n_places=12, n_years=3, n_classes=3, firms=(1, 5), seed=4)
    f = f.sample(frac=1.0, random_state=0).reset_index(drop=True)  # any row order
    for col, keys in {
        "og": ["origin", "group", "period"],
        "dg": ["dest", "group", "period"],
        "pair": ["origin", "dest"],
    }.items():
        ref = pd.factorize(pd.MultiIndex.from_frame(f[keys]), sort=True)[0]
        assert np.array_equal(f[col].to_numpy(), ref)
    lo = np.where(f["origin"] < f["dest"], f["origin"], f["dest"])
    hi = np.where(f["origin"] < f["dest"], f["dest"], f["origin"])
    ref = pd.factorize(pd.MultiIndex.from_arrays([lo, hi]), sort=True)[0]
    assert np.array_equal(f["undirected_pair"].to_numpy(), ref)


def test_sorted_codes_dense_and_sorting_paths_agree_with_numpy_unique():
    """_sorted_codes ranks small key ranges in one pass and falls back to np.unique for large
    ones; both give np.unique's inverse of the combined key."""
    from yrd.flows.fixed_effects import _sorted_codes

    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 5000):
        small = [rng.integers(0, 40, n), rng.integers(0, 5, n), rng.integers(0, 17, n)]  # dense path
        large = [rng.integers(0, 10**6, n), rng.integers(0, 10**6, n)]  # range 1e12: sorting path
        for codes in (small, large):
            key = np.zeros(n, dtype=np.int64)
            for c in codes:
                key = key * (int(c.max(initial=-1)) + 1) + c
            assert np.array_equal(_sorted_codes(*codes), np.unique(key, return_inverse=True)[1].reshape(-1))


def test_stalled_demeaning_is_retried_with_pyfixest_lsmr_demeaner(monkeypatch):
    """When pyfixest's default demeaner (alternating projections) stalls ("Demeaning failed"),
    fit_ppml estimates with pyfixest's LSMR demeaner and says so; the estimates equal the
    dummy-variable Poisson MLE (Newton, as above). On one of ten redraws of the default world's
    investment flows the default demeaner stalled and the pooled model had no estimate."""
    import pyfixest as pf

    f = small_world(seed=3)
    X, y = _dummy_design(f), f["moves"].to_numpy(float)
    b, _ = _newton_poisson(X, y)
    real, calls = pf.fepois, []

    def stalling(*args, **kw):
        calls.append(kw.get("demeaner"))
        if kw.get("demeaner") is None:
            raise ValueError("Demeaning failed after 10000 iterations.")
        return real(*args, **kw)

    monkeypatch.setattr(pf, "fepois", stalling)
    r = fit_ppml(f)
    assert calls[0] is None and type(calls[1]).__name__ == "LsmrDemeaner"
    assert r.converged and "LSMR demeaner" in r.note
    np.testing.assert_allclose(r.estimate, b[:2], rtol=1e-6)
    # the fitted flows still add up (computed by balance_fixed_effects from the estimates)
    assert np.isfinite(r.cells["fitted"]).all()


def test_coefficients_only_skip_the_fitted_flows():
    """fitted=False (the sources' models): the same coefficients and standard errors, no
    fitted flows, converged is pyfixest's IWLS convergence."""
    f = small_world(seed=6)
    a, b = fit_ppml(f), fit_ppml(f, fitted=False)
    np.testing.assert_array_equal(a.estimate, b.estimate)
    np.testing.assert_array_equal(a.std_error, b.std_error)
    assert b.converged and b.cells["fitted"].isna().sum() == (~b.cells["separated"]).sum()
    t1, _ = estimate_gravity(f, classes=["labour", "port"])
    t2, _ = estimate_gravity(f, classes=["labour", "port"], fitted=False)
    pd.testing.assert_frame_equal(t1, t2)


def test_adding_up_codes_finds_the_gap_adding_up_finds():
    """Fitted flows off by known amounts: +0.5 in one origin x group x period cell group and -2 in
    one destination x group x period group (elsewhere equal to the moves): both checks report 2."""
    f = small_world(seed=3, n=5, years=2, classes=("labour", "port"))
    cells = f[["origin", "dest", "group", "period", "moves"]].copy()
    cells["fitted"] = cells["moves"].astype(float)
    first = f.index[(f["og"] == 0)][0]
    cells.loc[first, "fitted"] += 0.5
    other = f.index[(f["dg"] == f["dg"].max()) & (f["og"] != 0)][0]
    cells.loc[other, "fitted"] -= 2.0
    assert adding_up(cells) == pytest.approx(2.0)
    assert adding_up_codes(cells["moves"], cells["fitted"], f["og"], f["dg"]) == pytest.approx(2.0)
    cells.loc[other, "fitted"] = np.nan  # a missing fitted flow is no pass: the gap is NaN
    assert np.isnan(adding_up_codes(cells["moves"], cells["fitted"], f["og"], f["dg"]))


def test_check_adding_up_raises_on_a_gap_and_on_a_missing_fitted_flow_on_a_subset_of_rows():
    """The rule's check (check_adding_up) on a result covering part of the frame: the fitted flows
    equal to the moves pass with gap 0; 1e-3 more in one cell (total moves well under 1,000, so
    above 1e-6 of it) or one NaN raises, naming the gap."""
    f = small_world(seed=3, n=5, years=2, classes=("labour", "port")).iloc[::-1]  # rows in another order
    part = f[f["group"] == "port"]  # the port class's fixed-effect groups are whole in it
    cells = pd.DataFrame({"fitted": part["moves"].astype(float)}, index=part.index)
    assert check_adding_up(part, SimpleNamespace(cells=cells)) == 0.0
    assert check_adding_up(f, SimpleNamespace(cells=cells)) == 0.0
    assert 0 < part["moves"].sum() < 1000
    cells.iloc[3, 0] += 1e-3
    with pytest.raises(AssertionError, match="largest gap 0.001"):
        check_adding_up(f, SimpleNamespace(cells=cells))
    cells.iloc[3, 0] = np.nan
    with pytest.raises(AssertionError, match="largest gap nan"):
        check_adding_up(f, SimpleNamespace(cells=cells))
