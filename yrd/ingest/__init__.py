"""Ingestion of raw Annual Survey of Industrial Firms (ASIF) files: the first stage of the pipeline.

Users bring per-year raw files as distributors ship them (Stata .dta; CSV in UTF-8, UTF-8 with
BOM, GBK or GB18030; Excel .xlsx/.xls; Parquet), with Chinese, English or pinyin headers and
money in 千元 or 万元. This package reads them, refuses bad files clearly, quarantines bad rows
with a reason, harmonises codes, and accounts for every row.

API
---
* :func:`read_raw` - a raw file as a frame of strings (:mod:`yrd.ingest.readers`).
* :func:`load_dialects`, :func:`canonicalise` - header mapping (:mod:`yrd.ingest.headers`).
* :func:`money_factor`, :func:`to_thousand_yuan` - money units (:mod:`yrd.ingest.units`).
* :func:`ingest_file` -> :class:`IngestResult` ``(clean, quarantine, counts)``;
  :func:`ingest_files` -> ``(clean, quarantine, reconciliation)``; :func:`reconcile`
  (:mod:`yrd.ingest.core`, :mod:`yrd.ingest.reconcile`).

File-level problems raise :class:`RawFileError` (a ``ValueError`` and a
:class:`yrd.errors.UserError`: the workflow shows its message once, without traceback) whose
message names the file and the problem in one sentence, and says what to do:

=============================  ===============================================================
problem                        message (after ``raw file '<file>': ``)
=============================  ===============================================================
missing file                   ``file not found``
unsupported extension          ``unsupported file type '.sav'; expected one of [...]``
0 bytes / only whitespace      ``empty file (0 bytes)`` / ``empty file (only whitespace)``
header, no data                ``header only, no data rows (headers: [...])``
undecodable text               ``unknown encoding: ...`` (neither UTF-8 nor GB18030, UTF-16 BOM,
                               or control characters after decoding)
one-column header              ``wrong delimiter: the header line '...' is a single column ...``
cut text file                  ``truncated file: it ends inside a character (the last 2 bytes are
                               an incomplete UTF-8 character); the copy is incomplete, copy the
                               file again from its source`` (not "unknown encoding")
cut CSV                        ``truncated file: it ends inside a quoted field (line N); ...`` or
                               ``truncated file: it ends inside a row (data row k has m of the
                               header's n fields and no line break); ...``
broken quoting                 ``malformed quoting on line N: ...``
cut Stata 117-119              ``truncated file: it has N bytes but its Stata header announces
                               M; ...``
cut Parquet / .xlsx            ``cannot be read as a Parquet file: truncated or corrupt (...)``
                               (likewise ``an Excel .xlsx file``)
corrupt binary                 ``cannot be read as a Stata .dta file (corrupt or truncated): ...``
                               (likewise Parquet, Excel .xlsx/.xls); ``has no sheet ...``
required column missing        ``required column missing: county_code (no header matches a
                               known name); headers found: [...]``
two headers, one column        ``duplicate canonical column 'firm_code': headers ['firm',
                               'frdm'] all map to it``
=============================  ===============================================================

Row-level problems never raise: the row goes to the quarantine table (``source_file``,
``source_row`` = 0-based data row of the file, header excluded, ``column`` = canonical column or
``row``, ``reason`` = ``"<code>: <text>"``); reasons are listed in
:mod:`yrd.ingest.validation`. Exact duplicate rows are removed (first kept) and counted; a
firm code repeated with different content quarantines the later rows
(``duplicate_firm_code``); a missing firm code keeps the row and is counted.

Reconciliation: for every file read, ``rows_read == rows_clean + rows_quarantined +
exact_duplicates_removed`` (checked inside :func:`ingest_file`; a failure is a bug and raises
:class:`ReconciliationError`).
"""

from yrd.ingest.core import CLEAN_COLUMNS, QUARANTINE_COLUMNS, ingest_file, ingest_files
from yrd.ingest.errors import RawFileError, RawFilesError, ReconciliationError
from yrd.ingest.headers import HeaderDialects, canonicalise, load_dialects, normalise_header
from yrd.ingest.readers import ReadInfo, read_raw, read_table
from yrd.ingest.reconcile import IngestResult, check_tables, reconcile
from yrd.ingest.units import MONEY_UNITS, money_factor, to_thousand_yuan
from yrd.ingest.validation import (
    ABSURD_EMPLOYMENT,
    ABSURD_MONEY,
    MIN_FOUNDING_YEAR,
    MISSING_TOKENS,
    parse_numbers,
)

__all__ = [
    "ABSURD_EMPLOYMENT",
    "ABSURD_MONEY",
    "CLEAN_COLUMNS",
    "MIN_FOUNDING_YEAR",
    "MISSING_TOKENS",
    "MONEY_UNITS",
    "QUARANTINE_COLUMNS",
    "HeaderDialects",
    "IngestResult",
    "RawFileError",
    "RawFilesError",
    "ReadInfo",
    "ReconciliationError",
    "canonicalise",
    "check_tables",
    "ingest_file",
    "ingest_files",
    "load_dialects",
    "money_factor",
    "normalise_header",
    "parse_numbers",
    "read_raw",
    "read_table",
    "reconcile",
    "to_thousand_yuan",
]
