"""Rule link_firms: a stable firm_id for every clean record (yrd.linking)."""

import pandas as pd

from yrd.linking import link_records, place_names
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
records = pd.read_parquet(smk.input.records)
opts = dict(smk.params.linking)
links, firm_id = link_records(records, places=place_names(smk.input.areacodes), **opts)
out = records.assign(firm_id=firm_id.to_numpy())
cols = ["firm_id", "year", "county", "prefecture", "province", "industry", "employment", "output"]
rest = [c for c in out.columns if c not in cols]
out = out[cols + rest].sort_values(["firm_id", "year", "source_file", "source_row"], kind="stable")
out.to_parquet(smk.output.firm_years, index=False)
links.to_parquet(smk.output.links, index=False)
log.info(
    "%d records -> %d firms; links by pass: %s",
    len(out),
    out["firm_id"].nunique(),
    links["pass"].value_counts().to_dict() if "pass" in links else {},
)
