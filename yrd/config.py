"""Validation of the study configuration against its JSON Schema (draft 2020-12).

Errors name the key and what was expected, e.g.::

    config key 'geography.regon_set': unknown key (allowed here: provinces, region_set, vintage)
    config key 'plotting.dpi': 'high' is not of type 'integer' (Resolution of PNG figures...)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

SCHEMA = Path(__file__).resolve().parents[1] / "config" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """The configuration does not match the schema."""


def load_schema(path: str | Path | None = None) -> dict[str, Any]:
    with open(path or SCHEMA, encoding="utf-8") as fh:
        schema = yaml.safe_load(fh)
    Draft202012Validator.check_schema(schema)
    return schema


def _key(error: ValidationError) -> str:
    return ".".join(str(p) for p in error.absolute_path) or "<top level>"


def _describe(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        prefix = _key(error)
        keys = ", ".join(f"'{prefix + '.' if prefix != '<top level>' else ''}{k}'" for k in extra)
        return f"config key {keys}: unknown key (allowed here: {', '.join(allowed)})"
    desc = error.schema.get("description", "")
    desc = f" ({' '.join(desc.split())})" if desc else ""
    return f"config key '{_key(error)}': {error.message}{desc}"


def config_errors(config: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Human-readable messages for every schema violation, sorted by key."""
    validator = Draft202012Validator(schema or load_schema())
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for err in errors:
        yield _describe(err)


def _semantic_errors(config: Mapping[str, Any]) -> Iterator[str]:
    """Checks JSON Schema cannot express."""
    period = config.get("period")
    if isinstance(period, Mapping) and isinstance(period.get("start"), int) and isinstance(period.get("end"), int):
        if period["end"] < period["start"]:
            yield f"config key 'period.end': {period['end']} is before period.start {period['start']}"


def validate_config(config: Mapping[str, Any], schema_path: str | Path | None = None) -> None:
    """Raise :class:`ConfigError` listing every violation; return None when valid."""
    msgs = list(config_errors(config, load_schema(schema_path)))
    if not msgs:
        msgs = list(_semantic_errors(config))
    if msgs:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(msgs))


def iter_schema_properties(schema: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(dotted_key, subschema)`` for every property in the schema (for documentation
    and for the test that every key has a description)."""
    for name, sub in schema.get("properties", {}).items():
        key = f"{prefix}{name}"
        yield key, sub
        yield from iter_schema_properties(sub, key + ".")
        if isinstance(sub.get("items"), Mapping):
            yield from iter_schema_properties(sub["items"], key + "[].")


def deep_update(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``override`` into ``base`` recursively (Snakemake's semantics for --configfile:
    mappings merge key by key, any other value, lists included, replaces)."""
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            deep_update(base[key], value)
        else:
            base[key] = value
    return base


def normalise_keys(config: dict[str, Any]) -> dict[str, Any]:
    """Turn integer mapping keys (YAML ``1998: dta``) into strings in place, so year-keyed
    mappings validate and a user's ``1998`` overrides the default's ``"1998"``."""
    for key in list(config):
        value = config[key]
        if isinstance(value, dict):
            normalise_keys(value)
        if not isinstance(key, str):
            config[str(key)] = config.pop(key)
    return config
