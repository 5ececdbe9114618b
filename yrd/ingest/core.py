"""Ingest raw ASIF files: read, map headers, validate, quarantine, harmonise, reconcile."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import DEFAULT_VINTAGE, History
from yrd.industry.crosswalks import Crosswalks
from yrd.ingest.errors import RawFileError, RawFilesError
from yrd.ingest.headers import HeaderDialects, _as_dialects, canonicalise
from yrd.ingest.readers import read_table
from yrd.ingest.reconcile import IngestResult, check_balance, check_tables, reconcile
from yrd.ingest.units import money_factor, unit_of_year
from yrd.ingest.validation import clean_values, malformed_quarantine, prepare, validate_rows
from yrd.parallel import map_jobs

log = logging.getLogger(__name__)

#: Columns of the clean table, in order (names other stages rely on).
CLEAN_COLUMNS = (
    "year",
    "firm_code",
    "name",
    "legal_rep",
    "phone",
    "area_code",
    "postcode",
    "address",
    "founding_year",
    "reg_type",
    "county",
    "prefecture",
    "province",
    "industry",
    "county_code_raw",
    "industry_code_raw",
    "firm_code_raw",
    "employment",
    "output",
    "sales",
    "lon",
    "lat",
    "point_issue",
    "source_file",
    "source_row",
)
#: Columns of the quarantine table, in order.
QUARANTINE_COLUMNS = ("source_file", "source_row", "column", "reason")


def ingest_file(
    path: str | os.PathLike,
    year: int,
    money_unit: str,
    dialects: HeaderDialects,
    *,
    history: History,
    crosswalks: Crosswalks,
    vintage: int = DEFAULT_VINTAGE,
    tolerance: int = 0,
    encoding: str | None = None,
    sheet: int | str = 0,
    delimiter: str | None = None,
    engine: str = "auto",
    source_file: str | None = None,
) -> IngestResult:
    """Ingest one raw file of survey year ``year``.

    Parameters
    ----------
    path : the raw file (.csv/.txt/.tsv, .dta, .xlsx, .xls, .parquet).
    year : survey year of the file (county codes are checked against the codes in force in it,
        industry codes against its GB/T 4754 vintage).
    money_unit : unit of output and sales in this file: ``"qian"`` (千元) or ``"wan"`` (万元).
    dialects : the header-dialect table (:func:`yrd.ingest.load_dialects` of
        ``config/header_dialects.yaml`` and its JSON Schema).
    history : the code history county codes are checked and harmonised with (path of
        ``resources/areacodes/result.csv`` or :func:`yrd.geography.code_history`).
    crosswalks : the GB/T 4754 crosswalk tables industry codes are checked and harmonised with
        (:func:`yrd.industry.load_crosswalks`).
    vintage : county-code vintage of the clean data (default 2021, the boundaries').
    tolerance : accept county codes in force up to this many years before or after ``year``.
    encoding, sheet, delimiter, engine : passed to :func:`yrd.ingest.read_raw`.
    source_file : name recorded in ``source_file`` and in error messages (default ``path`` as
        given: pass a relative path for portable tables).

    Notes
    -----
    Steps: read (file-level problems raise :class:`RawFileError`), map headers to canonical
    columns, remove exact duplicate rows (all raw values identical, extra columns included;
    the first is kept), quarantine CSV records with a wrong number of fields, validate the other
    rows (:mod:`yrd.ingest.validation`), convert money to thousand yuan and harmonise the
    codes of the valid rows. Raises :class:`~yrd.ingest.errors.ReconciliationError` if
    ``rows_read != rows_clean + rows_quarantined + exact_duplicates_removed``.
    """
    t0 = time.perf_counter()
    file = source_file or os.fspath(path)
    year = _as_year(year, file)
    factor = money_factor(money_unit, file)
    table = _as_dialects(dialects)
    raw, info = read_table(path, encoding=encoding, sheet=sheet, delimiter=delimiter, engine=engine, file=file)
    canon, report = canonicalise(raw, table, file)

    n = len(raw)
    exact_dup = exact_duplicates(raw, canon.get("firm_code"))
    kept = raw.index[~exact_dup]
    malformed_rows = pd.Index(sorted(info.malformed), dtype="int64").intersection(kept)
    rows = kept.difference(malformed_rows)

    prep = prepare(canon.loc[rows], year, factor, vintage, tolerance, history=history, crosswalks=crosswalks)
    q_rows = validate_rows(prep, year, vintage=vintage, tolerance=tolerance, unit=money_unit)
    q_mal = malformed_quarantine({int(r): info.malformed[int(r)] for r in malformed_rows})
    quarantine = pd.concat([q_mal, q_rows], ignore_index=True) if len(q_mal) else q_rows
    quarantine = quarantine.sort_values(["source_row", "column", "reason"], ignore_index=True)
    bad = pd.Index(quarantine["source_row"].unique())
    good = rows.difference(bad)

    clean = clean_values(prep, good, year)
    clean["source_file"] = pd.Series(file, index=good, dtype="str")
    clean["source_row"] = good.to_numpy(dtype="int64")
    clean = clean[list(CLEAN_COLUMNS)].reset_index(drop=True)
    quarantine.insert(0, "source_file", pd.Series(file, index=quarantine.index, dtype="str"))
    quarantine = quarantine[list(QUARANTINE_COLUMNS)].astype({"source_file": "str", "column": "str", "reason": "str"})
    if "longitude" in canon or "latitude" in canon:
        log.info(
            "%s: geocodes in %d of %d clean rows, %d not numbers, %d incomplete",
            file,
            int((clean["lon"].notna() & clean["lat"].notna()).sum()),
            len(clean),
            int(clean["point_issue"].str.startswith("not_numeric").fillna(False).sum()),
            int((clean["point_issue"] == "incomplete").sum()),
        )

    codes = quarantine.drop_duplicates(["source_row", "reason"])["reason"].str.split(":", n=1).str[0]
    counts: dict[str, Any] = {
        "source_file": file,
        "year": year,
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "engine": info.engine,
        "dialects": report["dialects"],
        "money_unit": money_unit,
        "rows_read": n,
        "rows_clean": len(clean),
        "rows_quarantined": len(bad),
        "exact_duplicates_removed": int(exact_dup.sum()),
        "malformed_rows": len(malformed_rows),
        "firm_code_missing": int(clean["firm_code"].isna().sum()),
        "name_missing": int(clean["name"].isna().sum()),
        "output_missing": int(clean["output"].isna().sum()),
        "extra_columns": list(report["extra_columns"]),
        "quarantine_reasons": {str(k): int(v) for k, v in codes.value_counts().sort_index().items()},
        "seconds": round(time.perf_counter() - t0, 3),
        "seconds_read": round(info.seconds, 3),
    }
    check_balance(counts)
    log.info(
        "%s (%d): %d rows read, %d clean, %d quarantined, %d exact duplicates removed [%s, %s, %.1fs]",
        file,
        year,
        n,
        counts["rows_clean"],
        counts["rows_quarantined"],
        counts["exact_duplicates_removed"],
        info.format,
        info.engine,
        counts["seconds"],
    )
    return IngestResult(clean, quarantine, counts, report)


def exact_duplicates(raw: pd.DataFrame, key: pd.Series | None = None) -> np.ndarray:
    """Rows that repeat an earlier row exactly, all columns compared (duplicate headers
    allowed; missing equals missing): ``raw.duplicated(keep="first")`` as a boolean array.

    ``key``: one of the columns (same index), for speed. Two identical rows have the same key, so
    only the rows whose key value occurs more than once are compared on every column; the
    result is the same as without it.
    """
    rows = raw.set_axis(range(raw.shape[1]), axis=1)
    if key is None:
        return rows.duplicated(keep="first").to_numpy()
    out = np.zeros(len(rows), dtype=bool)
    repeated = key.duplicated(keep=False).to_numpy()
    if repeated.any():
        out[repeated] = rows[repeated].duplicated(keep="first").to_numpy()
    return out


def ingest_files(
    files: Mapping[int | str, str | os.PathLike | Sequence[str | os.PathLike]],
    money_units: str | Mapping[int | str, str],
    dialects: HeaderDialects,
    *,
    history: History,
    crosswalks: Crosswalks,
    vintage: int = DEFAULT_VINTAGE,
    tolerance: int = 0,
    encodings: Mapping[str, str] | None = None,
    engine: str = "auto",
    relative_to: str | os.PathLike | None = None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ingest the raw files of several years.

    ``files``: ``{year: path}`` (or ``{year: [path, ...]}`` when a year comes in several
    files); ``money_units``: one unit for all files or ``{year: unit}`` (every year needs one);
    ``dialects``, ``history``, ``crosswalks``: the reference tables (as in :func:`ingest_file`);
    ``encodings``: optional ``{path as given: encoding}``; ``relative_to``: a folder the files
    are in, whose relative paths become ``source_file`` and the names in error messages
    (``asif_1998.dta``, as in a synthetic world's ``truth/records.parquet``); default, and when
    it is a file-system root (``/``): the paths as given; ``workers``: files read at once, each
    in its own process (:func:`yrd.parallel.map_jobs`; the tables do not depend on it). Every
    file is tried; file-level problems are raised together at the end (:class:`RawFileError`
    for one file, :class:`~yrd.ingest.errors.RawFilesError` for several).

    Returns ``(clean, quarantine, reconciliation)``: the concatenated clean and quarantine
    tables, sorted by year, source_file, source_row (quarantine also by column and reason), and
    the per-file reconciliation table (:func:`yrd.ingest.reconcile`), checked against the two
    tables (:func:`yrd.ingest.reconcile.check_tables`).
    """
    table = _as_dialects(dialects)
    jobs: list[tuple[int, str]] = []
    for y, p in files.items():
        paths = [p] if isinstance(p, (str, os.PathLike)) else list(p)
        jobs += [(_as_year(y, os.fspath(q)), os.fspath(q)) for q in paths]
    jobs.sort()
    units = {y: unit_of_year(money_units, y, p) for y, p in jobs}  # config errors before any work
    names = {p: _source_name(p, relative_to) for _, p in jobs}
    work = partial(
        _ingest_job,
        dialects=table,
        history=history,
        crosswalks=crosswalks,
        vintage=vintage,
        tolerance=tolerance,
        engine=engine,
    )
    args = [(p, y, units[y], (encodings or {}).get(p), names[p]) for y, p in jobs]
    outcomes = map_jobs(work, args, workers=workers, catch=(RawFileError,))
    results = [r for r in outcomes if isinstance(r, IngestResult)]
    errors = [e for e in outcomes if isinstance(e, RawFileError)]
    for e in errors:
        # DEBUG only: the error is raised below and shown once, by whoever catches it
        # (the workflow's excepthook prints it on the terminal and logs the traceback)
        log.debug("%s", e)
    if errors:
        raise errors[0] if len(errors) == 1 else RawFilesError(errors)
    order = {r.counts["source_file"]: i for i, r in enumerate(results)}
    clean = _concat([r.clean for r in results], CLEAN_COLUMNS)
    quarantine = _concat([r.quarantine for r in results], QUARANTINE_COLUMNS)
    clean = _sort(clean, order, ["source_row"])
    quarantine = _sort(quarantine, order, ["source_row", "column", "reason"])
    rec = reconcile([r.counts for r in results])
    check_tables(clean, quarantine, rec)
    return clean, quarantine, rec


def _ingest_job(
    path: str, year: int, unit: str, encoding: str | None, name: str, *, dialects: HeaderDialects, **kwargs: Any
) -> IngestResult:
    """One file of :func:`ingest_files` (a module-level function, so that a worker can run it)."""
    return ingest_file(path, year, unit, dialects, encoding=encoding, source_file=name, **kwargs)


def _source_name(path: str, relative_to: str | os.PathLike | None) -> str:
    """``path`` relative to the folder ``relative_to``; the path as given when ``relative_to`` is
    ``None`` or a file-system root (files in unrelated places: ``/data/raw/a.csv`` must not be
    shown as ``data/raw/a.csv``). :class:`ValueError` if ``path`` is not inside ``relative_to``."""
    if relative_to is None:
        return path
    base = Path(relative_to).resolve()
    if base == Path(base.anchor):
        return path
    try:
        return Path(path).resolve().relative_to(Path(relative_to).resolve()).as_posix()
    except ValueError:
        raise ValueError(f"{path} is not inside {os.fspath(relative_to)} (relative_to)") from None


def _concat(frames: list[pd.DataFrame], columns: Sequence[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    return pd.concat(frames, ignore_index=True)[list(columns)]


def _sort(df: pd.DataFrame, order: dict[str, int], by: list[str]) -> pd.DataFrame:
    """Sort by file (year, then file name: the order of ``order``), then ``by`` (stable). The
    per-file tables come in that order already, as a rule: checked first, and then not copied."""
    if not len(df):
        return df
    codes, files = pd.factorize(df["source_file"])  # faster than .map(order) on millions of rows
    key = pd.Series(np.array([order[f] for f in files], dtype="int64")[codes], index=df.index)
    if _in_order([key, *(df[c] for c in by)]):
        return df.reset_index(drop=True)
    return df.assign(_file=key).sort_values(["_file", *by], kind="stable").drop(columns="_file").reset_index(drop=True)


def _in_order(columns: list[pd.Series]) -> bool:
    """Whether the rows are sorted by ``columns`` (lexicographically, ties allowed); ``False``
    unless every column is of an integer dtype without missing values (not checked then)."""
    if not all(pd.api.types.is_integer_dtype(c.dtype) and not c.hasnans for c in columns):
        return False
    undecided = np.ones(len(columns[0]) - 1, dtype=bool)  # pairs of neighbours equal so far
    for c in columns:
        step = np.diff(c.to_numpy(dtype="int64"))
        if (step[undecided] < 0).any():
            return False
        undecided &= step == 0
    return True


def _as_year(year: Any, file: str) -> int:
    try:
        y = int(str(year).strip())
    except (TypeError, ValueError):
        raise ValueError(f"year of {file} must be an integer, got {year!r}") from None
    if not 1900 <= y <= 2100:
        raise ValueError(f"year of {file} is implausible: {y}")
    return y
