"""The fast paths of yrd.points against the formulations they replace: check_points with int8
status codes, each county's polygon prepared once and the containment test county by county,
against the object-array version, on hand-built and random firm-years (exact equality and equal
Parquet bytes)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from yrd.boundaries import ALBERS_CHINA
from yrd.io import positions_in
from yrd.points import CHINA_BBOX, POINT_TABLE_COLUMNS, STATUSES, _to_albers, check_points


def _reference_check_points(firm_years: pd.DataFrame, counties: gpd.GeoDataFrame, tolerance_km: float) -> pd.DataFrame:
    """yrd.points.check_points as it was before the int8 status codes and the by-county
    containment test (the reference)."""
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
    return out[list(POINT_TABLE_COLUMNS)]


def _squares() -> gpd.GeoDataFrame:
    """Square counties in the Albers projection (km), returned in WGS84 as the boundaries are,
    one of them 1 km wide and one an L shape (points near its inner corner are outside)."""
    x0, y0 = 1450.0, 3400.0
    geoms = [
        box(x0 * 1e3, y0 * 1e3, (x0 + 20) * 1e3, (y0 + 20) * 1e3),
        box((x0 + 20) * 1e3, y0 * 1e3, (x0 + 40) * 1e3, (y0 + 20) * 1e3),
        box(x0 * 1e3, (y0 + 100) * 1e3, (x0 + 1) * 1e3, (y0 + 101) * 1e3),
        shapely.difference(
            box(x0 * 1e3, (y0 + 30) * 1e3, (x0 + 30) * 1e3, (y0 + 60) * 1e3),
            box((x0 + 15) * 1e3, (y0 + 45) * 1e3, (x0 + 30) * 1e3, (y0 + 60) * 1e3),
        ),
    ]
    g = gpd.GeoDataFrame({"code": ["320101", "320102", "320103", "320104"]}, geometry=geoms, crs=ALBERS_CHINA)
    return g.to_crs("EPSG:4326")


def _firm_years(seed: int, n: int, geocodes: bool = True) -> pd.DataFrame:
    """Random firm-years around the squares: codes with and without a polygon, missing, textual,
    swapped and out-of-range geocodes, in random order and under a shuffled index."""
    rng = np.random.default_rng(seed)
    codes = np.array(["320101", "320102", "320103", "320104", "999999"])[rng.integers(0, 5, n)]
    x = 1450.0 + rng.uniform(-10, 50, n)
    y = 3400.0 + rng.uniform(-10, 110, n)
    p = gpd.GeoSeries(gpd.points_from_xy(x * 1e3, y * 1e3), crs=ALBERS_CHINA).to_crs("EPSG:4326")
    lon, lat = p.x.to_numpy().copy(), p.y.to_numpy().copy()
    kind = rng.integers(0, 10, n)
    lon[kind == 1] = np.nan
    lat[kind == 2] = np.nan
    lon[kind == 3], lat[kind == 3] = lat[kind == 3].copy(), lon[kind == 3].copy()
    lon[kind == 4] = 10.0
    issue = np.where(kind == 5, "not_numeric: longitude='不详'", np.where(kind == 6, "incomplete", None))
    lon[kind == 5] = np.nan
    fy = pd.DataFrame(
        {
            "firm_id": rng.integers(0, n, n).astype("int64"),
            "year": pd.array(rng.integers(1998, 2014, n), dtype="Int64"),
            "county": pd.array(codes, dtype="str"),
            "prefecture": pd.array([c[:4] + "00" for c in codes], dtype="str"),
            "industry": pd.array(rng.choice(["13", "26", None], n), dtype="str"),
            "lon": lon,
            "lat": lat,
            "point_issue": pd.array(issue, dtype="str"),
            "source_file": pd.array(rng.choice(["a.csv", "b.xlsx"], n), dtype="str"),
            "source_row": rng.permutation(n).astype("int64"),
        },
        index=rng.permutation(n) + 7,
    )
    return fy if geocodes else fy.drop(columns=["lon", "lat", "point_issue"])


@pytest.mark.parametrize(
    ("seed", "n", "geocodes", "tolerance_km"),
    [(0, 1, True, 2.0), (1, 50, True, 2.0), (2, 3000, True, 2.0), (3, 3000, True, 0.0), (4, 500, False, 2.0)],
)
def test_check_points_equals_the_reference(tmp_path, seed, n, geocodes, tolerance_km):
    fy = _firm_years(seed, n, geocodes)
    counties = _squares()
    got = check_points(fy, counties, tolerance_km)
    want = _reference_check_points(fy, counties, tolerance_km)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    got.to_parquet(tmp_path / "new.parquet", index=False)
    want.to_parquet(tmp_path / "ref.parquet", index=False)
    assert (tmp_path / "new.parquet").read_bytes() == (tmp_path / "ref.parquet").read_bytes()
    if geocodes and n > 100:
        assert set(got["point_status"]) == set(STATUSES)  # every branch taken


def test_check_points_with_one_county_polygon_equals_the_reference():
    fy = _firm_years(5, 400)
    counties = _squares().iloc[[1]]
    pd.testing.assert_frame_equal(
        check_points(fy, counties, 2.0), _reference_check_points(fy, counties, 2.0), check_exact=True
    )


def test_check_points_without_any_polygon_flags_no_polygon():
    # the reference raised IndexError here (an empty polygon array indexed at 0)
    fy = _firm_years(6, 300)
    got = check_points(fy, _squares().iloc[:0], 2.0)
    want = _reference_check_points(fy, _squares(), 2.0)
    usable = want["point_status"].isin(["ok", "outside_county", "no_polygon"])
    assert (got.loc[usable, "point_status"] == "no_polygon").all()
    assert (got.loc[~usable, "point_status"] == want.loc[~usable, "point_status"]).all()
    assert got["outside_km"].isna().all()
