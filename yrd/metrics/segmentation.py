r"""Market segmentation by the relative price method (Parsley and Wei; 桂琦寒, 陈敏, 陆铭, 陈钊 2006).

For regions :math:`i, j`, good :math:`k` and year :math:`t`, with :math:`P_{it}^k` the price
level, the change in the relative price is

.. math::

    \Delta Q_{ijt}^k = \ln\frac{P_{it}^k}{P_{jt}^k} - \ln\frac{P_{it-1}^k}{P_{jt-1}^k}
                     = \ln\frac{I_{it}^k}{I_{jt}^k},
    \qquad I_{it}^k = 100\,\frac{P_{it}^k}{P_{it-1}^k},

so with chained price indices (previous year = 100, the form of China's provincial retail
price indices by commodity) it is the log ratio of the two regions' indices of the same year;
the base (100 or 1) cancels. Then

1. :math:`|\Delta Q_{ijt}^k|`: the absolute value, so the pair's order does not matter;
2. :math:`q_{ijt}^k = |\Delta Q_{ijt}^k| - \overline{|\Delta Q_{t}^k|}`, the mean over all
   region pairs of good :math:`k` in year :math:`t` subtracted (de-meaning). This removes the
   good-year effect :math:`a_t^k` in :math:`|\Delta Q_{ijt}^k| = a_t^k + \varepsilon_{ijt}^k`,
   i.e. the part of relative-price volatility that comes from the good itself (fresh food is
   more volatile than books) and is common to all pairs;
3. the segmentation index of pair :math:`ij` in year :math:`t` is the variance over goods,
   :math:`V_{ijt} = \operatorname{Var}_k(q_{ijt}^k)`: the more the relative prices of the two
   markets move apart good by good, the less arbitrage links them;
4. a region's index is the mean of :math:`V_{ijt}` over its partners :math:`j`, and the
   year's index the mean over all pairs.

What the index does and does not respond to (derived from the formulas, and tested):

* identical price paths in all regions: :math:`\Delta Q = 0`, so the index is 0;
* a price *level* difference that is constant over time (region i always 30% dearer for
  every good, ``index="level"``): cancels in the double ratio, the index is unchanged;
* a good-year shock common to all regions (all regions' index of good k in year t times
  :math:`\mu`): cancels in :math:`\Delta Q`, the index is unchanged;
* a region-year factor common to all goods (region i's inflation exceeds the others' by
  :math:`\lambda_{it}` for every good): if the price indices are separable,
  :math:`I_{it}^k = a_t^k \lambda_{it}`, every :math:`|\Delta Q_{ijt}^k| = |\ln\lambda_{it}
  - \ln\lambda_{jt}|` is the same for all goods, so :math:`q_{ijt}^k` is constant in k and
  the index is 0 (before and after de-meaning). It is *not* invariant to such a factor in
  general: because of the absolute value, :math:`|x + c|` is a shift of :math:`|x|` only if
  :math:`x` and :math:`x + c` keep one sign across goods, so a region-wide inflation
  differential changes the index of pairs whose relative prices move in both directions;
* with two regions there is one pair, de-meaning sets every :math:`q` to 0 and the index is
  identically 0: at least three regions are required.

References
----------
Parsley, D. C. and Wei, S.-J. (1996) Convergence to the law of one price without trade
barriers or currency fluctuations. *Quarterly Journal of Economics* 111(4): 1211-1236.
Parsley, D. C. and Wei, S.-J. (2001) Explaining the border effect: the role of exchange rate
variability, shipping costs, and geography. *Journal of International Economics* 55(1): 87-105.
桂琦寒, 陈敏, 陆铭, 陈钊 (2006) 中国国内商品市场趋于分割还是整合: 基于相对价格法的分析.
《世界经济》 2006(2): 20-30.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

PRICE_COLUMNS = ("region", "year", "good", "price_index")


@dataclass(frozen=True)
class SegmentationResult:
    """Parts of the relative price method, as long tables.

    Attributes
    ----------
    q : pandas.DataFrame
        ``year``, ``good``, ``region_a``, ``region_b`` (``region_a < region_b``), ``dq``
        (:math:`\\Delta Q`, region a relative to region b), ``abs_dq``, ``q`` (de-meaned).
    pairs : pandas.DataFrame
        ``year``, ``region_a``, ``region_b``, ``n_goods``, ``segmentation``
        (:math:`\\operatorname{Var}_k q`); ``nan`` with fewer than ``ddof + 1`` goods.
    regions : pandas.DataFrame
        ``year``, ``region``, ``n_partners``, ``segmentation`` (mean over the region's pairs).
    overall : pandas.DataFrame
        ``year``, ``n_pairs``, ``segmentation`` (mean over all pairs).
    """

    q: pd.DataFrame
    pairs: pd.DataFrame
    regions: pd.DataFrame
    overall: pd.DataFrame


def _check_prices(prices: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(prices, pd.DataFrame):
        raise TypeError(f"prices must be a pandas DataFrame, got {type(prices).__name__}")
    missing = [c for c in PRICE_COLUMNS if c not in prices.columns]
    if missing:
        raise ValueError(f"prices lacks columns {missing} (needs {', '.join(PRICE_COLUMNS)})")
    d = prices[list(PRICE_COLUMNS)].copy()
    for col in ("region", "year", "good"):
        if d[col].isna().any():
            raise ValueError(f"prices has missing {col} in rows {d.index[d[col].isna()].tolist()[:5]}")
    if not pd.api.types.is_numeric_dtype(d["price_index"]):
        raise ValueError(f"prices.price_index must be numeric, got dtype {d['price_index'].dtype}")
    d["year"] = d["year"].astype("int64")
    d["region"] = d["region"].astype(str)
    d["good"] = d["good"].astype(str)
    d["price_index"] = d["price_index"].astype("float64")
    bad = d["price_index"].notna() & ~(np.isfinite(d["price_index"]) & (d["price_index"] > 0))
    if bad.any():
        raise ValueError(f"prices.price_index must be positive and finite; bad rows {d.index[bad].tolist()[:5]}")
    dup = d.duplicated(["region", "year", "good"])
    if dup.any():
        raise ValueError(f"prices has duplicated (region, year, good) rows: {d.index[dup].tolist()[:5]}")
    return d.dropna(subset=["price_index"])


def _pair_list(pairs, regions: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Positions (ia, ib), ia < ib, of the pairs to use among the sorted ``regions``."""
    if pairs is None:
        return np.triu_indices(len(regions), k=1)
    pos = {r: k for k, r in enumerate(regions)}
    out = set()
    for a, b in pairs.itertuples(index=False, name=None) if isinstance(pairs, pd.DataFrame) else pairs:
        a, b = str(a), str(b)
        unknown = [r for r in (a, b) if r not in pos]
        if unknown:
            raise ValueError(f"pairs name regions without prices: {unknown}")
        if a == b:
            raise ValueError(f"pairs contains a region paired with itself: {a!r}")
        out.add(tuple(sorted((pos[a], pos[b]))))
    if not out:
        raise ValueError("pairs is empty")
    ia, ib = np.array(sorted(out)).T
    return ia, ib


def market_segmentation(
    prices: pd.DataFrame,
    index: Literal["chained", "level"] = "chained",
    pairs: pd.DataFrame | Iterable[tuple[str, str]] | None = None,
    ddof: int = 1,
) -> SegmentationResult:
    r"""Market segmentation index of region pairs, regions and years (relative price method).

    Formula, references and properties in the module docstring.

    Parameters
    ----------
    prices : pandas.DataFrame
        Long panel with columns ``region``, ``year``, ``good``, ``price_index``; one row per
        region, year and good; ``price_index`` positive (missing values allowed: the cells
        drop out).
    index : {"chained", "level"}
        ``"chained"`` (default): ``price_index`` is the index with the previous year = 100 (any
        base common to all rows), so :math:`\Delta Q_{ijt}^k = \ln I_{it}^k - \ln I_{jt}^k`
        and every year of the panel gives an index. ``"level"``: price levels or fixed-base
        indices, so :math:`\Delta Q` needs the previous year and the first year has none.
    pairs : DataFrame of (region_a, region_b) or iterable of pairs, optional
        Region pairs to use, e.g. adjacent provinces only as in 桂琦寒 et al. (2006); order within
        a pair does not matter. Default: all pairs. De-meaning is over the pairs used.
    ddof : int
        Delta degrees of freedom of the variance over goods; 1 (default) is the sample
        variance (Stata's ``sd()`` squared, used in the replication literature), 0 the
        population variance.

    Returns
    -------
    SegmentationResult
        ``q``, ``pairs``, ``regions`` and ``overall`` tables (unitless: variances of log
        differences; the literature often reports them times 1000).

    Raises
    ------
    ValueError
        Bad price table, fewer than three regions, or no year with a :math:`\Delta Q`.
    """
    if index not in ("chained", "level"):
        raise ValueError(f"index must be 'chained' or 'level', got {index!r}")
    d = _check_prices(prices)
    regions = sorted(d["region"].unique())
    if len(regions) < 3:
        raise ValueError(
            f"market segmentation needs at least three regions (got {len(regions)}): with two, "
            "de-meaning over pairs sets every q to 0"
        )
    logp = d.set_index(["year", "good", "region"])["price_index"].pipe(np.log).unstack("region")
    logp = logp.reindex(columns=regions).sort_index()
    if index == "level":
        # ln(P_t) - ln(P_{t-1}) within each good, only for consecutive calendar years.
        prev = logp.rename(index=lambda y: y + 1, level="year")
        logp = logp - prev.reindex(logp.index)
    logp = logp.dropna(how="all")
    if logp.empty:
        raise ValueError("no year has a relative price change (index='level' needs consecutive years)")

    ia, ib = _pair_list(pairs, regions)
    W = logp.to_numpy()
    dq = W[:, ia] - W[:, ib]  # rows: (year, good); columns: pairs
    abs_dq = np.abs(dq)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a (year, good) row without any pair
        q = abs_dq - np.nanmean(abs_dq, axis=1, keepdims=True)

    n_rows, n_pairs = dq.shape
    years = logp.index.get_level_values("year").to_numpy()
    goods = logp.index.get_level_values("good").to_numpy()
    names = np.asarray(regions, dtype=object)
    q_long = pd.DataFrame(
        {
            "year": np.repeat(years, n_pairs),
            "good": np.repeat(goods, n_pairs),
            "region_a": np.tile(names[ia], n_rows),
            "region_b": np.tile(names[ib], n_rows),
            "dq": dq.ravel(),
            "abs_dq": abs_dq.ravel(),
            "q": q.ravel(),
        }
    ).dropna(subset=["q"])

    grouped = q_long.groupby(["year", "region_a", "region_b"], sort=True)["q"]
    pair = pd.DataFrame({"n_goods": grouped.count(), "segmentation": grouped.var(ddof=ddof)}).reset_index()
    pair.loc[pair["n_goods"] <= ddof, "segmentation"] = np.nan

    both = pd.concat(
        [
            pair[["year", "region_a", "segmentation"]].rename(columns={"region_a": "region"}),
            pair[["year", "region_b", "segmentation"]].rename(columns={"region_b": "region"}),
        ]
    )
    g = both.groupby(["year", "region"], sort=True)["segmentation"]
    reg = pd.DataFrame({"n_partners": g.count(), "segmentation": g.mean()}).reset_index()
    g = pair.groupby("year", sort=True)["segmentation"]
    overall = pd.DataFrame({"n_pairs": g.count(), "segmentation": g.mean()}).reset_index()
    for table in (pair, reg, overall):
        for col in ("n_goods", "n_partners", "n_pairs"):
            if col in table:
                table[col] = table[col].astype("int64")
    return SegmentationResult(q=q_long.reset_index(drop=True), pairs=pair, regions=reg, overall=overall)


def read_price_panel(path) -> pd.DataFrame:
    """Read a price panel (``.csv`` or ``.parquet``) with the columns of :data:`PRICE_COLUMNS`."""
    path = str(path)
    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    if path.endswith(".csv"):
        return pd.read_csv(path, dtype={"region": str, "good": str})
    raise ValueError(f"price panel must be a .csv or .parquet file, got {path!r}")
