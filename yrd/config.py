"""Validation of the study configuration against its JSON Schema (draft 2020-12).

Errors name the key and what was expected, e.g.::

    config key 'geography.regon_set': unknown key (allowed here: provinces, region_set, vintage)
    config key 'plotting.dpi': 'high' is not of type 'integer' (Resolution of PNG figures...)
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from yrd.config_semantic import semantic_errors
from yrd.errors import UserError


class ConfigError(UserError, ValueError):
    """The configuration does not match the schema."""


def load_schema(path: str | Path) -> dict[str, Any]:
    """The configuration's JSON Schema (``config/schemas/config.schema.yaml``, passed by the
    Snakefile), checked to be a valid draft 2020-12 schema. A copy: parsed once per file
    version (path, size, modification time) and process."""
    p = Path(path).resolve()
    st = p.stat()
    return copy.deepcopy(_load_schema(p, st.st_size, st.st_mtime_ns))


@functools.lru_cache(maxsize=8)
def _load_schema(path: Path, size: int, mtime_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
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


def config_errors(config: Mapping[str, Any], schema: Mapping[str, Any]) -> Iterator[str]:
    """Human-readable messages for every violation of ``schema`` (:func:`load_schema`), sorted by key."""
    validator = Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    for err in errors:
        yield _describe(err)


def validate_config(config: Mapping[str, Any], schema_path: str | Path, base: str | Path | None = None) -> None:
    """Raise :class:`ConfigError` listing every violation; return None when valid.

    First the JSON Schema at ``schema_path`` (keys, types, ranges), then, when that passes, the checks of
    :mod:`yrd.config_semantic` (files exist, metric names registered, what claims need is
    computed, raw files listed once, years inside the period).

    ``base`` is the directory relative config paths are resolved against (default: the
    current working directory, which is Snakemake's working directory)."""
    msgs = list(config_errors(config, load_schema(schema_path)))
    if not msgs:
        msgs = semantic_errors(config, Path(base) if base else Path.cwd())
    if msgs:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(msgs))


def study_name_errors(
    merged: Mapping[str, Any], configfiles: Sequence[str | Path], default_configfile: str | Path
) -> list[str]:
    """A study given with ``--configfile`` must name itself (``run.name``), because its outputs go
    to ``results/<run.name>/``: without a name it would inherit the default study's and
    overwrite ``results/default/``.

    ``configfiles`` are the files given with ``--configfile`` (merged on top of
    ``default_configfile``); ``merged`` is the merged configuration. Returns the error
    messages (empty when the name is set explicitly or only the default study runs).
    """
    default = Path(default_configfile).resolve()
    extra = [Path(f) for f in configfiles if Path(f).resolve() != default]
    if not extra:
        return []
    with open(default, encoding="utf-8") as fh:
        default_name = ((yaml.safe_load(fh) or {}).get("run") or {}).get("name")
    if (merged.get("run") or {}).get("name") != default_name:
        return []  # set by one of the files or on the command line (--config run.name=...)
    for f in extra:
        with open(f, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh) or {}
        if isinstance(doc, Mapping) and "name" in (doc.get("run") or {}):
            return []  # set explicitly, even if to the default's name
    files = ", ".join(os.path.relpath(f) for f in extra)
    return [
        f"config key 'run.name': {files} does not set it, so this study would inherit the default "
        f"study's name {default_name!r} and overwrite results/{default_name}/; add\n"
        "      run:\n        name: my_study\n    (outputs then go to results/my_study/)"
    ]


def check_study_name(
    merged: Mapping[str, Any], configfiles: Sequence[str | Path], default_configfile: str | Path
) -> None:
    """Raise :class:`ConfigError` when :func:`study_name_errors` finds a problem."""
    msgs = study_name_errors(merged, configfiles, default_configfile)
    if msgs:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(msgs))


def results_dir(config: Mapping[str, Any]) -> str:
    """The study's output folder, ``results/<run.name>/`` (PyPSA-Eur's ``run: name`` convention)."""
    return f"results/{config['run']['name']}/"


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


def _main(argv: Sequence[str] | None = None) -> int:
    """``python -m yrd.config results-dir CONFIGFILE...``: print the study's output folder (for
    the Makefile), merging the files on top of ``config/config.yaml`` as Snakemake does."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m yrd.config")
    ap.add_argument("command", choices=["results-dir"])
    ap.add_argument("configfiles", nargs="*")
    ap.add_argument("--default", default="config/config.yaml")
    args = ap.parse_args(argv)
    merged: dict[str, Any] = {}
    for f in [args.default, *args.configfiles]:
        with open(f, encoding="utf-8") as fh:
            deep_update(merged, normalise_keys(yaml.safe_load(fh) or {}))
    print(results_dir(merged).rstrip("/"))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
