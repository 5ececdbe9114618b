"""Build prefecture and county boundaries from cnmaps (see yrd.boundaries.build_boundaries)."""

from yrd.boundaries import add_region_attributes, build_boundaries
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
skipped: list[dict] = []
pref, cty = build_boundaries(smk.params.provinces, smk.params.vintage, history=smk.input.areacodes, skipped=skipped)
pref = add_region_attributes(pref, smk.input.regions)
pref.to_parquet(smk.output.prefectures, index=False)
cty.to_parquet(smk.output.counties, index=False)
log.info("%d prefectures, %d counties, vintage %d", len(pref), len(cty), smk.params.vintage)
log.info("%d records left out of the county layer (yrd.boundaries docstring)", len(skipped))
for s in skipped:
    log.warning("left out: %s", s)
