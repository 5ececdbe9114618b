"""C4 figures, only when configured: market segmentation over time (metrics.segmentation.prices)
or the six-dimension integration profile (claims.c4.indicators). snakemake.rule says which."""

import pandas as pd

from yrd.claims import read_table
from yrd.figures.common import save, source_note
from yrd.figures.integration import integration_profile_figure, segmentation_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.font)
source = source_note([smk.input[0]], False, "Configured input (not from the synthetic world).")
if smk.rule == "fig_c4_segmentation":
    fig = segmentation_figure(pd.read_parquet(smk.input[0]), cjk=cjk, synthetic=False, source=source)
else:
    tiers = [p.c4["tiers"][k] for k in ("top", "middle", "bottom")]
    fig = integration_profile_figure(read_table(smk.input[0]), tiers, cjk=cjk, synthetic=False, source=source)
save(fig, smk.output[0], p.dpi)
log.info("wrote %s", smk.output[0])
