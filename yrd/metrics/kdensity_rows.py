"""Pieces shared by the county-centroid (:func:`yrd.metrics.apply.kdensity_tables`) and the point
(:func:`yrd.metrics.apply_points.kdensity_points_tables`) K-density tables: their columns, the seed
of an industry-year, the years and industries to run, the options read from ``metrics.kdensity``
and the rows of an estimated industry-year."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from yrd.metrics.binning import binning_error_bound
from yrd.metrics.kdensity import KDensityBands, dispersion_index, localisation_index

KDENSITY_COLUMNS = ("year", "industry", "distance_km", "k", "local_lo", "local_hi", "global_lo", "global_hi")
KDENSITY_SUMMARY_COLUMNS = (
    "year", "industry", "status", "n_plants", "n_sites", "bandwidth_km", "localisation_index",
    "dispersion_index", "localised", "dispersed", "global_lower_level", "global_upper_level",
    "binning_error_bound",
)  # fmt: skip


def _seed(seed: int, year: int, industry: str) -> int:
    """Seed of one industry-year: independent of which other industries and years are run."""
    ss = np.random.SeedSequence([int(seed), int(year), zlib.crc32(str(industry).encode())])
    return int(ss.generate_state(1, dtype=np.uint64)[0])


def in_prefectures(d: pd.DataFrame, prefectures, table: str) -> pd.DataFrame:
    """The rows of ``d`` in ``prefectures`` (all rows when None; column ``prefecture`` compared
    as strings); ``table`` names the input in the error raised when the column is missing."""
    if prefectures is None:
        return d
    if "prefecture" not in d.columns:
        raise ValueError(f"{table}: no column 'prefecture', needed to restrict to the region set")
    return d[d["prefecture"].astype(str).isin({str(p) for p in prefectures})]


def years_to_run(year_col: np.ndarray, years, default_all: bool) -> list[int]:
    """The years of a K-density table, sorted: ``years``, or by default every year present
    (``default_all``) or the first and last; raises ``ValueError`` naming the years without plants."""
    present = sorted(set(np.asarray(year_col).tolist()))
    if years is None:
        years = present if default_all or not present else [present[0], present[-1]]
    years = sorted({int(y) for y in years})
    absent = [y for y in years if y not in present]
    if absent:
        span = f"{present[0]}-{present[-1]}" if present else "none"
        raise ValueError(f"no plants in years {absent} (years present: {span})")
    return years


def industry_selection(
    industry_col: np.ndarray, industries: Sequence[str] | None
) -> Callable[[np.ndarray], Iterator[tuple[str, np.ndarray]]]:
    """The industries of a K-density table, year by year: a function taking the rows of a year
    (boolean mask ``in_year`` over ``industry_col``, the industry code of each row as a string)
    and yielding, in sorted order, each industry to run with the mask of its rows in that year.
    The industries are ``industries``, or by default every industry with rows in the year; an
    industry without rows gets an all-false mask. The column is factorised once: each
    industry-year then compares integers, not strings."""
    industry_code, industry_names = pd.factorize(industry_col)
    code_of = {name: i for i, name in enumerate(industry_names)}

    def select(in_year: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
        inds = (
            sorted(industry_names[np.unique(industry_code[in_year])])
            if industries is None
            else sorted(str(i) for i in industries)
        )
        for ind in inds:
            yield ind, in_year & (industry_code == code_of.get(ind, -2))

    return select


def kdensity_options(block: dict) -> dict:
    """Keyword arguments of :func:`yrd.metrics.apply.kdensity_tables` and
    :func:`yrd.metrics.apply_points.kdensity_points_tables` from the config block
    ``metrics.kdensity`` (``industries``, ``n_sim``, ``seed``, ``quantiles``, ``min_plants``, and
    the grid ``0, step_km, ..., max_km``), so the county and the point rules read it alike."""
    return {
        "industries": block["industries"],
        "n_sim": int(block["n_sim"]),
        "grid": np.arange(0.0, block["max_km"] + block["step_km"] / 2, block["step_km"]),
        "seed": int(block["seed"]),
        "quantiles": tuple(block["quantiles"]),
        "min_plants": int(block["min_plants"]),
    }


def estimated_rows(
    row: dict, grid: np.ndarray, k: np.ndarray, bands: KDensityBands, bin_km: float, **density_extra: str
) -> tuple[dict, pd.DataFrame]:
    """The summary row (``row`` plus status ``ok``, bandwidth, Gamma, Psi, verdicts, global
    band levels and the counterfactuals' binning error bound at mesh step ``bin_km``) and the density rows of one
    estimated industry-year, shared by the county (:func:`yrd.metrics.apply.kdensity_tables`) and
    the point version; ``density_extra`` are constant columns
    added to the density rows (the point version's ``sites``)."""
    gamma, psi = localisation_index(k, bands), dispersion_index(k, bands)
    summary = {
        **row,
        "status": "ok",
        "bandwidth_km": bands.bandwidth,
        "localisation_index": gamma,
        "dispersion_index": psi,
        "localised": gamma > 0,
        "dispersed": psi > 0,
        "global_lower_level": bands.global_lower_level,
        "global_upper_level": bands.global_upper_level,
        "binning_error_bound": binning_error_bound(bin_km, bands.bandwidth),
    }
    density = pd.DataFrame(
        {
            "year": row["year"],
            "industry": row["industry"],
            "distance_km": grid,
            "k": k,
            "local_lo": bands.local_lower,
            "local_hi": bands.local_upper,
            "global_lo": bands.global_lower,
            "global_hi": bands.global_upper,
            **density_extra,
        }
    )
    return summary, density


def typed_summary(rows: list[dict], columns: tuple[str, ...], int_columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """The summary table of ``rows`` with ``columns`` and the types both versions write: verdicts
    nullable boolean (missing where not estimated), counts int64 (plus ``int_columns``), the
    estimates float64."""
    summary = pd.DataFrame(rows, columns=list(columns))
    for col in ("localised", "dispersed"):
        summary[col] = summary[col].astype("boolean")
    for col in ("n_plants", "n_sites", "year", *int_columns):
        summary[col] = summary[col].astype("int64")
    for col in (
        "bandwidth_km",
        "localisation_index",
        "dispersion_index",
        "global_lower_level",
        "global_upper_level",
        "binning_error_bound",
    ):
        summary[col] = summary[col].astype("float64")
    return summary
