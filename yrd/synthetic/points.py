"""Plant points of the synthetic world: a longitude/latitude for every firm-year of the true panel.

Model (docs/synthetic_world.md, "Plant points"). Every county polygon ``C`` of the boundaries the
world is built on (``geography/boundaries_county.parquet``, EPSG:4326) has a *seat* ``s_C``: its
area centroid (computed in the equal-area :data:`yrd.boundaries.ALBERS_CHINA`) when that lies
inside the polygon, else the polygon's representative point (always inside; coastal and
crescent-shaped counties). A *location spell* is a run of a firm's panel rows in one county (a
move between counties, or back, starts a new spell; years in which the firm is out of the sample
do not). Each spell gets one point

    p = s_C + (dx, dy),   dx, dy ~ N(0, sigma^2) independent, sigma = ``dispersion_km``,

an isotropic Gaussian offset in kilometres turned into degrees on the local tangent plane of the
seat (dlat = dy / 110.574, dlon = dx / (111.320 cos(lat_s)); error below 0.1 % at the offsets
drawn here). Points outside ``C`` are redrawn (rejection sampling, so the law is the Gaussian
truncated to the polygon) up to ``max_tries`` times; spells still outside then take the seat
itself (``seat_fallback`` True, counted and logged). The firm keeps its point in every year of
the spell. This is the "county seat plus dispersion" placement of plants used when true plant
coordinates are unknown; a larger ``dispersion_km`` spreads plants over the county, a small
one concentrates them on its seat (Duranton and Overman 2005 measure localisation on such
points, distances between plants in km).

Draws come from their own generator, ``numpy.random.default_rng(SeedSequence((seed,``
:data:`SALT` ``)))``, consumed in a fixed order (spells sorted by firm and first year), so that
adding the points changes no other draw of the world (the panel and the other raw columns are
identical with or without them).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from yrd.boundaries import ALBERS_CHINA

log = logging.getLogger(__name__)

#: Salt of the points' own random generator (with synthetic.seed).
SALT = 0x9E0C
#: Kilometres per degree of latitude and of longitude at the equator (WGS84, local tangent plane).
KM_PER_DEG_LAT, KM_PER_DEG_LON = 110.574, 111.320
#: Keys of ``synthetic.plant_points``.
POINT_KEYS = ("dispersion_km", "max_tries", "in_raw", "missing_share", "bad_share")
#: Columns of ``truth/plant_points.parquet``.
TRUTH_COLUMNS = ("true_firm_id", "year", "county", "lon", "lat", "seat_fallback")


def check_point_config(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The ``synthetic.plant_points`` block checked: every key of :data:`POINT_KEYS`,
    ``dispersion_km`` > 0, ``max_tries`` >= 1, shares in [0, 1) summing below 1. ``ValueError``
    naming the key otherwise."""
    cfg = dict(cfg or {})
    unknown, missing = set(cfg) - set(POINT_KEYS), [k for k in POINT_KEYS if k not in cfg]
    if unknown or missing:
        raise ValueError(f"synthetic.plant_points: unknown keys {sorted(unknown)}, missing keys {missing}")
    if not float(cfg["dispersion_km"]) > 0:
        raise ValueError(f"synthetic.plant_points.dispersion_km must be > 0, got {cfg['dispersion_km']!r}")
    if int(cfg["max_tries"]) < 1:
        raise ValueError(f"synthetic.plant_points.max_tries must be >= 1, got {cfg['max_tries']!r}")
    for k in ("missing_share", "bad_share"):
        if not 0.0 <= float(cfg[k]) < 1.0:
            raise ValueError(f"synthetic.plant_points.{k} must be in [0, 1), got {cfg[k]!r}")
    if float(cfg["missing_share"]) + float(cfg["bad_share"]) >= 1.0:
        raise ValueError("synthetic.plant_points: missing_share + bad_share must be below 1")
    return cfg


def county_seats(counties: gpd.GeoDataFrame) -> pd.DataFrame:
    """Seat of every county polygon (module docstring): ``code`` -> ``lon``, ``lat`` (WGS84) and
    ``centroid`` (True when the area centroid lies inside the polygon and is the seat)."""
    geo = counties.to_crs("EPSG:4326").geometry
    cen = counties.to_crs(ALBERS_CHINA).geometry.centroid.to_crs("EPSG:4326")
    inside = shapely.contains_xy(geo.values, cen.x.to_numpy(), cen.y.to_numpy())
    rep = geo.representative_point()
    return pd.DataFrame(
        {
            "lon": np.where(inside, cen.x, rep.x),
            "lat": np.where(inside, cen.y, rep.y),
            "centroid": inside,
        },
        index=pd.Index(counties["code"].astype(str).to_numpy(), name="code"),
    )


def location_spells(panel: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Spells of ``panel`` (``true_firm_id``, ``year``, ``county``): the table of spells
    (``true_firm_id``, ``county``, sorted by firm and first year) and, for every panel row (in
    the panel's order), the index of its spell."""
    df = pd.DataFrame(
        {
            "fid": panel["true_firm_id"].to_numpy(np.int64),
            "year": panel["year"].to_numpy(np.int64),
            "county": panel["county"].astype(str).to_numpy(),
        }
    )
    order = np.lexsort((df["year"].to_numpy(), df["fid"].to_numpy()))
    s = df.iloc[order]
    fid, cty = s["fid"].to_numpy(), s["county"].to_numpy()
    new = np.ones(len(s), dtype=bool)
    new[1:] = (fid[1:] != fid[:-1]) | (cty[1:] != cty[:-1])
    spell_sorted = np.cumsum(new) - 1
    spell = np.empty(len(s), dtype=np.int64)
    spell[order] = spell_sorted
    spells = pd.DataFrame({"true_firm_id": fid[new], "county": cty[new]})
    return spells, spell


def draw_points(
    seats: pd.DataFrame,
    polygons: gpd.GeoSeries,
    counties: np.ndarray,
    dispersion_km: float,
    max_tries: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One point per entry of ``counties`` (codes): seat plus a Gaussian offset redrawn until it
    lies inside the county's polygon (``polygons``, indexed by code, EPSG:4326), at most
    ``max_tries`` rounds, then the seat. Returns ``(lon, lat, seat_fallback)``. Vectorised:
    every round draws for all points still outside, in their order."""
    n = len(counties)
    slon = seats["lon"].reindex(counties).to_numpy(float)
    slat = seats["lat"].reindex(counties).to_numpy(float)
    if np.isnan(slon).any():
        raise ValueError(f"no county polygon for {sorted(set(counties[np.isnan(slon)]))[:5]}")
    geoms = polygons.reindex(counties).values
    shapely.prepare(geoms)
    lon, lat = slon.copy(), slat.copy()
    todo = np.arange(n)
    for _ in range(int(max_tries)):
        if not len(todo):
            break
        dx, dy = rng.normal(0.0, dispersion_km, (2, len(todo)))
        x = slon[todo] + dx / (KM_PER_DEG_LON * np.cos(np.radians(slat[todo])))
        y = slat[todo] + dy / KM_PER_DEG_LAT
        ok = shapely.contains_xy(geoms[todo], x, y)
        lon[todo[ok]], lat[todo[ok]] = x[ok], y[ok]
        todo = todo[~ok]
    fallback = np.zeros(n, dtype=bool)
    fallback[todo] = True
    return lon, lat, fallback


def plant_points(panel: pd.DataFrame, counties: gpd.GeoDataFrame, cfg: Mapping[str, Any], seed: int) -> pd.DataFrame:
    """The true point of every firm-year of ``panel`` (``true_firm_id``, ``year``, ``county``):
    a table with :data:`TRUTH_COLUMNS` in the panel's row order (module docstring for the model).

    ``counties``: the county boundaries (``code``, geometry); ``cfg``: the
    ``synthetic.plant_points`` block (:func:`check_point_config`); ``seed``: ``synthetic.seed``.
    """
    cfg = check_point_config(cfg)
    seats = county_seats(counties)
    polygons = gpd.GeoSeries(
        counties.to_crs("EPSG:4326").geometry.to_numpy(), index=counties["code"].astype(str).to_numpy()
    )
    spells, spell = location_spells(panel)
    rng = np.random.default_rng(np.random.SeedSequence((int(seed) % 2**63, SALT)))
    lon, lat, fb = draw_points(
        seats, polygons, spells["county"].to_numpy(), float(cfg["dispersion_km"]), int(cfg["max_tries"]), rng
    )
    log.info(
        "plant points: %d firm-years in %d location spells (dispersion %.1f km); %d spells at the seat "
        "after %d tries; %d of %d seats are area centroids",
        len(panel),
        len(spells),
        float(cfg["dispersion_km"]),
        int(fb.sum()),
        int(cfg["max_tries"]),
        int(seats["centroid"].sum()),
        len(seats),
    )
    return pd.DataFrame(
        {
            "true_firm_id": panel["true_firm_id"].to_numpy(np.int64),
            "year": panel["year"].to_numpy(np.int64),
            "county": panel["county"].astype(str).to_numpy(),
            "lon": lon[spell],
            "lat": lat[spell],
            "seat_fallback": fb[spell],
        }
    )
