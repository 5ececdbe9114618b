"""C2 and C3 as rates per firm at risk (yrd.claims.c2, c3, rates): known answers.

* Poisson rate models (pyfixest fepois with a log-exposure offset) against statsmodels GLM
  Poisson with ``offset=log(exposure)`` on the same table: coefficients within 1e-6; pyfixest's
  ``vcov="hetero"`` equals statsmodels ``cov_type="HC0"`` times sqrt(n / (n - k)) and its
  ``vcov="iid"`` equals statsmodels' model-based (``nonrobust``) s.e. times sqrt((n - 1) / (n - k));
  pyfixest's p-values are normal (z) p-values.
* Exact intervals against scipy.stats.binomtest; the too-few-moves rule; the break dummy absorbs a
  level shift in the break year without changing the trend.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from helpers.claim_configs import C2_CFG, C3_CFG
from yrd import claims as C
from yrd.claims.rates import binom_p, clopper_pearson, firms_at_risk, poisson_exact_ci, poisson_rate

ALPHA = 0.05
YEARS = list(range(1998, 2014))
CLASSES = {"13": "labour", "26": "capital", "25": "port", "22": "urban", "40": "technology"}
GROUPS = {"310100": "shanghai", "320500": "sunan", "330100": "zhejiang", "330400": "zhejiang", "340100": "anhui"}


# ------------------------------------------------------------------------------ simulation
def _rate_table(seed=3, n_years=14, b=(-4.0, 0.05, 0.3)):
    """Simulated yearly counts with known exposure: log E[m] = log E + b0 + b1 t + b2 post."""
    rng = np.random.default_rng(seed)
    y = np.arange(2000, 2000 + n_years)
    at_risk = rng.integers(2000, 6000, n_years)
    post = (y >= 2011).astype(int)
    mu = at_risk * np.exp(b[0] + b[1] * (y - 2000) + b[2] * post)
    return pd.DataFrame(
        {"year": y, "moves": rng.poisson(mu), "at_risk": at_risk, "trend": y - 2000, "post_break": post}
    )


def _statsmodels(t: pd.DataFrame, regs, cov: str):
    X = sm.add_constant(t[regs].astype(float))
    glm = sm.GLM(t["moves"].astype(float), X, family=sm.families.Poisson(), offset=np.log(t["at_risk"].astype(float)))
    return glm.fit(cov_type=cov, tol=1e-12)


def _firm_years(counts: dict[tuple[str, str], int], years=YEARS) -> pd.DataFrame:
    """``counts[(prefecture, industry)]`` firms present in every year."""
    rows, fid = [], 0
    for (pref, ind), n in counts.items():
        for _ in range(n):
            fid += 1
            rows += [(fid, y, pref, ind) for y in years]
    return pd.DataFrame(rows, columns=["firm_id", "year", "prefecture", "industry"])


def _moves(spec: list[tuple[int, str, str, str, int]]) -> pd.DataFrame:
    """``spec``: (year, origin prefecture, destination prefecture, industry, number of moves)."""
    rows = [(y, o, d, ind) for y, o, d, ind, n in spec for _ in range(n)]
    m = pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])
    return m.assign(firm_id=range(len(m)))


# ------------------------------------------------------------------- Poisson against statsmodels
@pytest.mark.parametrize("vcov,cov,factor", [("hetero", "HC0", "n"), ("iid", "nonrobust", "n-1")])
def test_poisson_rate_equals_statsmodels_glm_with_offset(vcov, cov, factor):
    t = _rate_table()
    fit = poisson_rate(t, ["trend", "post_break"], vcov=vcov)
    ref = _statsmodels(t, ["trend", "post_break"], cov)
    n, k = len(t), 3
    scale = math.sqrt((n if factor == "n" else n - 1) / (n - k))
    for name, ref_name in (("Intercept", "const"), ("trend", "trend"), ("post_break", "post_break")):
        assert fit.coef[name] == pytest.approx(ref.params[ref_name], abs=1e-6)
        assert fit.se[name] == pytest.approx(ref.bse[ref_name] * scale, rel=1e-6)
        z = fit.coef[name] / fit.se[name]
        assert fit.p[name] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-6, abs=1e-12)


def test_c2_window_rate_ratio_equals_statsmodels():
    t = _rate_table(seed=5).assign(window=lambda d: d["year"].between(2000, 2004).astype(int))
    t = t.assign(**{"class": "labour", "direction": "out"})
    fits = C.c2_window_fits(t, ALPHA)
    ref = _statsmodels(t, ["window", "post_break"], "HC0")
    assert math.log(fits["rate_ratio"].item()) == pytest.approx(ref.params["window"], abs=1e-6)
    w = t[t["window"] == 1]
    assert fits["rate_window"].item() == pytest.approx(w["moves"].sum() / w["at_risk"].sum())


def test_c3_trend_equals_statsmodels():
    t = _rate_table(seed=7).rename(columns={"moves": "zj_out_prefecture", "at_risk": "zj_at_risk"})
    fit = C.c3_trend(t, "zj_out_prefecture")
    ref = _statsmodels(
        t.rename(columns={"zj_out_prefecture": "moves", "zj_at_risk": "at_risk"}), ["trend", "post_break"], "HC0"
    )
    assert fit.coef["trend"] == pytest.approx(ref.params["trend"], abs=1e-6)
    assert fit.vcov == "hetero"


def test_break_dummy_absorbs_a_level_shift_without_changing_the_trend():
    # expected counts without noise (the Poisson MLE fits them exactly): rate trend 4%/year, the
    # level doubled from 2011 on
    t = _rate_table(seed=11).drop(columns="moves")
    base = t["at_risk"] * np.exp(-4.0 + 0.04 * t["trend"])
    flat = poisson_rate(t.assign(moves=base), ["trend", "post_break"])
    shifted = poisson_rate(t.assign(moves=base * np.where(t["post_break"] == 1, 2.0, 1.0)), ["trend", "post_break"])
    for fit in (flat, shifted):
        assert fit.coef["trend"] == pytest.approx(0.04, abs=1e-6)
        assert fit.coef["Intercept"] == pytest.approx(-4.0, abs=1e-6)
    assert flat.coef["post_break"] == pytest.approx(0.0, abs=1e-6)
    assert shifted.coef["post_break"] == pytest.approx(math.log(2), abs=1e-6)
    # without the dummy the shift leaks into the trend
    no_dummy = poisson_rate(t.assign(moves=base * np.where(t["post_break"] == 1, 2.0, 1.0)), ["trend"])
    assert no_dummy.coef["trend"] > 0.06


def test_known_rates_are_recovered():
    t = _rate_table(seed=2, n_years=14, b=(-3.0, 0.06, -0.7))
    t["at_risk"] *= 200  # large exposure: the estimates sit close to the truth
    t["moves"] = np.random.default_rng(2).poisson(
        t["at_risk"] * np.exp(-3.0 + 0.06 * t["trend"] - 0.7 * t["post_break"])
    )
    fit = poisson_rate(t, ["trend", "post_break"])
    assert fit.coef["trend"] == pytest.approx(0.06, abs=0.005)
    assert fit.coef["post_break"] == pytest.approx(-0.7, abs=0.03)


def test_separated_or_constant_regressors():
    t = _rate_table()
    assert poisson_rate(t.assign(moves=np.where(t["post_break"] == 1, 0, t["moves"])), ["trend", "post_break"]) is None
    fit = poisson_rate(t[t["year"] < 2011], ["trend", "post_break"])
    assert fit.dropped == ("post_break",) and "post_break" not in fit.coef


def test_dummies_jointly_separated_are_not_estimated():
    """C2's window/other-years model (window and post_break dummies): moves only in the window and
    after the break leave the baseline years without moves, so the intercept is -inf and the window
    rate ratio infinite; each dummy alone has moves on both sides. Found on a user's file, where the
    model reported a rate ratio of 2.7e10. With one move in a baseline year the model is fitted."""
    years = np.arange(1998, 2014)
    t = pd.DataFrame({"year": years, "at_risk": 100.0})
    t["window"] = t["year"].between(2000, 2004).astype(int)
    t["post_break"] = (t["year"] >= 2011).astype(int)
    t["moves"] = np.where(t["window"] == 1, 2, 0) + np.where(t["year"] == 2012, 1, 0)
    assert poisson_rate(t, ["window", "post_break"]) is None
    t.loc[t["year"] == 2006, "moves"] = 1
    fit = poisson_rate(t, ["window", "post_break"])
    assert fit is not None and np.exp(fit.coef["window"]) == pytest.approx(
        (10 / 5) / (1 / 8), rel=1e-6
    )  # 8 baseline years: 1998-99, 2005-10


# ---------------------------------------------------------------------------- exact intervals
@pytest.mark.parametrize("k,n", [(0, 5), (3, 10), (17, 20), (20, 20), (48, 100)])
def test_clopper_pearson_equals_binomtest(k, n):
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=1 - ALPHA, method="exact")
    assert clopper_pearson(k, n, ALPHA) == pytest.approx((ci.low, ci.high), abs=1e-12)
    assert binom_p(k, n) == pytest.approx(stats.binomtest(k, n, 0.5).pvalue)


@pytest.mark.parametrize("k", [1, 4, 30])
def test_poisson_exact_interval_has_exact_tail_probabilities(k):
    lo, hi = poisson_exact_ci(k, ALPHA)
    assert stats.poisson.sf(k - 1, lo) == pytest.approx(ALPHA / 2)
    assert stats.poisson.cdf(k, hi) == pytest.approx(ALPHA / 2)
    assert poisson_exact_ci(0, ALPHA)[0] == 0.0


def test_firms_at_risk_counts_firms_in_the_area_in_t_minus_1_or_t():
    fy = pd.DataFrame(
        {
            "firm_id": [1, 1, 2, 2, 3],
            "year": [2000, 2001, 2001, 2002, 1999],
            "prefecture": ["310100", "310100", "310100", "320500", "310100"],
        }
    )
    area = pd.Series({"310100": "A", "320500": "B"})
    r = firms_at_risk(fy, area, [2000, 2001, 2002, 2003]).set_index(["area", "year"])["at_risk"]
    assert r[("A", 2000)] == 2  # firm 1 (2000) and firm 3 (1999)
    assert r[("A", 2001)] == 2  # firms 1 and 2
    assert r[("A", 2002)] == 2  # firm 1 (2001) and firm 2 (2001, before its move)
    assert r[("A", 2003)] == 0
    assert r[("B", 2002)] == 1 and r[("B", 2003)] == 1


# ------------------------------------------------------------------------------------------ C2
def _c2_world(window_moves: dict[str, tuple[int, int]]):
    """100 firms per class in Shanghai and in each partner; ``window_moves[class] = (out, in)``
    in 2002, plus one move each way per class in 1999 and 2012 (outside the window)."""
    ind = {v: k for k, v in CLASSES.items()}
    fy = _firm_years({(p, ind[c]): 100 for p in ("310100", "320500", "330100") for c in ind})
    spec = []
    for c, (o, i) in window_moves.items():
        spec += [(2002, "310100", "320500", ind[c], o), (2002, "330100", "310100", ind[c], i)]
        spec += [(y, "310100", "330100", ind[c], 1) for y in (1999, 2012)]
        spec += [(y, "320500", "310100", ind[c], 1) for y in (1999, 2012)]
    spec.append((2002, "310100", "340100", ind["labour"], 50))  # to Anhui: not a partner
    return _moves(spec), fy


def _c2(window_moves, **cfg):
    m, fy = _c2_world(window_moves)
    return C.claim_c2(m, fy, GROUPS, CLASSES, YEARS, {**C2_CFG, **cfg}, ALPHA)


def test_c2_supported_with_exact_intervals_from_binomtest():
    r = _c2({"labour": (30, 2), "capital": (25, 3), "port": (1, 20), "urban": (2, 22)})
    assert r.verdict == "supported"
    cond = r.details["conditions"].set_index("class")
    assert cond.loc["labour", ["out", "in"]].tolist() == [30, 2]  # the Anhui moves are not counted
    ci = stats.binomtest(30, 32).proportion_ci(confidence_level=0.95, method="exact")
    assert (cond.loc["labour", "lo"], cond.loc["labour", "hi"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
    t = r.details["table"]
    row = t[(t["class"] == "labour") & (t["direction"] == "out") & (t["year"] == 2002)]
    assert row["at_risk"].item() == 100 and row["moves"].item() == 30  # Shanghai's labour firms
    row = t[(t["class"] == "port") & (t["direction"] == "in") & (t["year"] == 2002)]
    assert row["at_risk"].item() == 200 and row["rate"].item() == pytest.approx(20 / 200)  # partners' firms


def test_c2_partly_and_not_supported():
    partly = _c2({"labour": (30, 2), "capital": (2, 25), "port": (1, 20), "urban": (12, 11)})
    assert partly.verdict == "partly supported"
    assert "holds: labour, port" in partly.value
    reversed_ = _c2({"labour": (2, 30), "capital": (3, 25), "port": (20, 1), "urban": (22, 2)})
    assert reversed_.verdict == "not supported"


def test_c2_too_few_moves_rule():
    r = _c2({"labour": (9, 0), "capital": (10, 0), "port": (0, 3), "urban": (0, 0)})
    cond = r.details["conditions"].set_index("class")
    assert cond.loc["labour", "status"] == "too few moves"  # 9 < min_moves 10, however one-sided
    assert cond.loc["capital", "status"] == "holds"  # 10 moves: judged
    assert "labour (expect out): out 9, in 0 -> inconclusive (too few moves: 9)" in r.value
    assert r.verdict == "partly supported"
    assert _c2({"labour": (9, 0), "capital": (5, 0), "port": (0, 3), "urban": (0, 0)}).verdict == "inconclusive"
    assert _c2({"labour": (9, 0), "capital": (5, 0), "port": (0, 3), "urban": (0, 0)}, min_moves=5).verdict == (
        "partly supported"
    )


def test_c2_no_data():
    assert C.claim_c2(None, None, GROUPS, CLASSES, YEARS, C2_CFG, ALPHA).verdict == "no data"
    m, fy = _c2_world({"labour": (0, 0)})
    r = C.claim_c2(m.iloc[0:0], fy, GROUPS, CLASSES, YEARS, C2_CFG, ALPHA)
    assert r.verdict == "no data"


# ------------------------------------------------------------------------------------------ C3
def _c3_world(zj_moves: dict[int, int], n_firms=500):
    """500 firms in each of Shanghai, Suzhou and Hangzhou every year; ``zj_moves[year]`` moves out
    of Hangzhou (two thirds to Ningbo in Zhejiang, one third to Shanghai), 3 moves Suzhou ->
    Shanghai and 5 moves Nanjing -> Suzhou (within Jiangsu) a year."""
    fy = _firm_years({("310100", "13"): n_firms, ("320500", "13"): n_firms, ("330100", "13"): n_firms})
    spec = []
    for y, n in zj_moves.items():
        spec += [(y, "330100", "330400", "13", n - n // 3), (y, "330100", "310100", "13", n // 3)]
        spec += [(y, "320500", "310100", "13", 3), (y, "320100", "320500", "13", 5)]
    return _moves(spec), fy


def test_c3_supported_when_zhejiang_rate_grows():
    m, fy = _c3_world({y: 10 + 3 * (y - 2000) for y in range(2000, 2014)})
    r = C.claim_c3(m, fy, YEARS, C3_CFG, ALPHA)
    assert r.verdict == "supported"
    y = r.details["yearly"].set_index("year")
    assert y.loc[2000, "zj_at_risk"] == 500 and y.loc[2000, "zj_out_prefecture"] == 10
    assert y.loc[2000, "zj_out_province"] == 3 and y.loc[2000, "between_provinces"] == 6
    assert y.loc[2000, "within_province"] == 12  # 7 within Zhejiang + 5 within Jiangsu
    assert "trend +" in r.value and "post-2011 dummy" in r.test


def test_c3_not_supported_and_inconclusive():
    m, fy = _c3_world({y: 60 - 4 * (y - 2000) for y in range(2000, 2014)})
    assert C.claim_c3(m, fy, YEARS, C3_CFG, ALPHA).verdict == "not supported"
    m, fy = _c3_world({y: 20 + (3 if y % 2 else -3) for y in range(2000, 2014)})
    assert C.claim_c3(m, fy, YEARS, C3_CFG, ALPHA).verdict == "inconclusive"


def test_c3_frequency_benchmark_is_a_conditional_binomial():
    m, fy = _c3_world(dict.fromkeys(range(2000, 2014), 12))
    fr = C.claim_c3(m, fy, YEARS, C3_CFG, ALPHA).details["frequency"]
    k, n = 14 * 7, 14 * (7 + 13)  # between: 4 ZJ->SH + 3 JS->SH; within: 8 ZJ + 5 JS a year
    assert (fr["between"], fr["within"]) == (k, n - k)
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
    assert fr["ratio"] == pytest.approx(k / (n - k))
    assert (fr["lo"], fr["hi"]) == pytest.approx((ci.low / (1 - ci.low), ci.high / (1 - ci.high)))


def test_c3_no_data():
    m, fy = _c3_world({})
    assert C.claim_c3(m, fy, YEARS, C3_CFG, ALPHA).verdict == "no data"
    m, fy = _c3_world({2000: 3})
    assert C.claim_c3(m, fy, [2000, 2001], C3_CFG, ALPHA).verdict == "no data"
