"""Header mapping: the dialect table (its one loader and its JSON Schema) and canonicalise()."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
import yaml
from jsonschema import Draft202012Validator

from helpers.resources import DIALECTS_SCHEMA, DIALECTS_YAML
from yrd.ingest import HeaderDialects, RawFileError, canonicalise, load_dialects, normalise_header
from yrd.ingest.headers import CANONICAL_COLUMNS, dialects_from_mapping
from yrd.synthetic import raw as synthetic_raw


@pytest.fixture(scope="module")
def table():
    return load_dialects(DIALECTS_YAML, DIALECTS_SCHEMA)


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


@pytest.mark.parametrize(
    "header, canonical",
    [
        ("开业时间（年）", "founding_year"),
        ("开业时间(年)", "founding_year"),
        (" 开业时间 ( 年 ) ", "founding_year"),
        ("工业总产值（当年价格）", "output"),
        ("工业总产值(当年价格)", "output"),
        ("\ufeff法人代码", "firm_code"),
        ("FIRM", "firm_code"),
        (" Employ ", "employment"),
        ("ＣＩＣ", "industry_code"),
        ("Gyzcz", "output"),
        ("xzqhdm", "county_code"),
        ("行政区划代码\u3000", "county_code"),
    ],
)
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
    with pytest.raises(
        RawFileError,
        match=r"^raw file 'x\.csv': required column missing: county_code .*"
        r"headers found: \['firm', 'name', 'cic', 'employ', 'output'\]$",
    ):
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


def test_the_table_and_its_schema_are_arguments(table):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    schema = yaml.safe_load(DIALECTS_SCHEMA.read_text(encoding="utf-8"))
    df = frame(["firm", "name", "dq", "cic", "employ", "output"])
    # a parsed mapping, checked against the schema given as a path or as a mapping
    for s in (DIALECTS_SCHEMA, str(DIALECTS_SCHEMA), schema):
        d = dialects_from_mapping(doc, s)
        assert d.lookup == table.lookup
        out, _ = canonicalise(df, d, "x.csv")
        assert out.shape[1] == 6
    assert load_dialects(str(DIALECTS_YAML), schema).lookup == table.lookup
    # canonicalise takes the loaded table only: no default file, no path
    for d in (doc, DIALECTS_YAML, None):
        with pytest.raises(TypeError, match="load_dialects"):
            canonicalise(df, d, "x.csv")
    with pytest.raises(TypeError):
        load_dialects(DIALECTS_YAML)  # the schema is required


def test_the_schema_given_is_the_one_used(tmp_path):
    schema = yaml.safe_load(DIALECTS_SCHEMA.read_text(encoding="utf-8"))
    schema["properties"]["version"] = {"const": 2, "description": "Version of the table format."}
    p = tmp_path / "stricter.schema.yaml"
    p.write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"\(stricter\.schema\.yaml\):\n  key 'version': 2 was expected"):
        load_dialects(DIALECTS_YAML, p)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("required"), "expected the keys"),
        (lambda d: d["required"].append("profit"), r"required columns \['profit'\] are not canonical"),
        (lambda d: d["canonical"].pop("sales"), r"canonical columns \['sales'\] are not defined"),
        (
            lambda d: d["dialects"]["en"]["name"].append("FIRM"),
            r"header 'FIRM' \(en\) is listed for 'firm_code' and "
            r"'name'",
        ),
        (lambda d: d["dialects"]["zh"]["name"].append("开业时间（年）"), "is listed for"),  # equal after NFKC
        (lambda d: d["dialects"]["zh"].update(profit=["利润"]), r"maps non-canonical columns \['profit'\]"),
    ],
)
def test_bad_dialect_tables_are_refused(tmp_path, mutate, message):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    mutate(doc)
    p = tmp_path / "d.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_dialects(p, DIALECTS_SCHEMA)


# ----------------------------------------------------------------------------- the table's JSON Schema
def _subschemas(schema: dict, key: str = ""):
    """Every (key, subschema) of the schema that describes a key or value of the table."""
    yield key or "<top level>", schema
    for name, sub in schema.get("properties", {}).items():
        yield from _subschemas(sub, f"{key}.{name}" if key else name)
    for part in ("additionalProperties", "propertyNames", "items"):
        if isinstance(schema.get(part), dict):
            yield from _subschemas(schema[part], f"{key}<{part}>")


def test_schema_is_draft_2020_12_and_describes_every_key():
    schema = yaml.safe_load(DIALECTS_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    undocumented = [k for k, sub in _subschemas(schema) if not str(sub.get("description", "")).strip()]
    assert undocumented == []
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    assert list(Draft202012Validator(schema).iter_errors(doc)) == []
    assert set(schema["properties"]) == set(doc)


@pytest.mark.parametrize(
    "mutate, key",
    [
        (lambda d: d.pop("dialects"), r"key 'dialects' missing"),
        (lambda d: d.update(dialect={}), r"unknown key 'dialect'"),
        (lambda d: d.update(version=2), r"key 'version': 1 was expected"),
        (lambda d: d["canonical"].update(sales=None), r"key 'canonical\.sales': None is not of type 'string'"),
        (lambda d: d.update(required="firm_code"), r"key 'required': 'firm_code' is not of type 'array'"),
        (
            lambda d: d["dialects"]["en"].update(sales="revenue"),
            r"key 'dialects\.en\.sales': 'revenue' is not of type "
            r"'array'",
        ),
        (lambda d: d["dialects"]["en"]["sales"].append(""), r"key 'dialects\.en\.sales\[3\]'"),
        (
            lambda d: d["dialects"]["pinyin"]["name"].append(123),
            r"key 'dialects\.pinyin\.name\[3\]': 123 is not of type",
        ),
        (lambda d: d["dialects"]["en"].update(output=[]), r"key 'dialects\.en\.output': \[\] should be non-empty"),
        (lambda d: d["dialects"].update(English={"name": ["x"]}), r"key 'dialects\.English': not a valid key"),
        (lambda d: d["dialects"]["en"].pop("phone"), r"key 'dialects\.en': dialect 'en' has no header for \['phone'\]"),
    ],
)
def test_a_malformed_table_is_refused_naming_the_key(tmp_path, mutate, key):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    mutate(doc)
    p = tmp_path / "header_dialects.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=key) as err:
        load_dialects(p, DIALECTS_SCHEMA)
    assert str(p) in str(err.value)
    with pytest.raises(ValueError, match=key):  # a parsed mapping gets the same checks
        dialects_from_mapping(doc, DIALECTS_SCHEMA)


def test_a_table_that_is_not_yaml_or_not_a_mapping_is_refused(tmp_path):
    p = tmp_path / "d.yaml"
    p.write_text("canonical: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_dialects(p, DIALECTS_SCHEMA)
    p.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"key '<top level>': \['just a list'\] is not of type 'object'"):
        load_dialects(p, DIALECTS_SCHEMA)


def test_the_synthetic_writer_and_ingestion_share_one_loader():
    # both take the table load_dialects read (the rules pass the declared files)
    assert inspect.signature(synthetic_raw.write_raw_world).parameters["dialects"].annotation == "HeaderDialects"
    assert HeaderDialects.__module__ == "yrd.ingest.headers"
    assert not hasattr(synthetic_raw, "load_header_dialects")
