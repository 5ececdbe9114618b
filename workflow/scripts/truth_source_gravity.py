"""Rule truth_source_gravity: the gravity model of rule source_gravity estimated on each source's
TRUE events of the synthetic world (yrd.flows.sources: all prefecture-crossing relocations for
asif and changes, all subsidiaries in another prefecture for investments), so that the
validation can tell the draw of the world from the pipeline's error.

asif and changes share the same true events (the relocations), so their models are estimated
once and the table repeated under both names; each set of events' estimation frame is built
when its models are fitted and released after (one frame in memory at a time)."""

import geopandas as gpd
import pandas as pd

from yrd.flows import REGRESSORS, read_distance_table, study_frame
from yrd.flows.sources import source_od, sources_gravity, truth_investment_events, truth_relocation_events
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.parallel import available_workers
from yrd.study_area import flow_prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p, inp = smk.params, smk.input
boundaries = gpd.read_parquet(inp.boundaries)
codes = boundaries["code"].astype(str)
codes = flow_prefectures(codes, p.study_area, p.region_set, inp.prefectures)
groups = relocation_class(industry_classes(inp.classes))
panel = pd.read_parquet(inp.truth_panel, columns=["true_firm_id", "year", "employment"])
events = {"relocations": truth_relocation_events(pd.read_parquet(inp.truth_moves), panel)}
truth = {s: "relocations" for s in p.sources if s in ("asif", "changes")}
if "investments" in p.sources:
    events["investments"] = truth_investment_events(pd.read_parquet(inp.truth_investments), panel)
    truth["investments"] = "investments"
del panel
table = read_distance_table(inp.distances) if p.distances else None
road_times = pd.read_parquet(inp.road_times) if p.distance == "road_time" else None


def frames():
    """``(events name, estimation frame)`` of each set of true events used, one at a time."""
    for name in dict.fromkeys(truth.values()):
        od = source_od(events.pop(name), codes, range(p.start, p.end + 1), groups)
        for source in (s for s, n in truth.items() if n == name):
            log.info("%s true events: %s", source, od.attrs.get("prefecture"))
        od.attrs = {}
        frame = study_frame(
            od,
            boundaries,
            p.distance,
            distance_table=table,
            road_times=road_times,
            covariates=list(p.covariates),
            period_length=p.period_length,
            start=p.start,
        )
        del od
        yield name, frame
        del frame


fits = sources_gravity(
    frames(),
    [*REGRESSORS, *p.covariates],
    cluster=p.cluster,
    min_moves=p.min_moves,
    workers=available_workers(smk.threads),
)
by_events = {name: t.drop(columns="source") for name, t in fits.groupby("source", sort=False)}
out = pd.concat([by_events[name].assign(source=s) for s, name in truth.items()], ignore_index=True)
out = out[fits.columns]
out.to_csv(smk.output[0], index=False, float_format="%.10g")
pooled = out[out["model"] == "pooled"]
log.info("pooled model on the true events:\n%s", pooled[["source", "term", "estimate", "std_error"]].to_string())
