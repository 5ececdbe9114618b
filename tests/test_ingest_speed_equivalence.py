"""The faster paths of rule ingest give exactly what the plain ones give: the column-wise Stata
reader (yrd.ingest.stata) against pandas.read_stata, Arrow's float texts (yrd.ingest.readers
.float_reprs) against repr, and the digits-only shortcut of yrd.ingest.numbers._to_float against
pandas.to_numeric. Each compares on small known inputs, including the cases the fast path must
hand back to the plain one."""

import struct
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yrd.ingest import readers
from yrd.ingest.numbers import _to_float
from yrd.ingest.readers import _read_stata, float_reprs, read_table
from yrd.ingest.stata import read_stata_columns, stata_layout

PANDAS_OPTIONS = {
    "convert_categoricals": False,
    "convert_missing": False,
    "preserve_dtypes": True,
    "convert_dates": True,
}


def _frame(non_ascii: bool) -> pd.DataFrame:
    names = ["上海市电机厂", "", "Hangzhou Co", "x" * 30] if non_ascii else ["Motor Works", "", "Hangzhou Co", "x" * 30]
    return pd.DataFrame(
        {
            "name": names,
            "code": ["320121", "310104", "", "1"],
            "i8": np.array([1, -5, 100, 0], dtype="int8"),
            "i16": np.array([32740, -32767, 7, 0], dtype="int16"),
            "i32": np.array([2147483620, -3, 0, 12], dtype="int32"),
            "f32": np.array([1.5, np.nan, 3.25, -0.1], dtype="float32"),
            "f64": [1523.45, np.nan, 1e16, 12.0],
            "whole": [320121.0, np.nan, 2.0, 5.0],
        }
    )


def _pandas(path: Path) -> pd.DataFrame:
    return pd.read_stata(path, **PANDAS_OPTIONS)


def _strings_by_pandas(path: Path, monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    """The frame of strings of _read_stata with the fast reader switched off (pandas reads)."""
    with monkeypatch.context() as m:
        m.setattr(readers, "read_stata_columns", lambda p: None)
        return _read_stata(path, path.name)[0]


def _patch(path: Path, row: int, column: int, value: bytes) -> None:
    """Overwrite the bytes of one cell of a format 117-119 file (where its header says it is)."""
    data = bytearray(path.read_bytes())
    layout = stata_layout(bytes(data), len(data))
    assert layout is not None
    at = layout.data_offset + row * layout.record.itemsize + layout.record.fields[f"s{column}"][1]
    data[at : at + len(value)] = value
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("version, byteorder", [(117, "little"), (118, "little"), (118, "big"), (119, "little")])
def test_stata_columns_as_pandas(tmp_path, monkeypatch, version, byteorder):
    p = tmp_path / "a.dta"
    _frame(non_ascii=version >= 118).to_stata(p, write_index=False, version=version, byteorder=byteorder)
    fast = read_stata_columns(p)
    assert fast is not None  # the plain case is read here, not handed to pandas
    slow = _pandas(p)
    pd.testing.assert_frame_equal(fast, slow)
    assert list(fast.dtypes) == list(slow.dtypes)
    strings, info = _read_stata(p, "a.dta")
    pd.testing.assert_frame_equal(strings, _strings_by_pandas(p, monkeypatch))
    assert info.headers == list(slow.columns) and info.engine == "yrd.ingest.stata"
    assert pd.isna(strings.iloc[1, 0])  # an empty string is missing
    assert strings[6].fillna("<NA>").tolist() == ["1523.45", "<NA>", "1e+16", "12.0"]


def test_stata_missing_codes_and_nul_bytes_as_pandas(tmp_path, monkeypatch):
    p = tmp_path / "a.dta"
    _frame(non_ascii=True).to_stata(p, write_index=False, version=118)
    _patch(p, 0, 2, bytes([101]))  # int8 .a
    _patch(p, 1, 3, struct.pack("<h", 32741))  # int16 .
    _patch(p, 2, 4, struct.pack("<i", 2147483621))  # int32 .
    _patch(p, 3, 5, b"\x00\x00\x00\x7f")  # float32 .
    _patch(p, 0, 6, b"\x00\x00\x00\x00\x00\x00\xe0\x7f")  # float64 .
    _patch(p, 2, 1, b"ab\x00cd")  # bytes after the first NUL are not part of the value
    fast = read_stata_columns(p)
    assert fast is not None
    slow = _pandas(p)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["i8"].dtype == "float64" and fast["f32"].dtype == "float32" and fast.loc[2, "code"] == "ab"
    pd.testing.assert_frame_equal(_read_stata(p, "a.dta")[0], _strings_by_pandas(p, monkeypatch))


def test_stata_files_for_pandas_are_handed_back(tmp_path, monkeypatch):
    d = _frame(non_ascii=False)
    bad = tmp_path / "bad_utf8.dta"
    d.to_stata(bad, write_index=False, version=118)
    _patch(bad, 0, 0, b"\xff\xfe")  # not UTF-8: pandas decodes the cell as Latin-1, with a warning
    latin = tmp_path / "latin.dta"
    d.assign(name=["Motörhead", "", "a", "b"]).to_stata(latin, write_index=False, version=117)
    latin_like_utf8 = tmp_path / "latin_like_utf8.dta"  # Latin-1 "Ã©" is the UTF-8 of "é"
    d.assign(name=["Ã©", "", "a", "b"]).to_stata(latin_like_utf8, write_index=False, version=117)
    dates = tmp_path / "dates.dta"
    d.assign(day=pd.to_datetime(["2001-01-02"] * 4)).to_stata(dates, write_index=False, version=118)
    strl = tmp_path / "strl.dta"
    d.to_stata(strl, write_index=False, version=118, convert_strl=["name"])
    old = tmp_path / "old.dta"
    d.to_stata(old, write_index=False, version=114)
    for p in (bad, latin, latin_like_utf8, dates, strl, old):
        assert read_stata_columns(p) is None, p.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            strings = _read_stata(p, p.name)[0]
            pd.testing.assert_frame_equal(strings, _strings_by_pandas(p, monkeypatch))


def test_ingested_stata_file_as_with_pandas(tmp_path, monkeypatch):
    """A whole raw .dta through read_table: the same frame of strings and read info either way."""
    d = pd.DataFrame(
        {
            "frdm": ["13456789X", "60723145-8", "13456789X", ""],
            "dwmc": ["杭州电机厂", "南京化工", "杭州电机厂", "无锡"],
            "dq": [330102, 320102, 330102, 320205],
            "cyrs": [120.0, np.nan, 120.0, 35.5],
            "gyzczxjxgd": [1523.45, 1e-5, 1523.45, 7.0],
        }
    )
    p = tmp_path / "asif_2005.dta"
    d.to_stata(p, write_index=False, version=118)
    fast, info = read_table(p)
    with monkeypatch.context() as m:
        m.setattr(readers, "read_stata_columns", lambda p: None)
        slow, slow_info = read_table(p)
    pd.testing.assert_frame_equal(fast, slow)
    assert (info.headers, info.format) == (slow_info.headers, slow_info.format)
    assert (info.engine, slow_info.engine) == ("yrd.ingest.stata", "pandas.read_stata")  # says who read it
    assert fast["gyzczxjxgd"].tolist() == ["1523.45", "1e-05", "1523.45", "7.0"]


def test_float_reprs_as_repr():
    rng = np.random.default_rng(7)
    x = rng.standard_normal(20000) * 10.0 ** rng.integers(-30, 30, 20000)
    specials = [np.nan, np.inf, -np.inf, 0.0, -0.0, 12.0, -3.0, 1e16, 9999999999999998.0, 1e-4, 9.999e-5, 1e-5]
    specials += [2.0**53, 2.0**53 + 2, 5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1523.45, 256726296656.08636]
    x = np.concatenate([x, np.round(x, 2), np.round(x * 1e6) / 1e6, specials])
    s = pd.Series(x, index=np.arange(len(x))[::-1] * 3)  # not a RangeIndex: values stay with their labels
    expected = pd.Series(s.astype(object).map(repr, na_action="ignore"), index=s.index).astype("str")
    got = float_reprs(s)
    pd.testing.assert_series_equal(got, expected)
    assert got.isna().sum() == 1 and got.iloc[-7] == "9007199254740992.0"


def test_to_float_as_pandas_to_numeric():
    texts = ["0", "007", "12", "١٢", "１２", "12 ", "-12", "-", ".", "5.", ".5", "-.5", "+5", "1e3", "12a", ""]
    texts += [str(v) for v in np.random.default_rng(1).integers(0, 10**18, 2000)] + ["9" * 400, None, "nan"]
    s = pd.Series(texts, dtype="str")
    expected = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy()
    np.testing.assert_array_equal(_to_float(s), expected)
