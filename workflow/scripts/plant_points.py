"""Rule plant_points: geocodes of the firm-years checked against the county polygons (yrd.points)."""

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq

from yrd.logs import configure_logging
from yrd.points import POINT_INPUT_COLUMNS, check_points

smk = snakemake  # noqa: F821
log = configure_logging(smk)
# only the columns the check reads (the geocode columns exist only when the raw files had them)
present = set(pq.read_schema(smk.input.firm_years).names)
firm_years = pd.read_parquet(smk.input.firm_years, columns=[c for c in POINT_INPUT_COLUMNS if c in present])
points = check_points(firm_years, gpd.read_parquet(smk.input.counties), float(smk.params.tolerance_km))
if len(points) != len(firm_years):
    raise RuntimeError(f"{len(firm_years)} firm-years but {len(points)} plant-point rows")
points.to_parquet(smk.output[0], index=False)
log.info("%d plant-point rows, %d usable (ok)", len(points), int((points["point_status"] == "ok").sum()))
