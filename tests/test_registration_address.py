"""Free-text addresses -> vintage county codes (yrd.registration.address)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.address_corpus import accuracy_by_style, build_corpus
from yrd.geography import code_history
from yrd.registration.address import RESOLUTIONS, AddressParser, parse_addresses, resolution_rates, time_parse

HISTORY = "resources/areacodes/result.csv"


@pytest.fixture(scope="module")
def parser(root) -> AddressParser:
    return AddressParser(root / HISTORY, vintage=2021)


@pytest.fixture(scope="module")
def corpus(root) -> pd.DataFrame:
    return build_corpus(str(root / HISTORY), vintage=2021)


# (address, county, resolution, prefecture); checked by hand against the code history.
HAND = [
    ("江苏省苏州市吴中区木渎镇金山路88号", "320506", "county", "320500"),
    ("苏州吴中木渎工业园", "320506", "county", "320500"),
    ("浙江嘉兴市秀洲区", "330411", "county", "330400"),
    ("上海市南汇区惠南镇人民东路1号", "310115", "county_old_name", "310100"),  # merged into 浦东 2009
    ("上海南汇", "310115", "county_old_name", "310100"),
    ("上海市闸北区共和新路", "310106", "county_old_name", "310100"),  # merged into 静安 2015
    ("上海市浦东新区世纪大道100号", "310115", "county", "310100"),
    ("江苏省吴江市松陵镇", "320509", "county_old_name", "320500"),  # 吴江市 -> 吴江区 2012
    ("江苏省苏州市吴江区", "320509", "county", "320500"),
    ("浙江省杭州市萧山区", "330109", "county", "330100"),
    ("杭州萧山经济技术开发区", "330109", "county", "330100"),
    ("南京市鼓楼区中山北路", "320106", "county", "320100"),
    ("徐州鼓楼区", "320302", "county", "320300"),
    ("浙江舟山普陀", "330903", "county", "330900"),
    ("上海市普陀区", "310107", "county", "310100"),
    ("安徽省巢湖市", "340181", "county", "340100"),  # county-level city since 2011
    ("安徽省巢湖市居巢区", "340181", "county_old_name", "340100"),
    ("江苏省镇江市京口区", "321102", "county", "321100"),
    ("上海金山区", "310116", "county", "310100"),
    ("江苏省昆山市周市镇", "320583", "county", "320500"),
    ("浙江省宁波市鄞县", "330212", "county_old_name", "330200"),  # 鄞县 -> 鄞州区 2002
    ("江苏省　南京市　江宁区天元东路１号", "320115", "county", "320100"),  # full-width
]


@pytest.mark.parametrize("address, county, resolution, prefecture", HAND)
def test_hand_cases(parser, address, county, resolution, prefecture):
    r = parser.parse(address)
    assert (r.county, r.resolution, r.prefecture) == (county, resolution, prefecture), r
    assert r.province == county[:2] + "0000"


@pytest.mark.parametrize(
    "address, resolution, prefecture, province",
    [
        ("鼓楼区中山路1号", "ambiguous", None, None),  # 南京, 徐州, 福州, 开封
        ("江苏省鼓楼区", "ambiguous", None, "320000"),  # still 南京 or 徐州
        ("普陀区", "ambiguous", None, None),  # 上海 or 舟山
        ("苏州工业园区星湖街", "prefecture", "320500", "320000"),  # not a county unit
        # a prefecture in force whose name a county-level city had before (撤地设市): not that city
        ("镇江市高新技术产业开发区滨江路168号", "ambiguous", "321100", "320000"),
        ("安徽省六安市长江路9号", "ambiguous", "341500", "340000"),
        ("苏州市金山路18号", "prefecture", "320500", "320000"),  # 金山路 is a street, not 金山区
        ("江苏省", "province", None, "320000"),
        ("上海市某某大厦", "province", "310100", "310000"),  # a municipality's prefecture
        ("某某大厦3楼", "none", None, None),
        ("", "none", None, None),
    ],
)
def test_no_silent_guess(parser, address, resolution, prefecture, province):
    r = parser.parse(address)
    assert r.county is None
    assert (r.resolution, r.prefecture, r.province) == (resolution, prefecture, province), r


def test_split_follows_project_rule_and_is_flagged(parser):
    r = parser.parse("江苏吴县")  # 吴县市 split into 吴中区 and 相城区 in 2001
    assert r.resolution == "county_old_name" and r.rule == "split"
    assert r.county == "320506"  # the harmonisation's choice, same as for ASIF codes
    assert parser.parse("上海市南汇区").rule == "recoded"


def test_accuracy_on_corpus(parser, corpus):
    """Measured 2026-11-28 (vintage 2021, all of China in the gazetteer, 2,059 addresses):
    exact county 1.000 for the full, no-province, no-suffix and noise styles (305 counties
    each) and for the 178 old names of 1995-2020 written with their prefecture in full or
    short; county-only 0.961 and old names with the province only 0.860, the rest reported
    ambiguous (鼓楼区, 普陀区, 宝山区, 郊区, 西市区 ...; and, since a prefecture in force beats an
    old county-level city of its name, 安徽省六安市…, 江苏省泰州市… : 0.910 before); no address got
    a wrong county. Floors
    leave a margin."""
    assert len(corpus) >= 60 and set(corpus["style"]) >= {"full", "no_suffix", "noise", "old_name"}
    parsed = parser.parse_series(corpus["address"])
    acc = accuracy_by_style(corpus, parsed)
    assert acc.loc["full", "exact"] >= 0.98
    for style in ("no_province", "no_suffix", "noise", "old_name", "old_short"):
        assert acc.loc[style, "exact"] >= 0.95, style
    assert acc.loc["county_only", "exact"] >= 0.9
    assert acc.loc["old_no_prefecture", "exact"] >= 0.85
    assert (acc["wrong"] <= 0.01).all()  # a wrong county is worse than none
    hard = corpus["style"].isin(["county_only", "old_no_prefecture"]).to_numpy()
    assert parsed["resolution"][hard].isin(["county", "county_old_name", "ambiguous"]).all()


def test_resolution_rates_cover_all_kinds(parser, corpus):
    rates = resolution_rates(parser.parse_series(corpus["address"]))
    assert list(rates.index) == list(RESOLUTIONS)
    assert rates.sum() == pytest.approx(1.0)


def test_series_api_keeps_index_and_caches(root):
    s = pd.Series(["上海市南汇区", None, "浙江嘉兴市秀洲区", "上海市南汇区"], index=[10, 11, 12, 13])
    out = parse_addresses(s, history=str(root / HISTORY), vintage=2021)
    assert list(out.index) == [10, 11, 12, 13]
    assert list(out.columns) == ["county", "prefecture", "province", "resolution", "matched", "rule"]
    assert out.loc[10, "county"] == out.loc[13, "county"] == "310115"
    assert out.loc[11, "resolution"] == "none" and pd.isna(out.loc[11, "county"])


def test_series_api_columns_and_object_dtype(parser):
    # the registration ingest's form: some fields as Python objects (None missing), per value as parse
    s = pd.Series(["上海市南汇区", "苏州工业园区", "上海市南汇区"], index=[5, 6, 7])
    out = parser.parse_series(s, columns=("county", "prefecture", "resolution"), dtype=object)
    assert list(out.index) == [5, 6, 7] and list(out.columns) == ["county", "prefecture", "resolution"]
    assert all(t == np.dtype(object) for t in out.dtypes)
    for i, text in s.items():
        r = parser.parse(text)
        assert list(out.loc[i]) == [r.county, r.prefecture, r.resolution]
    assert out.loc[6, "county"] is None


def test_vintage_before_merger(root):
    """With vintage 2008 南汇区 is still in force: it is its own county."""
    p = AddressParser(root / HISTORY, vintage=2008, provinces=["31"])
    r = p.parse("上海市南汇区")
    assert (r.county, r.resolution) == ("310119", "county")


def test_gazetteer_covers_cpca_names(root):
    """Every county (code, name) of the cpca table (resources/cpca/adcodes.csv) in 31-34 is in
    the code history the parser uses, so cpca's names are all recognised."""
    cp = pd.read_csv(root / "resources/cpca/adcodes.csv", dtype=str)
    cp = cp.assign(code=cp["adcode"].str[:6])
    cp = cp[cp["code"].str[:2].isin(["31", "32", "33", "34"]) & ~cp["code"].str.endswith("00")]
    cp = cp[cp["name"] != "市辖区"]
    hist = code_history(root / HISTORY)
    known = set(zip(hist["code"], hist["name"]))
    assert len(cp) > 250
    assert all((c, n) in known for c, n in zip(cp["code"], cp["name"]))


def test_fast_enough_for_1e5(parser, corpus):
    """1e5 distinct addresses: measured ~3 s (30 us each) on the 2-core CI machine."""
    rng = np.random.default_rng(0)
    base = corpus["address"].to_numpy()[rng.integers(0, len(corpus), 100_000)]
    uniq = pd.Series([f"{a}{i}室" for i, a in enumerate(base)])
    assert time_parse(parser, uniq) < 30.0
