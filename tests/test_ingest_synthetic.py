"""Ingest a small synthetic raw world (yrd.synthetic.raw) and compare with its truth: every invalid
row is quarantined with the reason put in, every exact duplicate is removed, every missing firm
code is counted, and nothing else is lost."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.resources import AREACODES_CSV, NAMES_2002_CSV, dialects, ingest_references, raw_world_references
from yrd.config import deep_update
from yrd.industry import MANUFACTURING_2002, names_2002_4digit
from yrd.ingest import ingest_files

raw = pytest.importorskip("yrd.synthetic.raw")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    if not hasattr(raw, "write_raw_world") or not hasattr(raw, "reachable_counties"):
        pytest.skip("yrd.synthetic.raw has no write_raw_world yet")
    years = list(range(1998, 2014))
    rng = np.random.default_rng(0)
    counties = sorted(raw.reachable_counties(years, 2021, ["31", "32", "33"], history=AREACODES_CSV))[::5]
    k4 = names_2002_4digit(NAMES_2002_CSV)["code"]
    k4 = k4[k4.str[:2].isin(MANUFACTURING_2002)].to_numpy()
    nf = 300
    firms = pd.DataFrame(
        {
            "true_firm_id": np.arange(nf),
            "county": rng.choice(counties, nf),
            "industry4": rng.choice(k4, nf),
            "founding_year": rng.integers(1950, 1998, nf),
            "reg_type": rng.choice(["110", "159", "310"], nf),
        }
    )
    panel = firms.merge(pd.DataFrame({"year": years}), how="cross").sample(frac=0.7, random_state=1)
    panel = panel.sort_values(["year", "true_firm_id"]).reset_index(drop=True)
    n = len(panel)
    panel["industry"] = panel["industry4"].str[:2]
    panel["employment"] = rng.integers(8, 3000, n)
    panel["output"] = np.round(rng.lognormal(10, 1, n), 1)
    panel["sales"] = np.round(panel["output"] * 0.9, 1)
    out = tmp_path_factory.mktemp("world")
    config_file = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    cfg = deep_update(
        copy.deepcopy(config["synthetic"]["raw"]),  # the defaults live in the config only
        {"invalid_rate": 0.05, "duplicate_rate": 0.03, "missing_firm_code_rate": 0.02},
    )
    try:
        truth = raw.write_raw_world(panel, out, cfg, seed=3, **raw_world_references())
        meta = json.loads((out / "truth" / "files.json").read_text(encoding="utf-8"))
    except Exception as e:  # the synthetic writer is developed separately
        pytest.skip(f"synthetic raw writer not usable here: {type(e).__name__}: {e}")
    return out, truth, meta, panel


def test_synthetic_world_round_trip(world):
    out, truth, meta, panel = world
    files = {m["year"]: str(out / f) for f, m in meta.items()}
    units = {m["year"]: m["money_unit"] for m in meta.values()}
    assert "wan" in units.values()
    clean, quar, rec = ingest_files(files, units, dialects(), **ingest_references(), relative_to=out)
    assert set(rec["source_file"]) == set(meta)  # the names of the truth tables
    assert rec["balanced"].all()
    assert (rec["rows_read"] == rec["rows_clean"] + rec["rows_quarantined"] + rec["exact_duplicates_removed"]).all()

    t = truth.set_index(["source_file", "source_row"])
    q = quar.assign(code=quar["reason"].str.split(":").str[0])
    got = q.groupby(["source_file", "source_row"])["code"].agg(lambda s: set(s))
    expected = t[t["invalid"] & ~t["duplicate"]]
    assert set(got.index) == set(expected.index)
    hit = [r in got.loc[i] for i, r in expected["invalid_reason"].items()]
    assert all(hit), expected[~np.array(hit)].head()
    by_file = rec.set_index("source_file")
    assert by_file["exact_duplicates_removed"].to_dict() == t.groupby(level=0)["duplicate"].sum().to_dict()
    kept = t[~t["invalid"] & ~t["duplicate"]]
    assert by_file["firm_code_missing"].sum() == kept["firm_code_missing"].sum()
    assert len(clean) == len(kept)

    # clean values: money back in thousand yuan, the true county and division of every row
    c = clean.set_index(["source_file", "source_row"])
    c = c.join(t[["true_firm_id"]])
    truth_panel = panel.set_index(["true_firm_id", "year"])
    tp = truth_panel.loc[list(zip(c["true_firm_id"], c["year"].astype(int)))]
    np.testing.assert_allclose(c["output"].to_numpy(), tp["output"].to_numpy(), rtol=0, atol=0.051)
    assert (c["county"].to_numpy() == tp["county"].astype(str).to_numpy()).all()
    assert (c["industry"].to_numpy() == tp["industry"].to_numpy()).all()
    assert (c["employment"].to_numpy() == tp["employment"].to_numpy()).all()
