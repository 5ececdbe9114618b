"""Headline claims table: the main sample's rows with the verdict on every analysis sample (yrd.claims)."""

import pandas as pd

from yrd import claims as C
from yrd.io import write_csv
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
tables = {
    s: pd.read_csv(path, dtype=str, keep_default_na=False) for s, path in zip(p.samples, smk.input.tables, strict=True)
}
table = C.combine_samples(tables, p.main)
write_csv(table, smk.output.table)
accounting = pd.read_csv(smk.input.accounting) if smk.input.get("accounting") else None  # none without the survey
title = f"Claims of Zhang and Fang tested on run '{p.run}' ({p.main} sample)"
with open(smk.output.html, "w", encoding="utf-8") as fh:
    fh.write(C.render_html(table, title, p.synthetic, accounting=accounting, main=p.main))
for r in table.itertuples():
    log.info("%s %s (consistent: %s, full: %s)", r.claim, r.verdict, r.verdict_consistent, r.verdict_full)
