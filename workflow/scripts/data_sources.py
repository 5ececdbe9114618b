"""Rule data_sources: every input of the run with its kind, licence, citation and use (yrd.data_sources)."""

from yrd.data_sources import data_sources
from yrd.io import write_csv
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
config = {
    "run": p.run,
    "synthetic": p.synthetic,
    "ingest": p.ingest,
    "registration": p.registration,
    "claims": p.claims,
    "metrics": p.metrics,
    "flows": p.flows,
}
table = data_sources(smk.input.registry, config)
write_csv(table, smk.output[0])
log.info("%d inputs:\n%s", len(table), table[["dataset", "kind", "licence", "used_by"]].to_string(index=False))
