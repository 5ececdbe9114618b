"""Plant-based ("dartboard") indices of geographic concentration that control for industrial
concentration: Ellison-Glaeser (1997) and Maurel-Sedillot (1999)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.io import used_labels
from yrd.metrics._validation import nonnegative_vector, plant_table


@dataclass(frozen=True)
class DartboardParts:
    """What both dartboard indices are computed from (:data:`FROM_PARTS`)."""

    s: pd.DataFrame  # region x industry employment shares s_ri (columns sum to 1)
    x: pd.Series  # region shares of aggregate employment x_r (sums to 1)
    H: pd.Series  # plant Herfindahl of each industry


def dartboard_parts(plants: pd.DataFrame, regions_weight: pd.Series | None = None) -> DartboardParts:
    """:class:`DartboardParts` of a plant table (columns ``region``, ``industry``, ``employment``,
    checked by :func:`yrd.metrics._validation.plant_table`): its labels are numbered in sorted
    order and :func:`dartboard_parts_from_codes` does the sums."""
    plants = plant_table(plants)
    region, regions = pd.factorize(plants["region"], sort=True)
    industry, industries = pd.factorize(plants["industry"], sort=True)
    emp = plants["employment"].to_numpy(dtype=float)
    return dartboard_parts_from_codes(region, industry, emp, pd.Index(regions), pd.Index(industries), regions_weight)


def dartboard_parts_from_codes(
    region: np.ndarray,
    industry: np.ndarray,
    employment: np.ndarray,
    regions: pd.Index,
    industries: pd.Index,
    regions_weight: pd.Series | None = None,
) -> DartboardParts:
    """:class:`DartboardParts` of the plant table ``region = regions[region]``, ``industry =
    industries[industry]``, ``employment``, summed on one integer key per region x industry
    (grouping by the label columns factorises every plant's strings again; the metric tables
    call this with the codes they already have, :mod:`yrd.metrics.apply`). ``regions`` and
    ``industries`` must be sorted and distinct (codes then order like the labels);
    ``employment`` finite, non-negative, with a positive sum (what
    :func:`yrd.metrics._validation.plant_table` checks), and codes valid positions. Only the
    labels with plants appear in the parts. Bit for bit the parts of grouping by the labels
    (pandas adds the plants of each group in row order whatever the group keys, and picks its
    summation by whether the rows are sorted by group, which holds for the codes exactly when
    for the labels); ``tests/test_metrics_fast_paths.py`` checks this against that formulation."""
    if not (regions.is_monotonic_increasing and regions.is_unique):
        raise ValueError("regions must be sorted and distinct")
    if not (industries.is_monotonic_increasing and industries.is_unique):
        raise ValueError("industries must be sorted and distinct")
    emp = pd.Series(np.asarray(employment, dtype=float), name="employment")
    n = len(industries)
    industry = np.asarray(industry, dtype=np.int64)
    sums = emp.groupby(np.asarray(region, dtype=np.int64) * n + industry, sort=True).sum()
    cell_region, cell_industry = np.divmod(sums.index.to_numpy(), n)
    # levels: only the labels with plants, sorted, as the groupby by the label columns has them
    (cell_region, used_regions), (cell_industry, used_industries) = (
        used_labels(cell_region, regions),
        used_labels(cell_industry, industries),
    )
    index = pd.MultiIndex(
        levels=[used_regions, used_industries], codes=[cell_region, cell_industry], names=["region", "industry"]
    )
    table = pd.Series(sums.to_numpy(), index=index, name="employment").unstack(fill_value=0.0)
    sq = (emp**2).groupby(industry, sort=True).sum()
    emp_sq = pd.Series(
        sq.to_numpy(), index=pd.Index(industries[sq.index.to_numpy()], name="industry"), name="employment"
    )
    return _parts_from_sums(table, emp_sq, regions_weight)


def _parts_from_sums(table: pd.DataFrame, emp_sq: pd.Series, regions_weight: pd.Series | None) -> DartboardParts:
    """The dartboard parts from the region x industry employment ``table`` and each industry's
    sum of squared plant employment ``emp_sq``."""
    if regions_weight is None:
        x = table.sum(axis=1)
    else:
        if not isinstance(regions_weight, pd.Series):
            raise TypeError("regions_weight must be a pandas Series indexed by region")
        if regions_weight.index.has_duplicates:
            raise ValueError("regions_weight has duplicated regions")
        unknown = table.index.difference(regions_weight.index)
        if len(unknown):
            raise ValueError(f"plants are in regions missing from regions_weight: {unknown.tolist()[:5]}")
        nonnegative_vector(regions_weight.to_numpy(dtype=float), "regions_weight", allow_zero_sum=False)
        x = regions_weight.astype(float)
        table = table.reindex(x.index, fill_value=0.0)
    x = x / x.sum()
    industry_total = table.sum(axis=0)
    s = table / industry_total.where(industry_total > 0)
    H = emp_sq / industry_total**2
    return DartboardParts(s=s, x=x, H=H.reindex(s.columns))


def _finish(gamma: pd.Series, H: pd.Series, name: str) -> pd.Series:
    # One plant (or all employment in one plant): H = 1, the index is 0/0.
    gamma = gamma.where(H < 1.0)
    gamma.name = name
    gamma.index.name = "industry"
    return gamma


def ellison_glaeser(plants: pd.DataFrame, regions_weight: pd.Series | None = None) -> pd.Series:
    r"""Ellison-Glaeser index of geographic concentration (agglomeration) of each industry.

    .. math::

        \gamma_i = \frac{G_i - \left(1 - \sum_r x_r^2\right) H_i}
                        {\left(1 - \sum_r x_r^2\right)\left(1 - H_i\right)},
        \qquad G_i = \sum_r (s_{ri} - x_r)^2, \qquad H_i = \sum_{j \in i} z_j^2,

    where :math:`s_{ri}` is region r's share of industry i's employment, :math:`x_r` region r's
    share of aggregate (all-industry) employment, and :math:`z_j` plant j's share of its
    industry's employment.

    Parameters
    ----------
    plants : pandas.DataFrame
        One row per plant with columns ``region``, ``industry``, ``employment`` (non-negative).
    regions_weight : pandas.Series, optional
        Reference size of each region defining :math:`x_r` (e.g. total manufacturing
        employment from a broader source). Default: the regions' total employment over all
        plants in ``plants``. Regions in ``regions_weight`` without plants count with
        :math:`s_{ri} = 0`.

    Returns
    -------
    pandas.Series
        :math:`\gamma_i` per industry (unitless). 0 is the expectation when plants locate
        independently with probabilities :math:`x_r` (the dartboard); positive values mean
        excess concentration (EG's rough guide: > 0.05 highly, < 0.02 not very localised);
        it can be negative. ``nan`` when :math:`H_i = 1` (one plant, or all employment in one
        plant): the index is 0/0 because a single plant says nothing about co-location.

    Raises
    ------
    ValueError
        Bad plant table (see :func:`yrd.metrics._validation.plant_table`), or all aggregate
        activity in one region (:math:`\sum_r x_r^2 = 1`).

    References
    ----------
    Ellison, G. and Glaeser, E. L. (1997) Geographic concentration in U.S. manufacturing
    industries: a dartboard approach. *Journal of Political Economy* 105(5): 889-927, eq. (5).
    """
    return _ellison_glaeser(dartboard_parts(plants, regions_weight))


def _ellison_glaeser(parts: DartboardParts) -> pd.Series:
    sum_x2 = float((parts.x**2).sum())
    if np.isclose(sum_x2, 1.0):
        raise ValueError("all aggregate employment is in one region: Ellison-Glaeser gamma is undefined")
    G = ((parts.s.sub(parts.x, axis=0)) ** 2).sum(axis=0, min_count=1)
    gamma = (G - (1 - sum_x2) * parts.H) / ((1 - sum_x2) * (1 - parts.H))
    return _finish(gamma, parts.H, "gamma_eg")


def maurel_sedillot(plants: pd.DataFrame, regions_weight: pd.Series | None = None) -> pd.Series:
    r"""Maurel-Sedillot index of geographic concentration of each industry.

    .. math::

        \gamma^{MS}_i = \frac{\dfrac{\sum_r s_{ri}^2 - \sum_r x_r^2}{1 - \sum_r x_r^2} - H_i}
                             {1 - H_i}

    with :math:`s_{ri}`, :math:`x_r`, :math:`H_i` as in :func:`ellison_glaeser`. It estimates
    the same parameter as EG (the probability that two plants co-locate beyond chance) from
    the probability that two plants are in the same region.

    Parameters
    ----------
    plants : pandas.DataFrame
        One row per plant with columns ``region``, ``industry``, ``employment``.
    regions_weight : pandas.Series, optional
        As in :func:`ellison_glaeser`.

    Returns
    -------
    pandas.Series
        :math:`\gamma^{MS}_i` per industry; 0 expected under the dartboard; ``nan`` when
        :math:`H_i = 1` (see :func:`ellison_glaeser`).

    References
    ----------
    Maurel, F. and Sedillot, B. (1999) A measure of the geographic concentration in French
    manufacturing industries. *Regional Science and Urban Economics* 29(5): 575-604.
    """
    return _maurel_sedillot(dartboard_parts(plants, regions_weight))


def _maurel_sedillot(parts: DartboardParts) -> pd.Series:
    sum_x2 = float((parts.x**2).sum())
    if np.isclose(sum_x2, 1.0):
        raise ValueError("all aggregate employment is in one region: Maurel-Sedillot gamma is undefined")
    sum_s2 = (parts.s**2).sum(axis=0, min_count=1)
    gamma = ((sum_s2 - sum_x2) / (1 - sum_x2) - parts.H) / (1 - parts.H)
    return _finish(gamma, parts.H, "gamma_ms")


#: The built-in plant metrics by their value from the dartboard parts: a table of several of them
#: (:func:`yrd.metrics.apply.concentration_table`) builds the parts once per year and level.
FROM_PARTS = {ellison_glaeser: _ellison_glaeser, maurel_sedillot: _maurel_sedillot}
