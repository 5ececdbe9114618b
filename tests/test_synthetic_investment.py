"""Synthetic investment records (issue 16): the destination choice of the subsidiaries recovers
its true pair coefficients by PPML (and a zero distance coefficient gives no gradient), every
above-threshold subsidiary is a distinct ASIF entrant of its destination, the written extracts
ingest with exact reconciliation with the planted defects where they belong, and investor keys
embed the parent's ASIF organisation code. Small hand-made worlds; the identities come from the
ASIF raw layer (:class:`yrd.synthetic.raw.RawContext`)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyfixest as pf
import pytest
import yaml

from helpers.resources import AREACODES_CSV, crosswalks, dialects
from yrd.registration.dialects import load_registration_dialects
from yrd.registration.ingest import ingest_registration_files
from yrd.registration.keys import classify_key
from yrd.synthetic.investment import (
    EVENT_COLUMNS,
    INVESTMENT_FILES,
    InvestmentParams,
    draw_subsidiaries,
    generate_investments,
    identities_frame,
    write_investments,
)
from yrd.synthetic.raw import RawContext

ROOT = Path(__file__).resolve().parents[1]
SEED = 1616
#: Real counties (2021 vintage, codes stable since 1998) in six prefectures of three provinces.
COUNTIES = {
    "310100": ["310104", "310112", "310115"],
    "320500": ["320581", "320582", "320583"],
    "320200": ["320281", "320282"],
    "330400": ["330481", "330482", "330483"],
    "330600": ["330681", "330683"],
    "330200": ["330281", "330282"],
}
CLASSES = ["2664", "3762", "3471", "1711"]


def _geography(prefs: list[str], years: range, rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Distances (km between random points 50-700 km apart) and attractiveness by year."""
    xy = rng.uniform(0, 600, size=(len(prefs), 2))
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) + 50
    dist = pd.DataFrame(
        [(y, o, t, d[i, j]) for y in years for i, o in enumerate(prefs) for j, t in enumerate(prefs)],
        columns=["year", "origin", "dest", "distance_km"],
    )
    att = pd.DataFrame(
        [
            (y, q, a, b)
            for y in years
            for q, a, b in zip(prefs, rng.normal(size=len(prefs)), rng.normal(size=len(prefs)))
        ],
        columns=["year", "prefecture", "attractiveness_port", "attractiveness_urban"],
    )
    return dist, att


def _od_ppml(events: pd.DataFrame, dist: pd.DataFrame) -> pd.DataFrame:
    """PPML of the OD counts of the events (all ordered pairs o != d of every event year, zeros
    included) on log distance and the provincial border, origin-year and destination-year FE."""
    grid = dist[(dist["origin"] != dist["dest"]) & dist["year"].isin(events["year"].unique())]
    n = events.groupby(["year", "origin_prefecture", "dest_prefecture"]).size().rename("n").reset_index()
    n = n.rename(columns={"origin_prefecture": "origin", "dest_prefecture": "dest"})
    df = grid.merge(n, how="left", on=["year", "origin", "dest"]).fillna({"n": 0})
    df["log_distance"] = np.log(df["distance_km"])
    df["border"] = (df["origin"].str[:2] != df["dest"].str[:2]).astype(float)
    df["oy"] = df["origin"] + "_" + df["year"].astype(str)
    df["dy"] = df["dest"] + "_" + df["year"].astype(str)
    fit = pf.fepois("n ~ log_distance + border | oy + dy", data=df, vcov="hetero")
    return fit.tidy()[["Estimate", "Std. Error"]]


def _grid_world(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """15 prefectures in three provinces (one county each), firms present 2000-2004."""
    rng = np.random.default_rng(seed)
    prefs = [f"{p}{k:02d}00" for p in ("41", "42", "43") for k in range(1, 6)]
    years = range(2000, 2005)
    dist, att = _geography(prefs, years, rng)
    sizes = rng.integers(300, 1500, size=len(prefs))
    rows = []
    fid = 0
    for q, n in zip(prefs, sizes):
        for _ in range(n):
            fid += 1
            rows += [(fid, y, q[:4] + "01", "26") for y in years]
    return pd.DataFrame(rows, columns=["true_firm_id", "year", "county", "industry"]), dist, att


@pytest.mark.parametrize("seed", [1, 2])
def test_ppml_recovers_the_true_pair_coefficients(seed):
    panel, dist, att = _grid_world(seed)
    p = InvestmentParams(rate=0.15, beta_log_distance=-1.1, beta_border=-0.5)
    ev = draw_subsidiaries(panel, dist, att, p, np.random.default_rng(seed))
    assert len(ev) > 3000 and (ev["origin_prefecture"] != ev["dest_prefecture"]).all()
    est = _od_ppml(ev, dist)
    for name, true in (("log_distance", p.beta_log_distance), ("border", p.beta_border)):
        b, se = est.loc[name]
        assert abs(b - true) < 2 * se, (name, b, se, true)
        assert se < 0.1
    zero = draw_subsidiaries(
        panel,
        dist,
        att,
        InvestmentParams(rate=0.15, beta_log_distance=0.0, beta_border=0.0),
        np.random.default_rng(seed),
    )
    est0 = _od_ppml(zero, dist)
    for name in ("log_distance", "border"):
        b, se = est0.loc[name]
        assert abs(b) < 2 * se, (name, b, se)


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    """A hand-made panel on real counties (1998-2003: 900 initial firms, entrants every year,
    some exits), its identities from the ASIF raw layer, geography, and the written extract."""
    rng = np.random.default_rng(SEED)
    years = range(1998, 2004)
    prefs = list(COUNTIES)
    dist, att = _geography(prefs, years, rng)
    rows, fid = [], 0
    for first in years:
        for _ in range(900 if first == 1998 else 220):
            fid += 1
            q = prefs[rng.integers(len(prefs))]
            cty = COUNTIES[q][rng.integers(len(COUNTIES[q]))]
            k4 = CLASSES[rng.integers(len(CLASSES))]
            last = min(first + int(rng.integers(2, 8)), 2003)
            founded = int(rng.integers(1980, 1998)) if first == 1998 else first - int(rng.integers(0, 2))
            for y in range(first, last + 1):
                rows.append((fid, y, cty, k4[:2], k4, int(rng.integers(20, 500)), 1000.0, 900.0, founded, "173", False))
    cols = ["true_firm_id", "year", "county", "industry", "industry4", "employment", "output", "sales"]
    panel = pd.DataFrame(rows, columns=[*cols, "founding_year", "reg_type", "moved"])
    raw_cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["synthetic"]["raw"]
    ctx = RawContext.build(
        panel, raw_cfg, SEED, 2021, dialects=dialects(), history=AREACODES_CSV, crosswalks=crosswalks()
    )
    ids = identities_frame(ctx)
    p = InvestmentParams(
        rate=0.05, exact_duplicate_share=0.08, near_duplicate_share=0.08, invalid_key_share=0.1, bad_capital_share=0.05
    )
    ex = generate_investments(panel, ids, dist, att, history=AREACODES_CSV, seed=SEED, params=p)
    out = tmp_path_factory.mktemp("investments")
    write_investments(ex, out)
    return panel, ids, ex, out


def test_events_and_truth_files(mini):
    panel, ids, ex, out = mini
    ev = pd.read_parquet(out / "truth" / "investment_events.parquet")
    rec = pd.read_parquet(out / "truth" / "investment_records.parquet")
    assert set(EVENT_COLUMNS) <= set(ev.columns) and len(ev) == ex.params["n_subsidiaries"] > 100
    assert ev["subsidiary_id"].is_unique and (ev["origin_prefecture"] != ev["dest_prefecture"]).all()
    assert (ev["dest_county"].str[:4] + "00" == ev["dest_prefecture"]).all()
    assert rec["kind"].isin(["investment", "exact_duplicate", "near_duplicate"]).all()
    assert (rec["kind"] == "investment").sum() == len(ev)
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == sorted(f[0] for f in INVESTMENT_FILES)
    # the parent's industry, the parent was in the panel in t-1 at the origin
    prev = panel.assign(year=panel["year"] + 1).set_index(["true_firm_id", "year"])
    at = prev.loc[list(zip(ev["parent_firm_id"], ev["year"]))]
    assert (at["county"].to_numpy() == ev["origin_county"].to_numpy()).all()
    assert (at["industry"].to_numpy() == ev["industry"].to_numpy()).all()


def test_above_threshold_subsidiaries_are_distinct_entrants_of_the_destination(mini):
    panel, ids, ex, out = mini
    ev = ex.events
    above = ev[ev["above_threshold"]]
    assert 0.25 < len(above) / len(ev) < 0.45  # share 0.4, a few without a free entrant
    assert ev["asif_firm_id"].notna().eq(ev["above_threshold"]).all()
    assert above["asif_firm_id"].is_unique
    first = panel.sort_values("year").drop_duplicates("true_firm_id").set_index("true_firm_id")
    f = first.loc[above["asif_firm_id"].astype(int)]
    assert (f["year"].to_numpy() == above["year"].to_numpy()).all()
    assert (f["founding_year"].to_numpy() >= above["year"].to_numpy() - 1).all()
    assert (f["county"].str[:4].to_numpy() + "00" == above["dest_prefecture"].to_numpy()).all()
    assert (f["county"].to_numpy() == above["dest_county"].to_numpy()).all()
    # the investee is written with the entrant's ASIF name
    rec = ex.records[ex.records["kind"].eq("investment") & ex.records["above_threshold"]]
    names = ids.set_index("true_firm_id")["name0"]
    assert (rec["investee_name_true"].to_numpy() == names.loc[rec["asif_firm_id"].astype(int)].to_numpy()).all()


def test_extracts_ingest_with_the_planted_defects_where_they_belong(mini):
    _, _, ex, out = mini
    d = load_registration_dialects(
        ROOT / "config" / "registration_dialects.yaml", ROOT / "config" / "schemas" / "header_dialects.schema.yaml"
    )
    clean, quar, recon = ingest_registration_files(
        [out / f[0] for f in INVESTMENT_FILES], "investment", d, history=AREACODES_CSV, provinces=["31", "32", "33"]
    )
    assert recon["balanced"].all() and recon["rows_read"].sum() == len(ex.records)
    t = ex.records.assign(source_file=ex.records["source_file"].map(lambda f: str(out / f)))
    key = lambda df: set(zip(df["source_file"], df["source_row"]))  # noqa: E731
    # planted capitals in US dollars are clean rows (capital missing, currency USD), none quarantined
    # for its capital; the few quarantined are so for their address; every clean row has the
    # truth's capital and currency (a record and its exact copies are one group: ingest keeps the
    # first in file order)
    record = dict(zip(zip(t["source_file"], t["source_row"]), t["duplicate_of"].fillna(t["record_id"]).astype(int)))
    usd = t[t["capital_format"].eq("usd")]
    assert len(usd) and not quar["reason"].str.startswith(("bad_capital", "negative_capital")).any()
    addr_q = key(quar[quar["reason"].str.startswith("address_no_prefecture")])
    assert key(usd) & key(quar) <= addr_q
    clean_usd = clean[clean["capital_currency"].eq("USD")]
    kept = {record[k] for k in key(clean_usd)}
    assert kept == {record[k] for k in key(usd)} - {record[k] for k in key(usd) & key(quar)}
    assert len(kept) == len(clean_usd)
    assert len(kept) >= 0.9 * (usd["kind"] == "investment").sum()
    assert clean_usd["capital_wan"].isna().all() and recon["capital_other_currency"].sum() == len(clean_usd)
    truth = t.set_index(["source_file", "source_row"]).loc[list(zip(clean["source_file"], clean["source_row"]))]
    assert truth["capital_currency"].fillna("none").tolist() == clean["capital_currency"].fillna("none").tolist()
    np.testing.assert_allclose(clean["capital_wan"].to_numpy(), truth["capital_wan"].to_numpy(dtype=float))
    assert recon["capital_missing"].sum() == clean["capital_currency"].isna().sum() > 0
    # planted vague addresses (prefecture and zone only) are kept with their true prefecture and no
    # county (a few resolve to a county all the same: an old county-level city of the prefecture's
    # name, e.g. 嘉兴市 -> 330402); addresses without a prefecture are a few parser misses
    vague = t[t["address_style"].str.endswith("_vague") & t["kind"].ne("exact_duplicate")]
    no_pref = key(quar[quar["reason"].str.startswith("address_no_prefecture")])
    assert not quar["reason"].str.startswith("address_no_county").any()
    assert len(no_pref & key(vague)) <= 0.05 * len(key(vague)) and len(no_pref) <= 0.01 * len(t)
    truth_pref = dict(zip(zip(t["source_file"], t["source_row"]), t["dest_prefecture"]))
    kept = clean[[k in key(vague) for k in zip(clean["source_file"], clean["source_row"])]]
    assert len(kept) >= 0.5 * len(key(vague)) > 0
    assert kept["investee_county"].isna().mean() >= 0.5
    got = [
        truth_pref[k] == p for k, p in zip(zip(kept["source_file"], kept["source_row"]), kept["investee_prefecture"])
    ]
    assert np.mean(got) >= 0.95
    # exact copies are the raw duplicates; near copies of kept originals are the event duplicates
    assert recon["raw_duplicates"].sum() == (t["kind"] == "exact_duplicate").sum()
    orig = t[t["kind"] == "investment"].set_index("record_id")
    near = t[t["kind"] == "near_duplicate"]
    kept = near[
        [
            (f, r) not in key(quar)
            for f, r in zip(orig.loc[near["duplicate_of"], "source_file"], orig.loc[near["duplicate_of"], "source_row"])
        ]
    ]
    assert len(kept) and recon["event_duplicates"].sum() == len(kept)
    removed = set(zip(t["source_file"], t["source_row"])) - key(clean) - key(quar)
    # ingest keeps the first row of a group in file order: one row of every duplicate group goes
    group = t["duplicate_of"].fillna(t["record_id"]).astype(int)
    dup_groups = set(group[t["kind"].ne("investment")])
    in_group = {(f, r): g for f, r, g in zip(t["source_file"], t["source_row"], group)}
    assert len(removed) == (t["kind"] == "exact_duplicate").sum() + len(kept)
    assert {in_group[k] for k in removed} <= dup_groups
    # planted invalid investor keys are the invalid keys ingest drops (rows kept by name)
    assert recon["keys_invalid"].sum() == t[t["kind"].ne("exact_duplicate")]["investor_key_invalid"].sum() > 0


def test_investor_keys_embed_the_parents_asif_organisation_code(mini):
    _, ids, ex, _ = mini
    r = ex.records[ex.records["kind"] == "investment"]
    files = ex.files
    written = [files[f].at[i, "investor_code"] for f, i in zip(r["source_file"], r["source_row"])]
    idt = ids.set_index("true_firm_id")
    org = np.where(idt["reissue_year"] < 9999, idt["org_code1"], idt["org_code0"])
    org = pd.Series(org, index=idt.index).loc[r["parent_firm_id"]].to_numpy()
    n_credit = 0
    for k, kind, bad, o in zip(written, r["investor_key_written"], r["investor_key_invalid"], org):
        chk = classify_key(k)
        if kind == "none":
            assert k == ""
        elif bad:
            assert chk.kind == "invalid" and k[8:17] == o
        elif kind == "credit_code":
            n_credit += 1
            assert chk.kind == "credit_code" and chk.org_code == o, (k, o)
        elif kind == "organisation_code":
            assert chk.kind == "organisation_code" and chk.org_code == o
        else:
            assert chk.kind == "registration_number"
    assert n_credit > 0.7 * len(r)


def test_deterministic_and_params_validated(mini, tmp_path):
    panel, ids, ex, _ = mini
    dist, att = _geography(list(COUNTIES), range(1998, 2004), np.random.default_rng(SEED))
    again = generate_investments(
        panel,
        ids,
        dist,
        att,
        history=AREACODES_CSV,
        seed=SEED,
        params=InvestmentParams(
            rate=0.05,
            exact_duplicate_share=0.08,
            near_duplicate_share=0.08,
            invalid_key_share=0.1,
            bad_capital_share=0.05,
        ),
    )
    pd.testing.assert_frame_equal(again.records, ex.records)
    with pytest.raises(ValueError, match="rate"):
        InvestmentParams(rate=1.5)
    with pytest.raises(ValueError, match="unknown"):
        InvestmentParams.from_config({"seed_offset": 1, "rates": 0.1})
    with pytest.raises(ValueError, match="identities lack"):
        generate_investments(panel, ids.iloc[:10], dist, att, history=AREACODES_CSV, seed=SEED)
