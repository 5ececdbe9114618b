"""Input checks shared by the metrics: one clear error per kind of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd

_MAX_LISTED = 5


def _cells(mask: np.ndarray, index: pd.Index, columns: pd.Index) -> str:
    rows, cols = np.nonzero(mask)
    shown = [f"({index[r]!r}, {columns[c]!r})" for r, c in zip(rows[:_MAX_LISTED], cols[:_MAX_LISTED])]
    more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    return ", ".join(shown) + more


def region_industry_matrix(X: pd.DataFrame, name: str = "X") -> np.ndarray:
    """Check a region x industry table and return its values as a float array.

    Raises ``TypeError`` if ``X`` is not a DataFrame and ``ValueError`` naming the problem if it
    has no rows or no columns, duplicated labels, non-numeric columns, missing values, negative
    values, or a grand total of zero. All-zero rows (regions) and columns (industries) are
    allowed: each metric documents what it returns for them.
    """
    if not isinstance(X, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (regions x industries), got {type(X).__name__}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} has no rows: a region x industry table needs at least one region")
    if X.shape[1] == 0:
        raise ValueError(f"{name} has no columns: a region x industry table needs at least one industry")
    if X.index.has_duplicates:
        dup = X.index[X.index.duplicated()].unique().tolist()[:_MAX_LISTED]
        raise ValueError(f"{name} has duplicated region labels (index): {dup}")
    if X.columns.has_duplicates:
        dup = X.columns[X.columns.duplicated()].unique().tolist()[:_MAX_LISTED]
        raise ValueError(f"{name} has duplicated industry labels (columns): {dup}")
    # by the columns' dtypes (labels are distinct here), not a Series per column
    bad = [
        c for c, t in X.dtypes.items() if not (pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t))
    ]
    if bad:
        raise ValueError(f"{name} has non-numeric industry columns: {bad[:_MAX_LISTED]}")
    values = X.to_numpy(dtype=float, na_value=np.nan)
    nan = ~np.isfinite(values)
    if nan.any():
        raise ValueError(
            f"{name} has missing or infinite values at (region, industry): {_cells(nan, X.index, X.columns)}"
        )
    neg = values < 0
    if neg.any():
        raise ValueError(f"{name} has negative values at (region, industry): {_cells(neg, X.index, X.columns)}")
    if values.sum() == 0:
        raise ValueError(f"{name} sums to zero: no employment or output in any region and industry")
    return values


def nonnegative_vector(values, name: str, *, allow_zero_sum: bool = True) -> np.ndarray:
    """Check a one-dimensional, non-empty, finite, non-negative numeric vector."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isfinite(arr).all():
        raise ValueError(
            f"{name} has missing or infinite values at positions {np.flatnonzero(~np.isfinite(arr))[:_MAX_LISTED].tolist()}"
        )
    if (arr < 0).any():
        raise ValueError(f"{name} has negative values at positions {np.flatnonzero(arr < 0)[:_MAX_LISTED].tolist()}")
    if not allow_zero_sum and arr.sum() == 0:
        raise ValueError(f"{name} sums to zero")
    return arr


def plant_table(plants: pd.DataFrame, name: str = "plants") -> pd.DataFrame:
    """Check a plant table with columns ``region``, ``industry``, ``employment``."""
    if not isinstance(plants, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame, got {type(plants).__name__}")
    missing = [c for c in ("region", "industry", "employment") if c not in plants.columns]
    if missing:
        raise ValueError(f"{name} lacks required columns {missing} (needs region, industry, employment)")
    if len(plants) == 0:
        raise ValueError(f"{name} has no rows")
    for col in ("region", "industry"):
        if plants[col].isna().any():
            rows = plants.index[plants[col].isna()].tolist()[:_MAX_LISTED]
            raise ValueError(f"{name} has missing {col} in rows {rows}")
    if not pd.api.types.is_numeric_dtype(plants["employment"]):
        raise ValueError(f"{name}.employment must be numeric, got dtype {plants['employment'].dtype}")
    emp = plants["employment"].to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(emp).all():
        rows = plants.index[~np.isfinite(emp)].tolist()[:_MAX_LISTED]
        raise ValueError(f"{name} has missing or infinite employment in rows {rows}")
    if (emp < 0).any():
        rows = plants.index[emp < 0].tolist()[:_MAX_LISTED]
        raise ValueError(f"{name} has negative employment in rows {rows}")
    if emp.sum() == 0:
        raise ValueError(f"{name} has zero total employment")
    return plants
