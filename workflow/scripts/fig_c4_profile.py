"""Rule fig_c4_profile (only when claims.c4.indicators is set): the six-dimension integration
profile against the paper's tiers (yrd.figures.integration)."""

from yrd.claims import read_table
from yrd.figures.common import save, source_note
from yrd.figures.integration import integration_profile_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
source = source_note([smk.input[0]], False, "Configured input (not from the synthetic world).")
tiers = [p.c4["tiers"][k] for k in ("top", "middle", "bottom")]
fig = integration_profile_figure(read_table(smk.input[0]), tiers, cjk=cjk, synthetic=False, source=source)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
