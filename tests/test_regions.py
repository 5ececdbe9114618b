"""Region sets and groups (sources: resources/README.md)."""

import pandas as pd
import pytest

from helpers.resources import PREFECTURES_CSV
from yrd.regions import GROUPS, pinyin_name, prefectures, region_group, region_set


def test_yrd41_is_the_four_provinces():
    d = region_set("yrd41_2019", PREFECTURES_CSV)
    assert len(d) == 41
    assert d["province_code"].value_counts().to_dict() == {"340000": 16, "320000": 13, "330000": 11, "310000": 1}


def test_yrd16_of_2003():
    d = region_set("yrd16_2003", PREFECTURES_CSV)
    # Shanghai, 8 Jiangsu cities, 7 Zhejiang cities (Taizhou, Zhejiang, joined in 2003)
    assert len(d) == 16
    assert set(d["name_zh"]) == {
        "上海市", "南京市", "苏州市", "无锡市", "常州市", "镇江市", "扬州市", "泰州市", "南通市",
        "杭州市", "宁波市", "嘉兴市", "湖州市", "绍兴市", "舟山市", "台州市",
    }  # fmt: skip
    assert not d["province_code"].eq("340000").any()


def test_groups():
    d = prefectures(PREFECTURES_CSV)
    sunan = set(d.loc[d["group"] == "sunan", "name_zh"])
    assert sunan == {"南京市", "镇江市", "常州市", "无锡市", "苏州市"}
    assert d.loc[d["code"] == "320600", "group"].item() == "rest_of_jiangsu"  # Nantong is not Sunan
    assert set(d["group"]) == set(GROUPS["group"])
    out = region_group(pd.Series(["310100", "320500", "330200", "340100", "110100"]), PREFECTURES_CSV)
    assert list(out[:4]) == ["shanghai", "sunan", "zhejiang", "anhui"]
    assert pd.isna(out.iloc[4])


def test_the_table_is_an_argument():
    table = prefectures(PREFECTURES_CSV)
    assert prefectures(table) is table
    assert (
        region_set("yrd16_2003", table)["code"].tolist() == region_set("yrd16_2003", PREFECTURES_CSV)["code"].tolist()
    )


def test_unknown_region_set():
    with pytest.raises(ValueError, match="unknown region set"):
        region_set("yrd26", PREFECTURES_CSV)


@pytest.mark.parametrize(
    "zh, py",
    [("南京市", "Nanjing"), ("六安市", "Lu'an"), ("闵行区", "Minhang"), ("长宁区", "Changning"),
     ("景宁畲族自治县", "Jingning"), ("马鞍山市", "Ma'anshan"), ("寿县", "Shouxian")],
)  # fmt: skip
def test_pinyin(zh, py):
    assert pinyin_name(zh) == py
