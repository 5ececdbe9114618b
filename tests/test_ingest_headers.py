"""Header mapping: the dialect table and canonicalise()."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from yrd.ingest import RawFileError, canonicalise, load_dialects, normalise_header
from yrd.ingest.headers import CANONICAL_COLUMNS, DIALECTS_YAML


@pytest.fixture(scope="module")
def table():
    return load_dialects()


def frame(headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame([[f"v{i}" for i in range(len(headers))]], columns=headers)


def test_every_known_header_maps_to_its_column(table):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    n = 0
    for dialect, cols in doc["dialects"].items():
        for col, names in cols.items():
            for name in names:
                assert table.lookup[normalise_header(name)][0] == col, (dialect, name)
                n += 1
    assert n > 100
    assert set(CANONICAL_COLUMNS) <= set(table.canonical)
    assert set(table.required) == {"firm_code", "name", "county_code", "industry_code", "employment", "output"}


@pytest.mark.parametrize("header, canonical", [
    ("开业时间（年）", "founding_year"), ("开业时间(年)", "founding_year"), (" 开业时间 ( 年 ) ", "founding_year"),
    ("工业总产值（当年价格）", "output"), ("工业总产值(当年价格)", "output"), ("\ufeff法人代码", "firm_code"),
    ("FIRM", "firm_code"), (" Employ ", "employment"), ("ＣＩＣ", "industry_code"), ("Gyzcz", "output"),
    ("xzqhdm", "county_code"), ("行政区划代码\u3000", "county_code"),
])
def test_header_normalisation(table, header, canonical):
    assert table.lookup[normalise_header(header)][0] == canonical


def test_canonicalise_maps_reorders_and_reports(table):
    df = frame(["cic", "firm", "qymc", "地区代码", "employ", "工业总产值", "备注", "year"])
    out, rep = canonicalise(df, table, "raw/asif_2001.csv")
    assert list(out.columns) == ["firm_code", "name", "county_code", "industry_code", "employment", "output", "year"]
    assert out["firm_code"].iloc[0] == "v1" and out["industry_code"].iloc[0] == "v0"
    assert rep["columns"]["qymc"] == "name"
    assert rep["dialects"] == ["en", "pinyin", "zh"]
    assert rep["extra_columns"] == ["备注"]
    assert "sales" in rep["absent_optional"] and "year" not in rep["absent_optional"]


def test_missing_required_column_names_it_and_lists_the_headers(table):
    df = frame(["firm", "name", "cic", "employ", "output"])
    with pytest.raises(RawFileError, match=r"^raw file 'x\.csv': required column missing: county_code .*"
                                           r"headers found: \['firm', 'name', 'cic', 'employ', 'output'\]$"):
        canonicalise(df, table, "x.csv")
    with pytest.raises(RawFileError, match=r"required columns missing: county_code, output"):
        canonicalise(frame(["firm", "name", "cic", "employ"]), table, "x.csv")


def test_two_headers_for_one_column_are_refused(table):
    with pytest.raises(RawFileError, match=r"duplicate canonical column 'name': headers \['企业名称', 'NAME'\]"):
        canonicalise(frame(["firm", "企业名称", "dq", "cic", "employ", "output", "NAME"]), table, "x.csv")
    # the same header twice (pandas would have renamed one 'dq.1' and dropped it silently)
    df = pd.DataFrame([[1, 2, 3, 4, 5, 6, 7]], columns=["firm", "name", "dq", "cic", "employ", "output", "dq"])
    with pytest.raises(RawFileError, match=r"duplicate canonical column 'county_code': headers \['dq', 'dq'\]"):
        canonicalise(df, table, "x.csv")


def test_unnamed_extra_columns_are_recorded_by_position(table):
    _, rep = canonicalise(frame(["firm", "name", "dq", "cic", "employ", "output", " "]), table, "x.csv")
    assert rep["extra_columns"] == ["<unnamed column 7>"]


def test_dialects_accepts_a_mapping_or_a_path(table, tmp_path):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    df = frame(["firm", "name", "dq", "cic", "employ", "output"])
    for d in (doc, DIALECTS_YAML, str(DIALECTS_YAML), None):
        out, _ = canonicalise(df, d, "x.csv")
        assert out.shape[1] == 6


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("required"), "expected the keys"),
    (lambda d: d["required"].append("profit"), r"required columns \['profit'\] are not canonical"),
    (lambda d: d["canonical"].pop("sales"), r"canonical columns \['sales'\] are not defined"),
    (lambda d: d["dialects"]["en"]["name"].append("FIRM"), r"header 'FIRM' \(en\) is listed for 'firm_code' and "
                                                            r"'name'"),
    (lambda d: d["dialects"]["zh"]["name"].append("开业时间（年）"), "is listed for"),  # equal after NFKC
    (lambda d: d["dialects"]["zh"].update(profit=["利润"]), r"maps non-canonical columns \['profit'\]"),
])
def test_bad_dialect_tables_are_refused(tmp_path, mutate, message):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    mutate(doc)
    p = tmp_path / "d.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_dialects(p)
