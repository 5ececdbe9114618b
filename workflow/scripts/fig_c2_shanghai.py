"""C2 figure: Shanghai's moves with the partner groups per firm at risk by class and year, and the
window's share of out-moves with exact intervals (yrd.figures.relocation_rates), drawn from the
claim document claims/c2.json (nothing recomputed)."""

from yrd.claims import read_claim_json
from yrd.figures.common import save, source_note
from yrd.figures.relocation_rates import c2_rates_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
fig = c2_rates_figure(
    doc,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.claim],
        p.synthetic,
        f"Exact Poisson (yearly) and Clopper-Pearson (window) intervals, alpha {doc.get('alpha', 'NA')}.",
        sample=doc.get("sample"),
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("C2 %s: %s", doc["verdict"], doc["value"])
log.info("wrote %s", smk.output[0])
