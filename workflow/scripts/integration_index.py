"""Rule integration_index: the measured integration index from road travel times
(yrd.integration) for both region sets, by year of the study period."""

from yrd.integration import integration_index, market_access, read_cities, read_road_times
from yrd.logs import configure_logging
from yrd.regions import REGION_SETS, region_set

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
years = range(int(p.start), int(p.end) + 1)
base = int(p.base_year) if p.base_year is not None else int(p.start)
times = read_road_times(smk.input.road_times, years)
weights = read_cities(smk.input.cities, p.weight).set_index("code")["weight"]
sets = {s: region_set(s, smk.input.prefectures)["code"].tolist() for s in REGION_SETS}
index = integration_index(times, weights, sets, theta=float(p.theta), base_year=base)
index.to_parquet(smk.output.index, index=False)
ma = market_access(times, weights, sets["yrd41_2019"], float(p.theta))
ma.to_parquet(smk.output.market_access, index=False)
times.to_parquet(smk.output.road_times, index=False)
wide = index.pivot_table(index="year", columns=["region_set", "measure"], values="value")
log.info("integration index (base year %s, theta %s, weights %s):\n%s", base, p.theta, p.weight, wide.to_string())
