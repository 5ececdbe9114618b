"""Rule fig_c5_heatmaps: structural similarity heatmaps of the C5 verdict's region set
(claims.c5.region_set), first and last year or figures.similarity_heatmaps.years (yrd.figures.similarity)."""

import pandas as pd

from yrd.figures.common import codes_in_set, mapping_of, prefecture_labels, save
from yrd.figures.similarity import SET_LABELS, set_label, similarity_heatmaps_figure, similarity_source
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
similarity = pd.read_parquet(smk.input.similarity)
prefectures = pd.read_parquet(smk.input.boundaries, columns=["code", "name_zh", "name_pinyin", "group", *SET_LABELS])
years = p.heatmaps["years"] or [int(similarity["year"].min()), int(similarity["year"].max())]
fig = similarity_heatmaps_figure(
    similarity,
    codes_in_set(prefectures, p.c5["region_set"]),
    years=years,
    groups=mapping_of(prefectures, "group"),
    labels=prefecture_labels(prefectures, cjk),
    metric=p.c5["metric"],
    level=p.c5["level"],
    cjk=cjk,
    synthetic=p.synthetic,
    source=similarity_source(smk.input.similarity, p.synthetic),
    title_set=set_label(p.c5["region_set"], cjk),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
