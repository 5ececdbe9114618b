"""Duranton-Overman K-density tables on plant POINTS (:mod:`yrd.metrics.kdensity_points`) from the
plant-point table ``results/<run>/clean/plant_points.parquet`` (one row per plant-year:
``firm_id``, ``year``, ``county``, ``prefecture``, ``industry``, ``lon``, ``lat`` in WGS84
degrees, ``point_status`` with usable points ``"ok"``, ``outside_km``), in the layout of the
county-centroid tables of :func:`yrd.metrics.apply.kdensity_tables`, and the comparison of the
two versions' verdicts.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from yrd.metrics.binning import DEFAULT_BIN_KM
from yrd.metrics.kdensity import DEFAULT_GRID
from yrd.metrics.kdensity_points import k_density_points_bands
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

#: Columns of the plant-point table the tables read.
PLANT_POINT_COLUMNS = ("firm_id", "year", "county", "prefecture", "industry", "lon", "lat", "point_status")
#: Density and summary columns of the point version: the site version's plus ``sites`` ("points");
#: the summary adds ``n_no_point`` (the industry-year's plants without a usable point).
KDENSITY_POINTS_COLUMNS = (*KDENSITY_COLUMNS, "sites")
KDENSITY_POINTS_SUMMARY_COLUMNS = (*KDENSITY_SUMMARY_COLUMNS, "sites", "n_no_point")


def kdensity_points_tables(
    points: pd.DataFrame,
    years: Sequence[int] | None = None,
    industries: Sequence[str] | None = None,
    n_sim: int = 1000,
    grid=DEFAULT_GRID,
    seed: int = 20050101,
    quantiles: tuple[float, float] = (0.05, 0.95),
    min_plants: int = 10,
    prefectures: Iterable[str] | None = None,
    bin_km: float = DEFAULT_BIN_KM,
    sample: pd.DataFrame | None = None,
    threads: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """K-densities of plant points with local and global bands for industry-years.

    Only rows with ``point_status == "ok"`` are located; each counterfactual draws the
    industry's plants without replacement from all usable points of the year
    (:func:`yrd.metrics.kdensity_points.k_density_points_bands`), from the stream of
    ``(seed, year, industry)`` (:func:`yrd.metrics.kdensity_rows._seed`), so results do not depend on
    which other industries or years are run.

    Parameters
    ----------
    points : pandas.DataFrame
        Plant-point table (module docstring).
    years : list of int, optional
        Years to compute; default every year in ``points``.
    industries : list of str, optional
        Industry codes; default every industry with plants in the year.
    n_sim, grid, seed, quantiles, min_plants
        As in :func:`yrd.metrics.apply.kdensity_tables` (``min_plants`` counts usable points).
    prefectures : iterable of str, optional
        Keep only plants in these prefectures (the study's region set).
    bin_km : float
        Step of the linear-binning mesh (km).
    sample : pandas.DataFrame, optional
        ``firm_id`` and ``year`` of the analysis sample's firm-years (the county version's
        input): plants outside it are left out, so both versions count the same plants.
    threads : int
        Threads of the compiled pair sweep (:mod:`yrd.metrics.pair_kernels`); the results do not
        depend on it beyond floating-point rounding.

    Returns
    -------
    (density, summary)
        :data:`KDENSITY_POINTS_COLUMNS` and :data:`KDENSITY_POINTS_SUMMARY_COLUMNS`: those of
        :func:`yrd.metrics.apply.kdensity_tables` with ``sites == "points"``; ``n_plants`` and
        ``n_sites`` (distinct points) count usable points, ``n_no_point`` the plants without one,
        and ``status`` is ``ok``, ``too_few_plants`` or ``one_site`` (all at one point).
    """
    needed = ["year", "industry", "lon", "lat", "point_status"]
    missing = [c for c in needed if c not in points.columns]
    if missing:
        raise ValueError(f"plant points lack columns {missing}")
    d = points
    if sample is not None:
        keys = pd.MultiIndex.from_arrays([sample["firm_id"].astype(str), sample["year"].astype("int64")])
        d = d[pd.MultiIndex.from_arrays([d["firm_id"].astype(str), d["year"].astype("int64")]).isin(keys)]
    d = in_prefectures(d, prefectures, "plant points")
    d = d.dropna(subset=["year", "industry"])
    usable = (d["point_status"].astype(str) == "ok").to_numpy() & d[["lon", "lat"]].notna().all(axis=1).to_numpy()
    year_col = d["year"].to_numpy(dtype="int64")
    select = industry_selection(d["industry"].astype(str).to_numpy(), industries)
    lon, lat = d["lon"].to_numpy(dtype=float), d["lat"].to_numpy(dtype=float)
    years = years_to_run(year_col, years, default_all=True)
    grid = np.asarray(grid, dtype=float)

    dens, summ = [], []
    for year in years:
        in_year = year_col == year
        frame = in_year & usable
        for ind, mine in select(in_year):
            ok = mine & usable
            n = int(ok.sum())
            n_sites = len(set(zip(lon[ok].tolist(), lat[ok].tolist(), strict=True)))
            row = {
                "year": year,
                "industry": ind,
                "n_plants": n,
                "n_sites": n_sites,
                "sites": "points",
                "n_no_point": int(mine.sum()) - n,
            }
            if n < max(3, min_plants):
                summ.append({**row, "status": "too_few_plants"})
                continue
            if n_sites == 1:
                summ.append({**row, "status": "one_site"})
                continue
            k, bands = k_density_points_bands(
                lon[ok],
                lat[ok],
                lon[frame],
                lat[frame],
                n_sim=n_sim,
                seed=_seed(seed, year, ind),
                grid=grid,
                quantiles=quantiles,
                bin_km=bin_km,
                threads=threads,
            )
            summary_row, rows = estimated_rows(row, grid, k, bands, bin_km, sites="points")
            summ.append(summary_row)
            dens.append(rows)
            gamma, psi = summary_row["localisation_index"], summary_row["dispersion_index"]
            log.info("point K-density %d industry %s: %d plants, Gamma %.4f, Psi %.4f", year, ind, n, gamma, psi)
    return _typed(dens, summ)


def _typed(dens: list[pd.DataFrame], summ: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    density = pd.concat(dens, ignore_index=True) if dens else pd.DataFrame(columns=list(KDENSITY_POINTS_COLUMNS))
    summary = typed_summary(summ, KDENSITY_POINTS_SUMMARY_COLUMNS, ("n_no_point",))
    for col in ("industry", "status", "sites"):
        summary[col] = summary[col].astype(str)
    density = density.astype(
        {"year": "int64", "distance_km": "float64", "industry": str, "sites": str}
        | dict.fromkeys(("k", "local_lo", "local_hi", "global_lo", "global_hi"), "float64")
    )
    return density[list(KDENSITY_POINTS_COLUMNS)], summary


def _verdict(summary: pd.DataFrame) -> pd.Series:
    out = pd.Series("neither", index=summary.index, dtype=object)
    out[summary["dispersed"].fillna(False).astype(bool)] = "dispersed"
    out[summary["localised"].fillna(False).astype(bool)] = "localised"
    return out


#: Columns of metrics/kdensity_sites_comparison.csv.
COMPARISON_COLUMNS = (
    "year", "industry", "n_plants_sites", "n_plants_points", "n_no_point",
    "verdict_sites", "verdict_points", "verdict_changed",
    "localisation_index_sites", "localisation_index_points",
    "dispersion_index_sites", "dispersion_index_points",
    "bandwidth_km_sites", "bandwidth_km_points",
)  # fmt: skip


def compare_sites_points(sites_summary: pd.DataFrame, points_summary: pd.DataFrame) -> pd.DataFrame:
    """Per industry-year estimated (``status == "ok"``) by both the county-centroid
    (:func:`yrd.metrics.apply.kdensity_tables`) and the point version: each one's verdict
    (``localised`` if Gamma > 0, else ``dispersed`` if Psi > 0, else ``neither``), Gamma, Psi
    and bandwidth, and whether the verdict changed (:data:`COMPARISON_COLUMNS`)."""
    keep = ["year", "industry", "n_plants", "localisation_index", "dispersion_index", "bandwidth_km"]
    s = sites_summary[sites_summary["status"] == "ok"].assign(verdict=lambda x: _verdict(x))
    p = points_summary[points_summary["status"] == "ok"].assign(verdict=lambda x: _verdict(x))
    s = s[[*keep, "verdict"]].astype({"year": "int64", "industry": str})
    p = p[[*keep, "verdict", "n_no_point"]].astype({"year": "int64", "industry": str})
    m = s.merge(p, on=["year", "industry"], suffixes=("_sites", "_points"), how="inner")
    m["verdict_changed"] = m["verdict_sites"] != m["verdict_points"]
    return m[list(COMPARISON_COLUMNS)].sort_values(["year", "industry"]).reset_index(drop=True)


def gather_points(tables: Sequence[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    """Concatenate the per-year tables (empty years included) into one, typed like the first."""
    nonempty = [t for t in tables if len(t)]
    if not nonempty:
        return tables[0] if tables else pd.DataFrame(columns=list(columns))
    return pd.concat(nonempty, ignore_index=True)[list(columns)]
