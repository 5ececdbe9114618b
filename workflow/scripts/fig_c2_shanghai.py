"""C2 figure: Shanghai's net relocation outflows by class and year (yrd.figures.flows)."""

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.flows import shanghai_net_outflows_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
c2 = p.c2
fig = shanghai_net_outflows_figure(
    pd.read_parquet(smk.input[0]),
    window=c2["window"],
    partners=c2["partners"],
    outflow_classes=c2["outflow_classes"],
    inflow_classes=c2["inflow_classes"],
    alpha=p.alpha,
    significance=c2["significance"],
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input[0]], p.synthetic, f"Focus prefecture {p.focus}; exact binomial test, alpha {p.alpha}."
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
