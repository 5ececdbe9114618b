"""Rule validate_linking: precision and recall of links and relocations against the truth."""

import json

import pandas as pd

from yrd.logs import configure_logging
from yrd.relocations import detect_relocations
from yrd.validation import score_linking, score_relocations

smk = snakemake  # noqa: F821
log = configure_logging(smk)
fy = pd.read_parquet(smk.input.firm_years)
records = pd.read_parquet(smk.input.records)
truth_moves = pd.read_parquet(smk.input.truth_moves)
result = {"synthetic": True, "linking": score_linking(fy, records), "relocations": {}}
for level in ("prefecture", "county"):
    # the pipeline's own moves at its level; the other level is detected here with the same screens
    if level == smk.params.level:
        moves = pd.read_parquet(smk.input.moves)
    else:
        moves = detect_relocations(fy, level=level, screen_blips=smk.params.screen_blips)
    result["relocations"][level] = score_relocations(moves, fy, records, truth_moves, level=level)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(result, fh, indent=2, sort_keys=True)
    fh.write("\n")
log.info("linking %s", result["linking"])
log.info("relocations %s", result["relocations"])
