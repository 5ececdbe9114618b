"""K-densities on plant points (yrd.metrics.kdensity_points, yrd.metrics.apply_points): against the
county-site version, a brute-force all-pairs reference, and known clustered/uniform patterns."""

import numpy as np
import pandas as pd
import pytest

import yrd.metrics.kdensity_points as kp
from yrd.boundaries import distance_matrix, great_circle_km
from yrd.metrics.apply_points import compare_sites_points, kdensity_points_tables
from yrd.metrics.binning import DEFAULT_BIN_KM, _reflected_gaussian, binning_error_bound, linear_bin
from yrd.metrics.kdensity import (
    DEFAULT_GRID,
    dispersion_index,
    k_density,
    localisation_index,
    silverman_bandwidth,
)
from yrd.metrics.pair_kernels import draws_pair_histograms, pair_distance_histogram


def _brute_pairs(lon, lat):
    d = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    return d[np.triu_indices(len(lon), k=1)]


def _brute_density(lon, lat, h, grid=DEFAULT_GRID):
    d = _brute_pairs(lon, lat)
    return _reflected_gaussian(grid, d, h).sum(axis=0) / d.size


def _brute_silverman(lon, lat):
    d = _brute_pairs(lon, lat)
    q25, q75 = np.quantile(d, [0.25, 0.75])  # numpy's default is type 7
    return 0.9 * min(d.std(ddof=1), (q75 - q25) / 1.34) * d.size ** (-0.2)


@pytest.fixture(params=[1, 2])
def threads(request):
    """Run a test with the compiled pair sweep on one thread and on two."""
    return request.param


def test_points_at_centroids_equal_site_version(threads):
    rng = np.random.default_rng(3)
    sites = pd.DataFrame({"code": [f"{i}" for i in range(12)], "lon": rng.uniform(118, 122, 12)})
    sites["lat"] = rng.uniform(29, 32, 12)
    counts = rng.integers(0, 9, 12)
    counts[0] = 5
    D = distance_matrix(sites).to_numpy()
    lon = np.repeat(sites["lon"].to_numpy(), counts)
    lat = np.repeat(sites["lat"].to_numpy(), counts)
    h_site = silverman_bandwidth(D, counts)
    k, h = kp.k_density_points(lon, lat, threads=threads)
    assert h == pytest.approx(h_site, rel=1e-9)
    k_site = k_density(D, counts, bandwidth=h_site)
    tol = binning_error_bound(DEFAULT_BIN_KM, h) + 1e-12
    assert np.abs(k - k_site).max() <= tol
    # the tolerance is tight enough to catch a wrong distance (a 1% longer one)
    k_off = k_density(D * 1.01, counts, bandwidth=h_site)
    assert np.abs(k - k_off).max() > 100 * tol


@pytest.mark.parametrize("batch", [True, False])  # the draws in one call / one call per draw
def test_bruteforce_reference_observed_and_counterfactuals(threads, batch, monkeypatch):
    monkeypatch.setattr(kp, "BATCH_MAX_PLANTS", 10**9 if batch else 0)
    rng = np.random.default_rng(11)
    N = 600
    flon, flat = rng.uniform(115, 123, N), rng.uniform(27, 35, N)
    lon, lat = flon[:200], flat[:200]
    k, h = kp.k_density_points(lon, lat, threads=threads)
    assert h == pytest.approx(_brute_silverman(lon, lat), rel=1e-12)
    tol = binning_error_bound(DEFAULT_BIN_KM, h) + 1e-12
    assert np.abs(k - _brute_density(lon, lat, h)).max() <= tol
    draws = np.stack([rng.choice(N, 200, replace=False) for _ in range(5)])
    frame = kp.unit_vectors(flon, flat)
    sims = kp.counterfactual_densities_points(frame, draws, DEFAULT_GRID, h, threads=threads)
    for s in range(5):
        ref = _brute_density(flon[draws[s]], flat[draws[s]], h)
        assert np.abs(sims[s] - ref).max() <= tol
    assert not np.allclose(sims[0], sims[1])


def test_exact_moments_in_blocks_with_ties(monkeypatch):
    rng = np.random.default_rng(5)
    lon = np.round(rng.uniform(118, 121, 300), 1)  # coarse: many identical points and ties
    lat = np.round(rng.uniform(29, 32, 300), 1)
    monkeypatch.setattr(kp, "_BLOCK_PAIRS", 2_000)  # many small blocks
    mean, sd, q25, q75 = kp.pair_distance_moments(kp.unit_vectors(lon, lat))
    d = _brute_pairs(lon, lat)
    assert mean == pytest.approx(d.mean(), rel=1e-12)
    assert sd == pytest.approx(d.std(ddof=1), rel=1e-10)
    assert [q25, q75] == pytest.approx(list(np.quantile(d, [0.25, 0.75])), rel=1e-12, abs=1e-9)


def _numpy_histogram(xyz, reach, bin_km=DEFAULT_BIN_KM):
    """The reference: every pair's distance by NumPy, filtered to reach, then linear_bin."""
    n_nodes = int(np.ceil(reach / bin_km)) + 2
    i, j = np.triu_indices(xyz.shape[0], k=1)
    d = kp.chord_to_km(np.linalg.norm(xyz[i] - xyz[j], axis=1))
    out = np.zeros(n_nodes)
    linear_bin(d[d <= reach], bin_km, n_nodes, out)
    return out


@pytest.mark.parametrize(
    "where",
    [
        "national",  # most pairs beyond reach: the sweep stops rows early
        "yrd",  # clustered region: most rows run far along the axis
        "ties",  # coarse grid of identical points (d = 0) and tied distances
    ],
)
def test_compiled_sweep_equals_numpy_histogram(where, threads):
    rng = np.random.default_rng(2)
    if where == "national":
        lon, lat = rng.uniform(75, 130, 800), rng.uniform(20, 50, 800)
    elif where == "yrd":
        lon, lat = 120 + rng.normal(0, 1.2, 900), 31 + rng.normal(0, 1.0, 900)
    else:
        lon, lat = np.round(rng.uniform(118, 121, 400), 1), np.round(rng.uniform(29, 32, 400), 1)
    xyz = kp.unit_vectors(lon, lat)
    for reach in (35.0, 300.0, 2000.0):  # 2000 km: math.asin instead of the series
        ref = _numpy_histogram(xyz, reach)
        got = kp.pair_histogram(xyz, reach, threads=threads)
        assert ref.sum() > 0
        np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-9)
        # the points' order does not matter (the sweep sorts them itself)
        shuffled = kp.pair_histogram(xyz[rng.permutation(len(xyz))], reach, threads=threads)
        np.testing.assert_allclose(shuffled, ref, rtol=1e-12, atol=1e-9)


def test_draws_in_one_call_equal_each_draw_alone(threads):
    rng = np.random.default_rng(4)
    lon = np.concatenate([rng.uniform(75, 130, 600), 120 + rng.normal(0, 0.8, 600)])
    lat = np.concatenate([rng.uniform(20, 50, 600), 31 + rng.normal(0, 0.6, 600)])
    frame = kp.unit_vectors(np.round(lon, 2), np.round(lat, 2))  # rounded: ties along the axis
    draws = np.stack([rng.choice(len(lon), 150, replace=False) for _ in range(7)])
    n_nodes = int(np.ceil(300.0 / DEFAULT_BIN_KM)) + 2
    got = draws_pair_histograms(frame, draws, 300.0, DEFAULT_BIN_KM, n_nodes, threads)
    assert got.shape == (7, n_nodes)
    for s, d in enumerate(draws):
        np.testing.assert_allclose(got[s], _numpy_histogram(frame[d], 300.0), rtol=1e-12, atol=1e-9)
    assert not draws_pair_histograms(frame, draws[:, :1], 300.0, DEFAULT_BIN_KM, n_nodes).any()
    with pytest.raises(ValueError, match="row numbers"):
        draws_pair_histograms(frame, draws + len(lon), 300.0, DEFAULT_BIN_KM, n_nodes)


def test_compiled_sweep_edge_cases():
    xyz = kp.unit_vectors(np.array([120.0, 120.0, 121.0]), np.array([31.0, 31.0, 31.0]))
    assert not pair_distance_histogram(xyz[:1], 10.0, 0.5, 23).any()  # one point: no pair
    h = pair_distance_histogram(xyz, 10.0, 0.5, 23)  # the far pairs (~95 km) are out of reach
    assert h[0] == pytest.approx(1.0) and h.sum() == pytest.approx(1.0)  # the identical pair at d = 0
    # weight beyond the last node is dropped, as linear_bin does
    far = pair_distance_histogram(xyz, 500.0, 0.5, 10)
    assert far.sum() == pytest.approx(1.0)
    with pytest.raises(ValueError, match="threads"):
        pair_distance_histogram(xyz, 10.0, 0.5, 23, threads=0)
    with pytest.raises(ValueError, match="n x 3"):
        pair_distance_histogram(xyz[:, :2], 10.0, 0.5, 23)


def _frame(rng, n_uniform=3000):
    return rng.uniform(116, 122, n_uniform), rng.uniform(28, 33, n_uniform)


def test_clustered_industry_is_localised_uniform_is_not():
    rng = np.random.default_rng(7)
    ulon, ulat = _frame(rng)
    clon, clat = 120.0 + rng.normal(0, 0.05, 150), 31.0 + rng.normal(0, 0.05, 150)
    flon, flat = np.concatenate([ulon, clon]), np.concatenate([ulat, clat])
    k, bands = kp.k_density_points_bands(clon, clat, flon, flat, n_sim=99, seed=1)
    assert localisation_index(k, bands) > 0.1
    k_u, bands_u = kp.k_density_points_bands(ulon[:150], ulat[:150], flon, flat, n_sim=99, seed=1)
    assert localisation_index(k_u, bands_u) == 0
    assert dispersion_index(k, bands) == 0


def _points(rng):
    rows = []
    for year in (2000, 2001):
        for ind, (cx, cy, sd) in {"13": (120.0, 31.0, 0.1), "17": (119.0, 30.0, 1.5), "26": (121, 32, 0.8)}.items():
            n = 60
            rows.append(
                pd.DataFrame(
                    {
                        "firm_id": [f"{ind}{year}{i}" for i in range(n)],
                        "year": year,
                        "county": "320100",
                        "prefecture": "3201",
                        "industry": ind,
                        "lon": cx + rng.normal(0, sd, n),
                        "lat": cy + rng.normal(0, sd, n),
                        "point_status": np.where(np.arange(n) < 50, "ok", "outside"),
                        "outside_km": 0.0,
                    }
                )
            )
    rows.append(
        pd.DataFrame(
            {
                "firm_id": ["a", "b", "c", "d"],
                "year": 2000,
                "county": "320100",
                "prefecture": "3201",
                "industry": ["33", "33", "33", "40"],
                "lon": 120.5,
                "lat": 31.5,
                "point_status": "ok",
                "outside_km": 0.0,
            }
        )
    )
    return pd.concat(rows, ignore_index=True)


def test_tables_layout_counts_and_independence():
    pts = _points(np.random.default_rng(9))
    dens, summ = kdensity_points_tables(pts, n_sim=39, seed=4, min_plants=3)
    assert set(summ["sites"]) == {"points"} and set(dens["sites"]) == {"points"}
    s = summ.set_index(["year", "industry"])
    assert s.loc[(2000, "13"), "n_plants"] == 50 and s.loc[(2000, "13"), "n_no_point"] == 10
    assert s.loc[(2000, "33"), "status"] == "one_site"
    assert s.loc[(2000, "40"), "status"] == "too_few_plants"
    assert bool(s.loc[(2001, "13"), "localised"])
    assert len(dens) == 6 * len(DEFAULT_GRID)
    # one industry-year alone gives the same numbers as within the full run
    d1, s1 = kdensity_points_tables(pts, years=[2001], industries=["26"], n_sim=39, seed=4, min_plants=3)
    full = dens[(dens["year"] == 2001) & (dens["industry"] == "26")].reset_index(drop=True)
    pd.testing.assert_frame_equal(d1, full)
    assert s1.iloc[0]["localisation_index"] == s.loc[(2001, "26"), "localisation_index"]
    # unusable points are never drawn: moving them changes nothing
    moved = pts.copy()
    moved.loc[moved["point_status"] != "ok", "lon"] += 3.0
    d2, _ = kdensity_points_tables(moved, years=[2001], industries=["26"], n_sim=39, seed=4, min_plants=3)
    pd.testing.assert_frame_equal(d2, d1)


def test_comparison_flags_changed_verdicts():
    sites = pd.DataFrame(
        {
            "year": [2000, 2000, 2000],
            "industry": ["13", "17", "26"],
            "status": ["ok", "ok", "too_few_plants"],
            "n_plants": [50, 50, 5],
            "localisation_index": [0.2, 0.0, np.nan],
            "dispersion_index": [0.0, 0.1, np.nan],
            "bandwidth_km": [5.0, 9.0, np.nan],
            "localised": [True, False, pd.NA],
            "dispersed": [False, True, pd.NA],
        }
    )
    points = sites.assign(
        localisation_index=[0.3, 0.0, 0.1],
        dispersion_index=[0.0, 0.0, 0.0],
        localised=[True, False, True],
        dispersed=[False, False, False],
        status="ok",
        n_no_point=[1, 2, 0],
    )
    cmp = compare_sites_points(sites, points)
    assert list(cmp["industry"]) == ["13", "17"]
    assert list(cmp["verdict_sites"]) == ["localised", "dispersed"]
    assert list(cmp["verdict_points"]) == ["localised", "neither"]
    assert list(cmp["verdict_changed"]) == [False, True]


def test_sample_restricts_plants():
    pts = _points(np.random.default_rng(9))
    keep = pts[(pts["industry"] == "26") & (pts["year"] == 2001)].iloc[::2][["firm_id", "year"]]
    _, s = kdensity_points_tables(pts, years=[2001], industries=["26"], n_sim=19, seed=4, min_plants=3, sample=keep)
    assert s.iloc[0]["n_plants"] + s.iloc[0]["n_no_point"] == len(keep) == 30
