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
polygon, then ``distance`` only for the points outside it.
"""

from __future__ import annotations

import logging
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from yrd.boundaries import ALBERS_CHINA
from yrd.io import positions_in

log = logging.getLogger(__name__)

#: China's extent (lon_min, lat_min, lon_max, lat_max), WGS84 degrees, with a small margin.
CHINA_BBOX = (73.0, 3.0, 136.0, 54.0)
#: Values of ``point_status``, usable first.
STATUSES = ("ok", "missing", "not_numeric", "out_of_range", "outside_county", "no_polygon")
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
    of ``firm_years``, same order."""
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
    status = np.full(n, "ok", dtype=object)
    not_num = issue.str.startswith("not_numeric").fillna(False).astype(bool).to_numpy()
    missing = ~not_num & (np.isnan(lon) | np.isnan(lat))
    lo0, la0, lo1, la1 = CHINA_BBOX
    with np.errstate(invalid="ignore"):
        in_box = (lon >= lo0) & (lon <= lo1) & (lat >= la0) & (lat <= la1)
    out_range = ~not_num & ~missing & ~in_box
    polys = gpd.GeoSeries(
        counties.to_crs(ALBERS_CHINA).geometry.to_numpy(), index=counties["code"].astype(str).to_numpy()
    )
    # the polygon of each firm-year's county by position (a lookup of the distinct codes, not a
    # reindex of 4.4 M string labels at ASIF scale)
    at = positions_in(county, pd.Index(polys.index))
    geoms = np.where(at >= 0, polys.to_numpy()[np.maximum(at, 0)], None)
    has_poly = at >= 0
    status[not_num], status[missing], status[out_range] = "not_numeric", "missing", "out_of_range"
    check = (status == "ok") & has_poly
    status[(status == "ok") & ~has_poly] = "no_polygon"

    dist = np.full(n, np.nan)
    if check.any():
        # projected coordinates by pyproj on the arrays (what GeoSeries.to_crs computes, without
        # building two Point objects per firm-year)
        x, y = _to_albers(lon[check], lat[check])
        g = geoms[check]
        shapely.prepare(g)
        inside = shapely.contains_xy(g, x, y)
        d = np.zeros(len(g))
        if (~inside).any():
            d[~inside] = shapely.distance(g[~inside], shapely.points(x[~inside], y[~inside])) / 1000.0
        dist[check] = d
        far = np.zeros(n, dtype=bool)
        far[check] = d > tolerance_km
        status[far] = "outside_county"

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
            "point_status": pd.array(status, dtype="str"),
            "outside_km": dist,
            "source_file": keep(col("source_file", "str")),
            "source_row": col("source_row", "Int64").to_numpy(),
        }
    )
    counts = out["point_status"].value_counts().reindex(list(STATUSES), fill_value=0)
    log.info("plant points of %d firm-years by status: %s (tolerance %.2f km)", n, counts.to_dict(), tolerance_km)
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
