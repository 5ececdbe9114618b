"""Counterfactual distance scenarios: shifts of Shanghai's outflow shares (yrd.figures.flows)."""

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.flows import counterfactuals_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
fig = counterfactuals_figure(
    pd.read_parquet(smk.input[0]),
    groups=p.counterfactuals["groups"],
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input[0]],
        p.synthetic,
        "Scenarios: config flows.scenarios; targets: flows.targets; bands: flows.scenario_bands.",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
