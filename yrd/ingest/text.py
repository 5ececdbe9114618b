"""Text raw files (CSV and the like): strict decoding with detection of UTF-8 and GB18030/GBK,
truncation at the end of a file, delimiter sniffing and careful parsing that reports every
record with a wrong number of fields (used by :mod:`yrd.ingest.readers`)."""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.ingest.errors import RawFileError

log = logging.getLogger(__name__)

#: Encodings tried, in order, when none is given (strict decoding of the whole file).
AUTO_ENCODINGS = ("utf-8-sig", "gb18030")
#: Delimiters considered by the sniffer.
DELIMITERS = (",", ";", "\t", "|")
ENGINES = ("auto", "pyarrow", "c")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: The bytes that are not such control characters (bytes.translate deletes them).
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))
#: Encodings in which a byte below 0x80 is always that ASCII character (never part of a
#: multibyte character): the control characters of a text are its control bytes.
_ASCII_TRANSPARENT = ("utf-8", "utf-8-sig", "gb18030", "gbk")
#: The fix of every truncated file, at the end of its message.
COPY_AGAIN = "the copy is incomplete, copy the file again from its source"


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


def decode_text(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode the bytes of a text file; returns ``(text, encoding used)``.

    With ``encoding=None``: strict UTF-8 (BOM dropped), then strict GB18030; else
    :class:`RawFileError` "unknown encoding". Text with NUL or other control characters is
    refused as well (UTF-16 or binary data decode as GB18030 without error). Bytes that decode
    except for an incomplete character at the very end (:func:`cut_character`) raise
    :class:`RawFileError` "truncated file" instead: with a given encoding, or when they are
    UTF-8 or GB18030 up to the cut (UTF-8 is preferred when the text before the cut holds
    non-ASCII UTF-8 or a UTF-8 byte-order mark; a file that decodes whole as GB18030 is read
    as GB18030 otherwise)."""
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise RawFileError(file, f"unknown encoding '{encoding}' was given for it") from None
        except UnicodeDecodeError as e:
            cut = cut_character(data, encoding)
            if cut:
                raise RawFileError(file, _truncated_character(cut, encoding)) from None
            raise RawFileError(file, f"does not decode as {encoding}: invalid bytes at offset {e.start}") from None
        used = encoding
    else:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise RawFileError(
                file,
                "unknown encoding: it starts with a UTF-16 byte-order mark; "
                "save it as UTF-8 or GBK (or pass the encoding)",
            )
        text, used = None, None
        for enc in AUTO_ENCODINGS:
            try:
                text, used = data.decode(enc), enc
                if enc == "utf-8-sig" and not data.startswith(codecs.BOM_UTF8):
                    used = "utf-8"
                break
            except UnicodeDecodeError:
                pass
            cut = _cut_text(data, enc)
            # UTF-8 up to the cut: trusted before trying GB18030 when the text before the cut shows
            # it is UTF-8 (a BOM or non-ASCII characters); pure ASCII up to the cut is decided below
            if cut and enc == "utf-8-sig" and (data.startswith(codecs.BOM_UTF8) or not data[:-cut].isascii()):
                raise RawFileError(file, _truncated_character(cut, "UTF-8"))
        if text is None:
            cut_utf8, cut_gb = _cut_text(data, "utf-8-sig"), _cut_text(data, "gb18030")
            if cut_utf8 or cut_gb:
                names = " or ".join(n for n, c in (("UTF-8", cut_utf8), ("GB18030/GBK", cut_gb)) if c)
                raise RawFileError(file, _truncated_character(max(cut_utf8, cut_gb), names))
            raise RawFileError(
                file,
                "unknown encoding: it decodes neither as UTF-8 nor as GB18030/GBK "
                "(pass the encoding if it is another one)",
            )
    if codecs.lookup(used).name in _ASCII_TRANSPARENT and not data.translate(None, _NOT_CONTROL_BYTES):
        return text, used  # no control byte: the quick check
    m = _CONTROL.search(text)
    if m is not None:
        raise RawFileError(
            file,
            f"unknown encoding: decoded as {used} it holds control character "
            f"{m.group()!r} at character {m.start()} (UTF-16 or binary data?)",
        )
    return text, used


def cut_character(data: bytes, encoding: str) -> int:
    """The number of bytes (1-3) at the end of ``data`` that begin a character of ``encoding``
    without finishing it, when all bytes before them decode strictly; 0 otherwise (the bytes
    decode whole, or fail to decode before the end).

    >>> cut_character("杭州".encode("utf-8")[:-1], "utf-8"), cut_character("杭州".encode("gbk")[:-1], "gb18030")
    (2, 1)
    >>> cut_character(b"ab\\xff", "utf-8"), cut_character("杭州".encode("utf-8"), "utf-8")
    (0, 0)
    """
    try:
        dec = codecs.getincrementaldecoder(encoding)()
        dec.decode(data, final=False)
        pending = dec.getstate()[0]
    except (UnicodeDecodeError, LookupError):
        return 0
    n = len(pending) if isinstance(pending, bytes) else 0
    return n if 0 < n <= 3 and n < len(data) else 0


def _cut_text(data: bytes, encoding: str) -> int:
    """:func:`cut_character`, but 0 when the text before the cut holds control characters (binary
    data that happens to decode is an unknown encoding, not a cut text file)."""
    n = cut_character(data, encoding)
    return n if n and _CONTROL.search(data[:-n].decode(encoding)) is None else 0


def _truncated_character(n: int, encoding: str) -> str:
    last = "the last byte is" if n == 1 else f"the last {n} bytes are"
    return f"truncated file: it ends inside a character ({last} an incomplete {encoding} character); {COPY_AGAIN}"


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
        raise RawFileError(
            file,
            f"wrong delimiter: the header line {shown!r} is a single column and none of ',' ';' tab '|' separates it",
        )
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
        raise RawFileError(
            file, f"wrong delimiter: with the delimiter '{shown}' the header is a single column {header[:1]}"
        )
    balanced = text.count('"') % 2 == 0
    info = ReadInfo(format="csv", headers=[str(h) for h in header], encoding=used, delimiter=delim)
    df = None
    if balanced and engine in ("auto", "pyarrow"):
        df = _parse_pyarrow(_utf8(data, text, used), delim, n)
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


def _utf8(data: bytes, text: str, used: str) -> bytes:
    """``text.encode("utf-8")``, where ``text`` is ``data`` decoded as ``used`` with leading line
    breaks removed: the file's own bytes when it is UTF-8, without encoding it again."""
    if used == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data, used = data[len(codecs.BOM_UTF8) :], "utf-8"
    return data.lstrip(b"\r\n") if used in ("utf-8", "utf-8-sig") else text.encode("utf-8")


def _parse_pyarrow(text: str | bytes, delim: str, n: int) -> pd.DataFrame | None:
    """All records (header included as row 0 and dropped) as strings; ``None`` if pyarrow
    refuses the file (a wrong number of fields). ``text``: the text, or its UTF-8 bytes."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(n)]
    try:
        tab = pacsv.read_csv(
            io.BytesIO(text if isinstance(text, bytes) else text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in names},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    df = pd.DataFrame({i: tab.column(i).to_pandas().astype("str") for i in range(n)})
    return df.iloc[1:].reset_index(drop=True)


def _parse_c(text: str, delim: str, n: int) -> pd.DataFrame:
    df = pd.read_csv(
        io.StringIO(text),
        sep=delim,
        header=None,
        skiprows=1,
        names=list(range(n)),
        dtype="str",
        keep_default_na=False,
        na_values=[""],
        engine="c",
        quotechar='"',
        skip_blank_lines=True,
    )
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
            raise RawFileError(
                file, f"truncated file: it ends inside a quoted field (line {line}); {COPY_AGAIN}"
            ) from None
        raise RawFileError(file, f"malformed quoting on line {line}: {e}") from None
    data = rows[1:]
    if not data:
        return pd.DataFrame({i: pd.Series([], dtype="str") for i in range(n)}), {}
    lens = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    for i in np.flatnonzero(lens > n):  # a trailing delimiter (surplus fields all empty) is not malformed
        if not any(data[i][n:]):
            data[i] = data[i][:n]
            lens[i] = n
    if lens[-1] < n and not text.endswith(("\n", "\r")):
        raise RawFileError(
            file,
            f"truncated file: it ends inside a row (data row {len(data) - 1} has {lens[-1]} "
            f"of the header's {n} fields and no line break); {COPY_AGAIN}",
        )
    bad = np.flatnonzero(lens != n)
    malformed: dict[int, str] = {}
    for i in bad:  # only the malformed records
        k = int(lens[i])
        malformed[int(i)] = f"{k} fields, the header has {n}"
        data[i] = (data[i] + [""] * n)[:n]
    df = pd.DataFrame(data, columns=list(range(n)), dtype="str")
    df = df.mask(df == "")
    return df.astype("str"), malformed
