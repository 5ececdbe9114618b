"""C7 figure: K-densities of a localised and a dispersed industry (yrd.figures.kdensity)."""

import pandas as pd

from yrd.figures.common import industry_labels, save, source_note
from yrd.figures.kdensity import contrasting_industries, kdensity_figure
from yrd.industry import industries as industry_table
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
density = pd.read_parquet(smk.input.density)
summary = pd.read_parquet(smk.input.summary)
year = int(p.kdensity["year"]) if p.kdensity["year"] is not None else int(summary["year"].max())
industries = (
    [str(i) for i in p.kdensity["industries"]] if p.kdensity["industries"] else contrasting_industries(summary, year)
)
fig = kdensity_figure(
    density,
    summary,
    industries,
    year=year,
    industry_labels=industry_labels(cjk, industry_table(smk.input.industries)),
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note([smk.input.density, smk.input.summary], p.synthetic, "Duranton and Overman (2005)."),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s for industries %s in %d", smk.output[0], industries, year)
