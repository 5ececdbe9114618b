"""Rule validate_registration_addresses: address-to-county accuracy of the ingested
registration extracts against the synthetic world's truth (yrd.registration.validation)."""

import json

import pandas as pd

from yrd.logs import configure_logging
from yrd.registration.validation import address_accuracy, address_outcomes

smk = snakemake  # noqa: F821
log = configure_logging(smk)
inp = smk.input
outcomes = address_outcomes(
    pd.read_parquet(inp.changes),
    pd.read_parquet(inp.investments),
    pd.read_parquet(inp.quarantine),
    pd.read_parquet(inp.change_truth),
    pd.read_parquet(inp.investment_truth),
)
result = address_accuracy(outcomes)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True, ensure_ascii=False)
    fh.write("\n")
log.info("addresses overall %s", result["overall"])
for table, block in result["by_table"].items():
    log.info("%s: %s", table, block)
log.info("vague addresses %s", result["vague_addresses"])
