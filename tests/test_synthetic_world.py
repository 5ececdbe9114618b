"""The tiny synthetic world written by the workflow (rule simulate): every property of the messy
raw layer, and the truth contract (issue: synthetic ASIF-like world with known truth)."""

import json

import pandas as pd
import pytest
import yaml

from helpers.resources import AREACODES_CSV, crosswalks
from yrd.geography import harmonise_county_codes
from yrd.industry import harmonise_industry_codes

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def world(tiny_run):
    d = tiny_run / "resources" / "raw" / "tiny"
    files = json.loads((d / "truth" / "files.json").read_text(encoding="utf-8"))
    return d, files


def _read(d, name, meta):
    path = d / name
    if meta["format"] == "dta":
        return pd.read_stata(path, convert_categoricals=False, preserve_dtypes=False)
    if meta["format"].startswith("csv"):
        return pd.read_csv(path, dtype=str, encoding=meta["encoding"], keep_default_na=False)
    return pd.read_parquet(path) if meta["format"] == "parquet" else pd.read_excel(path, dtype=str)


def _canonical(df, meta):
    inv = {v: k for k, v in meta["columns"].items()}
    return df.rename(columns=inv)


def test_one_file_per_year_in_mixed_formats(world):
    d, files = world
    assert sorted(m["year"] for m in files.values()) == list(range(1998, 2014))
    fmts = {m["format"] for m in files.values()}
    assert {"dta", "csv_gbk", "csv_utf8_bom"} <= fmts
    gbk = next(n for n, m in files.items() if m["format"] == "csv_gbk")
    raw = (d / gbk).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    raw.decode("gbk")
    bom = next(n for n, m in files.items() if m["format"] == "csv_utf8_bom")
    assert (d / bom).read_bytes()[:3] == b"\xef\xbb\xbf"
    for name, meta in files.items():
        assert len(_read(d, name, meta)) == meta["rows"]


def test_header_dialects_differ_by_year_and_are_known(world, root):
    d, files = world
    table = yaml.safe_load((root / "config" / "header_dialects.yaml").read_text(encoding="utf-8"))
    known = {h for dia in table["dialects"].values() for names in dia.values() for h in names}
    headers = {}
    for name, meta in files.items():
        cols = list(_read(d, name, meta).columns)
        assert set(cols) <= known, name
        headers[meta["year"]] = tuple(cols)
    assert len(set(headers.values())) >= 8
    assert {m["dialect"] for m in files.values()} == {"zh", "en", "pinyin"}
    assert any("法人代码" in h for h in headers.values()) and any("frdm" in h or "firm" in h for h in headers.values())


def test_money_units_and_code_vintages_against_the_truth(world):
    d, files = world
    rec = pd.read_parquet(d / "truth" / "records.parquet")
    panel = pd.read_parquet(d / "truth" / "panel.parquet")
    wan_years = {m["year"] for m in files.values() if m["money_unit"] == "wan"}
    assert wan_years
    changed = 0
    for name, meta in files.items():
        raw = _canonical(_read(d, name, meta), meta).drop(columns="year", errors="ignore")
        raw["source_row"] = range(len(raw))
        ok = rec[(rec["source_file"] == name) & ~rec["invalid"]][["source_row", "true_firm_id", "year"]]
        j = ok.merge(raw, on="source_row").merge(panel, on=["true_firm_id", "year"], suffixes=("", "_true"))
        assert len(j) == len(ok)
        factor = 10.0 if meta["money_unit"] == "wan" else 1.0
        out = pd.to_numeric(j["output"]) * factor
        assert ((out - j["output_true"]).abs() <= 0.06 * factor).all(), name
        y = meta["year"]
        cty = harmonise_county_codes(j["county_code"].astype(str).str.zfill(6), y, history=AREACODES_CSV)
        assert (cty == j["county"]).all(), name
        changed += int((j["county_code"].astype(str).str.zfill(6) != j["county"]).sum())
        ind = harmonise_industry_codes(j["industry_code"].astype(str), y, crosswalks=crosswalks())
        assert (ind == j["industry"]).all(), name
    assert changed > 100  # real code changes appear (e.g. 江宁县 320121 before 2000)


def test_reissued_ids_variants_duplicates_invalid(world):
    d, files = world
    rec = pd.read_parquet(d / "truth" / "records.parquet")
    frames = []
    for name, meta in files.items():
        raw = _canonical(_read(d, name, meta), meta)
        raw["source_file"], raw["source_row"] = name, range(len(raw))
        frames.append(
            raw[["source_file", "source_row", "firm_code", "name", "employment", "founding_year"]].astype(str)
        )
    raw = pd.concat(frames).astype({"source_row": int}).merge(rec, on=["source_file", "source_row"], validate="1:1")
    assert len(raw) == len(rec)
    code = raw["firm_code"].str.replace("-", "", regex=False)
    # reissued IDs: a flagged firm carries more than one firm code over its rows
    firms = raw.loc[raw["id_reissued"], "true_firm_id"].unique()
    rows = raw.assign(code=code)[raw["true_firm_id"].isin(firms) & (code != "") & ~raw["invalid"]]
    n_codes = rows.groupby("true_firm_id")["code"].nunique()
    assert (n_codes > 1).sum() > 5
    # name variants: a flagged row's name differs from the firm's most common name
    modal = raw.groupby("true_firm_id")["name"].agg(lambda s: s.mode().iloc[0])
    var = raw[raw["name_variant"] & ~raw["renamed"]]
    assert len(var) > 20 and (var["name"] != var["true_firm_id"].map(modal)).mean() > 0.8
    # duplicates are exact copies of another row of the same file
    cols = ["source_file", "firm_code", "name", "employment", "founding_year"]
    dup = raw[raw["duplicate"]]
    assert len(dup) > 5
    assert raw.duplicated(cols, keep=False)[raw["duplicate"]].all()
    # invalid rows carry the stated defect
    inv = raw[raw["invalid"]]
    assert set(inv["invalid_reason"]) >= {"negative_employment", "founding_year_impossible"}
    neg = inv[inv["invalid_reason"] == "negative_employment"]
    assert (pd.to_numeric(neg["employment"]) < 0).all()


def test_truth_contract(world, tiny_run):
    d, files = world
    rec = pd.read_parquet(d / "truth" / "records.parquet")
    assert {"source_file", "source_row", "true_firm_id", "invalid"} <= set(rec.columns)
    for name, meta in files.items():
        rows = rec.loc[rec["source_file"] == name, "source_row"].sort_values()
        assert list(rows) == list(range(meta["rows"]))
    moves = pd.read_parquet(d / "truth" / "moves.parquet")
    assert {"true_firm_id", "year", "origin_county", "dest_county", "industry"} <= set(moves.columns)
    assert (moves["origin_county"] != moves["dest_county"]).all()
    assert moves["origin_county"].str.fullmatch(r"\d{6}").all() and moves["industry"].str.fullmatch(r"\d{2}").all()
    params = json.loads((d / "truth" / "params.json").read_text(encoding="utf-8"))
    cfg = yaml.safe_load((tiny_run / "config" / "config.yaml").read_text(encoding="utf-8"))
    assert params["beta_log_distance"] == cfg["synthetic"]["model"]["beta_log_distance"]
    assert params["beta_border"] == cfg["synthetic"]["model"]["beta_border"]
