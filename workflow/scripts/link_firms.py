"""Rule link_firms: a stable firm_id for every clean record (yrd.linking), inside and outside the
study area (the side table of rule ingest), so a firm that leaves the study area stays one firm."""

import pandas as pd

from yrd.io import select_rows, sort_positions, take_rows
from yrd.linking import link_records, place_names
from yrd.logs import configure_logging
from yrd.parallel import available_workers

smk = snakemake  # noqa: F821
log = configure_logging(smk)
inside = pd.read_parquet(smk.input.records)
outside = pd.read_parquet(smk.input.outside)
records = pd.concat([inside, outside], ignore_index=True) if len(outside) else inside
opts = dict(smk.params.linking)
workers = available_workers(smk.threads)
links, firm_id = link_records(records, places=place_names(smk.input.areacodes), workers=workers, **opts)
out = records.assign(firm_id=firm_id.to_numpy())
cols = ["firm_id", "year", "county", "prefecture", "province", "industry", "employment", "output"]
rest = [c for c in out.columns if c not in cols]
out = out[cols + rest]
is_in = pd.Series([True] * len(inside) + [False] * len(outside), index=out.index)
# select_rows: no rows outside the study area gives the whole table, not a copy through the mask
parts = [(select_rows(out, is_in), smk.output.firm_years), (out[~is_in], smk.output.outside)]
# sorted as sort_values would, with the columns moved on the rule's threads
for part, path in parts:
    order = sort_positions(part, ["firm_id", "year", "source_file", "source_row"])
    take_rows(part, order, workers).to_parquet(path, index=False)
links.to_parquet(smk.output.links, index=False)
log.info(
    "%d records (%d outside the study area) -> %d firms (%d seen outside); links by pass: %s",
    len(out),
    len(outside),
    out["firm_id"].nunique(),
    out.loc[~is_in, "firm_id"].nunique(),
    links["pass"].value_counts().to_dict() if "pass" in links else {},
)
