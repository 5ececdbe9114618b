"""Plant points: the synthetic point model (yrd.synthetic.points), the geocodes of the raw files
(yrd.synthetic.raw.geocodes), their parsing at ingest and their check against the county
polygons (yrd.points) on hand-built polygons with known answers."""

from __future__ import annotations

import copy

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from shapely.geometry import box
from test_ingest_corpus import CORPUS
from test_synthetic_raw import CFG, PANEL

from helpers.resources import DIALECTS_SCHEMA, DIALECTS_YAML, ingest_references, raw_world_references
from yrd.boundaries import ALBERS_CHINA
from yrd.ingest import ingest_file
from yrd.ingest.headers import dialects_from_mapping
from yrd.ingest.validation import parse_point
from yrd.points import STATUSES, check_points, haversine_m, validate_points
from yrd.synthetic import raw
from yrd.synthetic.points import check_point_config, location_spells, plant_points
from yrd.synthetic.raw.geocodes import GARBAGE, geocode_columns

POINT_CFG = {"dispersion_km": 8.0, "max_tries": 50, "in_raw": True, "missing_share": 0.05, "bad_share": 0.01}


def albers_squares(specs: dict[str, tuple[float, float, float]]) -> gpd.GeoDataFrame:
    """Square counties ``code -> (x_km, y_km, side_km)`` (lower-left corner) in the Albers
    projection for China, returned in WGS84 as the boundaries are."""
    geoms = [box(x * 1e3, y * 1e3, (x + s) * 1e3, (y + s) * 1e3) for x, y, s in specs.values()]
    g = gpd.GeoDataFrame({"code": list(specs)}, geometry=geoms, crs=ALBERS_CHINA)
    return g.to_crs("EPSG:4326")


def albers_to_lonlat(x_km, y_km) -> tuple[np.ndarray, np.ndarray]:
    p = gpd.GeoSeries(gpd.points_from_xy(np.asarray(x_km) * 1e3, np.asarray(y_km) * 1e3), crs=ALBERS_CHINA)
    p = p.to_crs("EPSG:4326")
    return p.x.to_numpy(), p.y.to_numpy()


# Albers x = 1,450 km, y = 3,400 km is near Shanghai (about 121.3 E, 30.9 N)
X0, Y0 = 1450.0, 3400.0
SQUARES = albers_squares({"320101": (X0, Y0, 20.0), "320102": (X0 + 20.0, Y0, 20.0), "320103": (X0, Y0 + 100, 1.0)})


# ----------------------------------------------------------------------------- the point model
def small_panel() -> pd.DataFrame:
    # firm 1 stays in 320101; firm 2 moves 320101 -> 320102 in 2002 and back in 2004; firm 3 in
    # the tiny county (1 km square, most draws of 8 km fall outside it)
    rows = [(1, y, "320101") for y in range(1998, 2006)]
    rows += [(2, y, "320101") for y in (1998, 1999, 2001)]  # gap in 2000: same spell
    rows += [(2, 2002, "320102"), (2, 2003, "320102"), (2, 2004, "320101"), (2, 2005, "320101")]
    rows += [(3, y, "320103") for y in range(1998, 2001)]
    return pd.DataFrame(rows, columns=["true_firm_id", "year", "county"])


def test_points_lie_in_their_county_and_stay_while_the_firm_stays():
    panel = small_panel()
    pts = plant_points(panel, SQUARES, POINT_CFG, seed=3)
    assert list(pts.columns) == ["true_firm_id", "year", "county", "lon", "lat", "seat_fallback"]
    assert len(pts) == len(panel) and (pts["county"] == panel["county"]).all()
    poly = SQUARES.set_index("code").geometry
    inside = [poly[c].covers(gpd.points_from_xy([x], [y])[0]) for c, x, y in zip(pts.county, pts.lon, pts.lat)]
    assert all(inside)
    f1 = pts[pts.true_firm_id == 1]
    assert f1[["lon", "lat"]].nunique().tolist() == [1, 1]  # one point while it stays
    f2 = pts[pts.true_firm_id == 2].set_index("year")
    assert (f2.loc[1998, ["lon", "lat"]] == f2.loc[2001, ["lon", "lat"]]).all()  # a gap is no move
    assert (f2.loc[2002, ["lon", "lat"]] == f2.loc[2003, ["lon", "lat"]]).all()
    assert (f2.loc[1998, ["lon", "lat"]] != f2.loc[2002, ["lon", "lat"]]).all()  # a move: new point
    assert (f2.loc[1998, ["lon", "lat"]] != f2.loc[2004, ["lon", "lat"]]).all()  # back: new point again
    spells, spell = location_spells(panel)
    assert len(spells) == 5 and spell.max() == 4
    # same seed, same points; another seed, other points
    assert plant_points(panel, SQUARES, POINT_CFG, seed=3).equals(pts)
    assert not plant_points(panel, SQUARES, POINT_CFG, seed=4)["lon"].equals(pts["lon"])


def test_seat_fallback_after_max_tries():
    panel = pd.DataFrame({"true_firm_id": np.arange(200), "year": 2000, "county": "320103"})
    pts = plant_points(panel, SQUARES, {**POINT_CFG, "max_tries": 1}, seed=1)
    fb = pts[pts.seat_fallback]
    # a 1 km square under an 8 km spread: about 1 - 1/(2 pi 64) of single draws miss it
    assert 150 < len(fb) < 200
    assert fb[["lon", "lat"]].nunique().tolist() == [1, 1]  # all at the seat
    cx, cy = albers_to_lonlat([X0 + 0.5], [Y0 + 100.5])
    assert haversine_m(fb["lon"].iloc[0], fb["lat"].iloc[0], cx[0], cy[0]) < 5  # the square's centre


def test_dispersion_is_as_configured():
    big = albers_squares({"330101": (X0 - 150, Y0 - 150, 300.0)})
    panel = pd.DataFrame({"true_firm_id": np.arange(4000), "year": 2000, "county": "330101"})
    for sd in (3.0, 8.0):
        pts = plant_points(panel, big, {**POINT_CFG, "dispersion_km": sd}, seed=2)
        p = gpd.GeoSeries(gpd.points_from_xy(pts.lon, pts.lat), crs="EPSG:4326").to_crs(ALBERS_CHINA)
        dx, dy = (p.x.to_numpy() / 1e3 - X0), (p.y.to_numpy() / 1e3 - Y0)
        assert abs(dx.mean()) < 0.1 * sd and abs(dy.mean()) < 0.1 * sd
        assert dx.std() == pytest.approx(sd, rel=0.06) and dy.std() == pytest.approx(sd, rel=0.06)
        assert not pts.seat_fallback.any()


def test_point_config_is_checked():
    with pytest.raises(ValueError, match="missing keys"):
        check_point_config({"dispersion_km": 8})
    with pytest.raises(ValueError, match="dispersion_km"):
        check_point_config({**POINT_CFG, "dispersion_km": 0})
    with pytest.raises(ValueError, match="below 1"):
        check_point_config({**POINT_CFG, "missing_share": 0.6, "bad_share": 0.5})


# ----------------------------------------------------------------------------- raw geocodes
def test_geocode_defects_have_their_shares_and_kinds():
    n = 20_000
    rng = np.random.default_rng(0)
    lon, lat = rng.uniform(118, 122, n), rng.uniform(28, 32, n)
    county = rng.choice(np.array(["320101", "320102", "330101"]), n)
    cfg = {**POINT_CFG, "missing_share": 0.1, "bad_share": 0.06}
    lt, at, defect = geocode_columns(lon, lat, county, cfg, seed=5, year=2001)
    d = pd.Series(defect).fillna("none")
    assert d.eq("missing").mean() == pytest.approx(0.1, abs=0.01)
    assert d.isin(["swapped", "other_county", "text"]).mean() == pytest.approx(0.06, abs=0.008)
    ok = d.eq("none").to_numpy()
    assert np.allclose(lt[ok].astype(float), lon[ok], atol=5e-7) and np.allclose(
        at[ok].astype(float), lat[ok], atol=5e-7
    )
    assert (lt[d.eq("missing").to_numpy()] == "").all()
    sw = d.eq("swapped").to_numpy()
    assert np.allclose(lt[sw].astype(float), lat[sw], atol=5e-7)
    assert set(lt[d.eq("text").to_numpy()]) <= set(GARBAGE)
    again = geocode_columns(lon, lat, county, cfg, seed=5, year=2001)
    assert (again[0] == lt).all() and (again[2] == defect).all()


def test_raw_files_with_geocodes_keep_every_other_column(tmp_path):
    pts = PANEL[["true_firm_id", "year"]].copy()
    pts["lon"] = 120.0 + (PANEL["true_firm_id"] % 97) / 100
    pts["lat"] = 30.0 + PANEL["year"] / 10_000
    cfg = {**POINT_CFG, "missing_share": 0.1, "bad_share": 0.05}
    a = raw.write_raw_world(PANEL, tmp_path / "a", CFG, seed=7, **raw_world_references())
    b = raw.write_raw_world(PANEL, tmp_path / "b", CFG, seed=7, points=pts, point_cfg=cfg, **raw_world_references())
    pd.testing.assert_frame_equal(a, b.drop(columns="geocode_defect"))
    assert b["geocode_defect"].isin(["missing", "swapped", "other_county", "text"]).any()
    refs = raw_world_references()
    for year, name in ((1998, "asif_1998.dta"), (2005, "asif_2005.xlsx"), (2013, "asif_2013.parquet")):
        ra = ingest_file(tmp_path / "a" / name, year, "qian", refs["dialects"], source_file=name, **ingest_references())
        rb = ingest_file(tmp_path / "b" / name, year, "qian", refs["dialects"], source_file=name, **ingest_references())
        cols = [c for c in ra.clean.columns if c not in ("lon", "lat", "point_issue")]
        pd.testing.assert_frame_equal(ra.clean[cols], rb.clean[cols])
        assert ra.clean["lon"].isna().all() and ra.clean["point_issue"].isna().all()  # no columns: NaN
        t = b[b.source_file == name].set_index("source_row")
        c = rb.clean.set_index("source_row").join(t[["true_firm_id", "geocode_defect"]])
        c = c.merge(pts, left_on=["true_firm_id", "year"], right_on=["true_firm_id", "year"], suffixes=("", "_true"))
        good = c["geocode_defect"].isna()
        assert np.allclose(c.loc[good, "lon"], c.loc[good, "lon_true"], atol=1e-6)
        assert c.loc[c["geocode_defect"] == "text", "point_issue"].str.startswith("not_numeric").all()
        assert c.loc[c["geocode_defect"] == "missing", "lon"].isna().all()


def test_parse_point():
    lon = pd.Series(["121.5", None, "不详", "１２０.５", "121", None], dtype="str")
    lat = pd.Series(["31.2", None, "31", "３０.１", None, "30"], dtype="str")
    x, y, issue = parse_point(lon, lat)
    assert x.tolist()[:1] == [121.5] and np.isnan(x[1]) and np.isnan(x[2]) and x[3] == 120.5
    assert y[2] == 31.0
    assert issue.isna().tolist() == [True, True, False, True, False, False]
    assert issue[2] == "not_numeric: longitude='不详' latitude='31'"
    assert issue[4] == "incomplete" and issue[5] == "incomplete"


# ----------------------------------------------------------------------------- statuses
def test_statuses_on_square_counties_with_known_answers():
    # points in Albers km relative to the 20 km square of 320101 (x0..x0+20, y0..y0+20)
    cases = [
        ("320101", X0 + 10, Y0 + 10, "ok", 0.0),  # centre
        ("320101", X0 + 21.0, Y0 + 10, "ok", 1.0),  # 1 km east, within the 2 km tolerance
        ("320101", X0 + 10, Y0 - 1.5, "ok", 1.5),  # 1.5 km south
        ("320101", X0 + 10, Y0 + 23.0, "outside_county", 3.0),  # 3 km north
        ("320101", X0 + 35, Y0 + 10, "outside_county", 15.0),  # in 320102, 15 km from 320101
        ("320102", X0 + 35, Y0 + 10, "ok", 0.0),
        ("320101", X0 - 3, Y0 - 4, "outside_county", 5.0),  # 3-4-5 from the corner
        ("999999", X0 + 10, Y0 + 10, "no_polygon", np.nan),
    ]
    lon, lat = albers_to_lonlat([c[1] for c in cases], [c[2] for c in cases])
    fy = pd.DataFrame(
        {
            "firm_id": np.arange(len(cases)),
            "year": 2000,
            "county": [c[0] for c in cases],
            "prefecture": "320100",
            "industry": "13",
            "lon": lon,
            "lat": lat,
            "point_issue": pd.Series([pd.NA] * len(cases), dtype="str"),
            "source_file": "f",
            "source_row": np.arange(len(cases)),
        }
    )
    # missing, not a number, swapped (out of range), outside China
    extra = pd.DataFrame(
        {
            "firm_id": [100, 101, 102, 103, 104],
            "year": 2000,
            "county": "320101",
            "prefecture": "320100",
            "industry": "13",
            "lon": [np.nan, np.nan, lat[0], 10.0, lon[0]],
            "lat": [np.nan, np.nan, lon[0], 45.0, np.nan],
            "point_issue": pd.Series([pd.NA, "not_numeric: longitude='不详' latitude=''", pd.NA, pd.NA, "incomplete"]),
            "source_file": "f",
            "source_row": np.arange(100, 105),
        }
    )
    fy = pd.concat([fy, extra], ignore_index=True)
    out = check_points(fy, SQUARES, tolerance_km=2.0)
    assert len(out) == len(fy) and list(out["firm_id"]) == list(fy["firm_id"])
    assert set(out["point_status"]) <= set(STATUSES)
    assert list(out["point_status"]) == [c[3] for c in cases] + [
        "missing",
        "not_numeric",
        "out_of_range",
        "out_of_range",
        "missing",
    ]
    want = np.array([c[4] for c in cases])
    got = out["outside_km"].to_numpy()[: len(cases)]
    assert np.allclose(got[~np.isnan(want)], want[~np.isnan(want)], atol=1e-6)
    assert np.isnan(got[np.isnan(want)]).all() and out["outside_km"].iloc[len(cases) :].isna().all()
    assert out["lon"].dtype == "float64" and out["year"].dtype == "int64"
    # a stricter tolerance flags the 1 km and 1.5 km points too
    strict = check_points(fy, SQUARES, tolerance_km=0.5)["point_status"].iloc[:3].tolist()
    assert strict == ["ok", "outside_county", "outside_county"]


def test_firm_years_without_geocode_columns_are_all_missing():
    fy = pd.DataFrame(
        {"firm_id": [1, 2], "year": [2000, 2001], "county": "320101", "prefecture": "320100", "industry": "13"}
    )
    out = check_points(fy, SQUARES, tolerance_km=2.0)
    assert out["point_status"].tolist() == ["missing", "missing"]
    assert out["lon"].isna().all()


def test_validation_counts_recovered_caught_and_false_flags():
    lon, lat = albers_to_lonlat([X0 + 5, X0 + 6, X0 + 7, X0 + 8], [Y0 + 5] * 4)
    truth = pd.DataFrame({"true_firm_id": [1, 2, 3, 4], "year": 2000, "lon": lon, "lat": lat})
    records = pd.DataFrame(
        {
            "source_file": "f",
            "source_row": [0, 1, 2, 3],
            "true_firm_id": [1, 2, 3, 4],
            "year": 2000,
            "geocode_defect": [None, None, "swapped", "missing"],
        }
    )
    pts = pd.DataFrame(
        {
            "source_file": "f",
            "source_row": [0, 1, 2, 3],
            "lon": [lon[0], lon[1] + 0.001, lat[2], np.nan],
            "lat": [lat[0], lat[1], lon[2], np.nan],
            "point_status": ["ok", "ok", "out_of_range", "missing"],
        }
    )
    res = validate_points(pts, records, truth)
    assert res["clean_rows"] == 2 and res["recovered"] == 1  # the second is 100 m off
    assert res["bad_injected"] == 1 and res["bad_caught"] == 1 and res["false_flags"] == 0
    assert res["missing_flagged"] == 1


def test_a_dialect_table_without_geocodes_still_loads_and_drops_them(tmp_path):
    doc = yaml.safe_load(DIALECTS_YAML.read_text(encoding="utf-8"))
    old = copy.deepcopy(doc)
    for c in ("longitude", "latitude"):
        del old["canonical"][c]
        for d in old["dialects"].values():
            del d[c]
    table = dialects_from_mapping(old, DIALECTS_SCHEMA)
    res = ingest_file(CORPUS / "geocodes_text.csv", 1998, "qian", table, source_file="g.csv", **ingest_references())
    assert res.counts["extra_columns"] == ["lon", "lat"] and res.clean["lon"].isna().all()
    with pytest.raises(ValueError, match="lack longitude/latitude"):
        pts = PANEL[["true_firm_id", "year"]].assign(lon=120.0, lat=30.0)
        refs = {**raw_world_references(), "dialects": table}
        raw.write_raw_world(PANEL, tmp_path, CFG, seed=7, points=pts, point_cfg=POINT_CFG, **refs)
