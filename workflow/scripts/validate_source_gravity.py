"""Rule validate_source_gravity: each flow source's pooled gravity coefficients against the
synthetic world's true parameters (yrd.flows.sources.sources_validation): ASIF moves and
registered relocations against the relocation model's truth/params.json, investments against
registration/truth/investment_params.json; beside each, the same model on the source's true
events (rule truth_source_gravity), which separates the world's draw from the pipeline's error."""

import json

import pandas as pd

from yrd.flows.sources import sources_validation, truth_event_comparison
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
table = pd.read_csv(smk.input.table)


def read(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


relocation = read(smk.input.params)
params = {"asif": relocation, "changes": relocation}
if smk.input.get("investment_params"):
    params["investments"] = read(smk.input.investment_params)
params = {s: v for s, v in params.items() if s in set(table["source"])}  # the sources of this run
result = truth_event_comparison(
    sources_validation(table, params, rel_tol=smk.params.rel_tol), pd.read_csv(smk.input.truth_events)
)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True)
    fh.write("\n")
log.info("gravity validation by source: %s", result)
