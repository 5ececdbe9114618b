"""The messy raw layer of the synthetic world (yrd.synthetic.raw) on a small fake true panel.

Each test reads the written files back the way an ingestion stage would (headers mapped
through config/header_dialects.yaml) and checks one property against the true panel and the
record truth. Configurations are built from ``synthetic.raw`` of config/config.yaml (the only
place its defaults live) with a few keys overridden.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.resources import (
    AREACODES_CSV,
    DIALECTS_SCHEMA,
    DIALECTS_YAML,
    NAMES_2002_CSV,
    crosswalks,
    raw_world_references,
)
from yrd.config import deep_update
from yrd.geography import codes_in_force, harmonise_county_codes
from yrd.industry import MANUFACTURING_2002, crosswalk, harmonise_industry_codes, names_2002_4digit
from yrd.ingest.headers import load_dialects
from yrd.synthetic import identity as ident
from yrd.synthetic import raw

START, END = 1998, 2013
PROVINCES = ["31", "32", "33", "34"]
SEED = 7
ROOT = Path(__file__).resolve().parents[1]
CONFIG_RAW = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["synthetic"]["raw"]


def raw_config(**overrides) -> dict:
    """``synthetic.raw`` of config/config.yaml with ``overrides`` merged in (as --configfile does)."""
    return deep_update(copy.deepcopy(CONFIG_RAW), overrides)


CFG = raw_config(
    formats={"2005": "xlsx", "2010": "csv_utf8", "2013": "parquet"},
    id_reissue_rate=0.1,
    id_reuse_rate=0.1,
    name_variant_rate=0.1,
    rename_rate=0.1,
    legal_rep_change_rate=0.1,
    phone_change_rate=0.1,
    duplicate_rate=0.02,
    invalid_rate=0.03,
    missing_firm_code_rate=0.01,
)
#: counties with real code changes in 1998-2013 where many fake firms are placed
CHANGED = ("320115", "320508", "310101", "330109")


def fake_panel(n_firms: int = 320, seed: int = 1) -> pd.DataFrame:
    """A true panel like the model's: firms entering and leaving, gaps, moves within and
    between prefectures, real 2021 counties reachable in every year, real 2002 classes."""
    rng = np.random.default_rng(seed)
    counties = np.array(sorted(raw.reachable_counties(range(START, END + 1), 2021, PROVINCES, history=AREACODES_CSV)))
    cls = names_2002_4digit(NAMES_2002_CSV)["code"]
    cls = cls[cls.str[:2].isin(MANUFACTURING_2002)].to_numpy()
    ids = np.arange(1, n_firms + 1, dtype=np.int64) * 7 + 1000
    entry = np.where(rng.random(n_firms) < 0.5, START, rng.integers(START, END + 1, n_firms))
    exit_ = np.minimum(END, entry + rng.integers(0, END - START + 1, n_firms))
    c0 = np.where(rng.random(n_firms) < 0.35, rng.choice(np.array(CHANGED), n_firms), rng.choice(counties, n_firms))
    mover = (rng.random(n_firms) < 0.3) & (exit_ > entry)
    move_year = entry + 1 + (rng.random(n_firms) * np.maximum(exit_ - entry, 1)).astype(int)
    pref = np.array([c[:4] for c in counties])
    same = np.array([counties[(pref == c[:4]) & (counties != c)] for c in c0], dtype=object)
    c1 = np.array(
        [
            s[rng.integers(len(s))] if len(s) and rng.random() < 0.4 else counties[rng.integers(len(counties))]
            for s in same
        ]
    )
    c1 = np.where(c1 == c0, counties[(np.searchsorted(counties, c0) + 1) % len(counties)], c1)
    n_rows = exit_ - entry + 1
    fi = np.repeat(np.arange(n_firms), n_rows)
    yr = entry[fi] + np.arange(len(fi)) - np.repeat(np.cumsum(n_rows) - n_rows, n_rows)
    keep = (rng.random(len(fi)) < 0.93) | (yr == entry[fi])
    fi, yr = fi[keep], yr[keep]
    county = np.where(mover[fi] & (yr >= move_year[fi]), c1[fi], c0[fi])
    k4 = rng.choice(cls, n_firms)
    emp = np.maximum(1, np.exp(rng.normal(4.5, 1.0, len(fi)))).astype(np.int64)
    out = np.round(emp * rng.uniform(80, 400, len(fi)), 1)
    panel = pd.DataFrame(
        {
            "true_firm_id": ids[fi],
            "year": yr.astype(int),
            "county": county,
            "industry": [k[:2] for k in k4[fi]],
            "industry4": k4[fi],
            "employment": emp,
            "output": out,
            "sales": np.round(out * rng.uniform(0.85, 1.0, len(fi)), 1),
            "founding_year": (entry - rng.integers(0, 30, n_firms))[fi].astype(int),
            "reg_type": rng.choice(["110", "159", "160", "173", "310", "320", "230", "171"], n_firms)[fi],
        }
    )
    prev = panel.groupby("true_firm_id")["county"].shift()
    panel["moved"] = prev.notna() & (prev != panel["county"])
    return panel.sort_values(["year", "true_firm_id"]).reset_index(drop=True)


def _write(tmp_path_factory, name, seed):
    out = tmp_path_factory.mktemp(name)
    truth = raw.write_raw_world(PANEL, out, CFG, seed=seed, **raw_world_references())
    return out, truth


PANEL = fake_panel()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return _write(tmp_path_factory, "raw_a", SEED)


@pytest.fixture(scope="module")
def table():
    return load_dialects(DIALECTS_YAML, DIALECTS_SCHEMA)


def _meta(out: Path) -> dict:
    return json.loads((out / "truth" / "files.json").read_text(encoding="utf-8"))


def read_file(path: Path) -> pd.DataFrame:
    """A raw file as an ingestion stage would read it: every value as text."""
    if path.suffix == ".dta":
        return pd.read_stata(path).astype(object).astype(str).replace({"": None, "nan": None})
    if path.suffix == ".csv":
        with open(path, "rb") as fh:
            head = fh.read(3)
        enc = "utf-8-sig" if head == b"\xef\xbb\xbf" else "utf-8"
        try:
            return pd.read_csv(path, dtype=str, encoding=enc, keep_default_na=True)
        except UnicodeDecodeError:
            return pd.read_csv(path, dtype=str, encoding="gbk")
    if path.suffix == ".parquet":
        return pd.read_parquet(path).astype(object).astype(str).replace({"None": None, "nan": None})
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=str)
    raise AssertionError(path)


def canonical(df: pd.DataFrame, table) -> pd.DataFrame:
    """Rename headers to canonical columns through the dialect table."""
    lookup = {h: c for d in table.dialects.values() for c, names in d.items() for h in names}
    missing = [h for h in df.columns if h not in lookup]
    assert not missing, f"headers not in the dialect table: {missing}"
    return df.rename(columns=lookup)


@pytest.fixture(scope="module")
def records(world, table):
    """All raw rows (canonical columns, text values) joined with the truth and the true panel."""
    out, truth = world
    parts = []
    for fname in sorted(_meta(out)):
        d = canonical(read_file(out / fname), table)
        d["source_file"] = fname
        d["source_row"] = np.arange(len(d))
        parts.append(d)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.drop(columns=["year"]).merge(truth, on=["source_file", "source_row"], how="left", validate="1:1")
    assert rows["true_firm_id"].notna().all()
    true = PANEL.rename(columns={c: f"true_{c}" for c in PANEL.columns if c not in ("true_firm_id", "year")})
    return rows.merge(true, on=["true_firm_id", "year"], how="left", validate="m:1")


# ----------------------------------------------------------------------------- files
def test_formats_present_and_readable(world):
    out, truth = world
    meta = _meta(out)
    cfg = raw.resolve_raw_config(CFG, range(START, END + 1))
    assert sorted(meta) == [raw.file_name(y, cfg["years"][y]["format"]) for y in range(START, END + 1)]
    fmts = {m["format"] for m in meta.values()}
    assert {"dta", "csv_gbk", "csv_utf8_bom", "csv_utf8", "xlsx", "parquet"} <= fmts
    for fname, m in meta.items():
        path = out / fname
        n = (truth["source_file"] == fname).sum()
        if m["format"] == "dta":
            assert len(pd.read_stata(path)) == n
        elif m["format"] == "csv_gbk":
            blob = path.read_bytes()
            assert not blob.startswith(b"\xef\xbb\xbf")
            with pytest.raises(UnicodeDecodeError):
                blob.decode("utf-8")  # Chinese text in GBK is not valid UTF-8
            assert len(pd.read_csv(path, encoding="gbk", dtype=str)) == n
            assert b"\r\n" in blob
        elif m["format"] == "csv_utf8_bom":
            blob = path.read_bytes()
            assert blob[:3] == b"\xef\xbb\xbf"
            assert len(pd.read_csv(path, encoding="utf-8-sig", dtype=str)) == n
        elif m["format"] == "csv_utf8":
            blob = path.read_bytes()
            assert blob[:3] != b"\xef\xbb\xbf" and b"\r\n" not in blob
            assert len(pd.read_csv(path, encoding="utf-8", dtype=str)) == n
        elif m["format"] == "parquet":
            assert len(pd.read_parquet(path)) == n
        elif m["format"] == "xlsx":
            assert len(pd.read_excel(path)) == n


def test_truth_one_row_per_raw_row(world):
    out, truth = world
    assert list(truth.columns) == [
        "source_file",
        "source_row",
        "true_firm_id",
        "year",
        "invalid",
        "invalid_reason",
        "duplicate",
        "id_reissued",
        "id_reused",
        "name_variant",
        "renamed",
        "firm_code_missing",
    ]
    stored = pd.read_parquet(out / "truth" / "records.parquet")
    pd.testing.assert_frame_equal(stored.astype(object), truth.astype(object), check_dtype=False)
    for fname, m in _meta(out).items():
        t = truth[truth["source_file"] == fname]
        assert len(read_file(out / fname)) == len(t) == m["rows"]
        assert t["source_row"].tolist() == list(range(len(t)))
        assert (t["year"] == m["year"]).all()
    # every true firm-year is written exactly once, besides duplicates
    orig = truth[~truth["duplicate"]]
    assert len(orig) == len(PANEL)
    key = pd.MultiIndex.from_frame(orig[["true_firm_id", "year"]])
    assert key.is_unique
    assert key.sort_values().equals(pd.MultiIndex.from_frame(PANEL[["true_firm_id", "year"]]).sort_values())


def test_headers_in_dialect_table_and_differ_by_year(world, table):
    out, _ = world
    meta = _meta(out)
    sets = {}
    for fname, m in meta.items():
        header = list(read_file(out / fname).columns)
        d = table.dialects[m["dialect"]]
        for h in header:
            assert any(h in names for names in d.values()), f"{fname}: {h!r} not a {m['dialect']} header"
        cols = canonical(pd.DataFrame(columns=header), table).columns
        assert set(table.required) <= set(cols), fname
        assert len(cols) == len(set(cols))
        sets.setdefault(m["dialect"], []).append(frozenset(header))
    assert set(sets) == {"zh", "en", "pinyin"}
    for dialect, s in sets.items():
        assert len(set(s)) > 1, f"all {dialect} years share one header set"
        # one canonical column goes by different names in different years of the dialect
        names = pd.DataFrame([m["columns"] for m in meta.values() if m["dialect"] == dialect])
        varying = [c for c in names.columns if names[c].nunique() > 1]
        assert len(varying) >= (3 if dialect == "zh" else 1), (dialect, varying)
    years_without = [m["year"] for m in meta.values() if "year" not in m["columns"]]
    assert years_without and len(years_without) < len(meta)
    assert "sales" not in meta["asif_1999.csv"]["columns"]


def test_dialect_table_is_unambiguous(table, tmp_path):
    owner = {}
    for d in table.dialects.values():
        for c, names in d.items():
            for h in names:
                assert owner.setdefault(h, c) == c, h
    assert set(raw.CANONICAL) == set(table.canonical)
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    doc["dialects"]["en"]["sales"].append("output")  # 'output' already names the output column
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="output"):
        load_dialects(bad, DIALECTS_SCHEMA)


# ----------------------------------------------------------------------------- values
def test_money_units(world, records):
    out, _ = world
    meta = _meta(out)
    wan_files = [f for f, m in meta.items() if m["money_unit"] == "wan"]
    assert wan_files and len(wan_files) < len(meta)
    r = records
    for col in ("output", "sales"):
        sel = r[col].notna()
        value = r.loc[sel, col].astype(float)
        wan = r.loc[sel, "source_file"].isin(wan_files)
        true = r.loc[sel, f"true_{col}"]
        assert np.allclose(value[wan], true[wan] / 10, atol=0.006), col
        assert np.allclose(value[~wan], true[~wan], atol=0.06), col
        assert not np.allclose(value[wan], true[wan], atol=1.0)


def test_county_codes_in_force_and_harmonise_back(records):
    r = records[~records["invalid"]]
    assert r["county_code"].notna().all()
    code = r["county_code"].str.replace(r"\.0$", "", regex=True)
    for y, g in code.groupby(r["year"]):
        in_force = set(codes_in_force(int(y), "county", PROVINCES, history=AREACODES_CSV)["code"])
        assert set(g) <= in_force, y
    back = harmonise_county_codes(code, r["year"], 2021, history=AREACODES_CSV)
    assert (back.to_numpy() == r["true_county"].to_numpy()).all()
    # real code changes show up with no move of any firm
    jiangning = set(code[(r["true_county"] == "320115") & (r["year"] <= 1999)])
    assert jiangning == {"320121"}
    gusu_before = set(code[(r["true_county"] == "320508") & (r["year"] < 2012)])
    assert gusu_before and gusu_before <= {"320502", "320503", "320504"}
    assert set(code[(r["true_county"] == "320508") & (r["year"] >= 2012)]) == {"320508"}
    assert (code != r["true_county"]).mean() > 0.05
    # a firm that does not move changes code only when its code goes out of force
    s = r.assign(code=code)[~r["duplicate"]].sort_values(["true_firm_id", "year"])
    prev = s.groupby("true_firm_id")[["code", "true_county"]].shift()
    changed = prev["code"].notna() & (prev["true_county"] == s["true_county"]) & (prev["code"] != s["code"])
    assert changed.sum() > 0
    for old, y in set(zip(prev.loc[changed, "code"], s.loc[changed, "year"])):
        assert old not in set(codes_in_force(int(y), "county", PROVINCES, history=AREACODES_CSV)["code"]), (old, y)


def test_industry_codes_in_year_vintage(world, records):
    out, _ = world
    r = records[~records["invalid"]]
    code = r["industry_code"].str.replace(r"\.0$", "", regex=True)
    assert code.str.fullmatch(r"\d{4}").all()
    sources = {
        1994: set(crosswalk(1994, level=4, crosswalks=crosswalks())["from_code"]),
        2011: set(crosswalk(2011, level=4, crosswalks=crosswalks())["from_code"]),
        2002: set(names_2002_4digit(NAMES_2002_CSV)["code"]),
    }
    for y, g in code.groupby(r["year"]):
        v = 1994 if y <= 2002 else 2002 if y <= 2011 else 2011
        assert set(g) <= sources[v], y
    back = harmonise_industry_codes(code, r["year"], crosswalks=crosswalks())
    assert (back.to_numpy() == r["true_industry"].to_numpy()).all()
    # 2002-vintage years carry the true class; other vintages differ for some firms
    mid = (r["year"] >= 2003) & (r["year"] <= 2011)
    assert (code[mid] == r.loc[mid, "true_industry4"]).all()
    assert (code[r["year"] <= 2002] != r.loc[r["year"] <= 2002, "true_industry4"]).any()
    assert (code[r["year"] >= 2012] != r.loc[r["year"] >= 2012, "true_industry4"]).any()
    for fname, m in _meta(out).items():
        if m["format"] == "dta":
            assert pd.api.types.is_integer_dtype(pd.read_stata(out / fname)[m["columns"]["industry_code"]])


# ----------------------------------------------------------------------------- identities
def test_reissued_and_reused_ids(records):
    r = records[records["firm_code"].notna()].copy()
    r["code"] = r["firm_code"].str.replace("-", "", regex=False)
    assert r["code"].str.fullmatch(r"\d{8}[\dX]").all()
    assert (ident.check_character(r["code"].str[:8].astype(np.int64).to_numpy()) == r["code"].str[8].to_numpy()).all()
    assert r["id_reissued"].sum() > 0 and r["id_reused"].sum() > 0
    per_firm = r.groupby(["true_firm_id", "id_reissued"])["code"].nunique()
    assert (per_firm == 1).all()  # one code before, one after the reissue
    codes = r.groupby(["true_firm_id", "id_reissued"])["code"].first().unstack()
    both = codes.dropna()
    assert len(both) and (both[True] != both[False]).all()
    # reissued codes are new; reused codes were an earlier firm's, which has left the sample
    for code, g in r[r["id_reissued"]].groupby("code"):
        others = r[(r["code"] == code) & (r["true_firm_id"] != g["true_firm_id"].iat[0])]
        assert others["id_reused"].all() and (others["year"] > g["year"].max()).all()
    for code, g in r[r["id_reused"]].groupby("code"):
        others = r[(r["code"] == code) & (r["true_firm_id"] != g["true_firm_id"].iat[0])]
        assert len(others) and others["year"].max() < g["year"].min()
    unflagged = r[~r["id_reissued"] & ~r["id_reused"]]
    assert (unflagged.groupby("code")["true_firm_id"].nunique() == 1).all()
    assert records["firm_code_missing"].sum() > 0
    assert records.loc[records["firm_code_missing"], "firm_code"].isna().all()


def test_identities_truth_is_what_the_files_show(world, records):
    """truth/identities.parquet: one row per firm of the panel; the firm code of every row is
    org_code1 from reissue_year on, else org_code0, and every name not written as a variant is
    name1 from rename_year on, else name0 (what other extracts of the same firms share)."""
    out, _ = world
    ids = pd.read_parquet(out / "truth" / "identities.parquet")
    assert list(ids.columns) == [
        "true_firm_id",
        "org_code0",
        "org_code1",
        "reissue_year",
        "name0",
        "name1",
        "rename_year",
    ]
    assert ids["true_firm_id"].is_unique and set(ids["true_firm_id"]) == set(PANEL["true_firm_id"])
    assert (ids["org_code1"].isna() == (ids["reissue_year"] == 9999)).all()
    assert (ids["name1"].isna() == (ids["rename_year"] == 9999)).all()
    r = records.merge(ids, on="true_firm_id", how="left", validate="m:1")
    c = r[r["firm_code"].notna()]
    expected = np.where(c["year"] >= c["reissue_year"], c["org_code1"], c["org_code0"])
    assert (c["firm_code"].str.replace("-", "", regex=False).to_numpy() == expected).all()
    assert (c["year"] >= c["reissue_year"]).sum() > 0
    n = r[r["name"].notna() & ~r["name_variant"]]
    expected = np.where(n["year"] >= n["rename_year"], n["name1"], n["name0"])
    assert (n["name"].to_numpy() == expected).all() and (n["year"] >= n["rename_year"]).sum() > 0


def test_name_variants_and_renames(records):
    r = records[records["name"].notna()]
    assert r["name_variant"].sum() > 0 and r["renamed"].sum() > 0
    canon = r[~r["name_variant"]].groupby(["true_firm_id", "renamed"])["name"].agg(["nunique", "first"])
    assert (canon["nunique"] == 1).all()  # a firm's name is stable between renames
    v = r[r["name_variant"]].join(canon["first"], on=["true_firm_id", "renamed"])
    v = v[v["first"].notna()]
    assert len(v) and (v["name"] != v["first"]).all()
    kinds = {
        "space": v["name"].str.contains(" ", regex=False).sum(),
        "ascii": v["name"].str.contains("(", regex=False).sum(),
        "shorter": (v["name"].str.len() < v["first"].str.len()).sum(),
    }
    assert all(k > 0 for k in kinds.values()), kinds
    # renamed firms have a different name after the rename; names are unique between firms
    ren = canon["first"].unstack().dropna()
    assert len(ren) and (ren[True] != ren[False]).all()
    assert canon["first"].reset_index().groupby("first")["true_firm_id"].nunique().max() == 1
    forms = tuple(ident.LEGAL_FORMS)
    assert canon["first"].str.endswith(forms).all()


def test_phones_addresses_postcodes_follow_moves(records):
    r = records[~records["duplicate"]].sort_values(["true_firm_id", "year"])
    pref = r["true_county"].str[:4] + "00"
    area = r["area_code"].fillna(r["phone"].str.split("-").str[0])
    assert (area == pref.map(ident.AREA_CODES)).all()
    post = r["postcode"].dropna()
    assert post.str.fullmatch(r"\d{6}").all()
    prefix = pref[post.index].map(ident.POSTCODE_PREFIX)
    assert all(p.startswith(q) for p, q in zip(post, prefix))
    phone = r["phone"].str.split("-").str[-1]
    prev = r.groupby("true_firm_id")[["true_county", "address"]].shift()
    prev_phone = phone.groupby(r["true_firm_id"]).shift()
    cross = prev["true_county"].notna() & (prev["true_county"].str[:4] != r["true_county"].str[:4])
    assert cross.sum() > 0
    assert (phone[cross] != prev_phone[cross]).all()
    moved = prev["true_county"].notna() & (prev["true_county"] != r["true_county"])
    ok = r["address"].notna() & prev["address"].notna()
    assert (r.loc[moved & ok, "address"] != prev.loc[moved & ok, "address"]).all()
    legal = r["legal_rep"].dropna()
    assert legal.str.len().between(2, 3).all() and legal.str[0].isin(list(ident.SURNAMES)).all()


# ----------------------------------------------------------------------------- defects
def test_duplicates_are_exact_copies(world, table):
    out, truth = world
    n_dup = 0
    for fname in _meta(out):
        d = read_file(out / fname)
        t = truth[truth["source_file"] == fname]
        flagged = t["duplicate"].to_numpy()
        assert (d.duplicated(keep="first").to_numpy() == flagged).all(), fname
        for i in np.flatnonzero(flagged):
            same = d.index[(d.fillna("<NA>") == d.fillna("<NA>").iloc[i]).all(axis=1)]
            assert same[0] < i
            assert t["true_firm_id"].iat[same[0]] == t["true_firm_id"].iat[i]
        n_dup += flagged.sum()
    assert n_dup > 0
    after = []
    for fname in _meta(out):
        t = truth[truth["source_file"] == fname]
        ids = t["true_firm_id"].to_numpy()
        for i in np.flatnonzero(t["duplicate"].to_numpy()):
            after.append(ids[i - 1] == ids[i])
    assert any(after) and not all(after)  # right after the original, or later in the file


def test_invalid_rows_carry_their_defect(records):
    r = records
    inv = r[r["invalid"]]
    assert set(inv["invalid_reason"]) == set(raw.INVALID_REASONS)
    assert r.loc[~r["invalid"], "invalid_reason"].isna().all()
    assert len(inv) < 0.1 * len(r)
    reason = inv["invalid_reason"]
    assert inv.loc[reason == "missing_county_code", "county_code"].isna().all()
    assert (inv.loc[reason == "negative_employment", "employment"].astype(float) < 0).all()
    fy = inv.loc[reason == "founding_year_impossible"]
    fy_val = fy["founding_year"].astype(float)
    assert ((fy_val > fy["year"]) | (fy_val < 1800)).all()
    ind = inv.loc[reason == "unknown_industry_code", "industry_code"].str.replace(r"\.0$", "", regex=True)
    assert (ind == raw.UNKNOWN_INDUSTRY_CODE).all()
    assert harmonise_industry_codes(ind, inv.loc[ind.index, "year"], crosswalks=crosswalks()).isna().all()
    ok = r[~r["invalid"]]
    assert ok["county_code"].notna().all()
    assert (ok["employment"].astype(float) >= 1).all()
    fyo = ok["founding_year"].astype(float)
    assert ((fyo <= ok["year"]) & (fyo >= 1800)).all()
    assert (ok["employment"].astype(int) == ok["true_employment"]).all()
    assert (fyo.astype(int) == ok["true_founding_year"]).all()


# ----------------------------------------------------------------------------- determinism
def test_same_seed_same_bytes_other_seed_other_world(world, tmp_path_factory):
    out_a, truth_a = world
    out_b, truth_b = _write(tmp_path_factory, "raw_b", SEED)
    out_c, truth_c = _write(tmp_path_factory, "raw_c", SEED + 1)
    files = sorted(_meta(out_a)) + ["truth/records.parquet", "truth/files.json", "truth/identities.parquet"]
    for f in files:
        assert (out_a / f).read_bytes() == (out_b / f).read_bytes(), f
    differ = [f for f in sorted(_meta(out_a)) if (out_c / f).read_bytes() != (out_a / f).read_bytes()]
    assert differ == sorted(_meta(out_a))
    a = read_file(out_a / "asif_1999.csv")
    c = read_file(out_c / "asif_1999.csv")
    assert set(a.iloc[:, 0].dropna()).isdisjoint(set(c.iloc[:, 0].dropna()))  # other firm codes


# ----------------------------------------------------------------------------- helpers and errors
def test_reachable_counties_and_unreachable_county_raises(tmp_path):
    years = range(START, END + 1)
    reach = raw.reachable_counties(years, 2021, PROVINCES, history=AREACODES_CSV)
    assert "320115" in reach and "320508" in reach
    assert "320507" not in reach  # 相城区: part of 吴县市 (harmonised to 吴中区) before 2001
    assert "320507" in raw.reachable_counties(range(2002, 2014), 2021, ["32"], history=AREACODES_CSV)
    bad = PANEL.copy()
    bad.loc[bad.index[0], "county"] = "320507"
    year0 = int(bad["year"].iat[0])
    with pytest.raises(ValueError, match=f"320507.*{year0}"):
        raw.write_raw_world(bad, tmp_path / "x", CFG, seed=1, **raw_world_references())


def test_config_validation():
    years = range(START, END + 1)
    with pytest.raises(ValueError, match="unknown raw_cfg"):
        raw.resolve_raw_config(raw_config(invalid_share=0.1), years)
    with pytest.raises(ValueError, match="required"):
        raw.resolve_raw_config(raw_config(columns_absent={"2000": ["firm_code"]}), years)
    with pytest.raises(ValueError, match="formats"):
        raw.resolve_raw_config(raw_config(formats={"2000": "sas"}), years)
    with pytest.raises(ValueError, match="invalid_rate"):
        raw.resolve_raw_config(raw_config(invalid_rate=1.5), years)
    cfg = raw.resolve_raw_config(raw_config(formats={"2001": "parquet"}, money_unit={"2004": "qian"}), years)
    assert cfg["years"][2001]["format"] == "parquet"
    assert cfg["years"][2004]["money_unit"] == "qian" and cfg["years"][2009]["money_unit"] == "wan"
    default = raw.resolve_raw_config(CONFIG_RAW, years)
    assert {"dta", "csv_gbk", "csv_utf8_bom"} <= {y["format"] for y in default["years"].values()}
    assert "wan" in {y["money_unit"] for y in default["years"].values()}
    assert default["invalid_rate"] == pytest.approx(CONFIG_RAW["invalid_rate"])


def test_config_has_no_defaults_in_code():
    """The configuration is the only place of the defaults: a missing key is refused, naming it."""
    years = range(START, END + 1)
    with pytest.raises(ValueError, match="lacks the keys"):
        raw.resolve_raw_config(None, years)
    partial = copy.deepcopy(CONFIG_RAW)
    del partial["duplicate_rate"], partial["formats"]
    with pytest.raises(ValueError, match=r"\['formats', 'duplicate_rate'\]"):
        raw.resolve_raw_config(partial, years)
    # years that a year map does not list follow the writer's rules
    cfg = raw.resolve_raw_config(raw_config(), range(2014, 2017))
    assert [cfg["years"][y]["format"] for y in (2014, 2015, 2016)] == ["csv_gbk", "csv_utf8_bom", "dta"]
    assert cfg["years"][2016]["dialect"] == "en" and cfg["years"][2014]["dialect"] == "zh"
    assert {cfg["years"][y]["money_unit"] for y in cfg["years"]} == {"qian"}


def test_a_dialect_missing_from_the_table_is_named(tmp_path):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    del doc["dialects"]["pinyin"]
    bad = tmp_path / "no_pinyin.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    refs = {**raw_world_references(), "dialects": load_dialects(bad, DIALECTS_SCHEMA)}
    with pytest.raises(ValueError, match=r"dialects \['pinyin'\] missing"):
        raw.write_raw_world(PANEL, tmp_path / "x", CFG, seed=1, **refs)


def test_text_is_gbk_encodable():
    names = pd.concat(
        [
            codes_in_force(y, "county", PROVINCES, history=AREACODES_CSV)[["name", "parent"]]
            for y in range(START, END + 1)
        ]
    )
    pools = [
        ident.SURNAMES,
        ident.GIVEN_CHARS,
        ident.TRADE_CHARS,
        ident.TRADE_TYPOS,
        *ident.ROADS,
        *ident.TOWNS,
        *ident.ZONES,
        *ident.LEGAL_FORMS,
        *sum(ident.INDUSTRY_WORDS.values(), ()),
        "（）",
        " ",
    ]
    text = "".join(pools) + "".join(names["name"]) + "".join(names["parent"])
    text += "".join(
        n for d in load_dialects(DIALECTS_YAML, DIALECTS_SCHEMA).dialects.values() for v in d.values() for n in v
    )
    text.encode("gbk")


def test_names_unique_in_a_crowded_county(tmp_path):
    # 3000 firms of one class in one county: trade names must be redrawn until names are unique
    n = 3000
    panel = pd.DataFrame(
        {
            "true_firm_id": np.arange(n, dtype=np.int64),
            "year": 2005,
            "county": "320115",
            "industry": "17",
            "industry4": "1711",
            "employment": 50,
            "output": 1000.0,
            "sales": 900.0,
            "founding_year": 2000,
            "reg_type": "173",
            "moved": False,
        }
    )
    cfg = raw_config(name_variant_rate=0.0, duplicate_rate=0.0, invalid_rate=0.0, formats={"2005": "parquet"})
    truth = raw.write_raw_world(panel, tmp_path, cfg, seed=3, **raw_world_references())
    header = _meta(tmp_path)["asif_2005.parquet"]["columns"]["name"]
    names = pd.read_parquet(tmp_path / "asif_2005.parquet")[header]
    assert len(names) == len(truth) == n
    assert names.is_unique
