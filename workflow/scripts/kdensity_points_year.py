"""Point K-densities of one year with counterfactual bands (yrd.metrics.apply_points.kdensity_points_tables),
on the plants of the analysis sample that the county-centroid K-densities use."""

import pandas as pd

from yrd.logs import configure_logging
from yrd.metrics.apply_points import PLANT_POINT_COLUMNS, kdensity_points_tables
from yrd.metrics.kdensity_rows import kdensity_options
from yrd.regions import region_set_codes

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
kd = p.kdensity
year = int(smk.wildcards.year)
counties = pd.read_parquet(smk.input.counties, columns=["prefecture_code"])
prefectures = region_set_codes(p.region_set, counties["prefecture_code"].astype(str), smk.input.prefectures)
points = pd.read_parquet(smk.input.points, columns=list(PLANT_POINT_COLUMNS))
if not (points["point_status"].astype(str) == "ok").any():
    raise ValueError(
        f"metrics.kdensity.points.enabled is true but {smk.input.points} has no usable point "
        "(point_status 'ok'): set metrics.kdensity.points.enabled to false or provide plant points"
    )
if not (points["year"] == year).any():
    raise ValueError(
        f"{smk.input.points} has no plant in {year}: set metrics.kdensity.points.years to the years it covers"
    )
# the county version's sample (its firm-years), so both versions count the same plants
sample = pd.read_parquet(smk.input.firm_years, columns=["firm_id", "year"])
density, summary = kdensity_points_tables(
    points,
    sample=sample,
    years=[year],
    prefectures=prefectures,
    threads=smk.threads,
    **kdensity_options(kd),
)
density.to_parquet(smk.output.density, index=False)
summary.to_parquet(smk.output.summary, index=False)
log.info(
    "%d: %d industries (%s), %d localised, %d dispersed, %d plants without a usable point",
    year,
    len(summary),
    summary["status"].value_counts().to_dict(),
    int(summary["localised"].sum()),
    int(summary["dispersed"].sum()),
    int(summary["n_no_point"].sum()),
)
