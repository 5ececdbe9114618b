"""Rule fig_c5_heatmaps: structural similarity heatmaps of the C5 verdict's region set
(claims.c5.region_set) in the years of figures.similarity_heatmaps.years (default first and last),
drawn from the claim document claims/c5.json (yrd.figures.similarity); the boundaries give only
the labels and region groups."""

import pandas as pd

from yrd.claims import read_claim_json
from yrd.figures.common import mapping_of, prefecture_labels, save, source_note
from yrd.figures.similarity import set_label, similarity_heatmaps_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
prefectures = pd.read_parquet(smk.input.boundaries, columns=["code", "name_zh", "name_pinyin", "group"])
fig = similarity_heatmaps_figure(
    doc,
    groups=mapping_of(prefectures, "group"),
    labels=prefecture_labels(prefectures, cjk),
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.claim],
        p.synthetic,
        "UNIDO structural similarity of employment by 2-digit industry.",
        sample=doc.get("sample"),
    ),
    title_set=set_label(doc["config"]["region_set"], cjk),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
