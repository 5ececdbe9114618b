"""Rule fig_c5_trend: mean pairwise structural similarity over time for each region set fully in
the table, with the claim's trends and threshold, drawn from the claim document claims/c5.json
(yrd.figures.similarity)."""

from yrd.claims import read_claim_json
from yrd.figures.common import save, source_note
from yrd.figures.similarity import similarity_trend_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
fig = similarity_trend_figure(
    doc,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.claim],
        p.synthetic,
        "UNIDO structural similarity of employment by 2-digit industry.",
        sample=doc.get("sample"),
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s (C5 %s)", smk.output[0], doc["verdict"])
