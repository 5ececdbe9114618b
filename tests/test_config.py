"""Configuration schema: every key documented, unknown keys and wrong types named."""

import copy

import pytest
import yaml

from helpers.resources import CONFIG_SCHEMA
from yrd.config import ConfigError, deep_update, iter_schema_properties, load_schema, normalise_keys, validate_config


@pytest.fixture()
def default(root):
    with open(root / "config" / "config.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def test_schema_is_draft_2020_12_and_documented():
    schema = load_schema(CONFIG_SCHEMA)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    undocumented = [k for k, sub in iter_schema_properties(schema) if not sub.get("description")]
    assert undocumented == []


def test_objects_reject_unknown_keys():
    schema = load_schema(CONFIG_SCHEMA)
    open_objects = [
        k
        for k, sub in iter_schema_properties(schema)
        if sub.get("type") == "object" and "additionalProperties" not in sub
    ]
    assert schema["additionalProperties"] is False
    assert open_objects == []


def test_default_and_tiny_configs_are_valid(default, root):
    validate_config(default, CONFIG_SCHEMA)
    for extra in ["tiny.yaml", "asif.yaml", "national.yaml", "national_tiny.yaml", "experiments/no_integration.yaml"]:
        with open(root / "config" / extra, encoding="utf-8") as fh:
            validate_config(deep_update(copy.deepcopy(default), yaml.safe_load(fh)), CONFIG_SCHEMA)


def test_integer_year_keys_are_accepted(default):
    user = {"synthetic": {"raw": {"formats": {2005: "parquet"}}}}
    cfg = normalise_keys(deep_update(copy.deepcopy(default), user))
    validate_config(cfg, CONFIG_SCHEMA)
    assert cfg["synthetic"]["raw"]["formats"]["2005"] == "parquet"


def test_typo_in_key_is_named(default):
    default["geography"]["regon_set"] = default["geography"].pop("region_set")
    with pytest.raises(ConfigError) as err:
        validate_config(default, CONFIG_SCHEMA)
    msg = str(err.value)
    assert "'geography.regon_set': unknown key" in msg
    assert "'geography': 'region_set' is a required property" in msg


def test_wrong_type_names_key_and_expectation(default):
    default["plotting"]["dpi"] = "high"
    with pytest.raises(ConfigError, match=r"'plotting.dpi': 'high' is not of type 'integer'"):
        validate_config(default, CONFIG_SCHEMA)


def test_bad_enum_and_period(default):
    default["geography"]["region_set"] = "yrd27"
    with pytest.raises(ConfigError, match="geography.region_set"):
        validate_config(default, CONFIG_SCHEMA)
    default["geography"]["region_set"] = "yrd41_2019"
    default["period"] = {"start": 2010, "end": 2005}
    with pytest.raises(ConfigError, match="period.end"):
        validate_config(default, CONFIG_SCHEMA)
