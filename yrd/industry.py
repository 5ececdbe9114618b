"""GB/T 4754 industry codes: the 2002 divisions, crosswalks to the 2002 vintage, industry classes.

China's industrial classification (国民经济行业分类, GB/T 4754) changed twice during the Annual
Survey of Industrial Firms (ASIF): firm records carry GB/T 4754-1994 codes before 2003,
GB/T 4754-2002 codes in 2003-2011 and GB/T 4754-2011 codes from 2012 (see
:func:`industry_vintage`). Every industry statistic of the pipeline is computed on the 30
two-digit manufacturing divisions (大类) of GB/T 4754-2002 (codes 13-43; 2002 has no 38).

Sources (copied unchanged to ``resources/industry/``, provenance in its ``README.md``):

* crosswalks at four digits from github.com/robin621/gbcrosswalk (MIT, commit 58869bf):
  ``gbcrosswalk_gb_1994_2002.csv`` (built from the NBS 1994/2002 对照表) and
  ``gbcrosswalk_gb_2002_2011.csv`` (built from the NBS table 国民经济行业分类新旧类目对照表,
  GB/T 4754-2011 vs 2002), ``gbcrosswalk_gb_2002_isic3.csv`` (GB/T 4754-2002 -> ISIC Rev.3);
* the 2002 four-digit names and the 2011 two-digit names extracted from the NBS table.

Crosswalk rules (documented choices)
------------------------------------
Only the four-digit (小类) pairs of a source are used; coarser levels are derived from them.

* 1994 -> 2002: a 1994 class mapped to ``n`` 2002 classes gives each weight ``1/n``
  (``rule == "split_equal"``; ``"unique"`` when ``n == 1``). Eight pairs of the gbcrosswalk
  file are replaced first (:func:`crosswalk_corrections`): its source table carries
  electrical-machinery codes (1994 4011, 4012, 4013, 4043) and a truncated code (``412``)
  where GB/T 4754-1994 has the electronics classes 4111, 4112, 4113, 4143 and 4172, and a
  2002 code 3515 that does not exist in GB/T 4754-2002 (1994 3515 内燃机零部件及配件制造业 ->
  2002 3512 内燃机及配件制造).
* 2011 -> 2002: the inverse of the 2002 -> 2011 table. Each 2002 class is assumed to split
  equally over its ``k`` 2011 classes, so a 2011 class ``t`` fed by 2002 classes ``s`` gets
  weights ``(1/k_s) / sum(1/k_s')`` (``"split_inverse"``): a 2002 class that moved whole into
  ``t`` weighs more than one of which ``t`` received a fifth.
* 2002 -> 2002: identity over the 2002 codes of the NBS name list.
* Two- and three-digit levels: a source code's weight on a target code is the mean over the
  source code's four-digit children (equal weight per child) of the children's weights on
  that target (``"children_share"``; ``"unique"`` if all children go to one target).
* Deterministic single assignment (``primary``): for each source code the target with the
  largest weight, ties to the lowest target code. :func:`harmonise_industry_codes` applies
  the same rule to the weights summed by 2002 division. With no split children this is the
  rule "the 2002 division receiving most of the source division's four-digit children".
  A tie between divisions for a three- or four-digit code goes to the division of the
  code's two-digit parent if that is among the tied (1994 2673 -> 2002 2039 / 2663 gives
  26 as 1994 26 does), else to the lowest code.

Every source code with more than one target is listed by :func:`many_to_many` (committed as
``resources/industry/many_to_many.csv``) with the division it is harmonised to.

Industry classes (``resources/industry/classes.csv``, sources in each row)
-------------------------------------------------------------------------
* ``factor_intensity``: ``technology`` if at least half of the division's four-digit classes
  (equal weights, a class mapped to several ISIC classes split equally) map to ISIC Rev.3
  industries that the OECD classifies as high- or medium-high-technology (OECD STI
  Scoreboard, ISIC Rev.3 technology-intensity definition; Hatzichronoglou 1997); otherwise
  ``capital`` if at least half map to the bulk-material process industries ISIC Rev.3 16,
  21, 23, 26, 27 (tobacco, pulp and paper, coke and refined petroleum, non-metallic mineral
  products, basic metals) - a project rule, not a published classification; otherwise
  ``labour``. :func:`factor_intensity_rule` recomputes it and a test keeps the table equal.
* ``port_type`` (港口型), a project rule: divisions whose main inputs are bulk cargo landed
  by sea or the Yangtze (crude oil: 25, 26; iron ore and coking coal: 32) and 37 for
  shipbuilding; supporting evidence (YRD ports symposium 2006, Fujian's 2006 临港 industry
  list) in ``resources/industry/README.md``.
* ``urban_type`` (都市型工业): the industries named by the Shanghai Economic Commission's 1998
  《都市型工业园区、楼宇认定标准》 (clothing, food manufacturing, printing and packaging, arts and
  crafts, tourist and fitness goods, watches and glasses, electronic assembly), mapped by the
  project to 14, 18, 23, 24, 40, 41, 42.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

INDUSTRY_DIR = Path(__file__).resolve().parents[1] / "resources" / "industry"
INDUSTRIES_CSV = INDUSTRY_DIR / "gb2002_2digit.csv"
CLASSES_CSV = INDUSTRY_DIR / "classes.csv"
MANY_TO_MANY_CSV = INDUSTRY_DIR / "many_to_many.csv"
NAMES_2002_CSV = INDUSTRY_DIR / "GB4754_2002_4digit_names_from_NBS_xls.csv"
NAMES_2011_CSV = INDUSTRY_DIR / "GB4754_2011_2digit_from_NBS_xls.csv"
ISIC3_CSV = INDUSTRY_DIR / "gbcrosswalk_gb_2002_isic3.csv"
_CROSSWALK_CSV = {
    1994: INDUSTRY_DIR / "gbcrosswalk_gb_1994_2002.csv",
    2011: INDUSTRY_DIR / "gbcrosswalk_gb_2002_2011.csv",
}

VINTAGES = (1994, 2002, 2011)
TARGET_VINTAGE = 2002
#: The 30 manufacturing divisions of GB/T 4754-2002 (no 38).
MANUFACTURING_2002 = tuple(str(c) for c in range(13, 44) if c != 38)
FACTOR_CLASSES = ("labour", "capital", "technology")

#: Corrections of the gbcrosswalk 1994 -> 2002 four-digit pairs: (1994 code, 2002 code,
#: action, evidence). Evidence: the scanned GB/T 4754-1994 in the same gbcrosswalk
#: repository (inst/raw-crosswalks/GB_T_4754_1994.pdf, printed pp. 550, 556-558) and the
#: 2002 names of the NBS table.
_CORRECTIONS_1994_2002: tuple[tuple[str, str, str, str], ...] = tuple(
    (f, t, a, e)
    for pairs, e in (
        (
            [("4011", "4011", "drop"), ("4111", "4011", "add")],
            "GB/T 4754-1994: 4011 is 发电机制造业 (division 40); 2002 4011 通信传输设备制造 comes "
            "from 1994 4111 传输设备制造业",
        ),
        (
            [("4012", "4012", "drop"), ("4112", "4012", "add")],
            "GB/T 4754-1994: 4012 is 电动机制造业; 2002 4012 通信交换设备制造 comes from 1994 4112 "
            "交换设备制造业",
        ),
        (
            [("4013", "4013", "drop"), ("4013", "4014", "drop"), ("4113", "4013", "add"),
             ("4113", "4014", "add")],
            "GB/T 4754-1994: 4013 is 微电机制造业; 2002 4013 通信终端设备制造 and 4014 移动通信及终端"
            "设备制造 come from 1994 4113 通信终端设备制造业",
        ),
        (
            [("4043", "4042", "drop"), ("4043", "4043", "drop"), ("4143", "4042", "add"),
             ("4143", "4043", "add")],
            "GB/T 4754-1994: 4043 is 绝缘制品业; 2002 4042 计算机网络设备制造 and 4043 电子计算机外部"
            "设备制造 come from 1994 4143 电子计算机外部设备制造业",
        ),
        (
            [("0412", "4072", "drop"), ("4172", "4072", "add")],
            "source row '4072,412' is truncated; GB/T 4754-1994 4172 is 收音机、录音机制造业, the "
            "origin of 2002 4072 家用音响设备制造",
        ),
        (
            [("3515", "3515", "drop"), ("3515", "3512", "add")],
            "2002 has no code 3515; GB/T 4754-1994 3515 is 内燃机零部件及配件制造业, which is 2002 "
            "3512 内燃机及配件制造 (inferred from the names)",
        ),
    )
    for f, t, a in pairs
)

# OECD technology intensity of manufacturing, ISIC Rev.3 (STI Scoreboard 2001-2011 annex;
# Hatzichronoglou 1997, OECD STI Working Paper 1997/2). Keys are ISIC Rev.3 prefixes, longest
# prefix wins.
_OECD_ISIC3 = {
    "2423": "high", "30": "high", "32": "high", "33": "high", "353": "high",
    "24": "medium_high", "29": "medium_high", "31": "medium_high", "34": "medium_high",
    "352": "medium_high", "359": "medium_high",
    "23": "medium_low", "25": "medium_low", "26": "medium_low", "27": "medium_low",
    "28": "medium_low", "351": "medium_low",
    **{str(d): "low" for d in range(15, 23)}, "36": "low", "37": "low",
}
#: ISIC Rev.3 divisions of the project's "capital" rule: tobacco, pulp and paper, coke and
#: refined petroleum, non-metallic mineral products, basic metals.
CAPITAL_ISIC3_DIVISIONS = ("16", "21", "23", "26", "27")


# --------------------------------------------------------------------------- reference tables
def industries(path: str | Path | None = None) -> pd.DataFrame:
    """The 30 two-digit manufacturing divisions of GB/T 4754-2002.

    Columns: ``code`` (two-character string, "13" .. "43", no "38"), ``name_zh`` (official
    name in the standard), ``name_en`` (English name used by the NBS in the China Statistical
    Yearbook), ``name_short_zh`` and ``name_short_en`` (figure labels, <= 12 and <= 22
    characters). Default file: ``resources/industry/gb2002_2digit.csv``.
    """
    return pd.read_csv(path or INDUSTRIES_CSV, dtype=str, keep_default_na=False)


def industry_classes(path: str | Path | None = None) -> pd.DataFrame:
    """Classes of each 2002 division: ``code``, ``factor_intensity`` (labour / capital /
    technology), ``port_type`` and ``urban_type`` (bool) and a ``source_*`` column citing the
    source or stating the project rule of each assignment (module docstring and
    ``resources/industry/README.md``). Default file: ``resources/industry/classes.csv``."""
    d = pd.read_csv(path or CLASSES_CSV, dtype=str, keep_default_na=False)
    for col in ("port_type", "urban_type"):
        flag = d[col].str.strip().str.lower().map({"true": True, "false": False})
        if flag.isna().any():
            raise ValueError(f"{col} must be True or False, got {sorted(set(d.loc[flag.isna(), col]))}")
        d[col] = flag.astype(bool)
    return d


def industry_vintage(year: int) -> int:
    """GB/T 4754 vintage of the industry codes in records of ``year``.

    ASIF and NBS practice: GB/T 4754-1994 up to 2002, GB/T 4754-2002 in 2003-2011 and
    GB/T 4754-2011 from 2012. Caveat: years before the 1994 standard came into use (GB
    4754-1984) and statistics from 2018 on (GB/T 4754-2017) are not distinguished; records
    of those years must be recoded before they reach this module.
    """
    if isinstance(year, bool) or not isinstance(year, (int, np.integer)):
        raise TypeError(f"year must be an integer, got {year!r}")
    if year <= 2002:
        return 1994
    if year <= 2011:
        return 2002
    return 2011


def crosswalk_corrections() -> pd.DataFrame:
    """The corrections applied to the gbcrosswalk 1994 -> 2002 four-digit pairs, with the
    evidence for each (columns ``from_code``, ``to_code``, ``action`` (drop / add),
    ``evidence``)."""
    return pd.DataFrame(list(_CORRECTIONS_1994_2002), columns=["from_code", "to_code", "action", "evidence"])


@lru_cache(maxsize=None)
def _codes_2002() -> tuple[str, ...]:
    """All four-digit codes of GB/T 4754-2002 (the NBS name list, all sections)."""
    n = pd.read_csv(NAMES_2002_CSV, dtype=str)
    return tuple(sorted(set(n["c2002"].str.strip())))


def names_2002_4digit() -> pd.DataFrame:
    """Four-digit GB/T 4754-2002 codes with names (``code``, ``name_zh``), duplicates removed."""
    n = pd.read_csv(NAMES_2002_CSV, dtype=str)
    n = pd.DataFrame({"code": n["c2002"].str.strip(), "name_zh": n["n2002"].str.strip()})
    return n.drop_duplicates().sort_values("code").reset_index(drop=True)


def names_2011_2digit() -> pd.DataFrame:
    """Two-digit GB/T 4754-2011 divisions with names (``code``, ``name_zh``)."""
    n = pd.read_csv(NAMES_2011_CSV, dtype=str)
    return pd.DataFrame({"code": n["c2011"].str.strip(), "name_zh": n["n2011"].str.strip()})


# --------------------------------------------------------------------------- crosswalks
def _read_pairs(path: Path) -> pd.DataFrame:
    d = pd.read_csv(path, dtype=str, keep_default_na=False)
    d = d[(d["level"] == "S") & (d["from_code"].str.len() == 4) & (d["to_code"].str.len() == 4)]
    return d[["from_code", "to_code"]].drop_duplicates().reset_index(drop=True)


@lru_cache(maxsize=None)
def _pairs4(from_vintage: int) -> pd.DataFrame:
    """Four-digit pairs ``from_code`` (from_vintage) -> ``to_code`` (2002) with ``weight`` and
    ``rule``, after corrections."""
    if from_vintage == 2002:
        codes = list(_codes_2002())
        return pd.DataFrame({"from_code": codes, "to_code": codes, "weight": 1.0, "rule": "identity"})
    if from_vintage == 1994:
        p = _read_pairs(_CROSSWALK_CSV[1994])
        c = crosswalk_corrections()
        drop = c[c["action"] == "drop"][["from_code", "to_code"]]
        p = p.merge(drop, how="left", indicator=True)
        p = p[p["_merge"] == "left_only"].drop(columns="_merge")
        p = pd.concat([p, c[c["action"] == "add"][["from_code", "to_code"]]], ignore_index=True)
        p = p.drop_duplicates().reset_index(drop=True)
        n = p.groupby("from_code")["to_code"].transform("size")
        p["weight"] = 1.0 / n
        p["rule"] = np.where(n > 1, "split_equal", "unique")
        return p.sort_values(["from_code", "to_code"], ignore_index=True)
    if from_vintage == 2011:
        fwd = _read_pairs(_CROSSWALK_CSV[2011])  # 2002 -> 2011
        fwd["share"] = 1.0 / fwd.groupby("from_code")["to_code"].transform("size")
        p = fwd.rename(columns={"from_code": "to_code", "to_code": "from_code"})
        p["weight"] = p["share"] / p.groupby("from_code")["share"].transform("sum")
        n = p.groupby("from_code")["to_code"].transform("size")
        p["rule"] = np.where(n > 1, "split_inverse", "unique")
        return p[["from_code", "to_code", "weight", "rule"]].sort_values(
            ["from_code", "to_code"], ignore_index=True
        )
    raise ValueError(f"from_vintage must be one of {VINTAGES}, got {from_vintage!r}")


def _mark_primary(d: pd.DataFrame, key: str = "from_code", target: str = "to_code") -> pd.Series:
    """True on the row of largest weight per ``key`` (ties: lowest ``target``)."""
    order = d.assign(_w=-d["weight"].round(12)).sort_values([key, "_w", target])
    first = ~order.duplicated(key)
    return first.reindex(d.index)


def _aggregate(p4: pd.DataFrame, level: int, to_level: int | None = None) -> pd.DataFrame:
    """Weights of ``level``-digit source codes on ``to_level``-digit targets: the mean over
    each source code's four-digit children of the children's weights."""
    to_level = level if to_level is None else to_level
    d = pd.DataFrame(
        {
            "from_code": p4["from_code"].str[:level],
            "child": p4["from_code"],
            "to_code": p4["to_code"].str[:to_level],
            "weight": p4["weight"],
        }
    )
    n_children = d.groupby("from_code")["child"].nunique()
    w = d.groupby(["from_code", "to_code"], as_index=False)["weight"].sum()
    w["weight"] = w["weight"] / w["from_code"].map(n_children)
    return w


def crosswalk(from_vintage: int, to_vintage: int = TARGET_VINTAGE, level: int = 2) -> pd.DataFrame:
    """Tidy crosswalk from GB/T 4754-``from_vintage`` to GB/T 4754-2002 at ``level`` digits.

    Parameters
    ----------
    from_vintage : 1994, 2002 (identity) or 2011.
    to_vintage : only 2002 is supported.
    level : 2 (divisions), 3 (groups) or 4 (classes); source and target codes have this
        many digits.

    Returns
    -------
    DataFrame with ``from_code``, ``to_code``, ``weight`` (the weights of a source code sum
    to 1), ``rule`` (``identity``, ``unique``, ``split_equal``, ``split_inverse`` at four
    digits; ``unique`` or ``children_share`` above) and ``primary`` (the deterministic single
    assignment: largest weight, ties to the lowest code). Rules: module docstring.

    Covers all sections of the classification, not only manufacturing, so that a
    manufacturing code of one vintage that became, e.g., an agricultural service (1994 1711
    轧花业 -> 2002 0512 农产品初加工服务) is visible.
    """
    if to_vintage != TARGET_VINTAGE:
        raise ValueError(f"only to_vintage={TARGET_VINTAGE} is supported, got {to_vintage!r}")
    if level not in (2, 3, 4):
        raise ValueError(f"level must be 2, 3 or 4, got {level!r}")
    p4 = _pairs4(from_vintage)
    if level == 4:
        out = p4.copy()
    else:
        out = _aggregate(p4, level)
        if from_vintage == TARGET_VINTAGE:
            out["rule"] = "identity"
        else:
            n = out.groupby("from_code")["to_code"].transform("size")
            out["rule"] = np.where(n > 1, "children_share", "unique")
    out = out.sort_values(["from_code", "to_code"], ignore_index=True)
    out["primary"] = _mark_primary(out)
    return out[["from_code", "to_code", "weight", "rule", "primary"]]


@lru_cache(maxsize=None)
def _division_lookup(from_vintage: int, level: int) -> dict[str, str]:
    """``level``-digit source code -> primary 2002 division (two digits, any section).

    Largest weight summed by 2002 division; a tie at three or four digits goes to the
    division of the code's two-digit parent if that is among the tied, else to the lowest."""
    w = _aggregate(_pairs4(from_vintage), level, to_level=2)
    if level > 2:
        parent = w["from_code"].str[:2].map(_division_lookup(from_vintage, 2))
        top = w["weight"].round(12) == w.groupby("from_code")["weight"].transform("max").round(12)
        # nudge the tied target equal to the parent's division ahead of the other tied ones
        w = w.assign(weight=w["weight"] + (top & (w["to_code"] == parent)) * 1e-9)
    w = w[_mark_primary(w)]
    return dict(zip(w["from_code"], w["to_code"]))


def many_to_many() -> pd.DataFrame:
    """Every source code (1994 and 2011, at four and two digits) with more than one 2002
    target, for auditing the many-to-many rule.

    Columns: ``from_vintage``, ``level``, ``from_code``, ``to_code``, ``weight``, ``rule``,
    ``primary`` (as in :func:`crosswalk`), ``n_targets``, ``crosses_division`` (the targets
    lie in more than one 2002 division) and ``harmonised_division`` (what
    :func:`harmonise_industry_codes` returns for ``from_code``; empty if not manufacturing).
    """
    parts = []
    for v in (1994, 2011):
        for level in (4, 2):
            c = crosswalk(v, level=level)
            n = c.groupby("from_code")["to_code"].transform("size")
            c = c[n > 1].copy()
            c.insert(0, "level", level)
            c.insert(0, "from_vintage", v)
            c["n_targets"] = c.groupby("from_code")["to_code"].transform("size")
            c["crosses_division"] = c.groupby("from_code")["to_code"].transform(
                lambda s: s.str[:2].nunique() > 1
            )
            lookup = _division_lookup(v, level)
            div = c["from_code"].map(lookup)
            c["harmonised_division"] = div.where(div.isin(MANUFACTURING_2002), "")
            parts.append(c)
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"].round(6)
    return out


def write_many_to_many(path: str | Path | None = None) -> Path:
    """Write :func:`many_to_many` to ``path`` (default ``resources/industry/many_to_many.csv``)."""
    path = Path(path or MANY_TO_MANY_CSV)
    many_to_many().to_csv(path, index=False, lineterminator="\n")
    return path


# --------------------------------------------------------------------------- harmonisation
def normalise_industry_codes(codes: pd.Series) -> pd.Series:
    """Industry codes as digit strings of 2-4 characters, ``<NA>`` otherwise.

    Accepts ints, floats (``1711.0``), strings with whitespace. A three-digit string is read
    as a three-digit group (e.g. ``"131"``), never as a four-digit class that lost its leading
    zero: such classes (01xx-09xx) are agriculture and mining, outside the ASIF's manufacturing.
    """
    s = pd.Series(codes, copy=False).astype("string").str.strip()
    s = s.str.replace(r"\.0*$", "", regex=True)
    return s.where(s.str.fullmatch(r"\d{2,4}").fillna(False)).astype("string")


def _vintages(years: pd.Series | int, index: pd.Index) -> pd.Series:
    if isinstance(years, (int, np.integer)) and not isinstance(years, bool):
        return pd.Series(industry_vintage(int(years)), index=index, dtype="Int64")
    y = pd.Series(np.asarray(years, dtype=object), index=index)
    if len(y) != len(index):
        raise ValueError("codes and years must have the same length")
    y = pd.to_numeric(y, errors="coerce")
    uniq = y.dropna().unique()
    bad = [v for v in uniq if v != int(v)]
    if bad:
        raise ValueError(f"years must be whole numbers, got {bad[:5]}")
    lookup = {v: industry_vintage(int(v)) for v in uniq}
    return y.map(lookup).astype("Int64")


def harmonise_industry_codes(
    codes: pd.Series, years: pd.Series | int, target_vintage: int = TARGET_VINTAGE
) -> pd.Series:
    """Map raw industry codes of the year of each record to the GB/T 4754-2002 manufacturing
    division (a string ``"13"`` .. ``"43"``).

    Parameters
    ----------
    codes : raw codes, 2-, 3- or 4-digit (ints, floats or strings; see
        :func:`normalise_industry_codes`).
    years : the year of each record (same length as ``codes``, aligned by position) or one
        year for all; the vintage of each code is :func:`industry_vintage` of its year.
    target_vintage : only 2002.

    Rules: a four-digit code is looked up among the four-digit classes of its vintage; an
    unknown four-digit code falls back to its three-digit group, then its two-digit
    division; three- and two-digit codes are looked up at their own level (then two
    digits). The division is the primary 2002 division of the code (largest crosswalk weight
    summed by 2002 division, ties to the lowest code; module docstring). A known code whose
    primary division is not manufacturing (e.g. 1994 1711 轧花业, in 2002 the agricultural service
    0512 农产品初加工服务) does not fall back and gives ``<NA>``, as do unknown codes, codes of the wrong
    shape and missing years. The caller quarantines the ``<NA>`` rows.

    Returns a ``string`` Series with the index of ``codes``. Vectorised: each distinct
    (code, vintage) pair is looked up once.
    """
    if target_vintage != TARGET_VINTAGE:
        raise ValueError(f"only target_vintage={TARGET_VINTAGE} is supported, got {target_vintage!r}")
    codes = pd.Series(codes)
    key = pd.DataFrame({"code": normalise_industry_codes(codes).to_numpy(),
                        "vintage": _vintages(years, codes.index).to_numpy()})
    uniq = key.dropna().drop_duplicates().reset_index(drop=True)
    division = pd.Series(pd.NA, index=uniq.index, dtype="string")
    for vintage, grp in uniq.groupby("vintage"):
        code = grp["code"]
        found = pd.Series(pd.NA, index=grp.index, dtype="string")
        for level in (4, 3, 2):
            todo = found.isna() & (code.str.len() >= level)
            if todo.any():
                found[todo] = code[todo].str[:level].map(_division_lookup(int(vintage), level))
        division[grp.index] = found
    uniq["division"] = division.where(division.isin(MANUFACTURING_2002))
    out = key.merge(uniq, on=["code", "vintage"], how="left")["division"]
    return pd.Series(out.to_numpy(), index=codes.index, dtype="string", name="industry_2002")


# --------------------------------------------------------------------------- class rules
def oecd_technology_group(isic_code: str) -> str | None:
    """OECD technology-intensity group (``high``, ``medium_high``, ``medium_low``, ``low``) of
    an ISIC Rev.3 manufacturing code (2-4 digits); ``None`` outside ISIC 15-37.

    OECD (2011) ISIC Rev.3 technology intensity definition (STI Scoreboard annex, unchanged
    since the 2001 edition; Hatzichronoglou 1997): high = 2423, 30, 32, 33, 353;
    medium-high = 24 excl. 2423, 29, 31, 34, 352, 359; medium-low = 23, 25-28, 351; low =
    15-22, 36, 37.
    """
    code = str(isic_code).strip()
    for k in (4, 3, 2):
        g = _OECD_ISIC3.get(code[:k])
        if g is not None and len(code) >= k:
            return g
    return None


def isic_shares() -> pd.DataFrame:
    """For each 2002 manufacturing division: the share of its four-digit classes (equal
    weights; a class mapped to several ISIC Rev.3 classes split equally) in each OECD
    technology group (``high``, ``medium_high``, ``medium_low``, ``low``) and in the ISIC
    divisions of the project's capital rule (``capital_isic``), from
    ``gbcrosswalk_gb_2002_isic3.csv``. ISIC codes outside manufacturing (15-37), which in
    the source are transcription errors such as 3922 for GB 3521 轴承制造, are left out of the
    denominator; ``n_classes`` counts the classes used."""
    d = pd.read_csv(ISIC3_CSV, dtype=str, keep_default_na=False)
    d = d[(d["gb_level"] == "S") & (d["isic_level"] == "S")]
    d = d[d["gb_code"].str[:2].isin(MANUFACTURING_2002)].copy()
    d["group"] = d["isic_code"].map(oecd_technology_group)
    d = d[d["group"].notna()]
    d["w"] = 1.0 / d.groupby("gb_code")["isic_code"].transform("size")
    d["code"] = d["gb_code"].str[:2]
    d["capital_isic"] = d["isic_code"].str[:2].isin(CAPITAL_ISIC3_DIVISIONS)
    n = d.groupby("code")["gb_code"].nunique()
    t = d.pivot_table(index="code", columns="group", values="w", aggfunc="sum", fill_value=0.0)
    t = t.reindex(columns=["high", "medium_high", "medium_low", "low"], fill_value=0.0)
    t["capital_isic"] = d[d["capital_isic"]].groupby("code")["w"].sum()
    t = t.fillna(0.0).div(n, axis=0)
    t["n_classes"] = n
    return t.reset_index()


def factor_intensity_rule() -> pd.Series:
    """Factor intensity of each 2002 division by the documented rule (module docstring):
    ``technology`` if the OECD high + medium-high share is >= 0.5, else ``capital`` if the
    ISIC 16/21/23/26/27 share is >= 0.5, else ``labour``. Indexed by division code."""
    s = isic_shares().set_index("code")
    tech = (s["high"] + s["medium_high"]) >= 0.5
    cap = s["capital_isic"] >= 0.5
    return pd.Series(np.where(tech, "technology", np.where(cap, "capital", "labour")), index=s.index,
                     name="factor_intensity")


#: Mutually exclusive relocation classes, in order of precedence (see :func:`relocation_class`).
RELOCATION_CLASSES = ("port", "technology", "urban", "capital", "labour")


def relocation_class(classes: pd.DataFrame | None = None) -> pd.Series:
    """One mutually exclusive class per division, used to group relocation flows (the paper's
    labour-, capital-, technology-intensive, port-type 港口型 and urban-type 都市型 industry):
    port if port-type; else technology if technology-intensive; else urban if urban-type; else
    the factor-intensity class (capital or labour). Index: the division code.

    Precedence is a project rule: port-type first because the paper singles out port industry
    as what Shanghai took in; technology before urban so that electronics and instruments
    (urban-type in Shanghai's 1998 list) stay with the technology-intensive group.
    """
    c = industry_classes() if classes is None else classes
    fi = c["factor_intensity"].astype(str)
    port = c["port_type"].astype(str).str.lower().isin(["true", "1"])
    urban = c["urban_type"].astype(str).str.lower().isin(["true", "1"])
    out = fi.where(~(urban & (fi != "technology")), "urban").where(~port, "port")
    bad = set(out) - set(RELOCATION_CLASSES)
    if bad:
        raise ValueError(f"unexpected classes {bad}")
    return pd.Series(out.to_numpy(), index=c["code"].astype(str).to_numpy(), name="relocation_class")
