"""Rule ingest_registration: change and investment extracts -> clean tables, quarantine,
reconciliation (yrd.registration.ingest)."""

import os

import pandas as pd

from yrd.io import write_csv
from yrd.logs import configure_logging
from yrd.parallel import available_workers
from yrd.registration.dialects import load_registration_dialects
from yrd.registration.ingest import ingest_registration_kinds, reconciliation_with_totals

smk = snakemake  # noqa: F821
log = configure_logging(smk)
inp = smk.input
files = {"change": list(inp.changes), "investment": list(inp.investments)}
paths = files["change"] + files["investment"]
# Names in tables and messages: relative to the extracts' common folder when it lies inside the
# working directory (a synthetic world's changes_zh.xlsx; a user's data/ folder), else as configured.
common = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths]) if paths else None
if common is not None and not (common + os.sep).startswith(os.getcwd() + os.sep):
    common = None


def name(path: str) -> str:
    return os.path.relpath(os.path.abspath(path), common) if common else path


dialects = load_registration_dialects(inp.dialects, inp.dialects_schema)
# both kinds' files on one set of workers (a worker done with the change files reads investments)
ingested = ingest_registration_kinds(
    files,
    dialects,
    history=inp.areacodes,
    vintage=smk.params.vintage,
    provinces=list(smk.params.provinces),
    source_files={kind: [name(p) for p in kind_files] for kind, kind_files in files.items()},
    workers=available_workers(smk.threads),
)
tables, quarantines, recs = {}, [], {}
for kind, (clean, quarantine, rec) in ingested.items():
    tables[kind] = clean
    quarantines.append(quarantine.assign(kind=kind))
    recs[kind] = rec
# every file and each kind's total balance exactly, else this stops naming the file
recon = reconciliation_with_totals(recs)
quarantine = pd.concat(quarantines, ignore_index=True)
quarantine = quarantine[["kind", *[c for c in quarantine.columns if c != "kind"]]]
quarantine = quarantine.astype({"kind": "str", "source_row": "int64"})
tables["change"].to_parquet(smk.output.changes, index=False)
tables["investment"].to_parquet(smk.output.investments, index=False)
quarantine.to_parquet(smk.output.quarantine, index=False)
# per-file counts are logged by the library; timings vary between runs: logged, not written, so
# the table is byte-identical on rerun
for row in recon.itertuples():
    if row.source_file == "total":
        log.info(
            "%s: %d rows read, %d clean (%d events), %d quarantined, %d duplicates removed, %.2f s",
            row.kind,
            row.rows_read,
            row.rows_clean,
            row.events_clean,
            row.rows_quarantined,
            row.exact_duplicates_removed,
            row.seconds,
        )
    else:
        log.info("%s (%s) read and validated in %.2f s", row.source_file, row.kind, row.seconds)
write_csv(recon.drop(columns="seconds"), smk.output.reconciliation)
