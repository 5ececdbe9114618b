"""Bands on the counterfactual scenario shifts (yrd.flows.scenario_bands)."""
# ruff: noqa: F811  (pytest fixture imported from test_flows and used as an argument)

import numpy as np
import pandas as pd
import pytest
from test_flows import (
    BRIDGE,
    POINTS,
    PUDONG,
    SH,
    TARGETS,
    fitted,  # noqa: F401 (fixture: the fitted pooled model)
)

from yrd.flows import scenario_shares
from yrd.flows.scenario_bands import BAND_COLUMNS, METHOD, add_scenario_bands, shift_draws
from yrd.flows.scenarios import not_estimable_rows, scenario_distance

SCEN = [BRIDGE, PUDONG]


def _bands(fitted, se, **kw):
    cells, coef, _ = fitted
    shares = scenario_shares(cells, coef, SCEN, SH, TARGETS, POINTS)
    return add_scenario_bands(shares, cells, coef, se, SCEN, SH, TARGETS, POINTS, **kw)


def _moving(out):
    """Rows whose shift is not 0 by construction (post-event years, finite share)."""
    return out[np.isfinite(out["shift"]) & (out["shift"].abs() > 1e-12)]


def test_zero_se_collapses_band_to_point(fitted):
    out = _bands(fitted, 0.0, draws=50)
    e = out[np.isfinite(out["shift"])]
    assert len(e) > 0
    np.testing.assert_allclose(e["shift_lo"], e["shift"], atol=1e-14)
    np.testing.assert_allclose(e["shift_hi"], e["shift"], atol=1e-14)
    np.testing.assert_allclose(e["shift_se"], 0.0, atol=1e-14)
    assert (out["bootstrap_draws"] == 50).all()
    assert (out["bootstrap_method"] == METHOD).all()


def test_band_contains_point_and_is_deterministic(fitted):
    cells, coef, _ = fitted
    a = _bands(fitted, 0.05, draws=200, seed=7)
    b = _bands(fitted, 0.05, draws=200, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = _bands(fitted, 0.05, draws=200, seed=8)
    m = _moving(a)
    assert len(m) > 10
    assert not np.allclose(m["shift_se"], _moving(c)["shift_se"])
    assert (m["shift_lo"] <= m["shift"]).all() and (m["shift"] <= m["shift_hi"]).all()
    assert (m["shift_se"] > 0).all()
    assert list(a.columns[-len(BAND_COLUMNS) :]) == BAND_COLUMNS
    # rows before the scenario starts: shift 0 in every draw
    pre = a[(a["window"] == "year") & (a["scenario"] == BRIDGE["name"]) & (a["start_year"] < 2008)]
    np.testing.assert_allclose(pre[["shift_lo", "shift_hi", "shift_se"]].dropna(), 0.0, atol=1e-14)


def test_draw_sd_matches_delta_method(fitted):
    cells, coef, _ = fitted
    se, h = 0.01, 1e-5
    out = _bands(fitted, se, draws=4000, seed=3)
    m = _moving(out[(out["window"] == "post")])
    assert len(m) > 0
    b = float(coef["log_distance"])
    for sc in SCEN:
        d_cf = scenario_distance(cells, sc, POINTS)
        for t, members in TARGETS.items():
            rows = m[(m["scenario"] == sc["name"]) & (m["target"] == t)]
            s = shift_draws(cells, np.array([b - h, b + h]), d_cf, SH, members, int(sc["from_year"]), rows)
            delta = np.abs(s[:, 1] - s[:, 0]) / (2 * h) * se
            np.testing.assert_allclose(rows["shift_se"], delta, rtol=0.10)


def test_not_estimable_rows_get_empty_bands(fitted):
    cells, coef, _ = fitted
    rows = not_estimable_rows(SCEN, list(TARGETS), 2011, "pooled model did not converge")
    out = add_scenario_bands(rows, cells, coef, 0.05, SCEN, SH, TARGETS, POINTS)
    assert out[["shift_se", "shift_lo", "shift_hi"]].isna().all().all()
    assert out["bootstrap_draws"].isna().all() and (out["bootstrap_method"] == "").all()
    nan_se = _bands(fitted, float("nan"))
    assert nan_se["shift_se"].isna().all()
    with pytest.raises(ValueError, match="level"):
        _bands(fitted, 0.05, level=1.5)


def test_counterfactual_figure_draws_error_bars(fitted):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from yrd.figures.flows import band_text, counterfactuals_figure

    out = _bands(fitted, 0.05, draws=50)
    post = out[out["window"] == "post"]
    assert band_text(post).startswith("Error bars: 95 % percentile interval of B = 50 draws (parametric:")
    fig = counterfactuals_figure(out, groups=("labour", "port", "total"), cjk=False, synthetic=True, source="test")
    caps = [c for ax in fig.axes for c in ax.containers if type(c).__name__ == "ErrorbarContainer"]
    assert len(caps) == len(SCEN) * len(TARGETS)
    plt.close(fig)
