"""C1 figure: concentration and specialisation against integration (yrd.figures.concentration)."""

import pandas as pd

from yrd.claims import c1_series, integration_path, read_table
from yrd.figures.common import save, source_note
from yrd.figures.concentration import concentration_integration_figure
from yrd.logs import configure_logging
from yrd.plotting import bilingual, setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
c1 = p.c1
conc = pd.read_parquet(smk.input.concentration)
spec = pd.read_parquet(smk.input.specialisation)
if smk.input.get("integration"):
    source = "configured integration table" if c1["integration"] else "the synthetic world's integration lambda(t)"
    integ = integration_path(conc["year"].unique(), read_table(smk.input.integration), source)
    x_label = (
        bilingual("一体化指数", "integration index (configured table)", cjk)
        if c1["integration"]
        else bilingual("一体化 λ(t)", "integration lambda(t) of the synthetic world (0-1)", cjk)
    )
else:
    integ = integration_path(conc["year"].unique())
    x_label = bilingual("年份（无一体化指标）", "year (no integration measure)", cjk)
series = c1_series(
    conc, spec, integ, level=c1["level"], metrics=c1["metrics"], specialisation_metric=c1["specialisation"]
)
fig = concentration_integration_figure(
    series,
    metrics=c1["metrics"],
    specialisation_metric=c1["specialisation"],
    x_label=x_label,
    alpha=p.alpha,
    se=c1["se"],
    hac_lags=c1["hac_lags"],
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.concentration, smk.input.specialisation, smk.input.get("integration")],
        p.synthetic,
        f"{c1['level'].capitalize()} level; x: {integ['source'].iloc[0] if len(integ) else 'none'}.",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s (%d years, CJK %s)", smk.output[0], len(series), cjk)
