"""Rule source_gravity: the PPML gravity models of rule gravity (pooled and by class) on the
flows of each source (yrd.flows.sources), with the distance measure of flows.distance.

The estimation frame of a source is built when its models are fitted and released after, so
that one source's frame is in memory at a time (yrd.flows.sources.sources_gravity).

The asif source's panel is built from the same moves by the same function as rule od_panel's
flows/od.parquet, and both rules read the same flows.* keys: when the two panels are equal
(yrd.flows.sources.same_od_panel) the asif rows are rule gravity's estimates, not fitted a
second time (on the national world this was 55 s of the rule's 132 s). They are fitted here
when the panels differ or when rule gravity's fitted flows failed (its converged then means
something else); the log says which."""

import geopandas as gpd
import pandas as pd

from yrd.flows import REGRESSORS, read_distance_table, study_frame
from yrd.flows.od import read_od_cells
from yrd.flows.sources import same_od_panel, sources_gravity
from yrd.logs import configure_logging
from yrd.parallel import available_workers

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
boundaries = gpd.read_parquet(smk.input.boundaries)
table = read_distance_table(smk.input.distances) if p.distances else None
road_times = pd.read_parquet(smk.input.road_times) if p.distance == "road_time" else None
covariates = list(p.covariates)

reuse = {}
if "asif" in p.sources:
    asif_od = smk.input.od[list(p.sources).index("asif")]
    estimated = pd.read_csv(smk.input.asif_gravity)
    if not same_od_panel(asif_od, smk.input.asif_panel):
        log.info("asif: its panel differs from %s; its models are fitted here", smk.input.asif_panel)
    elif estimated["note"].astype("string").fillna("").str.contains("(fitted flows", regex=False).any():
        log.info("asif: rule gravity's fitted flows failed (its converged flag differs); fitted here")
    else:
        reuse["asif"] = estimated
        log.info(
            "asif: its panel equals %s; its rows are rule gravity's %s", smk.input.asif_panel, smk.input.asif_gravity
        )


def frames():
    """``(source, estimation frame)`` of each source, one at a time (None when reused)."""
    for source, path in zip(p.sources, smk.input.od, strict=True):
        if source in reuse:
            yield source, None
            continue
        yield (
            source,
            study_frame(
                read_od_cells(path),
                boundaries,
                p.distance,
                distance_table=table,
                road_times=road_times,
                covariates=covariates,
                period_length=p.period_length,
                start=p.start,
                cast_keys=False,  # estimated on, not written: origin/dest stay categoricals
            ),
        )


out = sources_gravity(
    frames(),
    [*REGRESSORS, *covariates],
    cluster=p.cluster,
    min_moves=p.min_moves,
    reuse=reuse,
    workers=available_workers(smk.threads),
)
out.to_csv(smk.output[0], index=False, float_format="%.10g")
pooled = out[out["model"] == "pooled"]
cols = ["source", "term", "estimate", "std_error", "n_obs", "n_moves", "converged", "note"]
log.info("pooled model of each source (distance %s):\n%s", p.distance, pooled[cols].to_string(index=False))
