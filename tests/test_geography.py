"""County-code harmonisation on real code changes of the YRD, 1998-2013.

Every expected value is read from the areacodes change files (github yescallop/areacodes,
CC0), cited as ``diff/<years>.diff``, which quote the State Council approvals (国函).
"""

import pandas as pd
import pytest

from helpers.resources import AREACODES_CSV
from yrd import geography as g


def _h(code, year, vintage=2021, **kw):
    return g.harmonise_county_codes(pd.Series([code]), pd.Series([year]), vintage, history=AREACODES_CSV, **kw).iloc[0]


@pytest.mark.parametrize(
    "code, year, expected, source",
    [
        # 撤县设区: 江宁县 -> 江宁区 (diff/1999-2000.diff: "-320121 江宁县>江宁区")
        ("320121", 1998, "320115", "1999-2000"),
        # merger: 白下区 -> 秦淮区 (diff/2012-2013.diff: "-320103 白下区>秦淮区")
        ("320103", 2005, "320104", "2012-2013"),
        # merger: 下关区 -> 鼓楼区 (diff/2012-2013.diff)
        ("320107", 2012, "320106", "2012-2013"),
        # merger: 卢湾区 -> 黄浦区 (diff/2010-2011.diff: "-310103 卢湾区>黄浦区")
        ("310103", 2003, "310101", "2010-2011"),
        # two steps: 南汇县 -> 南汇区 (diff/2000-2001.diff) -> 浦东新区 (diff/2008-2009.diff)
        ("310225", 1999, "310115", "2000-2001, 2008-2009"),
        ("310119", 2005, "310115", "2008-2009"),
        # three districts merged into 姑苏区 (diff/2011-2012.diff: "+320508 姑苏区<沧浪区,平江区,金阊区")
        ("320502", 2010, "320508", "2011-2012"),
        ("320503", 2010, "320508", "2011-2012"),
        ("320504", 2010, "320508", "2011-2012"),
        # county-level city to district: 吴江市 -> 吴江区 (diff/2011-2012.diff)
        ("320584", 2011, "320509", "2011-2012"),
        # 萧山市 -> 萧山区 (diff/2000-2001.diff: "-330181 萧山市>萧山区")
        ("330181", 2000, "330109", "2000-2001"),
        # 上虞市 -> 上虞区 (diff/2012-2013.diff)
        ("330682", 2012, "330604", "2012-2013"),
        # unchanged code: 昆山市
        ("320583", 2007, "320583", "none"),
    ],
)
def test_real_code_changes(code, year, expected, source):
    assert _h(code, year) == expected, f"areacodes diff/{source}.diff"


def test_split_rules():
    # 锡山市 split into 锡山区, 惠山区 and (partly) 滨湖区 (diff/1999-2000.diff:
    # "-320283 锡山市>锡山区,惠山区,滨湖区"): the same-name-stem rule picks 锡山区 320205.
    t = g.harmonisation_table(pd.Series(["320283"]), 1998, history=AREACODES_CSV)
    assert t["code_vintage"].iloc[0] == "320205"
    assert t["rule"].iloc[0] == "split"
    # 绍兴县 split into 柯桥区 and 越城区 (diff/2012-2013.diff: "-330621 绍兴县>柯桥区,越城区"):
    # no same code or name, so the first-listed successor 柯桥区 330603 (the former county seat).
    assert _h("330621", 2010) == "330603"


def test_not_in_force_and_tolerance():
    # 江宁区 320115 first appears in the 2000 table: in 1998 it is not a valid code.
    assert pd.isna(_h("320115", 1998))
    # ... unless a lag of up to two years is tolerated.
    assert _h("320115", 1998, tolerance=2) == "320115"
    # garbage and missing codes give NA, never an exception
    out = g.harmonise_county_codes(pd.Series(["abc", None, "999999"]), 2005, history=AREACODES_CSV)
    assert out.isna().all()


def test_integer_codes_and_index_preserved():
    s = pd.Series([320121, 310103], index=["a", "b"])
    out = g.harmonise_county_codes(s, pd.Series([1998, 2003], index=["a", "b"]), history=AREACODES_CSV)
    assert list(out.index) == ["a", "b"]
    assert list(out) == ["320115", "310101"]


def test_backwards_to_an_older_vintage():
    # 姑苏区 (from 2012) back to the 2010 vintage: one of its predecessors, 沧浪区 320502
    # (lowest code among the merged units, the documented rule for backward harmonisation).
    assert _h("320508", 2015, vintage=2010) == "320502"


def test_every_yrd_code_1998_2013_reaches_the_vintage():
    vint = set(g.codes_in_force(2021, "county", ["31", "32", "33", "34"], history=AREACODES_CSV)["code"])
    assert len(vint) == 305  # the county set of the shipped boundaries
    frames = [
        g.codes_in_force(y, "county", ["31", "32", "33", "34"], history=AREACODES_CSV).assign(year=y)
        for y in range(1998, 2014)
    ]
    allc = pd.concat(frames, ignore_index=True)
    out = g.harmonise_county_codes(allc["code"], allc["year"], history=AREACODES_CSV)
    assert out.notna().all()
    assert set(out) <= vint


def test_prefecture_and_province():
    codes = pd.Series(["310115", "320508", "340523"])
    assert list(g.prefecture_of(codes)) == ["310100", "320500", "340500"]
    assert list(g.province_of(codes)) == ["310000", "320000", "340000"]


def test_parse_successors():
    assert g.parse_successors("130404[2014];130402;130403", 2016) == [
        ("130404", 2014),
        ("130402", 2016),
        ("130403", 2016),
    ]
    with pytest.raises(ValueError):
        g.parse_successors("13040", 2016)


def test_code_history_table():
    t = g.code_history(AREACODES_CSV)
    assert {"code", "name", "level", "valid_from", "valid_to", "successors"} <= set(t.columns)
    row = t[(t["code"] == "320121")].iloc[0]
    assert (row["name"], row["valid_from"], row["valid_to"]) == ("江宁县", 1981, 2000)


def test_override_a_split():
    # a user who holds that 绍兴县's firms should go to 越城区 says so explicitly
    assert _h("330621", 2010, overrides={"330621": "330602"}) == "330602"
    with pytest.raises(ValueError, match="not in force"):
        _h("330621", 2010, overrides={"330621": "330699"})


def test_the_code_history_is_an_argument_path_or_table():
    table = g.code_history(AREACODES_CSV)
    assert g.code_history(table) is table
    codes = pd.Series(["320121", "330621", "320583"])
    pd.testing.assert_frame_equal(
        g.harmonisation_table(codes, 1998, history=table),
        g.harmonisation_table(codes, 1998, history=str(AREACODES_CSV)),
    )
    with pytest.raises(TypeError):
        g.harmonise_county_codes(codes, 1998)  # no default file


def test_a_city_is_its_own_county_until_its_districts():
    # Sanya (460200) had no county-level code until its four districts of 2014 (areacodes lists
    # them as its successors): its firms' code of 1998-2013 harmonises to one district (the split
    # rule: the lowest new code) instead of failing; the 2014 districts keep their own codes.
    t = g.harmonisation_table(
        pd.Series(["460200", "460200", "460203"]), pd.Series([1998, 2013, 2014]), 2021, history=AREACODES_CSV
    )
    assert t["code_vintage"].tolist() == ["460202", "460202", "460203"]
    assert t["rule"].tolist() == ["split", "split", "identity"]
    # the override picks another district
    t = g.harmonisation_table(pd.Series(["460200"]), 2005, 2021, overrides={"460200": "460203"}, history=AREACODES_CSV)
    assert t["code_vintage"].tolist() == ["460203"]
