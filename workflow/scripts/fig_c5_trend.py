"""Rule fig_c5_trend: mean pairwise structural similarity over time for each region set fully in
the table, with linear trends and the claim's threshold (yrd.figures.similarity)."""

import pandas as pd

from yrd.figures.common import codes_in_set, save
from yrd.figures.similarity import SET_LABELS, similarity_source, similarity_trend_figure
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
similarity = pd.read_parquet(smk.input.similarity)
prefectures = pd.read_parquet(smk.input.boundaries, columns=["code", *SET_LABELS])
present = set(similarity["region_a"]) | set(similarity["region_b"])
sets = {s: codes_in_set(prefectures, s) for s in SET_LABELS}
sets = {s: m for s, m in sets.items() if set(m) <= present}  # only region sets fully in the table
fig = similarity_trend_figure(
    similarity,
    sets,
    threshold=p.c5["threshold"],
    metric=p.c5["metric"],
    level=p.c5["level"],
    hac_lags=p.c5.get("hac_lags"),
    break_year=p.c5.get("break_year"),
    main=p.c5["region_set"],
    cjk=cjk,
    synthetic=p.synthetic,
    source=similarity_source(smk.input.similarity, p.synthetic),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s", smk.output[0])
