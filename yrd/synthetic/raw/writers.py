"""Writing the raw world: one file per year (Stata .dta, CSV in three encodings, Excel, Parquet)
with the year's headers and column order, and the truth beside the files."""

from __future__ import annotations

import datetime as _dt
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import DEFAULT_VINTAGE, History
from yrd.industry.crosswalks import Crosswalks
from yrd.ingest.headers import HeaderDialects
from yrd.io import write_xlsx
from yrd.synthetic import identity as ident
from yrd.synthetic.raw import salts
from yrd.synthetic.raw.context import RawContext
from yrd.synthetic.raw.geocodes import POINT_COLUMNS
from yrd.synthetic.raw.rows import year_rows
from yrd.synthetic.raw.settings import CANONICAL, CSV_ENCODING, FILE_PATTERN, file_name

log = logging.getLogger(__name__)

#: Fixed metadata so that binary files are byte-identical between runs.
STATA_TIME = _dt.datetime(2000, 1, 1, 0, 0)
_STATA_NAME = re.compile(r"^[^\W\d]\w{0,31}$")


def headers_for_year(table: HeaderDialects, dialect: str, year: int, fmt: str, seed: int) -> dict[str, str]:
    """One header per canonical column for ``year``: a deterministic choice among the names of
    ``dialect`` in the header-dialect table (in .dta files only valid Stata names). Raises
    ``ValueError`` when a .dta file's dialect has no valid Stata name for a column."""
    out = {}
    for i, col in enumerate(CANONICAL):
        if col in POINT_COLUMNS and col not in table.dialects[dialect]:
            continue  # a table without the optional geocodes (RawContext.build refuses points then)
        names = table.dialects[dialect][col]
        if fmt == "dta":
            names = [n for n in names if _STATA_NAME.match(n)]
            if not names:
                raise ValueError(f"dialect {dialect!r} has no valid Stata name for {col!r} (year {year}, dta)")
        out[col] = names[int(ident.pick(ident.uniform(seed, year, i, salts.HEADER), len(names)))]
    return out


def column_order(columns_absent: list[str], year: int, seed: int) -> list[str]:
    """Canonical columns of ``year``'s file in file order: the firm code first, the others (but
    the absent ones and the geocodes, :data:`~yrd.synthetic.raw.geocodes.POINT_COLUMNS`, which
    come last when written) in an order drawn per year."""
    cols = [c for c in CANONICAL if c not in columns_absent and c not in POINT_COLUMNS]
    rest = cols[1:]
    order = np.argsort(ident.uniform(seed, year, np.arange(len(rest)), salts.COLUMNS))
    return [cols[0]] + [rest[i] for i in order]


def write_file(df: pd.DataFrame, path: Path, fmt: str, money_unit: str, labels: dict[str, str], year: int) -> None:
    """Write one year's frame in format ``fmt`` (money rounded to 1 decimal in 千元, 2 in 万元;
    Stata variable ``labels``, fixed time stamps so that the bytes depend only on the data)."""
    if fmt == "dta":
        df.to_stata(
            path,
            write_index=False,
            version=118,
            time_stamp=STATA_TIME,
            data_label=f"ASIF {year} (synthetic)",
            variable_labels=labels,
        )
    elif fmt in CSV_ENCODING:
        enc, eol = CSV_ENCODING[fmt]
        df.to_csv(
            path, index=False, encoding=enc, lineterminator=eol, float_format="%.2f" if money_unit == "wan" else "%.1f"
        )
    elif fmt == "parquet":
        df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    elif fmt == "xlsx":
        write_xlsx(df, path, creator="yrd synthetic")
    else:  # pragma: no cover - validated before
        raise ValueError(fmt)


def clear_old_files(out_dir: Path) -> None:
    """Remove raw files (``asif_<year>.<ext>``) left in ``out_dir`` by an earlier run."""
    for q in out_dir.iterdir():
        if q.is_file() and FILE_PATTERN.match(q.name):
            q.unlink()


def write_year(ctx: RawContext, year: int, lo: int, hi: int, out_dir: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Write ``year``'s file (panel rows ``lo:hi``) into ``out_dir``; returns its record truth and
    its entry of ``truth/files.json``."""
    ycfg = ctx.cfg["years"][year]
    data, flags = year_rows(ctx, year, lo, hi)
    fname = file_name(year, ycfg["format"])
    headers = headers_for_year(ctx.dialects, ycfg["dialect"], year, ycfg["format"], ctx.seed)
    cols = column_order(ycfg["columns_absent"], year, ctx.seed)
    cols += [c for c in POINT_COLUMNS if c in data]
    df = pd.DataFrame({headers[c]: data[c] for c in cols})
    labels = {headers[c]: ctx.dialects.dialects["zh"][c][0] for c in cols}
    write_file(df, out_dir / fname, ycfg["format"], ycfg["money_unit"], labels, year)
    flags.insert(0, "source_row", np.arange(len(df), dtype=np.int64))
    flags.insert(0, "source_file", fname)
    meta = {
        "year": year,
        "format": ycfg["format"],
        "encoding": CSV_ENCODING.get(ycfg["format"], (None,))[0],
        "dialect": ycfg["dialect"],
        "money_unit": ycfg["money_unit"],
        "firm_code_style": ycfg["firm_code_style"],
        "industry_code_numeric": ycfg["format"] == "dta",
        "rows": len(df),
        "columns": {c: headers[c] for c in cols},
    }
    log.info("raw %s: %d rows (%s, %s, %s)", fname, len(df), ycfg["format"], ycfg["dialect"], ycfg["money_unit"])
    return flags, meta


def write_raw_world(
    panel: pd.DataFrame,
    out_dir: str | Path,
    raw_cfg: Mapping[str, Any],
    seed: int,
    vintage: int = DEFAULT_VINTAGE,
    *,
    dialects: HeaderDialects,
    history: History,
    crosswalks: Crosswalks,
    points: pd.DataFrame | None = None,
    point_cfg: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Write the true ``panel`` as messy per-year raw ASIF files and return the record truth.

    Parameters
    ----------
    panel
        True panel, one row per firm-year in the sample: ``true_firm_id``, ``year``, ``county``
        (6-digit code of ``vintage``), ``industry`` (2002 division), ``industry4`` (2002 class),
        ``employment``, ``output`` and ``sales`` (千元), ``founding_year``, ``reg_type``
        (``moved`` is not needed: moves are read from county changes).
    out_dir
        Directory of the raw files (created; raw files ``asif_<year>.<ext>`` already there are
        removed first). The truth goes to ``out_dir/truth/records.parquet``,
        ``out_dir/truth/files.json`` and ``out_dir/truth/identities.parquet`` (one row per firm:
        its organisation codes and names, :meth:`~yrd.synthetic.raw.identities.Identities.table`).
    raw_cfg
        Messiness configuration: the ``synthetic.raw`` block of the configuration, every key
        (:func:`~yrd.synthetic.raw.settings.resolve_raw_config`).
    seed
        Seed of every draw (``synthetic.seed``).
    vintage
        Vintage of the panel's county codes (:data:`yrd.geography.DEFAULT_VINTAGE`).
    dialects
        The header-dialect table (:func:`yrd.ingest.headers.load_dialects` of
        ``config/header_dialects.yaml``).
    history
        The code history the raw county codes are drawn from (path of
        ``resources/areacodes/result.csv`` or :func:`yrd.geography.code_history`).
    crosswalks
        The GB/T 4754 crosswalk tables the raw industry codes are drawn from
        (:func:`yrd.industry.load_crosswalks`).
    points, point_cfg
        The true plant points (:func:`yrd.synthetic.points.plant_points`) and the
        ``synthetic.plant_points`` block: when given, every file gets ``longitude`` and
        ``latitude`` columns with the defects of :mod:`yrd.synthetic.raw.geocodes` and the record
        truth a column ``geocode_defect``; None (default): no geocode columns.

    Returns
    -------
    The record truth (also written): one row per data row of every file, in file order, with
    columns ``source_file`` (file name relative to ``out_dir``), ``source_row`` (0-based data
    row, header excluded), ``true_firm_id``, ``year``, ``invalid``, ``invalid_reason``
    (:data:`~yrd.synthetic.raw.messes.INVALID_REASONS` or None), ``duplicate`` (an exact copy of
    an earlier row of the same file), ``id_reissued`` (the firm code is not the firm's original
    one), ``id_reused`` (the firm code is one that an earlier firm, gone from the sample, had),
    ``name_variant`` (the name is written differently from the firm's current name),
    ``renamed`` (the firm's name after its permanent rename), ``firm_code_missing``. The
    firm-level flags are those of the firm-year even where the value itself is missing or
    invalid in the row.

    Raises ``ValueError`` for a bad panel, configuration or dialect table, or when a county
    cannot be written in some year (see :func:`~yrd.synthetic.raw.vintages.reachable_counties`);
    ``RuntimeError`` if a row's county or industry code would not harmonise back to the truth.
    """
    t0 = _dt.datetime.now()
    out_dir = Path(out_dir)
    ctx = RawContext.build(
        panel,
        raw_cfg,
        seed,
        vintage,
        dialects=dialects,
        history=history,
        crosswalks=crosswalks,
        points=points,
        point_cfg=point_cfg,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "truth").mkdir(exist_ok=True)
    clear_old_files(out_dir)
    truth_parts, files_meta = [], {}
    for t, lo, hi in ctx.panel.bounds():
        flags, meta = write_year(ctx, t, lo, hi, out_dir)
        truth_parts.append(flags)
        files_meta[file_name(t, meta["format"])] = meta
    truth = pd.concat(truth_parts, ignore_index=True)
    truth.to_parquet(out_dir / "truth" / "records.parquet", index=False, engine="pyarrow", compression="zstd")
    ids = ctx.identities.table(ctx.panel.fids)
    ids.to_parquet(out_dir / "truth" / "identities.parquet", index=False, engine="pyarrow", compression="zstd")
    with open(out_dir / "truth" / "files.json", "w", encoding="utf-8", newline="\n") as fh:
        json.dump(files_meta, fh, ensure_ascii=False, indent=2, sort_keys=True)
        fh.write("\n")
    log.info(
        "raw world: %d files, %d rows in %.1f s", len(files_meta), len(truth), (_dt.datetime.now() - t0).total_seconds()
    )
    return truth
