"""Rule run_status: status.csv and the report's opening text with the claims summary and every
failed check (yrd.status)."""

import json

import pandas as pd

from yrd.io import write_csv
from yrd.logs import configure_logging
from yrd.status import render_claims_rst, render_intro, render_rst, status_table

smk = snakemake  # noqa: F821
log = configure_logging(smk)
inp = smk.input


def read_json(key):
    return json.loads(open(inp[key], encoding="utf-8").read()) if inp.get(key) else None


claims = pd.read_csv(inp.claims, dtype=str, keep_default_na=False)
gravity = pd.read_csv(inp.gravity) if inp.get("gravity") else None  # none in a records-only run
registration = {
    "addresses": read_json("registration_addresses"),
    "links": read_json("registration_links"),
    "source_gravity": read_json("source_gravity"),
}
table = status_table(
    claims,
    gravity,
    read_json("linking"),
    read_json("gravity_validation"),
    smk.params.thresholds,
    smk.params.level,
    registration=registration,
)
write_csv(table, smk.output.table)
with open(inp.template, encoding="utf-8") as fh:
    claims_rst = render_claims_rst(claims, smk.params.synthetic, smk.params.asif)
    intro = render_intro(fh.read(), render_rst(table), claims_rst)
with open(smk.output.intro, "w", encoding="utf-8") as fh:
    fh.write(intro)
for r in table[table["status"] != "passed"].itertuples():
    log.warning("%s: %s / %s: %s", r.status.upper(), r.area, r.check, r.detail)
log.info("%d checks: %s", len(table), table["status"].value_counts().to_dict())
