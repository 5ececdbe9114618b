"""Ingest business-registration extracts: change records and investment records.

Run by rule ``ingest_registration`` (``workflow/rules/registration.smk``). Same standards as
ASIF ingestion (:mod:`yrd.ingest`): files are read by :func:`yrd.ingest.read_table` (CSV in
UTF-8, UTF-8 with BOM, GBK/GB18030; xlsx/xls; delimiter sniffed), headers mapped by
:func:`yrd.ingest.canonicalise` with the tables of ``config/registration_dialects.yaml`` (:mod:`yrd.registration.dialects`), file-level
problems raise :class:`~yrd.ingest.RawFileError` naming the file and the fix, bad rows go to
the quarantine table, and every row read is accounted for.

Record formats (one row per record; headers in the ``zh`` or ``en`` dialect, any mix):

* **change records** (变更记录): 统一社会信用代码 / 注册号 / 组织机构代码 (``credit_code``,
  ``reg_number``, ``org_code``: any or all may be missing), 企业名称 (``name``), 变更事项
  (``change_item``), 变更前 (``before``), 变更后 (``after``), 变更日期 (``change_date``);
* **investment records** (对外投资 / 分支机构): 投资方 (``investor_name``), 投资方信用代码
  (``investor_code``), 被投资企业 (``investee_name``), 被投资企业信用代码 (``investee_code``),
  被投资企业住所 (``investee_address``), 认缴出资（万元） (``capital``), 成立日期
  (``founding_date``).

Steps per file: read; map headers; remove rows whose raw values are all identical to an
earlier row's (``raw_duplicates``); quarantine records with a wrong number of fields
(``malformed_row``); normalise keys (:func:`yrd.registration.keys.classify_key`: a key is
put in the column of the kind it is, whatever column it came in; a key failing its check is
dropped, counted in ``keys_invalid``, and the row kept if it has a name), parse dates and
capital (:mod:`yrd.registration.parse`), classify change items (address / name / both /
other), split a combined 住所及名称变更 record into a name event and an address event (column
``event`` 0 and 1, one input row), parse addresses to county codes of the vintage
(:func:`yrd.registration.address.parse_addresses`; the prefecture too, for an address that
names no county); then remove, among the valid rows, later
rows that repeat an earlier row's event after normalisation (same firm key and name, change
class, before, after and date; or same investor, investee, address, capital, currency and date):
``event_duplicates``. A repeated event under two different keys (credit code in one row,
registration number in the other) is not recognised here; linking does that.

Quarantine reasons (``"<code>: <text>"``; ``column`` the canonical column or ``row``):

=========================  ===================================================================
code                       when
=========================  ===================================================================
``malformed_row``          CSV record with more or fewer fields than the header
``missing_value``          an empty required value (name and all keys, change item, date,
                           before/after of an address or name change, investee address)
``bad_date``               date unreadable, impossible (2005-02-30) or outside 1949-10-01..2100
``no_firm_identity``       no valid key and no name (a key failing its check, nothing else)
``address_no_prefecture``  an address change's before or after address, or an investee
                           address, that resolves to no prefecture (a county name found in
                           several prefectures, a province alone, no place name); an address
                           with a prefecture and no county (a development zone) is kept, its
                           county missing (``county_before`` / ``county_after`` /
                           ``investee_county``) and its prefecture given
``combined_unsplittable``  a 住所及名称变更 whose before or after text cannot be split into a name
                           and an address (:func:`yrd.registration.parse.split_combined`)
``negative_capital``       subscribed capital below zero
``bad_capital``            capital unreadable
=========================  ===================================================================

A capital in another currency (美元, 港币, 欧元, 日元, ...; :func:`yrd.registration.parse.read_capital`)
is no problem: the row is kept with ``capital_wan`` missing (no exchange-rate table is shipped,
nothing is converted) and ``capital_currency`` the currency's ISO code (``CNY`` for a yuan
amount, missing for an empty capital). Clean rows with an empty capital are counted in
``capital_missing``, those with a capital in another currency in ``capital_other_currency``
(never both).

Reconciliation, per file: ``rows_read == rows_clean + rows_quarantined +
exact_duplicates_removed`` with ``exact_duplicates_removed = raw_duplicates +
event_duplicates``; ``rows_clean`` counts input rows (a split record gives two clean events,
``events_clean`` counts them). Checked inside :func:`ingest_registration_file`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import pandas as pd

from yrd.geography import DEFAULT_VINTAGE
from yrd.ingest import QUARANTINE_COLUMNS, IngestResult, RawFileError, RawFilesError, read_table
from yrd.ingest.errors import ReconciliationError
from yrd.ingest.headers import HeaderDialects, canonicalise, normalise_header
from yrd.ingest.reconcile import check_balance
from yrd.io import distinct
from yrd.parallel import map_jobs
from yrd.registration.address import address_parser
from yrd.registration.dialects import RECORD_KINDS
from yrd.registration.rows import CHANGE_COLUMNS, INVESTMENT_COLUMNS, change_rows, investment_rows

log = logging.getLogger(__name__)

#: Columns of the reconciliation table of :func:`ingest_registration_files`.
RECONCILIATION_COLUMNS = (
    "source_file",
    "kind",
    "format",
    "encoding",
    "delimiter",
    "dialects",
    "rows_read",
    "rows_clean",
    "rows_quarantined",
    "exact_duplicates_removed",
    "raw_duplicates",
    "event_duplicates",
    "events_clean",
    "malformed_rows",
    "keys_invalid",
    "capital_missing",
    "capital_other_currency",
    "balanced",
    "extra_columns",
    "quarantine_reasons",
    "seconds",
)
_CLEAN = {"change": CHANGE_COLUMNS, "investment": INVESTMENT_COLUMNS}
DIALECTS_FILE = "config/registration_dialects.yaml"


def ingest_registration_file(
    path: str | os.PathLike,
    kind: str,
    dialects: Mapping[str, HeaderDialects],
    *,
    history: str | os.PathLike,
    vintage: int = DEFAULT_VINTAGE,
    provinces: Sequence[str] | None = None,
    encoding: str | None = None,
    sheet: int | str = 0,
    delimiter: str | None = None,
    source_file: str | None = None,
) -> IngestResult:
    """Ingest one change (``kind="change"``) or investment (``kind="investment"``) file.

    Parameters
    ----------
    path : the extract (.csv/.txt/.tsv, .xlsx/.xls, .dta, .parquet).
    kind : ``"change"`` or ``"investment"``.
    dialects : :func:`yrd.registration.dialects.load_registration_dialects` of
        ``config/registration_dialects.yaml``.
    history, vintage, provinces : the code history addresses are parsed over (path of
        ``resources/areacodes/result.csv``), the county-code vintage, and optional 2-digit
        province prefixes restricting the gazetteer (:class:`yrd.registration.address.AddressParser`).
    encoding, sheet, delimiter : passed to :func:`yrd.ingest.read_table` (default: detect, first
        sheet, sniff).
    source_file : name in the tables and in error messages (default ``path`` as given).

    Returns
    -------
    IngestResult
        ``clean`` (columns :data:`CHANGE_COLUMNS` or :data:`INVESTMENT_COLUMNS`),
        ``quarantine`` (``source_file``, ``source_row``, ``column``, ``reason``), ``counts``
        (keys of :data:`RECONCILIATION_COLUMNS`) and ``report`` (the header mapping).

    Raises
    ------
    RawFileError
        For a file that cannot be ingested (message: the file, the problem and the fix).
    """
    t0 = time.perf_counter()
    if kind not in RECORD_KINDS:
        raise ValueError(f"kind must be one of {RECORD_KINDS}, got {kind!r}")
    file = source_file or os.fspath(path)
    raw, info = _read(path, encoding, sheet, delimiter, file)
    canon, report = _canonicalise(raw, kind, dialects, file)
    canon = canon.reindex(columns=list(dialects[kind].canonical))

    raw_dup = raw.set_axis(range(raw.shape[1]), axis=1).duplicated(keep="first").to_numpy()
    kept = raw.index[~raw_dup]
    malformed = pd.Index(sorted(info.malformed), dtype="int64").intersection(kept)
    rows = kept.difference(malformed)

    def addresses(texts: pd.Series) -> pd.DataFrame:
        # the columns the rows read of parse_addresses, as objects: the same values without the
        # conversion to string columns and back
        parser = address_parser(os.fspath(history), vintage, _provinces(provinces))
        return parser.parse_series(texts, columns=("county", "prefecture", "resolution"), dtype=object)

    build = change_rows if kind == "change" else investment_rows
    clean, problems, stats = build(canon.loc[rows], addresses)
    problems += [(int(r), "row", f"malformed_row: {info.malformed[int(r)]}") for r in malformed]
    quarantine = pd.DataFrame(problems, columns=["source_row", "column", "reason"])
    quarantine = quarantine.astype({"source_row": "int64", "column": "str", "reason": "str"})
    quarantine = quarantine.sort_values(["source_row", "column", "reason"], ignore_index=True)
    quarantine.insert(0, "source_file", pd.Series(file, index=quarantine.index, dtype="str"))
    clean.insert(0, "source_file", pd.Series(file, index=clean.index, dtype="str"))
    clean = clean[list(_CLEAN[kind])].reset_index(drop=True)

    # rows per reason code (a row with the same code on two columns counts once)
    codes = quarantine.assign(code=quarantine["reason"].str.split(":", n=1).str[0])
    codes = codes.drop_duplicates(["source_row", "code"])["code"]
    counts: dict[str, Any] = {
        "source_file": file,
        "kind": kind,
        "format": info.format,
        "encoding": info.encoding,
        "delimiter": info.delimiter,
        "dialects": report["dialects"],
        "rows_read": len(raw),
        "rows_clean": int(clean["source_row"].nunique()),
        "rows_quarantined": int(quarantine["source_row"].nunique()),
        "exact_duplicates_removed": int(raw_dup.sum()) + stats["event_duplicates"],
        "raw_duplicates": int(raw_dup.sum()),
        "event_duplicates": stats["event_duplicates"],
        "events_clean": len(clean),
        "malformed_rows": len(malformed),
        "keys_invalid": stats["keys_invalid"],
        "capital_missing": stats.get("capital_missing", 0),
        "capital_other_currency": stats.get("capital_other_currency", 0),
        "extra_columns": list(report["extra_columns"]),
        "quarantine_reasons": {str(k): int(v) for k, v in codes.value_counts().sort_index().items()},
        "seconds": round(time.perf_counter() - t0, 3),
    }
    check_balance(counts)
    overlap = distinct(clean["source_row"]) & distinct(quarantine["source_row"])
    if overlap:
        raise AssertionError(f"{file}: rows both clean and quarantined: {sorted(overlap)[:5]}")
    log.info(
        "%s (%s): %d rows read, %d clean (%d events), %d quarantined, %d duplicates removed",
        file,
        kind,
        counts["rows_read"],
        counts["rows_clean"],
        counts["events_clean"],
        counts["rows_quarantined"],
        counts["exact_duplicates_removed"],
    )
    return IngestResult(clean, quarantine, counts, report)


def ingest_registration_files(
    files: Sequence[str | os.PathLike],
    kind: str,
    dialects: Mapping[str, HeaderDialects],
    *,
    history: str | os.PathLike,
    vintage: int = DEFAULT_VINTAGE,
    provinces: Sequence[str] | None = None,
    source_files: Sequence[str] | None = None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Ingest several files of one kind: ``(clean, quarantine, reconciliation)``, the tables
    concatenated in the order of ``files`` and the per-file reconciliation table
    (:data:`RECONCILIATION_COLUMNS`, lists joined with ``"; "``, reasons as ``"code=n; ..."``).
    ``source_files`` are the names used in the tables and messages (default: the paths as
    given); ``workers``: files read at once, each in its own process
    (:func:`yrd.parallel.map_jobs`; the tables do not depend on it). No files give empty tables
    with the columns and types of one file's. Every file is tried; file-level problems are raised together at the end (:class:`~yrd.ingest.RawFileError`
    for one, :class:`~yrd.ingest.RawFilesError` for several)."""
    names = {kind: source_files} if source_files is not None else None
    return ingest_registration_kinds(
        {kind: files},
        dialects,
        history=history,
        vintage=vintage,
        provinces=provinces,
        source_files=names,
        workers=workers,
    )[kind]


def ingest_registration_kinds(
    files: Mapping[str, Sequence[str | os.PathLike]],
    dialects: Mapping[str, HeaderDialects],
    *,
    history: str | os.PathLike,
    vintage: int = DEFAULT_VINTAGE,
    provinces: Sequence[str] | None = None,
    source_files: Mapping[str, Sequence[str]] | None = None,
    workers: int = 1,
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]]:
    """:func:`ingest_registration_files` of each kind of ``files`` (``{kind: files}``, e.g. the
    change and the investment extracts): ``{kind: (clean, quarantine, reconciliation)}``, each
    as that function gives it.

    The files of all kinds share one set of ``workers`` processes (in the order of ``files``),
    so that a worker done with its last change file goes on with an investment file, and the
    address parser is built once, before the workers are forked, rather than in each worker.
    Every file is tried; the file-level problems of the first kind with any are raised, as
    :func:`ingest_registration_files` of that kind raises them."""
    jobs: list[tuple[str | os.PathLike, str, str]] = []
    for kind, kind_files in files.items():
        names = list(source_files[kind]) if source_files is not None else [os.fspath(p) for p in kind_files]
        if len(names) != len(kind_files):
            raise ValueError(f"{len(kind_files)} files but {len(names)} source_files")
        jobs += [(path, name, kind) for path, name in zip(kind_files, names)]
    if workers > 1 and len(jobs) > 1:  # the workers inherit it (forked)
        address_parser(os.fspath(history), vintage, _provinces(provinces))
    work = partial(_ingest_job, dialects=dialects, history=history, vintage=vintage, provinces=provinces)
    outcomes = map_jobs(work, jobs, workers=workers, catch=(RawFileError,))
    tables = {}
    for kind in files:
        results = [r for r, job in zip(outcomes, jobs) if job[2] == kind and isinstance(r, IngestResult)]
        errors = [e for e, job in zip(outcomes, jobs) if job[2] == kind and isinstance(e, RawFileError)]
        if errors:
            raise errors[0] if len(errors) == 1 else RawFilesError(errors)
        tables[kind] = _combine(kind, results)
    return tables


def _combine(kind: str, results: Sequence[IngestResult]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The ``(clean, quarantine, reconciliation)`` of :func:`ingest_registration_files` from the
    results of its files."""
    empty_q = pd.DataFrame(
        {c: pd.Series([], dtype="int64" if c == "source_row" else "str") for c in QUARANTINE_COLUMNS}
    )
    clean = pd.concat([empty_clean(kind), *[r.clean for r in results if len(r.clean)]], ignore_index=True)
    clean = clean.astype(empty_clean(kind).dtypes.to_dict())
    quarantine = pd.concat([empty_q, *[r.quarantine for r in results if len(r.quarantine)]], ignore_index=True)
    rec = []
    for r in results:
        c = dict(r.counts)
        c["balanced"] = True
        c["dialects"] = "; ".join(c["dialects"])
        c["extra_columns"] = "; ".join(c["extra_columns"])
        c["quarantine_reasons"] = "; ".join(f"{k}={v}" for k, v in sorted(c["quarantine_reasons"].items()))
        rec.append(c)
    return clean, quarantine, pd.DataFrame(rec, columns=list(RECONCILIATION_COLUMNS))


def _provinces(provinces: Sequence[str] | None) -> list[str] | None:
    """The gazetteer's provinces as the address parser takes them (none given: all of China)."""
    return list(provinces) if provinces else None


def _ingest_job(path: str | os.PathLike, name: str, kind: str, **kwargs: Any) -> IngestResult:
    """One file of :func:`ingest_registration_kinds` (module level, so that a worker can run it)."""
    return ingest_registration_file(path, kind, source_file=name, **kwargs)


#: Count columns of the reconciliation summed in the total row of each kind: those from
#: ``rows_read`` to ``capital_other_currency`` in :data:`RECONCILIATION_COLUMNS`.
_SUMMED = RECONCILIATION_COLUMNS[RECONCILIATION_COLUMNS.index("rows_read") : RECONCILIATION_COLUMNS.index("balanced")]


def reconciliation_with_totals(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The per-file reconciliation tables of each kind (``{kind: table}`` of
    :func:`ingest_registration_files`) stacked, each kind followed by a total row
    (``source_file == "total"``, counts summed), every row's ``balanced`` recomputed.

    The balance ``rows_read == rows_clean + rows_quarantined + exact_duplicates_removed`` must
    hold exactly on every row; :class:`~yrd.ingest.errors.ReconciliationError` naming the files
    otherwise."""
    parts = []
    for kind, t in tables.items():
        t = t.copy()
        total = dict.fromkeys(t.columns, "") | {"source_file": "total", "kind": kind}
        total |= {c: int(pd.to_numeric(t[c]).sum()) for c in _SUMMED if c in t}
        total["seconds"] = float(pd.to_numeric(t["seconds"]).sum()) if "seconds" in t else 0.0
        reasons: dict[str, int] = {}
        for text in t.get("quarantine_reasons", pd.Series([], dtype="str")).dropna():
            for part in filter(None, str(text).split("; ")):
                code, n = part.rsplit("=", 1)
                reasons[code] = reasons.get(code, 0) + int(n)
        total["quarantine_reasons"] = "; ".join(f"{k}={v}" for k, v in sorted(reasons.items()))
        parts.append(pd.concat([t, pd.DataFrame([total], columns=t.columns)], ignore_index=True))
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(RECONCILIATION_COLUMNS))
    for c in [c for c in _SUMMED if c in out]:
        out[c] = pd.to_numeric(out[c]).astype("int64")
    read, clean, quar, dup = (
        out[c] for c in ("rows_read", "rows_clean", "rows_quarantined", "exact_duplicates_removed")
    )
    out["balanced"] = read == clean + quar + dup
    bad = out[~out["balanced"]]
    if len(bad):
        detail = "; ".join(
            f"{r.source_file} ({r.kind}): rows_read {r.rows_read} != rows_clean {r.rows_clean} + rows_quarantined "
            f"{r.rows_quarantined} + exact_duplicates_removed {r.exact_duplicates_removed}"
            for r in bad.itertuples()
        )
        raise ReconciliationError(f"registration reconciliation does not balance: {detail}")
    return out


def empty_clean(kind: str) -> pd.DataFrame:
    """The clean table of ``kind`` with no rows, typed as :func:`ingest_registration_file` types
    it (``source_row``/``event`` int64, dates datetime64, capital float64, the rest str)."""
    typed = {
        "source_row": "int64",
        "event": "int64",
        "change_date": "datetime64[ns]",
        "founding_date": "datetime64[ns]",
        "capital_wan": "float64",
    }
    return pd.DataFrame({c: pd.Series([], dtype=typed.get(c, "str")) for c in _CLEAN[kind]})


def _read(path: str | os.PathLike, encoding: str | None, sheet: int | str, delimiter: str | None, file: str):
    """:func:`yrd.ingest.read_table`, with a precise message for a GBK text that claims to be
    UTF-8 (a UTF-8 byte-order mark in front of GBK bytes, as some export tools write)."""
    try:
        return read_table(path, encoding=encoding, sheet=sheet, delimiter=delimiter, file=file)
    except RawFileError as e:
        if encoding is None and "unknown encoding" in e.problem:
            with open(path, "rb") as fh:
                data = fh.read()
            if data.startswith(b"\xef\xbb\xbf"):
                try:
                    data[3:].decode("gb18030")
                except UnicodeDecodeError:
                    raise e from None
                raise RawFileError(
                    file,
                    "mixed encoding: it starts with a UTF-8 byte-order mark but its text is GBK/GB18030; "
                    "save it again as UTF-8, or as GBK without the mark",
                ) from None
        raise


def _canonicalise(
    raw: pd.DataFrame, kind: str, dialects: Mapping[str, HeaderDialects], file: str
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`yrd.ingest.canonicalise` with the fix added to its errors (and the hint that the
    file looks like the other kind of record when its headers fit that table)."""
    try:
        return canonicalise(raw, dialects[kind], file)
    except RawFileError as e:
        fix = (
            f"rename the header to one of the names listed in {DIALECTS_FILE} ({kind}), or add the "
            "file's header name there"
            if "missing" in e.problem
            else "keep one of these columns and delete the other"
        )
        other = [k for k in RECORD_KINDS if k != kind]
        headers = {normalise_header(h) for h in raw.columns}
        for k in other:
            lookup = dialects[k].lookup
            if all(any(lookup.get(h, ("",))[0] == c for h in headers) for c in dialects[k].required):
                fix = f"its headers are those of {k} records: ingest it as kind '{k}'"
        raise RawFileError(file, f"{e.problem}; {fix}") from None
