"""Rule scenarios: counterfactual distances predicted by the pooled gravity model with the fixed
effects held (yrd.flows.scenarios)."""

import geopandas as gpd
import pandas as pd

from yrd.flows import prefecture_points, scenario_shares
from yrd.flows.scenarios import resolve_targets
from yrd.logs import configure_logging
from yrd.regions import prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cells = pd.read_parquet(smk.input.fitted)
coefs = pd.read_csv(smk.input.table)
coef = coefs[coefs["model"] == "pooled"].set_index("term")["estimate"].to_dict()
points = prefecture_points(gpd.read_parquet(smk.input.boundaries))
groups = prefectures().assign(code=lambda d: d["code"].astype(str)).set_index("code")["group"].to_dict()
groups = {c: g for c, g in groups.items() if c in set(cells["origin"])}
targets = resolve_targets(smk.params.targets, groups)
log.info("focus %s; targets %s", smk.params.focus, targets)
out = scenario_shares(cells, coef, list(smk.params.scenarios), smk.params.focus, targets, points)
out.to_parquet(smk.output[0], index=False)
post = out[(out["window"] == "post") & (out["group"] == "total")]
cols = ["scenario", "target", "start_year", "end_year", "baseline_share", "scenario_share", "shift"]
log.info("post-event shares of the focus's outflow (all classes):\n%s", post[cols].to_string(index=False))
