"""Generate the synthetic world: model -> true panel -> messy raw files + truth."""

import time
from pathlib import Path

import geopandas as gpd

from yrd.industry import load_crosswalks
from yrd.ingest import load_dialects
from yrd.logs import configure_logging
from yrd.synthetic.points import plant_points
from yrd.synthetic.raw import reachable_counties, write_raw_world
from yrd.synthetic.world import run_world, write_truth

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
years = list(range(p.start, p.end + 1))
t0 = time.perf_counter()
inp = smk.input
allowed = reachable_counties(years, p.vintage, p.provinces, history=inp.areacodes)
result = run_world(dict(inp), p.model, p.seed, p.start, p.end, allowed_counties=allowed)
t1 = time.perf_counter()
log.info("model: %d firm-years in the sample, %d true moves, %.1f s", len(result.panel), len(result.moves), t1 - t0)
out_dir = Path(smk.output.records).parent.parent
write_truth(result, Path(smk.output.records).parent)
# plant points from their own generator: every other draw of the world is unchanged
points = plant_points(result.panel, gpd.read_parquet(inp.counties), p.plant_points, p.seed)
points.to_parquet(smk.output.plant_points, index=False)
records = write_raw_world(
    result.panel,
    out_dir,
    p.raw,
    p.seed,
    vintage=p.vintage,
    dialects=load_dialects(inp.dialects, inp.dialects_schema),
    history=inp.areacodes,
    crosswalks=load_crosswalks(inp.names_2002, inp.gb_1994_2002, inp.gb_2002_2011),
    points=points if p.plant_points["in_raw"] else None,
    point_cfg=p.plant_points,
)
log.info("raw layer: %d raw rows in %d files, %.1f s", len(records), len(smk.output.raw), time.perf_counter() - t1)
