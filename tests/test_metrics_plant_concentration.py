"""Ellison-Glaeser and Maurel-Sedillot indices: hand-computed examples and dartboard
simulations.

Formulas: Ellison and Glaeser (1997, JPE 105(5), eq. 5) and Maurel and Sedillot (1999, RSUE
29(5)). Expected values are worked out with exact fractions in the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.metrics import ellison_glaeser, maurel_sedillot


def _plants(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "industry", "employment"])


@pytest.fixture
def three_regions() -> pd.DataFrame:
    return _plants(
        [
            ("A", "a", 4),
            ("A", "a", 4),
            ("B", "a", 2),
            ("C", "a", 2),
            ("A", "b", 2),
            ("B", "b", 6),
            ("C", "b", 10),
            ("C", "b", 10),
            ("C", "single", 5),
        ]  # fmt: skip
    )


def test_hand_example_two_equal_regions():
    # x = (1/2, 1/2) given, so sum x^2 = 1/2. Four plants of 1 employee per industry.
    #   "all_in_A": s = (1, 0), G = 1/4 + 1/4 = 1/2, H = 4 * 1/16 = 1/4
    #       EG = (1/2 - 1/2 * 1/4) / (1/2 * 3/4) = (3/8)/(3/8) = 1
    #       MS = ((1 - 1/2)/(1/2) - 1/4) / (3/4) = 1
    #   "even":     s = (1/2, 1/2), G = 0, H = 1/4: EG = -(1/8)/(3/8) = -1/3; MS = (0 - 1/4)/(3/4) = -1/3
    # With equal x_r, G = sum s^2 - sum x^2 and the two indices coincide.
    plants = _plants([("A", "all_in_A", 1)] * 4 + [("A", "even", 1)] * 2 + [("B", "even", 1)] * 2)
    weight = pd.Series({"A": 1.0, "B": 1.0})
    eg = ellison_glaeser(plants, regions_weight=weight)
    ms = maurel_sedillot(plants, regions_weight=weight)
    assert eg["all_in_A"] == pytest.approx(1.0) and ms["all_in_A"] == pytest.approx(1.0)
    assert eg["even"] == pytest.approx(-1 / 3) and ms["even"] == pytest.approx(-1 / 3)


def test_hand_example_aggregate_shares(three_regions):
    # The one-plant industry "single" is dropped here (checked in the next test). Aggregate
    # employment over the remaining plants: A = 4+4+2 = 10, B = 2+6 = 8, C = 2+10+10 = 22,
    # total 40, so x = (1/4, 1/5, 11/20) and sum x^2 = 1/16 + 1/25 + 121/400 = 81/200.
    # Industry a (E = 12, plants 4, 4, 2, 2): s = (8, 2, 2)/12 = (2/3, 1/6, 1/6)
    #   H = (16 + 16 + 4 + 4)/144 = 5/18
    #   G = (2/3 - 1/4)^2 + (1/6 - 1/5)^2 + (1/6 - 11/20)^2 = 625/3600 + 4/3600 + 529/3600 = 193/600
    #   EG = (193/600 - 119/200 * 5/18) / (119/200 * 13/18) = (563/3600) / (1547/3600) = 563/1547
    #   sum s^2 = 4/9 + 1/36 + 1/36 = 1/2; (1/2 - 81/200)/(119/200) = 19/119
    #   MS = (19/119 - 5/18) / (13/18) = -253/1547
    # Industry b (E = 28, plants 2, 6, 10, 10): s = (1/14, 3/14, 5/7), H = 240/784 = 15/49
    #   G = (1/14 - 1/4)^2 + (3/14 - 1/5)^2 + (5/7 - 11/20)^2 = 579/9800
    #   EG = (579/9800 - 119/200 * 15/49) / (119/200 * 34/49) = -603/2023
    #   sum s^2 = 55/98; MS = ((55/98 - 81/200)/(119/200) - 15/49) / (34/49) = -127/2023
    plants = three_regions[three_regions["industry"] != "single"]
    eg = ellison_glaeser(plants)
    ms = maurel_sedillot(plants)
    assert eg["a"] == pytest.approx(563 / 1547, rel=1e-12)
    assert ms["a"] == pytest.approx(-253 / 1547, rel=1e-12)
    assert eg["b"] == pytest.approx(-603 / 2023, rel=1e-12)
    assert ms["b"] == pytest.approx(-127 / 2023, rel=1e-12)


def test_single_plant_industry_is_nan(three_regions):
    # One plant: H = 1, EG's and MS's denominators (1 - H) vanish; a single plant carries no
    # information on co-location, so the index is undefined (NaN), not 0.
    eg = ellison_glaeser(three_regions)
    ms = maurel_sedillot(three_regions)
    assert np.isnan(eg["single"]) and np.isnan(ms["single"])
    assert eg[["a", "b"]].notna().all() and ms[["a", "b"]].notna().all()
    # Two plants of which one has zero employment: also H = 1.
    zero = pd.concat([three_regions, _plants([("A", "dormant", 0), ("B", "dormant", 7)])])
    assert np.isnan(ellison_glaeser(zero)["dormant"])


def test_regions_weight_adds_empty_regions_and_checks_coverage(three_regions):
    plants = three_regions[three_regions["industry"] != "single"]
    # Same shares as the aggregate, plus a region D without plants and weight 0: unchanged.
    weight = pd.Series({"A": 10.0, "B": 8.0, "C": 22.0, "D": 0.0})
    pd.testing.assert_series_equal(ellison_glaeser(plants, weight), ellison_glaeser(plants))
    with pytest.raises(ValueError, match="missing from regions_weight"):
        ellison_glaeser(plants, pd.Series({"A": 1.0, "B": 1.0}))


def _dartboard(rng, n_industries, n_plants, p, gamma0=0.0) -> pd.DataFrame:
    """EG's model: with probability gamma0 all of an industry's plants share one region drawn
    from p (a pure spillover), otherwise each plant picks a region from p independently. Any
    two plants then share a region with probability sum p^2 + gamma0 (1 - sum p^2), and
    E[gamma_EG] = E[gamma_MS] = gamma0 exactly for equal-sized plants (EG 1997, Prop. 1)."""
    R = len(p)
    ind = np.repeat(np.arange(n_industries), n_plants)
    independent = rng.choice(R, size=ind.size, p=p)
    cluster_region = rng.choice(R, size=n_industries, p=p)
    clustered = rng.random(n_industries) < gamma0
    region = np.where(clustered[ind], cluster_region[ind], independent)
    return pd.DataFrame({"region": region, "industry": ind, "employment": 1.0})


P_REGIONS = np.array([0.30, 0.20, 0.15, 0.10, 0.10, 0.08, 0.04, 0.03])


@pytest.mark.parametrize("func", [ellison_glaeser, maurel_sedillot])
def test_dartboard_is_unbiased_under_random_location(func):
    # 4000 industries x 10 equal plants thrown at 8 regions with probabilities x_r.
    # Under the dartboard E[gamma] = 0 exactly (EG 1997; MS 1999). The mean over M
    # independent industries has standard error sd/sqrt(M) (CLT); we allow 4 standard errors,
    # a false alarm probability of about 6e-5 for a correct implementation, while a wrong
    # H correction (e.g. omitting it) shifts the mean by about H = 0.1, i.e. > 20 SE.
    rng = np.random.default_rng(1997)
    M = 4000
    plants = _dartboard(rng, M, 10, P_REGIONS)
    weight = pd.Series(P_REGIONS, index=np.arange(len(P_REGIONS)))
    gamma = func(plants, regions_weight=weight)
    se = gamma.std() / np.sqrt(M)
    assert abs(gamma.mean()) < 4 * se, (gamma.mean(), se)
    # With x_r estimated from the aggregate of all 40 000 plants the bias is O(1/40 000).
    gamma_agg = func(plants)
    assert abs(gamma_agg.mean()) < 4 * se


@pytest.mark.parametrize("func", [ellison_glaeser, maurel_sedillot])
def test_dartboard_recovers_spillover_parameter(func):
    # Same set-up with gamma0 = 0.1 of industries fully co-located: E[gamma] = 0.1
    # (tolerance 4 standard errors of the mean, as above).
    rng = np.random.default_rng(1999)
    M = 4000
    plants = _dartboard(rng, M, 10, P_REGIONS, gamma0=0.1)
    weight = pd.Series(P_REGIONS, index=np.arange(len(P_REGIONS)))
    gamma = func(plants, regions_weight=weight)
    se = gamma.std() / np.sqrt(M)
    assert abs(gamma.mean() - 0.1) < 4 * se, (gamma.mean(), se)


def test_plant_table_validation(three_regions):
    with pytest.raises(ValueError, match="lacks required columns"):
        ellison_glaeser(three_regions.drop(columns="employment"))
    bad = three_regions.copy()
    bad.loc[2, "employment"] = -3
    with pytest.raises(ValueError, match="negative employment in rows \\[2\\]"):
        ellison_glaeser(bad)
    bad = three_regions.astype({"employment": float})
    bad.loc[0, "employment"] = np.nan
    with pytest.raises(ValueError, match="missing or infinite employment"):
        maurel_sedillot(bad)
    with pytest.raises(ValueError, match="one region"):
        ellison_glaeser(three_regions.assign(region="A"))
