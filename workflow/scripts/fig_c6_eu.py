"""C6 figure: EU disparities in 2002 at market exchange rates (World Bank) and PPP (Gapminder), with
Italy's regional gap (DOSE) (yrd.figures.eu), drawn from the claim document claims/<sample>/c6.json. Real data."""

from yrd.claims import read_claim_json
from yrd.claims.c6 import DOSE_CITATION, GAPMINDER_CITATION, WB_CITATION
from yrd.figures.common import save
from yrd.figures.eu import eu_disparities_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
source = (
    f"Sources: {WB_CITATION}; {GAPMINDER_CITATION}; {DOSE_CITATION}; numbers from {smk.input.claim}. "
    "Real data (not synthetic)."
)
fig = eu_disparities_figure(doc, cjk=cjk, source=source)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s; verdict %s; %s", smk.output[0], doc["verdict"], doc.get("main_outcomes"))
