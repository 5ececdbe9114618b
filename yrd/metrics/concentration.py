"""Geographic concentration of industries from a region x industry table: Hoover index,
Krugman's locational Gini, and the Herfindahl index."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from yrd.metrics._validation import nonnegative_vector, region_industry_matrix


def hoover(X: pd.DataFrame, reference: pd.Series | None = None) -> pd.Series:
    r"""Hoover index of localisation of each industry, as a fraction.

    .. math::

        H_i = \tfrac12 \sum_r \left| \frac{x_{ri}}{x_{\cdot i}} - \frac{a_r}{a_\cdot} \right|

    where :math:`a_r` is the reference distribution (by default the regions' totals over all
    industries, :math:`a_r = x_{r\cdot}`). :math:`H_i` is the share of the industry that would
    have to move for it to be distributed like the reference.

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.
    reference : pandas.Series, optional
        Reference size of each region (population, area, all-industry employment...), indexed
        by the regions of ``X``. Default: row sums of ``X``.

    Returns
    -------
    pandas.Series
        One value per industry, a fraction in :math:`[0, 1)`; ``nan`` for an all-zero industry
        (its regional shares are undefined).

    Notes
    -----
    EconGeo (``Hoover.index`` / ``hoover_index``, R package 2.0) reports the same quantity in
    **percent** rounded to 2 decimals, and when its ``pop`` argument is missing it uses an
    **equal** reference for every region, not the regions' totals:

    * ``hoover(X, reference=pop) * 100 == EconGeo::hoover_index(X, pop)`` (up to rounding);
    * ``hoover(X, reference=pd.Series(1, index=X.index)) * 100 == EconGeo::hoover_index(X)``.

    EconGeo's ``Hoover.Gini`` / ``hoover_gini`` is a different index (the Gini of the Hoover
    curve, in [0, 1]), not this one.

    References
    ----------
    Hoover, E. M. (1936) The measurement of industrial localization. *The Review of Economics
    and Statistics* 18: 162-171.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [10, 0], "b": [10, 20]}, index=["r1", "r2"])
    >>> hoover(X).round(4).tolist()
    [0.5, 0.1667]
    """
    values = region_industry_matrix(X)
    if reference is None:
        ref = values.sum(axis=1)
    else:
        if not isinstance(reference, pd.Series):
            raise TypeError("reference must be a pandas Series indexed by the regions of X")
        missing = X.index.difference(reference.index)
        if len(missing):
            raise ValueError(f"reference lacks regions of X: {missing.tolist()[:5]}")
        ref = nonnegative_vector(reference.reindex(X.index), "reference", allow_zero_sum=False)
    ref_share = ref / ref.sum()
    col_total = values.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = values / col_total
    h = 0.5 * np.abs(share - ref_share[:, None]).sum(axis=0)
    h[col_total == 0] = np.nan
    return pd.Series(h, index=X.columns, name="hoover")


def locational_gini(X: pd.DataFrame) -> pd.Series:
    r"""Krugman's locational Gini coefficient of each industry.

    Regions are ranked by the industry's location quotient; the locational Lorenz curve plots
    the cumulative share of the industry (:math:`x_{ri}/x_{\cdot i}`) against the cumulative
    share of all-industry activity (:math:`w_r = x_{r\cdot}/x_{\cdot\cdot}`). The coefficient
    is the area between that curve and the diagonal divided by the area under the diagonal
    (1/2), i.e. the weighted Gini of the location quotients:

    .. math::

        G_i = \tfrac12 \sum_r \sum_s w_r w_s \left| LQ_{ri} - LQ_{si} \right|
            = 1 - \sum_{k} w_{(k)} \left(C_{(k)} + C_{(k-1)}\right),

    with :math:`C_{(k)}` the cumulative industry share up to the k-th region in LQ order.

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.

    Returns
    -------
    pandas.Series
        One value per industry, in :math:`[0, 1)`: 0 when the industry is spread like total
        activity, approaching 1 when it sits in a region with a tiny share of total activity.
        ``nan`` for an all-zero industry. All-zero regions have weight 0 and do not count.

    Notes
    -----
    **Relation to EconGeo.** EconGeo's ``locational.Gini`` / ``locational_gini`` (R package 2.0)
    returns the *area* between the curve and the diagonal, i.e. half of this value (its
    documented "theoretical limit = 0.5"):

    ``locational_gini(X) == 2 * EconGeo::locational_gini(X)$Loc_gini``.

    Krugman (1991, Geography and Trade, ch. 2 and appendix D) describes the curve; we use
    the usual Gini normalisation so that the locational Gini is on the same [0, 1) scale as
    :func:`yrd.metrics.gini`.

    References
    ----------
    Krugman, P. (1991) *Geography and Trade*. MIT Press, Cambridge MA, ch. 2 (p. 56) and
    appendix D.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [100, 0], "b": [0, 300]}, index=["r1", "r2"])
    >>> locational_gini(X).round(4).tolist()
    [0.75, 0.25]
    """
    values = region_industry_matrix(X)
    w = values.sum(axis=1) / values.sum()
    col_total = values.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = values / col_total
        lq = share / w[:, None]
    lq = np.nan_to_num(lq, nan=0.0, posinf=0.0)  # only all-zero regions (w = 0) or industries
    order = np.argsort(lq, axis=0, kind="stable")
    w_sorted = w[order]
    cum = np.cumsum(np.take_along_axis(share, order, axis=0), axis=0)
    cum_prev = np.vstack([np.zeros((1, cum.shape[1])), cum[:-1]])
    g = np.maximum(1.0 - np.sum(w_sorted * (cum + cum_prev), axis=0), 0.0)  # clip rounding below 0
    g[col_total == 0] = np.nan
    return pd.Series(g, index=X.columns, name="locational_gini")


def herfindahl(X: pd.DataFrame, by: Literal["region", "industry"] = "region") -> pd.Series:
    r"""Herfindahl(-Hirschman) index of shares within each region or each industry.

    ``by="region"`` (specialisation of a region across industries):
    :math:`HHI_r = \sum_i (x_{ri}/x_{r\cdot})^2`.
    ``by="industry"`` (concentration of an industry across regions):
    :math:`HHI_i = \sum_r (x_{ri}/x_{\cdot i})^2`.

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.
    by : {"region", "industry"}
        Whose shares are squared and summed.

    Returns
    -------
    pandas.Series
        Indexed by region or industry; fractions in :math:`[1/n, 1]` where n is the number of
        industries (``by="region"``) or regions (``by="industry"``). ``nan`` for an all-zero
        region or industry.

    Notes
    -----
    ``herfindahl(X, by="region")`` equals EconGeo's ``Herfindahl`` / ``herfindahl`` (R package
    2.0), which computes ``rowSums(mat^2) / rowSums(mat)^2``.

    References
    ----------
    Hirschman, A. O. (1945) *National Power and the Structure of Foreign Trade*. University
    of California Press. Herfindahl, O. C. (1959) *Copper Costs and Prices: 1870-1957*. Johns
    Hopkins Press.
    """
    values = region_industry_matrix(X)
    if by == "region":
        axis, labels = 1, X.index
    elif by == "industry":
        axis, labels = 0, X.columns
    else:
        raise ValueError(f"by must be 'region' or 'industry', got {by!r}")
    total = values.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        hhi = (values**2).sum(axis=axis) / total**2
    hhi[total == 0] = np.nan
    return pd.Series(hhi, index=labels, name=f"herfindahl_{by}")
