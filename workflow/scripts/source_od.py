"""Rule source_od: the events of one flow source (ASIF moves, registered relocations or
investments) by year x origin x destination x class, prefecture and province levels, zeros kept
(yrd.flows.sources); where every event went is logged."""

import pandas as pd

from yrd.flows.sources import source_events, source_od
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.study_area import flow_prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
source = smk.wildcards.source
events = source_events(source, pd.read_parquet(smk.input.events))
codes = pd.read_parquet(smk.input.boundaries, columns=["code"])["code"].astype(str)
codes = flow_prefectures(codes, smk.params.study_area, smk.params.region_set, smk.input.prefectures)
years = range(smk.params.start, smk.params.end + 1)
od = source_od(events, codes, years, relocation_class(industry_classes(smk.input.classes)))
for level, acc in od.attrs.items():
    log.info("%s: %s level, where the events went: %s", source, level, acc)
od.attrs = {}
od.to_parquet(smk.output[0], index=False)
log.info("%s: %d cells (%d prefectures, years %d-%d)", source, len(od), len(codes), smk.params.start, smk.params.end)
