"""C2 figure: Shanghai's moves with the partner groups per firm at risk by class and year, and the
window's share of out-moves with exact intervals (yrd.figures.relocation_rates; numbers from
yrd.claims.claim_c2, as in the claims table)."""

import pandas as pd

from yrd.claims import claim_c2
from yrd.figures.common import mapping_of, save, source_note
from yrd.figures.relocation_rates import c2_rates_figure
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
inp = smk.input
cjk = setup_fonts(p.plotting["font"])
c2 = p.c2
result = claim_c2(
    pd.read_parquet(inp.moves),
    pd.read_parquet(inp.firm_years, columns=["firm_id", "year", "prefecture", "industry"]),
    mapping_of(pd.read_parquet(inp.boundaries, columns=["code", "group"]), "group"),
    relocation_class(industry_classes(inp.classes)),
    list(range(p.start, p.end + 1)),
    c2,
    p.alpha,
)
fig = c2_rates_figure(
    result,
    window=c2["window"],
    break_year=c2["break_year"],
    alpha=p.alpha,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [inp.moves, inp.firm_years],
        p.synthetic,
        f"Exact Poisson (yearly) and Clopper-Pearson (window) intervals, alpha {p.alpha}.",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("C2 %s: %s", result.verdict, result.value)
log.info("wrote %s", smk.output[0])
