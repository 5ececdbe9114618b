"""Market segmentation by the relative price method: a hand-computed example (3 regions, 3 goods,
3 years) and the properties derived in the docstring of yrd.metrics.segmentation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from yrd.metrics.segmentation import market_segmentation

# Log growth x of regions A, B, C per year and good; the chained index is 100 * exp(x), so
# Delta Q of a pair is exactly the difference of the x (e.g. 2001, g1: A - B = -0.02).
LOG_GROWTH = {
    2001: {"g1": (0.00, 0.02, 0.04), "g2": (0.01, 0.01, 0.01), "g3": (0.03, 0.00, 0.00)},
    2002: {"g1": (0.05, 0.05, 0.05), "g2": (-0.01, -0.01, -0.01), "g3": (0.02, 0.02, 0.02)},
    2003: {"g1": (0.00, 0.00, 0.03), "g2": (0.02, 0.00, 0.00), "g3": (0.00, 0.01, 0.00)},
}


def _panel(log_growth=LOG_GROWTH, regions="ABC") -> pd.DataFrame:
    rows = [
        (r, y, g, 100 * math.exp(x[i]))
        for y, goods in log_growth.items()
        for g, x in goods.items()
        for i, r in enumerate(regions)
    ]
    return pd.DataFrame(rows, columns=["region", "year", "good", "price_index"])


def _random_panel(seed=0, n_regions=5, n_goods=8, years=range(2000, 2006)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (f"r{r}", y, f"g{g}", 100 * math.exp(rng.normal(0.02, 0.03)))
        for r in range(n_regions)
        for y in years
        for g in range(n_goods)
    ]
    return pd.DataFrame(rows, columns=["region", "year", "good", "price_index"])


def test_hand_computed_example():
    # u = 0.01 / 3. 2001: |dQ| (AB, AC, BC) = g1 (.02, .04, .02), g2 (0, 0, 0), g3 (.03, .03, 0);
    # pair means .08/3, 0, .02; q = g1 (-2u, 4u, -2u), g2 (0, 0, 0), g3 (3u, 3u, -6u).
    # Sample variances over goods: AB 19/3 u^2, AC 13/3 u^2, BC 28/3 u^2 (u^2 = 1e-4 / 9).
    # 2002: identical paths, all 0. 2003: q = g1 (-6u, 3u, 3u), g2 (2u, 2u, -4u),
    # g3 (u, -2u, u): AB 19 u^2, AC 7 u^2, BC 13 u^2.
    res = market_segmentation(_panel())
    pairs = res.pairs.set_index(["year", "region_a", "region_b"])["segmentation"]
    expected = {
        (2001, "A", "B"): 19e-4 / 27, (2001, "A", "C"): 13e-4 / 27, (2001, "B", "C"): 28e-4 / 27,
        (2002, "A", "B"): 0.0, (2002, "A", "C"): 0.0, (2002, "B", "C"): 0.0,
        (2003, "A", "B"): 19e-4 / 9, (2003, "A", "C"): 7e-4 / 9, (2003, "B", "C"): 13e-4 / 9,
    }  # fmt: skip
    assert pairs.to_dict() == pytest.approx(expected, abs=1e-15)
    assert (res.pairs["n_goods"] == 3).all()

    regions = res.regions.set_index(["year", "region"])["segmentation"]
    assert regions[(2001, "A")] == pytest.approx(16e-4 / 27)  # mean of AB and AC
    assert regions[(2001, "B")] == pytest.approx(23.5e-4 / 27)
    assert regions[(2003, "C")] == pytest.approx(10e-4 / 9)
    assert (res.regions["n_partners"] == 2).all()
    overall = res.overall.set_index("year")["segmentation"]
    assert overall.to_dict() == pytest.approx({2001: 20e-4 / 27, 2002: 0.0, 2003: 13e-4 / 9})

    q = res.q.set_index(["year", "good", "region_a", "region_b"])
    assert q.loc[(2001, "g1", "A", "B"), "dq"] == pytest.approx(-0.02)
    assert q.loc[(2001, "g3", "B", "C"), "q"] == pytest.approx(-0.02)


def test_population_variance_with_ddof_0():
    res = market_segmentation(_panel(), ddof=0)
    ab = res.pairs.set_index(["year", "region_a", "region_b"]).loc[(2001, "A", "B"), "segmentation"]
    assert ab == pytest.approx(19e-4 / 27 * 2 / 3)


def test_demeaned_q_sums_to_zero_over_pairs():
    res = market_segmentation(_random_panel())
    np.testing.assert_allclose(res.q.groupby(["year", "good"])["q"].sum(), 0.0, atol=1e-15)


def test_region_and_year_indices_are_means_over_pairs():
    res = market_segmentation(_random_panel(n_regions=5))
    pairs = res.pairs
    r1 = pairs[(pairs["year"] == 2002) & ((pairs["region_a"] == "r1") | (pairs["region_b"] == "r1"))]
    assert len(r1) == 4
    regions = res.regions.set_index(["year", "region"])
    assert regions.loc[(2002, "r1"), "segmentation"] == pytest.approx(r1["segmentation"].mean(), rel=1e-12)
    assert regions.loc[(2002, "r1"), "n_partners"] == 4
    overall = res.overall.set_index("year").loc[2002]
    assert overall["segmentation"] == pytest.approx(pairs.loc[pairs["year"] == 2002, "segmentation"].mean())
    assert overall["n_pairs"] == 10


def test_identical_price_paths_give_zero():
    p = _random_panel(n_regions=1).drop(columns="region")
    panel = pd.concat([p.assign(region=r) for r in ["x", "y", "z", "w"]], ignore_index=True)
    res = market_segmentation(panel)
    np.testing.assert_allclose(res.pairs["segmentation"], 0.0, atol=1e-30)
    np.testing.assert_allclose(res.overall["segmentation"], 0.0, atol=1e-30)


def test_region_year_factor_on_identical_paths_gives_zero():
    # I_rt^k = a_t^k * lambda_rt (separable): |dQ| is the same for every good of a pair.
    p = _random_panel(n_regions=1).drop(columns="region")
    rng = np.random.default_rng(3)
    parts = []
    for r in ["x", "y", "z", "w"]:
        lam = pd.Series(np.exp(rng.normal(0, 0.05, p["year"].nunique())), index=sorted(p["year"].unique()))
        parts.append(p.assign(region=r, price_index=p["price_index"] * p["year"].map(lam).to_numpy()))
    res = market_segmentation(pd.concat(parts, ignore_index=True))
    assert res.pairs["segmentation"].abs().max() < 1e-30
    assert res.q["abs_dq"].max() > 0.01  # the factors do move relative prices, uniformly across goods


def test_region_year_factor_is_not_neutral_in_general():
    # The absolute value: a region-wide factor shifts |dQ| only where dQ keeps its sign.
    base = _random_panel(seed=1)
    shifted = base.copy()
    shifted.loc[shifted["region"] == "r0", "price_index"] *= 1.03
    a = market_segmentation(base).overall["segmentation"].to_numpy()
    b = market_segmentation(shifted).overall["segmentation"].to_numpy()
    assert np.abs(a - b).max() > 1e-6


def test_constant_price_level_difference_cancels():
    # With price levels, region r0 always 30% dearer for every good: the double ratio cancels it.
    levels = _random_panel(seed=2)
    levels = levels.sort_values(["region", "good", "year"])
    levels["price_index"] = levels.groupby(["region", "good"])["price_index"].cumprod()
    dearer = levels.copy()
    dearer.loc[dearer["region"] == "r0", "price_index"] *= 1.3
    a = market_segmentation(levels, index="level").pairs
    b = market_segmentation(dearer, index="level").pairs
    np.testing.assert_allclose(a["segmentation"], b["segmentation"], rtol=1e-9)


def test_common_good_year_shock_cancels():
    base = _random_panel(seed=4)
    shocked = base.copy()
    hit = (shocked["good"] == "g3") & (shocked["year"] == 2003)
    shocked.loc[hit, "price_index"] *= 1.5
    np.testing.assert_allclose(
        market_segmentation(base).pairs["segmentation"], market_segmentation(shocked).pairs["segmentation"], rtol=1e-9
    )


def test_level_and_chained_indices_agree():
    chained = _random_panel(seed=5)
    levels = chained.sort_values(["region", "good", "year"]).copy()
    levels["price_index"] = levels.groupby(["region", "good"])["price_index"].cumprod() / 100
    a = market_segmentation(chained).pairs
    b = market_segmentation(levels, index="level").pairs
    a = a[a["year"] > a["year"].min()].reset_index(drop=True)  # the level form loses the first year
    assert b["year"].min() == 2001
    np.testing.assert_allclose(a["segmentation"], b["segmentation"], rtol=1e-9)


def test_region_labels_and_pair_order_do_not_matter():
    p = _panel()
    renamed = p.assign(region=p["region"].map({"A": "Z", "B": "Y", "C": "X"}))
    a = market_segmentation(p).pairs.set_index(["year", "region_a", "region_b"])["segmentation"]
    b = market_segmentation(renamed).pairs.set_index(["year", "region_a", "region_b"])["segmentation"]
    assert a[(2003, "A", "B")] == pytest.approx(b[(2003, "Y", "Z")])
    assert a[(2003, "B", "C")] == pytest.approx(b[(2003, "X", "Y")])


def test_pairs_subset_demeans_over_the_pairs_used():
    res = market_segmentation(_random_panel(), pairs=[("r1", "r0"), ("r2", "r3"), ("r0", "r4")])
    assert set(zip(res.pairs["region_a"], res.pairs["region_b"])) == {("r0", "r1"), ("r2", "r3"), ("r0", "r4")}
    np.testing.assert_allclose(res.q.groupby(["year", "good"])["q"].sum(), 0.0, atol=1e-15)
    with pytest.raises(ValueError, match="pairs name regions without prices"):
        market_segmentation(_random_panel(), pairs=[("r0", "nowhere")])


def test_missing_prices_drop_out():
    p = _panel()
    p.loc[(p["region"] == "C") & (p["good"] == "g2") & (p["year"] == 2001), "price_index"] = np.nan
    res = market_segmentation(p)
    n = res.pairs.set_index(["year", "region_a", "region_b"])["n_goods"]
    assert n[(2001, "A", "B")] == 3 and n[(2001, "A", "C")] == 2 and n[(2002, "A", "C")] == 3


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="at least three regions"):
        market_segmentation(_panel(regions="AB_")[lambda d: d["region"] != "_"])
    with pytest.raises(ValueError, match="lacks columns \\['price_index'\\]"):
        market_segmentation(_panel().drop(columns="price_index"))
    bad = _panel()
    bad.loc[0, "price_index"] = -1.0
    with pytest.raises(ValueError, match="positive and finite"):
        market_segmentation(bad)
    with pytest.raises(ValueError, match="duplicated"):
        market_segmentation(pd.concat([_panel(), _panel().iloc[:1]]))
    with pytest.raises(ValueError, match="index must be"):
        market_segmentation(_panel(), index="fixed")
