"""Rule validate_gravity: pooled gravity coefficients against the synthetic world's true
parameters (yrd.flows.validation)."""

import json

import pandas as pd

from yrd.flows import gravity_validation
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
table = pd.read_csv(smk.input.table)
with open(smk.input.params, encoding="utf-8") as fh:
    params = json.load(fh)
result = gravity_validation(table, params, model="pooled", rel_tol=smk.params.rel_tol)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True)
    fh.write("\n")
log.info("gravity validation: %s", result)
