"""Write a stand-in ``clean/plant_points.parquet`` for a finished run (rule plant_points is not on
this branch yet): every firm-year placed near its county's centroid (seeded jitter of up to 0.05
degree), one in ten without a usable point. Used by tests/slurm/run.sh for the point K-densities.

    python tests/slurm/fake_plant_points.py results/tiny
"""

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from yrd.boundaries import centroids

run = Path(sys.argv[1])
fy = pd.read_parquet(
    run / "clean" / "firm_years.parquet", columns=["firm_id", "year", "county", "prefecture", "industry"]
)
sites = centroids(gpd.read_parquet(run / "geography" / "boundaries_county.parquet"))
sites = sites.assign(code=sites["code"].astype(str)).set_index("code")
rng = np.random.default_rng(19)
n = len(fy)
pos = sites.loc[fy["county"].astype(str)]
points = fy.assign(
    year=fy["year"].astype("int64"),
    county=fy["county"].astype(str),
    prefecture=fy["prefecture"].astype(str),
    industry=fy["industry"].astype(str),
    lon=pos["lon"].to_numpy() + rng.uniform(-0.05, 0.05, n),
    lat=pos["lat"].to_numpy() + rng.uniform(-0.05, 0.05, n),
    point_status=np.where(rng.uniform(size=n) < 0.9, "ok", "unmatched"),
    outside_km=0.0,
)
points.to_parquet(run / "clean" / "plant_points.parquet", index=False)
print(f"{len(points)} plant points, {int((points['point_status'] == 'ok').sum())} usable")
