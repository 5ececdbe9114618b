"""C7 figure: the tested quantities, read from the claim document claims/<sample>/c7.json only
(yrd.figures.c7)."""

from yrd.claims import read_claim_json
from yrd.figures.c7 import c7_tested_figure
from yrd.figures.common import save, source_note
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.c7)
source = source_note(
    [smk.input.c7],
    p.synthetic,
    "Clusters and growth from the firm-years; input needs from the 2002 input-output table of China "
    "(NBS, via the R package ionet 0.2.2, GPL-3.0).",
    sample=doc.get("sample"),
)
fig = c7_tested_figure(doc, cjk=cjk, source=source, synthetic=p.synthetic)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s; verdict %s", smk.output[0], doc.get("verdict"))
