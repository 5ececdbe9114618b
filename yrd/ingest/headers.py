"""Map the headers of raw ASIF files to canonical column names.

The header-dialect table ``config/header_dialects.yaml`` lists, per dialect (``zh``, ``en``,
``pinyin``), the known header names of every canonical column. A header found in a file is
matched after :func:`normalise_header`: Unicode NFKC normalisation (full-width parentheses,
letters, digits and spaces become their half-width forms: ``开业时间（年）`` = ``开业时间(年)``), a
byte-order mark and all whitespace removed, and case folded (``Firm`` = ``firm``). Any dialect's
names are accepted in any file (distributors mix them).

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
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from yrd.ingest.errors import RawFileError

log = logging.getLogger(__name__)

DIALECTS_YAML = Path(__file__).resolve().parents[2] / "config" / "header_dialects.yaml"

#: Canonical columns that ingestion uses; the dialect table must define all of them.
CANONICAL_COLUMNS = ("firm_code", "name", "legal_rep", "county_code", "industry_code", "founding_year",
                     "reg_type", "employment", "output", "sales", "phone", "area_code", "postcode", "address",
                     "year")

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


def load_dialects(path: str | os.PathLike | None = None) -> HeaderDialects:
    """Read and check the header-dialect table (default ``config/header_dialects.yaml``).

    Raises ``ValueError`` naming the file if keys are missing, a required column is not
    canonical, a column ingestion needs (:data:`CANONICAL_COLUMNS`) is not defined, a dialect
    maps a non-canonical column, or one header (after :func:`normalise_header`) is listed for
    two canonical columns."""
    path = Path(path or DIALECTS_YAML)
    with open(path, encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    return dialects_from_mapping(doc, source=str(path))


def dialects_from_mapping(doc: Any, source: str = "<mapping>") -> HeaderDialects:
    """:class:`HeaderDialects` from the parsed YAML document (same checks as :func:`load_dialects`)."""
    if isinstance(doc, HeaderDialects):
        return doc
    if not isinstance(doc, Mapping) or not {"canonical", "required", "dialects"} <= set(doc):
        raise ValueError(f"{source}: expected the keys canonical, required and dialects")
    canonical = tuple(str(c) for c in doc["canonical"])
    required = tuple(str(c) for c in doc["required"])
    missing = [c for c in CANONICAL_COLUMNS if c not in canonical]
    if missing:
        raise ValueError(f"{source}: canonical columns {missing} are not defined")
    bad_req = [c for c in required if c not in canonical]
    if bad_req:
        raise ValueError(f"{source}: required columns {bad_req} are not canonical")
    lookup: dict[str, tuple[str, str]] = {}
    dialects: dict[str, dict[str, tuple[str, ...]]] = {}
    for dialect, cols in (doc["dialects"] or {}).items():
        cols = cols or {}
        unknown = sorted(set(cols) - set(canonical))
        if unknown:
            raise ValueError(f"{source}: dialect {dialect!r} maps non-canonical columns {unknown}")
        dialects[str(dialect)] = {}
        for col, names in cols.items():
            names = tuple(str(n).strip() for n in (names or []))
            dialects[str(dialect)][col] = names
            for n in names:
                key = normalise_header(n)
                prev = lookup.setdefault(key, (col, str(dialect)))
                if prev[0] != col:
                    raise ValueError(f"{source}: header {n!r} ({dialect}) is listed for {prev[0]!r} and {col!r}")
    if not dialects:
        raise ValueError(f"{source}: no dialects")
    return HeaderDialects(canonical, required, dialects, lookup, source)


def canonicalise(
    df: pd.DataFrame, dialects: HeaderDialects | Mapping | str | os.PathLike | None, file: str | os.PathLike
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Rename the columns of a raw frame to canonical names (rules in the module docstring).

    Returns ``(frame, report)``: the frame has the canonical columns found, in canonical order
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
        raise RawFileError(file, f"required column{'s' if len(missing) > 1 else ''} missing: {', '.join(missing)} "
                                 f"(no header matches a known name); headers found: {headers}")
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


def _as_dialects(d: HeaderDialects | Mapping | str | os.PathLike | None) -> HeaderDialects:
    if isinstance(d, HeaderDialects):
        return d
    if d is None or isinstance(d, (str, os.PathLike)):
        return load_dialects(d)
    return dialects_from_mapping(d)
