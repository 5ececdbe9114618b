"""Rule fig_c4_profile: the integration dimensions of claim C4 (yrd.figures.integration): the
configured indicator table against the paper's tiers when claims.c4.indicators is set, else the
measured dimensions (transport from road travel times, economic from DOSE) drawn from the claim
document claims/c4.json."""

from yrd.claims import read_claim_json, read_table
from yrd.figures.common import save, source_note
from yrd.figures.integration import integration_profile_figure, measured_profile_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
if smk.input.get("indicators"):
    source = source_note([smk.input.indicators], False, "Configured input (not from the synthetic world).")
    fig = integration_profile_figure(read_table(smk.input.indicators), doc, cjk=cjk, synthetic=False, source=source)
else:
    source = source_note(
        [smk.input.claim],
        False,
        "Real data: road travel times, Ma and Tang (2024), J. Int. Econ. 103873 (GPL-3.0); DOSE v2.11, "
        "Wenz et al. (2023), Sci. Data 10, 425 (CC BY 4.0).",
    )
    fig = measured_profile_figure(doc, cjk=cjk, source=source)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s (C4 %s)", smk.output[0], doc["verdict"])
