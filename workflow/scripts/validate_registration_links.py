"""Rule validate_registration_links: precision and recall of registration links against the truth."""

import json

import pandas as pd

from yrd.logs import configure_logging
from yrd.registration.link_scores import (
    asif_true_firms,
    party_key_kinds,
    party_truth,
    score_events,
    score_registration_links,
)

smk = snakemake  # noqa: F821
log = configure_logging(smk)
links = pd.read_parquet(smk.input.links)
kinds = party_key_kinds(pd.read_parquet(smk.input.changes), pd.read_parquet(smk.input.investments))
investment_truth = pd.read_parquet(smk.input.investment_truth)
truth = party_truth(pd.read_parquet(smk.input.change_truth), investment_truth)
asif = asif_true_firms(pd.read_parquet(smk.input.firm_years), pd.read_parquet(smk.input.records))
panel = set(pd.read_parquet(smk.input.panel, columns=["true_firm_id"])["true_firm_id"].unique().tolist())
result = {"synthetic": True, **score_registration_links(links, kinds, truth, asif, panel)}
relocations, expansions = pd.read_parquet(smk.input.relocations), pd.read_parquet(smk.input.expansions)
result["events"] = score_events(relocations, expansions, truth, asif, investment_truth)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True)
    fh.write("\n")
log.info("registration links: %s", result["overall"])
log.info("by method: %s", result["by_method"])
log.info("events: %s", result["events"])
