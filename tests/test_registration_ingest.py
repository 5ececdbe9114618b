"""Business-registration extracts: change and investment records (yrd.registration.ingest).

Known answers on small hand-written files, the value parsers, and a corpus of malformed files
(built by the ``corpus`` fixture) each with its expected file-level error or quarantine rows;
every input row is accounted for in every case."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from helpers.resources import AREACODES_CSV
from helpers.workflow import ROOT
from yrd.ingest import RawFileError, RawFilesError
from yrd.registration.dialects import RECORD_COLUMNS, load_registration_dialects
from yrd.registration.ingest import ingest_registration_file, ingest_registration_files
from yrd.registration.parse import classify_change, parse_capital, parse_date, read_capital, split_combined

DIALECTS = ROOT / "config" / "registration_dialects.yaml"
SCHEMA = ROOT / "config" / "schemas" / "header_dialects.schema.yaml"

# valid keys (check characters computed with yrd.registration.keys, checked by hand)
USCC_A = "91320506123456788P"  # embeds organisation code 123456788
USCC_B = "913101066072000098"
USCC_BAD = "91320506123456788Q"  # wrong check character
REGNO = "310106000000018"
ORG = "123456788"

CH_ZH = "统一社会信用代码,注册号,组织机构代码,企业名称,变更事项,变更前,变更后,变更日期"
CH_EN = "credit_code,reg_number,org_code,name,change_item,before,after,change_date"
INV_ZH = "投资方,投资方信用代码,被投资企业,被投资企业信用代码,被投资企业住所,认缴出资（万元）,成立日期"
INV_EN = "investor,investor_code,investee,investee_code,investee_address,capital,founding_date"


@pytest.fixture(scope="module")
def dialects():
    return load_registration_dialects(DIALECTS, SCHEMA)


def ingest(path: Path, kind: str, dialects, **kw):
    res = ingest_registration_file(path, kind, dialects, history=AREACODES_CSV, source_file=path.name, **kw)
    assert_balanced(res)
    return res


def assert_balanced(res) -> None:
    c = res.counts
    assert c["rows_read"] == c["rows_clean"] + c["rows_quarantined"] + c["exact_duplicates_removed"]
    assert c["exact_duplicates_removed"] == c["raw_duplicates"] + c["event_duplicates"]
    assert res.clean["source_row"].nunique() == c["rows_clean"] and len(res.clean) == c["events_clean"]
    assert res.quarantine["source_row"].nunique() == c["rows_quarantined"]
    assert not set(res.clean["source_row"]) & set(res.quarantine["source_row"])


def reasons(res) -> list[tuple[int, str, str]]:
    q = res.quarantine
    return sorted(zip(q["source_row"], q["column"], q["reason"].str.split(":").str[0]))


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8", bom: bytes = b"") -> Path:
    path.write_bytes(bom + ("\n".join(lines) + "\n").encode(encoding))
    return path


# ----------------------------------------------------------------------------- parsers
@pytest.mark.parametrize(
    "text, date, precision",
    [
        ("2005-03-01", dt.date(2005, 3, 1), "day"),
        ("2005/3/1", dt.date(2005, 3, 1), "day"),
        ("2005年3月1日", dt.date(2005, 3, 1), "day"),
        ("２００５年３月１日", dt.date(2005, 3, 1), "day"),
        ("20050301", dt.date(2005, 3, 1), "day"),
        ("38412", dt.date(2005, 3, 1), "day"),  # Excel serial
        ("38412.0", dt.date(2005, 3, 1), "day"),
        ("2005-03-01 00:00:00", dt.date(2005, 3, 1), "day"),
        ("2005.03", dt.date(2005, 3, 1), "month"),
        ("2005年3月", dt.date(2005, 3, 1), "month"),
        ("200503", dt.date(2005, 3, 1), "month"),
        (" 2005.3.1 ", dt.date(2005, 3, 1), "day"),
    ],
)
def test_parse_date(text, date, precision):
    assert parse_date(text) == (date, precision)


@pytest.mark.parametrize("text, starts", [("", "missing"), ("三月", "unreadable"), ("2005-02-30", "impossible"),
                                          ("2005", "implausible"), ("1900-01-01", "implausible"), ("2005-13-01", "impossible")])  # fmt: skip
def test_parse_date_refused(text, starts):
    d, why = parse_date(text)
    assert d is None and why.startswith(starts)


@pytest.mark.parametrize(
    "text, value",
    [("100", 100.0), ("100万元", 100.0), ("1,000.5", 1000.5), ("１００万", 100.0), ("人民币50万元", 50.0),
     ("1.5亿元", 15000.0), ("500000元", 50.0), ("0", 0.0)],
)  # fmt: skip
def test_parse_capital(text, value):
    assert parse_capital(text) == (pytest.approx(value), "")


@pytest.mark.parametrize(
    "text, starts",
    [("", "missing"), ("-100", "negative"), ("100万美元", "other_currency USD"), ("abc", "unreadable"),
     ("-5美元", "negative"), ("abc美元", "unreadable"), ("美元", "unreadable"), ("50万美元港币", "unreadable")],
)  # fmt: skip
def test_parse_capital_refused(text, starts):
    v, why = parse_capital(text)
    assert v is None and why.startswith(starts)


@pytest.mark.parametrize(
    "text, amount, currency",
    [("100万元", 100.0, "CNY"), ("100", 100.0, "CNY"), ("1.5亿元", 15000.0, "CNY"), ("50万美元", 50.0, "USD"),
     ("500000美元", 50.0, "USD"), ("USD 50", 50.0, "USD"), ("usd50万", 50.0, "USD"), ("HKD 20", 20.0, "HKD"),
     ("港币100万元", 100.0, "HKD"), ("100万港元", 100.0, "HKD"), ("３０万欧元", 30.0, "EUR"), ("EUR 1,000", 1000.0, "EUR"),
     ("1亿日元", 10000.0, "JPY"), ("JPY 200", 200.0, "JPY")],
)  # fmt: skip
def test_read_capital_currency(text, amount, currency):
    assert read_capital(text) == (pytest.approx(amount), currency, "")
    value, why = parse_capital(text)
    if currency == "CNY":
        assert (value, why) == (pytest.approx(amount), "")
    else:  # read, but not converted: no exchange rates
        assert value is None and why.startswith(f"other_currency {currency}: ")


@pytest.mark.parametrize("text", ["", None, float("nan"), "abc", "-100", "-5美元"])
def test_read_capital_without_currency(text):
    amount, currency, why = read_capital(text)
    assert amount is None and currency is None and why == parse_capital(text)[1]


@pytest.mark.parametrize(
    "item, cls",
    [("住所变更", "address"), ("地址变更", "address"), ("住所（经营场所）变更", "address"), ("迁址", "address"),
     ("名称变更", "name"), ("企业名称变更", "name"), ("住所及名称变更", "both"), ("名称、住所变更", "both"),
     ("经营范围变更", "other"), ("股东名称变更", "other"), ("address change", "address"), ("Name change", "name")],
)  # fmt: skip
def test_classify_change(item, cls):
    assert classify_change(item) == cls


def test_split_combined():
    assert split_combined("名称：丙厂；住所：上海市南汇区惠南镇") == ("丙厂", "上海市南汇区惠南镇")
    assert split_combined("住所:浙江嘉兴市秀洲区 企业名称:嘉兴丙厂") == ("嘉兴丙厂", "浙江嘉兴市秀洲区")
    assert split_combined("上海市南汇区惠南镇;上海丙有限公司") == ("上海丙有限公司", "上海市南汇区惠南镇")
    assert split_combined("上海市南汇区惠南镇") is None
    assert split_combined("名称：丙厂") is None


def test_dialect_tables(dialects):
    for kind, cols in RECORD_COLUMNS.items():
        t = dialects[kind]
        assert set(cols) <= set(t.canonical) and set(t.dialects) == {"zh", "en"}
        assert set(t.required) <= set(t.canonical)


def test_dialect_table_errors(tmp_path):
    doc = yaml.safe_load(DIALECTS.read_text(encoding="utf-8"))
    bad = tmp_path / "no_investment.yaml"
    bad.write_text(yaml.safe_dump({k: v for k, v in doc.items() if k != "investment"}, allow_unicode=True))
    with pytest.raises(ValueError, match="missing keys \\['investment'\\]"):
        load_registration_dialects(bad, SCHEMA)
    del doc["change"]["canonical"]["change_date"]
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True))
    with pytest.raises(ValueError, match="change.*canonical columns \\['change_date'\\] are not defined"):
        load_registration_dialects(bad, SCHEMA)


# ----------------------------------------------------------------------------- known answers
def test_change_known_answers(tmp_path, dialects):
    f = write_csv(
        tmp_path / "changes.csv",
        [
            CH_ZH,
            f"{USCC_A},,,苏州甲机械有限公司,住所变更,上海市闸北区共和新路1号,江苏省苏州市吴中区木渎镇金山路88号,2005-03-01",
            f",{REGNO},,上海乙公司,名称变更,上海乙公司,苏州乙公司,2005/3/1",
            f",,{ORG},丙厂,住所及名称变更,名称：丙厂；住所：上海市南汇区惠南镇,名称：嘉兴丙厂；住所：浙江嘉兴市秀洲区,38412",
            f"{USCC_B},,,丁公司,经营范围变更,机械,机械；电子,20150801",
            f",{USCC_B},,戊公司,地址变更,上海市普陀区,浙江舟山普陀,2016.05",  # credit code in the 注册号 column
        ],
    )
    res = ingest(f, "change", dialects)
    assert reasons(res) == []
    c = res.clean
    assert list(zip(c["source_row"], c["event"], c["change_class"])) == [
        (0, 0, "address"), (1, 0, "name"), (2, 0, "name"), (2, 1, "address"), (3, 0, "other"), (4, 0, "address")
    ]  # fmt: skip
    assert c["firm_key"].tolist() == [USCC_A, REGNO, ORG, ORG, USCC_B, USCC_B]
    assert c["key_kind"].tolist()[:3] == ["credit_code", "registration_number", "organisation_code"]
    assert c.loc[4, "credit_code"] == USCC_B and pd.isna(c.loc[4, "reg_number"])
    addr = c[c["change_class"] == "address"]
    assert addr["county_before"].tolist() == ["310106", "310115", "310107"]
    assert addr["county_after"].tolist() == ["320506", "330411", "330903"]
    assert addr["resolution_before"].tolist() == ["county_old_name", "county_old_name", "county"]
    assert c.loc[2, "before"] == "丙厂" and c.loc[2, "after"] == "嘉兴丙厂"
    assert c["change_date"].dt.date.tolist()[:4] == [dt.date(2005, 3, 1)] * 4
    assert c["date_precision"].tolist() == ["day"] * 5 + ["month"]
    assert res.counts["rows_clean"] == 5 and res.counts["events_clean"] == 6 and res.counts["dialects"] == ["zh"]


def test_investment_known_answers(tmp_path, dialects):
    f = write_csv(
        tmp_path / "investments.csv",
        [
            INV_EN,
            f'上海甲公司,{USCC_B},苏州甲分公司,{USCC_A},江苏省苏州市吴中区木渎镇,"1,000.5",2006-07-01',
            "上海甲公司,,嘉兴甲有限公司,,浙江嘉兴市秀洲区,100万元,2008年1月2日",
            "上海乙公司,,昆山乙厂,,江苏省昆山市周市镇,,39448",
        ],
    )
    res = ingest(f, "investment", dialects)
    assert reasons(res) == []
    c = res.clean
    assert c["investee_county"].tolist() == ["320506", "330411", "320583"]
    assert c["investee_prefecture"].tolist() == ["320500", "330400", "320500"]
    assert c["capital_wan"].tolist()[:2] == [1000.5, 100.0] and pd.isna(c.loc[2, "capital_wan"])
    assert c["investor_key"].tolist()[0] == USCC_B and c["investee_key_kind"].tolist()[0] == "credit_code"
    assert c["founding_date"].dt.date.tolist() == [dt.date(2006, 7, 1), dt.date(2008, 1, 2), dt.date(2008, 1, 1)]
    assert c["capital_currency"].fillna("-").tolist() == ["CNY", "CNY", "-"]  # none for an empty capital
    assert res.counts["capital_missing"] == 1 and res.counts["capital_other_currency"] == 0
    assert res.counts["dialects"] == ["en"]


def test_investment_capital_in_another_currency_keeps_the_row(tmp_path, dialects):
    row = "上海甲公司,,嘉兴甲有限公司,,浙江嘉兴市秀洲区,{},2008-01-02"
    f = write_csv(
        tmp_path / "currencies.csv",
        [
            INV_EN,
            row.format("50万美元"),  # 0: kept, capital missing, USD
            row.format("100万元"),  # 1: yuan
            row.format(""),  # 2: empty capital
            row.format("HKD 20"),  # 3: another currency
            row.format("500000美元"),  # 4: the same 50万 dollars as row 0: an event duplicate
            row.format("60万美元"),  # 5: another amount: kept
            row.format("abc"),  # 6: unreadable: quarantined
            row.format("-5美元"),  # 7: negative: quarantined
            row.format("50万美元"),  # 8: a copy of row 0: a raw duplicate
        ],
    )
    res = ingest(f, "investment", dialects)  # asserts the balance
    assert reasons(res) == [(6, "capital", "bad_capital"), (7, "capital", "negative_capital")]
    c = res.clean
    assert c["source_row"].tolist() == [0, 1, 2, 3, 5]
    assert c["capital_currency"].fillna("-").tolist() == ["USD", "CNY", "-", "HKD", "USD"]
    assert c["capital_wan"].isna().tolist() == [True, False, True, True, True] and c.loc[1, "capital_wan"] == 100.0
    n = res.counts
    assert (n["capital_missing"], n["capital_other_currency"]) == (1, 3)  # disjoint
    assert (n["rows_read"], n["rows_clean"], n["rows_quarantined"]) == (9, 5, 2)
    assert (n["raw_duplicates"], n["event_duplicates"], n["exact_duplicates_removed"]) == (1, 1, 2)
    assert n["rows_read"] == n["rows_clean"] + n["rows_quarantined"] + n["exact_duplicates_removed"]
    assert n["quarantine_reasons"] == {"bad_capital": 1, "negative_capital": 1}


def test_several_files(tmp_path, dialects):
    a = write_csv(tmp_path / "a.csv", [CH_EN, f"{USCC_A},,,甲,名称变更,甲,乙,2005-03-01"])
    b = write_csv(tmp_path / "b.csv", [CH_EN, ",,,丙,名称变更,丙,丁,bad", ",,,丙,名称变更,丙,丁,2001-01-01"])
    clean, quarantine, rec = ingest_registration_files([a, b], "change", dialects, history=AREACODES_CSV)
    assert len(clean) == 2 and len(quarantine) == 1 and rec["balanced"].all()
    assert rec["rows_read"].tolist() == [1, 2] and rec["quarantine_reasons"].tolist() == ["", "bad_date=1"]
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(RawFilesError, match="2 raw files"):
        ingest_registration_files([empty, tmp_path / "gone.csv"], "change", dialects, history=AREACODES_CSV)


# ----------------------------------------------------------------------------- malformed corpus
def _xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


CHANGE_ROW = "上海乙公司,名称变更,上海乙公司,苏州乙公司,2005/3/1"
#: name -> (kind, lines or builder, expected): expected is an error substring (file-level) or
#: {"reasons": [(row, column, code), ...], counts...}.
CORPUS: dict[str, tuple] = {
    "gbk_with_utf8_bom.csv": ("change", ("gbk", b"\xef\xbb\xbf", ["企业名称,变更事项,变更前,变更后,变更日期", CHANGE_ROW]),
                              "mixed encoding: it starts with a UTF-8 byte-order mark but its text is GBK"),
    "utf16.csv": ("change", ("utf-16", b"", ["企业名称,变更事项,变更前,变更后,变更日期", CHANGE_ROW]), "unknown encoding"),
    "gbk_valid.csv": ("change", ("gbk", b"", ["企业名称,变更事项,变更前,变更后,变更日期", CHANGE_ROW]),
                      {"reasons": [], "rows_clean": 1, "encoding": "gb18030"}),
    "missing_required_column.csv": ("change", ["企业名称,变更事项,变更前,变更后", "甲,名称变更,甲,乙"],
                                    "required column missing: change_date"),
    "unknown_header.csv": ("change", ["企业名称,变更事项,变更前,变更后,变更时点", "甲,名称变更,甲,乙,2005-01-01"],
                           "headers found: ['企业名称', '变更事项', '变更前', '变更后', '变更时点']"),
    "extra_column.csv": ("change", ["企业名称,变更事项,变更前,变更后,变更日期,备注", "甲,名称变更,甲,乙,2005-01-01,x"],
                         {"reasons": [], "rows_clean": 1, "extra_columns": ["备注"]}),
    "duplicate_column.csv": ("change", ["统一社会信用代码,credit_code,企业名称,变更事项,变更前,变更后,变更日期", f"{USCC_A},{USCC_A},甲,名称变更,甲,乙,2005-01-01"],
                             "duplicate canonical column 'credit_code'"),
    "empty.csv": ("change", [], "empty file (0 bytes)"),
    "header_only.csv": ("change", [CH_ZH], "header only, no data rows"),
    "wrong_delimiter.csv": ("change", [CH_ZH.replace(",", "、"), "甲、名称变更、甲、乙、2005-01-01"], "wrong delimiter"),
    "semicolon_delimiter.csv": ("change", [CH_EN.replace(",", ";"), ";;;甲;名称变更;甲;乙;2005-01-01"], {"reasons": [], "rows_clean": 1}),
    "truncated.csv": ("change", None, "truncated file"),
    "malformed_row.csv": ("change", [CH_EN, ",,,甲,名称变更,甲,乙,2005-01-01,extra,fields", ",,,乙,名称变更,乙,丙,2005-01-01"],
                          {"reasons": [(0, "row", "malformed_row")], "rows_clean": 1}),
    "investment_as_change.csv": ("change", [INV_ZH, "甲,,乙,,上海市普陀区,1,2005-01-01"], "ingest it as kind 'investment'"),
    "mixed_dates.csv": ("change", [CH_EN, ",,,甲,名称变更,甲,乙,2005-03-01", ",,,乙,名称变更,乙,丙,2005/3/1",
                                   ",,,丙,名称变更,丙,丁,2005年3月1日", ",,,丁,名称变更,丁,戊,20050301", ",,,戊,名称变更,戊,己,2005.03",
                                   ",,,己,名称变更,己,庚,三月", ",,,庚,名称变更,庚,辛,2005-02-30", ",,,辛,名称变更,辛,壬,1850-01-01",
                                   ",,,壬,名称变更,壬,癸,"],
                        {"reasons": [(5, "change_date", "bad_date"), (6, "change_date", "bad_date"),
                                     (7, "change_date", "bad_date"), (8, "change_date", "missing_value")], "rows_clean": 5}),
    "duplicated_events.csv": ("change", [CH_EN, f"{USCC_A},,,甲,名称变更,甲,乙,2005-03-01", f"{USCC_A},,,甲,名称变更,甲,乙,2005-03-01",
                                         f"{USCC_A},,,甲,名称变更,甲,乙,2005/3/1", f"{USCC_A},,,甲, 名称变更 ,甲,乙,2005年3月1日",
                                         f"{USCC_A},,,甲,名称变更,甲,乙,2006-03-01"],
                              {"reasons": [], "rows_clean": 2, "raw_duplicates": 1, "event_duplicates": 2}),
    "bad_check_digit.csv": ("change", [CH_EN, f"{USCC_BAD},,,甲,名称变更,甲,乙,2005-03-01", f"{USCC_BAD},,,,名称变更,甲,乙,2005-03-01",
                                       f"{USCC_BAD},{REGNO},,,名称变更,甲,乙,2005-03-01", "12345,,,,名称变更,甲,乙,2005-03-01"],
                            {"reasons": [(1, "name", "no_firm_identity"), (3, "name", "no_firm_identity")], "rows_clean": 2,
                             "keys_invalid": 4}),
    "merged_name_address.csv": ("change", [CH_EN, ",,,丙厂,住所及名称变更,名称：丙厂；住所：上海市南汇区惠南镇,名称：嘉兴丙厂；住所：浙江嘉兴市秀洲区,2005-03-01",
                                           ",,,丁,名称及住所变更,上海市普陀区;上海丁有限公司,浙江嘉兴市秀洲区;嘉兴丁有限公司,2005-03-01",
                                           ",,,戊,住所及名称变更,上海戊公司 上海市普陀区,名称：嘉兴戊公司；住所：浙江嘉兴市秀洲区,2005-03-01",
                                           ",,,己,住所及名称变更,名称：己；住所：上海市普陀区,名称：己二；住所：苏州工业园区,2005-03-01"],
                                {"reasons": [(2, "before", "combined_unsplittable")],  # 苏州工业园区: the prefecture
                                 "rows_clean": 3, "events_clean": 6}),
    # a county name in several prefectures and no place name: no prefecture; a development zone
    # of a named prefecture (苏州工业园区) is kept without a county
    "address_no_prefecture.csv": ("change", [CH_EN, ",,,甲,住所变更,上海市普陀区,鼓楼区,2005-03-01", ",,,乙,住所变更,上海市普陀区,火星基地,2005-03-01",
                                             ",,,丙,住所变更,上海市普陀区,,2005-03-01", ",,,丁,经营范围变更,,,2005-03-01",
                                             ",,,戊,住所变更,上海市普陀区,苏州工业园区,2005-03-01"],
                                  {"reasons": [(0, "after", "address_no_prefecture"), (1, "after", "address_no_prefecture"),
                                               (2, "after", "missing_value")], "rows_clean": 2}),
    "negative_capital.csv": ("investment", [INV_ZH, "甲,,乙,,浙江嘉兴市秀洲区,-100,2005-01-01", "甲,,丙,,浙江嘉兴市秀洲区,100万美元,2005-01-01",
                                            "甲,,丁,,浙江嘉兴市秀洲区,abc,2005-01-01", "甲,,戊,,浙江嘉兴市秀洲区,,2005-01-01",
                                            "甲,,己,,苏州工业园区,5,2005-01-01", ",,庚,,浙江嘉兴市秀洲区,5,2005-01-01"],
                             {"reasons": [(0, "capital", "negative_capital"), (2, "capital", "bad_capital"),
                                          (5, "investor_name", "missing_value")],
                              # 100万美元: kept, capital missing, currency USD; 苏州工业园区: kept, prefecture only
                              "rows_clean": 3, "capital_missing": 1, "capital_other_currency": 1}),
    # investee addresses: a county name in several prefectures, no place, a province: no prefecture;
    # a development zone of a named prefecture is kept without a county
    "investee_no_prefecture.csv": ("investment", [INV_ZH, "甲,,乙,,鼓楼区中山路1号,5,2005-01-01",
                                                  "甲,,丙,,火星基地1号,5,2005-01-01", "甲,,丁,,江苏省,5,2005-01-01",
                                                  "甲,,戊,,杭州市高新技术产业开发区1号,5,2005-01-01"],
                                   {"reasons": [(0, "investee_address", "address_no_prefecture"),
                                                (1, "investee_address", "address_no_prefecture"),
                                                (2, "investee_address", "address_no_prefecture")], "rows_clean": 1}),
    "fullwidth_digits.csv": ("investment", [INV_ZH, "甲,９１３１０１０６６０７２０００９８,乙,,浙江嘉兴市秀洲区,１００万元,２００５年３月１日"],
                             {"reasons": [], "rows_clean": 1}),
    "excel_dates.xlsx": ("change", {"变更记录": [CH_ZH.split(","), [None, None, None, "甲", "名称变更", "甲", "乙", 38412],
                                                 [None, None, None, "乙", "名称变更", "乙", "丙", dt.datetime(2005, 3, 1)],
                                                 [None, None, None, "丙", "名称变更", "丙", "丁", "2005.03"],
                                                 [None, None, None, "丁", "名称变更", "丁", "戊", 2005]]},
                         {"reasons": [(3, "change_date", "bad_date")], "rows_clean": 3}),
    "two_sheets.xlsx": ("change", {"变更记录": [CH_ZH.split(","), [USCC_A, None, None, "甲", "名称变更", "甲", "乙", "2005-03-01"]],
                                   "对外投资": [INV_ZH.split(","), ["甲", USCC_A, "乙", None, "浙江嘉兴市秀洲区", 100, "2005-03-01"],
                                                ["甲", USCC_A, "丙", None, "浙江嘉兴市秀洲区", 100, "2005-03-01"]]},
                        {"reasons": [], "rows_clean": 1}),
}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("registration_corpus")
    for name, (_, content, _) in CORPUS.items():
        p = d / name
        if name == "truncated.csv":
            p.write_bytes((CH_EN + '\n,,,甲,名称变更,"甲,乙,2005-03-01\n').encode())
        elif isinstance(content, dict):
            _xlsx(p, content)
        elif isinstance(content, tuple):
            enc, bom, lines = content
            write_csv(p, lines, enc, bom)
        elif not content:
            p.write_bytes(b"")
        else:
            write_csv(p, content)
    return d


def test_corpus_size():
    assert len(CORPUS) >= 15


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus(corpus, dialects, name):
    kind, _, expected = CORPUS[name]
    if isinstance(expected, str):
        with pytest.raises(RawFileError) as err:
            ingest_registration_file(corpus / name, kind, dialects, history=AREACODES_CSV, source_file=name)
        msg = str(err.value)
        assert msg.startswith(f"raw file '{name}': ") and expected in msg, msg
        return
    res = ingest(corpus / name, kind, dialects)
    assert reasons(res) == sorted(expected["reasons"])
    for key, value in expected.items():
        if key != "reasons":
            assert res.counts[key] == value, (key, res.counts)


def test_reason_counts_are_rows(tmp_path, dialects):
    f = write_csv(
        tmp_path / "both_sides.csv",
        [CH_EN, ",,,甲,住所变更,火星,月球,2005-03-01", ",,,乙,住所变更,火星,上海市普陀区,2005-03-01"],
    )
    res = ingest(f, "change", dialects)
    assert len(res.quarantine) == 3 and res.counts["quarantine_reasons"] == {"address_no_prefecture": 2}


def test_two_sheets_second_sheet(corpus, dialects):
    res = ingest(corpus / "two_sheets.xlsx", "investment", dialects, sheet="对外投资")
    assert res.counts["rows_read"] == 2 and res.counts["rows_clean"] == 2
    with pytest.raises(RawFileError, match="has no sheet"):
        ingest(corpus / "two_sheets.xlsx", "change", dialects, sheet="nope")


def test_investee_address_without_county_keeps_its_prefecture(corpus, dialects):
    """A development zone of a named prefecture (杭州市高新技术产业开发区) resolves to the prefecture
    only: the record is kept for the prefecture-level flows, its county missing."""
    res = ingest(corpus / "investee_no_prefecture.csv", "investment", dialects)
    clean = res.clean
    assert len(clean) == 1 and clean["investee_name"].tolist() == ["戊"]
    assert clean["investee_prefecture"].tolist() == ["330100"] and clean["investee_county"].isna().all()
    assert clean["resolution"].tolist() == ["prefecture"]
