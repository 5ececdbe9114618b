"""Rule link_registration: registration parties linked to ASIF firms; relocation and expansion events."""

import pandas as pd

from yrd.logs import configure_logging
from yrd.registration.events import expansion_events, relocation_events
from yrd.registration.link import LINK_COLUMNS, LinkParams, empty_firm_years, link_registration

smk = snakemake  # noqa: F821
log = configure_logging(smk)
params = LinkParams.from_config(smk.params.linking)
changes = pd.read_parquet(smk.input.changes)
investments = pd.read_parquet(smk.input.investments)
if smk.input.get("firm_years"):
    # only the columns linking and the events read (those of empty_firm_years)
    firm_years = pd.read_parquet(smk.input.firm_years, columns=list(empty_firm_years().columns))
else:  # a records-only run (run.asif false): nothing to link to; events keep their own places
    firm_years = empty_firm_years()
    log.info("no ASIF survey in this run: every party is unlinked (method none)")
links = link_registration(
    changes,
    investments,
    firm_years,
    history=smk.input.areacodes,
    vintage=smk.params.vintage,
    params=params,
    workers=smk.threads,
)
links[list(LINK_COLUMNS)].to_parquet(smk.output.links, index=False)
reloc = relocation_events(changes, links, firm_years, params)
reloc.to_parquet(smk.output.relocations, index=False)
exp = expansion_events(investments, links, firm_years, params)
exp.to_parquet(smk.output.expansions, index=False)
for (table, party), g in links.groupby(["table", "party"]):
    log.info("%s %s: %d parties, links by method %s", table, party, len(g), g["method"].value_counts().to_dict())
log.info("%d relocation events (%d linked to a firm)", len(reloc), int(reloc["firm_id"].notna().sum()))
log.info(
    "%d expansion events; origin by %s", len(exp), exp["origin_method"].value_counts().to_dict() if len(exp) else {}
)
