"""Text and numbers of the raw survey files, as the row validation reads them
(:mod:`yrd.ingest.validation`): cleaned text, numbers parsed from text (full-width digits,
thousands separators, scientific notation), organisation codes normalised.

Hand-written on pandas and pyarrow string kernels: the per-value rules (which texts are numbers,
which characters are separators) are this project's, and each fast path is checked against the
plain pandas formulation in ``tests/test_ingest_fast_paths.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

#: Text read as a missing value (after stripping whitespace).
MISSING_TOKENS = ("", ".", "-", "--", "NA", "N/A", "n/a", "na", "NaN", "nan", "NULL", "null", "None", "none", "<NA>")

_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_FIRM_CODE_JUNK = re.compile(r"[\s\-]+")
#: Numbers pyarrow parses as pandas does (pyarrow's regex: ASCII digits only): an optional minus,
#: digits with an optional decimal point. Not a leading ``+``: pandas parses some of those
#: differently in the last bit.
_PLAIN_DECIMAL = r"^-?(\d+\.?\d*|\.\d+)$"
#: The ASCII characters of ``_FIRM_CODE_JUNK`` (Python's ``\s`` on ASCII: tab to carriage return,
#: the separators 0x1c-0x1f and space), written without ``\s`` so that pyarrow's regex serves.
_FIRM_CODE_JUNK_ASCII = r"[\t\n\x0b\x0c\r\x1c-\x1f \-]+"


def clean_text(s: pd.Series) -> pd.Series:
    """Strings stripped of surrounding whitespace; :data:`MISSING_TOKENS` become missing."""
    t = s.astype("str").str.strip()
    return t.mask(t.isin(MISSING_TOKENS))


def parse_numbers(s: pd.Series) -> pd.Series:
    """Parse text as float64: NFKC (full-width digits), thousands separators in groups of three
    removed (``"1,234.5"``), scientific notation accepted; non-finite or unparseable -> NaN."""
    t = _nfkc(s.astype("str")).str.strip()
    # the pattern is matched (by Python's re: its \d is Unicode) only where there is a comma
    has_comma = t.str.contains(",", regex=False).fillna(False).to_numpy(dtype=bool)
    if has_comma.any():
        commas = np.zeros(len(t), dtype=bool)
        commas[has_comma] = t[has_comma].str.fullmatch(_THOUSANDS.pattern).fillna(False).to_numpy(dtype=bool)
        if commas.any():
            t = t.where(~commas, t.str.replace(",", "", regex=False))
    v = pd.Series(_to_float(t), index=t.index, name=t.name)
    return v.where(np.isfinite(v))


def _to_float(t: pd.Series) -> np.ndarray:
    """``pd.to_numeric(t, errors="coerce")`` as float64, faster: plain decimals
    (:data:`_PLAIN_DECIMAL`) are cast by pyarrow, which gives the same doubles (both round them
    correctly; checked on random decimals of up to 22 + 22 digits, tests/test_ingest_fast_paths.py);
    the rest (a leading ``+``, exponents, words, other digits) goes to pandas. Values of ASCII
    digits only (counts, years: most values) are plain decimals without matching the regex,
    which is the costly kernel; it runs on the others only."""
    arr = pyarrow.array(t.array)
    present = t.notna().to_numpy()
    fast = pc.fill_null(pc.ascii_is_decimal(arr), False).to_numpy(zero_copy_only=False)
    other = present & ~fast
    if other.any():
        matched = pc.match_substring_regex(pc.filter(arr, pyarrow.array(other)), _PLAIN_DECIMAL)
        fast[other] = pc.fill_null(matched, False).to_numpy(zero_copy_only=False)
    out = np.full(len(t), np.nan)
    out[fast] = pc.cast(pc.filter(arr, pyarrow.array(fast)), pyarrow.float64()).to_numpy(zero_copy_only=False)
    rest = ~fast & present
    if rest.any():
        out[rest] = pd.to_numeric(t[rest], errors="coerce").astype("float64").to_numpy()
    return out


def _nfkc(t: pd.Series) -> pd.Series:
    """NFKC normalisation of the non-ASCII values only (the others are unchanged by it)."""
    wide = ~t.str.isascii().fillna(True).astype(bool)
    if wide.any():
        t = t.copy()
        t[wide] = t[wide].str.normalize("NFKC")
    return t


def normalise_firm_codes(s: pd.Series) -> pd.Series:
    """Organisation codes: NFKC, upper case, spaces and hyphens removed; empty -> missing.

    Spaces are those of Python's ``\\s`` (Unicode whitespace): ASCII values go through pyarrow's
    regex with the ASCII characters ``\\s`` matches (:data:`_FIRM_CODE_JUNK_ASCII`), the others
    through Python's."""
    t = _nfkc(s.astype("str")).str.upper()
    wide = ~t.str.isascii().fillna(True).to_numpy(dtype=bool)
    out = t.str.replace(_FIRM_CODE_JUNK_ASCII, "", regex=True)
    if wide.any():
        out[wide] = t[wide].str.replace(_FIRM_CODE_JUNK.pattern, "", regex=True)
    return out.mask(out == "")
