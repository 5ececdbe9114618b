"""Rule relocations: moves between consecutive observations of linked firms (yrd.relocations)."""

import pandas as pd

from yrd.logs import configure_logging
from yrd.relocations import detect_relocations

smk = snakemake  # noqa: F821
log = configure_logging(smk)
firm_years = pd.read_parquet(smk.input[0])
moves = detect_relocations(firm_years, level=smk.params.level, screen_blips=smk.params.screen_blips)
moves.to_parquet(smk.output[0], index=False)
log.info("%d moves at the %s level; by kind: %s", len(moves), smk.params.level, moves["kind"].value_counts().to_dict())
