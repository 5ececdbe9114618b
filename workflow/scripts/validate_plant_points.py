"""Rule validate_plant_points: the plant-point table against the synthetic world's true points."""

import json

import pandas as pd

from yrd.logs import configure_logging
from yrd.points import validate_points

smk = snakemake  # noqa: F821
log = configure_logging(smk)
res = validate_points(
    pd.read_parquet(smk.input.points), pd.read_parquet(smk.input.records), pd.read_parquet(smk.input.truth)
)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(res, fh, indent=2, sort_keys=True)
    fh.write("\n")
