"""C3 figure: moves of Zhejiang firms per Zhejiang firm at risk with the Poisson trend, and the
mutual migration among SH/JS/ZJ against moves within a province (yrd.figures.relocation_rates),
drawn from the claim document claims/c3.json (nothing refitted)."""

from yrd.claims import read_claim_json
from yrd.figures.common import save, source_note
from yrd.figures.relocation_rates import c3_rates_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
fig = c3_rates_figure(
    doc,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.claim],
        p.synthetic,
        "Poisson trend with log firms at risk as offset, post-break dummy, robust s.e.",
        sample=doc.get("sample"),
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("C3 %s: %s", doc["verdict"], doc["value"])
log.info("wrote %s", smk.output[0])
