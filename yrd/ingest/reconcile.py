"""Row accounting of ingestion: every row read ends in exactly one of clean, quarantined or
removed as an exact duplicate.

For each file: ``rows_read == rows_clean + rows_quarantined + exact_duplicates_removed``.
``rows_quarantined`` counts rows, not problems (a row with three problems has three quarantine
rows and counts once). :func:`check_balance` enforces it inside :func:`yrd.ingest.ingest_file`;
:func:`reconcile` builds the per-file table and :func:`check_tables` checks that concatenated
clean and quarantine tables agree with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from yrd.ingest.errors import ReconciliationError
from yrd.io import distinct

#: Columns of the reconciliation table, in order.
RECONCILIATION_COLUMNS = (
    "source_file",
    "year",
    "format",
    "encoding",
    "delimiter",
    "engine",
    "dialects",
    "money_unit",
    "rows_read",
    "rows_clean",
    "rows_quarantined",
    "exact_duplicates_removed",
    "balanced",
    "malformed_rows",
    "firm_code_missing",
    "name_missing",
    "output_missing",
    "extra_columns",
    "quarantine_reasons",
    "seconds",
)
_BALANCE = ("rows_read", "rows_clean", "rows_quarantined", "exact_duplicates_removed")


@dataclass
class IngestResult:
    """Result of ingesting one raw file.

    ``clean``: valid rows (columns :data:`yrd.ingest.CLEAN_COLUMNS`); ``quarantine``: one row
    per (row, problem) (``source_file``, ``source_row``, ``column``, ``reason``); ``counts``:
    the row accounting and how the file was read (keys of :data:`RECONCILIATION_COLUMNS`;
    ``extra_columns`` is a list, ``quarantine_reasons`` a dict {reason code: rows});
    ``report``: the header mapping of :func:`yrd.ingest.canonicalise`."""

    clean: pd.DataFrame
    quarantine: pd.DataFrame
    counts: dict[str, Any]
    report: dict[str, Any] = field(default_factory=dict)


def check_balance(counts: Mapping[str, Any]) -> None:
    """Raise :class:`ReconciliationError` unless rows_read = clean + quarantined + duplicates."""
    missing = [k for k in _BALANCE if k not in counts]
    if missing:
        raise ReconciliationError(f"{counts.get('source_file', '?')}: counts lack {missing}")
    read, clean, quar, dup = (int(counts[k]) for k in _BALANCE)
    if read != clean + quar + dup or min(read, clean, quar, dup) < 0:
        raise ReconciliationError(
            f"{counts.get('source_file', '?')}: rows_read {read} != rows_clean {clean} + rows_quarantined {quar} "
            f"+ exact_duplicates_removed {dup}"
        )


def reconcile(counts_list: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The per-file reconciliation table (one row per file, sorted by year and file; columns
    :data:`RECONCILIATION_COLUMNS`). Lists become ``"; "``-joined text and the reason counts
    ``"code=n; ..."``. Raises :class:`ReconciliationError` if a file does not balance."""
    ints = [
        k
        for k in RECONCILIATION_COLUMNS
        if k.startswith("rows_")
        or k
        in ("year", "exact_duplicates_removed", "malformed_rows", "firm_code_missing", "name_missing", "output_missing")
    ]
    rows = []
    for c in counts_list:
        check_balance(c)
        r = {k: c.get(k) for k in RECONCILIATION_COLUMNS}
        r.update({k: int(c.get(k) or 0) for k in ints})
        r["seconds"] = float(c["seconds"]) if c.get("seconds") is not None else float("nan")
        r["balanced"] = True
        r["dialects"] = "; ".join(c.get("dialects") or [])
        r["extra_columns"] = "; ".join(c.get("extra_columns") or [])
        reasons = c.get("quarantine_reasons") or {}
        r["quarantine_reasons"] = "; ".join(f"{k}={v}" for k, v in sorted(reasons.items()))
        rows.append(r)
    out = pd.DataFrame(rows, columns=list(RECONCILIATION_COLUMNS))
    if len(out):
        out = out.sort_values(["year", "source_file"], kind="stable", ignore_index=True)
    return out.astype(dict.fromkeys(ints, "int64") | {"balanced": "bool", "seconds": "float64"})


def check_tables(clean: pd.DataFrame, quarantine: pd.DataFrame, reconciliation: pd.DataFrame) -> None:
    """Check that the clean and quarantine tables hold, per file, exactly the rows the
    reconciliation table says, and that no row is both clean and quarantined."""
    rec = reconciliation.set_index("source_file")
    n_clean = clean.groupby("source_file").size().reindex(rec.index, fill_value=0)
    n_quar = quarantine.drop_duplicates(["source_file", "source_row"]).groupby("source_file").size()
    n_quar = n_quar.reindex(rec.index, fill_value=0)
    bad = rec.index[(n_clean != rec["rows_clean"]) | (n_quar != rec["rows_quarantined"])]
    if len(bad):
        raise ReconciliationError(f"clean/quarantine tables disagree with the reconciliation for {list(bad)}")
    stray = distinct(clean["source_file"], quarantine["source_file"])
    stray -= set(rec.index)
    if stray:
        raise ReconciliationError(f"rows of files missing from the reconciliation: {sorted(stray)}")
    both = clean[["source_file", "source_row"]].merge(
        quarantine[["source_file", "source_row"]].drop_duplicates(), how="inner"
    )
    if len(both):
        raise ReconciliationError(f"{len(both)} rows are both clean and quarantined, e.g. {both.iloc[0].to_dict()}")
