"""Rule ingest: raw files -> clean records, quarantine, reconciliation (yrd.ingest)."""

import os

from yrd.industry import load_crosswalks
from yrd.ingest import ingest_files, load_dialects
from yrd.io import write_csv
from yrd.logs import configure_logging
from yrd.parallel import available_workers
from yrd.study_area import split_by_study_area, study_area_counts, study_area_prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
files = {int(y): p for y, p in smk.params.files.items()}
paths = list(smk.input.raw)
# Names in tables and messages: relative to the raw files' common folder when it lies inside the
# working directory (a synthetic world's asif_1998.dta; a user's data/ folder), else as configured.
common = os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths]) if paths else None
if common is not None and not (common + os.sep).startswith(os.getcwd() + os.sep):
    common = None
inp = smk.input
clean, quarantine, recon = ingest_files(
    files,
    {int(y): u for y, u in smk.params.money_units.items()},
    load_dialects(inp.dialects, inp.dialects_schema),
    history=inp.areacodes,
    crosswalks=load_crosswalks(inp.names_2002, inp.gb_1994_2002, inp.gb_2002_2011),
    vintage=smk.params.vintage,
    tolerance=smk.params.tolerance,
    encodings=smk.params.encodings or None,
    relative_to=common,
    workers=available_workers(smk.threads),
)
# the reconciliation is asserted inside ingest_files; repeat the check here so the rule fails loudly
bad = recon[recon["rows_read"] != recon["rows_clean"] + recon["rows_quarantined"] + recon["exact_duplicates_removed"]]
if len(bad):
    raise RuntimeError(f"reconciliation does not add up for {list(bad['source_file'])}")
# Rows outside geography.study_area are not errors: kept in a side table and counted per file.
area = smk.params.study_area
inside, outside = split_by_study_area(clean, study_area_prefectures(area, inp.prefectures))
recon = study_area_counts(recon, outside, area)
inside.to_parquet(smk.output.records, index=False)
outside.to_parquet(smk.output.outside, index=False)
quarantine.to_parquet(smk.output.quarantine, index=False)
# timings vary between runs: logged, not written, so the table is byte-identical on rerun
for row in recon[["source_file", "seconds"]].itertuples():
    log.info("%s read and validated in %.2f s", row.source_file, row.seconds)
write_csv(recon.drop(columns="seconds"), smk.output.reconciliation)
log.info(
    "%d files: %d rows read, %d clean (%d in study area %s, %d outside), %d quarantined, %d exact duplicates removed",
    len(recon),
    recon["rows_read"].sum(),
    recon["rows_clean"].sum(),
    len(inside),
    area,
    len(outside),
    recon["rows_quarantined"].sum(),
    recon["exact_duplicates_removed"].sum(),
)
