"""C1 figure: concentration and specialisation against integration (yrd.figures.concentration),
drawn from the claim document claims/c1.json (nothing refitted)."""

from yrd.claims import read_claim_json
from yrd.figures.common import save, source_note
from yrd.figures.concentration import concentration_integration_figure
from yrd.logs import configure_logging
from yrd.plotting import bilingual, setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
doc = read_claim_json(smk.input.claim)
c1 = doc["config"]
if c1.get("integration"):
    x_label = bilingual("一体化指数", "integration index (configured table)", cjk)
elif p.c1_measure == "travel_time_index":
    x_label = bilingual(
        "一体化指数：基年通行时间 / 当年通行时间", "integration: T(base year) / T(year), road travel time", cjk
    )
else:
    x_label = bilingual("平均市场可达性", "mean travel-time market access", cjk)
fig = concentration_integration_figure(
    doc,
    x_label=x_label,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.claim],
        p.synthetic,
        f"{c1.get('level', 'prefecture').capitalize()} level; x: {doc.get('integration_source') or 'none'}.",
        sample=doc.get("sample"),
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s from %s (C1 %s)", smk.output[0], smk.input.claim, doc["verdict"])
