"""Build prefecture and county boundaries from cnmaps (see yrd.boundaries.build_boundaries)."""

from yrd.boundaries import add_region_attributes, build_boundaries
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
pref, cty = build_boundaries(smk.params.provinces, smk.params.vintage, history=smk.input.areacodes)
pref = add_region_attributes(pref, smk.input.regions)
pref.to_parquet(smk.output.prefectures, index=False)
cty.to_parquet(smk.output.counties, index=False)
log.info("%d prefectures, %d counties, vintage %d", len(pref), len(cty), smk.params.vintage)
