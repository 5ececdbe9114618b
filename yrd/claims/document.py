"""The claim documents ``claims/cN.json``: one JSON file per claim, the single source of its numbers.

Every claim C1-C7 writes a document (:func:`claim_document`, :func:`write_claim_json`); the claims
table (``claims.csv``, ``claims.html``) is a view of the documents (:func:`document_row`,
:func:`claims_table_from_documents`) and each claim figure draws from its document
(:func:`read_claim_json`), never refitting, so a figure cannot disagree with its verdict.

Layout (:data:`REQUIRED_KEYS`, checked by :func:`check_document`)::

    {"schema": "yrd-claim/1", "claim": "C1", "statement": ..., "statement_zh": ..., "test": ...,
     "verdict": ..., "value": ..., "reason": ..., "notes": ..., "evidence": ...,
     <the claim's numbers: estimates, standard errors, intervals, p-values, n, the sets of
      cities or industries, and everything its figure prints or draws>}

The numbers are the claim's ``details`` turned into JSON by :func:`to_jsonable` (a generic
serialiser: DataFrames -> lists of records, Series -> dicts, numpy scalars and arrays ->
Python numbers and lists, dataclasses -> their ``to_dict()`` or fields, NaN and infinities ->
``null``). A claim whose details hold a ready ``document`` (C6, :func:`yrd.claims.c6.c6_document`)
has that document's keys at the top level. The header keys come from the :class:`ClaimResult`
and win over any equally named detail.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import COLUMNS, STATEMENTS, VERDICTS, ClaimResult

SCHEMA = "yrd-claim/1"
#: Keys every claim document carries (the claims table's columns, the reason and the schema tag).
REQUIRED_KEYS = ("schema", *COLUMNS, "reason")


def to_jsonable(obj: Any) -> Any:
    """``obj`` as plain JSON types (recursively).

    DataFrame -> list of row records (index dropped unless named); Series -> ``{index: value}``;
    numpy scalars -> ``int``/``float``/``bool``; numpy arrays, tuples and sets -> lists; objects
    with ``to_dict()`` -> that dict; dataclasses -> ``{field: value}``; dates -> ISO text;
    NaN, +-inf, ``pd.NA`` and ``NaT`` -> ``None``; mapping keys -> ``str``."""
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        x = float(obj)
        return x if math.isfinite(x) else None
    if isinstance(obj, pd.DataFrame):
        d = obj.reset_index() if any(n is not None for n in obj.index.names) else obj
        return [
            {str(k): to_jsonable(v) for k, v in zip(d.columns, row, strict=True)}
            for row in d.itertuples(index=False, name=None)
        ]
    if isinstance(obj, pd.Series):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=str) if isinstance(obj, (set, frozenset)) else obj
        return [to_jsonable(v) for v in items]
    if isinstance(obj, (_dt.date, _dt.datetime, pd.Timestamp)):
        return obj.isoformat()
    if hasattr(obj, "to_dict") and callable(obj.to_dict):
        return to_jsonable(obj.to_dict())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if obj is pd.NA or obj is pd.NaT:
        return None
    raise TypeError(f"cannot turn {type(obj).__name__} into JSON")


def claim_document(result: ClaimResult) -> dict[str, Any]:
    """The JSON document of one claim (module docstring): the header of its table row and its numbers."""
    details = dict(result.details)
    numbers = to_jsonable(details.pop("document", None) or {})
    numbers.update(to_jsonable(details))
    header = {"schema": SCHEMA, **result.row(), "reason": details.get("reason") or result.notes}
    return {**header, **{k: v for k, v in numbers.items() if k not in header}}


def check_document(doc: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` if ``doc`` lacks a key of :data:`REQUIRED_KEYS`, has an unknown
    verdict or claim, or is not JSON without NaN."""
    missing = [k for k in REQUIRED_KEYS if k not in doc]
    if missing:
        raise ValueError(f"claim document lacks {missing}")
    if doc["verdict"] not in VERDICTS:
        raise ValueError(f"verdict {doc['verdict']!r} not in {VERDICTS}")
    if doc["claim"] not in STATEMENTS:
        raise ValueError(f"unknown claim {doc['claim']!r}")
    json.dumps(doc, allow_nan=False)


def write_claim_json(doc: Mapping[str, Any] | ClaimResult, path: str | Path) -> dict[str, Any]:
    """Write a claim document (or the document of a :class:`ClaimResult`) as indented UTF-8 JSON
    (``allow_nan=False``); returns the document written."""
    d = claim_document(doc) if isinstance(doc, ClaimResult) else dict(doc)
    check_document(d)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(d, fh, indent=2, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
    return d


def read_claim_json(path: str | Path) -> dict[str, Any]:
    """Read and check a claim document written by :func:`write_claim_json`."""
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    check_document(doc)
    return doc


def document_row(doc: Mapping[str, Any]) -> dict[str, str]:
    """The claims table's row of a document (the columns of :data:`yrd.claims.base.COLUMNS`)."""
    return {c: str(doc[c]) for c in COLUMNS}


def claims_table_from_documents(docs: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """The claims table (rows C1.. in claim order) as a view of the claim documents."""
    rows = sorted((document_row(d) for d in docs), key=lambda r: int(r["claim"][1:]))
    return pd.DataFrame(rows, columns=COLUMNS)


def records(doc_part: Any, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A list of records from a document back as a DataFrame (``None`` -> NaN in numeric columns);
    empty with ``columns`` when the list is empty or missing."""
    if not doc_part:
        return pd.DataFrame(columns=list(columns or []))
    return pd.DataFrame.from_records(doc_part).infer_objects()
