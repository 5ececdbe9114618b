"""Plant points: users' geocodes (longitude/latitude columns of the raw files) checked against
the county polygons, one status per firm-year (rule ``plant_points``).

Every firm-year of ``clean/firm_years.parquet`` gets one row of ``clean/plant_points.parquet``
(nothing dropped): ``firm_id``, ``year``, ``county``, ``prefecture``, ``industry``, ``lon``,
``lat`` (float64, WGS84 degrees, as parsed at ingest), ``point_status``, ``outside_km`` and, to
trace a row back, ``source_file`` and ``source_row``. Statuses, in the order they are decided:

====================  ==========================================================================
point_status          when
====================  ==========================================================================
``not_numeric``       a geocode cell held text that is not a number (ingest's ``point_issue``)
``missing``           no longitude or no latitude
``out_of_range``      outside China's extent, longitude 73-136 E, latitude 3-54 N (:data:`CHINA_BBOX`;
                      longitude and latitude swapped land here: 31 E, 121 N)
``no_polygon``        the row's harmonised county has no polygon in the boundaries
``outside_county``    farther than ``tolerance_km`` from the polygon of the row's county
``ok``                inside the polygon or within ``tolerance_km`` of it
====================  ==========================================================================

``outside_km`` is the distance from the point to the county polygon (0 inside; NaN when there is
no point or no polygon), in the equal-area Albers projection for China
(:data:`yrd.boundaries.ALBERS_CHINA`; its scale error is below 2 % at these latitudes, far below
the tolerance). Rows with any status but ``ok`` are flagged, not dropped: the firm-year stays in
every county-level analysis and only the point-based measures (Duranton and Overman 2005
K-densities on plant points) leave its point out. The tolerance absorbs geocoders that put
a plant on a road or a river just across a county line, and boundary generalisation.

Vectorised: one ``shapely.contains_xy`` over all points against their county's prepared
polygon, then ``distance`` only for the points outside it. The statuses are kept as int8 codes
(positions in :data:`STATUSES`) and named once at the end, by an Arrow take (not millions of
Python strings compared and converted).
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from yrd.boundaries import ALBERS_CHINA
from yrd.io import positions_in

log = logging.getLogger(__name__)

#: China's extent (lon_min, lat_min, lon_max, lat_max), WGS84 degrees, with a small margin.
CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)
#: Values of ``point_status``, usable first.
STATUSES = ("ok", "missing", "not_numeric", "out_of_range", "outside_county", "no_polygon")
#: The code of each status in the int8 array :func:`check_points` works on (its position in STATUSES).
_STATUS = {name: np.int8(i) for i, name in enumerate(STATUSES)}
#: Columns of ``clean/plant_points.parquet``, in order.
POINT_TABLE_COLUMNS = (
    "firm_id",
    "year",
    "county",
    "prefecture",
    "industry",
    "lon",
    "lat",
    "point_status",
    "outside_km",
    "source_file",
    "source_row",
)


#: The columns of the firm-years :func:`check_points` reads: those it carries into the plant-point
#: table and ``point_issue`` (``lon``, ``lat`` and ``point_issue`` may be absent).
POINT_INPUT_COLUMNS = (*(c for c in POINT_TABLE_COLUMNS if c not in ("point_status", "outside_km")), "point_issue")


def check_points(firm_years: pd.DataFrame, counties: gpd.GeoDataFrame, tolerance_km: float) -> pd.DataFrame:
    """The plant-point table (module docstring) of ``firm_years`` (``firm_id``, ``year``,
    ``county``, ``prefecture``, ``industry``, ``source_file``, ``source_row`` and, when the raw
    files had geocodes, ``lon``, ``lat``, ``point_issue``; absent geocode columns are read as
    missing) against the polygons of ``counties`` (``code``, geometry, any CRS). One row per row
    of ``firm_years``, same order.

    For speed the statuses are int8 codes named once at the end, each county's polygon is
    prepared once, and the points are tested sorted by county (same answers as the firm-year
    order, fewer cache misses)."""
    if tolerance_km < 0:
        raise ValueError(f"tolerance_km must be >= 0, got {tolerance_km}")
    n = len(firm_years)
    idx = firm_years.index

    def col(name: str, dtype: str) -> pd.Series:
        if name in firm_years:
            return firm_years[name]
        return pd.Series(np.nan if dtype == "float64" else pd.NA, index=idx, dtype=dtype)

    lon = pd.to_numeric(col("lon", "float64"), errors="coerce").astype("float64").to_numpy()
    lat = pd.to_numeric(col("lat", "float64"), errors="coerce").astype("float64").to_numpy()
    issue = col("point_issue", "str").astype("str")
    county = firm_years["county"].astype("str").reset_index(drop=True)
    status = np.zeros(n, dtype=np.int8)  # position in STATUSES: "ok" until a check fails
    not_num = issue.str.startswith("not_numeric").fillna(False).astype(bool).to_numpy()
    missing = ~not_num & (np.isnan(lon) | np.isnan(lat))
    lo0, la0, lo1, la1 = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        in_box = (lon >= lo0) & (lon <= lo1) & (lat >= la0) & (lat <= la1)
    out_range = ~not_num & ~missing & ~in_box
    polygons = counties.to_crs(ALBERS_CHINA).geometry.to_numpy()
    # the polygon of each firm-year's county by position (a lookup of the distinct codes, not a
    # reindex of 4.4 M string labels at ASIF scale)
    at = positions_in(county, pd.Index(counties["code"].astype(str).to_numpy()))
    has_poly = at >= 0
    status[not_num] = _STATUS["not_numeric"]
    status[missing] = _STATUS["missing"]
    status[out_range] = _STATUS["out_of_range"]
    check = (status == _STATUS["ok"]) & has_poly
    status[(status == _STATUS["ok"]) & ~has_poly] = _STATUS["no_polygon"]

    dist = np.full(n, np.nan)
    if check.any():
        # projected coordinates by pyproj on the arrays (what GeoSeries.to_crs computes, without
        # building two Point objects per firm-year)
        x, y = _to_albers(lon[check], lat[check])
        shapely.prepare(polygons)  # each county's polygon once, not once per firm-year
        g = polygons[at[check]]
        # tested county by county (the points sorted by county, one polygon's index stays in
        # cache: about 0.6x the time of the firm-year order), the answers put back in that order
        by_county = np.argsort(at[check], kind="stable")
        inside = np.empty(len(g), dtype=bool)
        inside[by_county] = shapely.contains_xy(g[by_county], x[by_county], y[by_county])
        d = np.zeros(len(g))
        if (~inside).any():
            d[~inside] = shapely.distance(g[~inside], shapely.points(x[~inside], y[~inside])) / 1000.0
        dist[check] = d
        far = np.zeros(n, dtype=bool)
        far[check] = d > tolerance_km
        status[far] = _STATUS["outside_county"]

    def keep(s: pd.Series) -> pd.Series:  # the column as it is (no round trip through NumPy objects)
        return s.reset_index(drop=True)

    out = pd.DataFrame(
        {
            "firm_id": firm_years["firm_id"].to_numpy(),
            "year": firm_years["year"].astype("int64").to_numpy(),
            "county": county,
            "prefecture": keep(col("prefecture", "str").astype("str")),
            "industry": keep(col("industry", "str")),
            "lon": lon,
            "lat": lat,
            # the status names by an Arrow take of the codes (no 4.4 M Python strings)
            "point_status": pd.array(pa.array(STATUSES, pa.large_string()).take(status), dtype="str"),
            "outside_km": dist,
            "source_file": keep(col("source_file", "str")),
            "source_row": col("source_row", "Int64").to_numpy(),
        }
    )
    counts = dict(zip(STATUSES, np.bincount(status, minlength=len(STATUSES)).tolist(), strict=True))
    log.info("plant points of %d firm-years by status: %s (tolerance %.2f km)", n, counts, tolerance_km)
    return out[list(POINT_TABLE_COLUMNS)]


def _to_albers(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude (degrees) to :data:`yrd.boundaries.ALBERS_CHINA` metres, by the
    pyproj transformer geopandas' ``to_crs`` uses (``always_xy``)."""
    from pyproj import CRS, Transformer

    t = Transformer.from_crs(CRS.from_user_input("EPSG:4326"), CRS.from_user_input(ALBERS_CHINA), always_xy=True)
    x, y = t.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (sphere of radius 6,371,008.8 m)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def validate_points(points: pd.DataFrame, records_truth: pd.DataFrame, truth_points: pd.DataFrame) -> dict[str, Any]:
    """Score the plant-point table against the synthetic truth.

    ``points``: the table of :func:`check_points`; ``records_truth``: the world's
    ``truth/records.parquet`` (``source_file``, ``source_row``, ``true_firm_id``, ``year``,
    ``duplicate``, ``geocode_defect``); ``truth_points``: ``truth/plant_points.parquet``.
    Returns counts and shares: ``recovered_share`` (rows without an injected defect that are
    ``ok`` and within 1 m of their true point), ``bad_caught_share`` per kind and overall (rows
    with a wrong geocode, ``swapped``/``other_county``/``text``, that are not ``ok``),
    ``missing_caught_share`` and ``false_flags`` (rows without a defect that are not ``ok``)."""
    rec = records_truth[["source_file", "source_row", "true_firm_id", "year", "geocode_defect"]]
    m = points.merge(rec, on=["source_file", "source_row"], how="left", suffixes=("", "_true"), validate="m:1")
    tp = truth_points[["true_firm_id", "year", "lon", "lat"]].rename(columns={"lon": "lon_true", "lat": "lat_true"})
    m = m.merge(tp, on=["true_firm_id", "year"], how="left", validate="m:1")
    defect = m["geocode_defect"].astype("str").fillna("none")
    ok = m["point_status"] == "ok"
    err = haversine_m(m["lon"], m["lat"], m["lon_true"], m["lat_true"])
    clean = defect == "none"
    bad = defect.isin(["swapped", "other_county", "text"])
    res: dict[str, Any] = {
        "rows": len(m),
        "rows_without_truth": int(m["true_firm_id"].isna().sum()),
        "status_counts": {k: int(v) for k, v in m["point_status"].value_counts().items()},
        "defect_counts": {k: int(v) for k, v in defect.value_counts().items()},
        "clean_rows": int(clean.sum()),
        "recovered": int((clean & ok & (err <= 1.0)).sum()),
        "recovered_share": float((clean & ok & (err <= 1.0)).sum() / max(int(clean.sum()), 1)),
        "max_error_m_of_recovered": float(np.nanmax(np.where(clean & ok, err, np.nan))) if (clean & ok).any() else None,
        "false_flags": int((clean & ~ok).sum()),
        "false_flags_by_status": {k: int(v) for k, v in m.loc[clean & ~ok, "point_status"].value_counts().items()},
        "bad_injected": int(bad.sum()),
        "bad_caught": int((bad & ~ok).sum()),
        "bad_caught_share": float((bad & ~ok).sum() / max(int(bad.sum()), 1)),
        "bad_by_kind": {
            k: {"injected": int((defect == k).sum()), "caught": int(((defect == k) & ~ok).sum())}
            for k in ("swapped", "other_county", "text")
        },
        "missing_injected": int((defect == "missing").sum()),
        "missing_flagged": int(((defect == "missing") & (m["point_status"] == "missing")).sum()),
    }
    log.info(
        "plant points against the truth: %.4f of %d clean rows recovered, %d of %d bad geocodes caught, %d false flags",
        res["recovered_share"],
        res["clean_rows"],
        res["bad_caught"],
        res["bad_injected"],
        res["false_flags"],
    )
    return res
