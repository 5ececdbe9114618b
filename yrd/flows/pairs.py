"""Pair variables of the gravity equation: distance, provincial border and optional covariates.

Distances
---------
By default the great-circle distance (km, :func:`yrd.boundaries.great_circle_km`) between the
area centroids of the prefecture polygons (:func:`yrd.boundaries.centroids`), the same points
the synthetic world uses. A user table may replace it (config ``flows.distances``): a CSV or
Parquet file with ``origin``, ``dest`` (prefecture codes), ``distance`` (any positive unit: km,
road km, minutes of travel time; only its logarithm enters, so the unit is absorbed by the fixed
effects) and optionally ``year`` (then every year of the panel must be present). A pair given in
one direction only is used for both. Every ordered pair of distinct study prefectures must be
covered; a missing pair is an error naming it. Further numeric columns of the table can be named
as covariates. The real road travel time of each year (config ``flows.distance: road_time``)
enters as such a table with a ``year`` column (:func:`yrd.flows.measures.study_pairs`).

Built-in covariates (config ``flows.covariates``)
--------------------------------------------------
* ``contiguity``: 1 if the two prefecture polygons share a border (they intersect after a
  250 m buffer in the equal-area projection), else 0.
* ``same_region_group``: 1 if both prefectures are in the same region group of
  :mod:`yrd.regions` (e.g. both in Sunan), else 0; the groups come from ``regions`` (the
  prefecture table of :func:`yrd.regions.prefectures`) or else from the ``group`` column of the
  prefecture boundaries (the workflow's boundaries carry it).

``border`` is 1 when origin and destination are in different provinces (the synthetic world's
``B_oq``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.boundaries import ALBERS_CHINA, centroids, great_circle_km
from yrd.io import distinct, positions_in

BUILTIN_COVARIATES = ("contiguity", "same_region_group")
PAIR_KEYS = ["year", "origin", "dest"]


def prefecture_points(boundaries) -> pd.DataFrame:
    """``code``, ``lon``, ``lat`` (area centroid, WGS84) of each prefecture polygon, sorted by code."""
    pts = centroids(boundaries)
    pts["code"] = pts["code"].astype(str)
    return pts.sort_values("code").reset_index(drop=True)


def great_circle_pairs(points: pd.DataFrame, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """``origin``, ``dest``, ``distance`` (km) for every ordered pair of distinct points."""
    p = points.assign(code=points["code"].astype(str)).set_index("code")
    codes = sorted(p.index) if codes is None else sorted(map(str, codes))
    missing = set(codes) - set(p.index)
    if missing:
        raise ValueError(f"no point for prefectures {sorted(missing)}")
    o, d = np.meshgrid(codes, codes, indexing="ij")
    o, d = o.ravel(), d.ravel()
    keep = o != d
    o, d = o[keep], d[keep]
    dist = great_circle_km(p.loc[o, "lon"], p.loc[o, "lat"], p.loc[d, "lon"], p.loc[d, "lat"])
    return pd.DataFrame({"origin": o.astype(object), "dest": d.astype(object), "distance": dist})


def read_distance_table(path: str | Path) -> pd.DataFrame:
    """A user distance table (module docstring) from CSV or Parquet."""
    path = Path(path)
    if path.suffix == ".parquet":
        t = pd.read_parquet(path)
    else:
        t = pd.read_csv(path, dtype={"origin": str, "dest": str})
    missing = [c for c in ("origin", "dest", "distance") if c not in t.columns]
    if missing:
        raise ValueError(f"{path}: distance table lacks columns {missing}")
    return t


def _symmetrise(t: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    rev = t.rename(columns={"origin": "dest", "dest": "origin"})
    both = pd.concat([t, rev], ignore_index=True)
    return both.drop_duplicates(keys, keep="first")


def pair_table(
    points: pd.DataFrame,
    years: Iterable[int],
    codes: Sequence[str] | None = None,
    distance_table: pd.DataFrame | None = None,
    covariates: Sequence[str] = (),
    boundaries=None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Pair variables for every year and ordered pair of distinct prefectures.

    Returns ``year``, ``origin``, ``dest``, ``distance``, ``log_distance``, ``border`` and one
    column per covariate, sorted by year, origin, dest. ``boundaries`` (the prefecture
    polygons) is needed for ``contiguity``; ``same_region_group`` needs the region group of
    each prefecture, a table with ``code`` and ``group``: ``regions``
    (:func:`yrd.regions.prefectures`) or else ``boundaries``.
    """
    years = sorted({int(y) for y in years})
    codes = sorted(map(str, points["code"])) if codes is None else sorted(map(str, codes))
    base = great_circle_pairs(points, codes)
    grid = pd.DataFrame(
        {
            "year": np.repeat(np.array(years, dtype=np.int64), len(base)),
            "origin": np.tile(base["origin"].to_numpy(), len(years)),
            "dest": np.tile(base["dest"].to_numpy(), len(years)),
        }
    )
    extra_cols: list[str] = []
    if distance_table is None:
        out = grid.assign(distance=np.tile(base["distance"].to_numpy(), len(years)))
    else:
        t = distance_table.copy()
        t["origin"] = t["origin"].astype(str)
        t["dest"] = t["dest"].astype(str)
        has_year = "year" in t.columns
        keys = ["year", "origin", "dest"] if has_year else ["origin", "dest"]
        if has_year:
            t["year"] = t["year"].astype(np.int64)
        if t.duplicated(keys).any():
            raise ValueError(
                f"distance table has duplicated {keys}: {t[t.duplicated(keys)].head(3).to_dict('records')}"
            )
        t = _symmetrise(t, keys)
        extra_cols = [c for c in t.columns if c not in (*keys, "distance")]
        out = grid.merge(t, on=keys, how="left", validate="many_to_one")
        gap = out["distance"].isna()
        if gap.any():
            ex = out.loc[gap, PAIR_KEYS].head(5).to_dict("records")
            raise ValueError(f"distance table misses {int(gap.sum())} pair-years, e.g. {ex}")
        if (out["distance"] <= 0).any():
            raise ValueError("distance table has non-positive distances")
    out["distance"] = out["distance"].astype(float)
    out["log_distance"] = np.log(out["distance"])
    prov_o = out["origin"].str[:2]
    prov_d = out["dest"].str[:2]
    out["border"] = (prov_o != prov_d).astype(float)
    for cov in covariates:
        if cov in ("log_distance", "border", "distance"):
            raise ValueError(f"covariate {cov!r} is already in the model")
        if cov == "contiguity":
            if boundaries is None:
                raise ValueError("covariate 'contiguity' needs the prefecture boundaries")
            out["contiguity"] = _lookup_pairs(out, contiguity(boundaries))
        elif cov == "same_region_group":
            table = regions if regions is not None else boundaries
            if table is None or "group" not in table.columns:
                raise ValueError(
                    "covariate 'same_region_group' needs the region groups: regions (yrd.regions.prefectures) "
                    "or boundaries with a 'group' column"
                )
            grp = pd.Series(table["group"].to_numpy(), index=table["code"].astype(str).to_numpy())
            go, gd = out["origin"].map(grp), out["dest"].map(grp)
            if go.isna().any() or gd.isna().any():
                raise ValueError("same_region_group: prefectures without region group")
            out["same_region_group"] = (go == gd).astype(float)
        elif cov in extra_cols:
            v = pd.to_numeric(out[cov], errors="coerce")
            if v.isna().any():
                raise ValueError(f"covariate {cov!r} of the distance table has missing or non-numeric values")
            out[cov] = v.astype(float)
        else:
            raise ValueError(
                f"unknown covariate {cov!r}: built-in {BUILTIN_COVARIATES} or a column of the distance table "
                f"({extra_cols})"
            )
    cols = [*PAIR_KEYS, "distance", "log_distance", "border", *covariates]
    out = out[cols].astype({"origin": "str", "dest": "str"})
    return out.sort_values(PAIR_KEYS, kind="stable").reset_index(drop=True)


def _lookup_pairs(frame: pd.DataFrame, pairs: pd.DataFrame) -> np.ndarray:
    s = set(zip(pairs["origin"], pairs["dest"]))
    return np.array([(a, b) in s for a, b in zip(frame["origin"], frame["dest"])], dtype=float)


def contiguity(boundaries, buffer_m: float = 250.0) -> pd.DataFrame:
    """Ordered pairs (``origin``, ``dest``) of prefectures whose polygons share a border."""
    g = boundaries[["code", "geometry"]].to_crs(ALBERS_CHINA).reset_index(drop=True)
    g["code"] = g["code"].astype(str)
    geom = g.geometry.buffer(buffer_m)
    rows = []
    for i, gi in enumerate(geom):
        hits = geom.sindex.query(gi, predicate="intersects")
        rows.extend((g["code"][i], g["code"][j]) for j in hits if j != i)
    return pd.DataFrame(sorted(rows), columns=["origin", "dest"])


def join_pairs(d: pd.DataFrame, pairs: pd.DataFrame, cast_keys: bool = True) -> pd.DataFrame:
    """``d`` (``year``, ``origin``, ``dest``, ...; changed in place and returned) with the pair
    variables of ``pairs`` (one row per year x origin x destination) appended, as the columns and types of
    ``d.merge(pairs, on=["year", "origin", "dest"], how="left", validate="many_to_one")``.

    ``cast_keys=False`` leaves ``origin`` and ``dest`` in ``d``'s type (e.g. the categoricals of
    :func:`yrd.flows.od.read_od_cells`) instead of the merge's common type: the same values, for
    callers that estimate on the frame without writing it (casting ~9 M national cells to
    strings costs seconds per frame).

    The rows are matched on one integer key per year x origin x destination (a hash lookup):
    the merge on the string or categorical keys spent most of its time factorising ~9 M cells
    at national scale. Raises ``ValueError`` when a cell has no pair row or its
    ``log_distance`` is missing, and when ``pairs`` repeats a key."""
    places = pd.Index(sorted(distinct(pairs["origin"], pairs["dest"], as_str=True)))
    years = pd.Index(sorted(int(y) for y in distinct(pairs["year"])))
    n = len(places)

    def key(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        yi = years.get_indexer(frame["year"].to_numpy(dtype=np.int64))
        oi, di = positions_in(frame["origin"], places), positions_in(frame["dest"], places)
        ok = (yi >= 0) & (oi >= 0) & (di >= 0)
        return (yi.astype(np.int64) * n + oi) * n + di, ok

    pkey, _ = key(pairs)
    pindex = pd.Index(pkey)
    if not pindex.is_unique:
        raise ValueError("pair variables repeat a year x origin x destination")
    dkey, ok = key(d)
    pos = np.where(ok, pindex.get_indexer(dkey), -1)
    miss = pos < 0
    if not miss.any():
        miss = pd.isna(pairs["log_distance"].to_numpy()[pos])
    if miss.any():
        raise ValueError(
            f"{int(miss.sum())} cells without pair variables, e.g. "
            f"{d.loc[miss, PAIR_KEYS].head(3).astype({'year': np.int64}).to_dict('records')}"
        )
    out = d
    out["year"] = out["year"].astype(np.int64)
    for k in ("origin", "dest") if cast_keys else ():  # the merge's key type: the common type of both sides
        if out[k].dtype != pairs[k].dtype:
            out[k] = out[k].astype(pairs[k].dtype)
    for col in pairs.columns:
        if col not in PAIR_KEYS:
            out[col] = pairs[col].iloc[pos].set_axis(out.index)
    return out
