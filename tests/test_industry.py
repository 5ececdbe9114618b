"""Industry reference layer: GB/T 4754 divisions, crosswalks to 2002, harmonisation, classes.

Expected values cite the standards: GB/T 4754-1994 (scan in github robin621/gbcrosswalk,
``inst/raw-crosswalks/GB_T_4754_1994.pdf``, printed page given as "94 p.N"), GB/T 4754-2002
(names in ``resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv``) and the NBS table
国民经济行业分类新旧类目对照表 GB/T 4754-2011 vs 2002 (``gbcrosswalk_gb_2002_2011.csv``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.resources import (
    CLASSES_CSV,
    CROSSWALK_1994_CSV,
    CROSSWALK_2011_CSV,
    INDUSTRIES_CSV,
    ISIC3_CSV,
    MANY_TO_MANY_CSV,
    NAMES_2002_CSV,
    NAMES_2011_CSV,
    crosswalks,
)
from yrd import industry as ind

CW = crosswalks()


def _h(code, year):
    return ind.harmonise_industry_codes(pd.Series([code]), pd.Series([year]), crosswalks=CW).iloc[0]


# --------------------------------------------------------------------------- 2002 divisions
def test_industries_are_the_30_divisions_of_2002():
    d = ind.industries(INDUSTRIES_CSV)
    assert list(d["code"]) == [str(c) for c in range(13, 44) if c != 38]
    assert d["code"].str.len().eq(2).all()
    for col in ("name_zh", "name_en", "name_short_zh", "name_short_en"):
        assert d[col].str.strip().ne("").all(), col
    assert d["name_short_zh"].str.len().le(12).all()
    assert d["name_short_en"].str.len().le(22).all()
    assert d["name_zh"].is_unique and d["name_en"].is_unique


def test_division_names_match_the_standard():
    d = ind.industries(INDUSTRIES_CSV).set_index("code")["name_zh"]
    assert d["13"] == "农副食品加工业"
    assert d["37"] == "交通运输设备制造业"
    assert d["40"] == "通信设备、计算机及其他电子设备制造业"
    # divisions whose name GB/T 4754-2011 kept under the same code
    n2011 = ind.names_2011_2digit(NAMES_2011_CSV).set_index("code")["name_zh"]
    for code in ("13", "14", "16", "17", "21", "27", "28"):
        assert d[code] == n2011[code], code


def test_every_division_has_4digit_children_in_the_nbs_list():
    children = set(ind.names_2002_4digit(NAMES_2002_CSV)["code"].str[:2])
    assert set(ind.MANUFACTURING_2002) <= children
    assert "38" not in children


def test_explicit_path(tmp_path):
    p = tmp_path / "x.csv"
    ind.industries(INDUSTRIES_CSV).head(3).to_csv(p, index=False)
    assert list(ind.industries(p)["code"]) == ["13", "14", "15"]


# --------------------------------------------------------------------------- vintages
@pytest.mark.parametrize(
    "year, vintage", [(1998, 1994), (2002, 1994), (2003, 2002), (2011, 2002), (2012, 2011), (2013, 2011)]
)
def test_industry_vintage(year, vintage):
    assert ind.industry_vintage(year) == vintage


def test_industry_vintage_rejects_non_integers():
    with pytest.raises(TypeError):
        ind.industry_vintage("2003")


# --------------------------------------------------------------------------- crosswalks
@pytest.mark.parametrize("vintage", [1994, 2002, 2011])
@pytest.mark.parametrize("level", [2, 3, 4])
def test_crosswalk_weights_sum_to_one_and_one_primary(vintage, level):
    c = ind.crosswalk(vintage, level=level, crosswalks=CW)
    assert list(c.columns) == ["from_code", "to_code", "weight", "rule", "primary"]
    assert c["from_code"].str.len().eq(level).all() and c["to_code"].str.len().eq(level).all()
    assert np.allclose(c.groupby("from_code")["weight"].sum(), 1.0)
    assert c.groupby("from_code")["primary"].sum().eq(1).all()
    assert not c.duplicated(["from_code", "to_code"]).any()
    # the primary target has the largest weight
    top = c.groupby("from_code")["weight"].transform("max")
    assert np.allclose(c.loc[c["primary"], "weight"], top[c["primary"]])


def test_crosswalk_2002_is_identity():
    c = ind.crosswalk(2002, level=4, crosswalks=CW)
    assert (c["from_code"] == c["to_code"]).all() and (c["rule"] == "identity").all()
    assert len(c) == len(ind.names_2002_4digit(NAMES_2002_CSV)["code"].unique())


def test_crosswalk_targets_are_real_2002_codes():
    codes = set(ind.names_2002_4digit(NAMES_2002_CSV)["code"])
    for v in (1994, 2011):
        assert set(ind.crosswalk(v, level=4, crosswalks=CW)["to_code"]) <= codes, v


def test_2011_to_2002_is_the_inverse_of_the_nbs_table():
    fwd = pd.read_csv(CROSSWALK_2011_CSV, dtype=str, keep_default_na=False)
    fwd = fwd[fwd["level"] == "S"]
    fwd_pairs = set(zip(fwd["from_code"], fwd["to_code"]))
    inv = ind.crosswalk(2011, level=4, crosswalks=CW)
    assert set(zip(inv["to_code"], inv["from_code"])) == fwd_pairs


def test_2011_split_inverse_weights():
    # 2011 1830 服饰制造 <- 2002 1830 制帽 (whole) and 1751, 1761, 1762, 1763 (each split 5-6 ways)
    c = ind.crosswalk(2011, level=4, crosswalks=CW).set_index(["from_code", "to_code"])["weight"]
    assert c[("1830", "1830")] == pytest.approx(1 / (1 + 1 / 6 + 3 / 5))
    assert _h("1830", 2012) == "18"


def test_1994_corrections_applied():
    c = ind.crosswalk(1994, level=4, crosswalks=CW)
    pairs = set(zip(c["from_code"], c["to_code"]))
    # 94 p.556: 4011 发电机制造业 -> 2002 3911 only; 94 p.557: 4111 传输设备制造业 -> 2002 4011
    assert ("4011", "4011") not in pairs and ("4011", "3911") in pairs
    assert ("4111", "4011") in pairs and ("4143", "4043") in pairs and ("4172", "4072") in pairs
    assert ("0412", "4072") not in pairs and ("3515", "3512") in pairs
    assert set(ind.crosswalk_corrections()["action"]) == {"drop", "add"}


def test_many_to_many_table_is_current():
    committed = pd.read_csv(MANY_TO_MANY_CSV, dtype=str, keep_default_na=False)
    fresh = ind.many_to_many(CW).astype(str).replace({"<NA>": ""})
    fresh["harmonised_division"] = fresh["harmonised_division"].replace({"nan": ""})
    pd.testing.assert_frame_equal(committed.reset_index(drop=True), fresh.reset_index(drop=True))


def test_the_source_tables_are_arguments(tmp_path):
    tables = ind.load_crosswalks(
        pd.read_csv(NAMES_2002_CSV, dtype=str),
        pd.read_csv(CROSSWALK_1994_CSV, dtype=str, keep_default_na=False),
        pd.read_csv(CROSSWALK_2011_CSV, dtype=str, keep_default_na=False),
    )
    for v in (1994, 2011):
        pd.testing.assert_frame_equal(
            ind.crosswalk(v, level=2, crosswalks=tables), ind.crosswalk(v, level=2, crosswalks=CW)
        )
    assert ind.write_many_to_many(tmp_path / "m.csv", CW).read_text(encoding="utf-8") == MANY_TO_MANY_CSV.read_text(
        encoding="utf-8"
    )
    for call in (lambda: ind.crosswalk(1994), ind.industries, ind.industry_classes, ind.many_to_many):
        with pytest.raises(TypeError):  # no default file in the library
            call()


def test_many_to_many_lists_only_split_codes():
    m = ind.many_to_many(CW)
    assert (m["n_targets"] > 1).all()
    assert {1994, 2011} == set(m["from_vintage"]) and {2, 4} == set(m["level"])
    # 1994 division 40 splits between 2002 35 and 39 and is listed
    assert {"35", "39"} <= set(m[(m["from_vintage"] == 1994) & (m["level"] == 2) & (m["from_code"] == "40")]["to_code"])


# --------------------------------------------------------------------------- harmonisation
@pytest.mark.parametrize(
    "code, year, expected",
    [
        # NBS 2011 vs 2002 table: 2011 36 汽车制造业 and 37 铁路、船舶、航空航天和其他运输设备制造业
        # both come from 2002 37 交通运输设备制造业
        ("36", 2012, "37"),
        ("37", 2012, "37"),
        ("3610", 2013, "37"),  # 2011 3610 汽车整车制造 <- 2002 3721 汽车整车制造
        ("3731", 2013, "37"),  # 2011 3731 金属船舶制造 <- 2002 3751 金属船舶制造
        # 2011 29 橡胶和塑料制品业 splits into 2002 29 橡胶制品业 and 30 塑料制品业 by 4-digit code
        ("2911", 2012, "29"),  # 2011 2911 轮胎制造 <- 2002 2911-2913 tyres
        ("2919", 2012, "29"),
        ("2921", 2012, "30"),  # 2011 2921 塑料薄膜制造 <- 2002 3010 塑料薄膜制造
        ("2929", 2012, "30"),
        ("29", 2012, "30"),  # 2 digits: 9 of 15 children are plastics
        ("38", 2012, "39"),  # 2011 38 电气机械和器材制造业 <- 2002 39
        ("42", 2012, "43"),  # 2011 42 废弃资源综合利用业 <- 2002 43
        # 1994 -> 2002: same numbers for 13-37
        ("37", 1999, "37"),
        ("17", 1998, "17"),
        # 1994 -> 2002: division number changed (94 p.555-559)
        ("39", 2000, "36"),  # 1994 39 武器弹药制造业 (3900) -> 2002 3663 武器弹药制造
        ("40", 2000, "39"),  # 1994 40 电气机械及器材制造业 -> 2002 39
        ("41", 2001, "40"),  # 1994 41 电子及通信设备制造业 -> 2002 40
        ("42", 2001, "41"),  # 1994 42 仪器仪表及文化、办公用机械制造业 -> 2002 41
        ("43", 2002, "42"),  # 1994 43 其他制造业 -> 2002 42 工艺品及其他制造业
        ("4011", 1998, "39"),  # 1994 4011 发电机制造业 -> 2002 3911
        ("4111", 1998, "40"),  # 1994 4111 传输设备制造业 -> 2002 4011 (corrected pair)
        ("4172", 1998, "40"),  # 1994 4172 收音机、录音机制造业 -> 2002 4072 (corrected pair)
        ("4091", 1998, "35"),  # 1994 4091 电焊机制造业 -> 2002 3524 (general machinery)
        ("6290", 1998, "43"),  # 1994 6290 -> 2002 4310/4320 废料加工处理 (2 of 3 targets)
        ("2673", 1998, "26"),  # tie 2002 2039 (20) / 2663 (26) -> the parent's division 26
        # 2002 codes in 2003-2011
        ("1711", 2005, "17"),
        ("4011", 2005, "40"),
    ],
)
def test_harmonise_known_cases(code, year, expected):
    assert _h(code, year) == expected


@pytest.mark.parametrize(
    "code, year",
    [
        ("06", 2005),  # 2002 06 煤炭开采和洗选业
        ("44", 2005),  # 2002 44 电力、热力的生产和供应业
        ("44", 2012),  # 2011 44 电力、热力生产和供应业
        ("0610", 2013),
        ("38", 2005),  # no division 38 in GB/T 4754-2002
        ("38", 1999),  # nor in GB/T 4754-1994
        ("1711", 1999),  # 1994 1711 轧花业 -> 2002 0512 农产品初加工服务: known, not manufacturing
        ("62", 1999),  # 1994 wholesale division -> 2002 63 批发业
        ("9999", 2005),
        ("12345", 2005),
        ("abc", 2005),
        (None, 2005),
    ],
)
def test_harmonise_non_manufacturing_and_unknown_is_na(code, year):
    assert pd.isna(_h(code, year))


def test_harmonise_unknown_4digit_falls_back_to_2digit():
    assert _h("1798", 2005) == "17"  # no 2002 class 1798; division 17 exists
    assert _h("4198", 1999) == "40"  # no 1994 class 4198; 1994 41 -> 2002 40


def test_harmonise_accepts_messy_input_and_keeps_index():
    codes = pd.Series([1711, "1711.0", " 1711 ", 1711.0, np.nan, "17"], index=[10, 11, 12, 13, 14, 15])
    out = ind.harmonise_industry_codes(codes, 2005, crosswalks=CW)
    assert out.dtype == "string"
    assert list(out.index) == [10, 11, 12, 13, 14, 15]
    assert list(out.iloc[:4]) == ["17"] * 4 and pd.isna(out.iloc[4]) and out.iloc[5] == "17"


def test_harmonise_uses_the_vintage_of_each_year():
    codes = pd.Series(["4011", "4011", "4011", "3610", "3610"])
    years = pd.Series([2002, 2003, 2012, 2011, 2012])
    # 1994 4011 发电机 -> 39; 2002 4011 通信传输设备 -> 40; 2011 4011 工业自动控制 (仪器仪表) -> 41;
    # 2002 3610 is not a class (falls back to 36); 2011 3610 汽车整车制造 -> 37
    assert list(ind.harmonise_industry_codes(codes, years, crosswalks=CW)) == ["39", "40", "41", "36", "37"]
    assert pd.isna(ind.harmonise_industry_codes(pd.Series(["13"]), pd.Series([np.nan]), crosswalks=CW).iloc[0])


def test_harmonise_int_year_equals_series_year():
    codes = pd.Series(["1310", "29", "4111", "0412"])
    a = ind.harmonise_industry_codes(codes, 1999, crosswalks=CW)
    b = ind.harmonise_industry_codes(codes, pd.Series([1999] * 4), crosswalks=CW)
    pd.testing.assert_series_equal(a, b)


def test_harmonise_rejects_other_targets_and_bad_lengths():
    with pytest.raises(ValueError):
        ind.harmonise_industry_codes(pd.Series(["13"]), 2005, target_vintage=2011, crosswalks=CW)
    with pytest.raises(ValueError):
        ind.harmonise_industry_codes(pd.Series(["13", "14"]), pd.Series([2005]), crosswalks=CW)
    with pytest.raises(ValueError):
        ind.crosswalk(2011, to_vintage=2011, crosswalks=CW)
    with pytest.raises(ValueError):
        ind.crosswalk(1987, crosswalks=CW)


@pytest.mark.parametrize("vintage, year", [(1994, 1999), (2011, 2013)])
def test_every_2002_division_is_reachable(vintage, year):
    codes = ind.crosswalk(vintage, level=4, crosswalks=CW)["from_code"].drop_duplicates()
    got = set(ind.harmonise_industry_codes(codes, year, crosswalks=CW).dropna())
    assert got == set(ind.MANUFACTURING_2002)


# --------------------------------------------------------------------------- classes
def test_classes_cover_all_divisions_with_sources():
    c = ind.industry_classes(CLASSES_CSV)
    assert list(c["code"]) == list(ind.industries(INDUSTRIES_CSV)["code"])
    assert set(c["factor_intensity"]) == set(ind.FACTOR_CLASSES)
    assert c["port_type"].dtype == bool and c["urban_type"].dtype == bool
    for col in ("source_factor_intensity", "source_port_type", "source_urban_type"):
        assert c[col].str.strip().str.len().gt(20).all(), col
    # a project-own assignment must say so
    own = c["factor_intensity"] != "technology"
    assert c.loc[own, "source_factor_intensity"].str.startswith("project rule").all()
    assert c["source_port_type"].str.startswith("project rule").all()


def test_factor_intensity_follows_the_documented_rule():
    c = ind.industry_classes(CLASSES_CSV).set_index("code")["factor_intensity"]
    pd.testing.assert_series_equal(c, ind.factor_intensity_rule(ISIC3_CSV).reindex(c.index), check_names=False)


def test_class_assignments():
    c = ind.industry_classes(CLASSES_CSV).set_index("code")
    # OECD high-technology: pharmaceuticals (ISIC 2423), radio/TV/communication (32), instruments (33)
    assert (c.loc[["27", "40", "41"], "factor_intensity"] == "technology").all()
    assert (c.loc[["18", "19", "24"], "factor_intensity"] == "labour").all()
    assert (c.loc[["25", "32", "33"], "factor_intensity"] == "capital").all()
    assert set(c.index[c["port_type"]]) == {"25", "26", "32", "37"}
    assert c.loc[["18", "23", "42"], "urban_type"].all()
    assert not c.loc[["25", "26", "32"], "urban_type"].any()


@pytest.mark.parametrize(
    "isic, group",
    [
        ("2423", "high"),
        ("3530", "high"),
        ("3000", "high"),
        ("2411", "medium_high"),
        ("3520", "medium_high"),
        ("3511", "medium_low"),
        ("2720", "medium_low"),
        ("1541", "low"),
        ("3720", "low"),
        ("4010", None),
    ],
)
def test_oecd_technology_group(isic, group):
    assert ind.oecd_technology_group(isic) == group


def test_industry_classes_rejects_bad_flags(tmp_path):
    c = pd.read_csv(CLASSES_CSV, dtype=str, keep_default_na=False)
    c.loc[0, "port_type"] = "yes"
    p = tmp_path / "classes.csv"
    c.to_csv(p, index=False)
    with pytest.raises(ValueError, match="port_type"):
        ind.industry_classes(p)


def test_relocation_class_precedence():
    from yrd.industry import RELOCATION_CLASSES, relocation_class

    r = relocation_class(ind.industry_classes(CLASSES_CSV))
    assert len(r) == 30 and set(r) == set(RELOCATION_CLASSES)
    assert r["26"] == "port"  # chemicals: technology-intensive AND port-type -> port first
    assert r["40"] == "technology"  # electronics: technology AND urban-type -> technology
    assert r["18"] == "urban"  # garments: labour AND urban-type -> urban
    assert r["17"] == "labour" and r["31"] == "capital"
