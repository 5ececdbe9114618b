"""Hand-made event tables of the three flow sources (ASIF moves, registered relocations,
investments) drawn from a known gravity model over real prefectures, for the tests of
yrd.flows.sources and yrd.flows.source_comparison."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

from helpers.resources import CLASSES_CSV, RESOURCES
from yrd.boundaries import great_circle_km
from yrd.flows.pairs import prefecture_points
from yrd.industry import industry_classes, relocation_class

CITIES_CSV = RESOURCES / "transport_times" / "cityinfo_yrd.csv"


def city_boundaries(codes=None, half_side: float = 0.05) -> gpd.GeoDataFrame:
    """Small squares (``half_side`` degrees) around the real city coordinates of
    ``cityinfo_yrd.csv`` as prefecture 'boundaries' (``code``, ``geometry``, EPSG:4326)."""
    c = pd.read_csv(CITIES_CSV)
    c["code"] = (c["dzcode"].astype(int) * 100).astype(str)
    if codes is not None:
        c = c[c["code"].isin([str(x) for x in codes])]
    geom = [
        box(x - half_side, y - half_side, x + half_side, y + half_side) for x, y in zip(c["coord_long"], c["coord_lat"])
    ]
    return gpd.GeoDataFrame({"code": c["code"].to_numpy()}, geometry=geom, crs="EPSG:4326").reset_index(drop=True)


def class_industries() -> dict[str, str]:
    """One 2-digit industry of each relocation class (the first in code order)."""
    rc = relocation_class(industry_classes(CLASSES_CSV))
    out: dict[str, str] = {}
    for code, cls in sorted(rc.items()):
        out.setdefault(str(cls), str(code))
    return out


def gravity_events(
    boundaries: gpd.GeoDataFrame,
    *,
    beta_log_distance: float,
    beta_border: float,
    years=range(2000, 2004),
    classes=("labour", "port", "technology"),
    scale: float = 3.0,
    seed: int = 0,
) -> pd.DataFrame:
    """One row per event: ``year``, ``origin_prefecture``, ``dest_prefecture``, ``industry``
    (an industry of the event's class), ``distance`` (km). Counts are Poisson with mean
    ``scale exp(a_ogt + m_dgt + beta_log_distance ln d_od + beta_border B_od)``, ``a``, ``m``
    N(0, 0.5^2), ``d`` the great-circle km between the centroids of ``boundaries``
    (as :func:`yrd.flows.pairs.great_circle_pairs`), ``B`` = different provinces."""
    rng = np.random.default_rng(seed)
    pts = prefecture_points(boundaries)
    codes = pts["code"].to_numpy()
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    d = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    n = len(codes)
    off = ~np.eye(n, dtype=bool)
    ld = np.log(np.where(off, d, 1.0))
    prov = np.array([c[:2] for c in codes])
    B = (prov[:, None] != prov[None, :]).astype(float)
    ind = class_industries()
    rows = []
    for t in years:
        for g in classes:
            a = rng.normal(0, 0.5, n)
            m = rng.normal(0, 0.5, n)
            mu = scale * np.exp(a[:, None] + m[None, :] + beta_log_distance * (ld - np.log(100)) + beta_border * B)
            k = rng.poisson(np.where(off, mu, 0.0))
            oi, di = np.nonzero(k)
            for i, j in zip(oi, di):
                rows.extend([(int(t), codes[i], codes[j], ind[g], float(d[i, j]))] * int(k[i, j]))
    return pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry", "distance"])


def as_source_table(events: pd.DataFrame, source: str, seed: int = 0) -> pd.DataFrame:
    """``events`` (:func:`gravity_events`) in the layout of the source's input table: ASIF
    ``relocations/moves.parquet``, ``registration/relocation_events.parquet`` or
    ``registration/expansion_events.parquet`` (contract columns); counties = prefecture + 1,
    firm ids 1.., employment 10, 100, 1000 in turn."""
    rng = np.random.default_rng(seed)
    n = len(events)
    o = events["origin_prefecture"].astype(str).to_numpy()
    d = events["dest_prefecture"].astype(str).to_numpy()
    oc = np.array([c[:4] + "02" for c in o], dtype=object)
    dc = np.array([c[:4] + "02" for c in d], dtype=object)
    firm = np.arange(1, n + 1, dtype=np.int64)
    year = events["year"].astype(np.int64).to_numpy()
    emp = pd.array(np.resize([10, 100, 1000], n), dtype="Int64")
    ind = events["industry"].astype("string").to_numpy()
    if source == "asif":
        return pd.DataFrame(
            {
                "firm_id": firm,
                "year": year,
                "origin_year": year - 1,
                "origin_county": oc,
                "dest_county": dc,
                "origin_prefecture": o,
                "dest_prefecture": d,
                "industry": ind,
                "kind": "between_prefectures",
            }
        )
    common = {"year": year, "dest_county": dc, "dest_prefecture": d, "industry": ind, "employment": emp}
    src = {"source_file": "x.csv", "source_row": np.arange(n, dtype=np.int64)}
    if source == "changes":
        return pd.DataFrame(
            {
                "event_id": np.arange(n),
                "firm_id": pd.array(firm, dtype="Int64"),
                "origin_county": oc,
                "origin_prefecture": o,
                **common,
                **src,
            }
        )
    return pd.DataFrame(
        {
            "event_id": np.arange(n),
            "parent_firm_id": pd.array(firm, dtype="Int64"),
            "investee_firm_id": pd.array([pd.NA] * n, dtype="Int64"),
            "origin_county": oc,
            "origin_prefecture": o,
            "origin_method": rng.choice(["asif", "key_area_code"], n),
            **common,
            "capital_wan": rng.uniform(10, 1000, n),
            **src,
        }
    )
