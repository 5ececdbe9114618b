"""The .xlsx reader (yrd.ingest.readers, pandas' calamine engine since it is 5x faster) gives the
cells openpyxl gives: the same Python values and types from pandas.read_excel, and the same
strings from read_raw, on a workbook holding every kind of cell an extract has (Chinese text,
codes with leading zeros, integers, whole and other floats, dates, date-times, times, booleans,
empty cells, an error value, a ragged last row). A file calamine cannot read is diagnosed as
before (the openpyxl read)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import openpyxl
import pandas as pd
import pytest

from yrd.ingest import read_raw
from yrd.ingest.readers import RawFileError, read_table

ROWS = [
    ["统一社会信用代码", "企业名称", "注册资本", "比例", "成立日期", "变更时间", "时刻", "是否", "空"],
    ["91320500MA1X0001", "苏州某某精密机械有限公司", 500, 0.1, dt.date(2008, 3, 1), dt.datetime(2010, 1, 5, 13, 4, 5), dt.time(8, 30), True, None],
    ["0012", "上海（嘉定）汽车零部件有限公司 ", 1200.0, 1e20, dt.datetime(1999, 12, 31), "2010年1月5日", None, False, ""],
    ["320121", "  ", -3, 2.5e-7, None, "=1/0", "12:00", None, None],
    ["ABC", "Jiaxing Textile Co., Ltd.", 320121.0, 0.30000000000000004, dt.date(2013, 7, 15)],
]  # fmt: skip


@pytest.fixture
def workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in ROWS:
        ws.append(row)
    ws["F4"] = "=1/0"  # a formula without a cached value
    path = tmp_path / "extract.xlsx"
    wb.save(path)
    return path


def _typed(df: pd.DataFrame) -> list[list]:
    return [
        [(type(v).__name__, "nan" if isinstance(v, float) and np.isnan(v) else v) for v in row]
        for row in df.itertuples(index=False)
    ]


def test_calamine_cells_equal_openpyxl_cells(workbook):
    a = pd.read_excel(workbook, sheet_name=0, header=None, dtype=object, engine="openpyxl")
    b = pd.read_excel(workbook, sheet_name=0, header=None, dtype=object, engine="calamine")
    assert a.shape == b.shape
    assert _typed(a) == _typed(b)


def test_read_raw_of_xlsx_is_the_openpyxl_strings(workbook, monkeypatch):
    df, info = read_table(workbook)
    assert info.engine == "calamine"
    # the same file through the openpyxl path (calamine made to fail)
    real = pd.read_excel

    def no_calamine(*args, **kwargs):
        if kwargs.get("engine") == "calamine":
            raise ValueError("calamine switched off for the test")
        return real(*args, **kwargs)

    monkeypatch.setattr(pd, "read_excel", no_calamine)
    ref, ref_info = read_table(workbook)
    assert ref_info.engine == "openpyxl"
    assert info.headers == ref_info.headers
    pd.testing.assert_frame_equal(df, ref, check_exact=True)
    assert df.iloc[1, 0] == "0012" and df.iloc[0, 2] == "500" and df.iloc[2, 2] == "-3"


def test_a_file_calamine_cannot_read_gets_the_openpyxl_diagnosis(tmp_path):
    bad = tmp_path / "cut.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a zip archive's start, nothing more
    with pytest.raises(RawFileError, match="truncated or corrupt"):
        read_raw(bad)
    text = tmp_path / "not_excel.xlsx"
    text.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(RawFileError, match="cannot be read as an Excel"):
        read_raw(text)
