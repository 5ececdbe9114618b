"""Regional specialisation and similarity of industrial structures: Krugman specialisation
index, bilateral Krugman dissimilarity, and the UNIDO structural similarity coefficient."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from yrd.metrics._validation import region_industry_matrix


def _region_shares(values: np.ndarray) -> np.ndarray:
    """s_ri = x_ri / x_r. ; rows of all-zero regions become nan."""
    total = values.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return values / total


def krugman_specialisation(X: pd.DataFrame, reference: Literal["total", "rest"] = "total") -> pd.Series:
    r"""Krugman specialisation index of each region.

    .. math::

        K_r = \sum_i \left| s_{ri} - \bar s_i \right|, \qquad s_{ri} = \frac{x_{ri}}{x_{r\cdot}},

    where the reference structure :math:`\bar s_i` is

    * ``reference="total"`` (default): the industry's share in the whole table,
      :math:`\bar s_i = x_{\cdot i}/x_{\cdot\cdot}` (region r included). This is exactly
      EconGeo's ``Krugman.index`` / ``krugman_index`` (R package 2.0).
    * ``reference="rest"``: the industry's share in all *other* regions,
      :math:`\bar s_i = (x_{\cdot i} - x_{ri}) / (x_{\cdot\cdot} - x_{r\cdot})`, as in
      Midelfart-Knarvik et al. (2000), so a large region is not compared with itself.

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.
    reference : {"total", "rest"}
        Reference industrial structure, see above.

    Returns
    -------
    pandas.Series
        One value per region, in :math:`[0, 2]`: 0 when the region's structure equals the
        reference, 2 when they share no industry. ``nan`` for an all-zero region (and, with
        ``reference="rest"``, for a region whose complement is all zero).

    Notes
    -----
    EconGeo's ``spec.coeff`` / ``spec_coeff`` (Hoover coefficient of specialisation) is half of
    ``krugman_specialisation(X, "total")``.

    References
    ----------
    Krugman, P. (1991) *Geography and Trade*. MIT Press, Cambridge MA.
    Midelfart-Knarvik, K. H., Overman, H. G., Redding, S. J. and Venables, A. J. (2000) The
    location of European industry. *European Economy, Economic Papers* 142, European Commission.
    """
    values = region_industry_matrix(X)
    s = _region_shares(values)
    if reference == "total":
        ref = values.sum(axis=0, keepdims=True) / values.sum()
    elif reference == "rest":
        if values.shape[0] < 2:
            raise ValueError("reference='rest' needs at least two regions")
        rest = values.sum(axis=0, keepdims=True) - values
        rest_total = rest.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            ref = rest / rest_total
    else:
        raise ValueError(f"reference must be 'total' or 'rest', got {reference!r}")
    k = np.abs(s - ref).sum(axis=1)
    k[np.isnan(s).any(axis=1) | np.isnan(np.broadcast_to(ref, s.shape)).any(axis=1)] = np.nan
    return pd.Series(k, index=X.index, name="krugman_specialisation")


def krugman_dissimilarity(X: pd.DataFrame) -> pd.DataFrame:
    r"""Bilateral Krugman dissimilarity of industrial structures.

    .. math::

        K_{rs} = \sum_i \left| s_{ri} - s_{si} \right|, \qquad s_{ri} = \frac{x_{ri}}{x_{r\cdot}}

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.

    Returns
    -------
    pandas.DataFrame
        Region x region, symmetric, zero diagonal, values in :math:`[0, 2]` (2: no industry in
        common). Rows/columns of all-zero regions are ``nan``.

    References
    ----------
    Krugman, P. (1991) *Geography and Trade*. MIT Press, Cambridge MA, ch. 3 (the index of
    regional divergence between pairs of regions).
    """
    values = region_industry_matrix(X)
    s = _region_shares(values)
    n_regions, n_industries = s.shape
    k = np.empty((n_regions, n_regions))
    step = max(1, 4_000_000 // max(1, n_regions * n_industries))  # bound the 3-d temporary
    for start in range(0, n_regions, step):
        block = s[start : start + step]
        k[start : start + step] = np.abs(block[:, None, :] - s[None, :, :]).sum(axis=2)
    return pd.DataFrame(k, index=X.index, columns=X.index)


def structural_similarity(X: pd.DataFrame) -> pd.DataFrame:
    r"""UNIDO structural similarity coefficient (产业结构相似系数) between regions.

    .. math::

        S_{rs} = \frac{\sum_i s_{ri} s_{si}}{\sqrt{\sum_i s_{ri}^2 \sum_i s_{si}^2}},
        \qquad s_{ri} = \frac{x_{ri}}{x_{r\cdot}},

    the cosine of the angle between the two regions' industry-share vectors.

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.

    Returns
    -------
    pandas.DataFrame
        Region x region, symmetric, 1 on the diagonal, values in :math:`[0, 1]`: 1 for identical
        structures, 0 for regions with no industry in common. Rows/columns of all-zero regions
        are ``nan``.

    References
    ----------
    UNIDO (1979) *World Industry since 1960: Progress and Prospects*. United Nations, New York.
    """
    values = region_industry_matrix(X)
    s = _region_shares(values)
    norm = np.sqrt((s**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = (s @ s.T) / np.outer(norm, norm)
    sim = np.clip(sim, 0.0, 1.0)  # rounding can overshoot 1 by an ulp
    ok = np.isfinite(norm)
    sim[np.ix_(ok, ok)] = np.where(np.eye(ok.sum(), dtype=bool), 1.0, sim[np.ix_(ok, ok)])
    return pd.DataFrame(sim, index=X.index, columns=X.index)
