"""The analysis samples: the full survey and the consistent-threshold sample.

China's Annual Survey of Industrial Firms (ASIF) covers all state-owned firms and the non-state
firms with sales of at least 5 million yuan up to 2010, and firms with sales of at least 20
million yuan from 2011 (National Bureau of Statistics; Brandt, Van Biesebroeck and Zhang 2012,
*J. Dev. Econ.* 97(2), section 2.1, use the same device for the earlier state/non-state break).
Firms between the two thresholds leave the survey in 2011 without exiting the economy, so counts
of firms, moves and concentration indices jump at the break. The *consistent sample* keeps a
firm-year only if the firm meets the strictest threshold of the study period in that year, so
that entry into and exit from the sample across the break are not read as economics; state-owned
firms below the threshold are dropped too (they were surveyed regardless of size before 2011).

Every firm-year is accounted for: :func:`consistent_sample` returns the kept rows and a table
per year of rows in, kept, dropped (below the threshold) and measured by the fallback column
(sales missing, e.g. 1999 in the synthetic world, so gross output is compared with the
threshold instead, scaled by the median ratio of sales to output over the rows that report both,
so the fallback does not keep more firms than sales would; the count is in the accounting). Moves are kept when the firm is in the consistent sample in both the origin
and the destination year (:func:`consistent_moves`).

Written by hand: no maintained package implements sampling rules of the Chinese survey.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SAMPLES = ("consistent", "full")


def threshold_schedule(thresholds: Mapping[int | str, float], start: int, end: int) -> dict[int, float]:
    """The survey threshold in effect in each year ``start..end``.

    ``thresholds`` maps the first year a threshold applies to its value (thousand yuan of
    sales), e.g. ``{1998: 5000, 2011: 20000}``; a threshold holds until the next one starts.
    Raises ``ValueError`` if no threshold is in effect at ``start``."""
    steps = sorted((int(y), float(v)) for y, v in thresholds.items())
    if not steps or steps[0][0] > start:
        raise ValueError(
            f"sample.thresholds must give the threshold in effect in the first study year {start} "
            f"(earliest given: {steps[0][0] if steps else 'none'})"
        )
    out = {}
    for year in range(start, end + 1):
        out[year] = [v for y, v in steps if y <= year][-1]
    return out


def strictest_threshold(thresholds: Mapping[int | str, float], start: int, end: int) -> float:
    """The highest threshold in effect in any year of ``start..end`` (the consistent threshold)."""
    return max(threshold_schedule(thresholds, start, end).values())


def consistent_rows(
    firm_years: pd.DataFrame,
    threshold: float,
    measure: str = "sales",
    fallback: str | None = "output",
) -> tuple[np.ndarray, pd.DataFrame]:
    """Which firm-years meet ``threshold`` (a boolean array, one entry per row), and the
    accounting: the rule of :func:`consistent_sample`, which selects the rows of this array.

    ``firm_years`` needs only ``year``, ``measure`` and (if given) ``fallback``."""
    if measure not in firm_years.columns:
        raise KeyError(f"firm-years have no column {measure!r} (sample.measure)")
    value = pd.to_numeric(firm_years[measure], errors="coerce").astype(float)
    by_fallback = value.isna()
    if fallback and fallback in firm_years.columns:
        other = pd.to_numeric(firm_years[fallback], errors="coerce").astype(float)
        both = value.notna() & (other > 0)
        ratio = float((value[both] / other[both]).median()) if both.any() else 1.0
        value = value.where(~by_fallback, ratio * other)
    else:
        by_fallback = pd.Series(False, index=firm_years.index)
    unmeasured = value.isna()
    keep = value.to_numpy() >= threshold
    keep = np.where(unmeasured.to_numpy(), False, keep)
    year = firm_years["year"].astype(int)
    acc = pd.DataFrame(
        {
            "year": year,
            "kept": keep,
            "below": ~keep & ~unmeasured.to_numpy(),
            "unmeasured": unmeasured.to_numpy(),
            "fallback": by_fallback.to_numpy() & ~unmeasured.to_numpy(),
        }
    )
    accounting = (
        acc.groupby("year")
        .agg(
            rows=("kept", "size"),
            kept=("kept", "sum"),
            dropped_below_threshold=("below", "sum"),
            dropped_unmeasured=("unmeasured", "sum"),
            measured_by_fallback=("fallback", "sum"),
        )
        .reset_index()
        .astype("int64")
    )
    accounting["threshold"] = float(threshold)
    return keep, accounting


def consistent_sample(
    firm_years: pd.DataFrame,
    threshold: float,
    measure: str = "sales",
    fallback: str | None = "output",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Firm-years that meet ``threshold`` (same unit as ``measure``), and the accounting.

    A row is kept if ``measure >= threshold``; where ``measure`` is missing, ``r * fallback`` is
    compared instead (if given and present), with ``r`` the median of ``measure / fallback`` over
    rows reporting both (1 if none do); rows with neither are dropped as unmeasured.

    Returns ``(kept, accounting)``; ``accounting`` has one row per year: ``rows``, ``kept``,
    ``dropped_below_threshold``, ``dropped_unmeasured``, ``measured_by_fallback``,
    ``threshold``; ``rows == kept + dropped_below_threshold + dropped_unmeasured``."""
    keep, accounting = consistent_rows(firm_years, threshold, measure, fallback)
    return firm_years[keep], accounting  # a new frame already (pandas copies on write): no .copy()


def consistent_parquet(
    path: str | Path,
    threshold: float,
    measure: str = "sales",
    fallback: str | None = "output",
) -> tuple[pa.Table, pd.DataFrame, pd.DataFrame]:
    """:func:`consistent_sample` of the firm-years in the Parquet file ``path``.

    Returns ``(kept, keys, accounting)``: the kept rows as an Arrow table of one chunk per
    column, their ``firm_id`` and ``year`` (a DataFrame, for :func:`consistent_moves`) and the
    accounting. For speed and memory at ASIF scale the rows are selected in Arrow, one row group
    at a time: only ``firm_id``, ``year``, ``measure`` and ``fallback`` go to pandas, not the
    whole table and back. Written by ``pyarrow.parquet.write_table``, ``kept`` of a file that
    pandas wrote gives the bytes ``consistent_sample(...)[0].to_parquet(index=False)`` gives
    (same rows, one chunk per column, the file's pandas metadata)."""
    with pq.ParquetFile(path) as source:
        wanted = dict.fromkeys(("firm_id", "year", measure, *([fallback] if fallback else [])))
        measured = source.read(columns=[c for c in wanted if c in source.schema_arrow.names]).to_pandas()
        keep, accounting = consistent_rows(measured, threshold, measure, fallback)
        pieces, start = [], 0
        for i in range(source.num_row_groups):
            group = source.read_row_group(i)
            pieces.append(group.filter(pa.array(keep[start : start + group.num_rows], type=pa.bool_())))
            start += group.num_rows
        kept = pa.concat_tables(pieces).combine_chunks() if pieces else source.schema_arrow.empty_table()
    return kept, measured.loc[keep, ["firm_id", "year"]], accounting


def consistent_moves(moves: pd.DataFrame, kept: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Moves whose firm is in ``kept`` (the consistent firm-years) in both the origin year and
    the destination year; returns the kept moves and the number dropped."""
    keys = pd.MultiIndex.from_arrays([kept["firm_id"].to_numpy(), kept["year"].astype(int).to_numpy()])
    at_origin = pd.MultiIndex.from_arrays([moves["firm_id"].to_numpy(), moves["origin_year"].astype(int).to_numpy()])
    at_dest = pd.MultiIndex.from_arrays([moves["firm_id"].to_numpy(), moves["year"].astype(int).to_numpy()])
    ok = at_origin.isin(keys) & at_dest.isin(keys)
    return moves[ok].copy(), int((~ok).sum())


def main_sample(consistent_threshold: bool) -> str:
    """Name of the sample the headline verdicts, figures and flows use."""
    return "consistent" if consistent_threshold else "full"
