"""Rule od_panel: relocations by year x origin x destination x class, prefecture and province
levels, zeros kept (yrd.flows.od)."""

import pandas as pd

from yrd.flows import od_panels
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.regions import region_set

smk = snakemake  # noqa: F821
log = configure_logging(smk)
moves = pd.read_parquet(smk.input.moves)
codes = pd.read_parquet(smk.input.boundaries, columns=["code"])["code"].astype(str)
if smk.params.region_set:
    codes = codes[codes.isin(region_set(smk.params.region_set, smk.input.prefectures)["code"].astype(str))]
years = range(smk.params.start, smk.params.end + 1)
od = od_panels(moves, codes, years, relocation_class(industry_classes(smk.input.classes)))
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
od.to_parquet(smk.output[0], index=False)
log.info("%d cells (%d prefectures, years %d-%d)", len(od), len(codes), smk.params.start, smk.params.end)
