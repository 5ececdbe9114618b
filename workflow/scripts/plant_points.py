"""Rule plant_points: geocodes of the firm-years checked against the county polygons (yrd.points)."""

import geopandas as gpd
import pandas as pd

from yrd.logs import configure_logging
from yrd.points import check_points

smk = snakemake  # noqa: F821
log = configure_logging(smk)
firm_years = pd.read_parquet(smk.input.firm_years)
points = check_points(firm_years, gpd.read_parquet(smk.input.counties), float(smk.params.tolerance_km))
if len(points) != len(firm_years):
    raise RuntimeError(f"{len(firm_years)} firm-years but {len(points)} plant-point rows")
points.to_parquet(smk.output[0], index=False)
log.info("%d plant-point rows, %d usable (ok)", len(points), int((points["point_status"] == "ok").sum()))
