"""Metric tables from firm-year data: concentration, specialisation, similarity and K-densities.

Input: the clean firm-year table (``results/clean/firm_years.parquet``), one row per plant and
year, with ``year``, ``county``, ``prefecture``, ``province`` (6-character codes of the 2021
vintage), ``industry`` (2-character GB/T 4754-2002 division) and the measure (``employment``
or ``output`` in thousand yuan); other columns are ignored.

What enters a table (documented choices)
----------------------------------------
* Region set: with ``prefectures`` given, only plants in those prefectures count, for every
  level (a province is then the part of it in the region set).
* Rows with a missing measure, region code or industry are dropped (their number is logged);
  a negative measure is an error.
* For each year and level the region x industry matrix ``X`` has the regions and industries
  with a positive total that year. An industry with no plants (or zero total) in a year is
  **omitted** from that year's rows rather than given ``nan`` rows: its concentration is
  undefined, not missing, and the long tables stay free of empty panels
  (``reindex`` to a balanced panel if you need one). Dropping all-zero rows and columns does
  not change any built-in metric of the others. A metric that is undefined for an industry or
  region that *is* present (e.g. Ellison-Glaeser for an industry whose employment is in one
  plant) keeps its row with ``value = nan``.
* Plant metrics see the plants of the industries in ``X`` with ``region`` set to the
  level's code and ``employment`` holding the chosen measure.
* Similarity tables hold every ordered pair ``(region_a, region_b)`` with ``a != b`` (both
  orders, so the table is symmetric; the diagonal is left out because it is 1 or 0 by
  definition and would bias means over pairs).

K-density (Duranton and Overman 2005) sites are county centroids; an industry's plants sit at
the centroid of their county, and counterfactual plants are drawn from all manufacturing
plants' counties of that year (see :func:`yrd.metrics.k_density_bands`; the year's sites and
their pairs are computed once, :class:`yrd.metrics.kdensity.SitePairs`). Only plant counts
enter (the unweighted K-density).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.boundaries import centroids, distance_matrix
from yrd.io import strings_from_codes
from yrd.metrics.binning import DEFAULT_BIN_KM
from yrd.metrics.kdensity import DEFAULT_GRID, SitePairs
from yrd.metrics.kdensity_rows import (
    KDENSITY_COLUMNS,
    KDENSITY_SUMMARY_COLUMNS,
    _seed,
    estimated_rows,
    typed_summary,
)
from yrd.metrics.registry import Metric, get

log = logging.getLogger(__name__)

#: Region levels, coarse to fine (also the sort order of the tables).
LEVELS = ("province", "prefecture", "county")
#: Measures of size a table can be computed from.
MEASURES = ("employment", "output")
#: Config lists and the metric kinds each may name.
KINDS_OF = {
    "concentration": ("concentration", "plant_concentration"),
    "specialisation": ("specialisation",),
    "similarity": ("similarity",),
}

CONCENTRATION_COLUMNS = ("year", "level", "industry", "metric", "value")
SPECIALISATION_COLUMNS = ("year", "level", "region", "metric", "value")
SIMILARITY_COLUMNS = ("year", "level", "region_a", "region_b", "metric", "value")


# --------------------------------------------------------------------------- input
def firm_year_columns(measure: str = "employment") -> list[str]:
    """Columns of the firm-year table the tables read (pass to ``pd.read_parquet(columns=...)``)."""
    return ["year", *LEVELS, "industry", measure]


def prepare_firm_years(
    firm_years: pd.DataFrame,
    measure: str = "employment",
    prefectures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Check and slim the firm-year table: ``year`` (int64), ``county``, ``prefecture``,
    ``province``, ``industry`` (categoricals of strings) and ``value`` (float, the measure),
    restricted to ``prefectures`` if given. See the module docstring for what is dropped."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if not isinstance(firm_years, pd.DataFrame):
        raise TypeError(f"firm_years must be a pandas DataFrame, got {type(firm_years).__name__}")
    needed = ["year", *LEVELS, "industry", measure]
    missing = [c for c in needed if c not in firm_years.columns]
    if missing:
        raise ValueError(f"firm_years lacks columns {missing} (needs {', '.join(needed)})")
    d = firm_years[needed]
    if not pd.api.types.is_numeric_dtype(d[measure]):
        raise ValueError(f"firm_years.{measure} must be numeric, got dtype {d[measure].dtype}")
    if prefectures is not None:
        keep = pd.Index([str(p) for p in prefectures])
        d = d[d["prefecture"].astype(str).isin(keep)]
    bad = d[["year", *LEVELS, "industry", measure]].isna().any(axis=1)
    if bad.any():
        log.info("dropped %d firm-years with a missing year, region code, industry or %s", int(bad.sum()), measure)
        d = d[~bad]
    value = d[measure].to_numpy(dtype="float64")
    if (value < 0).any():
        raise ValueError(f"firm_years has negative {measure} in {int((value < 0).sum())} rows")
    if len(d) == 0:
        raise ValueError("no firm-years left (check the region set and the measure)")
    out = pd.DataFrame({"year": d["year"].to_numpy(dtype="int64")}, index=pd.RangeIndex(len(d)))
    for col in (*LEVELS, "industry"):
        # categories by Arrow's dictionary encoding of the string column (same sorted categories
        # and codes as from a NumPy object array, without a Python string per row)
        out[col] = pd.Categorical(_sorted_categorical(d[col].astype(str)))
    out["value"] = value
    return out


def _metrics(names: Sequence[str], table: str) -> list[Metric]:
    if isinstance(names, str):
        names = [names]
    if len(set(names)) != len(names):
        raise ValueError(f"metrics.{table} names a metric twice: {list(names)}")
    return [get(n, KINDS_OF[table]) for n in names]


def _levels(levels: Sequence[str]) -> list[str]:
    if isinstance(levels, str):
        levels = [levels]
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown or not levels:
        raise ValueError(f"levels must be a non-empty subset of {LEVELS}, got {list(levels)}")
    return [lv for lv in LEVELS if lv in levels]


def region_industry_matrices(fy: pd.DataFrame, levels: Sequence[str]) -> Iterator[tuple[int, str, pd.DataFrame]]:
    """``(year, level, X)`` for every year and level of a prepared table: ``X`` is the region x
    industry matrix of summed values with the regions and industries of positive total."""
    for level in _levels(levels):
        totals = fy.groupby(["year", level, "industry"], observed=True, sort=True)["value"].sum()
        for year, s in totals.groupby(level="year", sort=True):
            X = s.droplevel("year").unstack("industry", fill_value=0.0)
            X = X.loc[X.sum(axis=1) > 0, X.sum(axis=0) > 0]
            X.index = pd.Index(X.index.astype(str), name="region")
            X.columns = pd.Index(X.columns.astype(str), name="industry")
            if X.size:
                yield int(year), level, X


def _series(result, labels: pd.Index, metric: Metric, what: str) -> np.ndarray:
    """Values of a metric's Series result in the order of ``labels``, with a clear error for a
    result of the wrong shape (plugins)."""
    if not isinstance(result, pd.Series):
        raise TypeError(f"metric {metric.name!r} ({metric.kind}) must return a pandas Series, got {type(result)}")
    extra = result.index.difference(labels)
    if len(extra) or result.index.has_duplicates:
        raise ValueError(f"metric {metric.name!r} returned labels that are not {what} of the table: {extra[:5]}")
    return result.reindex(labels).to_numpy(dtype="float64")


def _long(pieces: list[pd.DataFrame], columns: Sequence[str], keys: list[str]) -> pd.DataFrame:
    if not pieces:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else "object") for c in columns})
    out = pd.concat(pieces, ignore_index=True)
    # levels sort in LEVELS order: their positions (a lookup of the few distinct values)
    levels = pd.Index(LEVELS)
    out = out.sort_values(
        keys, key=lambda s: pd.Series(levels.get_indexer(s), index=s.index) if s.name == "level" else s, kind="stable"
    )
    return out[list(columns)].reset_index(drop=True)


# --------------------------------------------------------------------------- tables
def concentration_table(
    firm_years: pd.DataFrame,
    metrics: Sequence[str],
    measure: str = "employment",
    levels: Sequence[str] = LEVELS,
    prefectures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Concentration of every industry, year and level: long ``year``, ``level``,
    ``industry``, ``metric``, ``value``.

    ``metrics`` are registry names of kind ``concentration`` (called with the region x
    industry matrix) or ``plant_concentration`` (called with the year's plant table).
    """
    chosen = _metrics(metrics, "concentration")
    fy = prepare_firm_years(firm_years, measure, prefectures)
    plant_metrics = [m for m in chosen if m.kind == "plant_concentration"]
    by_year = dict(tuple(fy.groupby("year", sort=True))) if plant_metrics else {}
    pieces = []
    for year, level, X in region_industry_matrices(fy, levels):
        plants = None
        for metric in chosen:
            if metric.kind == "plant_concentration":
                if plants is None:
                    p = by_year[year]
                    region, industry = _str_column(p[level]), _str_column(p["industry"])
                    keep = (industry.isin(X.columns) & region.isin(X.index)).to_numpy()
                    plants = pd.DataFrame(
                        {
                            "region": region[keep].reset_index(drop=True),
                            "industry": industry[keep].reset_index(drop=True),
                            "employment": p["value"].to_numpy()[keep],
                        }
                    )
                result = _call(metric, plants, year, level)
            else:
                result = _call(metric, X, year, level)
            pieces.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "level": level,
                        "industry": X.columns.to_numpy(),
                        "metric": metric.name,
                        "value": _series(result, X.columns, metric, "industries"),
                    }
                )
            )
    return _long(pieces, CONCENTRATION_COLUMNS, ["year", "level", "industry", "metric"])


def _sorted_categorical(s: pd.Series) -> pd.Categorical:
    """``pd.Categorical(s.to_numpy())`` (categories: the sorted distinct values) of a string
    column without missing values."""
    codes, uniques = pd.factorize(s, sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))


def _str_column(s: pd.Series) -> pd.Series:
    """``s.astype(str)`` of a categorical column of :func:`prepare_firm_years` (no missing
    values), built by Arrow from its codes and its few categories instead of converting every
    row (a year's plants are ~300,000 rows at ASIF scale)."""
    if not isinstance(s.dtype, pd.CategoricalDtype) or s.isna().any():
        return s.astype(str)
    return pd.Series(strings_from_codes(s.cat.codes.to_numpy(), s.cat.categories), index=s.index)


def _call(metric: Metric, data, year: int, level: str):
    try:
        return metric(data)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"metric {metric.name!r} failed for year {year} at level {level!r}: {exc}") from exc


def specialisation_table(
    firm_years: pd.DataFrame,
    metrics: Sequence[str],
    measure: str = "employment",
    levels: Sequence[str] = LEVELS,
    prefectures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Specialisation of every region, year and level: long ``year``, ``level``, ``region``,
    ``metric``, ``value``; ``metrics`` are registry names of kind ``specialisation``."""
    chosen = _metrics(metrics, "specialisation")
    fy = prepare_firm_years(firm_years, measure, prefectures)
    pieces = []
    for year, level, X in region_industry_matrices(fy, levels):
        for metric in chosen:
            values = _series(_call(metric, X, year, level), X.index, metric, "regions")
            pieces.append(
                pd.DataFrame(
                    {"year": year, "level": level, "region": X.index.to_numpy(), "metric": metric.name, "value": values}
                )
            )
    return _long(pieces, SPECIALISATION_COLUMNS, ["year", "level", "region", "metric"])


def similarity_table(
    firm_years: pd.DataFrame,
    metrics: Sequence[str],
    measure: str = "employment",
    levels: Sequence[str] = ("province", "prefecture"),
    prefectures: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Similarity of every ordered pair of distinct regions, year and level: long ``year``,
    ``level``, ``region_a``, ``region_b``, ``metric``, ``value``; ``metrics`` are registry
    names of kind ``similarity`` (each returns a region x region DataFrame)."""
    chosen = _metrics(metrics, "similarity")
    fy = prepare_firm_years(firm_years, measure, prefectures)
    pieces = []
    for year, level, X in region_industry_matrices(fy, levels):
        n = len(X.index)
        ia, ib = np.nonzero(~np.eye(n, dtype=bool))
        names = X.index.to_numpy()
        for metric in chosen:
            S = _call(metric, X, year, level)
            if not (isinstance(S, pd.DataFrame) and set(S.index) == set(X.index) == set(S.columns)):
                raise ValueError(
                    f"metric {metric.name!r} must return a region x region DataFrame of the table's regions"
                )
            S = S.reindex(index=X.index, columns=X.index).to_numpy(dtype="float64")
            pieces.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "level": level,
                        "region_a": names[ia],
                        "region_b": names[ib],
                        "metric": metric.name,
                        "value": S[ia, ib],
                    }
                )
            )
    return _long(pieces, SIMILARITY_COLUMNS, ["year", "level", "region_a", "region_b", "metric"])


# --------------------------------------------------------------------------- K-density
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
    if prefectures is not None:
        if "prefecture" not in d.columns:
            raise ValueError("firm_years lacks column 'prefecture' needed to restrict to the region set")
        d = d[d["prefecture"].astype(str).isin({str(p) for p in prefectures})]
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
    industry_col = d["industry"].astype(str).to_numpy()
    present = sorted(set(year_col.tolist()))
    if years is None:
        years = sorted({present[0], present[-1]})
    absent = [y for y in years if y not in present]
    if absent:
        raise ValueError(f"no plants in years {absent} (years present: {present[0]}-{present[-1]})")

    dens, summ = [], []
    for year in sorted(int(y) for y in years):
        in_year = year_col == year
        frame = np.bincount(pos[in_year], minlength=len(codes))
        year_sites = SitePairs(D, frame)  # validated once, its site pairs shared by the year's industries
        inds = sorted(set(industry_col[in_year])) if industries is None else sorted(str(i) for i in industries)
        for ind in inds:
            c = np.bincount(pos[in_year & (industry_col == ind)], minlength=len(codes))
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


#: The long tables a metric rule can write, by name (the rules pass the name as a param).
TABLES = {
    "concentration": concentration_table,
    "specialisation": specialisation_table,
    "similarity": similarity_table,
}


def metric_table_rule(smk: Any, table: str, log: logging.Logger) -> pd.DataFrame:
    """The job of the rules ``concentration``, ``specialisation`` and ``similarity``: import the
    plugins of ``params.plugins``, read ``input.firm_years`` and the study's prefectures
    (:func:`yrd.regions.region_set_codes` of ``params.region_set`` over ``input.boundaries``'s
    prefectures, a YRD set from ``input.prefectures``), build :data:`TABLES` ``[table]``
    with ``params.metrics`` by ``params.levels`` and write it to ``output[0]``.

    ``smk`` is the ``snakemake`` object of the rule's script (duck-typed, as in PyPSA-Eur's
    helpers), so each rule's script is one call.
    """
    from yrd.metrics.registry import load_plugins
    from yrd.regions import region_set_codes

    p = smk.params
    if p.plugins:
        log.info("plugins %s registered %s", p.plugins, load_plugins(p.plugins, search_path=Path.cwd()))
    firm_years = pd.read_parquet(smk.input.firm_years, columns=firm_year_columns(p.measure))
    codes = pd.read_parquet(smk.input.boundaries, columns=["code"])["code"].astype(str)
    prefectures = region_set_codes(p.region_set, codes, smk.input.prefectures)
    out = TABLES[table](firm_years, p.metrics, p.measure, p.levels, prefectures)
    out.to_parquet(smk.output[0], index=False)
    log.info("%s: %d rows: %s x %s, %d years", table, len(out), p.metrics, p.levels, out["year"].nunique())
    return out
