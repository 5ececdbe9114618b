"""Audit table: every county code of the study period and the vintage code it maps to."""

from yrd.geography import harmonisation_report
from yrd.io import write_csv
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
rep = harmonisation_report(
    smk.params.provinces,
    smk.params.start,
    smk.params.end,
    smk.params.vintage,
    overrides=smk.params.overrides,
    history=smk.input.areacodes,
)
write_csv(rep, smk.output[0])
unresolved = rep["code_vintage"].isna().sum()
log.info(
    "%d county codes in %d-%d; rules: %s",
    len(rep),
    smk.params.start,
    smk.params.end,
    rep["rule"].value_counts().to_dict(),
)
if unresolved:
    raise ValueError(f"{unresolved} county codes have no successor in vintage {smk.params.vintage}")
