"""Boundaries from cnmaps: 41 prefectures, valid geometries, every vintage county present,
and distances checked against the WGS84 geodesic of pyproj."""

import numpy as np
import pytest
from pyproj import Geod

from helpers.resources import AREACODES_CSV
from yrd.boundaries import build_boundaries, centroids, distance_matrix, great_circle_km
from yrd.geography import codes_in_force


@pytest.fixture(scope="module")
def layers():
    return build_boundaries(["31", "32", "33", "34"], 2021, history=AREACODES_CSV)


def test_prefectures(layers):
    pref, _ = layers
    assert len(pref) == 41
    assert pref["code"].is_unique
    assert pref.crs.to_epsg() == 4326
    assert pref.is_valid.all()
    assert set(pref.geom_type) <= {"Polygon", "MultiPolygon"}
    # Nanjing: 6,587 km² (Nanjing statistical yearbook); Amap polygons agree within 2 %
    nanjing = pref.loc[pref["code"] == "320100", "area_km2"].item()
    assert nanjing == pytest.approx(6587, rel=0.02)


def test_counties_cover_the_vintage(layers):
    _, cty = layers
    vintage = set(codes_in_force(2021, "county", ["31", "32", "33", "34"], history=AREACODES_CSV)["code"])
    assert set(cty["code"]) == vintage
    assert cty.is_valid.all()
    assert cty["name_pinyin"].str.len().gt(0).all()
    assert cty.loc[cty["code"] == "310112", "name_pinyin"].item() == "Minhang"


def test_great_circle_against_geodesic(layers):
    pref, _ = layers
    pts = centroids(pref)
    geod = Geod(ellps="WGS84")
    n = len(pts)
    i, j = np.triu_indices(n, 1)
    _, _, ref = geod.inv(
        pts["lon"].to_numpy()[i], pts["lat"].to_numpy()[i], pts["lon"].to_numpy()[j], pts["lat"].to_numpy()[j]
    )
    ours = great_circle_km(
        pts["lon"].to_numpy()[i], pts["lat"].to_numpy()[i], pts["lon"].to_numpy()[j], pts["lat"].to_numpy()[j]
    )
    assert np.max(np.abs(ours - ref / 1000) / (ref / 1000)) < 0.005  # sphere vs ellipsoid


def test_distance_matrix_properties(layers):
    pref, _ = layers
    d = distance_matrix(centroids(pref))
    assert d.shape == (41, 41)
    assert np.allclose(d.to_numpy(), d.to_numpy().T)
    assert (np.diag(d) == 0).all()
    # Shanghai-Nanjing centroids about 260 km apart (straight line; the cities' centres 270 km)
    assert 240 < d.loc["310100", "320100"] < 290


def test_haversine_known_value():
    # one degree of longitude on the equator = 2πR/360 = 111.195 km for R = 6371.0088 km
    assert great_circle_km(0, 0, 1, 0) == pytest.approx(111.195, abs=0.001)
