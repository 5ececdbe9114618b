"""Rule validate_source_gravity: each flow source's pooled gravity coefficients against the
synthetic world's true parameters (yrd.flows.sources.sources_validation): ASIF moves and
registered relocations against the relocation model's truth/params.json, investments against
registration/truth/investment_params.json."""

import json

import pandas as pd

from yrd.flows.sources import sources_validation
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
table = pd.read_csv(smk.input.table)


def read(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


relocation, investment = read(smk.input.params), read(smk.input.investment_params)
params = {"asif": relocation, "changes": relocation, "investments": investment}
result = sources_validation(table, params, rel_tol=smk.params.rel_tol)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True)
    fh.write("\n")
log.info("gravity validation by source: %s", result)
