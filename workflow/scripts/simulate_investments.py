"""Synthetic investment records: subsidiaries of the world's firms -> messy extracts + truth."""

import time
from pathlib import Path

import pandas as pd

from yrd.logs import configure_logging
from yrd.synthetic.investment import InvestmentParams, generate_investments, write_investments

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
inp = smk.input
t0 = time.perf_counter()
block = dict(p.investments)
extract = generate_investments(
    pd.read_parquet(inp.panel),
    pd.read_parquet(inp.identities),
    pd.read_parquet(inp.distances),
    pd.read_parquet(inp.prefecture_years),
    history=inp.areacodes,
    seed=int(p.seed) + int(block["seed_offset"]),
    params=InvestmentParams.from_config(block),
    vintage=p.vintage,
    provinces=[str(x) for x in p.provinces],
)
write_investments(extract, Path(smk.output.records).parent.parent)
info = extract.params
log.info(
    "%d subsidiaries (%d above the threshold, %d candidates without an ASIF entrant), %d records, %.1f s",
    info["n_subsidiaries"],
    info["n_above_threshold"],
    info["above_threshold_unmatched"],
    info["n_records"],
    time.perf_counter() - t0,
)
