"""Read raw ASIF files of any supported format into a frame of strings.

Formats by file extension: ``.csv`` / ``.txt`` / ``.tsv`` (delimited text), ``.dta`` (Stata),
``.xlsx`` / ``.xlsm`` (Excel 2007+, python-calamine; openpyxl for files it cannot read), ``.xls`` (Excel 97-2003, xlrd), ``.parquet`` /
``.pq``. Every value comes back as a string (pandas ``str`` dtype, missing = ``NaN``): nothing
is converted to a number here, so codes keep their leading zeros and ``"1,234"`` or ``"12.0"``
reach the validation step as written. Typed formats (Stata, Parquet, Excel cells) are turned
into strings explicitly: whole-number floats are written without ``.0`` (``320121.0`` ->
``"320121"``), other floats with Python's shortest repr.

Delimited text
--------------
* Encoding: with ``encoding=None`` the whole file is decoded strictly as UTF-8 (a byte-order
  mark is dropped), then strictly as GB18030 (a superset of GBK and GB2312). A file that
  decodes except for its last 1-3 bytes, which begin a multibyte character but do not finish
  it, was cut while being copied: it is refused as "truncated file" (not as an unknown
  encoding; passing an encoding would not help). If neither encoding decodes, or the text
  holds NUL or other control characters (UTF-16, binary data), the file is refused with
  "unknown encoding". A UTF-16 byte-order mark is refused the same way.
* Delimiter: sniffed on the first lines among ``,`` ``;`` tab ``|`` (:class:`csv.Sniffer`,
  checked against the header; else the candidate that splits the header into the most fields
  consistently). A header that no candidate splits is refused ("wrong delimiter").
* Parsing: pyarrow's CSV reader (fast path, all columns as strings); when it refuses the file
  (a record with a wrong number of fields) or the quote characters do not pair up, the file is
  parsed again with the :mod:`csv` module, which diagnoses it:

  - a quoted field still open at the end of the file, or a LAST record with fewer fields
    than the header and no line break after it (the file ends inside a row): **file-level**
    "truncated file" (the transfer was cut; the rows after the cut are lost and cannot be
    accounted for, so the file is refused);
  - other quoting errors: **file-level** "malformed quoting" with the line;
  - any other record (including a short last record that ends with a line break: the file
    does not end inside it) with more or fewer fields than the header (surplus fields that
    are all empty, i.e. trailing delimiters, are dropped silently): **row-level**;
    the row is kept in the frame (padded with missing values or cut to the header width) and
    listed in :attr:`ReadInfo.malformed`; ingestion quarantines it as ``malformed_row``.

  ``engine="c"`` uses pandas' C parser instead of pyarrow (for comparison; it checks field
  counts with the :mod:`csv` module first, because the C parser pads short records silently).
* Rows: ``source_row`` is the 0-based index of a data record (header excluded). Empty lines
  are not records (both parsers skip them).

Typed formats
-------------
A Stata file of format 117-119 announces its size in its header (the offset map); a shorter file
is refused as "truncated file" even where pandas would read the rows it still holds. A Parquet
file that starts with the marker ``PAR1`` but lacks the footer at its end, and an ``.xlsx`` that
starts as a zip archive but lacks the archive's directory at its end, are refused as "truncated
or corrupt". Other failures of a format's reader are "cannot be read as ... (corrupt or
truncated)" with the reader's own error.

File-level problems raise :class:`~yrd.ingest.errors.RawFileError`: file not found, empty
file, header only (no data rows), unsupported extension, unknown encoding, wrong delimiter,
truncated file, malformed quoting, and any file the format's reader cannot parse (corrupt
Stata, Parquet or Excel file, missing sheet). Every message ends with what to do about it.
"""

from __future__ import annotations

import logging
import os
import re
import struct
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from yrd.ingest.errors import RawFileError
from yrd.ingest.stata import read_stata_columns
from yrd.ingest.text import COPY_AGAIN, ENGINES, ReadInfo, _read_csv
from yrd.io import str_series

log = logging.getLogger(__name__)

#: ``engine`` of a .dta file read by :func:`yrd.ingest.stata.read_stata_columns` (the reconciliation
#: table's column); the other .dta files say ``pandas.read_stata``.
STATA_ENGINE = "yrd.ingest.stata"

#: File extension -> format.
EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".dta": "dta",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
    ".parquet": "parquet",
    ".pq": "parquet",
}


# ============================================================================ entry points
def read_raw(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    sheet: int | str = 0,
    delimiter: str | None = None,
    engine: str = "auto",
) -> pd.DataFrame:
    """Read a raw ASIF file as a frame of strings with the file's own headers.

    Parameters
    ----------
    path : the file; the format follows the extension (module docstring).
    encoding : text encoding of a CSV file; ``None`` detects UTF-8 (with or without BOM) or
        GB18030/GBK (strict decoding, else :class:`RawFileError` "unknown encoding").
    sheet : Excel sheet (position or name).
    delimiter : CSV delimiter; ``None`` sniffs it among ``, ; tab |``.
    engine : CSV parser: ``auto`` / ``pyarrow`` (pyarrow, falling back to the csv module on
        malformed records) or ``c`` (pandas' C parser).

    Returns a DataFrame with one column per header (headers as in the file, duplicates
    possible), one row per data record (RangeIndex = ``source_row``), all values ``str`` or
    missing. ``df.attrs["read"]`` holds the :class:`ReadInfo` as a dict (format, encoding,
    delimiter, engine, malformed rows, seconds).

    Raises :class:`RawFileError` on file-level problems (module docstring).
    """
    df, info = read_table(path, encoding=encoding, sheet=sheet, delimiter=delimiter, engine=engine)
    df.attrs["read"] = {
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "engine": info.engine,
        "malformed": dict(info.malformed),
        "seconds": info.seconds,
    }
    return df


def read_table(
    path: str | os.PathLike,
    *,
    encoding: str | None = None,
    sheet: int | str = 0,
    delimiter: str | None = None,
    engine: str = "auto",
    file: str | None = None,
) -> tuple[pd.DataFrame, ReadInfo]:
    """Like :func:`read_raw` but returns ``(frame, ReadInfo)``; ``file`` is the name used in
    error messages (default: ``path`` as given)."""
    t0 = time.perf_counter()
    file = file or os.fspath(path)
    p = Path(path)
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    fmt = EXTENSIONS.get(p.suffix.lower())
    if fmt is None:
        raise RawFileError(file, f"unsupported file type '{p.suffix}'; expected one of {sorted(EXTENSIONS)}")
    if not p.is_file():
        raise RawFileError(file, "file not found")
    if p.stat().st_size == 0:
        raise RawFileError(file, "empty file (0 bytes)")
    if fmt == "csv":
        df, info = _read_csv(p, file, encoding, delimiter, engine)
    elif fmt == "dta":
        df, info = _read_stata(p, file)
    elif fmt in ("xlsx", "xls"):
        df, info = _read_excel(p, file, fmt, sheet)
    else:
        df, info = _read_parquet(p, file)
    if len(info.headers) == 0:
        raise RawFileError(file, "empty file (no header)")
    if len(df) == 0:
        raise RawFileError(file, f"header only, no data rows (headers: {info.headers})")
    df.columns = info.headers
    df.index = pd.RangeIndex(len(df))
    info.seconds = time.perf_counter() - t0
    return df, info


# ============================================================================ typed formats
def as_strings(s: pd.Series) -> pd.Series:
    """A column of any dtype as strings (missing stays missing).

    Integers as digits; floats that are all whole numbers as integers (``320121.0`` ->
    ``"320121"``), other floats by Python's shortest repr; booleans ``True``/``False``; objects
    (mixed Excel cells) by ``str()``, whole-number floats without ``.0``; empty strings become
    missing."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    if pd.api.types.is_bool_dtype(s.dtype):
        out = s.astype(object).map(str, na_action="ignore")
    elif pd.api.types.is_integer_dtype(s.dtype):
        out = s.astype("Int64").astype("str")
    elif pd.api.types.is_float_dtype(s.dtype):
        v = s.astype("float64")
        fin = v[v.notna()]
        if len(fin) and np.isfinite(fin).all() and (fin == np.round(fin)).all() and (fin.abs() < 2**53).all():
            out = v.astype("Int64").astype("str")
        else:
            out = float_reprs(v)
    elif s.dtype == object:
        out = s.map(_cell_str, na_action="ignore")
    elif isinstance(s.dtype, pd.StringDtype):  # already strings (Stata strL/str#): str() changes nothing
        out = s
    else:
        out = s.astype(object).map(str, na_action="ignore")
    out = pd.Series(out, index=s.index).astype("str")
    return out.mask(out == "")


def float_reprs(v: pd.Series) -> pd.Series:
    """``repr`` of each float64 value as ``str`` (NaN stays missing), without a Python call per
    value where Arrow writes the same text.

    Arrow's cast to string writes the shortest digits that read back as the same double, as
    ``repr`` does, but it switches to exponents at other magnitudes and writes ``12`` for
    ``12.0``. Its text is kept where ``repr`` writes a plain decimal (finite, ``1e-4 <= |x| <
    1e16``) and Arrow's holds a ``.`` and no exponent; the other values (few: whole numbers,
    very large or small ones, infinities) get ``repr``. ``tests/test_ingest_speed_equivalence.py``
    compares it with ``repr`` on random doubles of every magnitude."""
    x = v.to_numpy(dtype="float64", na_value=np.nan)
    text = pc.cast(pa.array(x, from_pandas=True), pa.large_string())  # NaN -> null
    size = np.abs(x)
    plain = np.isfinite(x) & (size >= 1e-4) & (size < 1e16)
    point = pc.fill_null(pc.match_substring(text, "."), False).to_numpy(zero_copy_only=False)
    exponent = pc.fill_null(pc.match_substring(text, "e"), False).to_numpy(zero_copy_only=False)
    other = ~(plain & point & ~exponent) & ~np.isnan(x)
    if other.any():
        reprs = pa.array([repr(float(f)) for f in x[other]], pa.large_string())
        text = pc.replace_with_mask(text, pa.array(other), reprs)
    return str_series(text, v.index)


def _cell_str(v) -> str:
    if isinstance(v, float):
        if np.isfinite(v) and v == int(v) and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    return str(v)


def stata_size(path: str | os.PathLike) -> int | None:
    """The file size announced by the header of a Stata .dta file of format 117-119 (the last
    entry of its offset map, the end of ``</stata_dta>``); ``None`` for older formats or a
    header that does not hold a consistent map."""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if not head.startswith(b"<stata_dta><header><release>"):
        return None
    m = re.search(rb"<byteorder>(LSF|MSF)</byteorder>", head)
    at = head.find(b"<map>")
    if m is None or at < 0 or len(head) < at + 5 + 14 * 8:
        return None
    offsets = struct.unpack(("<" if m.group(1) == b"LSF" else ">") + "14Q", head[at + 5 : at + 5 + 14 * 8])
    if offsets[0] != 0 or offsets[1] != at or list(offsets) != sorted(offsets):
        return None
    return int(offsets[-1])


def _read_stata(p: Path, file: str):
    expected, size = stata_size(p), p.stat().st_size
    if expected is not None and size < expected:
        raise RawFileError(
            file, f"truncated file: it has {size} bytes but its Stata header announces {expected}; {COPY_AGAIN}"
        )
    # the plain format 117-119 files column by column (yrd.ingest.stata, the same frame as pandas
    # gives, in a fraction of the time: its string cells are decoded at once); others by pandas
    df = read_stata_columns(p)
    engine = STATA_ENGINE
    if df is None:
        engine = "pandas.read_stata"
        try:
            df = pd.read_stata(
                p, convert_categoricals=False, convert_missing=False, preserve_dtypes=True, convert_dates=True
            )
        except Exception as e:  # noqa: BLE001 - any parser failure is a file-level problem
            raise RawFileError(
                file,
                f"cannot be read as a Stata .dta file (corrupt or truncated): "
                f"{type(e).__name__}: {_short(e)}; check that Stata opens it, or copy it "
                "again",
            ) from None
    headers = [str(c) for c in df.columns]
    out = pd.DataFrame({i: as_strings(df.iloc[:, i]) for i in range(df.shape[1])})
    return out, ReadInfo(format="dta", headers=headers, engine=engine)


def _read_parquet(p: Path, file: str):
    import pyarrow.parquet as pq

    try:
        tab = pq.read_table(p)
    except Exception as e:  # noqa: BLE001
        if _starts_but_does_not_end(p, b"PAR1", b"PAR1"):
            raise RawFileError(
                file,
                "cannot be read as a Parquet file: truncated or corrupt (it starts with the "
                "Parquet marker 'PAR1' but its footer, at the end of the file, is missing); "
                "copy the file again from its source",
            ) from None
        raise RawFileError(
            file,
            f"cannot be read as a Parquet file (corrupt or truncated): "
            f"{type(e).__name__}: {_short(e)}; check the file, or copy it again",
        ) from None
    headers = [str(c) for c in tab.column_names]
    out = pd.DataFrame({i: as_strings(tab.column(i).to_pandas()) for i in range(tab.num_columns)})
    if tab.num_columns == 0:
        out = pd.DataFrame(index=pd.RangeIndex(tab.num_rows))
    return out, ReadInfo(format="parquet", headers=headers, engine="pyarrow")


def _read_excel(p: Path, file: str, fmt: str, sheet: int | str):
    """An Excel sheet as strings. ``.xlsx``/``.xlsm`` are read with pandas' ``calamine`` engine
    (python-calamine, Rust): on the national world's four registration extracts 2.0 s against
    10.0 s with openpyxl, with the same cells, types included (pandas converts calamine's cells
    as openpyxl's, GH#59186; ``tests/test_ingest_excel_engines.py`` compares the two). A file
    calamine cannot read is read again with openpyxl, so a broken file gets the same diagnosis
    as before (or is read, if openpyxl can). ``.xls`` is read with xlrd."""
    if fmt == "xlsx":
        try:
            raw = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object, engine="calamine")
            return _excel_strings(raw, file, fmt, sheet, "calamine")
        except RawFileError:
            raise
        except Exception:  # noqa: BLE001, S110 - diagnosed by the openpyxl read below
            pass
    eng = "openpyxl" if fmt == "xlsx" else "xlrd"
    try:
        with warnings.catch_warnings():  # pandas deprecates xlrd in favour of calamine
            warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
            raw = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object, engine=eng)
    except Exception as e:  # noqa: BLE001 - any reader failure is a file-level problem
        msg = str(e)
        if isinstance(e, (IndexError, KeyError)) or (
            isinstance(e, ValueError) and ("not found" in msg or "out of range" in msg or "Worksheet" in msg)
        ):
            raise RawFileError(file, f"has no sheet {sheet!r}: {_short(e)}") from None
        if fmt == "xlsx" and isinstance(e, zipfile.BadZipFile) and _starts_but_does_not_end(p, b"PK\x03\x04"):
            raise RawFileError(
                file,
                "cannot be read as an Excel .xlsx file: truncated or corrupt (it starts as a "
                "zip archive, as .xlsx files do, but the archive's directory at its end is "
                "missing); copy the file again from its source",
            ) from None
        raise RawFileError(
            file,
            f"cannot be read as an Excel .{fmt} file (corrupt or not Excel): "
            f"{type(e).__name__}: {_short(e)}; check that Excel opens it, or copy it "
            "again",
        ) from None
    return _excel_strings(raw, file, fmt, sheet, eng)


def _excel_strings(raw: pd.DataFrame, file: str, fmt: str, sheet: int | str, engine: str):
    """The frame of strings and the :class:`ReadInfo` of a sheet's cells (header in the first row)."""
    if raw.shape[0] == 0 or raw.shape[1] == 0:
        raise RawFileError(file, f"empty file (sheet {sheet!r} has no cells)")
    head = as_strings(raw.iloc[0])
    headers = ["" if pd.isna(h) else str(h) for h in head]
    body = raw.iloc[1:].reset_index(drop=True)
    out = pd.DataFrame({i: as_strings(body.iloc[:, i]) for i in range(body.shape[1])})
    return out, ReadInfo(format=fmt, headers=headers, engine=engine)


def _starts_but_does_not_end(p: Path, start: bytes, end: bytes | None = None) -> bool:
    """Whether the file starts with ``start`` (its format's marker) but its end is missing:
    it does not end with ``end`` or, for a zip archive (``end=None``), holds no end-of-archive
    record."""
    with open(p, "rb") as f:
        if f.read(len(start)) != start:
            return False
        if end is None:
            return not zipfile.is_zipfile(f)
        f.seek(max(p.stat().st_size - len(end), 0))
        return f.read() != end


def _short(e: Exception, limit: int = 160) -> str:
    s = " ".join(str(e).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."
