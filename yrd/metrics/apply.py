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

from yrd.io import positions_in, strings_from_codes, used_labels
from yrd.metrics.kdensity_tables import _seed, county_sites, kdensity_tables  # noqa: F401 - re-exported
from yrd.metrics.plant_concentration import FROM_PARTS, dartboard_parts, dartboard_parts_from_codes
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
        d = d[_isin_as_str(d["prefecture"], keep)]
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
        out[col] = pd.Categorical(_sorted_categorical(d[col]))
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
    industry matrix of summed values with the regions and industries of positive total, both
    sorted.

    The sums are grouped by one integer per row that orders like ``(year, region, industry)``
    (codes of the sorted categories), so pandas adds the same values in the same order as
    when grouping by the three columns, without combining three keys over every row."""
    if len(fy) == 0:
        return
    year = fy["year"].to_numpy()
    first = int(year.min())
    year_code = year - first
    industries = fy["industry"].cat.categories
    industry_code = fy["industry"].cat.codes.to_numpy().astype(np.int64)
    n_industries = len(industries)
    for level in _levels(levels):
        regions = fy[level].cat.categories
        n_cells = len(regions) * n_industries
        key = (year_code * len(regions) + fy[level].cat.codes.to_numpy()) * n_industries + industry_code
        totals = fy["value"].groupby(key, sort=True).sum()
        cell = totals.index.to_numpy()
        cell_year, cell = np.divmod(cell, n_cells)
        bounds = np.flatnonzero(np.diff(cell_year)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(cell)]):
            region, industry = np.divmod(cell[lo:hi], n_industries)
            # levels: only the year's labels, sorted (unstack drops unused ones, not in sorted order)
            (region, year_regions), (industry, year_industries) = (
                used_labels(region, regions),
                used_labels(industry, industries),
            )
            index = pd.MultiIndex(
                levels=[year_regions, year_industries], codes=[region, industry], names=[level, "industry"]
            )
            X = pd.Series(totals.to_numpy()[lo:hi], index=index).unstack(fill_value=0.0)
            X = X.loc[X.sum(axis=1) > 0, X.sum(axis=0) > 0]
            X.index = pd.Index(X.index.astype(str), name="region")
            X.columns = pd.Index(X.columns.astype(str), name="industry")
            if X.size:
                yield first + int(cell_year[lo]), level, X


def _series(result, labels: pd.Index, metric: Metric, what: str) -> np.ndarray:
    """Values of a metric's Series result in the order of ``labels``, with a clear error for a
    result of the wrong shape (plugins)."""
    if not isinstance(result, pd.Series):
        raise TypeError(f"metric {metric.name!r} ({metric.kind}) must return a pandas Series, got {type(result)}")
    extra = result.index.difference(labels)
    if len(extra) or result.index.has_duplicates:
        raise ValueError(f"metric {metric.name!r} returned labels that are not {what} of the table: {extra[:5]}")
    return result.reindex(labels).to_numpy(dtype="float64")


class _Block:
    """The rows of one year and level of a long table: every label row (``labels``: column name
    -> ``(codes, names)``, the rows' labels ``names[codes]``) with every metric (``values``:
    metric name -> one value per label row). The label rows must be in table order (ascending,
    distinct: codes lexicographically increasing into sorted, distinct names), as the regions
    and industries of :func:`region_industry_matrices` are."""

    def __init__(self, year: int, level: str, labels: dict[str, tuple[np.ndarray, pd.Index]], values: dict):
        row = np.zeros(len(next(iter(labels.values()))[0]), dtype=np.int64)  # each label row's rank
        for codes, names in labels.values():
            if not (names.is_monotonic_increasing and names.is_unique):
                raise ValueError("a block's label names must be sorted and distinct")
            row = row * len(names) + codes
        if (np.diff(row) <= 0).any():
            raise ValueError("a block's label rows must be distinct and in table order")
        self.year, self.level, self.labels, self.values = year, level, labels, values

    def frame(self, columns: Sequence[str]) -> pd.DataFrame:
        """The block's rows sorted by label row, then metric name, as ``columns``."""
        metrics = sorted(self.values)
        m, n = len(metrics), len(next(iter(self.labels.values()))[0])
        out = {
            "year": np.full(n * m, self.year, dtype="int64"),
            "level": _strings(np.zeros(n * m, dtype=np.int64), [self.level]),
        }
        for col, (codes, names) in self.labels.items():
            out[col] = _strings(np.repeat(codes, m), names)
        out["metric"] = _strings(np.tile(np.arange(m), n), metrics)
        out["value"] = np.column_stack([np.asarray(self.values[k], dtype="float64") for k in metrics]).ravel()
        return pd.DataFrame(out)[list(columns)]


def _strings(codes: np.ndarray, names) -> pd.api.extensions.ExtensionArray:
    """The string column ``names[codes]``, of the Arrow type pandas gives an object array of
    strings (so the table is written to Parquet as before)."""
    import pyarrow as pa

    return strings_from_codes(codes, names, arrow_type=pa.large_string())


def _long(blocks: list[_Block], columns: Sequence[str]) -> pd.DataFrame:
    """The long table: the blocks' rows by year, level (in LEVELS order), labels and metric. A
    block holds one year and level with its rows in that order already, so only the blocks are
    sorted, not the rows."""
    if not blocks:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "value" else "object") for c in columns})
    blocks = sorted(blocks, key=lambda b: (b.year, LEVELS.index(b.level)))
    return pd.concat([b.frame(columns) for b in blocks], ignore_index=True)


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
    plant_metrics = any(m.kind == "plant_concentration" for m in chosen)
    rows_of_year = _RowsOfYear(fy["year"].to_numpy())
    blocks = []
    for year, level, X in region_industry_matrices(fy, levels):
        plants = _LevelPlants(fy, rows_of_year[year], level, X) if plant_metrics else None
        values = {}
        for metric in chosen:
            if metric.kind == "plant_concentration":
                result = _call_plant(metric, plants, year, level)
            else:
                result = _call(metric, X, year, level)
            values[metric.name] = _series(result, X.columns, metric, "industries")
        blocks.append(_Block(year, level, {"industry": (np.arange(X.shape[1]), X.columns)}, values))
    return _long(blocks, CONCENTRATION_COLUMNS)


def _string_categories(s: pd.Series) -> bool:
    """Whether ``s`` is a categorical of strings (as ``pd.read_parquet`` reads a string column
    named in ``read_dictionary``): its ``astype(str)`` is then its categories at its codes."""
    return isinstance(s.dtype, pd.CategoricalDtype) and isinstance(s.cat.categories.dtype, pd.StringDtype)


def _isin_as_str(s: pd.Series, values: pd.Index) -> np.ndarray:
    """``s.astype(str).isin(values)``; of a categorical of strings, looked up once per category
    (a missing value, code -1, takes the appended ``False``)."""
    if _string_categories(s):
        return np.append(s.cat.categories.isin(values), False)[s.cat.codes.to_numpy()]
    return s.astype(str).isin(values).to_numpy()


def _sorted_categorical(s: pd.Series) -> pd.Categorical:
    """``pd.Categorical(s.astype(str).to_numpy())`` (categories: the sorted distinct values) of
    a column without missing values. A string column is encoded by Arrow (same sorted
    categories and codes as from a NumPy object array, without a Python string per row); a
    categorical of strings is renumbered over its categories present, sorted."""
    if _string_categories(s):
        codes = s.cat.codes.to_numpy()
        present = np.flatnonzero(np.bincount(codes, minlength=len(s.cat.categories)))
        values = s.cat.categories[present]
        order = values.argsort()
        renumber = np.empty(len(s.cat.categories), dtype=codes.dtype)  # the new codes are no larger
        renumber[present[order]] = np.arange(len(present))
        return pd.Categorical.from_codes(renumber[codes], categories=pd.Index(values[order], dtype="str"))
    codes, uniques = pd.factorize(s.astype(str), sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(uniques, dtype="str"))


class _RowsOfYear(dict):
    """Positions of each year's rows in a prepared table, in table order, found on first use."""

    def __init__(self, year: np.ndarray):
        super().__init__()
        self.year = year

    def __missing__(self, year: int) -> np.ndarray:
        self[year] = rows = np.flatnonzero(self.year == year)
        return rows


class _LevelPlants:
    """The plants of one year that enter the plant metrics at one level: those in the regions
    and industries of the year's matrix ``X``, as positions in ``X.index`` and ``X.columns``
    (in table order) with their measure. The plant table a metric is called with (``region``,
    ``industry``, ``employment``) and the dartboard parts of the built-in metrics are built on
    first use, once for all the metrics of the year and level."""

    def __init__(self, fy: pd.DataFrame, rows: np.ndarray, level: str, X: pd.DataFrame):
        region = positions_in(fy[level].iloc[rows], X.index)
        industry = positions_in(fy["industry"].iloc[rows], X.columns)
        keep = (region >= 0) & (industry >= 0)
        self.region, self.industry = region[keep], industry[keep]
        self.employment = fy["value"].to_numpy()[rows][keep]
        self.regions, self.industries = X.index, X.columns
        self._table: pd.DataFrame | None = None
        self._parts = None

    def table(self) -> pd.DataFrame:
        if self._table is None:
            self._table = pd.DataFrame(
                {
                    "region": strings_from_codes(self.region, self.regions),
                    "industry": strings_from_codes(self.industry, self.industries),
                    "employment": self.employment,
                }
            )
        return self._table

    def parts(self):
        """:func:`yrd.metrics.plant_concentration.dartboard_parts` of :meth:`table` (from the
        codes when the measure passes its checks; else from the table, which raises its error)."""
        if self._parts is None:
            e = self.employment
            if len(e) and np.isfinite(e).all() and (e >= 0).all() and e.sum() > 0:
                self._parts = dartboard_parts_from_codes(self.region, self.industry, e, self.regions, self.industries)
            else:
                self._parts = dartboard_parts(self.table())
        return self._parts


def _call_plant(metric: Metric, plants: _LevelPlants, year: int, level: str):
    """A plant metric of one year and level: a built-in one from the shared dartboard parts,
    any other with the plant table."""
    from_parts = FROM_PARTS.get(metric.func)
    if from_parts is None:
        return _call(metric, plants.table(), year, level)
    try:
        return from_parts(plants.parts())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"metric {metric.name!r} failed for year {year} at level {level!r}: {exc}") from exc


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
    blocks = []
    for year, level, X in region_industry_matrices(fy, levels):
        values = {m.name: _series(_call(m, X, year, level), X.index, m, "regions") for m in chosen}
        blocks.append(_Block(year, level, {"region": (np.arange(X.shape[0]), X.index)}, values))
    return _long(blocks, SPECIALISATION_COLUMNS)


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
    blocks = []
    for year, level, X in region_industry_matrices(fy, levels):
        n = len(X.index)
        ia, ib = np.nonzero(~np.eye(n, dtype=bool))  # row-major: the pairs in table order
        values = {}
        for metric in chosen:
            S = _call(metric, X, year, level)
            if not (isinstance(S, pd.DataFrame) and set(S.index) == set(X.index) == set(S.columns)):
                raise ValueError(
                    f"metric {metric.name!r} must return a region x region DataFrame of the table's regions"
                )
            values[metric.name] = S.reindex(index=X.index, columns=X.index).to_numpy(dtype="float64")[ia, ib]
        blocks.append(_Block(year, level, {"region_a": (ia, X.index), "region_b": (ib, X.index)}, values))
    return _long(blocks, SIMILARITY_COLUMNS)


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
    # region codes and industries as categoricals (Parquet's dictionaries), not a string per row
    firm_years = pd.read_parquet(
        smk.input.firm_years, columns=firm_year_columns(p.measure), read_dictionary=[*LEVELS, "industry"]
    )
    codes = pd.read_parquet(smk.input.boundaries, columns=["code"])["code"].astype(str)
    prefectures = region_set_codes(p.region_set, codes, smk.input.prefectures)
    out = TABLES[table](firm_years, p.metrics, p.measure, p.levels, prefectures)
    out.to_parquet(smk.output[0], index=False)
    log.info("%s: %d rows: %s x %s, %d years", table, len(out), p.metrics, p.levels, out["year"].nunique())
    return out
