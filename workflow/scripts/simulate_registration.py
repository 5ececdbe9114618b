"""Business-registration change records of the synthetic world (yrd.synthetic.registration):
the extracts under resources/raw/<world>/registration/ and their truth in registration/truth/."""

import time
from pathlib import Path

import pandas as pd

from yrd.logs import configure_logging
from yrd.synthetic.registration import generate_registration, params_from_config, write_registration

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p, inp = smk.params, smk.input
t0 = time.perf_counter()
moves, panel, identities = (pd.read_parquet(inp[k]) for k in ("moves", "panel", "identities"))
seed = int(p.seed) + int(p.registration["seed_offset"])
params = params_from_config(p.registration)
extract = generate_registration(
    moves,
    panel,
    history=inp.areacodes,
    seed=seed,
    identities=identities,
    params=params,
    vintage=p.vintage,
    provinces=[str(q) for q in p.provinces],
)
out_dir = Path(smk.output.records).parent.parent
meta = write_registration(extract, out_dir)
written = {str(Path(f).name) for f in smk.output.files}
if written != set(meta):
    raise RuntimeError(f"extracts written {sorted(meta)} differ from the rule's outputs {sorted(written)}")
t = extract.truth
log.info(
    "seed %d: %d moves between counties (%d registered), %d records in %d files; "
    "%.1f %% of records of ASIF firms, %.1f s",
    seed,
    len(extract.moves),
    int(extract.moves["registered"].sum()),
    len(t),
    len(meta),
    100 * t["in_asif"].mean() if len(t) else 0.0,
    time.perf_counter() - t0,
)
