"""Duranton-Overman K-densities with counterfactual bands (yrd.metrics.apply.kdensity_tables)."""

import geopandas as gpd
import pandas as pd

from yrd.logs import configure_logging
from yrd.metrics.apply import county_sites, kdensity_tables
from yrd.metrics.kdensity_rows import kdensity_options
from yrd.regions import region_set_codes

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
kd = p.kdensity
counties = gpd.read_parquet(smk.input.counties)
prefectures = region_set_codes(p.region_set, counties["prefecture_code"].astype(str), smk.input.prefectures)
sites = county_sites(counties, prefectures)
firm_years = pd.read_parquet(smk.input.firm_years, columns=["year", "county", "prefecture", "industry"])
density, summary = kdensity_tables(
    firm_years,
    sites,
    years=kd["years"] or sorted({p.start, p.end}),
    prefectures=prefectures,
    threads=smk.threads,
    **kdensity_options(kd),
)
density.to_parquet(smk.output.density, index=False)
summary.to_parquet(smk.output.summary, index=False)
log.info(
    "%d industry-years (%s), %d localised, %d dispersed, %d sites",
    len(summary),
    summary["status"].value_counts().to_dict(),
    int(summary["localised"].sum()),
    int(summary["dispersed"].sum()),
    len(sites),
)
