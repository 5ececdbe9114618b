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
    if error.validator == "additionalProperties" and isinstance(error.schema, Mapping):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        prefix = _key(error)
        keys = ", ".join(f"'{prefix + '.' if prefix != '<top level>' else ''}{k}'" for k in extra)
        return f"config key {keys}: unknown key (allowed here: {', '.join(allowed)})"
    desc = error.schema.get("description", "") if isinstance(error.schema, Mapping) else ""
    desc = f" ({' '.join(desc.split())})" if desc else ""
    return f"config key '{_key(error)}': {error.message}{desc}"


def config_errors(config: Mapping[str, Any], schema: Mapping[str, Any] | None = None) -> Iterator[str]:
    """Human-readable messages for every schema violation, sorted by key."""
    validator = Draft202012Validator(schema or load_schema())
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for err in errors:
        yield _describe(err)


def _semantic_errors(config: Mapping[str, Any], base: Path) -> Iterator[str]:
    """Checks JSON Schema cannot express: ranges between keys and input paths that must exist.

    Paths from the config are data, never code: they are resolved against ``base`` (the
    working directory), must name an existing regular file, and are only ever opened for
    reading by the readers of :mod:`yrd.ingest`.
    """
    period = config.get("period")
    if isinstance(period, Mapping) and isinstance(period.get("start"), int) and isinstance(period.get("end"), int):
        if period["end"] < period["start"]:
            yield f"config key 'period.end': {period['end']} is before period.start {period['start']}"
    ingest = config.get("ingest", {})
    yield from _check_file("ingest.dialects", ingest.get("dialects"), base)
    seg = config.get("metrics", {}).get("segmentation", {})
    if seg.get("prices"):
        yield from _check_file("metrics.segmentation.prices", seg["prices"], base)
    if not config.get("run", {}).get("synthetic", True):
        files = ingest.get("files") or {}
        if not files:
            yield "config key 'ingest.files': run.synthetic is false, so raw files must be listed ({\"1998\": path, ...})"
        for year, paths in sorted(files.items()):
            for i, path in enumerate([paths] if isinstance(paths, str) else list(paths)):
                key = f"ingest.files.{year}" + (f"[{i}]" if not isinstance(paths, str) else "")
                yield from _check_file(key, path, base)
            if str(year) not in {str(k) for k in ingest.get("money_unit", {})}:
                yield f"config key 'ingest.money_unit.{year}': missing; declare qian (千元) or wan (万元) for every year of ingest.files"


def _check_file(key: str, path: Any, base: Path) -> Iterator[str]:
    if path is None:
        return
    p = Path(str(path))
    if "\x00" in str(path):
        yield f"config key '{key}': invalid path"
        return
    resolved = (base / p).resolve() if not p.is_absolute() else p.resolve()
    if not resolved.exists():
        yield f"config key '{key}': file not found: {path} (resolved to {resolved})"
    elif not resolved.is_file():
        yield f"config key '{key}': not a regular file: {path} (resolved to {resolved})"


def validate_config(
    config: Mapping[str, Any], schema_path: str | Path | None = None, base: str | Path | None = None
) -> None:
    """Raise :class:`ConfigError` listing every violation; return None when valid.

    ``base`` is the directory relative config paths are resolved against (default: the
    current working directory, which is Snakemake's working directory)."""
    msgs = list(config_errors(config, load_schema(schema_path)))
    if not msgs:
        msgs = list(_semantic_errors(config, Path(base) if base else Path.cwd()))
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
