"""Write the tidy administrative code-history table (see yrd.geography.code_history)."""

from yrd.geography import code_history
from yrd.io import write_csv
from yrd.logs import configure_logging

log = configure_logging(snakemake)  # noqa: F821
table = code_history(snakemake.input.areacodes)  # noqa: F821
write_csv(table, snakemake.output[0])  # noqa: F821
log.info("%d records, %d distinct codes", len(table), table["code"].nunique())
