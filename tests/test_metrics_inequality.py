"""Gini and Theil against PySAL ``inequality`` and textbook values.

PySAL's ``inequality`` package is not a dependency of this project. Reference numbers come
from (a) the doctests of ``inequality.theil.TheilD`` (Mexican state GDP per capita,
``libpysal.examples`` 'mexico.csv', shipped with libpysal), and (b) running
``inequality`` 1.1.2 once (pip-installed outside the project) on the same data:
``Gini(y[:, k]).g`` and ``TheilD(y, hanson98)``; the values are hard-coded below.
"""

from __future__ import annotations

import libpysal
import numpy as np
import pytest

from yrd.metrics import TheilResult, gini, theil


@pytest.fixture(scope="module")
def mexico():
    f = libpysal.io.open(libpysal.examples.get_path("mexico.csv"))
    y = np.array([f.by_col[f"pcgdp{dec}"] for dec in range(1940, 2010, 10)]).T
    regions = np.array(f.by_col("hanson98"))
    return y, regions


def test_gini_textbook_example():
    # Relative mean difference without n/(n-1): sum_ij |y_i - y_j| = 40, n^2 = 25, mean 3:
    # G = 40 / (2 * 25 * 3) = 4/15 = 0.2667 (Cowell 2011, ch. 2; inequality 1.1.2 Gini([1..5]).g
    # = 0.26666666666666666).
    assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15, rel=1e-12)
    assert round(gini([1, 2, 3, 4, 5]), 4) == 0.2667


def test_gini_matches_pysal_inequality_on_mexico(mexico):
    y, _ = mexico
    # inequality 1.1.2: [Gini(y[:, k]).g for k in range(7)], decades 1940..2000.
    expected = [
        0.3537237117345285,
        0.29644613439022827,
        0.2537183285655905,
        0.25513356494927303,
        0.24505338049421577,
        0.25181825879538217,
        0.2581130824882791,
    ]
    np.testing.assert_allclose([gini(y[:, k]) for k in range(7)], expected, rtol=1e-12)


def test_gini_weights_equal_replication():
    # A weight k counts as k identical observations.
    values = np.array([3.0, 1.0, 7.0, 2.0])
    weights = np.array([2, 5, 1, 3])
    assert gini(values, weights) == pytest.approx(gini(np.repeat(values, weights)), rel=1e-12)


def test_gini_extremes():
    assert gini([4, 4, 4]) == pytest.approx(0, abs=1e-12)
    # One of n holds everything: (n - 1)/n.
    assert gini([0, 0, 0, 9]) == pytest.approx(0.75)
    assert np.isnan(gini([0, 0, 0]))


def test_gini_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        gini([1, -2, 3])
    with pytest.raises(ValueError, match="missing"):
        gini([1, np.nan])
    with pytest.raises(ValueError, match="empty"):
        gini([])
    with pytest.raises(ValueError, match="length"):
        gini([1, 2], weights=[1, 2, 3])


def test_theil_decomposition_matches_pysal_inequality_doctest(mexico):
    y, regions = mexico
    # inequality.theil.TheilD docstring (and inequality 1.1.2 run, full precision below):
    # theil_d.bg -> [0.0345889 , 0.02816853, 0.05260921, 0.05931219, 0.03205257, 0.02963731, 0.03635872]
    # theil_d.wg -> [0.17435454, 0.12405598, 0.0521202 , 0.04263506, 0.06354856, 0.07547525, 0.0702496 ]
    # Theil(y).T -> [0.20894344, 0.15222451, 0.10472941, 0.10194725, 0.09560113, 0.10511256, 0.10660832]
    T = [0.20894344230358594, 0.1522245052653124, 0.10472941488245856, 0.10194724969688372,
         0.09560112758525616, 0.1051125639798185, 0.10660832349588023]  # fmt: skip
    bg = [0.03458890004670405, 0.028168529078722478, 0.05260921482184199, 0.05931219111227932,
          0.032052570973453376, 0.029637312183149408, 0.03635871887968048]  # fmt: skip
    wg = [0.1743545422568819, 0.12405597618658992, 0.052120200060616566, 0.0426350585846044,
          0.06354855661180278, 0.07547525179666909, 0.07024960461619975]  # fmt: skip
    results = [theil(y[:, k], groups=regions) for k in range(7)]
    assert all(isinstance(r, TheilResult) for r in results)
    np.testing.assert_allclose([r.total for r in results], T, rtol=1e-10)
    np.testing.assert_allclose([r.between for r in results], bg, rtol=1e-10)
    np.testing.assert_allclose([r.within for r in results], wg, rtol=1e-10)
    # Doctest precision (8 decimals) as printed.
    assert round(results[0].between, 8) == 0.0345889
    assert round(results[0].within, 8) == 0.17435454


def test_theil_weighted_equals_replication_and_decomposes():
    # Population weights: a region with population k counts as k people with its income
    # (Theil 1967; Shorrocks 1980 decomposition T = T_B + T_W).
    values = np.array([5.0, 1.0, 3.0, 8.0, 2.0])
    pop = np.array([3, 1, 4, 2, 5])
    groups = np.array(["n", "n", "s", "s", "s"])
    weighted = theil(values, groups, weights=pop)
    replicated = theil(np.repeat(values, pop), np.repeat(groups, pop))
    assert weighted.total == pytest.approx(replicated.total, rel=1e-12)
    assert weighted.between == pytest.approx(replicated.between, rel=1e-12)
    assert weighted.within == pytest.approx(replicated.within, rel=1e-12)
    assert weighted.between + weighted.within == pytest.approx(weighted.total, rel=1e-12)
    assert 0 < weighted.between_share < 1


def test_theil_by_hand():
    # Two people, incomes 1 and 3: shares 1/4, 3/4, population shares 1/2:
    # T = 1/4 ln(1/2) + 3/4 ln(3/2) = 0.130812035941137.
    assert theil([1, 3]).total == pytest.approx(0.25 * np.log(0.5) + 0.75 * np.log(1.5), rel=1e-12)
    # One of N holds everything: T = ln N; zeros contribute 0 (limit of s ln s).
    assert theil([0, 0, 0, 12]).total == pytest.approx(np.log(4), rel=1e-12)
    no_groups = theil([1, 3])
    assert no_groups.between == 0 and no_groups.within == no_groups.total


def test_theil_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        theil([1, -1])
    with pytest.raises(ValueError, match="sums to zero"):
        theil([0, 0])
    with pytest.raises(ValueError, match="positive"):
        theil([1, 2], weights=[1, 0])
    with pytest.raises(ValueError, match="groups has length"):
        theil([1, 2, 3], groups=["a", "b"])
