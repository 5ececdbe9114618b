"""Rule scenario: one counterfactual distance scenario of flows.scenarios (wildcard
``scenario``), predicted by the pooled gravity model with the fixed effects held, with its
parametric band (yrd.flows.scenario_jobs.scenario_table). road_time_as_of scenarios read the
road travel times of the study period (rule integration_index)."""

from yrd.flows.scenario_jobs import scenario_table, summary
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p, inp = smk.params, smk.input
scenarios = [sc for sc in p.scenarios if sc["name"] == smk.wildcards.scenario]
if len(scenarios) != 1:
    raise ValueError(f"flows.scenarios has {len(scenarios)} scenarios named {smk.wildcards.scenario!r}")
out = scenario_table(
    inp.fitted, inp.table, inp.boundaries, inp.prefectures, scenarios, p.focus, p.targets, p.bands,
    road_times=inp.road_times or None, log=log,
)  # fmt: skip
log.info(
    "bands: %s draws of log_distance ~ N(estimate, CRV1 s.e.^2), level %s, seed %s",
    p.bands["draws"],
    p.bands["level"],
    p.bands["seed"],
)
out.to_parquet(smk.output[0], index=False)
log.info("post-event shares of the focus's outflow (all classes):\n%s", summary(out))
