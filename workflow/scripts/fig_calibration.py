"""Rule fig_calibration: the synthetic world against real aggregates (yrd.figures.calibration)."""

import pandas as pd

from yrd.figures.calibration import calibration_figure
from yrd.figures.common import industry_labels, save, source_note
from yrd.industry import industries
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
source = source_note(
    [smk.input.table],
    True,
    "Real: DOSE v2.11 (Wenz et al. 2023, Scientific Data 10, 425; CC BY 4.0), manufacturing value added "
    "man_grp_pc_lcu x pop; China's employment by industry (Wang, Jia and Wang 2021, Statistical Research "
    "38(12); R package ionet, GPL-3.0); road travel times of Ma and Tang (2024, J. Int. Econ. 103873). "
    "Simulated: output of the ASIF-sample firms, employment of all firms.",
)
fig = calibration_figure(
    pd.read_csv(smk.input.table, dtype={"key": str}),
    pd.read_csv(smk.input.fit, dtype={"key": str}),
    industry_labels(cjk, industries(smk.input.industries)),
    cjk=cjk,
    source=source,
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
