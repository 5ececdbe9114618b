"""The corpus of malformed raw files (tests/data/malformed/, made by make_corpus.py): every file
gives its documented file-level error or its documented quarantine rows, never a bare
traceback, and the row accounting of every file that is read is exact."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.resources import dialects as repository_dialects
from helpers.resources import ingest_references
from yrd.ingest import CLEAN_COLUMNS, QUARANTINE_COLUMNS, RawFileError, ingest_file, read_raw

CORPUS = Path(__file__).resolve().parent / "data" / "malformed"


@pytest.fixture(scope="module")
def dialects():
    return repository_dialects()


def ingest(name: str, year: int = 1998, unit: str = "qian", dialects=None, **kw):
    # source_file as given: a relative name, as the pipeline passes them
    return ingest_file(CORPUS / name, year, unit, dialects, source_file=name, **ingest_references(), **kw)


def reasons(res) -> list[tuple[int, str, str]]:
    """(source_row, column, reason code) of the quarantine rows."""
    q = res.quarantine
    return list(zip(q["source_row"], q["column"], q["reason"].str.split(":").str[0]))


def assert_balanced(res) -> None:
    c = res.counts
    assert c["rows_read"] == c["rows_clean"] + c["rows_quarantined"] + c["exact_duplicates_removed"]
    assert len(res.clean) == c["rows_clean"]
    assert res.quarantine["source_row"].nunique() == c["rows_quarantined"]
    assert set(res.clean["source_row"]).isdisjoint(res.quarantine["source_row"])
    assert list(res.clean.columns) == list(CLEAN_COLUMNS)
    assert list(res.quarantine.columns) == list(QUARANTINE_COLUMNS)


# --------------------------------------------------------------------------- file-level errors
FILE_ERRORS = {
    "empty.csv": r"empty file \(0 bytes\)",
    "header_only.csv": r"header only, no data rows \(headers: \['firm', 'name'",
    "missing_required_column.csv": r"required column missing: county_code .*headers found: \['firm', 'name', "
    r"'legal', 'cic'",
    "duplicate_header.csv": r"duplicate canonical column 'firm_code': headers \['firm', 'frdm'\]",
    "truncated_quote.csv": r"truncated file: it ends inside a quoted field \(line 5\); the copy is incomplete, "
    r"copy the file again from its source$",
    "truncated_fields.csv": r"truncated file: it ends inside a row \(data row 3 has 5 of the header's 15 fields and "
    r"no line break\); the copy is incomplete, copy the file again from its source$",
    "truncated_utf8_char.csv": r"truncated file: it ends inside a character \(the last 2 bytes are an incomplete "
    r"UTF-8 character\); the copy is incomplete, copy the file again from its source$",
    "truncated_gbk_char.csv": r"truncated file: it ends inside a character \(the last byte is an incomplete "
    r"GB18030/GBK character\); the copy is incomplete, copy the file again from its "
    r"source$",
    "truncated.dta": r"truncated file: it has 5050 bytes but its Stata header announces 10101; the copy is "
    r"incomplete, copy the file again from its source$",
    "truncated.xlsx": r"cannot be read as an Excel \.xlsx file: truncated or corrupt \(it starts as a zip archive, "
    r"as \.xlsx files do, but the archive's directory at its end is missing\); copy the file "
    r"again from its source$",
    "colon_delimited.csv": r"wrong delimiter: the header line 'firm:name:legal.*' is a single column",
    "utf16.csv": r"unknown encoding: it starts with a UTF-16 byte-order mark",
    "utf16le_nobom.csv": r"unknown encoding",
    "random_bytes.csv": r"unknown encoding: it decodes neither as UTF-8 nor as GB18030",
    "corrupt.dta": r"cannot be read as a Stata \.dta file \(corrupt or truncated\): .*; check that Stata opens it, "
    r"or copy it again$",
    "corrupt.parquet": r"cannot be read as a Parquet file: truncated or corrupt \(it starts with the Parquet marker "
    r"'PAR1' but its footer, at the end of the file, is missing\); copy the file again from its "
    r"source$",
    "corrupt.xlsx": r"cannot be read as an Excel \.xlsx file \(corrupt or not Excel\): BadZipFile: .*; check that "
    r"Excel opens it, or copy it again$",
    "corrupt.xls": r"cannot be read as an Excel \.xls file \(corrupt or not Excel\)",
}
#: Files cut while being copied: the message says "truncated", never "unknown encoding".
TRUNCATED = [
    "truncated_quote.csv",
    "truncated_fields.csv",
    "truncated_utf8_char.csv",
    "truncated_gbk_char.csv",
    "truncated.dta",
    "truncated.xlsx",
    "corrupt.parquet",
]


@pytest.mark.parametrize("name", sorted(FILE_ERRORS))
def test_file_level_errors_name_the_file_and_the_problem(name, dialects):
    with pytest.raises(RawFileError, match=f"^raw file '{re.escape(name)}': " + FILE_ERRORS[name]) as ei:
        ingest(name, dialects=dialects)
    err = ei.value
    assert isinstance(err, ValueError)
    assert err.file == name
    assert "\n" not in str(err)  # one sentence
    assert "Traceback" not in str(err)


@pytest.mark.parametrize("name", TRUNCATED)
def test_cut_files_say_truncated_and_the_fix(name, dialects):
    with pytest.raises(RawFileError) as ei:
        ingest(name, dialects=dialects)
    msg = str(ei.value)
    assert "truncated" in msg and "copy the file again" in msg
    assert "unknown encoding" not in msg and "pass the encoding" not in msg


def test_a_cut_text_file_says_truncated_with_any_engine_or_a_given_encoding(dialects):
    for engine in ("pyarrow", "c"):
        with pytest.raises(RawFileError, match=r"ends inside a character \(the last 2 bytes are an incomplete UTF-8"):
            ingest("truncated_utf8_char.csv", dialects=dialects, engine=engine)
    with pytest.raises(RawFileError, match=r"ends inside a character \(the last byte is an incomplete gbk "):
        ingest("truncated_gbk_char.csv", dialects=dialects, encoding="gbk")


def test_read_raw_refuses_the_same_files_with_the_path_as_given():
    for name in ("empty.csv", "corrupt.dta", "utf16.csv"):
        path = CORPUS / name
        with pytest.raises(RawFileError, match=re.escape(str(path))):
            read_raw(path)


def test_missing_file_and_unsupported_extension(tmp_path):
    with pytest.raises(RawFileError, match="file not found"):
        ingest_file(tmp_path / "asif_1998.csv", 1998, "qian", repository_dialects(), **ingest_references())
    (tmp_path / "asif_1998.sav").write_bytes(b"x")
    with pytest.raises(RawFileError, match=r"unsupported file type '\.sav'"):
        ingest_file(tmp_path / "asif_1998.sav", 1998, "qian", repository_dialects(), **ingest_references())


# --------------------------------------------------------------------------- files read cleanly
CLEAN_FILES = {
    # name: (year, unit, rows, encoding, delimiter, dialects)
    "ok_gbk_zh.csv": (1998, "qian", 4, "gb18030", ",", ["zh"]),
    "ok_utf8_bom_en.csv": (2005, "qian", 3, "utf-8-sig", ",", ["en"]),
    "ok_gb18030_pinyin.csv": (2003, "qian", 2, "gb18030", ",", ["pinyin"]),
    "ok_stata_en.dta": (1999, "qian", 4, None, None, ["en"]),
    "ok_excel_wan_zh.xlsx": (2004, "wan", 2, None, None, ["zh"]),
    "ok_parquet_en.parquet": (2012, "qian", 2, None, None, ["en"]),
    "semicolon.csv": (1998, "qian", 4, "utf-8", ";", ["en"]),
    "tab.tsv": (1998, "qian", 4, "gb18030", "\t", ["zh"]),
    "extra_columns.csv": (1998, "qian", 4, "gb18030", ",", ["zh"]),
}


@pytest.mark.parametrize("name", sorted(CLEAN_FILES))
def test_valid_files_of_every_format_are_read_whole(name, dialects):
    year, unit, n, enc, delim, dia = CLEAN_FILES[name]
    res = ingest(name, year, unit, dialects)
    assert_balanced(res)
    assert res.counts["rows_read"] == n
    assert res.counts["rows_clean"] == n, res.quarantine.to_dict("records")
    assert res.counts["encoding"] == enc
    assert res.counts["delimiter"] == delim
    assert res.counts["dialects"] == dia
    c = res.clean
    assert (c["year"] == year).all()
    assert c["county"].str.fullmatch(r"\d{6}").all()
    assert c["industry"].str.fullmatch(r"\d{2}").all()
    assert (c["source_file"] == name).all()
    assert list(c["source_row"]) == list(range(n))
    assert c["name"].notna().all() and c["employment"].notna().all()


def test_county_and_industry_codes_are_harmonised_with_the_raw_codes_kept(dialects):
    c = ingest("ok_gbk_zh.csv", dialects=dialects).clean
    jn = c.iloc[0]
    assert (jn["county_code_raw"], jn["county"], jn["prefecture"], jn["province"]) == (
        "320121",
        "320115",
        "320100",
        "320000",
    )
    # 1994 codes: 3411 -> 34, 4011 (发电机) -> 39, 1810 -> 18, 1310 -> 13
    assert list(c["industry_code_raw"]) == ["3411", "4011", "1810", "1310"]
    assert list(c["industry"]) == ["34", "39", "18", "13"]
    # 2002 codes in 2005: 1711 -> 17; 2011 codes in 2012: 3611 -> 37
    assert ingest("ok_utf8_bom_en.csv", 2005, dialects=dialects).clean["industry"].iloc[0] == "17"
    assert ingest("ok_parquet_en.parquet", 2012, dialects=dialects).clean["industry"].iloc[0] == "37"


def test_codes_keep_leading_zeros_and_firm_codes_are_normalised(dialects):
    c = ingest("ok_gbk_zh.csv", dialects=dialects).clean
    assert list(c["area_code"]) == ["025", "021", "0512", "0571"]
    assert list(c["firm_code_raw"]) == ["13456789X", "60723145-8", "70215566X", "25003317-1"]
    assert list(c["firm_code"]) == ["13456789X", "607231458", "70215566X", "250033171"]
    assert c["founding_year"].dtype == "Int64" and c["employment"].dtype == "Int64"
    assert list(c["employment"]) == [120, 350, 85, 60]
    assert c["output"].dtype == "float64"


def test_gb18030_characters_outside_gbk_survive(dialects):
    c = ingest("ok_gb18030_pinyin.csv", 2003, dialects=dialects).clean
    assert list(c["name"]) == ["上海䶮华电机有限公司", "昆山𠀀丰纺织有限公司"]
    assert c["legal_rep"].iloc[1] == "王㑇"


def test_stata_numbers_become_exact_strings_then_values(dialects):
    raw = read_raw(CORPUS / "ok_stata_en.dta")
    assert list(raw["cic"]) == ["3411", "4011", "1810", "1310"]  # int column, no ".0"
    assert pd.isna(raw["setup"].iloc[2])
    res = ingest("ok_stata_en.dta", 1999, dialects=dialects)
    assert pd.isna(res.clean["founding_year"].iloc[2])  # a missing founding year is kept
    assert res.clean["county"].iloc[0] == "320115"


def test_money_in_wan_is_converted_to_thousand_yuan(dialects):
    c = ingest("ok_excel_wan_zh.xlsx", 2004, "wan", dialects).clean
    assert list(c["output"]) == [15234.5, 48000.0]
    assert list(c["sales"]) == [14800.0, 45100.5]
    qian = ingest("ok_excel_wan_zh.xlsx", 2004, "qian", dialects).clean
    assert list(qian["output"]) == [1523.45, 4800.0]
    gbk = ingest("ok_gbk_zh.csv", 1998, "wan", dialects).clean
    assert list(gbk["output"]) == [152345.0, 480000.0, 98000.0, 51200.0]


def test_extra_columns_are_dropped_and_recorded(dialects, caplog):
    with caplog.at_level("WARNING", logger="yrd.ingest"):
        res = ingest("extra_columns.csv", dialects=dialects)
    assert res.counts["extra_columns"] == ["备注", "<unnamed column 17>"]
    assert res.report["extra_columns"] == ["备注", "<unnamed column 17>"]
    assert "备注" not in res.clean.columns
    assert "extra columns dropped" in caplog.text


# --------------------------------------------------------------------------- quarantine rows
QUARANTINE = {
    "county_codes.csv": (
        1998,
        [
            (0, "county_code", "county_code_not_in_force"),
            (2, "county_code", "not_county_code"),
            (3, "county_code", "missing_county_code"),
            (4, "county_code", "invalid_county_code"),
        ],
        5,
        0,
    ),
    "industry_codes.csv": (
        1998,
        [
            (0, "industry_code", "unknown_industry_code"),
            (1, "industry_code", "not_manufacturing"),
            (2, "industry_code", "missing_industry_code"),
        ],
        4,
        0,
    ),
    "bad_numbers.csv": (
        1998,
        [
            (0, "employment", "negative_employment"),
            (1, "employment", "zero_employment"),
            (2, "employment", "absurd_employment"),
            (3, "employment", "non_integer_employment"),
            (4, "employment", "missing_employment"),
            (5, "output", "negative_output"),
            (6, "output", "absurd_output"),
            (7, "county_code", "county_code_not_in_force"),
            (7, "employment", "negative_employment"),
            (7, "output", "negative_output"),
        ],
        9,
        0,
    ),
    "founding_year.csv": (
        1998,
        [
            (0, "founding_year", "founding_year_impossible"),
            (1, "founding_year", "founding_year_impossible"),
            (2, "founding_year", "founding_year_impossible"),
            (3, "founding_year", "non_numeric_founding_year"),
        ],
        6,
        0,
    ),
    "mixed_types.csv": (
        1998,
        [
            (0, "employment", "non_numeric_employment"),
            (3, "output", "non_numeric_output"),
            (4, "sales", "non_numeric_sales"),
        ],
        6,
        0,
    ),
    "year_mismatch.csv": (
        1998,
        [
            (1, "year", "year_mismatch"),
            (2, "year", "year_mismatch"),
        ],
        4,
        0,
    ),
    "duplicates.csv": (
        1998,
        [
            (3, "firm_code", "duplicate_firm_code"),
            (7, "firm_code", "duplicate_firm_code"),
        ],
        9,
        2,
    ),
    "malformed_rows.csv": (
        1998,
        [
            (1, "row", "malformed_row"),
            (2, "row", "malformed_row"),
        ],
        4,
        0,
    ),
    "short_last_row.csv": (
        1998,
        [
            (3, "row", "malformed_row"),
        ],
        4,
        0,
    ),
}


@pytest.mark.parametrize("name", sorted(QUARANTINE))
def test_bad_rows_are_quarantined_with_their_reasons_and_the_rest_is_clean(name, dialects):
    year, expected, n_read, n_dup = QUARANTINE[name]
    res = ingest(name, year, dialects=dialects)
    assert_balanced(res)
    assert reasons(res) == expected
    assert (res.quarantine["source_file"] == name).all()
    n_quar = len({r for r, _, _ in expected})
    assert res.counts["rows_read"] == n_read
    assert res.counts["rows_quarantined"] == n_quar  # a row with several problems counts once
    assert res.counts["exact_duplicates_removed"] == n_dup
    assert res.counts["rows_clean"] == n_read - n_quar - n_dup
    assert sum(res.counts["quarantine_reasons"].values()) == len(res.quarantine)


def test_reason_texts_say_what_is_wrong(dialects):
    q = ingest("county_codes.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[0] == "county_code_not_in_force: 320115 is not a county code in force in 1998"
    assert q[2].startswith("not_county_code: 320100 ")
    assert q[4] == "invalid_county_code: 'abc' is not a 6-digit code"
    q = ingest("industry_codes.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[0] == "unknown_industry_code: 9999 is not a GB/T 4754-1994 industry code"
    assert q[1] == "not_manufacturing: 1711 is a GB/T 4754-1994 code outside manufacturing"
    q = ingest("founding_year.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[0] == "founding_year_impossible: 2005 is after the file's year 1998"
    assert q[1] == "founding_year_impossible: 1799 is before 1800"
    q = ingest("mixed_types.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[0] == "non_numeric_employment: 'abc' is not a number"
    q = ingest("duplicates.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[3] == "duplicate_firm_code: 13456789X already appears on source_row 0"
    assert q[7] == "duplicate_firm_code: 25003317-x already appears on source_row 6"
    q = ingest("year_mismatch.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[1] == "year_mismatch: the row says 1999, the file is 1998"
    q = ingest("malformed_rows.csv", dialects=dialects).quarantine.set_index("source_row")["reason"]
    assert q[1] == "malformed_row: 14 fields, the header has 15"


def test_the_same_code_is_valid_in_its_own_year(dialects):
    # 320115 江宁区 is quarantined in 1998 but valid from 2000; 320121 江宁县 the other way round
    res = ingest("county_codes.csv", 2001, dialects=dialects)
    q = res.quarantine[res.quarantine["column"] == "county_code"]
    got = dict(zip(q["source_row"], q["reason"].str.split(":").str[0]))
    assert 0 not in got
    assert got[1] == "county_code_not_in_force"
    assert set(res.quarantine.loc[res.quarantine["column"] == "year", "source_row"]) == {0, 1, 2, 3, 4}
    # with a tolerance of two years 320121 is accepted in 2001 (it was in force in 1999)
    res = ingest("county_codes.csv", 2001, dialects=dialects, tolerance=2)
    q = res.quarantine[res.quarantine["column"] == "county_code"]
    assert set(q["source_row"]) == {2, 3, 4}


def test_mixed_types_are_parsed_explicitly(dialects):
    c = ingest("mixed_types.csv", dialects=dialects).clean.set_index("source_row")
    assert c.loc[1, "employment"] == 12  # "12.0"
    assert c.loc[1, "output"] == 1234.5  # "1,234.5"
    assert c.loc[2, "employment"] == 85  # full-width "８５"
    assert pd.isna(c.loc[2, "output"])  # "n/a": missing, kept and counted
    assert c.loc[5, "employment"] == 40  # " 40 "
    res = ingest("mixed_types.csv", dialects=dialects)
    assert res.counts["output_missing"] == 1


def test_duplicates_and_missing_firm_codes(dialects):
    res = ingest("duplicates.csv", dialects=dialects)
    assert res.counts["exact_duplicates_removed"] == 2
    assert list(res.clean["source_row"]) == [0, 2, 4, 6, 8]  # first copies kept; rows 1, 5 removed
    assert res.counts["firm_code_missing"] == 2  # rows 4 and 8 kept
    assert res.clean.set_index("source_row")["firm_code"].isna().loc[[4, 8]].all()


def test_founding_year_missing_or_valid_is_kept(dialects):
    c = ingest("founding_year.csv", dialects=dialects).clean
    assert list(c["source_row"]) == [4, 5]
    assert pd.isna(c["founding_year"].iloc[0]) and c["founding_year"].iloc[1] == 1998


def test_malformed_rows_are_not_checked_further(dialects):
    res = ingest("malformed_rows.csv", dialects=dialects)
    assert res.counts["malformed_rows"] == 2
    assert res.counts["engine"] == "csv-module"
    assert list(res.clean["source_row"]) == [0, 3]


# --------------------------------------------------------------------------- geocodes
#: name: (year, dialects, lon, lat, point_issue code per row); a bad geocode never quarantines
GEOCODE_FILES = {
    "geocodes_text.csv": (
        1998,
        ["en"],
        [None, None, 121.47, 120.17],
        [None, 31.2, 31.39, 30.24],
        ["not_numeric", "not_numeric", None, None],
    ),
    "geocodes_partial_zh.csv": (
        1998,
        ["zh"],
        [None, 121.43, 120.98, 120.17],
        [None, None, None, 30.24],
        [None, "incomplete", "incomplete", None],
    ),
    "geocodes_swapped.dta": (
        1999,
        ["pinyin"],
        [31.2, 0.0, None, 120.17],
        [121.4, 0.0, None, 30.24],
        [None, None, None, None],
    ),
}


@pytest.mark.parametrize("name", sorted(GEOCODE_FILES))
def test_geocodes_are_parsed_and_never_quarantine_a_row(name, dialects):
    year, dia, lon, lat, issue = GEOCODE_FILES[name]
    res = ingest(name, year, dialects=dialects)
    assert_balanced(res)
    assert res.counts["rows_clean"] == 4 and res.quarantine.empty
    assert res.counts["dialects"] == dia
    c = res.clean
    assert c["lon"].dtype == "float64" and c["lat"].dtype == "float64"
    for got, want in ((c["lon"], lon), (c["lat"], lat)):
        assert [None if pd.isna(v) else round(v, 6) for v in got] == want
    assert [None if pd.isna(v) else v.split(":")[0] for v in c["point_issue"]] == issue
    if name == "geocodes_text.csv":
        assert c["point_issue"].iloc[0] == "not_numeric: longitude='不详' latitude='待查'"
        assert c["point_issue"].iloc[1] == "not_numeric: longitude='121°28′E' latitude='31.2'"


def test_files_without_geocodes_have_empty_point_columns(dialects):
    c = ingest("ok_gbk_zh.csv", dialects=dialects).clean
    assert c["lon"].isna().all() and c["lat"].isna().all() and c["point_issue"].isna().all()
    assert c["lon"].dtype == "float64"


# --------------------------------------------------------------------------- the corpus itself
def test_the_corpus_has_every_kind_and_is_what_make_corpus_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    written = mod.build(tmp_path)
    names = {p.name for p in written}
    assert names == set(FILE_ERRORS) | set(CLEAN_FILES) | set(QUARANTINE) | set(GEOCODE_FILES)
    assert len(names) >= 15
    for p in written:
        committed = CORPUS / p.name
        assert committed.exists(), f"{p.name} is not in the committed corpus; rerun make_corpus.py"
        assert committed.read_bytes() == p.read_bytes(), f"{p.name} differs from make_corpus.py's output"
    assert (CORPUS / "README.md").read_text(encoding="utf-8") == (tmp_path / "README.md").read_text(encoding="utf-8")
