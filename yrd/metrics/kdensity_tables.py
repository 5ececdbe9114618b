"""Duranton-Overman K-densities of every industry-year on county sites (:func:`kdensity_tables`),
the table of rule ``kdensity``; re-exported by :mod:`yrd.metrics.apply`.

Sites are county centroids; an industry's plants sit at the centroid of their county, and
counterfactual plants are drawn from all manufacturing plants' counties of that year (see
:func:`yrd.metrics.k_density_bands`; the year's sites and their pairs are computed once,
:class:`yrd.metrics.kdensity.SitePairs`). Only plant counts enter (the unweighted K-density).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from yrd.boundaries import centroids, distance_matrix
from yrd.metrics.binning import DEFAULT_BIN_KM
from yrd.metrics.kdensity import DEFAULT_GRID, SitePairs
from yrd.metrics.kdensity_rows import (
    KDENSITY_COLUMNS,
    KDENSITY_SUMMARY_COLUMNS,
    _seed,
    estimated_rows,
    in_prefectures,
    industry_selection,
    typed_summary,
    years_to_run,
)

log = logging.getLogger(__name__)


def county_sites(counties, prefectures: Iterable[str] | None = None) -> pd.DataFrame:
    """K-density sites: ``code``, ``lon``, ``lat`` of the county centroids of a county boundary
    layer (``results/geography/boundaries_county.parquet``), restricted to ``prefectures``."""
    if prefectures is not None:
        keep = {str(p) for p in prefectures}
        counties = counties[counties["prefecture_code"].astype(str).isin(keep)]
    if len(counties) == 0:
        raise ValueError("no county polygon in the region set")
    sites = centroids(counties)
    sites["code"] = sites["code"].astype(str)
    return sites.reset_index(drop=True)


def kdensity_tables(
    firm_years: pd.DataFrame,
    sites: pd.DataFrame,
    years: Sequence[int] | None = None,
    industries: Sequence[str] | None = None,
    n_sim: int = 1000,
    grid=DEFAULT_GRID,
    seed: int = 20050101,
    quantiles: tuple[float, float] = (0.05, 0.95),
    min_plants: int = 10,
    prefectures: Iterable[str] | None = None,
    bin_km: float = DEFAULT_BIN_KM,
    threads: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Duranton-Overman K-densities with local and global bands for industry-years
    (``threads``: threads of the counterfactuals; the tables do not depend on it).

    Parameters
    ----------
    firm_years : pandas.DataFrame
        Clean firm-year table (module docstring); only ``year``, ``county`` and ``industry``
        matter (every row is a plant).
    sites : pandas.DataFrame
        ``code``, ``lon``, ``lat`` of every county that can hold a plant (:func:`county_sites`).
    years : list of int, optional
        Years to compute; default the first and last year in ``firm_years``.
    industries : list of str, optional
        Industry codes; default every industry with plants in the year.
    n_sim, grid, seed, quantiles
        As in :func:`yrd.metrics.k_density_bands`; each industry-year draws from its own
        stream derived from ``(seed, year, industry)``, so results do not depend on which
        other industries or years are run.
    min_plants : int
        Industries with fewer plants (and at least 3 are needed for the bandwidth) are not
        estimated (``status == "too_few_plants"``); Duranton and Overman use 10.

    Returns
    -------
    (density, summary)
        ``density``: ``year``, ``industry``, ``distance_km``, ``k`` (1/km), ``local_lo``,
        ``local_hi``, ``global_lo``, ``global_hi``. ``summary``: one row per industry-year
        with ``status`` (``ok``, ``too_few_plants``, ``one_site``: all plants in one county,
        so every distance is 0), ``n_plants``, ``n_sites`` (occupied counties),
        ``bandwidth_km``, ``localisation_index``, ``dispersion_index``, ``localised``
        (:math:`\\Gamma > 0` against the global band at level ``quantiles[1]``), ``dispersed``
        (:math:`\\Psi > 0`), and the pointwise levels of the global bands.
    """
    needed = ["year", "county", "industry"]
    missing = [c for c in needed if c not in firm_years.columns]
    if missing:
        raise ValueError(f"firm_years lacks columns {missing}")
    d = firm_years[[*needed, "prefecture"]] if "prefecture" in firm_years.columns else firm_years[needed]
    d = in_prefectures(d, prefectures, "firm_years")
    d = d.dropna(subset=needed)
    codes = pd.Index(sites["code"].astype(str))
    if codes.has_duplicates:
        raise ValueError("sites has duplicated codes")
    pos = codes.get_indexer(d["county"].astype(str))
    if (pos < 0).any():
        unknown = sorted(set(d["county"].astype(str)[pos < 0]))
        raise ValueError(f"{int((pos < 0).sum())} plants are in counties without a site: {unknown[:10]}")
    D = distance_matrix(sites).to_numpy()
    grid = np.asarray(grid, dtype=float)
    year_col = d["year"].to_numpy(dtype="int64")
    select = industry_selection(d["industry"].astype(str).to_numpy(), industries)
    years = years_to_run(year_col, years, default_all=False)

    dens, summ = [], []
    for year in years:
        in_year = year_col == year
        frame = np.bincount(pos[in_year], minlength=len(codes))
        year_sites = SitePairs(D, frame)  # validated once, its site pairs shared by the year's industries
        for ind, mine in select(in_year):
            c = np.bincount(pos[mine], minlength=len(codes))
            row = {"year": year, "industry": ind, "n_plants": int(c.sum()), "n_sites": int((c > 0).sum())}
            if c.sum() < max(3, min_plants):
                summ.append({**row, "status": "too_few_plants"})
                continue
            if (c > 0).sum() == 1:
                summ.append({**row, "status": "one_site"})
                continue
            k, bands = year_sites.estimate(
                c,
                n_sim=n_sim,
                seed=_seed(seed, year, ind),
                grid=grid,
                quantiles=quantiles,
                bin_km=bin_km,
                threads=threads,
            )
            row, rows = estimated_rows(row, grid, k, bands, bin_km)
            summ.append(row)
            dens.append(rows)
            gamma, psi = row["localisation_index"], row["dispersion_index"]
            log.info("K-density %d industry %s: %d plants, Gamma %.4f, Psi %.4f", year, ind, c.sum(), gamma, psi)
    density = pd.concat(dens, ignore_index=True) if dens else pd.DataFrame(columns=list(KDENSITY_COLUMNS))
    summary = typed_summary(summ, KDENSITY_SUMMARY_COLUMNS)
    density = density.astype({"year": "int64", "distance_km": "float64"})
    return density[list(KDENSITY_COLUMNS)], summary
