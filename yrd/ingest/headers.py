"""Map the headers of raw ASIF files to canonical column names.

The header-dialect table ``config/header_dialects.yaml`` lists, per dialect (``zh``, ``en``,
``pinyin``), the known header names of every canonical column. A header found in a file is
matched after :func:`normalise_header`: Unicode NFKC normalisation (full-width parentheses,
letters, digits and spaces become their half-width forms: ``开业时间（年）`` = ``开业时间(年)``), a
byte-order mark and all whitespace removed, and case folded (``Firm`` = ``firm``). Any dialect's
names are accepted in any file (distributors mix them). The table is read by
:func:`load_dialects`, its one loader (the synthetic raw writer uses it too), and checked against
its JSON Schema ``config/schemas/header_dialects.schema.yaml`` when loaded. Both files are
arguments (the rules declare them as inputs); nothing here knows where the repository is.

Rules of :func:`canonicalise`:

* a header that matches no known name is an *extra column*: dropped, its name recorded in the
  report and logged (a warning), not an error;
* two headers of one file matching the same canonical column (``firm`` and ``frdm``, or the same
  header twice): :class:`~yrd.ingest.errors.RawFileError` "duplicate canonical column";
* a required column (``required`` in the table) matching no header:
  :class:`~yrd.ingest.errors.RawFileError` "required column missing", naming the column(s)
  and listing the headers found;
* optional canonical columns absent from the file are listed in the report
  (``absent_optional``); ingestion fills them with missing values.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from yrd.ingest.errors import RawFileError

log = logging.getLogger(__name__)

#: Canonical columns that ingestion uses; the dialect table must define all of them.
CANONICAL_COLUMNS = (
    "firm_code",
    "name",
    "legal_rep",
    "county_code",
    "industry_code",
    "founding_year",
    "reg_type",
    "employment",
    "output",
    "sales",
    "phone",
    "area_code",
    "postcode",
    "address",
    "year",
    "longitude",
    "latitude",
)
#: Optional geocode columns: used when the table defines them, a table without them (written
#: before they existed) still loads, and their headers are then extra columns.
GEOCODE_COLUMNS = ("longitude", "latitude")
#: Canonical columns every ASIF dialect table must define.
NEEDED_COLUMNS = tuple(c for c in CANONICAL_COLUMNS if c not in GEOCODE_COLUMNS)

_WS = re.compile(r"\s+")


def normalise_header(header: Any) -> str:
    """Header key used for matching: NFKC, no BOM, no whitespace, case-folded."""
    s = unicodedata.normalize("NFKC", "" if header is None else str(header))
    s = s.replace("\ufeff", "")
    return _WS.sub("", s).casefold()


@dataclass(frozen=True)
class HeaderDialects:
    """The header-dialect table.

    ``canonical``: canonical columns in order; ``required``: required ones; ``dialects``:
    ``{dialect: {canonical: (header, ...)}}``; ``lookup``: ``{normalised header: (canonical,
    dialect)}``; ``source``: where it was read from."""

    canonical: tuple[str, ...]
    required: tuple[str, ...]
    dialects: Mapping[str, Mapping[str, tuple[str, ...]]]
    lookup: Mapping[str, tuple[str, str]]
    source: str = ""


def load_dialects(
    path: str | os.PathLike,
    schema: str | os.PathLike | Mapping[str, Any],
    *,
    needed: Sequence[str] = NEEDED_COLUMNS,
) -> HeaderDialects:
    """Read and check the header-dialect table at ``path`` (``config/header_dialects.yaml``).

    The one loader of the table, for the synthetic raw writer and for ingestion. The file is
    validated against its JSON Schema ``schema`` (draft 2020-12: the path of
    ``config/schemas/header_dialects.schema.yaml`` or the schema already loaded), then by the
    rules that relate keys to each other (:func:`dialects_from_mapping`). Raises ``ValueError``
    naming the file and the key: the file is not valid YAML, a key is missing, unknown or of the
    wrong type, a required column is not canonical, a column ingestion needs
    (:data:`NEEDED_COLUMNS`) is not defined, a dialect maps a non-canonical column or lacks a
    canonical one, or one header (after :func:`normalise_header`) is listed for two canonical
    columns. ``needed``: the canonical columns the table must define (default the ASIF ones but
    the optional geocodes, :data:`NEEDED_COLUMNS`; :mod:`yrd.registration.dialects` passes its
    own)."""
    path = Path(path)
    return dialects_from_mapping(read_yaml(path), schema, source=str(path), needed=needed)


def read_yaml(path: str | os.PathLike) -> Any:
    """The YAML document at ``path``; ``ValueError`` naming the file when it is not valid YAML."""
    with open(path, encoding="utf-8") as fh:
        try:
            return yaml.safe_load(fh)
        except yaml.YAMLError as err:
            raise ValueError(f"{path}: not valid YAML: {err}") from None


def schema_validator(schema: str | os.PathLike | Mapping[str, Any]) -> tuple[Draft202012Validator, str]:
    """``(validator, name)`` of the header-dialect JSON Schema given as a path (read here) or as
    the loaded mapping; ``name`` (the file name, or ``"JSON Schema"``) is for messages."""
    if isinstance(schema, Mapping):
        doc, name = schema, "JSON Schema"
    else:
        with open(schema, encoding="utf-8") as fh:
            doc = yaml.safe_load(fh)
        name = Path(schema).name
    Draft202012Validator.check_schema(doc)
    return Draft202012Validator(doc), name


def _schema_key(error: ValidationError) -> str:
    key = ""
    for part in error.absolute_path:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key or "<top level>"


def _schema_message(error: ValidationError) -> str:
    """One schema violation as ``key '<dotted key>': <what is wrong> (<what the key is>)``."""
    key = _schema_key(error)
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    prefix = "" if key == "<top level>" else key + "."
    desc = " ".join(str(schema.get("description", "")).split()).split(". ")[0].rstrip(".")
    if error.validator == "required":
        missing = [k for k in error.validator_value if k not in (error.instance or {})]
        return (
            f"key {', '.join(repr(prefix + k) for k in missing)} missing (expected the keys "
            f"{', '.join(error.validator_value)})"
        )
    if error.validator == "additionalProperties" and schema.get("additionalProperties") is False:
        extra = sorted(set(error.instance) - set(schema.get("properties", {})))
        return (
            f"unknown key {', '.join(repr(prefix + str(k)) for k in extra)} (allowed here: "
            f"{', '.join(schema.get('properties', {}))})"
        )
    if "propertyNames" in error.relative_schema_path:  # the key itself is badly named
        return f"key '{prefix}{error.instance}': not a valid key here ({desc}; pattern {schema.get('pattern')!r})"
    return f"key '{key}': {error.message}" + (f" ({desc})" if desc and key != "<top level>" else "")


def dialects_from_mapping(
    doc: Any,
    schema: str | os.PathLike | Mapping[str, Any],
    source: str = "<mapping>",
    *,
    needed: Sequence[str] = NEEDED_COLUMNS,
) -> HeaderDialects:
    """:class:`HeaderDialects` from the parsed YAML document (same checks as :func:`load_dialects`,
    against the JSON Schema ``schema``, a path or the loaded mapping).

    First the JSON Schema (every violation listed, each naming its key), then the rules that
    relate keys to each other; ``ValueError`` names ``source`` and the key. ``needed``: the
    canonical columns the table must define (as in :func:`load_dialects`)."""
    if isinstance(doc, HeaderDialects):
        return doc
    validator, schema_name = schema_validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: ([str(p) for p in e.absolute_path], e.message))
    if errors:
        msgs = [_schema_message(e) for e in errors]
        raise ValueError(f"{source}: invalid header-dialect table ({schema_name}):\n  " + "\n  ".join(msgs))
    canonical = tuple(str(c) for c in doc["canonical"])
    required = tuple(str(c) for c in doc["required"])
    missing = [c for c in needed if c not in canonical]
    if missing:
        raise ValueError(f"{source}: key 'canonical': canonical columns {missing} are not defined")
    bad_req = [c for c in required if c not in canonical]
    if bad_req:
        raise ValueError(f"{source}: key 'required': required columns {bad_req} are not canonical")
    lookup: dict[str, tuple[str, str]] = {}
    dialects: dict[str, dict[str, tuple[str, ...]]] = {}
    for dialect, cols in doc["dialects"].items():
        unknown = sorted(set(cols) - set(canonical))
        if unknown:
            raise ValueError(
                f"{source}: key 'dialects.{dialect}': dialect {dialect!r} maps non-canonical columns {unknown}"
            )
        absent = [c for c in canonical if c not in cols]
        if absent:
            raise ValueError(f"{source}: key 'dialects.{dialect}': dialect {dialect!r} has no header for {absent}")
        dialects[str(dialect)] = {}
        for col, names in cols.items():
            names = tuple(str(n).strip() for n in names)
            dialects[str(dialect)][col] = names
            for i, n in enumerate(names):
                key = normalise_header(n)
                prev = lookup.setdefault(key, (col, str(dialect)))
                if prev[0] != col:
                    raise ValueError(
                        f"{source}: key 'dialects.{dialect}.{col}[{i}]': header {n!r} ({dialect}) is "
                        f"listed for {prev[0]!r} and {col!r}"
                    )
    return HeaderDialects(canonical, required, dialects, lookup, source)


def canonicalise(
    df: pd.DataFrame, dialects: HeaderDialects, file: str | os.PathLike
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rename the columns of a raw frame to canonical names (rules in the module docstring).

    ``dialects`` is the table loaded by :func:`load_dialects`. Returns ``(frame, report)``: the frame has the canonical columns found, in canonical order
    (values untouched, same index); the report has ``columns`` ({header: canonical}),
    ``dialects`` (dialects whose names were matched), ``extra_columns`` (headers dropped),
    ``absent_optional`` (optional canonical columns not in the file).
    """
    file = os.fspath(file)
    table = _as_dialects(dialects)
    headers = ["" if h is None or (isinstance(h, float) and pd.isna(h)) else str(h) for h in df.columns]
    found: dict[str, list[int]] = {}
    used_dialects: set[str] = set()
    extra: list[str] = []
    for i, h in enumerate(headers):
        hit = table.lookup.get(normalise_header(h))
        if hit is None:
            extra.append(h if h.strip() else f"<unnamed column {i + 1}>")
            continue
        found.setdefault(hit[0], []).append(i)
        used_dialects.add(hit[1])
    dups = {c: [headers[i] for i in idx] for c, idx in found.items() if len(idx) > 1}
    if dups:
        c, hs = next(iter(sorted(dups.items())))
        more = f" (also: {', '.join(sorted(dups)[1:])})" if len(dups) > 1 else ""
        raise RawFileError(file, f"duplicate canonical column '{c}': headers {hs} all map to it{more}")
    missing = [c for c in table.required if c not in found]
    if missing:
        raise RawFileError(
            file,
            f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
            f"(no header matches a known name); headers found: {headers}",
        )
    cols = [c for c in table.canonical if c in found]
    out = pd.DataFrame({c: df.iloc[:, found[c][0]] for c in cols}, index=df.index)
    report = {
        "columns": {headers[found[c][0]]: c for c in cols},
        "dialects": sorted(used_dialects),
        "extra_columns": extra,
        "absent_optional": [c for c in table.canonical if c not in found and c not in table.required],
    }
    if extra:
        log.warning("%s: extra columns dropped: %s", file, extra)
    return out, report


def _as_dialects(d: HeaderDialects) -> HeaderDialects:
    if isinstance(d, HeaderDialects):
        return d
    raise TypeError(
        f"the header-dialect table must be a HeaderDialects (yrd.ingest.load_dialects(path, schema)), got {type(d).__name__}"
    )
