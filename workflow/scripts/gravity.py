"""Rule gravity: PPML gravity models of relocation flows, pooled and by class (yrd.flows.gravity).

Models that cannot be estimated are rows with converged False and the reason in note; a class
with fewer than flows.min_moves moves is skipped. The adding-up check of the fitted flows applies
only to a converged pooled model; otherwise its fitted flows are NaN and the fitted table's
converged/note columns say why."""

import geopandas as gpd
import pandas as pd

from yrd.flows import (
    REGRESSORS,
    adding_up,
    estimate_gravity,
    fitted_cells,
    gravity_frame,
    pair_table,
    prefecture_points,
    read_distance_table,
)
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
od = pd.read_parquet(smk.input.od)
od = od[od["level"] == "prefecture"]
codes = sorted(set(od["origin"]) | set(od["dest"]))
boundaries = gpd.read_parquet(smk.input.boundaries)
boundaries = boundaries[boundaries["code"].astype(str).isin(codes)]
table = read_distance_table(smk.input.distances) if smk.params.distances else None
covariates = list(smk.params.covariates)
pairs = pair_table(prefecture_points(boundaries), sorted(set(od["year"])), codes, table, covariates, boundaries)
log.info("distances: %s", smk.params.distances or "great circle between prefecture centroids")
frame = gravity_frame(od, pairs, period_length=smk.params.period_length, start=smk.params.start)
regressors = [*REGRESSORS, *covariates]
coefs, fits = estimate_gravity(frame, regressors, cluster=smk.params.cluster, min_moves=smk.params.min_moves)
coefs.to_csv(smk.output.table, index=False, float_format="%.10g")
pooled = fits["pooled"]
cells = fitted_cells(frame, pooled, regressors)
if pooled.converged:
    gap = adding_up(cells)
    log.info("pooled model: fitted minus observed flows by fixed-effect group, largest |difference| %.3g", gap)
    if gap > 1e-6 * max(cells["moves"].sum(), 1):
        raise AssertionError(f"fitted flows do not add up to observed totals (largest gap {gap})")
else:
    log.warning(
        "pooled model not usable (%s): fitted flows written as NaN (0 in separated cells), adding-up not checked",
        pooled.note,
    )
failed = {name: r.note for name, r in fits.items() if not r.converged}
if failed:
    log.warning("models without estimates: %s", failed)
cells.to_parquet(smk.output.fitted, index=False)
