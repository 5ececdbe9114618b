"""C1 figure: concentration and specialisation against integration (yrd.figures.concentration)."""

import pandas as pd

from yrd.claims import c1_integration, c1_panels
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
integ, _ = c1_integration(
    smk.input.integration,
    sorted(conc["year"].unique()),
    configured=bool(c1["integration"]),
    region_set=p.region_set,
    measure=p.c1_measure,
)
if c1["integration"]:
    x_label = bilingual("一体化指数", "integration index (configured table)", cjk)
elif p.c1_measure == "travel_time_index":
    x_label = bilingual(
        "一体化指数：基年通行时间 / 当年通行时间", "integration: T(base year) / T(year), road travel time", cjk
    )
else:
    x_label = bilingual("平均市场可达性", "mean travel-time market access", cjk)
conc_panel, spec_panel = c1_panels(
    conc, spec, integ, level=c1["level"], metrics=c1["metrics"], specialisation_metric=c1["specialisation"]
)
fig = concentration_integration_figure(
    conc_panel,
    spec_panel,
    cfg=c1,
    x_label=x_label,
    alpha=p.alpha,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.concentration, smk.input.specialisation, smk.input.get("integration")],
        p.synthetic,
        f"{c1['level'].capitalize()} level; x: {integ['source'].iloc[0] if len(integ) else 'none'}.",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s (%d industry-year rows, CJK %s)", smk.output[0], len(conc_panel), cjk)
