"""Safe, deterministic writing of tables, and file checksums.

CSV files written by the pipeline are opened by users in spreadsheets. A text cell starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a formula there (CSV or
formula injection; OWASP). Raw firm files come from third parties, so firm names, addresses
or quarantine reasons may carry such text: :func:`write_csv` prefixes those cells with a single
quote, as OWASP recommends, in text columns only (numbers are left alone). Nothing in the
pipeline reads user files with pickle or ``eval``; raw values stay strings until parsed
explicitly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` whose text cells starting with a formula character are prefixed by ``'``.

    Only object/string columns are touched; numeric columns (including negative numbers) are
    not. ``"=CMD|'/c calc'!A0"`` becomes ``"'=CMD|'/c calc'!A0"``.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if not (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)):
            continue
        text = s.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False)
        if risky.any():
            out[col] = s.where(~risky.to_numpy(), "'" + text)
    return out


def write_csv(df: pd.DataFrame, path: str | Path, **kwargs) -> None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line endings, no index, formula cells neutralised."""
    kwargs.setdefault("index", False)
    kwargs.setdefault("lineterminator", "\n")
    neutralise_formulas(df).to_csv(path, encoding="utf-8", **kwargs)


def sha256(path: str | Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            h.update(block)
    return h.hexdigest()
