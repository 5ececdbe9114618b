"""Region x industry metrics: hand-computed examples, identities between indices, edge cases
(all-zero industries and regions) and input validation.

Expected numbers are derived by hand in the comments from the formulas of the cited
sources: Hoover (1936), Krugman (1991), Midelfart-Knarvik et al. (2000), UNIDO (1979).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.metrics import (
    herfindahl,
    hoover,
    krugman_dissimilarity,
    krugman_specialisation,
    location_quotient,
    locational_gini,
    structural_similarity,
)

ALL_X_FUNCTIONS = [
    location_quotient,
    hoover,
    locational_gini,
    herfindahl,
    krugman_specialisation,
    krugman_dissimilarity,
    structural_similarity,
]


@pytest.fixture
def small() -> pd.DataFrame:
    # Three regions, three industries (employment).
    return pd.DataFrame(
        {"textiles": [30, 10, 0], "machinery": [10, 30, 20], "chemicals": [0, 0, 20]},
        index=["shanghai", "suzhou", "ningbo"],
    )


@pytest.fixture
def random_table() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        rng.integers(0, 500, size=(12, 6)).astype(float),
        index=[f"r{i}" for i in range(12)],
        columns=[f"i{j}" for j in range(6)],
    )


def test_krugman_specialisation_rest_of_sample_by_hand(small):
    # Region shares s_r: shanghai (3/4, 1/4, 0), suzhou (1/4, 3/4, 0), ningbo (0, 1/2, 1/2).
    # Rest of shanghai = suzhou + ningbo = (10, 50, 20)/80 = (1/8, 5/8, 1/4):
    # K = |3/4 - 1/8| + |1/4 - 5/8| + |0 - 1/4| = 5/8 + 3/8 + 1/4 = 5/4 (Midelfart-Knarvik et al. 2000).
    # Total structure = (40, 60, 20)/120 = (1/3, 1/2, 1/6):
    # K = |3/4 - 1/3| + |1/4 - 1/2| + |0 - 1/6| = 5/12 + 1/4 + 1/6 = 5/6 (EconGeo krugman_index).
    assert krugman_specialisation(small, reference="rest")["shanghai"] == pytest.approx(5 / 4)
    assert krugman_specialisation(small, reference="total")["shanghai"] == pytest.approx(5 / 6)


def test_krugman_rest_equals_bilateral_with_two_regions(random_table):
    # With two regions the rest of the sample of r0 is r1, so K_r0(rest) = K_01 (Krugman 1991).
    two = random_table.iloc[:2]
    assert krugman_specialisation(two, "rest")["r0"] == pytest.approx(krugman_dissimilarity(two).loc["r0", "r1"])


def test_krugman_dissimilarity_by_hand(small):
    # shanghai vs ningbo: |3/4 - 0| + |1/4 - 1/2| + |0 - 1/2| = 3/2; shanghai vs suzhou: 1/2 + 1/2 = 1.
    K = krugman_dissimilarity(small)
    assert K.loc["shanghai", "ningbo"] == pytest.approx(1.5)
    assert K.loc["shanghai", "suzhou"] == pytest.approx(1.0)
    np.testing.assert_allclose(K.to_numpy(), K.to_numpy().T)
    np.testing.assert_allclose(np.diag(K), 0)


def test_krugman_dissimilarity_chunked_matches_direct():
    # Enough regions x industries to take several blocks of the chunked loop.
    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.integers(0, 9, size=(700, 30)).astype(float) + 1)
    s = X.div(X.sum(axis=1), axis=0).to_numpy()
    direct = np.abs(s[:50, None, :] - s[None, :, :]).sum(axis=2)
    np.testing.assert_allclose(krugman_dissimilarity(X).to_numpy()[:50], direct, rtol=1e-12)


def test_structural_similarity_by_hand(small):
    # UNIDO cosine: shanghai (3/4, 1/4, 0) . suzhou (1/4, 3/4, 0) = 3/8; norms^2 = 10/16 each:
    # S = (3/8) / (10/16) = 3/5. shanghai . ningbo = 1/8; norms^2 10/16 and 1/2:
    # S = (1/8) / sqrt(10/16 * 1/2) = 1/sqrt(20) = 0.2236.
    S = structural_similarity(small)
    assert S.loc["shanghai", "suzhou"] == pytest.approx(0.6)
    assert S.loc["shanghai", "ningbo"] == pytest.approx(1 / np.sqrt(20))
    np.testing.assert_allclose(np.diag(S), 1.0)


def test_structural_similarity_bounds_and_scale_invariance(random_table):
    S = structural_similarity(random_table)
    assert ((S >= 0) & (S <= 1)).all().all()
    pd.testing.assert_frame_equal(structural_similarity(random_table * 7.5), S)
    # Disjoint structures have similarity 0, identical (proportional) ones 1.
    X = pd.DataFrame({"a": [1, 0, 2], "b": [0, 1, 4]}, index=["p", "q", "r"])
    assert structural_similarity(X).loc["p", "q"] == 0
    X2 = pd.DataFrame({"a": [1, 3], "b": [2, 6]}, index=["p", "q"])
    assert structural_similarity(X2).loc["p", "q"] == pytest.approx(1.0)


def test_herfindahl_by_industry_by_hand(small):
    # machinery across regions: (10, 30, 20)/60 -> 1/36 + 9/36 + 4/36 = 14/36.
    assert herfindahl(small, by="industry")["machinery"] == pytest.approx(14 / 36)
    # chemicals sit in one region: 1.
    assert herfindahl(small, by="industry")["chemicals"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="by must be"):
        herfindahl(small, by="province")


def test_locational_gini_equals_weighted_pairwise_lq_gini(random_table):
    # Independent formula: G_i = 1/2 sum_r sum_s w_r w_s |LQ_ri - LQ_si| (mean LQ, weighted, is 1).
    X = random_table.to_numpy()
    w = X.sum(axis=1) / X.sum()
    lq = location_quotient(random_table).to_numpy()
    expected = 0.5 * np.einsum("r,s,rsi->i", w, w, np.abs(lq[:, None, :] - lq[None, :, :]))
    np.testing.assert_allclose(locational_gini(random_table).to_numpy(), expected, rtol=1e-10)


def test_locational_gini_zero_when_proportional():
    # Every industry spread exactly like total employment (rank-1 table): Gini 0, Hoover 0.
    X = pd.DataFrame(np.outer([1, 2, 3, 4], [5, 1, 2]).astype(float))
    np.testing.assert_allclose(locational_gini(X), 0, atol=1e-12)
    np.testing.assert_allclose(hoover(X), 0, atol=1e-12)


def test_ranges_on_random_table(random_table):
    assert hoover(random_table).between(0, 1).all()
    assert locational_gini(random_table).between(0, 1).all()
    assert krugman_specialisation(random_table).between(0, 2).all()
    assert krugman_specialisation(random_table, "rest").between(0, 2).all()
    assert krugman_dissimilarity(random_table).stack().between(0, 2).all()
    n_ind = random_table.shape[1]
    assert herfindahl(random_table).between(1 / n_ind, 1).all()


# --- all-zero industries and regions (documented behaviour) -------------------------------


@pytest.fixture
def with_empty() -> pd.DataFrame:
    return pd.DataFrame(
        {"a": [5.0, 3.0, 0.0], "empty_industry": [0.0, 0.0, 0.0], "b": [1.0, 4.0, 0.0]},
        index=["r1", "r2", "empty_region"],
    )


def test_all_zero_industry(with_empty):
    assert (location_quotient(with_empty)["empty_industry"] == 0).all()  # EconGeo: 0/0 -> 0
    assert np.isnan(hoover(with_empty)["empty_industry"])
    assert np.isnan(locational_gini(with_empty)["empty_industry"])
    assert np.isnan(herfindahl(with_empty, by="industry")["empty_industry"])
    # The other industries are unaffected by the empty column.
    pd.testing.assert_series_equal(
        locational_gini(with_empty).drop("empty_industry"), locational_gini(with_empty.drop(columns="empty_industry"))
    )


def test_all_zero_region(with_empty):
    assert (location_quotient(with_empty).loc["empty_region"] == 0).all()  # EconGeo: 0/0 -> 0
    assert np.isnan(krugman_specialisation(with_empty)["empty_region"])
    assert np.isnan(krugman_dissimilarity(with_empty).loc["r1", "empty_region"])
    assert np.isnan(structural_similarity(with_empty).loc["empty_region", "empty_region"])
    assert np.isnan(herfindahl(with_empty)["empty_region"])
    # A region without activity has weight 0 in the locational Gini and changes nothing.
    pd.testing.assert_series_equal(locational_gini(with_empty), locational_gini(with_empty.drop(index="empty_region")))


# --- input validation -----------------------------------------------------------------------


@pytest.mark.parametrize("func", ALL_X_FUNCTIONS)
def test_negative_values_are_named(func, small):
    bad = small.copy()
    bad.loc["suzhou", "machinery"] = -1
    with pytest.raises(ValueError, match=r"negative values.*'suzhou', 'machinery'"):
        func(bad)


@pytest.mark.parametrize("func", ALL_X_FUNCTIONS)
def test_missing_values_are_named(func, small):
    bad = small.astype(float)
    bad.loc["ningbo", "textiles"] = np.nan
    with pytest.raises(ValueError, match=r"missing.*'ningbo', 'textiles'"):
        func(bad)


@pytest.mark.parametrize("func", ALL_X_FUNCTIONS)
def test_empty_tables_are_rejected(func, small):
    with pytest.raises(ValueError, match="no rows"):
        func(small.iloc[:0])
    with pytest.raises(ValueError, match="no columns"):
        func(small.iloc[:, :0])
    with pytest.raises(ValueError, match="sums to zero"):
        func(small * 0)


def test_other_bad_inputs(small):
    with pytest.raises(TypeError, match="DataFrame"):
        location_quotient(small.to_numpy())
    with pytest.raises(ValueError, match="non-numeric"):
        location_quotient(small.assign(textiles=["a", "b", "c"]))
    dup = small.copy()
    dup.columns = ["x", "x", "y"]
    with pytest.raises(ValueError, match="duplicated industry labels"):
        location_quotient(dup)
    with pytest.raises(ValueError, match="reference lacks regions"):
        hoover(small, reference=pd.Series([1.0, 2.0], index=["shanghai", "suzhou"]))
    with pytest.raises(ValueError, match="reference must be"):
        krugman_specialisation(small, reference="national")
