"""C3 figure: moves of Zhejiang firms per Zhejiang firm at risk with the Poisson trend, and the
mutual migration among SH/JS/ZJ against moves within a province (yrd.figures.relocation_rates;
numbers from yrd.claims.claim_c3, as in the claims table)."""

import pandas as pd

from yrd.claims import claim_c3
from yrd.figures.common import save, source_note
from yrd.figures.relocation_rates import c3_rates_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
inp = smk.input
cjk = setup_fonts(p.plotting["font"])
c3 = p.c3
result = claim_c3(
    pd.read_parquet(inp.moves),
    pd.read_parquet(inp.firm_years, columns=["firm_id", "year", "prefecture", "industry"]),
    list(range(p.start, p.end + 1)),
    c3,
    p.alpha,
)
fig = c3_rates_figure(
    result,
    break_year=c3["break_year"],
    alpha=p.alpha,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [inp.moves, inp.firm_years],
        p.synthetic,
        "Poisson trend with log firms at risk as offset, post-break dummy, robust s.e.",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("C3 %s: %s", result.verdict, result.value)
log.info("wrote %s", smk.output[0])
