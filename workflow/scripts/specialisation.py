"""Rule specialisation: specialisation of each region by year and level (yrd.metrics.apply.metric_table_rule)."""

from yrd.logs import configure_logging
from yrd.metrics.apply import metric_table_rule

metric_table_rule(snakemake, "specialisation", configure_logging(snakemake))  # noqa: F821
