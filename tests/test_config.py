"""Configuration schema: every key documented, unknown keys and wrong types named."""

import copy

import pytest
import yaml

from yrd.config import ConfigError, iter_schema_properties, load_schema, validate_config


@pytest.fixture()
def default(root):
    with open(root / "config" / "config.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_schema_is_draft_2020_12_and_documented():
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undocumented = [k for k, sub in iter_schema_properties(schema) if not sub.get("description")]
    assert undocumented == []


def test_objects_reject_unknown_keys():
    schema = load_schema()
    open_objects = [
        k for k, sub in iter_schema_properties(schema) if sub.get("type") == "object" and "additionalProperties" not in sub
    ]
    assert schema["additionalProperties"] is False
    assert open_objects == []


def test_default_and_tiny_configs_are_valid(default, root):
    validate_config(default)
    with open(root / "config" / "tiny.yaml", encoding="utf-8") as fh:
        tiny = yaml.safe_load(fh)
    merged = copy.deepcopy(default)
    for section, values in tiny.items():
        merged.setdefault(section, {}).update(values)
    validate_config(merged)


def test_typo_in_key_is_named(default):
    default["geography"]["regon_set"] = default["geography"].pop("region_set")
    with pytest.raises(ConfigError) as err:
        validate_config(default)
    msg = str(err.value)
    assert "'geography.regon_set': unknown key" in msg
    assert "'geography': 'region_set' is a required property" in msg


def test_wrong_type_names_key_and_expectation(default):
    default["plotting"]["dpi"] = "high"
    with pytest.raises(ConfigError, match=r"'plotting.dpi': 'high' is not of type 'integer'"):
        validate_config(default)


def test_bad_enum_and_period(default):
    default["geography"]["region_set"] = "yrd27"
    with pytest.raises(ConfigError, match="geography.region_set"):
        validate_config(default)
    default["geography"]["region_set"] = "yrd41_2019"
    default["period"] = {"start": 2010, "end": 2005}
    with pytest.raises(ConfigError, match="period.end"):
        validate_config(default)
