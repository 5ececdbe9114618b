"""Location quotient (Balassa-Hoover index of relative concentration)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from yrd.metrics._validation import region_industry_matrix


def location_quotient(X: pd.DataFrame, binary: bool = False) -> pd.DataFrame:
    r"""Location quotient of every region and industry.

    .. math::

        LQ_{ri} = \frac{x_{ri} / x_{r\cdot}}{x_{\cdot i} / x_{\cdot\cdot}}

    Parameters
    ----------
    X : pandas.DataFrame
        Regions in rows, industries in columns; non-negative employment or output.
    binary : bool, default False
        If True return 1 where :math:`LQ_{ri} \ge 1` and 0 elsewhere.

    Returns
    -------
    pandas.DataFrame
        Same shape and labels as ``X``. Unitless, in :math:`[0, x_{\cdot\cdot}/x_{\cdot i}]`; 1 means
        the region holds the industry in the same proportion as the whole study area.

    Notes
    -----
    Identical to EconGeo's ``location.quotient`` / ``location_quotient`` (R package EconGeo 2.0,
    Balland), including its treatment of undefined cells: an all-zero industry (0/0) and an
    all-zero region (0/0) get LQ = 0, and the binary version sets LQ >= 1 to 1 (EconGeo sets
    ``LQ < 1`` to 0 and ``LQ > 1`` to 1, so LQ = 1 stays 1).

    References
    ----------
    Balassa, B. (1965) Trade liberalisation and "revealed" comparative advantage. *The
    Manchester School* 33(2): 99-123.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [10, 0], "b": [10, 20]}, index=["r1", "r2"])
    >>> location_quotient(X).round(3)
          a      b
    r1  2.0  0.667
    r2  0.0  1.333
    """
    values = region_industry_matrix(X)
    region_total = values.sum(axis=1, keepdims=True)
    industry_share = values.sum(axis=0, keepdims=True) / values.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        lq = (values / region_total) / industry_share
    lq = np.nan_to_num(lq, nan=0.0)  # all-zero region or industry: 0/0 -> 0, as in EconGeo
    if binary:
        lq = (lq >= 1).astype(int)
    return pd.DataFrame(lq, index=X.index, columns=X.columns)
