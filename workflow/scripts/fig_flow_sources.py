"""Rule fig_flow_sources: gravity coefficients and coverage of the three flow sources
(yrd.figures.flow_sources)."""

import json

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.flow_sources import flow_sources_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
validation = None
if smk.input.validation:
    with open(smk.input.validation, encoding="utf-8") as fh:
        validation = json.load(fh)
source = source_note(
    [smk.input.gravity, smk.input.comparison],
    p.synthetic,
    "ASIF moves: relocations detected in the ASIF panel (full sample); registered relocations: address changes "
    "across prefectures in business-registration change records, dated by the change; investments: "
    "subsidiaries in another prefecture. Distance bands: great-circle km between prefecture centroids.",
)
fig = flow_sources_figure(
    pd.read_csv(smk.input.gravity),
    pd.read_csv(smk.input.comparison),
    validation,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source,
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
