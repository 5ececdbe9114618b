"""yrd.metrics against the documented examples of the R package EconGeo.

Source of every expected number: EconGeo 2.0 (Balland et al., CRAN 2023-08; GitHub
PABalland/EconGeo, commit c87d958, files R/location_quotient.r, R/locational_gini.r,
R/hoover_index.r, R/gini.r (Gini.r), R/krugman_index.r, R/spec_coeff.r, R/Herfindahl.r).
The help pages give the example matrices but print no results, so the results below were
printed by running that EconGeo source, unchanged, under R 4.2.2 on the documented examples;
the R output is copied into the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.metrics import (
    gini,
    herfindahl,
    hoover,
    krugman_specialisation,
    location_quotient,
    locational_gini,
)

REGIONS5 = ["R1", "R2", "R3", "R4", "R5"]


@pytest.fixture
def lq_example() -> pd.DataFrame:
    # EconGeo ?location_quotient and ?locational_gini example matrix.
    return pd.DataFrame(
        [
            [100, 0, 0, 0, 0],
            [0, 15, 5, 70, 10],
            [0, 20, 10, 20, 50],
            [0, 25, 30, 5, 40],
            [0, 40, 55, 5, 0],
        ],
        index=REGIONS5,
        columns=["I1", "I2", "I3", "I4", "I5"],
    )


@pytest.fixture
def hoover_example() -> pd.DataFrame:
    # EconGeo ?hoover_index / ?hoover_gini example matrix.
    return pd.DataFrame(
        [[0, 10, 0, 0], [0, 15, 0, 0], [0, 20, 0, 0], [0, 25, 0, 1], [0, 30, 1, 1]],
        index=REGIONS5,
        columns=["I1", "I2", "I3", "I4"],
    )


@pytest.fixture
def seed31_example() -> pd.DataFrame:
    # EconGeo ?krugman_index, ?spec_coeff, ?herfindahl: set.seed(31);
    # matrix(sample(0:100, 20, replace = TRUE), ncol = 4) under R 4.2.2 prints
    #    I1 I2 I3 I4
    # R1 44 63  8 83
    # R2 48 42 10  1
    # R3 74 54 96 16
    # R4 39 26 28 13
    # R5 89 61 45 76
    return pd.DataFrame(
        [[44, 63, 8, 83], [48, 42, 10, 1], [74, 54, 96, 16], [39, 26, 28, 13], [89, 61, 45, 76]],
        index=REGIONS5,
        columns=["I1", "I2", "I3", "I4"],
    )


def test_location_quotient_reproduces_econgeo_example(lq_example):
    # EconGeo location_quotient(mat) prints
    #    I1   I2   I3   I4  I5
    # R1  5 0.00 0.00 0.00 0.0
    # R2  0 0.75 0.25 3.50 0.5
    # R3  0 1.00 0.50 1.00 2.5
    # R4  0 1.25 1.50 0.25 2.0
    # R5  0 2.00 2.75 0.25 0.0
    expected = np.array(
        [
            [5, 0.00, 0.00, 0.00, 0.0],
            [0, 0.75, 0.25, 3.50, 0.5],
            [0, 1.00, 0.50, 1.00, 2.5],
            [0, 1.25, 1.50, 0.25, 2.0],
            [0, 2.00, 2.75, 0.25, 0.0],
        ]
    )
    lq = location_quotient(lq_example)
    np.testing.assert_allclose(lq.to_numpy(), expected, rtol=1e-12)
    assert list(lq.index) == REGIONS5 and list(lq.columns) == list(lq_example.columns)


def test_location_quotient_binary_reproduces_econgeo_example(lq_example):
    # EconGeo location_quotient(mat, binary = TRUE) prints (note R3/I2 and R3/I4: LQ = 1 -> 1)
    #    I1 I2 I3 I4 I5
    # R1  1  0  0  0  0
    # R2  0  0  0  1  0
    # R3  0  1  0  1  1
    # R4  0  1  1  0  1
    # R5  0  1  1  0  0
    expected = np.array([[1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 1, 0, 1, 1], [0, 1, 1, 0, 1], [0, 1, 1, 0, 0]])
    np.testing.assert_array_equal(location_quotient(lq_example, binary=True).to_numpy(), expected)


def test_locational_gini_is_twice_econgeo(lq_example):
    # EconGeo locational_gini(mat) prints Loc_gini 0.40, 0.18, 0.27, 0.31, 0.28 for I1..I5
    # (sprintf %.17g: 0.40000000000000002 0.18000000000000005 0.27000000000000007 0.31
    # 0.28000000000000003). EconGeo reports the area between the locational Lorenz curve and
    # the diagonal (max 0.5); ours is the Gini normalisation, area / (1/2) = 2 x EconGeo.
    econgeo = np.array([0.40, 0.18, 0.27, 0.31, 0.28])
    ours = locational_gini(lq_example)
    np.testing.assert_allclose(ours.to_numpy(), 2 * econgeo, rtol=1e-12)
    # By hand for I1: all of it in R1, which has 100/500 = 20% of total employment; the
    # Lorenz curve is (0,0)-(0.8,0)-(1,1), Gini = 1 - 0.2 * (0 + 1) = 0.8.
    assert ours["I1"] == pytest.approx(0.8)


def test_hoover_vector_reproduces_econgeo_example():
    # EconGeo: ind <- c(0, 10, 10, 30, 50); pop <- c(10, 15, 20, 25, 30);
    # hoover_index(ind, pop) prints 25 (percent). Ours is the same as a fraction.
    X = pd.DataFrame({"ind": [0, 10, 10, 30, 50]}, index=REGIONS5)
    pop = pd.Series([10, 15, 20, 25, 30], index=REGIONS5)
    assert hoover(X, reference=pop)["ind"] == pytest.approx(0.25, rel=1e-12)


def test_hoover_matrix_reproduces_econgeo_example(hoover_example):
    pop = pd.Series([10, 15, 20, 25, 30], index=REGIONS5)
    # hoover_index(mat, pop) prints I1 NaN, I2 0, I3 70, I4 45.
    np.testing.assert_allclose(
        100 * hoover(hoover_example, reference=pop).to_numpy(), [np.nan, 0, 70, 45], rtol=1e-12, atol=1e-12
    )
    # hoover_index(rowSums(mat), pop) prints 1.31 (EconGeo rounds to 2 decimals).
    total = hoover_example.sum(axis=1).to_frame("all")
    assert round(100 * hoover(total, reference=pop)["all"], 2) == 1.31
    # hoover_index(mat) with pop missing uses an equal reference: prints NaN, 15, 80, 60.
    equal = pd.Series(1.0, index=REGIONS5)
    np.testing.assert_allclose(
        100 * hoover(hoover_example, reference=equal).to_numpy(), [np.nan, 15, 80, 60], rtol=1e-12
    )


def test_hoover_default_reference_is_region_totals(hoover_example):
    # Our default differs from EconGeo's: the reference is the regions' all-industry totals
    # (10, 15, 20, 26, 32; sum 103). For I3 (all in R5): H = 1/2 [10+15+20+26 + (103-32)]/103
    # = 1/2 * 142/103 = 71/103.
    assert hoover(hoover_example)["I3"] == pytest.approx(71 / 103, rel=1e-12)
    explicit = hoover(hoover_example, reference=hoover_example.sum(axis=1))
    pd.testing.assert_series_equal(hoover(hoover_example), explicit)


def test_gini_reproduces_econgeo_examples(hoover_example):
    # EconGeo gini(c(0, 10, 10, 30, 50)) prints 0.48.
    assert gini([0, 10, 10, 30, 50]) == pytest.approx(0.48, rel=1e-12)
    # mat <- matrix(c(0,1,0,0, 0,1,0,0, 0,1,0,0, 0,1,0,1, 0,1,1,1), ncol = 4, byrow = TRUE)
    # gini(mat) prints I1 NaN, I2 0.0, I3 0.8, I4 0.6; gini(rowSums(mat)) prints 0.25.
    mat = np.array([[0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 1], [0, 1, 1, 1]])
    got = [gini(mat[:, j]) for j in range(4)]
    np.testing.assert_allclose(got, [np.nan, 0.0, 0.8, 0.6], atol=1e-12)
    assert gini(mat.sum(axis=1)) == pytest.approx(0.25, rel=1e-12)


def test_krugman_index_reproduces_econgeo_example(seed31_example):
    # EconGeo krugman_index(mat) prints (options(digits = 15))
    # R1 0.524965815358828 R2 0.603138916511738 R3 0.391703056768559
    # R4 0.213932602784873 R5 0.163127024283343
    expected = [0.524965815358828, 0.603138916511738, 0.391703056768559, 0.213932602784873, 0.163127024283343]
    np.testing.assert_allclose(krugman_specialisation(seed31_example).to_numpy(), expected, rtol=1e-13)
    # spec_coeff(mat) (Hoover coefficient of specialisation) prints half of it:
    # R1 0.2624829076794142 ... R5 0.0815635121416716
    np.testing.assert_allclose(
        krugman_specialisation(seed31_example).to_numpy() / 2,
        [0.2624829076794142, 0.3015694582558692, 0.1958515283842795, 0.1069663013924363, 0.0815635121416716],
        rtol=1e-13,
    )


def test_herfindahl_reproduces_econgeo_example(seed31_example):
    # EconGeo herfindahl(mat) prints
    # R1 0.327976737067646 R2 0.408685422997745 R3 0.310138888888889
    # R4 0.280348878604486 R5 0.264743127136068
    expected = [0.327976737067646, 0.408685422997745, 0.310138888888889, 0.280348878604486, 0.264743127136068]
    np.testing.assert_allclose(herfindahl(seed31_example, by="region").to_numpy(), expected, rtol=1e-13)
