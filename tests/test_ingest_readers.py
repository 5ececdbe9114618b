"""Readers of raw files: encodings, delimiters, CSV engines, truncation, typed formats as strings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.ingest import RawFileError, read_raw
from yrd.ingest.readers import as_strings, read_table, stata_size
from yrd.ingest.text import _parse_careful, _parse_pyarrow, cut_character, decode_text, sniff_delimiter

HEADER = "firm,name,dq,cic,employ,output"
ROWS = ["13456789X,南京江宁机械厂,320121,3411,120,15234.5", "60723145-8,上海徐汇电机有限公司,310104,4011,350,48000.0"]


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


# --------------------------------------------------------------------------- encodings
@pytest.mark.parametrize(
    "encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")]
)
def test_encodings_are_detected_and_text_is_exact(tmp_path, encoding, reported):
    p = write(tmp_path, "a.csv", "\n".join([HEADER, *ROWS]) + "\n", encoding)
    df = read_raw(p)
    assert df.attrs["read"]["encoding"] == reported
    assert list(df.columns) == HEADER.split(",")  # no BOM left in the first header
    assert list(df["name"]) == ["南京江宁机械厂", "上海徐汇电机有限公司"]


def test_gbk_text_is_never_taken_for_utf8_and_vice_versa():
    text = "企业名称,行政区划代码\n苏州纺织厂,320500\n"
    assert decode_text(text.encode("gbk"), "f")[1] == "gb18030"
    assert decode_text(text.encode("utf-8"), "f")[1] == "utf-8"
    assert decode_text(text.encode("gbk"), "f")[0] == text


def test_explicit_encoding_is_strict(tmp_path):
    p = write(tmp_path, "a.csv", "\n".join([HEADER, *ROWS]) + "\n", "gbk")
    with pytest.raises(RawFileError, match=r"'.*a\.csv': does not decode as utf-8: invalid bytes at offset"):
        read_raw(p, encoding="utf-8")
    assert read_raw(p, encoding="gbk")["name"].iloc[0] == "南京江宁机械厂"
    with pytest.raises(RawFileError, match="unknown encoding 'klingon'"):
        read_raw(p, encoding="klingon")


def test_binary_that_decodes_is_refused_by_its_control_characters():
    with pytest.raises(RawFileError, match=r"unknown encoding: decoded as utf-8 it holds control character '\\x00'"):
        decode_text(b"firm,name\x00\x00\n1,2\n", "f.csv")


# --------------------------------------------------------------------------- cut inside a character
TEXT = "\n".join([HEADER, *ROWS]) + "\n25003317-1,杭州上城食品厂"


@pytest.mark.parametrize(
    "encoding, keep, shown",
    [
        ("utf-8", 1, "the last byte is an incomplete UTF-8"),
        ("utf-8", 2, "the last 2 bytes are an incomplete UTF-8"),
        ("utf-8-sig", 2, "the last 2 bytes are an incomplete UTF-8"),
        ("gbk", 1, "the last byte is an incomplete GB18030/GBK"),
        ("gb18030", 3, "the last 3 bytes are an incomplete GB18030/GBK"),  # a four-byte GB18030 character
    ],
)
def test_a_file_cut_inside_a_character_is_truncated_not_an_unknown_encoding(encoding, keep, shown):
    text = TEXT + ("𠀀" if keep == 3 else "")
    last = len(text[-1].encode(encoding))
    data = text.encode(encoding)[: -(last - keep)]
    assert cut_character(data, "utf-8-sig" if encoding.startswith("utf") else "gb18030") == keep
    with pytest.raises(
        RawFileError,
        match=rf"^raw file 'f\.csv': truncated file: it ends inside a character "
        rf"\({shown} character\); the copy is incomplete, copy the file again",
    ):
        decode_text(data, "f.csv")


def test_a_cut_after_ascii_text_is_truncated_and_names_both_encodings():
    # ASCII up to a lone lead byte: either encoding could have been cut
    with pytest.raises(RawFileError, match=r"last byte is an incomplete UTF-8 or GB18030/GBK character"):
        decode_text(b"firm,name\n1,a\xe6", "f.csv")


def test_invalid_bytes_before_the_end_are_still_an_unknown_encoding():
    assert cut_character(b"firm,name\n1,\xff\xe6", "utf-8") == 0
    assert cut_character("杭州".encode(), "utf-8") == 0  # whole
    assert cut_character(b"\xe6", "utf-8") == 0  # nothing decodes before the cut
    with pytest.raises(RawFileError, match="unknown encoding: it decodes neither"):
        decode_text(b"firm,name\n1,\x80\x80\xff\xe6", "f.csv")


def test_a_given_encoding_reports_a_cut_character():
    data = TEXT.encode("gbk")[:-1]
    with pytest.raises(RawFileError, match=r"ends inside a character \(the last byte is an incomplete gbk character\)"):
        decode_text(data, "f.csv", "gbk")
    with pytest.raises(RawFileError, match=r"does not decode as utf-8: invalid bytes at offset"):
        decode_text(data, "f.csv", "utf-8")


# --------------------------------------------------------------------------- delimiters
@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_delimiter_is_sniffed(tmp_path, sep):
    text = "\n".join(line.replace(",", sep) for line in [HEADER, *ROWS]) + "\n"
    df = read_raw(write(tmp_path, "a.csv", text))
    assert df.attrs["read"]["delimiter"] == sep
    assert df.shape == (2, 6)


def test_commas_inside_quoted_names_do_not_fool_the_sniffer():
    text = 'firm;name;dq\n1;"A, B and C, Ltd";320121\n2;"D, E";310104\n'
    assert sniff_delimiter(text, "f") == ";"


def test_wrong_delimiter_fails_clearly(tmp_path):
    p = write(tmp_path, "a.csv", "\n".join(line.replace(",", ":") for line in [HEADER, *ROWS]) + "\n")
    with pytest.raises(RawFileError, match=r"wrong delimiter: the header line 'firm:name:dq:cic:employ:output'"):
        read_raw(p)
    # a delimiter given by the user that does not split the header
    p = write(tmp_path, "b.csv", "\n".join(line.replace(",", ";") for line in [HEADER, *ROWS]) + "\n")
    with pytest.raises(RawFileError, match=r"wrong delimiter: with the delimiter ','"):
        read_raw(p, delimiter=",")


# --------------------------------------------------------------------------- CSV engines and structure
def test_engines_agree_on_a_good_file(tmp_path):
    rows = ROWS + ['"70215566X","昆山""纺织""品,有限公司",320583,1810,85,', "25003317-1,,330102,1310,,5120.0"]
    p = write(tmp_path, "a.csv", "\r\n".join([HEADER, *rows]) + "\r\n", "gbk")
    a = read_raw(p, engine="pyarrow")
    b = read_raw(p, engine="c")
    assert a.attrs["read"]["engine"] == "pyarrow" and b.attrs["read"]["engine"] == "c"
    text = p.read_bytes().decode("gbk")
    c, malformed = _parse_careful(text, ",", 6, "a.csv")
    c.columns = a.columns
    assert not malformed
    for other in (b, c):
        pd.testing.assert_frame_equal(a, other, check_dtype=False)
    assert a.loc[2, "name"] == '昆山"纺织"品,有限公司'
    assert pd.isna(a.loc[2, "output"]) and pd.isna(a.loc[3, "name"])
    assert (a.dtypes == "str").all()


def test_values_are_never_coerced(tmp_path):
    p = write(tmp_path, "a.csv", 'firm,dq,cic,employ,output\n007,320121,0610,012,"1,234"\n')
    r = read_raw(p).iloc[0]
    assert list(r) == ["007", "320121", "0610", "012", "1,234"]


def test_embedded_newlines_in_quoted_fields_stay_in_one_record(tmp_path):
    p = write(tmp_path, "a.csv", 'firm,address,dq\n1,"苏州市\n人民路1号",320505\n2,x,320506\n')
    df = read_raw(p)
    assert len(df) == 2 and df.loc[0, "address"] == "苏州市\n人民路1号"


def test_short_and_long_records_in_the_middle_are_flagged_not_fatal(tmp_path):
    lines = [HEADER, ROWS[0], "1,2,3", ROWS[1] + ",extra", ROWS[1]]
    for engine in ("pyarrow", "c"):
        df = read_raw(write(tmp_path, "a.csv", "\n".join(lines) + "\n"), engine=engine)
        assert df.attrs["read"]["engine"] == "csv-module"
        assert df.attrs["read"]["malformed"] == {1: "3 fields, the header has 6", 2: "7 fields, the header has 6"}
        assert len(df) == 4
        assert pd.isna(df.loc[1, "cic"])  # padded


def test_trailing_delimiters_are_not_malformed(tmp_path):
    df = read_raw(write(tmp_path, "a.csv", "\n".join([HEADER] + [r + "," for r in ROWS]) + "\n"))
    assert df.attrs["read"]["malformed"] == {}
    assert df.shape == (2, 6)


@pytest.mark.parametrize(
    "tail, message",
    [
        ('\n"25003317-1","杭州', r"truncated file: it ends inside a quoted field"),
        (
            "\n25003317-1,杭州上城食品厂,330102",
            r"truncated file: it ends inside a row \(data row 2 has 3 of the header's 6 "
            r"fields and no line break\)",
        ),
    ],
)
def test_truncated_files_are_file_level_errors(tmp_path, tail, message):
    p = write(tmp_path, "cut.csv", "\n".join([HEADER, *ROWS]) + tail)
    for engine in ("pyarrow", "c"):
        with pytest.raises(RawFileError, match=r"^raw file '.*cut\.csv': " + message):
            read_raw(p, engine=engine)


def test_a_short_last_row_with_a_line_break_is_a_malformed_row_not_truncation(tmp_path):
    p = write(tmp_path, "short.csv", "\n".join([HEADER, *ROWS]) + "\n25003317-1,杭州上城食品厂,330102\r\n")
    for engine in ("pyarrow", "c"):
        df = read_raw(p, engine=engine)
        assert df.attrs["read"]["malformed"] == {2: "3 fields, the header has 6"}
        assert len(df) == 3


def test_broken_quoting_is_a_file_level_error_but_a_stray_quote_is_text(tmp_path):
    p = write(tmp_path, "q.csv", "\n".join([HEADER, '1,"南京"机械厂",320121,3411,120,1.0', ROWS[1]]) + "\n")
    with pytest.raises(RawFileError, match=r"q\.csv': malformed quoting on line 2: ',' expected after '\"'"):
        read_raw(p)
    df = read_raw(write(tmp_path, "s.csv", "\n".join([HEADER, '1,南京"机械厂,320121,3411,120,1.0', ROWS[1]]) + "\n"))
    assert df.loc[0, "name"] == '南京"机械厂'


def test_a_last_line_without_newline_is_not_truncation(tmp_path):
    assert len(read_raw(write(tmp_path, "a.csv", "\n".join([HEADER, *ROWS])))) == 2


def test_empty_lines_are_not_records(tmp_path):
    df = read_raw(write(tmp_path, "a.csv", "\n".join(["", "", HEADER, ROWS[0], "", ROWS[1], "", ""])))
    assert len(df) == 2 and list(df.columns) == HEADER.split(",")
    assert df.loc[1, "firm"] == "60723145-8"


def test_pyarrow_refuses_what_it_cannot_parse():
    assert _parse_pyarrow("a,b\n1,2,3\n", ",", 2) is None
    assert _parse_pyarrow("a,b\n1,2\n", ",", 2).values.tolist() == [["1", "2"]]


def test_only_whitespace_is_an_empty_file(tmp_path):
    with pytest.raises(RawFileError, match=r"empty file \(only whitespace\)"):
        read_raw(write(tmp_path, "a.csv", " \r\n\n"))


# --------------------------------------------------------------------------- typed formats
def test_typed_columns_become_exact_strings():
    s = as_strings(pd.Series([320121.0, np.nan, 310104.0]))
    assert s.iloc[0] == "320121" and pd.isna(s.iloc[1]) and s.iloc[2] == "310104"
    assert list(as_strings(pd.Series([1.5, 12.0]))) == ["1.5", "12.0"]
    assert list(as_strings(pd.Series([1, 2], dtype="int8"))) == ["1", "2"]
    assert list(as_strings(pd.Series([True, False]))) == ["True", "False"]
    s = as_strings(pd.Series(["a", 1, 2.0, None, "", 3.5], dtype=object))
    assert list(s.iloc[[0, 1, 2, 5]]) == ["a", "1", "2", "3.5"] and s.iloc[[3, 4]].isna().all()
    assert (s.dtype == "str") and as_strings(pd.Series([1, None], dtype="Int64")).isna().iloc[1]


def test_parquet_and_stata_with_numeric_codes(tmp_path):
    d = pd.DataFrame({"firm": ["1", "2"], "dq": [320121, 310104], "cic": [3411.0, np.nan], "output": [15234.5, 1e12]})
    d.to_parquet(tmp_path / "a.parquet")
    d.to_stata(tmp_path / "a.dta", write_index=False, version=118)
    for name in ("a.parquet", "a.dta"):
        df = read_raw(tmp_path / name)
        assert list(df["dq"]) == ["320121", "310104"]
        assert df["cic"].iloc[0] == "3411" and pd.isna(df["cic"].iloc[1])
        assert float(df["output"].iloc[1]) == 1e12


def test_excel_sheets(tmp_path):
    p = tmp_path / "a.xlsx"
    with pd.ExcelWriter(p) as xw:
        pd.DataFrame({"firm": ["1"], "dq": ["320121"]}).to_excel(xw, sheet_name="说明", index=False)
        pd.DataFrame({"firm": ["2", "3"], "dq": [320121, 310104]}).to_excel(xw, sheet_name="data", index=False)
    assert len(read_raw(p)) == 1
    df = read_raw(p, sheet="data")
    assert list(df["dq"]) == ["320121", "310104"]
    with pytest.raises(RawFileError, match=r"a\.xlsx': has no sheet 'nope'"):
        read_raw(p, sheet="nope")
    with pytest.raises(RawFileError, match=r"has no sheet 5"):
        read_raw(p, sheet=5)


def test_excel_header_only_and_empty_sheet(tmp_path):
    p = tmp_path / "h.xlsx"
    pd.DataFrame({"firm": [], "dq": []}).to_excel(p, index=False)
    with pytest.raises(RawFileError, match="header only"):
        read_raw(p)


def test_read_table_reports_how(tmp_path):
    p = write(tmp_path, "a.csv", "\n".join([HEADER, *ROWS]) + "\n", "gbk")
    df, info = read_table(p, file="raw/a.csv")
    assert (info.format, info.encoding, info.delimiter, info.engine) == ("csv", "gb18030", ",", "pyarrow")
    assert info.headers == HEADER.split(",") and info.seconds >= 0
    with pytest.raises(ValueError, match="engine must be one of"):
        read_table(p, engine="fast")


@pytest.mark.parametrize("version, byteorder", [(117, "little"), (118, "big"), (119, "little")])
def test_a_stata_file_shorter_than_its_header_announces_is_truncated(tmp_path, version, byteorder):
    d = pd.DataFrame({"firm": ["13456789X", "60723145-8"], "dq": [320121, 310104], "employ": [120.0, 350.0]})
    p = tmp_path / "a.dta"
    d.to_stata(p, write_index=False, version=version, byteorder=byteorder)
    data = p.read_bytes()
    assert stata_size(p) == len(data)
    cut = tmp_path / "cut.dta"
    cut.write_bytes(data[:-12])  # pandas itself would still read the rows: only the end tag is lost
    with pytest.raises(
        RawFileError,
        match=rf"cut\.dta': truncated file: it has {len(data) - 12} bytes but its Stata "
        rf"header announces {len(data)}; the copy is incomplete",
    ):
        read_raw(cut)
    # format 114 has no size in its header: a cut one is reported by pandas' error, as corrupt or truncated
    d.to_stata(p, write_index=False, version=114)
    assert stata_size(p) is None
    cut.write_bytes(p.read_bytes()[:-20])
    with pytest.raises(RawFileError, match=r"cut\.dta': cannot be read as a Stata \.dta file \(corrupt or truncated\)"):
        read_raw(cut)


def test_binary_data_cut_inside_a_character_is_still_an_unknown_encoding():
    with pytest.raises(RawFileError, match="unknown encoding: it decodes neither"):
        decode_text(b"firm,name\x00\x01\n1,a\xe6", "f.csv")
