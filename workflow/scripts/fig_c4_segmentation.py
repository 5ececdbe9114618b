"""Rule fig_c4_segmentation (only when metrics.segmentation.prices is set): market segmentation
over time (yrd.figures.integration)."""

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.integration import segmentation_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cjk = setup_fonts(smk.params.plotting["font"])
source = source_note([smk.input[0]], False, "Configured input (not from the synthetic world).")
fig = segmentation_figure(pd.read_parquet(smk.input[0]), cjk=cjk, synthetic=False, source=source)
save(fig, smk.output[0], smk.params.plotting["dpi"])
log.info("wrote %s", smk.output[0])
