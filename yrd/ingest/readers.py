"""Read raw ASIF files of any supported format into a frame of strings.

Formats by file extension: ``.csv`` / ``.txt`` / ``.tsv`` (delimited text), ``.dta`` (Stata),
``.xlsx`` / ``.xlsm`` (Excel 2007+, openpyxl), ``.xls`` (Excel 97-2003, xlrd), ``.parquet`` /
``.pq``. Every value comes back as a string (pandas ``str`` dtype, missing = ``NaN``): nothing
is converted to a number here, so codes keep their leading zeros and ``"1,234"`` or ``"12.0"``
reach the validation step as written. Typed formats (Stata, Parquet, Excel cells) are turned
into strings explicitly: whole-number floats are written without ``.0`` (``320121.0`` ->
``"320121"``), other floats with Python's shortest repr.

Delimited text
--------------
* Encoding: with ``encoding=None`` the whole file is decoded strictly as UTF-8 (a byte-order
  mark is dropped), then strictly as GB18030 (a superset of GBK and GB2312). If neither decodes,
  or the text holds NUL or other control characters (UTF-16, binary data), the file is refused
  with "unknown encoding". A UTF-16 byte-order mark is refused the same way.
* Delimiter: sniffed on the first lines among ``,`` ``;`` tab ``|`` (:class:`csv.Sniffer`,
  checked against the header; else the candidate that splits the header into the most fields
  consistently). A header that no candidate splits is refused ("wrong delimiter").
* Parsing: pyarrow's CSV reader (fast path, all columns as strings); when it refuses the file
  (a record with a wrong number of fields) or the quote characters do not pair up, the file is
  parsed again with the :mod:`csv` module, which diagnoses it:

  - a quoted field still open at the end of the file, or a LAST record with fewer fields
    than the header: **file-level** "truncated file" (the transfer was cut; the rows after the
    cut are lost and cannot be accounted for, so the file is refused);
  - other quoting errors: **file-level** "malformed quoting" with the line;
  - any other record (not the last) with more or fewer fields than the header (surplus
    fields that are all empty, i.e. trailing delimiters, are dropped silently): **row-level**;
    the row is kept in the frame (padded with missing values or cut to the header width) and
    listed in :attr:`ReadInfo.malformed`; ingestion quarantines it as ``malformed_row``.

  ``engine="c"`` uses pandas' C parser instead of pyarrow (for comparison; it checks field
  counts with the :mod:`csv` module first, because the C parser pads short records silently).
* Rows: ``source_row`` is the 0-based index of a data record (header excluded). Empty lines
  are not records (both parsers skip them).

File-level problems raise :class:`~yrd.ingest.errors.RawFileError`: file not found, empty
file, header only (no data rows), unsupported extension, unknown encoding, wrong delimiter,
truncated file, malformed quoting, and any file the format's reader cannot parse (corrupt
Stata, Parquet or Excel file, missing sheet).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import os
import re
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.ingest.errors import RawFileError

log = logging.getLogger(__name__)

#: File extension -> format.
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".dta": "dta",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".xls": "xls",
    ".parquet": "parquet", ".pq": "parquet",
}
#: Encodings tried, in order, when none is given (strict decoding of the whole file).
AUTO_ENCODINGS = ("utf-8-sig", "gb18030")
#: Delimiters considered by the sniffer.
DELIMITERS = (",", ";", "\t", "|")
ENGINES = ("auto", "pyarrow", "c")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass
class ReadInfo:
    """How a file was read."""

    format: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    engine: str | None = None
    #: CSV records with a wrong number of fields: {source_row: problem}.
    malformed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0


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
        "format": info.format, "encoding": info.encoding, "delimiter": info.delimiter, "engine": info.engine,
        "malformed": dict(info.malformed), "seconds": info.seconds,
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


# ============================================================================ text files
def decode_text(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file; returns ``(text, encoding used)``.

    With ``encoding=None``: strict UTF-8 (BOM dropped), then strict GB18030; else
    :class:`RawFileError` "unknown encoding". Text with NUL or other control characters is
    refused as well (UTF-16 or binary data decode as GB18030 without error)."""
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise RawFileError(file, f"unknown encoding '{encoding}' was given for it") from None
        except UnicodeDecodeError as e:
            raise RawFileError(file, f"does not decode as {encoding}: invalid bytes at offset {e.start}") from None
        used = encoding
    else:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RawFileError(file, "unknown encoding: it starts with a UTF-16 byte-order mark; "
                                     "save it as UTF-8 or GBK (or pass the encoding)")
        text, used = None, None
        for enc in AUTO_ENCODINGS:
            try:
                text, used = data.decode(enc), enc
                if enc == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
                    used = "utf-8"
                break
            except UnicodeDecodeError:
                continue
        if text is None:
            raise RawFileError(file, "unknown encoding: it decodes neither as UTF-8 nor as GB18030/GBK "
                                     "(pass the encoding if it is another one)")
    m = _CONTROL.search(text)
    if m is not None:
        raise RawFileError(file, f"unknown encoding: decoded as {used} it holds control character "
                                 f"{m.group()!r} at character {m.start()} (UTF-16 or binary data?)")
    return text, used


def sniff_delimiter(text: str, file: str) -> str:
    """The delimiter among ``, ; tab |``: :class:`csv.Sniffer` on the first lines, kept if it
    splits the header into at least two fields; otherwise the candidate that splits the
    header into the most fields with the same count on the following sample lines.
    :class:`RawFileError` "wrong delimiter" if no candidate splits the header."""
    lines = text[:65536].splitlines()[:25]
    sample = "\n".join(lines)
    header = lines[0] if lines else ""

    def nfields(line: str, d: str) -> int:
        return len(next(csv.reader([line], delimiter=d), []))

    try:
        d = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        d = None
    if d in DELIMITERS and nfields(header, d) >= 2:
        return d
    best, best_key = None, None
    for cand in DELIMITERS:
        n = nfields(header, cand)
        if n < 2:
            continue
        body = lines[1:-1] or lines[1:]
        consistent = sum(nfields(x, cand) == n for x in body) / max(len(body), 1)
        key = (consistent, n)
        if best_key is None or key > best_key:
            best, best_key = cand, key
    if best is None:
        shown = header if len(header) <= 80 else header[:77] + "..."
        raise RawFileError(file, f"wrong delimiter: the header line {shown!r} is a single column and none of "
                                 "',' ';' tab '|' separates it")
    return best


def _read_csv(p: Path, file: str, encoding: str | None, delimiter: str | None, engine: str):
    data = p.read_bytes()
    text, used = decode_text(data, file, encoding)
    if not text.strip():
        raise RawFileError(file, "empty file (only whitespace)")
    text = text.lstrip("\r\n")  # empty lines before the header are not records either
    delim = delimiter or sniff_delimiter(text, file)
    header = next(csv.reader(io.StringIO(text[: 1 << 20], newline=""), delimiter=delim), [])
    n = len(header)
    if n < 2:
        shown = delim.encode("unicode_escape").decode()
        raise RawFileError(file, f"wrong delimiter: with the delimiter '{shown}' the header is a single column "
                                 f"{header[:1]}")
    balanced = text.count('"') % 2 == 0
    info = ReadInfo(format="csv", headers=[str(h) for h in header], encoding=used, delimiter=delim)
    df = None
    if balanced and engine in ("auto", "pyarrow"):
        df = _parse_pyarrow(text, delim, n)
        info.engine = "pyarrow"
    elif balanced and engine == "c":
        counts = _field_counts(text, delim)
        if (counts == n).all():
            df = _parse_c(text, delim, n)
            info.engine = "c"
    if df is None:
        df, info.malformed = _parse_careful(text, delim, n, file)
        info.engine = "csv-module"
        log.info("%s: parsed with the csv module (%d malformed records)", file, len(info.malformed))
    return df, info


def _parse_pyarrow(text: str, delim: str, n: int) -> pd.DataFrame | None:
    """All records (header included as row 0 and dropped) as strings; ``None`` if pyarrow
    refuses the file (a wrong number of fields)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n)]
    try:
        tab = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names}, strings_can_be_null=True,
                quoted_strings_can_be_null=True, null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    df = pd.DataFrame({i: tab.column(i).to_pandas().astype("str") for i in range(n)})
    return df.iloc[1:].reset_index(drop=True)


def _parse_c(text: str, delim: str, n: int) -> pd.DataFrame:
    df = pd.read_csv(io.StringIO(text), sep=delim, header=None, skiprows=1, names=list(range(n)), dtype="str",
                     keep_default_na=False, na_values=[""], engine="c", quotechar='"', skip_blank_lines=True)
    return df.astype("str")


def _field_counts(text: str, delim: str) -> np.ndarray:
    """Number of fields of every non-empty record (header included), by the csv module."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    counts = np.fromiter(map(len, rows), dtype=np.int64)
    return counts[counts > 0]


def _parse_careful(text: str, delim: str, n: int, file: str) -> tuple[pd.DataFrame, dict[int, str]]:
    """Parse with the csv module and diagnose truncation and malformed records."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    try:
        rows = [r for r in reader if r]
    except csv.Error as e:
        line = reader.line_num
        if "end of data" in str(e) or "EOF" in str(e):
            raise RawFileError(file, f"truncated file: it ends inside a quoted field (line {line}); "
                                     "the rest of the file is missing") from None
        raise RawFileError(file, f"malformed quoting on line {line}: {e}") from None
    data = rows[1:]
    if not data:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(n)}), {}
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    for i in np.flatnonzero(lens > n):  # a trailing delimiter (surplus fields all empty) is not malformed
        if not any(data[i][n:]):
            data[i] = data[i][:n]
            lens[i] = n
    if lens[-1] < n:
        raise RawFileError(file, f"truncated file: its last record (data row {len(data) - 1}) has {lens[-1]} "
                                 f"of the header's {n} fields; the rest of the file is missing")
    bad = np.flatnonzero(lens != n)
    malformed: dict[int, str] = {}
    for i in bad:  # only the malformed records
        k = int(lens[i])
        malformed[int(i)] = f"{k} fields, the header has {n}"
        data[i] = (data[i] + [""] * n)[:n]
    df = pd.DataFrame(data, columns=list(range(n)), dtype="str")
    df = df.mask(df == "")
    return df.astype("str"), malformed


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
            out = v.astype(object).map(repr, na_action="ignore")
    elif s.dtype == object:
        out = s.map(_cell_str, na_action="ignore")
    else:
        out = s.astype(object).map(str, na_action="ignore")
    out = pd.Series(out, index=s.index).astype("str")
    return out.mask(out == "")


def _cell_str(v) -> str:
    if isinstance(v, float):
        if np.isfinite(v) and v == int(v) and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    return str(v)


def _read_stata(p: Path, file: str):
    try:
        df = pd.read_stata(p, convert_categoricals=False, convert_missing=False, preserve_dtypes=True,
                           convert_dates=True)
    except Exception as e:  # noqa: BLE001 - any parser failure is a file-level problem
        raise RawFileError(file, f"cannot be read as a Stata .dta file (corrupt or truncated): "
                                 f"{type(e).__name__}: {_short(e)}") from None
    headers = [str(c) for c in df.columns]
    out = pd.DataFrame({i: as_strings(df.iloc[:, i]) for i in range(df.shape[1])})
    return out, ReadInfo(format="dta", headers=headers, engine="pandas.read_stata")


def _read_parquet(p: Path, file: str):
    import pyarrow.parquet as pq

    try:
        tab = pq.read_table(p)
    except Exception as e:  # noqa: BLE001
        raise RawFileError(file, f"cannot be read as a Parquet file (corrupt or truncated): "
                                 f"{type(e).__name__}: {_short(e)}") from None
    headers = [str(c) for c in tab.column_names]
    out = pd.DataFrame({i: as_strings(tab.column(i).to_pandas()) for i in range(tab.num_columns)})
    if tab.num_columns == 0:
        out = pd.DataFrame(index=pd.RangeIndex(tab.num_rows))
    return out, ReadInfo(format="parquet", headers=headers, engine="pyarrow")


def _read_excel(p: Path, file: str, fmt: str, sheet: int | str):
    eng = "openpyxl" if fmt == "xlsx" else "xlrd"
    try:
        with warnings.catch_warnings():  # pandas deprecates xlrd in favour of calamine (not a dependency)
            warnings.filterwarnings("ignore", message="The xlrd engine is deprecated")
            raw = pd.read_excel(p, sheet_name=sheet, header=None, dtype=object, engine=eng)
    except (ValueError, IndexError, KeyError) as e:
        msg = str(e)
        if "not found" in msg or "out of range" in msg or isinstance(e, (IndexError, KeyError)) \
                or "Worksheet" in msg:
            raise RawFileError(file, f"has no sheet {sheet!r}: {_short(e)}") from None
        raise RawFileError(file, f"cannot be read as an Excel .{fmt} file (corrupt or not Excel): "
                                 f"{type(e).__name__}: {_short(e)}") from None
    except Exception as e:  # noqa: BLE001
        raise RawFileError(file, f"cannot be read as an Excel .{fmt} file (corrupt or not Excel): "
                                 f"{type(e).__name__}: {_short(e)}") from None
    if raw.shape[0] == 0 or raw.shape[1] == 0:
        raise RawFileError(file, f"empty file (sheet {sheet!r} has no cells)")
    head = as_strings(raw.iloc[0])
    headers = ["" if pd.isna(h) else str(h) for h in head]
    body = raw.iloc[1:].reset_index(drop=True)
    out = pd.DataFrame({i: as_strings(body.iloc[:, i]) for i in range(body.shape[1])})
    return out, ReadInfo(format=fmt, headers=headers, engine=eng)


def _short(e: Exception, limit: int = 160) -> str:
    s = " ".join(str(e).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."
