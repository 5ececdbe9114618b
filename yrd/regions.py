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

Region groups: Shanghai; Sunan (苏南: Nanjing, Zhenjiang, Changzhou, Wuxi, Suzhou); the rest of
Jiangsu; Zhejiang; Anhui.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from yrd.geography import place_stem

#: The prefecture table as a path (``resources/regions/prefectures.csv``) or as read by :func:`prefectures`.
Prefectures = str | Path | pd.DataFrame

REGION_SETS = ("yrd16_2003", "yrd41_2019")

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
