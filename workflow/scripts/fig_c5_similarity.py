"""C5 figures: structural similarity heatmaps (first and last year) and the mean over time
(yrd.figures.similarity). One script, two rules: snakemake.rule says which figure."""

import pandas as pd

from yrd.figures.common import codes_in_set, mapping_of, prefecture_labels, save, source_note
from yrd.figures.similarity import SET_LABELS, set_label, similarity_heatmaps_figure, similarity_trend_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.font)
similarity = pd.read_parquet(smk.input.similarity)
prefectures = pd.read_parquet(smk.input.boundaries, columns=["code", "name_zh", "name_pinyin", "group", *SET_LABELS])
c5 = p.c5
source = source_note([smk.input.similarity], p.synthetic, "UNIDO structural similarity of employment by 2-digit industry.")
if smk.rule == "fig_c5_heatmaps":
    years = p.heatmaps["years"] or [int(similarity["year"].min()), int(similarity["year"].max())]
    fig = similarity_heatmaps_figure(
        similarity,
        codes_in_set(prefectures, p.region_set),
        years=years,
        groups=mapping_of(prefectures, "group"),
        labels=prefecture_labels(prefectures, cjk),
        metric=c5["metric"],
        level=c5["level"],
        cjk=cjk,
        synthetic=p.synthetic,
        source=source,
        title_set=set_label(p.region_set, cjk),
    )
else:
    present = set(similarity["region_a"]) | set(similarity["region_b"])
    sets = {s: codes_in_set(prefectures, s) for s in SET_LABELS}
    sets = {s: m for s, m in sets.items() if set(m) <= present}  # only region sets fully in the table
    fig = similarity_trend_figure(
        similarity, sets, threshold=c5["threshold"], metric=c5["metric"], level=c5["level"], cjk=cjk,
        synthetic=p.synthetic, source=source,
    )
save(fig, smk.output[0], p.dpi)
log.info("wrote %s", smk.output[0])
