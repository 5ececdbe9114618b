"""Rule fig_c4_segmentation (only when metrics.segmentation.prices is set): market segmentation
over time (yrd.figures.integration), drawn from the claim document claims/c4.json."""

from yrd.claims import read_claim_json
from yrd.figures.common import save, source_note
from yrd.figures.integration import segmentation_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cjk = setup_fonts(smk.params.plotting["font"])
doc = read_claim_json(smk.input.claim)
source = source_note([smk.input.claim], False, "Configured input (not from the synthetic world).")
fig = segmentation_figure(doc, cjk=cjk, synthetic=False, source=source)
save(fig, smk.output[0], smk.params.plotting["dpi"])
log.info("wrote %s", smk.output[0])
