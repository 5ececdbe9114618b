"""Metric tables from firm-years (yrd.metrics.apply): a known-answer world of 2 years, 3
prefectures and 2-3 industries whose matrices are written out by hand and checked against direct
calls of the library; the K-density tables' shape, band ordering and determinism."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from yrd.metrics import (
    ellison_glaeser,
    herfindahl,
    hoover,
    k_density,
    krugman_dissimilarity,
    krugman_specialisation,
    locational_gini,
    maurel_sedillot,
    structural_similarity,
)
from yrd.metrics.apply import (
    concentration_table,
    county_sites,
    kdensity_tables,
    similarity_table,
    specialisation_table,
)

CONCENTRATION = ["hoover", "locational_gini", "herfindahl_industry", "ellison_glaeser", "maurel_sedillot"]
REGION_SET = ["310100", "320100", "320500"]

# (year, county, industry, employment, output)
ROWS = [
    (2004, "310101", "13", 100, 1000.0),
    (2004, "310104", "13", 50, 400.0),
    (2004, "310101", "39", 20, 900.0),
    (2004, "320102", "13", 30, 100.0),
    (2004, "320106", "39", 60, 2000.0),
    (2004, "320106", "39", 40, 1500.0),
    (2004, "320505", "13", 10, 50.0),
    (2004, "320505", "39", 90, 700.0),
    (2004, "320102", "27", 0, 0.0),  # an industry with zero employment: omitted like an absent one
    (2005, "310101", "13", 80, 800.0),
    (2005, "310104", "39", 70, 2100.0),
    (2005, "320102", "13", 30, 90.0),
    (2005, "320102", "39", 10, 300.0),
    (2005, "320102", "26", 15, 600.0),  # a new industry with one plant
    (2005, "320505", "13", 60, 500.0),
    (2005, "320505", "39", 20, 400.0),
    (2005, "320505", "39", 25, 600.0),
    (2005, "340102", "13", 500, 9000.0),  # Hefei: outside the region set
    (2005, "320505", "13", None, 10.0),  # missing employment: dropped
]


def _firm_years() -> pd.DataFrame:
    d = pd.DataFrame(ROWS, columns=["year", "county", "industry", "employment", "output"])
    d["employment"] = d["employment"].astype("Int64")
    d.insert(0, "firm_id", np.arange(len(d)))
    d["prefecture"] = d["county"].str[:4] + "00"
    d["province"] = d["county"].str[:2] + "0000"
    return d


def _matrix(rows: dict, industries: list[str]) -> pd.DataFrame:
    X = pd.DataFrame.from_dict(rows, orient="index", columns=industries).astype(float)
    X.index.name, X.columns.name = "region", "industry"
    return X


# The region x industry employment matrices of the world above, by hand.
MATRICES = {
    (2004, "province"): _matrix({"310000": [150, 20], "320000": [40, 190]}, ["13", "39"]),
    (2004, "prefecture"): _matrix({"310100": [150, 20], "320100": [30, 100], "320500": [10, 90]}, ["13", "39"]),
    (2004, "county"): _matrix(
        {"310101": [100, 20], "310104": [50, 0], "320102": [30, 0], "320106": [0, 100], "320505": [10, 90]},
        ["13", "39"],
    ),
    (2005, "province"): _matrix({"310000": [80, 0, 70], "320000": [90, 15, 55]}, ["13", "26", "39"]),
    (2005, "prefecture"): _matrix(
        {"310100": [80, 0, 70], "320100": [30, 15, 10], "320500": [60, 0, 45]}, ["13", "26", "39"]
    ),
    (2005, "county"): _matrix(
        {"310101": [80, 0, 0], "310104": [0, 0, 70], "320102": [30, 15, 10], "320505": [60, 0, 45]},
        ["13", "26", "39"],
    ),
}


def _plants(year: int, level: str) -> pd.DataFrame:
    d = _firm_years().dropna(subset=["employment"])
    d = d[(d["year"] == year) & d["prefecture"].isin(REGION_SET)]
    return pd.DataFrame(
        {
            "region": d[level].to_numpy(),
            "industry": d["industry"].to_numpy(),
            "employment": d["employment"].astype(float),
        }
    ).reset_index(drop=True)


def test_concentration_equals_direct_library_calls():
    table = concentration_table(_firm_years(), CONCENTRATION, prefectures=REGION_SET)
    assert list(table.columns) == ["year", "level", "industry", "metric", "value"]
    assert len(table) == 5 * (2 + 2 + 2 + 3 + 3 + 3)  # metrics x industries present in each year-level
    got = table.set_index(["year", "level", "industry", "metric"])["value"]
    for (year, level), X in MATRICES.items():
        expected = {
            "hoover": hoover(X),
            "locational_gini": locational_gini(X),
            "herfindahl_industry": herfindahl(X, by="industry"),
            "ellison_glaeser": ellison_glaeser(_plants(year, level)),
            "maurel_sedillot": maurel_sedillot(_plants(year, level)),
        }
        for metric, values in expected.items():
            for industry in X.columns:  # the direct EG and MS also list industry 27 (zero size), as nan
                assert got[(year, level, industry, metric)] == pytest.approx(values[industry], nan_ok=True, abs=1e-12), (
                    year, level, industry, metric,
                )  # fmt: skip


def test_concentration_rows_are_sorted_and_industries_without_plants_omitted():
    table = concentration_table(_firm_years(), ["hoover", "ellison_glaeser"], prefectures=REGION_SET)
    assert table["level"].drop_duplicates().tolist() == ["province", "prefecture", "county"]
    assert set(table.loc[table["year"] == 2004, "industry"]) == {"13", "39"}  # no 26 in 2004, 27 has zero size
    eg26 = table[(table["industry"] == "26") & (table["metric"] == "ellison_glaeser")]
    assert len(eg26) == 3 and eg26["value"].isna().all()  # one plant: gamma is 0/0, the row stays
    assert table["year"].is_monotonic_increasing


def test_region_set_and_missing_measure():
    all_regions = concentration_table(_firm_years(), ["herfindahl_industry"], levels=["province"])
    assert "340000" not in set(
        specialisation_table(_firm_years(), ["herfindahl_region"], prefectures=REGION_SET)["region"]
    )
    assert "340000" in set(specialisation_table(_firm_years(), ["herfindahl_region"], levels=["province"])["region"])
    # Hefei's 500 workers in industry 13 change its province-level Herfindahl.
    inside = concentration_table(_firm_years(), ["herfindahl_industry"], levels=["province"], prefectures=REGION_SET)
    v = lambda t: t.set_index(["year", "industry"])["value"][(2005, "13")]  # noqa: E731
    assert v(inside) == pytest.approx(herfindahl(MATRICES[(2005, "province")], by="industry")["13"])
    assert v(all_regions) != pytest.approx(v(inside))


def test_output_measure():
    table = concentration_table(
        _firm_years(), ["hoover"], measure="output", levels=["prefecture"], prefectures=REGION_SET
    )
    X = _matrix({"310100": [1400, 900], "320100": [100, 3500], "320500": [50, 700]}, ["13", "39"])
    got = table[table["year"] == 2004].set_index("industry")["value"]
    pd.testing.assert_series_equal(got, hoover(X), check_names=False, check_index_type=False)


def test_specialisation_equals_direct_library_calls():
    table = specialisation_table(
        _firm_years(),
        ["krugman_specialisation", "herfindahl_region"],
        levels=["prefecture", "county"],
        prefectures=REGION_SET,
    )
    assert list(table.columns) == ["year", "level", "region", "metric", "value"]
    got = table.set_index(["year", "level", "region", "metric"])["value"]
    for (year, level), X in MATRICES.items():
        if level == "province":
            continue
        for region, value in krugman_specialisation(X).items():
            assert got[(year, level, region, "krugman_specialisation")] == pytest.approx(value, abs=1e-12)
        for region, value in herfindahl(X, by="region").items():
            assert got[(year, level, region, "herfindahl_region")] == pytest.approx(value, abs=1e-12)
    assert len(table) == 2 * (3 + 5 + 3 + 4)


def test_similarity_all_ordered_pairs_symmetric_without_diagonal():
    table = similarity_table(
        _firm_years(), ["structural_similarity", "krugman_dissimilarity"], levels=["prefecture"], prefectures=REGION_SET
    )
    assert list(table.columns) == ["year", "level", "region_a", "region_b", "metric", "value"]
    assert len(table) == 2 * 2 * 3 * 2  # years x metrics x ordered pairs of 3 regions
    assert (table["region_a"] != table["region_b"]).all()
    got = table.set_index(["year", "region_a", "region_b", "metric"])["value"]
    for year in (2004, 2005):
        X = MATRICES[(year, "prefecture")]
        for metric, S in [
            ("structural_similarity", structural_similarity(X)),
            ("krugman_dissimilarity", krugman_dissimilarity(X)),
        ]:
            for a in X.index:
                for b in X.index:
                    if a != b:
                        assert got[(year, a, b, metric)] == pytest.approx(S.loc[a, b], abs=1e-12)
                        assert got[(year, a, b, metric)] == pytest.approx(got[(year, b, a, metric)], abs=1e-15)


def test_bad_input_is_named():
    fy = _firm_years()
    with pytest.raises(ValueError, match="lacks columns \\['province'\\]"):
        concentration_table(fy.drop(columns="province"), ["hoover"])
    with pytest.raises(ValueError, match="measure must be one of"):
        concentration_table(fy, ["hoover"], measure="sales")
    neg = fy.copy()
    neg.loc[0, "employment"] = -3
    with pytest.raises(ValueError, match="negative employment in 1 rows"):
        concentration_table(neg, ["hoover"])
    with pytest.raises(ValueError, match="levels must be"):
        concentration_table(fy, ["hoover"], levels=["township"])
    with pytest.raises(ValueError, match="no firm-years left"):
        concentration_table(fy, ["hoover"], prefectures=["330100"])
    with pytest.raises(ValueError, match="kind 'similarity'"):
        specialisation_table(fy, ["structural_similarity"])


# --------------------------------------------------------------------------- K-density
# Six counties on a line along the 31st parallel, about 9.5 km apart (0.1 degree of longitude).
SITES = pd.DataFrame({"code": [f"3201{k:02d}" for k in range(1, 7)], "lon": 120.0 + 0.1 * np.arange(6), "lat": 31.0})
GRID = np.arange(0.0, 81.0, 2.0)


def _kd_firm_years() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for year in (2004, 2005):
        rows += [(year, "320101", "A")] * 25 + [(year, "320102", "A")] * 20  # clustered at one end
        rows += [(year, SITES["code"][k], "B") for k in rng.integers(0, 6, 60)]  # spread
        rows += [(year, "320103", "C")] * 2 + [(year, "320106", "C")] * 2  # too few plants
        rows += [(year, "320104", "D")] * 12  # one county only
        rows += [(year, SITES["code"][k], "E") for k in range(6) for _ in range(10)]  # the frame
    d = pd.DataFrame(rows, columns=["year", "county", "industry"])
    d["prefecture"] = "320100"
    return d


@pytest.fixture(scope="module")
def kd():
    return kdensity_tables(_kd_firm_years(), SITES, n_sim=59, grid=GRID, seed=7, min_plants=10)


def test_kdensity_tables_shape(kd):
    density, summary = kd
    assert list(density.columns) == [
        "year", "industry", "distance_km", "k", "local_lo", "local_hi", "global_lo", "global_hi",
    ]  # fmt: skip
    assert summary["year"].unique().tolist() == [2004, 2005]  # default: first and last year
    status = summary[summary["year"] == 2004].set_index("industry")["status"].to_dict()
    assert status == {"A": "ok", "B": "ok", "C": "too_few_plants", "D": "one_site", "E": "ok"}
    assert len(density) == 2 * 3 * GRID.size
    assert summary.loc[summary["status"] != "ok", "localisation_index"].isna().all()
    assert summary["localised"].dtype == "boolean"


def test_kdensity_bands_are_ordered(kd):
    density, summary = kd
    eps = 1e-12
    assert (density["global_lo"] <= density["local_lo"] + eps).all()
    assert (density["local_lo"] <= density["local_hi"] + eps).all()
    assert (density["local_hi"] <= density["global_hi"] + eps).all()
    assert (density["k"] >= 0).all()
    ok = summary[summary["status"] == "ok"]
    assert (ok["global_upper_level"] >= 0.95).all() and (ok["global_lower_level"] <= 0.05).all()


def test_kdensity_equals_the_library_and_finds_the_cluster(kd):
    density, summary = kd
    from yrd.boundaries import distance_matrix

    D = distance_matrix(SITES).to_numpy()
    h = summary.set_index(["year", "industry"]).loc[(2005, "A"), "bandwidth_km"]
    k = density[(density["year"] == 2005) & (density["industry"] == "A")]["k"].to_numpy()
    # the table's observed density is binned like its counterfactuals: within the bound of linear
    # binning (Wand and Jones 1995, appendix D) of the exact kernel sum, which the summary reports
    exact = k_density(D, [25, 20, 0, 0, 0, 0], grid=GRID, bandwidth=h)
    bound = summary.set_index(["year", "industry"]).loc[(2005, "A"), "binning_error_bound"]
    assert 0 < np.abs(k - exact).max() <= bound
    a = summary[summary["industry"] == "A"]
    assert a["localised"].all() and (a["localisation_index"] > 0).all() and not a["dispersed"].any()


def test_kdensity_bands_are_those_of_the_library(kd):
    density, summary = kd
    from yrd.boundaries import distance_matrix
    from yrd.metrics import k_density_bands
    from yrd.metrics.apply import _seed

    D = distance_matrix(SITES).to_numpy()
    fy = _kd_firm_years()
    fy = fy[fy["year"] == 2004]
    codes = SITES["code"].tolist()
    frame = np.bincount([codes.index(c) for c in fy["county"]], minlength=6)
    counts = np.bincount([codes.index(c) for c in fy.loc[fy["industry"] == "B", "county"]], minlength=6)
    bands = k_density_bands(D, counts, frame, n_sim=59, seed=_seed(7, 2004, "B"), grid=GRID)
    got = density[(density["year"] == 2004) & (density["industry"] == "B")]
    for col, expected in [
        ("local_lo", bands.local_lower),
        ("local_hi", bands.local_upper),
        ("global_lo", bands.global_lower),
        ("global_hi", bands.global_upper),
    ]:
        np.testing.assert_allclose(got[col].to_numpy(), expected, rtol=1e-12, err_msg=col)
    row = summary.set_index(["year", "industry"]).loc[(2004, "B")]
    assert row["bandwidth_km"] == pytest.approx(bands.bandwidth)
    assert row["n_plants"] == 60 and row["global_upper_level"] == pytest.approx(bands.global_upper_level)


def test_kdensity_is_deterministic_per_industry_year(kd):
    density, _ = kd
    only_a, _ = kdensity_tables(
        _kd_firm_years(), SITES, years=[2005], industries=["A"], n_sim=59, grid=GRID, seed=7, min_plants=10
    )
    full_a = density[(density["year"] == 2005) & (density["industry"] == "A")].reset_index(drop=True)
    pd.testing.assert_frame_equal(only_a, full_a)
    other_seed, _ = kdensity_tables(
        _kd_firm_years(), SITES, years=[2005], industries=["A"], n_sim=59, grid=GRID, seed=8, min_plants=10
    )
    assert not np.allclose(other_seed["global_hi"], full_a["global_hi"])


def test_kdensity_bad_input_is_named():
    fy = _kd_firm_years()
    with pytest.raises(ValueError, match="no plants in years \\[2010\\]"):
        kdensity_tables(fy, SITES, years=[2010], n_sim=19, grid=GRID)
    fy.loc[0, "county"] = "329999"
    with pytest.raises(ValueError, match="1 plants are in counties without a site: \\['329999'\\]"):
        kdensity_tables(fy, SITES, n_sim=19, grid=GRID)


def test_county_sites_are_centroids_restricted_to_the_region_set():
    squares = gpd.GeoDataFrame(
        {"code": ["320102", "320505", "330102"], "prefecture_code": ["320100", "320500", "330100"]},
        geometry=[
            shapely.box(118.7, 32.0, 118.8, 32.1),
            shapely.box(120.5, 31.2, 120.6, 31.3),
            shapely.box(120, 30, 120.1, 30.1),
        ],
        crs="EPSG:4326",
    )
    sites = county_sites(squares, prefectures=["320100", "320500"])
    assert sites["code"].tolist() == ["320102", "320505"]
    np.testing.assert_allclose(sites[["lon", "lat"]].to_numpy(), [[118.75, 32.05], [120.55, 31.25]], atol=2e-3)
    with pytest.raises(ValueError, match="no county polygon"):
        county_sites(squares, prefectures=["340100"])


def test_industry_selection():
    from yrd.metrics.kdensity_rows import industry_selection

    col = np.array(["13", "39", "13", "40", "39"])
    in_year = np.array([True, True, True, False, True])
    picked = list(industry_selection(col, None)(in_year))
    assert [ind for ind, _ in picked] == ["13", "39"]  # industries with rows in the year, sorted
    assert picked[0][1].tolist() == [True, False, True, False, False]
    assert picked[1][1].tolist() == [False, True, False, False, True]
    given = dict(industry_selection(col, [40, "99", "13"])(in_year))
    assert list(given) == ["13", "40", "99"]  # as given (strings), sorted; absent ones run empty
    assert not given["40"].any() and not given["99"].any()
