"""Headline claims table: the main sample's rows with the verdict on every analysis sample (yrd.claims)."""

import pandas as pd

from yrd import claims as C
from yrd.io import write_csv
from yrd.logs import configure_logging
from yrd.webfont import embed_cjk_font

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
page = C.render_html(table, title, p.synthetic, accounting=accounting, main=p.main)
font = list(smk.input.get("font") or [])  # Noto Sans CJK SC of mplfonts; none: system fonts only
if font:
    page = embed_cjk_font(page, font[0])
    log.info("claims.html: embedded a subset of %s", font[0])
else:
    log.warning("no CJK font (package mplfonts): claims.html relies on the reader's system fonts")
with open(smk.output.html, "w", encoding="utf-8") as fh:
    fh.write(page)
for r in table.itertuples():
    log.info("%s %s (consistent: %s, full: %s)", r.claim, r.verdict, r.verdict_consistent, r.verdict_full)
