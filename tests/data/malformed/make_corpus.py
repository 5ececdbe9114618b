"""Write the corpus of small raw ASIF files used by tests/test_ingest*.py.

Run from the repository root (the files are committed; rerun after changing a case):

    .venv/bin/python tests/data/malformed/make_corpus.py

Every case is a few rows with real codes: county codes in force in the file's year (yrd.geography;
320121 江宁县 exists until 1999 and harmonises to 320115 江宁区, which exists from 2000) and
industry codes of the year's GB/T 4754 vintage (yrd.industry; 1994 1711 轧花业 is not
manufacturing, 2002 1711 is division 17). The expected outcome of each file is in CASES (also
written to README.md); the tests state it independently. Output is deterministic (fixed Stata
time stamp, fixed zip time stamps in the .xlsx).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.io import write_xlsx

HERE = Path(__file__).resolve().parent

ZH = [
    "法人代码",
    "企业名称",
    "法定代表人",
    "行政区划代码",
    "行业代码",
    "开业时间(年)",
    "登记注册类型",
    "全部从业人员年平均人数",
    "工业总产值（当年价格）",
    "主营业务收入",
    "电话号码",
    "区号",
    "邮政编码",
    "地址",
    "年份",
]
EN = [
    "firm",
    "name",
    "legal",
    "dq",
    "cic",
    "setup",
    "type",
    "employ",
    "output",
    "sales",
    "phone",
    "areacode",
    "postcode",
    "address",
    "year",
]
PINYIN = [
    "frdm",
    "qymc",
    "fddbr",
    "xzqhdm",
    "hydm",
    "kysj",
    "djzclx",
    "cyrs",
    "gyzcz",
    "zyywsr",
    "dhhm",
    "qh",
    "yzbm",
    "dz",
    "nf",
]


def rows_1998() -> list[list[str]]:
    """Four valid records of 1998 (1994 industry codes, 1998 county codes)."""
    return [
        [
            "13456789X",
            "南京江宁机械厂",
            "王建国",
            "320121",
            "3411",
            "1985",
            "110",
            "120",
            "15234.5",
            "14800.0",
            "52101234",
            "025",
            "211100",
            "江宁县东山镇上元大街12号",
            "1998",
        ],
        [
            "60723145-8",
            "上海徐汇电机有限公司",
            "李明",
            "310104",
            "4011",
            "1992",
            "159",
            "350",
            "48000.0",
            "45100.5",
            "64871234",
            "021",
            "200030",
            "上海市徐汇区漕溪路88号",
            "1998",
        ],
        [
            "70215566X",
            "昆山纺织品有限公司",
            "张伟",
            "320583",
            "1810",
            "1995",
            "310",
            "85",
            "9800.0",
            "9500.0",
            "57301234",
            "0512",
            "215300",
            "昆山市前进路5号",
            "1998",
        ],
        [
            "25003317-1",
            "杭州上城食品厂",
            "陈红",
            "330102",
            "1310",
            "1978",
            "110",
            "60",
            "5120.0",
            "4990.0",
            "87061234",
            "0571",
            "310002",
            "杭州市上城区解放路20号",
            "1998",
        ],
    ]


def csv_text(header: list[str], rows: list[list[str]], sep: str = ",", eol: str = "\r\n") -> str:
    buf = io.StringIO()
    pd.DataFrame(rows, columns=header, dtype=object).to_csv(buf, index=False, sep=sep, lineterminator=eol)
    return buf.getvalue()


def write_text(name: str, text: str, encoding: str, out: Path) -> None:
    (out / name).write_bytes(text.encode(encoding))


def with_values(base: list[str], **changes: str) -> list[str]:
    row = list(base)
    for k, v in changes.items():
        row[EN.index(k)] = v
    return row


# --------------------------------------------------------------------------- the cases
CASES: dict[str, str] = {}


def case(name: str, description: str):
    CASES[name] = description


def build(out: Path = HERE) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    base = rows_1998()

    case(
        "ok_gbk_zh.csv",
        "1998, GBK CSV, Chinese headers (half- and full-width parentheses): 4 clean rows; "
        "320121 江宁县 -> county 320115",
    )
    write_text("ok_gbk_zh.csv", csv_text(ZH, base), "gbk", out)

    case(
        "ok_utf8_bom_en.csv",
        "2005, UTF-8 with BOM, English headers in odd case and padding: 3 clean rows; 2002 code 1711 -> division 17",
    )
    hdr = [
        " Firm ",
        "NAME",
        "Legal",
        "DQ",
        "cic",
        "Setup",
        "TYPE",
        "employ",
        "Output",
        "sales",
        "phone",
        "AreaCode",
        "postcode",
        "address",
        "Year",
    ]
    rows = [
        with_values(base[1], cic="1711", year="2005"),
        with_values(base[2], cic="4011", year="2005"),
        with_values(base[0], dq="320115", cic="3663", year="2005"),
    ]
    write_text("ok_utf8_bom_en.csv", csv_text(hdr, rows, eol="\n"), "utf-8-sig", out)

    case(
        "ok_gb18030_pinyin.csv",
        "2003, GB18030 CSV with characters outside GBK (䶮, 𠀀), pinyin headers: 2 clean rows, names kept exactly",
    )
    rows = [
        with_values(base[1], name="上海䶮华电机有限公司", cic="4011", year="2003"),
        with_values(base[2], name="昆山𠀀丰纺织有限公司", legal="王㑇", cic="1711", year="2003"),
    ]
    write_text("ok_gb18030_pinyin.csv", csv_text(PINYIN, rows), "gb18030", out)

    case(
        "ok_stata_en.dta",
        "1999, Stata .dta (version 118), English headers, numeric industry code, employment, "
        "output; a missing founding year (kept): 4 clean rows",
    )
    d = pd.DataFrame(base, columns=EN).drop(columns=["year"])
    d["cic"] = d["cic"].astype(np.int64)
    d["employ"] = d["employ"].astype(np.int64)
    d["output"] = d["output"].astype(float)
    d["sales"] = d["sales"].astype(float)
    d["setup"] = d["setup"].astype(float)
    d.loc[2, "setup"] = np.nan
    d.to_stata(
        out / "ok_stata_en.dta",
        write_index=False,
        version=118,
        time_stamp=dt.datetime(2000, 1, 1),
        data_label="ASIF test 1999",
    )

    case(
        "ok_excel_wan_zh.xlsx",
        "2004, Excel .xlsx, Chinese headers, money in 万元 (wan): output 1523.45 wan "
        "-> 15234.5 thousand yuan; 2 clean rows",
    )
    d = pd.DataFrame(
        [
            with_values(base[0], dq="320115", cic="3411", output="1523.45", sales="1480", year="2004"),
            with_values(base[1], cic="4011", output="4800", sales="4510.05", year="2004"),
        ],
        columns=ZH,
    )
    for c in ("全部从业人员年平均人数", "工业总产值（当年价格）", "主营业务收入"):
        d[c] = d[c].astype(float)
    write_xlsx(d, out / "ok_excel_wan_zh.xlsx", creator="yrd tests")

    case(
        "ok_parquet_en.parquet",
        "2012, Parquet with typed columns, English headers, 2011 codes: 3611 -> 37; 2 clean rows",
    )
    d = pd.DataFrame(
        [with_values(base[1], cic="3611", year="2012"), with_values(base[0], dq="320115", cic="2614", year="2012")],
        columns=EN,
    )
    d["employ"] = d["employ"].astype(np.int64)
    d["output"] = d["output"].astype(float)
    d["year"] = d["year"].astype(np.int64)
    d.to_parquet(out / "ok_parquet_en.parquet", index=False, engine="pyarrow", compression=None)

    case("semicolon.csv", "1998, semicolon-separated UTF-8: delimiter sniffed, 4 clean rows")
    write_text("semicolon.csv", csv_text(EN, base, sep=";"), "utf-8", out)

    case("tab.tsv", "1998, tab-separated GBK: delimiter sniffed, 4 clean rows")
    write_text("tab.tsv", csv_text(ZH, base, sep="\t"), "gbk", out)

    case("colon_delimited.csv", "colon-separated: file-level 'wrong delimiter'")
    write_text("colon_delimited.csv", csv_text(EN, base, sep=":"), "utf-8", out)

    case("missing_required_column.csv", "no county code column: file-level 'required column missing: county_code'")
    d = pd.DataFrame(base, columns=EN).drop(columns=["dq"])
    write_text("missing_required_column.csv", d.to_csv(index=False, lineterminator="\n"), "utf-8", out)

    case(
        "duplicate_header.csv",
        "both 'firm' and 'frdm' (two firm-code headers): file-level 'duplicate canonical column'",
    )
    write_text("duplicate_header.csv", csv_text(EN[:-1] + ["frdm"], [r[:-1] + [r[0]] for r in base]), "utf-8", out)

    case("extra_columns.csv", "1998, extra columns '备注' and an unnamed one: dropped and recorded; 4 clean rows")
    write_text("extra_columns.csv", csv_text(ZH + ["备注", ""], [r + ["note", "x"] for r in base]), "gbk", out)

    case("empty.csv", "0 bytes: file-level 'empty file'")
    (out / "empty.csv").write_bytes(b"")

    case("header_only.csv", "a header and no data: file-level 'header only'")
    write_text("header_only.csv", ",".join(EN) + "\r\n", "utf-8", out)

    case(
        "truncated_quote.csv",
        "last line cut inside a quoted field: file-level 'truncated file: it ends inside a quoted field'",
    )
    text = csv_text(EN, base[:3], eol="\n") + '"25003317-1","杭州上城食品厂","陈红","3301'
    write_text("truncated_quote.csv", text, "utf-8", out)

    case(
        "truncated_fields.csv",
        "last line cut after 5 of 15 fields, no line break: file-level 'truncated file: it ends inside a row'",
    )
    text = csv_text(EN, base[:3], eol="\n") + ",".join(base[3][:5])
    write_text("truncated_fields.csv", text, "utf-8", out)

    case(
        "short_last_row.csv",
        "1998, last record has 5 of 15 fields but ends with a line break (the file does not "
        "end inside it): quarantined as malformed_row like a short row inside the file; "
        "3 clean rows",
    )
    text = csv_text(EN, base[:3], eol="\n") + ",".join(base[3][:5]) + "\n"
    write_text("short_last_row.csv", text, "utf-8", out)

    case(
        "truncated_utf8_char.csv",
        "UTF-8 CSV cut inside the Chinese character 厂 (2 of its 3 bytes left): "
        "file-level 'truncated file: it ends inside a character', not 'unknown encoding'",
    )
    data = (csv_text(EN, base[:3], eol="\n") + ",".join(base[3][:2])).encode("utf-8")
    (out / "truncated_utf8_char.csv").write_bytes(data[:-1])

    case(
        "truncated_gbk_char.csv",
        "GBK CSV, Chinese headers, cut inside the character 厂 (1 of its 2 bytes left): "
        "file-level 'truncated file: it ends inside a character'",
    )
    data = (csv_text(ZH, base[:3]) + ",".join(base[3][:2])).encode("gbk")
    (out / "truncated_gbk_char.csv").write_bytes(data[:-1])

    case(
        "malformed_rows.csv",
        "1998, data rows 1 (14 fields) and 2 (16 fields) of 4 malformed: quarantined as malformed_row; 2 clean rows",
    )
    text = csv_text(EN, base, eol="\n").splitlines()
    text[2] = ",".join(base[1][:14])
    text[3] = ",".join(base[2] + ["extra"])
    write_text("malformed_rows.csv", "\n".join(text) + "\n", "utf-8", out)

    case("utf16.csv", "UTF-16 with BOM: file-level 'unknown encoding'")
    write_text("utf16.csv", csv_text(EN, base), "utf-16", out)

    case("utf16le_nobom.csv", "UTF-16-LE without BOM (decodes as GB18030 with NULs): file-level 'unknown encoding'")
    write_text("utf16le_nobom.csv", csv_text(EN, base), "utf-16-le", out)

    case("random_bytes.csv", "random bytes: file-level 'unknown encoding'")
    (out / "random_bytes.csv").write_bytes(np.random.default_rng(7).integers(0, 256, 600, dtype=np.uint8).tobytes())

    case("corrupt.dta", "random bytes named .dta: file-level 'cannot be read as a Stata .dta file'")
    (out / "corrupt.dta").write_bytes(
        b"<stata_dta><header>" + np.random.default_rng(8).integers(0, 256, 400, dtype=np.uint8).tobytes()
    )

    case(
        "truncated.dta",
        "ok_stata_en.dta cut in half (format 118): file-level 'truncated file: it has 5050 "
        "bytes but its Stata header announces 10101'",
    )
    good = (out / "ok_stata_en.dta").read_bytes()
    (out / "truncated.dta").write_bytes(good[: len(good) // 2])

    case(
        "truncated.xlsx",
        "ok_excel_wan_zh.xlsx cut in half: file-level 'cannot be read as an Excel .xlsx file: "
        "truncated or corrupt' (a zip archive without its directory)",
    )
    good = (out / "ok_excel_wan_zh.xlsx").read_bytes()
    (out / "truncated.xlsx").write_bytes(good[: len(good) // 2])

    case(
        "corrupt.parquet",
        "a Parquet file cut in half: file-level 'cannot be read as a Parquet file: truncated "
        "or corrupt' (starts with 'PAR1', no footer)",
    )
    good = (out / "ok_parquet_en.parquet").read_bytes()
    (out / "corrupt.parquet").write_bytes(good[: len(good) // 2])

    case("corrupt.xlsx", "text named .xlsx: file-level 'cannot be read as an Excel .xlsx file'")
    (out / "corrupt.xlsx").write_bytes(b"this is not a zip archive\n" * 8)

    case("corrupt.xls", "text named .xls: file-level 'cannot be read as an Excel .xls file'")
    (out / "corrupt.xls").write_bytes(b"firm,name\n1,2\n")

    case(
        "mixed_types.csv",
        "1998: employment 'abc' (non_numeric_employment), '12.0' (kept, 12), full-width '８５' "
        "(kept, 85); output '1,234.5' (kept, 1234.5), '12,34' (non_numeric_output), 'n/a' "
        "(missing, kept); sales 'x' (non_numeric_sales): 3 clean, 3 quarantined",
    )
    rows = [
        with_values(base[0], employ="abc"),
        with_values(base[1], employ="12.0", output="1,234.5"),
        with_values(base[2], employ="８５", output="n/a"),
        with_values(base[3], output="12,34"),
        with_values(base[0], firm="99999999X", employ="30", sales="x"),
        with_values(base[1], firm="88888888X", employ=" 40 "),
    ]
    write_text("mixed_types.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "county_codes.csv",
        "1998: 320115 (江宁区, from 2000: county_code_not_in_force), 320121 (江宁县: clean, "
        "-> 320115), 320100 (a prefecture: not_county_code), missing (missing_county_code), "
        "'abc' (invalid_county_code)",
    )
    rows = [
        with_values(base[0], dq="320115"),
        with_values(base[0], firm="11111111X", dq="320121"),
        with_values(base[1], dq="320100"),
        with_values(base[2], dq=""),
        with_values(base[3], dq="abc"),
    ]
    write_text("county_codes.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "industry_codes.csv",
        "1998 (GB/T 4754-1994): 9999 (unknown_industry_code), 1711 轧花业 "
        "(not_manufacturing), missing (missing_industry_code), 1310 (clean, 13)",
    )
    rows = [
        with_values(base[0], cic="9999"),
        with_values(base[1], cic="1711"),
        with_values(base[2], cic=""),
        with_values(base[3], cic="1310"),
    ]
    write_text("industry_codes.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "bad_numbers.csv",
        "1998: employment -5 (negative), 0 (zero), 600000 (absurd), 12.5 (non-integer), "
        "missing; output -1 (negative) and 2e13 (absurd); row 7 has three problems: "
        "1 clean, 7 quarantined",
    )
    rows = [
        with_values(base[0], firm="10000001X", employ="-5"),
        with_values(base[0], firm="10000002X", employ="0"),
        with_values(base[0], firm="10000003X", employ="600000"),
        with_values(base[0], firm="10000004X", employ="12.5"),
        with_values(base[0], firm="10000005X", employ=""),
        with_values(base[0], firm="10000006X", output="-1"),
        with_values(base[0], firm="10000007X", output="2e13"),
        with_values(base[0], firm="10000008X", employ="-3", output="-2", dq="320115"),
        with_values(base[0], firm="10000009X"),
    ]
    write_text("bad_numbers.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "founding_year.csv",
        "1998: founding 2005 (after the file's year), 1799 and 0 (before 1800), 'abc' "
        "(non_numeric_founding_year), missing (kept), 1998 (kept): 2 clean, 4 quarantined",
    )
    rows = [
        with_values(base[0], firm=f"2000000{i}X", setup=v)
        for i, v in enumerate(["2005", "1799", "0", "abc", "", "1998"])
    ]
    write_text("founding_year.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "year_mismatch.csv",
        "file of 1998 whose year column says 1999 on row 1 and 'abc' on row 2: "
        "year_mismatch; missing year on row 3 is kept",
    )
    rows = [base[0], with_values(base[1], year="1999"), with_values(base[2], year="abc"), with_values(base[3], year="")]
    write_text("year_mismatch.csv", csv_text(EN, rows), "utf-8", out)

    case(
        "duplicates.csv",
        "1998: row 1 exact copy of row 0, row 5 exact copy of row 2 (removed: 2); row 3 repeats "
        "row 0's firm code with other content and row 7 writes row 6's code with a hyphen "
        "(duplicate_firm_code: 2); rows 4 and 8 have no firm code (kept, counted)",
    )
    a, b, c, d_ = base
    rows = [
        a,
        a,
        b,
        with_values(a, employ="999"),
        with_values(c, firm=""),
        b,
        with_values(d_, firm="25003317X"),
        with_values(d_, firm="25003317-x", employ="61"),
        with_values(c, firm="", name="昆山纺织二厂"),
    ]
    write_text("duplicates.csv", csv_text(EN, rows), "utf-8", out)

    # geocodes (optional longitude/latitude columns): never a quarantine, flagged by point_issue
    # at ingest and by rule plant_points (yrd.points)
    case(
        "geocodes_text.csv",
        "1998, English headers + lon/lat: '不详' / '待查' (not_numeric), DMS '121°28′E' (not_numeric), "
        "full-width '１２１.４７' (kept, 121.47), valid: 4 clean rows, no quarantine",
    )
    rows = [
        base[0] + ["不详", "待查"],
        base[1] + ["121°28′E", "31.2"],
        base[2] + ["１２１.４７", "３１.３９"],
        base[3] + ["120.17", "30.24"],
    ]
    write_text("geocodes_text.csv", csv_text(EN + ["lon", "lat"], rows), "utf-8", out)

    case(
        "geocodes_partial_zh.csv",
        "1998, GBK, Chinese headers 经度/纬度: both empty (missing), longitude only (incomplete), "
        "'NA' latitude (incomplete), both valid: 4 clean rows, no quarantine",
    )
    rows = [
        base[0] + ["", ""],
        base[1] + ["121.43", ""],
        base[2] + ["120.98", "NA"],
        base[3] + ["120.17", "30.24"],
    ]
    write_text("geocodes_partial_zh.csv", csv_text(ZH + ["经度", "纬度"], rows), "gbk", out)

    case(
        "geocodes_swapped.dta",
        "1999, Stata, pinyin headers jingdu/weidu as numbers: longitude and latitude swapped (31.2, "
        "121.4: parsed, out_of_range for plant_points), a point in the sea (0, 0), a missing value, "
        "valid: 4 clean rows, no quarantine",
    )
    df = pd.DataFrame(base, columns=PINYIN, dtype=object).drop(columns=["nf"])
    df["cyrs"] = df["cyrs"].astype(np.int64)
    df["jingdu"] = [31.2, 0.0, np.nan, 120.17]
    df["weidu"] = [121.4, 0.0, np.nan, 30.24]
    df.to_stata(
        out / "geocodes_swapped.dta",
        write_index=False,
        version=118,
        time_stamp=dt.datetime(2000, 1, 1),
        data_label="ASIF test 1999",
    )

    write_readme(out)
    return sorted(p for p in out.iterdir() if p.name in CASES)


def write_readme(out: Path) -> None:
    lines = [
        "# Malformed raw ASIF files for the ingestion tests",
        "",
        "Generated by `make_corpus.py` (run it from the repository root); expected outcomes are asserted in",
        "`tests/test_ingest_corpus.py`. Do not edit the files by hand.",
        "",
        "| file | case and expected outcome |",
        "|---|---|",
    ]
    lines += [f"| `{k}` | {v} |" for k, v in CASES.items()]
    (out / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for p in build(target):
        print(p.relative_to(target) if p.is_relative_to(target) else p)
