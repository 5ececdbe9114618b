"""Rule scenarios: the tables of the scenario jobs (rule scenario, one per scenario of
flows.scenarios) in the config's order, as results/<run>/flows/scenarios.parquet
(yrd.flows.scenario_jobs). With no scenario in the config, the empty table of the same layout."""

import pandas as pd

from yrd.flows.scenario_jobs import gather_scenarios, scenario_table, summary
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p, inp = smk.params, smk.input
if p.scenarios:
    out = gather_scenarios([pd.read_parquet(path) for path in inp.parts])
else:
    out = scenario_table(
        inp.fitted, inp.table, inp.boundaries, inp.prefectures, [], p.focus, p.targets, p.bands, log=log
    )
out.to_parquet(smk.output[0], index=False)
log.info("%d scenarios, %d rows", out["scenario"].nunique(), len(out))
log.info("post-event shares of the focus's outflow (all classes):\n%s", summary(out))
