"""Crosswalks from GB/T 4754-1994 and -2011 to the 2002 vintage and the harmonisation of raw
industry codes to the 2002 manufacturing divisions (rules in :mod:`yrd.industry`).

The source tables are read once into a :class:`Crosswalks` object (:func:`load_crosswalks`),
which every function here takes as its ``crosswalks`` argument; tables derived from it (the
four-digit pairs after corrections, the division look-ups) are computed once per object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.industry.codes import (
    MANUFACTURING_2002,
    TARGET_VINTAGE,
    VINTAGES,
    Table,
    industry_vintage,
    normalise_industry_codes,
    read_table,
)

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
            "GB/T 4754-1994: 4012 is 电动机制造业; 2002 4012 通信交换设备制造 comes from 1994 4112 交换设备制造业",
        ),
        (
            [("4013", "4013", "drop"), ("4013", "4014", "drop"), ("4113", "4013", "add"), ("4113", "4014", "add")],
            "GB/T 4754-1994: 4013 is 微电机制造业; 2002 4013 通信终端设备制造 and 4014 移动通信及终端"
            "设备制造 come from 1994 4113 通信终端设备制造业",
        ),
        (
            [("4043", "4042", "drop"), ("4043", "4043", "drop"), ("4143", "4042", "add"), ("4143", "4043", "add")],
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


@dataclass(frozen=True, eq=False)
class Crosswalks:
    """The GB/T 4754 source tables of the crosswalks (read by :func:`load_crosswalks`).

    ``codes_2002``: every four-digit code of GB/T 4754-2002 (the NBS name list, all sections),
    sorted; ``pairs_1994``: the gbcrosswalk 1994 -> 2002 table and ``pairs_2011`` the
    gbcrosswalk 2002 -> 2011 table, as in their files (columns ``level``, ``from_code``,
    ``to_code``, ...). Derived tables are cached on the object."""

    codes_2002: tuple[str, ...]
    pairs_1994: pd.DataFrame
    pairs_2011: pd.DataFrame
    _cache: dict[Any, Any] = field(default_factory=dict, init=False, repr=False)

    def cached(self, key: Any, make):
        """``make()`` computed once per ``key`` for this object."""
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def load_crosswalks(names_2002: Table, gb_1994_2002: Table, gb_2002_2011: Table) -> Crosswalks:
    """Read the source tables of the crosswalks: the NBS list of GB/T 4754-2002 four-digit codes
    (``resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv``) and the gbcrosswalk files
    ``gbcrosswalk_gb_1994_2002.csv`` and ``gbcrosswalk_gb_2002_2011.csv`` (paths, or the tables
    already read)."""
    n = read_table(names_2002, dtype=str)
    codes = tuple(sorted(set(n["c2002"].str.strip())))
    pairs_1994 = read_table(gb_1994_2002, dtype=str, keep_default_na=False)
    pairs_2011 = read_table(gb_2002_2011, dtype=str, keep_default_na=False)
    return Crosswalks(codes, pairs_1994, pairs_2011)


def crosswalk_corrections() -> pd.DataFrame:
    """The corrections applied to the gbcrosswalk 1994 -> 2002 four-digit pairs, with the
    evidence for each (columns ``from_code``, ``to_code``, ``action`` (drop / add),
    ``evidence``)."""
    return pd.DataFrame(list(_CORRECTIONS_1994_2002), columns=["from_code", "to_code", "action", "evidence"])


def _four_digit_pairs(d: pd.DataFrame) -> pd.DataFrame:
    d = d[(d["level"] == "S") & (d["from_code"].str.len() == 4) & (d["to_code"].str.len() == 4)]
    return d[["from_code", "to_code"]].drop_duplicates().reset_index(drop=True)


def _pairs4(cw: Crosswalks, from_vintage: int) -> pd.DataFrame:
    """Four-digit pairs ``from_code`` (from_vintage) -> ``to_code`` (2002) with ``weight`` and
    ``rule``, after corrections (once per ``cw``)."""
    return cw.cached(("pairs4", from_vintage), lambda: _make_pairs4(cw, from_vintage))


def _make_pairs4(cw: Crosswalks, from_vintage: int) -> pd.DataFrame:
    if from_vintage == 2002:
        codes = list(cw.codes_2002)
        return pd.DataFrame({"from_code": codes, "to_code": codes, "weight": 1.0, "rule": "identity"})
    if from_vintage == 1994:
        p = _four_digit_pairs(cw.pairs_1994)
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
        fwd = _four_digit_pairs(cw.pairs_2011)  # 2002 -> 2011
        fwd["share"] = 1.0 / fwd.groupby("from_code")["to_code"].transform("size")
        p = fwd.rename(columns={"from_code": "to_code", "to_code": "from_code"})
        p["weight"] = p["share"] / p.groupby("from_code")["share"].transform("sum")
        n = p.groupby("from_code")["to_code"].transform("size")
        p["rule"] = np.where(n > 1, "split_inverse", "unique")
        return p[["from_code", "to_code", "weight", "rule"]].sort_values(["from_code", "to_code"], ignore_index=True)
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


def crosswalk(
    from_vintage: int, to_vintage: int = TARGET_VINTAGE, level: int = 2, *, crosswalks: Crosswalks
) -> pd.DataFrame:
    """Tidy crosswalk from GB/T 4754-``from_vintage`` to GB/T 4754-2002 at ``level`` digits.

    Parameters
    ----------
    from_vintage : 1994, 2002 (identity) or 2011.
    to_vintage : only 2002 is supported.
    level : 2 (divisions), 3 (groups) or 4 (classes); source and target codes have this
        many digits.
    crosswalks : the source tables (:func:`load_crosswalks`).

    Returns
    -------
    DataFrame with ``from_code``, ``to_code``, ``weight`` (the weights of a source code sum
    to 1), ``rule`` (``identity``, ``unique``, ``split_equal``, ``split_inverse`` at four
    digits; ``unique`` or ``children_share`` above) and ``primary`` (the deterministic single
    assignment: largest weight, ties to the lowest code). Rules: :mod:`yrd.industry`.

    Covers all sections of the classification, not only manufacturing, so that a
    manufacturing code of one vintage that became, e.g., an agricultural service (1994 1711
    轧花业 -> 2002 0512 农产品初加工服务) is visible.
    """
    if to_vintage != TARGET_VINTAGE:
        raise ValueError(f"only to_vintage={TARGET_VINTAGE} is supported, got {to_vintage!r}")
    if level not in (2, 3, 4):
        raise ValueError(f"level must be 2, 3 or 4, got {level!r}")
    p4 = _pairs4(crosswalks, from_vintage)
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


def _division_lookup(cw: Crosswalks, from_vintage: int, level: int) -> dict[str, str]:
    """``level``-digit source code -> primary 2002 division (two digits, any section), once per ``cw``.

    Largest weight summed by 2002 division; a tie at three or four digits goes to the
    division of the code's two-digit parent if that is among the tied, else to the lowest."""
    return cw.cached(("division", from_vintage, level), lambda: _make_division_lookup(cw, from_vintage, level))


def _make_division_lookup(cw: Crosswalks, from_vintage: int, level: int) -> dict[str, str]:
    w = _aggregate(_pairs4(cw, from_vintage), level, to_level=2)
    if level > 2:
        parent = w["from_code"].str[:2].map(_division_lookup(cw, from_vintage, 2))
        top = w["weight"].round(12) == w.groupby("from_code")["weight"].transform("max").round(12)
        # nudge the tied target equal to the parent's division ahead of the other tied ones
        w = w.assign(weight=w["weight"] + (top & (w["to_code"] == parent)) * 1e-9)
    w = w[_mark_primary(w)]
    return dict(zip(w["from_code"], w["to_code"]))


def many_to_many(crosswalks: Crosswalks) -> pd.DataFrame:
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
            c = crosswalk(v, level=level, crosswalks=crosswalks)
            n = c.groupby("from_code")["to_code"].transform("size")
            c = c[n > 1].copy()
            c.insert(0, "level", level)
            c.insert(0, "from_vintage", v)
            c["n_targets"] = c.groupby("from_code")["to_code"].transform("size")
            c["crosses_division"] = c.groupby("from_code")["to_code"].transform(lambda s: s.str[:2].nunique() > 1)
            lookup = _division_lookup(crosswalks, v, level)
            div = c["from_code"].map(lookup)
            c["harmonised_division"] = div.where(div.isin(MANUFACTURING_2002), "")
            parts.append(c)
    out = pd.concat(parts, ignore_index=True)
    out["weight"] = out["weight"].round(6)
    return out


def write_many_to_many(path: str | Path, crosswalks: Crosswalks) -> Path:
    """Write :func:`many_to_many` to ``path`` (the committed copy is
    ``resources/industry/many_to_many.csv``)."""
    path = Path(path)
    many_to_many(crosswalks).to_csv(path, index=False, lineterminator="\n")
    return path


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
    codes: pd.Series, years: pd.Series | int, target_vintage: int = TARGET_VINTAGE, *, crosswalks: Crosswalks
) -> pd.Series:
    """Map raw industry codes of the year of each record to the GB/T 4754-2002 manufacturing
    division (a string ``"13"`` .. ``"43"``).

    Parameters
    ----------
    codes : raw codes, 2-, 3- or 4-digit (ints, floats or strings; see
        :func:`~yrd.industry.codes.normalise_industry_codes`).
    years : the year of each record (same length as ``codes``, aligned by position) or one
        year for all; the vintage of each code is :func:`~yrd.industry.codes.industry_vintage`
        of its year.
    target_vintage : only 2002.
    crosswalks : the source tables (:func:`load_crosswalks`).

    Returns
    -------
    pandas.Series
        A ``string`` Series with the index of ``codes``.

    Notes
    -----
    Rules: a four-digit code is looked up among the four-digit classes of its vintage; an
    unknown four-digit code falls back to its three-digit group, then its two-digit
    division; three- and two-digit codes are looked up at their own level (then two
    digits). The division is the primary 2002 division of the code (largest crosswalk weight
    summed by 2002 division, ties to the lowest code; :mod:`yrd.industry`). A known code whose
    primary division is not manufacturing (e.g. 1994 1711 轧花业, in 2002 the agricultural service
    0512 农产品初加工服务) does not fall back and gives ``<NA>``, as do unknown codes, codes of the wrong
    shape and missing years. The caller quarantines the ``<NA>`` rows.

    Vectorised: each distinct (code, vintage) pair is looked up once.
    """
    if target_vintage != TARGET_VINTAGE:
        raise ValueError(f"only target_vintage={TARGET_VINTAGE} is supported, got {target_vintage!r}")
    codes = pd.Series(codes)
    key = pd.DataFrame(
        {"code": normalise_industry_codes(codes).to_numpy(), "vintage": _vintages(years, codes.index).to_numpy()}
    )
    uniq = key.dropna().drop_duplicates().reset_index(drop=True)
    division = pd.Series(pd.NA, index=uniq.index, dtype="string")
    for vintage, grp in uniq.groupby("vintage"):
        code = grp["code"]
        found = pd.Series(pd.NA, index=grp.index, dtype="string")
        for level in (4, 3, 2):
            todo = found.isna() & (code.str.len() >= level)
            if todo.any():
                found[todo] = code[todo].str[:level].map(_division_lookup(crosswalks, int(vintage), level))
        division[grp.index] = found
    uniq["division"] = division.where(division.isin(MANUFACTURING_2002))
    out = key.merge(uniq, on=["code", "vintage"], how="left")["division"]
    return pd.Series(out.to_numpy(), index=codes.index, dtype="string", name="industry_2002")
