"""Relocation rates for C2 and C3: firms at risk, Poisson rate models with a log-exposure offset
(pyfixest) and exact binomial intervals.

Firms at risk
-------------
A firm is *at risk* of moving out of area ``A`` in year ``t`` when it is observed in ``A`` in
year ``t-1`` or in year ``t`` (``clean/firm_years.parquet``; each firm counts once per area and
year, a firm seen in ``A`` in ``t-1`` and in ``B`` in ``t`` is at risk in both). A move dated ``t``
(the first year at the new place, :mod:`yrd.relocations`) from ``A`` was made by a firm present in
``A`` at its last observation, so it is normally in ``A``'s risk set of ``t`` (a firm that was
absent from the sample for years before its move is the exception; such moves are still counted).

ASIF sampling break
-------------------
The ASIF threshold rose from 5 to 20 million yuan sales in 2011: every rate model carries a
dummy ``post_break`` = 1 for years >= the break year, so a level shift in the sampled
population is not read as a trend or a window effect.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.io import distinct, firm_id_codes, map_values


def _stats():
    """``scipy.stats``, imported on first use: the figure rules import the claim modules for their
    texts and draw no interval, and SciPy's statistics cost them about 0.5 s of start-up."""
    from scipy import stats

    return stats


def _firms_at_risk_by_frames(
    firm_years: pd.DataFrame, area_of: pd.Series, years: Sequence[int], by: str | None = None
) -> pd.DataFrame:
    """:func:`firms_at_risk` by dropping duplicate (firm, t, area[, by]) rows of the firm-years
    taken twice (as t = year and t = year + 1); used for an empty table, whose column types
    follow pandas' grouping of the empty rows."""
    cols = ["firm_id", "year", "prefecture"] + ([by] if by else [])
    fy = firm_years[cols].dropna(subset=["firm_id", "year", "prefecture"]).copy()
    fy["area"] = map_values(fy["prefecture"].astype(str), area_of)
    fy = fy.dropna(subset=["area"])
    fy["year"] = fy["year"].astype("int64")
    if by:
        fy = fy.dropna(subset=[by]).astype({by: str})
    keys = ["area"] + ([by] if by else [])
    both = pd.concat([fy.assign(t=fy["year"]), fy.assign(t=fy["year"] + 1)], ignore_index=True)
    both = both[both["t"].isin([int(y) for y in years])]
    n = both.drop_duplicates(["firm_id", "t", *keys]).groupby(["t", *keys]).size().rename("at_risk")
    levels = [sorted(int(y) for y in years), sorted(set(area_of.dropna()))]
    if by:
        levels.append(sorted(distinct(fy[by], as_str=True)))
    full = pd.MultiIndex.from_product(levels, names=["t", *keys])
    out = n.reindex(full, fill_value=0).reset_index().rename(columns={"t": "year"})
    return out.astype({"year": "int64", "at_risk": "int64"})


def firms_at_risk(
    firm_years: pd.DataFrame, area_of: pd.Series, years: Sequence[int], by: str | None = None
) -> pd.DataFrame:
    """Distinct firms observed in each area in year ``t-1`` or ``t``, for each ``t`` in ``years``.

    ``firm_years``: ``firm_id``, ``year``, ``prefecture`` (and the column ``by`` if given);
    ``area_of``: prefecture code (str) -> area label (prefectures not in the index are dropped).
    Returns ``year``, ``area``, [``by``,] ``at_risk`` with zeros kept for every area (and value
    of ``by`` present in the data) and year.

    Counted on integer codes: the area (and ``by`` value) is looked up once per distinct code,
    and each firm-year gives the keys (firm, t, cell) for t = year and year + 1, whose distinct
    values are counted per cell. This replaces dropping duplicates from a copy of the firm-years
    twice over (the same counts, without millions of strings), which is kept
    (:func:`_firms_at_risk_by_frames`) for an empty table."""
    fid, yr, pref = firm_years["firm_id"], firm_years["year"], firm_years["prefecture"]
    keep = fid.notna().to_numpy() & yr.notna().to_numpy() & pref.notna().to_numpy()
    if by:
        keep &= firm_years[by].notna().to_numpy()
    area_levels = sorted(set(area_of.dropna()))
    # area of each distinct prefecture (as its string), as a position in the sorted areas
    p_codes, p_values = pd.factorize(pref)
    p_area = map_values(pd.Series(p_values).astype(str), area_of)
    p_pos = np.append(pd.Index(area_levels).get_indexer(p_area), -1)[p_codes]
    rows = np.flatnonzero(keep & (p_pos >= 0))
    levels = [sorted(int(y) for y in years), area_levels]
    if by:
        b_codes, b_values = pd.factorize(firm_years[by].take(rows))
        b_str = [str(v) for v in b_values]
        levels.append(sorted(set(b_str)))
    full = pd.MultiIndex.from_product(levels, names=["t", "area"] + ([by] if by else []))
    shape = [len(level) for level in full.levels]
    cells = int(np.prod(shape))
    if cells == 0:  # no year, area or value of ``by``: the empty table, typed as pandas types it
        return _firms_at_risk_by_frames(firm_years, area_of, years, by)
    # each row's cell (area[, by]) and firm as integer codes
    cell = p_pos[rows].astype(np.int64)
    if by:
        cell = cell * shape[2] + np.asarray(full.levels[2].get_indexer(b_str), dtype=np.int64)[b_codes]
    firm = firm_id_codes(fid.take(rows), cells)[0]  # small enough that firm * cells + cell fits
    year = yr.take(rows).astype("int64").to_numpy()
    # a firm-year observed in year y puts the firm at risk in years y (as t) and y + 1 (as t-1)
    t_levels = full.levels[0].to_numpy(dtype=np.int64)
    keys = []
    for t in (year, year + 1):
        t_pos = np.minimum(np.searchsorted(t_levels, t), len(t_levels) - 1)
        ok = t_levels[t_pos] == t
        keys.append(firm[ok] * cells + t_pos[ok] * (cells // shape[0]) + cell[ok])
    # a stable sort: the keys come in runs when the firm-years are ordered by firm
    k = np.sort(np.concatenate(keys), kind="stable")
    distinct_keys = k[np.r_[True, k[1:] != k[:-1]]] if len(k) else k
    counts = np.bincount(distinct_keys % cells, minlength=cells).astype(np.int64)
    flat = np.ravel_multi_index(tuple(full.codes), shape)
    n = pd.Series(counts[flat], index=full, name="at_risk")
    out = n.reset_index().rename(columns={"t": "year"})
    return out.astype({"year": "int64", "at_risk": "int64"})


def clopper_pearson(k: int, n: int, alpha: float) -> tuple[float, float]:
    """Exact (Clopper-Pearson) ``1 - alpha`` interval for a binomial proportion ``k / n``: the
    ``alpha/2`` and ``1 - alpha/2`` quantiles of Beta(k, n-k+1) and Beta(k+1, n-k) (Clopper and
    Pearson 1934; the interval of ``scipy.stats.binomtest(k, n).proportion_ci(method="exact")``).
    ``(nan, nan)`` when ``n == 0``."""
    if n <= 0:
        return (math.nan, math.nan)
    lo = 0.0 if k == 0 else float(_stats().beta.ppf(alpha / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(_stats().beta.ppf(1 - alpha / 2, k + 1, n - k))
    return (lo, hi)


def poisson_exact_ci(k: int, alpha: float) -> tuple[float, float]:
    """Exact (Garwood 1936) ``1 - alpha`` interval for a Poisson mean given ``k`` events:
    ``chi2.ppf(alpha/2, 2k) / 2`` (0 when k = 0) and ``chi2.ppf(1 - alpha/2, 2k + 2) / 2``;
    divide by the exposure for a rate."""
    lo = 0.0 if k == 0 else float(_stats().chi2.ppf(alpha / 2, 2 * k) / 2)
    return (lo, float(_stats().chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2))


def rate_intervals(moves, at_risk, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact ``1 - alpha`` intervals of the rates ``moves / at_risk`` (:func:`poisson_exact_ci`
    divided by the exposure); NaN where ``at_risk`` is 0."""
    risk = np.asarray(at_risk, dtype=float)
    ci = np.array([poisson_exact_ci(int(k), alpha) for k in moves], dtype=float).reshape(-1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = risk > 0
        return np.where(ok, ci[:, 0] / risk, np.nan), np.where(ok, ci[:, 1] / risk, np.nan)


def binom_p(k: int, n: int, p: float = 0.5) -> float:
    """Exact two-sided binomial p-value of ``k`` successes in ``n`` trials (``scipy.stats.binomtest``);
    1 when ``n == 0``."""
    return float(_stats().binomtest(int(k), int(n), p).pvalue) if n > 0 else 1.0


@dataclass
class RateFit:
    """A Poisson rate model ``E[moves] = at_risk * exp(X b)`` fitted by :func:`poisson_rate`.

    ``coef``, ``se``, ``p``: by regressor name (``Intercept`` included); ``n``: cells used;
    ``vcov``: the pyfixest covariance option; ``moves``: total moves; ``dropped``: regressors
    left out because they are constant among the cells (e.g. the break dummy in a window that
    ends before the break)."""

    coef: dict[str, float]
    se: dict[str, float]
    p: dict[str, float]
    n: int
    vcov: str
    moves: int
    dropped: tuple[str, ...] = ()

    def ratio(self, name: str, alpha: float) -> tuple[float, float, float]:
        """Rate ratio ``exp(b)`` of regressor ``name`` with its Wald ``1 - alpha`` interval."""
        z = float(_stats().norm.ppf(1 - alpha / 2))
        b, s = self.coef[name], self.se[name]
        return (math.exp(b), math.exp(b - z * s), math.exp(b + z * s))

    def fitted_rate(self, table: pd.DataFrame) -> np.ndarray:
        """Fitted rate per unit of exposure, ``exp(X b)``, for the rows of ``table`` (its
        regressor columns; a dropped regressor counts 0)."""
        eta = np.full(len(table), self.coef.get("Intercept", 0.0))
        for name, b in self.coef.items():
            if name != "Intercept":
                eta = eta + b * table[name].to_numpy(dtype=float)
        return np.exp(eta)

    def to_dict(self) -> dict[str, object]:
        """The fit as JSON-friendly numbers, with ``rate_ratios``: regressor -> ``[exp(b), low,
        high]`` (Wald 95%) and ``growth``: regressor -> ``exp(b) - 1``."""
        return {
            "coef": dict(self.coef),
            "se": dict(self.se),
            "p": dict(self.p),
            "n": self.n,
            "vcov": self.vcov,
            "moves": self.moves,
            "dropped": list(self.dropped),
            "rate_ratios": {k: list(self.ratio(k, 0.05)) for k in self.coef if k != "Intercept"},
            "growth": {k: math.exp(b) - 1 for k, b in self.coef.items() if k != "Intercept"},
        }


def poisson_rate(
    table: pd.DataFrame,
    regressors: Sequence[str],
    vcov: str = "hetero",
    count: str = "moves",
    exposure: str = "at_risk",
) -> RateFit | None:
    """Poisson regression of ``count`` on ``regressors`` with offset ``log(exposure)``:
    ``log E[count] = log(exposure) + b0 + sum_j b_j x_j`` (pyfixest ``fepois``, convergence tolerance 1e-10).

    ``vcov="hetero"``: pyfixest's heteroskedasticity-robust sandwich with the small-sample factor
    ``n / (n - k)`` (equal to statsmodels ``GLM(..., offset=log E).fit(cov_type="HC0")`` times
    ``sqrt(n / (n - k))``); ``"iid"``: the model-based covariance times ``(n - 1) / (n - k)``.
    Cells with zero exposure are dropped, and so are regressors constant among the remaining
    cells (listed in :attr:`RateFit.dropped`). ``None`` when there are no moves, fewer cells than
    coefficients + 1, no regressor varies, a 0/1 regressor has no moves on one side, the regressors
    are all 0/1 and the cells where all are 0 have no moves (separation: the estimate would be
    infinite), or pyfixest cannot fit."""
    import pyfixest as pf

    d = table[table[exposure] > 0].copy()
    regs = [r for r in regressors if d[r].nunique() > 1]
    if d[count].sum() == 0 or len(d) < len(regs) + 2 or not regs:
        return None
    for r in regs:
        if set(d[r].unique()) <= {0, 1} and (d.loc[d[r] == 1, count].sum() == 0 or d.loc[d[r] == 0, count].sum() == 0):
            return None
    dummies = [r for r in regs if set(d[r].unique()) <= {0, 1}]
    # all regressors 0/1: the cells where every one is 0 are the baseline of the intercept; with no
    # moves there the intercept is -inf and every dummy's coefficient +inf (separation across the
    # dummies together, e.g. window and post_break with moves only in the window and after the
    # break), which a marginal check per dummy does not see
    if dummies and len(dummies) == len(regs) and d.loc[(d[dummies] == 0).all(axis=1), count].sum() == 0:
        return None
    d["_log_exposure"] = np.log(d[exposure].astype(float))
    d[count] = d[count].astype(float)
    try:
        f = pf.fepois(f"{count} ~ {' + '.join(regs)}", d, offset="_log_exposure", vcov=vcov, iwls_tol=1e-10)
    except Exception:  # noqa: BLE001 - pyfixest raises several types for non-estimable models
        return None
    coef, se, p = f.coef(), f.se(), f.pvalue()
    if not np.all(np.isfinite(coef.to_numpy())):
        return None
    return RateFit(
        coef={k: float(v) for k, v in coef.items()},
        se={k: float(v) for k, v in se.items()},
        p={k: float(v) for k, v in p.items()},
        n=len(d),
        vcov=vcov,
        moves=int(d[count].sum()),
        dropped=tuple(r for r in regressors if r not in regs),
    )


def class_of_industry(firm_industry: pd.Series, classes: Mapping[str, str] | pd.Series) -> pd.Series:
    """Relocation class of each 2-digit industry code (:func:`yrd.industry.relocation_class`);
    unknown codes give ``<NA>``.

    The first two characters are cut once per distinct industry code and spread back to the
    rows, instead of cutting millions of strings: the same values as
    ``map_values(firm_industry.astype(str).str[:2], classes)``."""
    codes, uniques = pd.factorize(firm_industry, use_na_sentinel=True)
    keys = pd.Series(uniques, dtype=firm_industry.dtype)
    if (codes < 0).any():  # a missing code is cut and mapped as the rows' own missing values are
        keys = pd.concat([keys, pd.Series([None], dtype=firm_industry.dtype)], ignore_index=True)
        codes = np.where(codes < 0, len(uniques), codes)
    mapped = map_values(keys.astype(str).str[:2], pd.Series(classes))
    return pd.Series(mapped.array.take(codes), index=firm_industry.index, name=firm_industry.name)
