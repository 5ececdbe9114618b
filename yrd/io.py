"""Safe, deterministic writing of tables, file checksums, and the distinct values of columns.

CSV files written by the pipeline are opened by users in spreadsheets. A text cell starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be run as a formula there (CSV or
formula injection; OWASP). Raw firm files come from third parties, so firm names, addresses
or quarantine reasons may carry such text: :func:`write_csv` prefixes those cells with a single
quote, as OWASP recommends, in text columns only (numbers are left alone). Nothing in the
pipeline reads user files with pickle or ``eval``; raw values stay strings until parsed
explicitly.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from yrd.parallel import run_threads

if TYPE_CHECKING:
    import pyarrow as pa

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def sort_positions(df: pd.DataFrame, by: Sequence[str]) -> np.ndarray:
    """Row positions of ``df.sort_values(by, kind="stable")``: only the key columns are sorted
    and moved (pandas' own ordering, missing values last), not the whole table.

    When every key is numeric, boolean or a string column, each is first numbered in sorted
    order (:func:`sorted_codes`; a missing value after every other) and the rows are sorted once
    on the combined integer key (:func:`stable_order`): the same positions, on the 4.4 M
    national firm-years (firm, year, file, row) 1.7-2.4 s CPU against 3.1-3.7 s for pandas'
    sort of the four columns. Other key types are sorted by pandas."""
    by = list(by)
    if not len(df) or not all(_codable(df[c]) for c in by):
        keys = df[by].reset_index(drop=True)
        return keys.sort_values(by, kind="stable").index.to_numpy(dtype=np.int64)
    codes = []
    for c in by:
        k, uniques = sorted_codes(df[c])
        codes.append(np.where(k < 0, len(uniques), k))  # missing: last, as pandas sorts them
    return stable_order(*codes)


def _codable(s: pd.Series) -> bool:
    """True for the key columns :func:`sort_positions` numbers itself: numeric, boolean or
    string dtypes (each of which pandas sorts by value, missing last)."""
    t = s.dtype
    return (
        pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t) or isinstance(t, pd.StringDtype)
    ) and not (isinstance(t, pd.CategoricalDtype))


def stable_order(*keys: np.ndarray) -> np.ndarray:
    """Positions that sort the rows by the integer arrays ``keys`` (first key first), ties in
    their order: ``np.lexsort(keys[::-1])``. When the keys' ranges multiply to less than 2**62
    they are combined into one integer and sorted once (NumPy's stable sort): 0.3 s against
    1.9 s for lexsort on the 9.3 M cells of a national OD panel (:func:`yrd.flows.frame.gravity_frame`)."""
    if not keys or not len(keys[0]):
        return np.arange(len(keys[0]) if keys else 0)
    lows = [int(k.min()) for k in keys]
    spans = [int(k.max()) - lo + 1 for k, lo in zip(keys, lows)]
    if float(np.prod([float(s) for s in spans])) >= 2.0**62:
        return np.lexsort(keys[::-1])
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for k, lo, span in zip(keys, lows, spans):
        combined = combined * span + (k.astype(np.int64) - lo)
    return np.argsort(combined, kind="stable")


def take_rows(df: pd.DataFrame, positions: np.ndarray, workers: int = 1) -> pd.DataFrame:
    """``df.take(positions)`` with the columns taken on ``workers`` threads
    (:func:`yrd.parallel.run_threads`; Arrow's ``take`` releases the GIL): on the national
    world's 4.4 M firm-years, 26 columns in a random order, about 7 s on one thread, 4 s on two.
    Arrow string columns with few distinct values are taken through their codes
    (:func:`_take_array`)."""
    if df.columns.has_duplicates:
        return df.take(positions)
    pos = np.asarray(positions, dtype=np.int64)
    arrays = run_threads([partial(_take_array, df[c], pos) for c in df.columns], workers=workers)
    out = pd.DataFrame(dict(zip(df.columns, arrays)), index=df.index.take(pos))
    return out.astype(df.dtypes.to_dict()) if not out.dtypes.equals(df.dtypes) else out


#: Rows of a string column looked at to guess whether it has few distinct values.
_SAMPLE_ROWS = 1 << 16


def _take_array(s: pd.Series, pos: np.ndarray):
    """``s.array.take(pos)``. An Arrow string column whose first :data:`_SAMPLE_ROWS` values
    hold at most one distinct value in 16 (county, industry, source file) is taken as codes:
    dictionary-encoded (:func:`dictionary_codes`), its integer codes taken in NumPy and the
    strings looked up in the small dictionary, the same values (and Arrow type) as the string
    take, which fetches every row's offsets and bytes from all over the column: on the national
    world's 4.4 M firm-years in rule link_firms' order, 0.25 s against 0.45 s per such column
    (nine of them). The guess decides only the speed."""
    chunked = arrow_strings(s)
    if chunked is None:
        return s.array.take(pos)
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked])
    sample = chunked.slice(0, _SAMPLE_ROWS)
    if pc.count_distinct(sample, mode="all").as_py() * 16 > len(sample):
        return s.array.take(pos)
    codes, dictionary = dictionary_codes(pc.dictionary_encode(chunked).unify_dictionaries())
    taken = codes[pos]
    return pd.array(dictionary.take(pa.array(taken, mask=taken < 0)), dtype=s.dtype)


def select_rows(df: pd.DataFrame, mask) -> pd.DataFrame:
    """``df[mask]`` (a boolean mask aligned with ``df``), but ``df`` itself when the mask keeps
    every row: selecting all 11 M rows of a national OD panel copies its string columns (about
    2.5 s) for nothing. Safe to change the result: pandas copies on write."""
    keep = np.asarray(mask, dtype=bool)
    return df if keep.all() else df[keep]


def distinct(*columns: pd.Series, as_str: bool = False) -> set:
    """The distinct non-missing values of one or more columns, as a Python set (as strings when
    ``as_str``).

    ``set(column)`` iterates every row in Python: on an ASIF-scale panel (9-11 M cells, Arrow
    strings) that took seconds per call, several times per rule. This reads the distinct values
    with pandas' hash-based :func:`pandas.unique` first, then builds the set from those."""
    out: set = set()
    for col in columns:
        values = pd.unique(pd.Series(col).dropna())
        if as_str:
            out.update(str(v) for v in values)
        else:
            out.update(values.tolist())
    return out


def strings_from_codes(codes: np.ndarray, values, arrow_type=None, dtype="str") -> pd.api.extensions.ExtensionArray:
    """The pandas string column (dtype ``str``) ``values[codes]``, built by Arrow from the few
    distinct ``values`` (a dictionary array cast to strings) instead of one Python string per
    row, as building it from a NumPy object array costs on millions of rows. ``codes`` are
    positions in ``values`` (no missing values). ``arrow_type``: the Arrow type of the strings
    (default ``pa.string()``; e.g. ``pa.large_string()``, which is what pandas reads from Parquet,
    so that a column rebuilt this way is written to Parquet as the one read); ``dtype``: the
    pandas string dtype backed by Arrow (``"str"`` or ``"string[pyarrow]"``)."""
    import pyarrow as pa

    arrow_type = pa.string() if arrow_type is None else arrow_type
    dictionary = pa.array([str(v) for v in values], type=arrow_type)
    arr = pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), dictionary)
    return pd.array(arr.cast(arrow_type), dtype=dtype)


def arrow_strings(s: pd.Series):
    """The Arrow chunked array under a pandas string column backed by Arrow (dtype ``str`` or
    ``string[pyarrow]``), else None."""
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return s.array._pa_array  # pandas' own attribute: no public accessor gives the array without a copy
    return None


def str_series(text, index: pd.Index | None = None) -> pd.Series:
    """A pandas ``str`` column (Arrow-backed, NaN as its missing value) over the Arrow string
    array ``text`` (string or large_string; nulls become missing), without copying it: what
    ``pd.Series(list_of_str, dtype="str")`` gives, without a Python string per value."""
    return pd.Series(pd.arrays.ArrowStringArray(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan)), index=index)


def sorted_codes(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """``pd.factorize(s, sort=True)``: int64 codes numbering the sorted distinct values from 0
    (-1 for a missing value) and those values. An Arrow string column is encoded by Arrow
    (``dictionary_encode``) and only its distinct values are sorted: on the 11 M cells of a
    national OD panel about 0.26 s per column against 0.9 s for pandas' factorisation."""
    chunked = arrow_strings(s)
    if chunked is None:
        codes, uniques = pd.factorize(s, sort=True)
        return np.asarray(codes, dtype=np.int64), pd.Index(uniques)
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(chunked, pa.Array):
        chunked = pa.chunked_array([chunked])
    encoded = pc.dictionary_encode(chunked).unify_dictionaries()
    if encoded.num_chunks == 0:
        return np.zeros(0, dtype=np.int64), pd.Index([], dtype=s.dtype)
    idx, dictionary = dictionary_codes(encoded)
    order = pc.sort_indices(dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1  # a missing value (index -1 below)
    uniques = pd.Index(pd.array(dictionary.take(pa.array(order)), dtype=s.dtype))
    return rank[idx], uniques


def dictionary_codes(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """The integer codes (positions in the dictionary, -1 for a missing value) of a
    dictionary-encoded pyarrow ``ChunkedArray`` whose chunks share one dictionary
    (``unify_dictionaries``), and that dictionary (a pyarrow array; empty when there is no
    chunk): the chunks' ``indices`` with nulls filled by -1, concatenated."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column.num_chunks == 0:
        return np.zeros(0, dtype=np.int32), pa.array([], type=column.type.value_type)
    idx = [pc.fill_null(c.indices, -1).to_numpy() for c in column.chunks]
    return np.concatenate(idx), column.chunk(0).dictionary


def recode(codes: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``at[codes]`` with -1 (a missing value) kept: codes numbering one set of labels as
    positions in another, ``at`` being each label's position there (``Index.get_indexer``, -1
    where absent). Returns ``codes`` itself when ``at`` is empty (every code is then -1)."""
    return np.where(codes >= 0, at[np.maximum(codes, 0)], -1) if len(at) else codes


def used_positions(codes: np.ndarray, n: int, keep: np.ndarray | None = None) -> np.ndarray:
    """The positions ``0 <= p < n`` that ``codes`` (positions among ``n`` labels, -1: missing,
    ignored) refer to, in increasing order, in the rows ``keep`` (a boolean mask; all rows when
    None): the non-zero entries of ``np.bincount(codes + 1)``, less those of the rows not kept
    (cheap when few rows are dropped: no copy of the kept codes)."""
    counts = np.bincount(codes + 1, minlength=n + 1)
    if keep is not None:
        counts -= np.bincount(codes[~keep] + 1, minlength=n + 1)
    return np.flatnonzero(counts[1:])


def used_labels(codes: np.ndarray, labels: pd.Index) -> tuple[np.ndarray, pd.Index]:
    """``codes`` (valid positions in ``labels``) renumbered over the ``labels`` they use, and
    those labels (in their order): the used positions (:func:`used_positions`) numbered 0, 1, ..."""
    used = used_positions(codes, len(labels))
    renumber = np.zeros(len(labels), dtype=np.int64)
    renumber[used] = np.arange(len(used))
    return renumber[codes], labels[used]


def firm_id_codes(
    ids: pd.Series | np.ndarray, multiplier: int = 1, lookup: Any = None, limit: int = 2**62
) -> tuple[np.ndarray, np.ndarray | None]:
    """Int64 codes numbering firm ids (equal ids, equal codes; -1 for a missing id) small enough
    that ``code * multiplier + r`` (``0 <= r < multiplier``) stays under ``limit``, so that a firm
    and a second key combine into one integer.

    * integer ids without missing values whose range fits, ``(max - min + 1) * multiplier <
      limit``: ``id - min`` (codes ordered as the ids, not dense: ids absent between min and max
      leave gaps);
    * integer ids too far apart: their rank among the distinct ids (``pd.factorize(sort=True)``);
    * other ids (strings, or integers with missing values): :func:`pandas.factorize` codes (in
      order of first appearance; dense, so the bound holds while the number of distinct ids
      times ``multiplier`` does).

    ``lookup`` (optional): further ids of the same kind (no missing values when ``ids`` are
    integers) coded the same way; a lookup id outside ``[min, max]`` of ``ids`` (offsets) or not
    among ``ids`` (ranks, factorize codes) gets -1; an id inside the range but absent from ``ids``
    gets an offset no id has. Returns ``(codes of ids, codes of lookup or None)``."""
    dtype = getattr(ids, "dtype", None)
    integer = dtype is not None and pd.api.types.is_integer_dtype(dtype) and len(ids) > 0
    if integer and isinstance(dtype, pd.api.extensions.ExtensionDtype):  # nullable: Int64 etc.
        integer = not pd.isna(ids).any()
    if integer:
        values = ids.to_numpy(dtype=np.int64) if isinstance(ids, pd.Series) else np.asarray(ids, dtype=np.int64)
        look = None if lookup is None else np.asarray(lookup, dtype=np.int64)
        low, high = int(values.min()), int(values.max())
        if (high - low + 1) * max(int(multiplier), 1) < limit:
            if look is None:
                return values - low, None
            inside = (look >= low) & (look <= high)
            return values - low, np.where(inside, look - low, -1)
        codes, uniques = pd.factorize(values, sort=True)
    else:
        codes, uniques = pd.factorize(ids)
    codes = np.asarray(codes, dtype=np.int64)
    if lookup is None:
        return codes, None
    return codes, np.asarray(pd.Index(uniques).get_indexer(lookup), dtype=np.int64)


def positions_in(values: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each value (as a string) in ``index``, -1 where absent or missing:
    ``index.get_indexer(values.astype(str))``, but a categorical or an Arrow string column is
    looked up by its distinct values (:func:`sorted_codes`), not row by row (millions of rows,
    a few thousand distinct codes)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct_values = values.cat.codes.to_numpy(), values.cat.categories
    elif arrow_strings(values) is not None:
        codes, distinct_values = sorted_codes(values)
    else:
        return index.get_indexer(values.astype(str))
    at = index.get_indexer(distinct_values.astype(str))
    return np.where(codes >= 0, at[codes], -1) if len(at) else np.full(len(codes), -1)


def map_values(s: pd.Series, mapping) -> pd.Series:
    """``s.map(mapping)`` computed once per distinct value of ``s`` and spread back to the rows:
    the same values, type and index. ``Series.map`` of a pandas 3 string column looks every row
    up through Python objects; on the millions of firm-years of an ASIF-scale panel that costs
    seconds per call, the few hundred distinct prefecture or industry codes nothing."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    keys = pd.Series(uniques, dtype=s.dtype)
    if (codes < 0).any():  # a missing value is mapped as Series.map maps it, in the last slot
        keys = pd.concat([keys, pd.Series([None], dtype=s.dtype)], ignore_index=True)
    mapped = keys.map(mapping)
    return pd.Series(_spread(mapped.array, codes), index=s.index, name=s.name)


def apply_per_code(
    codes: np.ndarray, values: Sequence | pd.Index, f: Callable[[Any], Any], missing: Any = None
) -> np.ndarray:
    """``f(values[c])`` for each code ``c`` of ``codes`` (positions in ``values``, -1 for a
    missing value, as from :func:`pandas.factorize`), ``missing`` where ``c`` is -1, as an object
    array: ``f`` is called once per distinct value (a few hundred prefectures or industries),
    not once per row. :func:`map_values` does the same for a mapping applied by ``Series.map``."""
    return _spread(np.array([*(f(v) for v in values), missing], dtype=object), codes)


def _spread(table: np.ndarray | pd.api.extensions.ExtensionArray, codes: np.ndarray) -> Any:
    """``table[codes]`` (a NumPy or pandas array ``take``) where ``table`` holds one result per
    distinct value and, last, the result of a missing value, which the code -1 takes."""
    return table.take(np.where(codes < 0, len(table) - 1, codes))


def read_focus_rows(path: str | Path, focus: str, keys: Sequence[str] = ("origin", "dest")) -> pd.DataFrame:
    """The rows of an OD Parquet file (``flows/od.parquet``, ``od_outside.parquet``,
    ``gravity_fitted.parquet``) whose ``origin`` or ``dest`` (``keys``) is ``focus``, selected by the Parquet
    reader (pyarrow filters), in the file's order and with its types: what
    ``pd.read_parquet(path)`` restricted to those rows gives, without reading the ~11 M rows of a
    national panel into pandas. The focus's own internal cells, if any, are included.

    When the ``keys`` are string columns, every string column is read
    dictionary-encoded (Parquet stores it so), the rows are selected on the codes and only they
    are decoded back to the file's types: 0.9-1.0 s CPU instead of 1.5-1.9 s for the reader's
    filters on a national OD panel, the same frame."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    focus = str(focus)
    schema = pq.read_schema(path)
    strings = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    keys = list(keys)
    if not set(keys) <= set(strings):
        out = pd.read_parquet(path, filters=[[(k, "==", focus)] for k in keys])
        return out.reset_index(drop=True)
    table = pq.read_table(path, read_dictionary=strings)
    keep = pc.equal(table[keys[0]], focus)
    for k in keys[1:]:
        keep = pc.or_kleene(keep, pc.equal(table[k], focus))  # a missing key: the row is dropped
    return table.filter(keep).cast(schema).to_pandas().reset_index(drop=True)


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


def write_xlsx(df: pd.DataFrame, path: str | Path, *, creator: str = "yrd") -> None:
    """Write ``df`` as .xlsx (one sheet, no index) that is byte-identical on every rerun.

    openpyxl stamps the document properties and the zip entries with the current time; here
    the properties are fixed to 2000-01-01 and every zip entry to 1980-01-01.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        df.to_excel(xw, index=False, sheet_name="Sheet1")
        props = xw.book.properties
        props.creator = props.lastModifiedBy = creator
        props.created = props.modified = dt.datetime(2000, 1, 1)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", r"\g<1>2000-01-01T00:00:00Z\g<3>", text
                )
                data = text.encode("utf-8")
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            dst.writestr(zi, data)
