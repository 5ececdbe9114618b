"""Inequality of a distribution: Gini coefficient and Theil's T with its group decomposition."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.metrics._validation import nonnegative_vector


def _lorenz_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini from the Lorenz curve of ``values`` with population ``weights`` (both checked)."""
    order = np.argsort(values, kind="stable")
    p = weights[order] / weights.sum()
    mass = p * values[order]
    q = np.cumsum(mass) / mass.sum()
    q_prev = np.concatenate(([0.0], q[:-1]))
    # 1 - 2 * (area under the Lorenz curve), by trapezoids over the groups.
    return max(0.0, float(1.0 - np.sum(p * (q + q_prev))))  # clip rounding below 0


def gini(values, weights=None) -> float:
    r"""Gini coefficient of non-negative ``values``, optionally population-weighted.

    Definition used (no :math:`n/(n-1)` small-sample correction): the relative mean absolute
    difference halved,

    .. math::

        G = \frac{\sum_i \sum_j w_i w_j |y_i - y_j|}{2 W^2 \mu}, \qquad
        W = \sum_i w_i, \quad \mu = \frac{\sum_i w_i y_i}{W},

    which equals one minus twice the area under the Lorenz curve (computed here by trapezoids
    after sorting). With equal weights the maximum is :math:`(n-1)/n`; ``gini([1, 2, 3, 4, 5])``
    is :math:`40/150 = 0.2667`.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative values (income, employment, output per region...).
    weights : array-like, shape (n,), optional
        Non-negative population weights; equal weights if omitted. A value with weight ``k``
        counts as ``k`` identical observations.

    Returns
    -------
    float
        In :math:`[0, 1)`; 0 is perfect equality. ``nan`` if all values are zero (the mean is
        zero, so shares are undefined); EconGeo's ``Gini`` also returns ``NaN`` then.

    Notes
    -----
    Same definition as PySAL ``inequality.gini.Gini`` (``_gini``, relative mean difference form)
    and EconGeo's ``Gini``/``gini`` (area between Lorenz curve and diagonal over the area of the
    triangle; EconGeo rounds to 3 decimals).

    References
    ----------
    Gini, C. (1921) Measurement of inequality of incomes. *The Economic Journal* 31(121): 124-126.
    Cowell, F. A. (2011) *Measuring Inequality*, 3rd ed., Oxford University Press, ch. 2.

    Examples
    --------
    >>> round(gini([1, 2, 3, 4, 5]), 4)
    0.2667
    """
    y = nonnegative_vector(values, "values")
    if weights is None:
        w = np.ones_like(y)
    else:
        w = nonnegative_vector(weights, "weights", allow_zero_sum=False)
        if w.shape != y.shape:
            raise ValueError(f"weights has length {w.size} but values has length {y.size}")
    if np.sum(w * y) == 0:
        return float("nan")
    return _lorenz_gini(y, w)


@dataclass(frozen=True)
class TheilResult:
    """Theil's T and its exact decomposition ``total = between + within``.

    Attributes
    ----------
    total : float
        Theil's T of the whole distribution, in :math:`[0, \\ln N]` (natural log).
    between : float
        Between-group component (0 when no groups were given).
    within : float
        Within-group component, the group-share-weighted sum of the groups' own Theil T.
    """

    total: float
    between: float
    within: float

    @property
    def between_share(self) -> float:
        """Share of the total explained by differences between groups."""
        return self.between / self.total if self.total > 0 else float("nan")


def _theil_terms(share: np.ndarray, pop_share: np.ndarray) -> float:
    # s * ln(s / p) with the limit 0 * ln 0 = 0.
    pos = share > 0
    return float(np.sum(share[pos] * np.log(share[pos] / pop_share[pos])))


def theil(values, groups=None, weights=None) -> TheilResult:
    r"""Theil's T index of inequality with its between/within-group decomposition.

    With income :math:`y_i` and population :math:`p_i` of unit :math:`i` (equal populations if
    ``weights`` is omitted), income shares :math:`s_i = p_i y_i / \sum_j p_j y_j` and population
    shares :math:`\pi_i = p_i / \sum_j p_j`:

    .. math::

        T = \sum_i s_i \ln\frac{s_i}{\pi_i}, \qquad
        T_B = \sum_g S_g \ln\frac{S_g}{\Pi_g}, \qquad
        T_W = \sum_g S_g T_g = T - T_B,

    where :math:`S_g, \Pi_g` are group g's income and population shares and :math:`T_g` is
    Theil's T computed inside group g. Without weights :math:`\pi_i = 1/N` and
    :math:`T = \frac{1}{N}\sum_i \frac{y_i}{\bar y}\ln\frac{y_i}{\bar y}`.

    Parameters
    ----------
    values : array-like, shape (n,)
        Non-negative values (e.g. GDP per capita of regions). Zeros contribute 0 (limit of
        :math:`s \ln s`).
    groups : array-like, shape (n,), optional
        Group label of each unit (e.g. province); exhaustive and mutually exclusive.
    weights : array-like, shape (n,), optional
        Positive population of each unit: the population-weighted Theil T (GE(1)).

    Returns
    -------
    TheilResult
        ``total``, ``between``, ``within`` (natural logarithms, unitless). Without ``groups``,
        ``between = 0`` and ``within = total``.

    Notes
    -----
    Unweighted results equal PySAL ``inequality.theil.Theil(y).T`` and
    ``TheilD(y, partition)`` (``.T``, ``.bg``, ``.wg``), which add a tiny constant to zeros
    instead of taking the limit.

    References
    ----------
    Theil, H. (1967) *Economics and Information Theory*. North-Holland, Amsterdam.
    Shorrocks, A. F. (1980) The class of additively decomposable inequality measures.
    *Econometrica* 48(3): 613-625.

    Examples
    --------
    >>> theil([1, 1, 1, 1]).total
    0.0
    """
    y = nonnegative_vector(values, "values", allow_zero_sum=False)
    if weights is None:
        p = np.ones_like(y)
    else:
        p = nonnegative_vector(weights, "weights")
        if p.shape != y.shape:
            raise ValueError(f"weights has length {p.size} but values has length {y.size}")
        if (p <= 0).any():
            raise ValueError(f"weights must be positive; zero at positions {np.flatnonzero(p <= 0)[:5].tolist()}")
    share = p * y / np.sum(p * y)
    pop_share = p / p.sum()
    total = _theil_terms(share, pop_share)
    if groups is None:
        return TheilResult(total=total, between=0.0, within=total)
    g = pd.Series(np.asarray(groups))
    if g.shape[0] != y.size:
        raise ValueError(f"groups has length {g.shape[0]} but values has length {y.size}")
    if g.isna().any():
        raise ValueError(f"groups has missing labels at positions {np.flatnonzero(g.isna())[:5].tolist()}")
    codes, _ = pd.factorize(g)
    S = np.bincount(codes, weights=share)
    P = np.bincount(codes, weights=pop_share)
    between = _theil_terms(S, P)
    # within = sum_g S_g T_g; sum_i s_i ln((s_i/S_g)/(pi_i/P_g)) = sum_g S_g T_g directly.
    pos = share > 0
    within = float(np.sum(share[pos] * np.log((share[pos] / S[codes][pos]) / (pop_share[pos] / P[codes][pos]))))
    return TheilResult(total=total, between=between, within=within)
