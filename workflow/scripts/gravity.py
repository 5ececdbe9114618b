"""Rule gravity: PPML gravity models of relocation flows, pooled and by class (yrd.flows.gravity),
with the distance measure of flows.distance (yrd.flows.measures).

Models that cannot be estimated are rows with converged False and the reason in note; a class
with fewer than flows.min_moves moves is skipped. The adding-up check of the fitted flows applies
only to a converged pooled model; otherwise its fitted flows are NaN and the fitted table's
converged/note columns say why."""

import geopandas as gpd
import pandas as pd

from yrd.flows import (
    DISTANCE_UNITS,
    REGRESSORS,
    check_adding_up,
    estimate_gravity,
    read_distance_table,
    study_frame,
)
from yrd.flows.fitted import write_fitted_cells
from yrd.logs import configure_logging
from yrd.parallel import available_workers

smk = snakemake  # noqa: F821
log = configure_logging(smk)
od = pd.read_parquet(smk.input.od)
boundaries = gpd.read_parquet(smk.input.boundaries)
measure = smk.params.distance
table = read_distance_table(smk.input.distances) if smk.params.distances else None
road_times = pd.read_parquet(smk.input.road_times) if measure == "road_time" else None
covariates = list(smk.params.covariates)
if table is not None:
    log.info("distances: the table of flows.distances, %s", smk.params.distances)
else:
    log.info("distances: %s (%s)", measure, DISTANCE_UNITS[measure])
frame = study_frame(
    od,
    boundaries,
    measure,
    distance_table=table,
    road_times=road_times,
    covariates=covariates,
    period_length=smk.params.period_length,
    start=smk.params.start,
)
del od  # the frame holds what the models need
regressors = [*REGRESSORS, *covariates]
coefs, fits = estimate_gravity(
    frame,
    regressors,
    cluster=smk.params.cluster,
    min_moves=smk.params.min_moves,
    workers=available_workers(smk.threads),
)
coefs.to_csv(smk.output.table, index=False, float_format="%.10g")
pooled = fits["pooled"]
failed = {name: r.note for name, r in fits.items() if not r.converged}
fits = None  # only the pooled model's cells are written
if pooled.converged:
    # on the frame's fixed-effect codes (og, dg), no copy of its key columns; raises above 1e-6 of the moves
    gap = check_adding_up(frame, pooled)
    log.info("pooled model: fitted minus observed flows by fixed-effect group, largest |difference| %.3g", gap)
else:
    log.warning(
        "pooled model not usable (%s): fitted flows written as NaN (0 in separated cells), adding-up not checked",
        pooled.note,
    )
if failed:
    log.warning("models without estimates: %s", failed)
# the table of yrd.flows.fitted_cells, written a row group at a time (same file, less memory),
# each piece written on a second thread while the next is built
write_fitted_cells(frame, pooled, regressors, smk.output.fitted, workers=available_workers(smk.threads))
