"""Rule claims_sources: the evidence of each flow source (ASIF moves, registered relocations,
investments) on claims C2 and C3, on counts, and where the sources disagree (yrd.claims.sources).
Reported beside the claims; the verdicts stay those of the ASIF rates (rule claims_sample)."""

import json

import pandas as pd

from yrd.claims.sources import c2_source_conditions, c2_source_shares, c3_source_trends, disagreements
from yrd.figures.common import mapping_of
from yrd.flows.sources import source_events
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cfg = p.claims
alpha = cfg["alpha"]
events = {s: source_events(s, pd.read_parquet(path)) for s, path in zip(p.sources, smk.input.events, strict=True)}
groups = mapping_of(pd.read_parquet(smk.input.boundaries, columns=["code", "group"]), "group")
classes = relocation_class(industry_classes(smk.input.classes))
years = list(range(p.start, p.end + 1))
conditions = c2_source_conditions(events, groups, classes, cfg["c2"], alpha)
shares = c2_source_shares(events, groups, cfg["c2"]["window"], p.targets)
trends = c3_source_trends(events, years, cfg["c3"], alpha)
notes = disagreements(conditions, shares, trends, alpha)


def records(t: pd.DataFrame) -> list[dict]:
    return json.loads(t.to_json(orient="records"))


doc = {
    "c2_conditions": records(conditions),
    "c2_shares": records(shares),
    "c3": records(trends),
    "disagreements": notes,
    "alpha": alpha,
    "note": "Counts of each source's events (no firms at risk outside the ASIF); the claims' verdicts use ASIF rates.",
}
with open(smk.output[0], "w", encoding="utf-8") as fh:
    json.dump(doc, fh, indent=2)
    fh.write("\n")
pd.set_option("display.width", 200)
log.info("C2 conditions by source:\n%s", conditions.to_string(index=False))
log.info("C2 outflow shares by source:\n%s", shares.to_string(index=False))
log.info("C3 by source:\n%s", trends.to_string(index=False))
log.info("sources disagree: %s", notes or "nowhere")
