"""Rule gravity_distance_comparison: the gravity models of rule gravity estimated with both
distance measures, great-circle km and real road travel hours of each year, side by side
(yrd.flows.measures). flows.distances (a user table) is not used here; covariates that are
columns of it are left out (logged), the built-in ones are kept."""

import geopandas as gpd
import pandas as pd

from yrd.flows import DISTANCE_MEASURES, REGRESSORS, distance_comparison, study_frame
from yrd.flows.measures import road_time_subset
from yrd.flows.pairs import BUILTIN_COVARIATES
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
od = pd.read_parquet(smk.input.od)
boundaries = gpd.read_parquet(smk.input.boundaries)
road_times = pd.read_parquet(smk.input.road_times)
# The road travel times (Ma and Tang 2024) join the YRD's prefectures only: on a larger study area
# (all of China) both measures are compared on the flows among the prefectures that have them.
od, covered = road_time_subset(od, road_times)
if covered is not None:
    log.warning(
        "road travel times cover %d of the OD panel's prefectures: both distance measures are compared on "
        "the flows among those %d only",
        covered[0],
        covered[0],
    )
covariates = [c for c in smk.params.covariates if c in BUILTIN_COVARIATES]
left_out = [c for c in smk.params.covariates if c not in BUILTIN_COVARIATES]
if left_out:
    log.warning("covariates of the flows.distances table left out of the comparison: %s", left_out)
frames = {
    measure: study_frame(
        od,
        boundaries,
        measure,
        road_times=road_times,
        covariates=covariates,
        period_length=smk.params.period_length,
        start=smk.params.start,
    )
    for measure in DISTANCE_MEASURES
}
table = distance_comparison(
    frames, [*REGRESSORS, *covariates], cluster=smk.params.cluster, min_moves=smk.params.min_moves
)
if covered is not None:  # say so in the table a reader opens
    note = f"[flows among the {covered[0]} of {covered[1]} prefectures with road travel times] "
    table["interpretation"] = note + table["interpretation"].fillna("").astype(str)
table.to_csv(smk.output[0], index=False, float_format="%.10g")
pooled = table[table["model"] == "pooled"]
cols = ["term", "measure", "estimate", "std_error", "p_value", "n_obs", "converged", "interpretation"]
log.info("pooled model under both distance measures:\n%s", pooled[cols].to_string(index=False))
