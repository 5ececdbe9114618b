"""Rule fig_integration_index: the measured integration index by year (yrd.figures.integration)."""

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.integration import integration_index_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
source = source_note(
    [smk.input.index],
    False,
    "Real data: road travel times of Ma and Tang (2024, J. Int. Econ. 103873), GPL-3.0; 2000 census weights.",
)
fig = integration_index_figure(pd.read_parquet(smk.input.index), p.region_set, cjk=cjk, source=source)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
