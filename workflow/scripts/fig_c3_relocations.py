"""C3 figure: relocations among Shanghai, Jiangsu and Zhejiang (yrd.figures.flows)."""

import pandas as pd

from yrd.figures.common import save, source_note
from yrd.figures.flows import relocations_provinces_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
c3 = p.c3
end = c3["end"] if c3["end"] is not None else p.end
fig = relocations_provinces_figure(
    pd.read_parquet(smk.input[0]),
    provinces=c3["provinces"],
    years=list(range(p.start, end + 1)),
    start=c3["start"],
    alpha=p.alpha,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input[0]], p.synthetic, "Quasi-Poisson trend on yearly counts from the claim's start year."
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
