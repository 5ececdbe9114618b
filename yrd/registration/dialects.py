"""Header dialects of business-registration extracts (``config/registration_dialects.yaml``).

The file holds two tables, ``change`` (变更记录) and ``investment`` (对外投资 / 分支机构), each
shaped like the ASIF header-dialect table and checked, with the file's ``version``, against the
same JSON Schema (``config/schemas/header_dialects.schema.yaml``) and by the same loader rules
(:func:`yrd.ingest.headers.dialects_from_mapping`), so headers are matched exactly as in ASIF
ingestion (:func:`yrd.ingest.headers.canonicalise`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from yrd.ingest.headers import HeaderDialects, dialects_from_mapping, read_yaml

#: Record kinds and the canonical columns each table must define.
RECORD_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "change": ("credit_code", "reg_number", "org_code", "name", "change_item", "before", "after", "change_date"),
    "investment": (
        "investor_name",
        "investor_code",
        "investee_name",
        "investee_code",
        "investee_address",
        "capital",
        "founding_date",
    ),
}
RECORD_KINDS = tuple(RECORD_COLUMNS)


def load_registration_dialects(
    path: str | os.PathLike, schema: str | os.PathLike | Mapping[str, Any]
) -> dict[str, HeaderDialects]:
    """``{"change": HeaderDialects, "investment": HeaderDialects}`` from the table at ``path``,
    each checked against the header-dialect JSON Schema ``schema`` (a path or the loaded
    mapping). ``ValueError`` naming the file and the key on any problem."""
    path = Path(path)
    doc = read_yaml(path)
    if not isinstance(doc, Mapping) or "version" not in doc:
        raise ValueError(f"{path}: expected a mapping with the keys version, {', '.join(RECORD_KINDS)}")
    unknown = sorted(set(doc) - {"version", *RECORD_KINDS})
    missing = [k for k in RECORD_KINDS if k not in doc]
    if unknown or missing:
        raise ValueError(
            f"{path}: unknown keys {unknown} / missing keys {missing} (expected version, change, investment)"
        )
    out = {}
    for kind in RECORD_KINDS:
        table = doc[kind] if isinstance(doc[kind], Mapping) else {}
        out[kind] = dialects_from_mapping(
            {"version": doc["version"], **table}, schema, source=f"{path} ({kind})", needed=RECORD_COLUMNS[kind]
        )
    return out
