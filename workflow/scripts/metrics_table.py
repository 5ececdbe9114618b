"""Rules concentration, specialisation, similarity: one long metric table by year and level
(yrd.metrics.apply.TABLES[params.table])."""

from pathlib import Path

import pandas as pd

from yrd.logs import configure_logging
from yrd.metrics.apply import TABLES, firm_year_columns
from yrd.metrics.registry import load_plugins
from yrd.regions import region_set

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
if p.plugins:
    log.info("plugins %s registered %s", p.plugins, load_plugins(p.plugins, search_path=Path.cwd()))
firm_years = pd.read_parquet(smk.input[0], columns=firm_year_columns(p.measure))
prefectures = region_set(p.region_set)["code"].tolist()
table = TABLES[p.table](firm_years, p.metrics, p.measure, p.levels, prefectures)
table.to_parquet(smk.output[0], index=False)
log.info("%s: %d rows: %s x %s, %d years", p.table, len(table), p.metrics, p.levels, table["year"].nunique())
