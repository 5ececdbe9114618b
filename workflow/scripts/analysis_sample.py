"""The consistent-threshold sample: firm-years and moves, with a per-year accounting (yrd.sample)."""

import pandas as pd
import pyarrow.parquet as pq

from yrd.io import write_csv
from yrd.logs import configure_logging
from yrd.sample import consistent_moves, consistent_parquet, consistent_sample, strictest_threshold

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cfg = smk.params.sample
threshold = strictest_threshold(cfg["thresholds"], smk.params.start, smk.params.end)
# the firm-years stay in Arrow: rows are selected and written without a round trip through
# pandas (the file's bytes are those DataFrame.to_parquet writes; yrd.sample.consistent_parquet)
kept, kept_keys, accounting = consistent_parquet(smk.input.firm_years, threshold, cfg["measure"], cfg["fallback"])
all_moves = pd.read_parquet(smk.input.moves)
# A move across the study area's boundary has one end among the firm-years outside it: the
# threshold is checked there too (those firm-years are not in the sample's firm-years).
outside = pd.read_parquet(smk.input.outside)
kept_outside = consistent_sample(outside, threshold, cfg["measure"], cfg["fallback"])[0] if len(outside) else outside
moves, dropped = consistent_moves(
    all_moves, pd.concat([kept_keys, kept_outside[["firm_id", "year"]]]) if len(outside) else kept_keys
)
for col, table in (("moves", all_moves), ("moves_kept", moves)):
    accounting[col] = accounting["year"].map(table.groupby("year").size()).fillna(0).astype("int64")
pq.write_table(kept, smk.output.firm_years)
moves.to_parquet(smk.output.moves, index=False)
write_csv(accounting, smk.output.accounting)
log.info(
    "threshold %.0f (thousand yuan, sample.%s): kept %d of %d firm-years, %d of %d moves (%d dropped)",
    threshold,
    cfg["measure"],
    kept.num_rows,
    int(accounting["rows"].sum()),
    len(moves),
    len(moves) + dropped,
    dropped,
)
for r in accounting.itertuples():
    log.info(
        "%d: %d rows, kept %d, below %d, unmeasured %d, by fallback %d",
        r.year,
        r.rows,
        r.kept,
        r.dropped_below_threshold,
        r.dropped_unmeasured,
        r.measured_by_fallback,
    )
