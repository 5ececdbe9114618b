"""Rule provenance: checksums of the inputs, resolved configuration, code version, packages."""

import json
from pathlib import Path

from yrd.logs import configure_logging
from yrd.provenance import provenance

smk = snakemake  # noqa: F821
log = configure_logging(smk)
doc = provenance(
    smk.input.raw, smk.input.reference, smk.params.config, Path(smk.params.repo), plugin_files=smk.input.plugins
)
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2, sort_keys=True, ensure_ascii=False)
    fh.write("\n")
log.info(
    "%d raw inputs, %d reference files, %d plugin modules, commit %s",
    len(doc["raw_inputs"]),
    len(doc["reference_inputs"]),
    len(doc["plugin_inputs"]),
    doc["code"]["commit"],
)
