"""Rule similarity: similarity of each pair of regions' industrial structures by year and level (yrd.metrics.apply.metric_table_rule)."""

from yrd.logs import configure_logging
from yrd.metrics.apply import metric_table_rule

metric_table_rule(snakemake, "similarity", configure_logging(snakemake))  # noqa: F821
