"""Rule scenarios: counterfactual distances predicted by the pooled gravity model with the fixed
effects held (yrd.flows.scenarios). road_time_as_of scenarios read the road travel times of the
study period (rule integration_index). When the pooled model cannot be used, the rows say
"not estimable" with the reason. Every shift gets a parametric band from draws of the log-distance coefficient
(yrd.flows.scenario_bands, config flows.scenario_bands)."""

import geopandas as gpd
import pandas as pd

from yrd.flows import model_unavailable, prefecture_points, scenario_shares
from yrd.flows.scenario_bands import add_scenario_bands
from yrd.flows.scenarios import resolve_targets
from yrd.logs import configure_logging
from yrd.regions import prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cells = pd.read_parquet(smk.input.fitted)
coefs = pd.read_csv(smk.input.table)
pooled = coefs[coefs["model"] == "pooled"].set_index("term")
coef = pooled["estimate"].to_dict()
se = float(pooled["std_error"].get("log_distance", float("nan")))
unavailable = model_unavailable(coefs, "pooled", ["log_distance"])
if unavailable:
    log.warning("scenarios not estimable: %s", unavailable)
points = prefecture_points(gpd.read_parquet(smk.input.boundaries))
groups = prefectures(smk.input.prefectures).set_index("code")["group"].to_dict()  # code -> region group
groups = {c: g for c, g in groups.items() if c in set(cells["origin"])}
targets = resolve_targets(smk.params.targets, groups)
log.info("focus %s; targets %s", smk.params.focus, targets)
scenarios = list(smk.params.scenarios)
road_times = None
if any(sc["type"] == "road_time_as_of" for sc in scenarios):
    road_times = pd.read_parquet(smk.input.road_times)
out = scenario_shares(cells, coef, scenarios, smk.params.focus, targets, points, unavailable, road_times=road_times)
bands = smk.params.bands
out = add_scenario_bands(
    out, cells, coef, se, scenarios, smk.params.focus, targets, points, road_times,
    draws=int(bands["draws"]), level=float(bands["level"]), seed=int(bands["seed"]),
)  # fmt: skip
log.info(
    "bands: %s draws of log_distance ~ N(%s, %s^2), level %s",
    bands["draws"],
    coef.get("log_distance"),
    se,
    bands["level"],
)
out.to_parquet(smk.output[0], index=False)
post = out[(out["window"] == "post") & (out["group"] == "total")]
cols = [
    "scenario",
    "target",
    "start_year",
    "end_year",
    "baseline_share",
    "scenario_share",
    "shift",
    "shift_lo",
    "shift_hi",
    "status",
]
log.info("post-event shares of the focus's outflow (all classes):\n%s", post[cols].to_string(index=False))
