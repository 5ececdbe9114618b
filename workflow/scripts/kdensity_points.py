"""Gather the per-year point K-densities and compare their verdicts with the county-centroid
version (yrd.metrics.apply_points.compare_sites_points)."""

import pandas as pd

from yrd.logs import configure_logging
from yrd.metrics.apply_points import (
    KDENSITY_POINTS_COLUMNS,
    KDENSITY_POINTS_SUMMARY_COLUMNS,
    compare_sites_points,
    gather_points,
)

smk = snakemake  # noqa: F821
log = configure_logging(smk)
density = gather_points([pd.read_parquet(f) for f in smk.input.density], KDENSITY_POINTS_COLUMNS)
summary = gather_points([pd.read_parquet(f) for f in smk.input.summary], KDENSITY_POINTS_SUMMARY_COLUMNS)
comparison = compare_sites_points(pd.read_parquet(smk.input.sites_summary), summary)
density.to_parquet(smk.output.density, index=False)
summary.to_parquet(smk.output.summary, index=False)
comparison.to_csv(smk.output.comparison, index=False)
log.info(
    "%d industry-years from %d years; %d compared with the county-centroid version, %d verdicts changed",
    len(summary),
    len(smk.input.summary),
    len(comparison),
    int(comparison["verdict_changed"].sum()),
)
