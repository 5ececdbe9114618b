"""The study area: which firms are the study's, and where the others went.

``geography.study_area`` names the prefectures whose firms the study is about:

* ``yrd16_2003``: the 16 cities of the 2003 Yangtze River Delta coordination commission;
* ``yrd41_2019``: Shanghai, Jiangsu, Zhejiang and Anhui (41 cities, the 2019 plan);
* ``china``: every prefecture of China.

The region sets of the analysis (``geography.region_set``, ``flows.region_set``,
``claims.c5.region_set``) lie inside it (:data:`STUDY_AREA_NESTING`).

A user's national survey file holds firms everywhere. Nothing outside the study area is dropped
silently:

* **Rows.** Clean rows whose prefecture lies outside the study area are not errors: the ingest
  rule writes them to a side table (``clean/outside_study_area.parquet``) and counts them per
  file in the reconciliation (``rows_in_study_area + rows_outside_study_area == rows_clean``,
  :func:`study_area_counts`).
* **Firms and moves.** The linking runs over both tables, so a Shanghai firm that reappears in
  Wuhan is one firm, and its move is found. Moves with one end outside the study area are kept
  (``origin_in_study_area`` / ``dest_in_study_area``); moves with both ends outside are about
  another region and are counted in the relocations log, not kept.
* **Flows.** A move across the study area's boundary is a flow between a study prefecture and an
  *outside node*: the 6-digit code of the province of the outside prefecture (``420000`` for
  Hubei), which in a prefecture-level table never collides with a prefecture code; when the
  study area covers part of a province (``yrd16_2003`` and Jiangsu), ``320000`` is the rest of
  that province (:func:`outside_node`, :func:`outside_flows`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.regions import MAINLAND_PROVINCES, PROVINCE_NAMES  # noqa: F401 - re-exported

#: Study areas, smallest first.
STUDY_AREAS = ("yrd16_2003", "yrd41_2019", "china")

#: Region set -> the study areas it lies inside.
STUDY_AREA_NESTING = {
    "yrd16_2003": {"yrd16_2003", "yrd41_2019", "china"},
    "yrd41_2019": {"yrd41_2019", "china"},
    "china": {"china"},
    "china_east": {"china"},
    "china_central": {"china"},
    "china_west": {"china"},
    "china_northeast": {"china"},
    "sunan": {"yrd16_2003", "yrd41_2019", "china"},
    "province_31": {"yrd16_2003", "yrd41_2019", "china"},  # Shanghai is whole in the 16 cities
    **{f"province_{p}": {"yrd41_2019", "china"} for p in ("32", "33", "34")},
}

for _p in MAINLAND_PROVINCES:  # the other provinces lie inside all of China only
    STUDY_AREA_NESTING.setdefault(f"province_{_p}", {"china"})

#: Columns the relocations add to every move.
FLAG_COLUMNS = ("origin_in_study_area", "dest_in_study_area")


def study_area_prefectures(name: str, prefectures: str | Path | pd.DataFrame) -> frozenset[str] | None:
    """Prefecture codes (vintage of ``resources/regions/prefectures.csv``) of study area ``name``
    (one of :data:`STUDY_AREAS`); ``None`` for ``china`` (every prefecture is inside)."""
    if name not in STUDY_AREAS:
        raise ValueError(f"unknown study area {name!r}; expected one of {STUDY_AREAS}")
    if name == "china":
        return None
    from yrd.regions import region_set

    return frozenset(region_set(name, prefectures)["code"].astype(str))


def flow_prefectures(
    codes: Iterable[str], study_area: str, region_set_name: str | None, prefectures: str | Path | pd.DataFrame
) -> pd.Series:
    """The prefectures of the flow tables: the boundaries' ``codes`` inside the study area and,
    when ``flows.region_set`` (``region_set_name``) is set, inside that region set too."""
    from yrd.regions import region_set_codes

    out = pd.Series([str(c) for c in codes], dtype=object).drop_duplicates()
    area = study_area_prefectures(study_area, prefectures)
    if area is not None:
        out = out[out.isin(area)]
    if region_set_name:
        out = out[out.isin(set(region_set_codes(region_set_name, out, prefectures)))]
    return out.reset_index(drop=True)


def region_groups(codes: Iterable[str], prefectures: str | Path | pd.DataFrame) -> dict[str, str]:
    """Prefecture code -> region group for tables by partner group: the YRD's groups of the
    prefecture table (shanghai, sunan, rest_of_jiangsu, zhejiang, anhui) and, for a prefecture of
    another province (a national study area), ``province_<code>`` (``province_420000``: Hubei)."""
    from yrd.regions import region_group

    codes = pd.Series([str(c) for c in codes], dtype="string")
    groups = region_group(codes, prefectures).fillna("province_" + codes.str[:2] + "0000")
    return dict(zip(codes.astype(str), groups.astype(str), strict=True))


def in_study_area(prefecture: pd.Series, codes: Iterable[str] | None) -> np.ndarray:
    """Boolean array: is each prefecture code inside the study area (``codes``; ``None`` = all of
    China). A missing code is outside only when there is a boundary to be outside of."""
    if codes is None:
        return np.ones(len(prefecture), dtype=bool)
    return prefecture.astype("string").isin(set(codes)).fillna(False).to_numpy(dtype=bool)


def split_by_study_area(
    records: pd.DataFrame, codes: Iterable[str] | None, column: str = "prefecture"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(inside, outside)``: the rows of ``records`` whose ``column`` is (not) a prefecture of
    the study area ``codes`` (:func:`in_study_area`), each in the input's order and columns."""
    inside = in_study_area(records[column], codes)
    return records[inside].reset_index(drop=True), records[~inside].reset_index(drop=True)


def study_area_counts(
    reconciliation: pd.DataFrame, outside: pd.DataFrame, name: str, file_column: str = "source_file"
) -> pd.DataFrame:
    """The reconciliation with ``study_area`` (``name``), ``rows_outside_study_area`` (rows of
    ``outside`` from the file) and ``rows_in_study_area`` (the file's other clean rows) after
    ``rows_clean``. Raises ``ValueError`` if a file has more outside rows than clean ones or
    ``outside`` has rows of a file the reconciliation does not list."""
    n_out = outside.groupby(file_column).size() if len(outside) else pd.Series(dtype="int64")
    stray = sorted(set(n_out.index) - set(reconciliation[file_column]))
    if stray:
        raise ValueError(f"rows outside the study area from files missing in the reconciliation: {stray}")
    rec = reconciliation.copy()
    out = rec[file_column].map(n_out).fillna(0).astype("int64")
    bad = rec.loc[out > rec["rows_clean"], file_column].tolist()
    if bad:
        raise ValueError(f"more rows outside the study area than clean rows in {bad}")
    at = list(rec.columns).index("rows_clean") + 1
    rec.insert(at, "rows_outside_study_area", out.to_numpy())
    rec.insert(at, "rows_in_study_area", (rec["rows_clean"] - out).to_numpy(dtype="int64"))
    rec.insert(at, "study_area", name)
    return rec


def outside_node(prefecture_codes: Iterable[str]) -> np.ndarray:
    """The outside node of each prefecture code: its province's code (``420100`` -> ``420000``,
    :func:`yrd.flows.od.province_of`)."""
    from yrd.flows.od import province_of

    return province_of(prefecture_codes)


def node_label(code: str) -> tuple[str, str]:
    """Chinese and English label of an outside node (``420000`` -> ``("湖北（研究区外）", "Hubei (outside)")``)."""
    zh, en = PROVINCE_NAMES.get(str(code)[:2], (str(code), str(code)))
    return f"{zh}（研究区外）", f"{en} (outside the study area)"


def flag_moves(moves: pd.DataFrame, codes: Iterable[str] | None) -> pd.DataFrame:
    """``moves`` with :data:`FLAG_COLUMNS` (is the origin / destination prefecture inside the
    study area ``codes``)."""
    return moves.assign(
        origin_in_study_area=in_study_area(moves["origin_prefecture"], codes),
        dest_in_study_area=in_study_area(moves["dest_prefecture"], codes),
    )


#: Columns of :func:`outside_flows`.
OUTSIDE_COLUMNS = ["year", "origin", "dest", "group", "direction", "moves"]


def outside_flows(
    moves: pd.DataFrame,
    prefectures: Iterable[str],
    years: Iterable[int],
    groups_map: Mapping[str, str],
) -> pd.DataFrame:
    """Moves across the study area's boundary by year x origin x destination x group, with
    zeros: every study prefecture (``prefectures``) against every outside node (province) that
    at least one crossing move reaches, both directions, every year and group (``groups`` as in
    :func:`yrd.flows.od.od_panel`: the relocation classes and ``total``).

    A move is *crossing* when exactly one of its ends is outside (``moves`` flagged by
    :func:`flag_moves`); its outside end becomes :func:`outside_node`. ``direction`` is ``out``
    (from a study prefecture to an outside node) or ``in``. Moves outside ``years`` or whose
    study-side prefecture is not in ``prefectures`` (e.g. outside ``flows.region_set``) are left
    out and counted in ``attrs["dropped"]``; ``attrs["n_crossing"]`` counts all crossing moves.
    Empty (with the columns) when no move crosses the boundary."""
    from yrd.flows.od import GROUPS, TOTAL

    codes = sorted({str(c) for c in prefectures})
    years = sorted({int(y) for y in years})
    missing = [c for c in FLAG_COLUMNS if c not in moves.columns]
    if missing:
        raise ValueError(f"moves lack the study-area flags {missing} (yrd.study_area.flag_moves)")
    oi, di = moves["origin_in_study_area"].to_numpy(bool), moves["dest_in_study_area"].to_numpy(bool)
    cross = moves[oi != di]
    out_dir = cross["origin_in_study_area"].to_numpy(bool)
    o = cross["origin_prefecture"].astype(str).to_numpy(dtype=object)
    d = cross["dest_prefecture"].astype(str).to_numpy(dtype=object)
    o = np.where(out_dir, o, outside_node(o))
    d = np.where(out_dir, outside_node(d), d)
    side = np.where(out_dir, o, d)
    y = pd.to_numeric(cross["year"], errors="coerce").to_numpy(dtype=float)
    keep = np.isin(side, codes) & np.isin(y, years)
    dropped = {
        "outside_prefectures": int((~np.isin(side, codes)).sum()),
        "outside_years": int((np.isin(side, codes) & ~np.isin(y, years)).sum()),
    }
    gmap = {str(k): str(v) for k, v in dict(groups_map).items()}
    ind = cross["industry"].astype("string").to_numpy(dtype=object, na_value=None)[keep]
    cls = np.array([gmap.get(i) if i is not None else None for i in ind], dtype=object)
    counted = pd.DataFrame(
        {"year": y[keep].astype(np.int64), "origin": o[keep], "dest": d[keep], "group": cls, "out": out_dir[keep]}
    )
    nodes = sorted(set(outside_node(np.where(out_dir, d, o)[keep])) if len(counted) else set())
    cols = OUTSIDE_COLUMNS
    if not nodes:
        res = pd.DataFrame({c: pd.Series(dtype="int64" if c in ("year", "moves") else "str") for c in cols})
    else:
        pairs = [(a, b, "out") for a in codes for b in nodes] + [(b, a, "in") for a in codes for b in nodes]
        grid = pd.DataFrame(
            [(yy, g, a, b, dr) for yy in years for g in GROUPS for a, b, dr in pairs],
            columns=["year", "group", "origin", "dest", "direction"],
        )
        tot = counted.assign(group=TOTAL)
        counts = pd.concat([counted[counted["group"].notna()], tot]).groupby(["year", "group", "origin", "dest"]).size()
        key = pd.MultiIndex.from_frame(grid[["year", "group", "origin", "dest"]])
        grid["moves"] = counts.reindex(key, fill_value=0).to_numpy(dtype=np.int64)
        res = grid[cols].astype({"year": "int64", "moves": "int64"})
        if int(res.loc[res["group"] == TOTAL, "moves"].sum()) != len(counted):
            raise AssertionError("outside-flow totals do not match the crossing moves counted")
    res.attrs = {"n_crossing": int(len(cross)), "n_counted": int(len(counted)), "dropped": dropped}
    return res


__all__ = [
    "FLAG_COLUMNS",
    "MAINLAND_PROVINCES",
    "OUTSIDE_COLUMNS",
    "PROVINCE_NAMES",
    "STUDY_AREAS",
    "STUDY_AREA_NESTING",
    "flag_moves",
    "flow_prefectures",
    "in_study_area",
    "node_label",
    "outside_flows",
    "outside_node",
    "region_groups",
    "split_by_study_area",
    "study_area_counts",
    "study_area_prefectures",
]
