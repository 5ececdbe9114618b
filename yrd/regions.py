"""Region sets and region groups of the Yangtze River Delta.

Region sets (the table ``resources/regions/prefectures.csv``, sources in ``resources/README.md``;
every function takes it as an argument, its path or the table :func:`prefectures` read, and the
rules declare it as an input):

* ``yrd16_2003``: the 16 cities of the Yangtze River Delta Urban Economic Coordination
  Commission (长江三角洲城市经济协调会) after Taizhou (Zhejiang) joined in 2003: Shanghai; Nanjing,
  Suzhou, Wuxi, Changzhou, Zhenjiang, Yangzhou, Taizhou (Jiangsu), Nantong; Hangzhou, Ningbo,
  Jiaxing, Huzhou, Shaoxing, Zhoushan, Taizhou (Zhejiang). The delta of the paper.
* ``yrd41_2019``: the whole of Shanghai, Jiangsu, Zhejiang and Anhui (41 prefecture-level
  cities), the scope of the State Council's 2019 Outline of the YRD Integrated Development Plan
  (长江三角洲区域一体化发展规划纲要).

National region sets (a study area of all of China, ``geography.study_area: china``; members are
the prefectures of the boundaries table, ``geography/boundaries_prefecture.parquet``, whose codes'
first two digits give the province):

* ``china``: every prefecture of the boundaries (the provinces of ``geography.provinces``);
* ``province_11`` ... ``province_65``: one province each;
* ``china_east``, ``china_central``, ``china_west``, ``china_northeast``: the four macro-regions
  of the National Bureau of Statistics (国家统计局, 东西中部和东北地区划分方法, 2011-06-13):
  east 北京 天津 河北 上海 江苏 浙江 福建 山东 广东 海南; central 山西 安徽 江西 河南 湖北 湖南;
  west 内蒙古 广西 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆; northeast 辽宁 吉林 黑龙江.

``sunan`` (苏南: Nanjing, Zhenjiang, Changzhou, Wuxi, Suzhou) is a region set too, from the YRD table.

Region groups: Shanghai; Sunan (苏南: Nanjing, Zhenjiang, Changzhou, Wuxi, Suzhou); the rest of
Jiangsu; Zhejiang; Anhui.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from yrd.geography import place_stem

#: The 31 provincial-level units of mainland China (2-digit prefixes of the area codes).
MAINLAND_PROVINCES = (
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
)  # fmt: skip

#: Chinese and English names of the provinces (labels of outside nodes).
PROVINCE_NAMES = {
    "11": ("北京", "Beijing"), "12": ("天津", "Tianjin"), "13": ("河北", "Hebei"), "14": ("山西", "Shanxi"),
    "15": ("内蒙古", "Inner Mongolia"), "21": ("辽宁", "Liaoning"), "22": ("吉林", "Jilin"),
    "23": ("黑龙江", "Heilongjiang"), "31": ("上海", "Shanghai"), "32": ("江苏", "Jiangsu"),
    "33": ("浙江", "Zhejiang"), "34": ("安徽", "Anhui"), "35": ("福建", "Fujian"), "36": ("江西", "Jiangxi"),
    "37": ("山东", "Shandong"), "41": ("河南", "Henan"), "42": ("湖北", "Hubei"), "43": ("湖南", "Hunan"),
    "44": ("广东", "Guangdong"), "45": ("广西", "Guangxi"), "46": ("海南", "Hainan"), "50": ("重庆", "Chongqing"),
    "51": ("四川", "Sichuan"), "52": ("贵州", "Guizhou"), "53": ("云南", "Yunnan"), "54": ("西藏", "Tibet"),
    "61": ("陕西", "Shaanxi"), "62": ("甘肃", "Gansu"), "63": ("青海", "Qinghai"), "64": ("宁夏", "Ningxia"),
    "65": ("新疆", "Xinjiang"),
}  # fmt: skip

#: The prefecture table as a path (``resources/regions/prefectures.csv``) or as read by :func:`prefectures`.
Prefectures = str | Path | pd.DataFrame

REGION_SETS = ("yrd16_2003", "yrd41_2019")

#: The NBS macro-regions (2011) by 2-digit province code.
MACRO_REGIONS = {
    "china_east": ("11", "12", "13", "31", "32", "33", "35", "37", "44", "46"),
    "china_central": ("14", "34", "36", "41", "42", "43"),
    "china_west": ("15", "45", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"),
    "china_northeast": ("21", "22", "23"),
}

#: Region sets of a national study area (members from the boundaries, not the YRD table).
NATIONAL_REGION_SETS = ("china", *MACRO_REGIONS)

#: One province each (``province_32``: Jiangsu), members from the boundaries by code prefix.
PROVINCE_SETS = tuple(f"province_{p}" for p in sorted(p for ps in MACRO_REGIONS.values() for p in ps))

#: Every region set the analysis can run on (``geography.region_set``, ``flows.region_set``):
#: the YRD table's sets and Sunan (its group ``sunan``), the national sets and the provinces.
ALL_REGION_SETS = (*REGION_SETS, "sunan", *NATIONAL_REGION_SETS, *PROVINCE_SETS)

#: Chinese and English names of the region sets (titles of maps and tables).
REGION_SET_LABELS = {
    "yrd16_2003": ("长三角2003年16城", "the 16 YRD cities of 2003"),
    "yrd41_2019": ("长三角41城（2019）", "the 41 YRD cities (2019)"),
    "china": ("全国", "all of China"),
    "china_east": ("东部地区", "eastern China"),
    "china_central": ("中部地区", "central China"),
    "china_west": ("西部地区", "western China"),
    "china_northeast": ("东北地区", "northeastern China"),
    "sunan": ("苏南五市", "Sunan's five cities"),
}

#: Region groups in display order with Chinese and English labels.
GROUPS = pd.DataFrame(
    {
        "group": ["shanghai", "sunan", "rest_of_jiangsu", "zhejiang", "anhui"],
        "label_zh": ["上海", "苏南", "江苏其他", "浙江", "安徽"],
        "label_en": ["Shanghai", "Sunan", "Rest of Jiangsu", "Zhejiang", "Anhui"],
    }
)

#: Polyphonic characters that pypinyin reads wrongly in YRD place names.
_PINYIN_OVERRIDES = {
    "长宁": "Changning",
    "长丰": "Changfeng",
    "闵行": "Minhang",
    "盐都": "Yandu",
    "蚌山": "Bengshan",
    "天长": "Tianchang",
}
_SUFFIXES = ("畲族自治县", "自治县", "新区", "市", "区", "县")


def prefectures(path: Prefectures) -> pd.DataFrame:
    """All 41 prefecture-level units of the four YRD provinces (vintage 2021) with columns
    ``code``, ``name_zh``, ``name_pinyin``, ``province_code``, ``group``, ``yrd16_2003``,
    ``yrd41_2019``, read from ``path`` (``resources/regions/prefectures.csv``; a table already
    read by this function is returned as it is)."""
    if isinstance(path, pd.DataFrame):
        return path
    d = pd.read_csv(path, dtype={"code": str, "province_code": str})
    for col in REGION_SETS:
        d[col] = d[col].astype(bool)
    return d


def region_set(name: str, path: Prefectures) -> pd.DataFrame:
    """Prefectures belonging to region set ``name`` (one of :data:`REGION_SETS`) in the prefecture
    table ``path`` (:func:`prefectures`)."""
    if name not in REGION_SETS:
        raise ValueError(f"unknown region set {name!r}; expected one of {REGION_SETS}")
    d = prefectures(path)
    return d[d[name]].reset_index(drop=True)


def region_set_codes(name: str, codes: Iterable[str], path: Prefectures) -> list[str]:
    """Sorted prefecture codes of region set ``name`` (one of :data:`ALL_REGION_SETS`).

    ``codes``: the prefectures of the run's boundaries (``geography/boundaries_prefecture.parquet``).
    A YRD set (:data:`REGION_SETS`) is read from the prefecture table ``path``, exactly as
    :func:`region_set` does, so YRD studies keep their members whatever the boundaries hold, and
    ``sunan`` is its group ``sunan``; a national set or a province (:data:`PROVINCE_SETS`) is the
    ``codes`` whose province (first two digits) is in it (all of them for ``china``). Raises ``ValueError`` for an unknown name, and for a national set none of whose
    provinces has boundaries."""
    if name in REGION_SETS:
        return sorted(region_set(name, path)["code"].astype(str))
    if name == "sunan":
        d = prefectures(path)
        return sorted(d.loc[d["group"] == "sunan", "code"].astype(str))
    if name not in ALL_REGION_SETS:
        raise ValueError(f"unknown region set {name!r}; expected one of {ALL_REGION_SETS}")
    codes = sorted({str(c) for c in codes})
    if name != "china":
        provinces = {name.removeprefix("province_")} if name in PROVINCE_SETS else set(MACRO_REGIONS[name])
        codes = [c for c in codes if c[:2] in provinces]
    if not codes:
        raise ValueError(f"region set {name!r} has no prefecture in the boundaries (geography.provinces)")
    return codes


def region_set_label(name: str) -> tuple[str, str]:
    """Chinese and English name of region set ``name`` (:data:`REGION_SET_LABELS`; a province
    set by its province's name)."""
    if name in PROVINCE_SETS:
        return PROVINCE_NAMES[name.removeprefix("province_")]
    return REGION_SET_LABELS[name]


def macro_region(prefecture_codes: pd.Series) -> pd.Series:
    """NBS macro-region (``china_east`` ...; :data:`MACRO_REGIONS`) of each prefecture code, from
    its first two digits; ``<NA>`` for codes of no mainland province."""
    lookup = {p: name for name, provinces in MACRO_REGIONS.items() for p in provinces}
    return prefecture_codes.astype("string").str[:2].map(lookup).astype("string")


def region_group(prefecture_codes: pd.Series, path: Prefectures) -> pd.Series:
    """Group (``shanghai``, ``sunan``, ``rest_of_jiangsu``, ``zhejiang``, ``anhui``) of each
    prefecture code in the prefecture table ``path`` (:func:`prefectures`); ``<NA>`` outside the
    four provinces."""
    lookup = prefectures(path).set_index("code")["group"]
    return prefecture_codes.astype("string").map(lookup).astype("string")


def pinyin_name(name_zh: str) -> str:
    """Pinyin of a place name without its unit suffix, e.g. ``南京市`` -> ``Nanjing``,
    ``景宁畲族自治县`` -> ``Jingning``, ``六安市`` -> ``Lu'an``, ``长宁区`` -> ``Changning``
    (polyphones that pypinyin misreads in YRD names are fixed by a small override table)."""
    from pypinyin import lazy_pinyin

    stem = place_stem(name_zh, _SUFFIXES)
    if stem in _PINYIN_OVERRIDES:
        return _PINYIN_OVERRIDES[stem]
    sylls = lazy_pinyin(stem)
    # Syllables starting with a, o or e after the first take an apostrophe (Xi'an, Lu'an).
    word = sylls[0] + "".join("'" + s if s[:1] in "aoe" else s for s in sylls[1:])
    return word.capitalize()


def codes_in_set(prefectures: pd.DataFrame, region_set: str) -> list[str]:
    """Prefecture codes of ``region_set`` in the boundaries table ``prefectures``: a YRD set's
    boolean column, Sunan's group, or a national or province set's members by province
    (:func:`region_set_codes`)."""
    return region_set_codes(region_set, prefectures["code"], prefectures)


def mapping_of(prefectures: pd.DataFrame, column: str) -> dict[str, str]:
    """``code -> column`` of the boundaries table ``prefectures``, both as text."""
    return dict(zip(prefectures["code"].astype(str), prefectures[column].astype(str), strict=True))
