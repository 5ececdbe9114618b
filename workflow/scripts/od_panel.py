"""Rule od_panel: relocations by year x origin x destination x class, prefecture and province
levels, zeros kept (yrd.flows.od); moves across the study area's boundary by study prefecture x
outside province (yrd.study_area.outside_flows)."""

import pandas as pd

from yrd.flows import od_panels
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.study_area import flow_prefectures, outside_flows

smk = snakemake  # noqa: F821
log = configure_logging(smk)
moves = pd.read_parquet(smk.input.moves)
codes = pd.read_parquet(smk.input.boundaries, columns=["code"])["code"].astype(str)
codes = flow_prefectures(codes, smk.params.study_area, smk.params.region_set, smk.input.prefectures)
years = range(smk.params.start, smk.params.end + 1)
groups = relocation_class(industry_classes(smk.input.classes))
od = od_panels(moves, codes, years, groups)

for level, attrs in od.attrs.items():
    log.info(
        "%s level: %d of %d moves counted, %d unclassified (in total only), dropped %s",
        level,
        attrs["n_counted"],
        attrs["n_input"],
        attrs["unclassified"],
        attrs["dropped"],
    )
od.attrs = {}
od.to_parquet(smk.output.od, index=False)
outside = outside_flows(moves, codes, years, groups)
log.info(
    "study area %s: %d moves across its boundary, %d counted by study prefecture x outside province; not counted %s",
    smk.params.study_area,
    outside.attrs["n_crossing"],
    outside.attrs["n_counted"],
    outside.attrs["dropped"],
)
outside.attrs = {}
outside.to_parquet(smk.output.outside, index=False)
log.info("%d cells (%d prefectures, years %d-%d)", len(od), len(codes), smk.params.start, smk.params.end)
