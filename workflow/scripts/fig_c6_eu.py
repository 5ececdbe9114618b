"""C6 figure: EU disparities in 2002 at market exchange rates (World Bank) and PPP (Gapminder), with
Italy's regional gap (DOSE) (yrd.figures.eu). Real data."""

import pandas as pd

from yrd.claims import c6_document
from yrd.claims.c6 import DOSE_CITATION, GAPMINDER_CITATION, WB_CITATION
from yrd.figures.common import save
from yrd.figures.eu import eu_disparities_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
inp = smk.input
cjk = setup_fonts(p.plotting["font"])
doc = c6_document(
    p.c6,
    worldbank_gdp=pd.read_csv(inp.worldbank_gdp),
    worldbank_pop=pd.read_csv(inp.worldbank_pop),
    gapminder=pd.read_csv(inp.gapminder),
    dose=pd.read_csv(inp.dose),
)
source = (
    f"Sources: {WB_CITATION} ({inp.worldbank_gdp}, {inp.worldbank_pop}); {GAPMINDER_CITATION} ({inp.gapminder}); "
    f"{DOSE_CITATION} ({inp.dose}). Real data (not synthetic)."
)
fig = eu_disparities_figure(doc, cjk=cjk, source=source)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s; verdict %s; %s", smk.output[0], doc["verdict"], doc["main_outcomes"])
