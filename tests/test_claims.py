"""Claims C1-C7: statistics, and each verdict produced from hand-made inputs (yrd.claims)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from yrd import claims as C

ALPHA = 0.05
YEARS = list(range(1998, 2014))


# ------------------------------------------------------------------------------ statistics
def test_ols_classical_matches_scipy_linregress():
    rng = np.random.default_rng(1)
    x = np.arange(20.0)
    y = 2 + 0.3 * x + rng.normal(0, 1, 20)
    res = C.ols(y, np.column_stack([np.ones(20), x]), se="classical")
    ref = stats.linregress(x, y)
    assert res.coef[1] == pytest.approx(ref.slope)
    assert res.se[1] == pytest.approx(ref.stderr)
    assert res.p[1] == pytest.approx(ref.pvalue)


def test_ols_hac_without_lags_is_white_with_small_sample_factor():
    rng = np.random.default_rng(2)
    x = np.arange(15.0)
    y = 1 + 0.5 * x + rng.normal(0, 1 + 0.2 * x)
    X = np.column_stack([np.ones(15), x])
    res = C.ols(y, X, se="hac", lags=0)
    e = y - X @ res.coef
    bread = np.linalg.inv(X.T @ X)
    white = bread @ (X.T * e**2) @ X @ bread * 15 / 13
    assert res.cov == pytest.approx(white)
    assert C.newey_west_lags(16) == 2
    with pytest.raises(ValueError, match="classical"):
        C.ols(y, X, se="robust")


def test_quadratic_turning_point():
    x = np.linspace(0, 1, 11)
    f = C.quadratic_fit(x, 1 + 2 * x - 2 * x**2, se="classical")
    assert f.turning_point == pytest.approx(0.5)
    assert f.inside and f.b2 == pytest.approx(-2)


def test_poisson_trend_recovers_exact_growth_and_matches_pyfixest():
    t = np.arange(2000, 2014)
    counts = np.round(20 * np.exp(0.1 * (t - 2000)))
    tr = C.poisson_trend(counts, t)
    assert tr.slope == pytest.approx(0.1, abs=0.005)
    assert tr.p < 0.001
    pf = pytest.importorskip("pyfixest")
    fit = pf.fepois("y ~ t", data=pd.DataFrame({"y": counts, "t": t - 2000.0}))
    assert tr.slope == pytest.approx(float(fit.coef()["t"]), rel=1e-6)
    with pytest.raises(ValueError, match="count"):
        C.poisson_trend(np.zeros(5), np.arange(5))


# ------------------------------------------------------------------------------------- C1
# The panel tests of C1 (estimator, verdicts, invariance) are in tests/test_claims_c1.py.


def test_c1_panels_and_integration_path():
    conc = pd.DataFrame(
        {
            "year": [2000, 2000, 2001, 2001, 2000],
            "level": ["prefecture"] * 4 + ["county"],
            "industry": ["13", "14", "13", "14", "13"],
            "metric": ["ellison_glaeser"] * 5,
            "value": [0.1, 0.3, 0.2, 0.4, 9.0],
        }
    )
    spec = pd.DataFrame(
        {
            "year": [2000, 2001],
            "level": "prefecture",
            "region": "310100",
            "metric": "krugman_specialisation",
            "value": [0.5, 0.6],
        }
    )
    truth = pd.DataFrame(
        {"year": [2000, 2000, 2001, 2001], "prefecture": ["a", "b", "a", "b"], "integration": [0.0, 0.0, 1.0, 1.0]}
    )
    integ = C.integration_path([2000, 2001], truth, "lambda")
    c, s = C.c1_panels(
        conc,
        spec,
        integ,
        level="prefecture",
        metrics=["ellison_glaeser"],
        specialisation_metric="krugman_specialisation",
    )
    assert len(c) == 4 and set(c["industry"]) == {"13", "14"}  # the county row is not at the level
    assert c.set_index(["industry", "year"])["integration"].to_dict() == {
        ("13", 2000): 0.0,
        ("13", 2001): 1.0,
        ("14", 2000): 0.0,
        ("14", 2001): 1.0,
    }
    assert s["value"].tolist() == [0.5, 0.6] and s["integration"].tolist() == [0.0, 1.0]
    assert C.integration_path([2000, 2001])["integration"].tolist() == [2000.0, 2001.0]


# C2 and C3 (rates per firm at risk, Poisson with exposure, exact intervals): tests/test_claims_c2_c3.py


# ------------------------------------------------------------------------------------- C4
C4_CFG = {
    "indicators": None,
    "tiers": {
        "top": ["transport"],
        "middle": ["information", "ecology"],
        "bottom": ["market", "industry", "institution"],
    },
}


def _indicators(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([(2010, d, v) for d, v in values.items()], columns=["year", "dimension", "value"])


def test_c4_no_data_by_default():
    r = C.claim_c4(None, None, C4_CFG, ALPHA)
    assert r.verdict == "no data"


def test_c4_supported_not_supported_and_inconclusive_from_indicators():
    good = {"transport": 0.9, "information": 0.7, "ecology": 0.6, "market": 0.4, "industry": 0.3, "institution": 0.2}
    bad = {**good, "market": 0.95}
    partial = {k: v for k, v in good.items() if k != "ecology"}
    assert C.claim_c4(None, _indicators(good), C4_CFG, ALPHA).verdict == "supported"
    assert C.claim_c4(None, _indicators(bad), C4_CFG, ALPHA).verdict == "not supported"
    assert C.claim_c4(None, _indicators(partial), C4_CFG, ALPHA).verdict == "inconclusive"


def test_c4_segmentation_alone_is_inconclusive_with_its_trend():
    seg = pd.DataFrame({"year": range(2000, 2010), "n_pairs": 3, "segmentation": np.linspace(0.002, 0.001, 10)})
    r = C.claim_c4(seg, None, C4_CFG, ALPHA)
    assert r.verdict == "inconclusive"
    assert "segmentation trend" in r.value


# ------------------------------------------------------------------------------------- C5
C5_CFG = {
    "region_set": "yrd16_2003",
    "metric": "structural_similarity",
    "level": "prefecture",
    "year": None,
    "threshold": 0.8,
    "hac_lags": None,
}
_C5_NOISE = 0.01 * np.sin(np.arange(16) * 2.3)  # deterministic noise: finite Newey-West p-values


def _similarity(level_of_year, regions=("a", "b", "c")) -> pd.DataFrame:
    rows = []
    for y in YEARS:
        for i in regions:
            for j in regions:
                if i != j:
                    rows.append((y, "prefecture", i, j, "structural_similarity", level_of_year(y)))
                    rows.append((y, "prefecture", i, j, "krugman_dissimilarity", 0.1))
    return pd.DataFrame(rows, columns=["year", "level", "region_a", "region_b", "metric", "value"])


def test_c5_supported_when_similarity_is_high():
    r = C.claim_c5(_similarity(lambda y: 0.85 + 0.001 * (y - 1998)), ["a", "b", "c"], C5_CFG, ALPHA)
    assert r.verdict == "supported"
    assert "trend" in r.value


def test_c5_not_supported_when_similarity_is_low():
    assert C.claim_c5(_similarity(lambda y: 0.5), ["a", "b", "c"], C5_CFG, ALPHA).verdict == "not supported"


@pytest.mark.parametrize(
    ("level_of_year", "verdict", "part"),
    [
        # high and rising: 0.80 -> 0.95 with noise, last year 0.95 >= 0.8
        (lambda y: 0.80 + 0.01 * (y - 1998) + _C5_NOISE[y - 1998], "supported", None),
        # high but flat: level holds, no significant rise
        (lambda y: 0.90 + _C5_NOISE[y - 1998], "partly supported", "level holds, no significant rise"),
        # high and falling: level holds, the trend is negative
        (lambda y: 0.99 - 0.01 * (y - 1998) + _C5_NOISE[y - 1998], "partly supported", "level holds"),
        # rising from 0.3 to 0.45: significant rise, level below the threshold
        (lambda y: 0.30 + 0.01 * (y - 1998) + _C5_NOISE[y - 1998], "partly supported", "significant rise, level below"),
        # low and flat: neither
        (lambda y: 0.40 + _C5_NOISE[y - 1998], "not supported", None),
    ],
)
def test_c5_level_and_process_verdicts(level_of_year, verdict, part):
    r = C.claim_c5(_similarity(level_of_year), ["a", "b", "c"], C5_CFG, ALPHA)
    assert r.verdict == verdict
    if part:
        assert part in r.value
    tr = r.details["trend"]
    ref = C.linear_trend(YEARS, [level_of_year(y) for y in YEARS], se="hac")
    assert tr.slope == pytest.approx(ref.slope) and tr.p == pytest.approx(ref.p)


def test_c5_verdict_rule_known_answers():
    up = C.LinearTrend(0.0, 0.01, 0.001, 16)
    flat = C.LinearTrend(0.0, 0.01, 0.2, 16)
    down = C.LinearTrend(0.0, -0.01, 0.001, 16)
    assert C.c5_verdict(0.8, 0.8, up, ALPHA) == "supported"  # at the threshold counts
    assert C.c5_verdict(0.85, 0.8, flat, ALPHA) == "partly supported"
    assert C.c5_verdict(0.85, 0.8, down, ALPHA) == "partly supported"
    assert C.c5_verdict(0.5, 0.8, up, ALPHA) == "partly supported"
    assert C.c5_verdict(0.5, 0.8, down, ALPHA) == "not supported"
    assert C.c5_verdict(0.9, 0.8, None, ALPHA) == "inconclusive"
    assert C.c5_verdict(None, 0.8, up, ALPHA) == "no data"
    assert C.c5_verdict(float("nan"), 0.8, up, ALPHA) == "no data"
    assert C.c5_parts(0.5, 0.8, up, ALPHA) == (False, True)


def test_c5_other_region_set_reported_beside_the_verdict():
    # the verdict's set a, b, c: high and rising; the wider set a..e is low (d, e unlike the rest)
    sim = _similarity(lambda y: 0.80 + 0.01 * (y - 1998) + _C5_NOISE[y - 1998], regions=("a", "b", "c", "d", "e"))
    wide = sim["region_a"].isin(["d", "e"]) | sim["region_b"].isin(["d", "e"])
    sim.loc[wide & (sim["metric"] == "structural_similarity"), "value"] = 0.1
    others = {"yrd16_2003": ["a", "b", "c"], "yrd41_2019": ["a", "b", "c", "d", "e"]}
    r = C.claim_c5(sim, ["a", "b", "c"], C5_CFG, ALPHA, others=others)
    assert r.verdict == "supported"
    first, second = r.value.split("; 41 cities")
    assert first.startswith("16 cities of 2003") and first.endswith("-> supported")
    assert "over 20 pairs" in second and second.endswith("-> partly supported")  # 0.95*6/20 + 0.1*14/20 < 0.8
    assert set(r.details["sets"]) == {"yrd16_2003", "yrd41_2019"}
    # the other set missing from the table is said, the verdict unchanged
    r = C.claim_c5(_similarity(lambda y: 0.9 + 0.01 * (y - 1998)), ["a", "b", "c"], C5_CFG, ALPHA, others=others)
    assert r.verdict == "supported" and "2 of 5 prefectures not in the similarity table" in r.value


def test_c5_inconclusive_with_two_years():
    sim = _similarity(lambda y: 0.9)
    r = C.claim_c5(sim[sim["year"] >= 2012], ["a", "b", "c"], C5_CFG, ALPHA)
    assert r.verdict == "inconclusive" and "fewer than 3 years" in r.value


def test_c5_no_data_when_the_region_set_is_not_covered():
    assert C.claim_c5(_similarity(lambda y: 0.9), ["a", "b", "z"], C5_CFG, ALPHA).verdict == "no data"


# C6: tests/test_claims_c6.py


# C7: tests/test_claims_c7.py


# ------------------------------------------------------------------------------------- table
def test_claims_table_and_html():
    rows = [C.ClaimResult(f"C{i}", "t", "v", C.VERDICTS[i % 4], "e") for i in (3, 1, 2)]
    t = C.claims_table(rows)
    assert list(t.columns) == C.COLUMNS
    assert t["claim"].tolist() == ["C1", "C2", "C3"]
    assert t["statement_zh"].str.len().min() > 10
    html = C.render_html(t, "title", synthetic=True)
    assert "SYNTHETIC" in html and "not supported" in html
    with pytest.raises(ValueError, match="verdict"):
        C.ClaimResult("C1", "t", "v", "maybe", "e")
