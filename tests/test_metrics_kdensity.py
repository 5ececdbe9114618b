"""Duranton-Overman K-density (Duranton and Overman 2005, Review of Economic Studies 72(4)):
site-based computation against brute force over plant pairs (brute force only here), the
bandwidth against R's ``bw.nrd0`` (Silverman 1986), and the counterfactual bands by
simulation."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from yrd.metrics import (
    dispersion_index,
    k_density,
    k_density_bands,
    localisation_index,
    silverman_bandwidth,
)
from yrd.metrics.binning import DEFAULT_BIN_KM, binning_error_bound

# Six sites on a line (km); the industry has 3, 0, 2, 1, 4, 1 plants there (n = 11, 55 pairs).
POSITIONS = np.array([0.0, 5.0, 12.0, 30.0, 31.0, 70.0])
COUNTS = np.array([3, 0, 2, 1, 4, 1])
D_LINE = np.abs(POSITIONS[:, None] - POSITIONS[None, :])


def _phi(x):
    return np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)


def _brute_force(D, counts, grid, h, employment=None):
    """Loop over every unordered pair of plants: the textbook definition."""
    sites = np.repeat(np.arange(len(counts)), counts)
    emp = np.ones(sites.size) if employment is None else np.asarray(employment, dtype=float)
    num = np.zeros(grid.size)
    total = 0.0
    for i, j in itertools.combinations(range(sites.size), 2):
        d = D[sites[i], sites[j]]
        w = emp[i] * emp[j]
        num += w * (_phi((grid - d) / h) + _phi((grid + d) / h)) / h
        total += w
    return num / total


def _random_world(seed, n_sites, extent_km=200.0):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, extent_km, size=(n_sites, 2))
    D = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=-1))
    frame = rng.integers(1, 40, size=n_sites)
    return rng, xy, D, frame


def test_matches_brute_force_over_plant_pairs():
    grid = np.arange(0, 101, 0.5)
    for h in (2.0, 7.5, 30.0):
        np.testing.assert_allclose(
            k_density(D_LINE, COUNTS, grid=grid, bandwidth=h), _brute_force(D_LINE, COUNTS, grid, h), rtol=1e-12
        )


def test_employment_weighted_matches_brute_force():
    # DO 2005 section 5: pairs weighted by the product of plant employments.
    employment = np.array([5, 1, 2, 10, 3, 7, 1, 1, 4, 2, 6], dtype=float)  # plants in site order
    sites = np.repeat(np.arange(6), COUNTS)
    E = np.bincount(sites, weights=employment, minlength=6)
    Q = np.bincount(sites, weights=employment**2, minlength=6)
    grid = np.arange(0, 101, 1.0)
    np.testing.assert_allclose(
        k_density(D_LINE, COUNTS, grid=grid, bandwidth=5.0, weights=E, weights_sq=Q),
        _brute_force(D_LINE, COUNTS, grid, 5.0, employment),
        rtol=1e-12,
    )


def test_silverman_bandwidth_matches_r_bw_nrd0():
    # R 4.2.2: bw.nrd0(d) on the 55 plant-pair distances of this example
    # (d = 0,0,12,12,30,31,31,31,31,70, ... as produced by _brute_force's pairs) prints
    # 7.3829726150752677 (sd 18.968661023121822, IQR 24.5): 0.9 * min(sd, IQR/1.34) * 55^-0.2.
    assert silverman_bandwidth(D_LINE, COUNTS) == pytest.approx(7.3829726150752677, rel=1e-12)
    # And the default density uses it.
    grid = np.arange(0, 50, 1.0)
    np.testing.assert_allclose(
        k_density(D_LINE, COUNTS, grid=grid), _brute_force(D_LINE, COUNTS, grid, 7.3829726150752677), rtol=1e-10
    )


def test_density_integrates_to_one():
    # Reflection at 0 puts the kernel mass below 0 back on [0, inf): the integral over a grid
    # reaching far beyond the largest distance is 1 (trapezoid error ~1e-6 at 0.05-km steps).
    _, _, D, frame = _random_world(11, 40)
    counts = np.random.default_rng(2).multinomial(60, frame / frame.sum())
    grid = np.arange(0, D.max() + 60, 0.05)
    for bw in ("silverman", 3.0):
        k = k_density(D, counts, grid=grid, bandwidth=bw)
        assert np.trapezoid(k, grid) == pytest.approx(1.0, abs=1e-4)
    # Without reflection the mass near 0 would be lost: a plant pair at distance 0 gives the
    # half-normal, whose value at 0 is twice the normal's.
    assert k_density(np.zeros((1, 1)), [2], grid=[0.0], bandwidth=1.0)[0] == pytest.approx(2 * _phi(0.0))


def _random_industry_bands(seed, n_plants=30, n_sim=199):
    rng, _, D, frame = _random_world(seed, 40, extent_km=100.0)
    counts = rng.multinomial(n_plants, frame / frame.sum())
    grid = np.arange(0, 101, 2.0)
    k = k_density(D, counts, grid=grid)
    bands = k_density_bands(D, counts, frame, n_sim=n_sim, seed=seed, grid=grid)
    return k, bands


def test_global_band_is_crossed_by_five_percent_of_counterfactuals():
    # DO 2005 section 4: the global upper band is hit (somewhere on 0-180 km) by 5% of the
    # counterfactual densities; likewise the lower band from below.
    _, _, D, frame = _random_world(3, 60)
    counts = np.random.default_rng(4).multinomial(80, frame / frame.sum())
    bands = k_density_bands(D, counts, frame, n_sim=1000, seed=9)
    sims = bands.simulations
    above = (sims > bands.global_upper).any(axis=1).mean()
    below = (sims < bands.global_lower).any(axis=1).mean()
    assert 0.03 <= above <= 0.05 and 0.03 <= below <= 0.05
    assert (bands.global_upper >= bands.local_upper).all() and (bands.global_lower <= bands.local_lower).all()
    assert bands.global_upper_level > 0.95 and bands.global_lower_level < 0.05
    # Pointwise, 5% of counterfactuals lie above the local upper band.
    assert (sims > bands.local_upper).mean() == pytest.approx(0.05, abs=0.002)


def test_random_industries_are_rarely_localised():
    # 200 industries located exactly like the counterfactuals (multinomial on all plants'
    # sites). Each is a draw from the null, so it crosses its own global upper band with
    # probability ~5%. Binomial(200, 0.05) has sd 0.0154; we allow 0.05 + 3.5 sd = 0.104.
    localised = []
    for seed in range(200):
        k, bands = _random_industry_bands(seed)
        localised.append(localisation_index(k, bands) > 0)
    rate = np.mean(localised)
    assert rate <= 0.104, rate


def test_clustered_industry_is_localised_not_dispersed():
    rng, xy, D, frame = _random_world(21, 40, extent_km=100.0)
    # 30 plants on the two closest sites: short distances far more frequent than at random.
    a, b = np.unravel_index(np.argmin(D + np.eye(40) * 1e9), D.shape)
    counts = np.zeros(40, dtype=int)
    counts[a], counts[b] = 15, 15
    grid = np.arange(0, 101, 2.0)
    k = k_density(D, counts, grid=grid)
    bands = k_density_bands(D, counts, frame, n_sim=199, seed=1, grid=grid)
    assert localisation_index(k, bands) > 0
    assert dispersion_index(k, bands) == 0  # DO: dispersion only counts where not localised


def test_bands_are_reproducible():
    _, _, D, frame = _random_world(5, 30)
    counts = np.random.default_rng(6).multinomial(25, frame / frame.sum())
    a = k_density_bands(D, counts, frame, n_sim=50, seed=7)
    b = k_density_bands(D, counts, frame, n_sim=50, seed=7)
    c = k_density_bands(D, counts, frame, n_sim=50, seed=8)
    np.testing.assert_array_equal(a.simulations, b.simulations)
    assert not np.array_equal(a.simulations, c.simulations)


def test_counterfactual_densities_match_site_by_site_computation():
    # The binned block products for all simulations equal k_density (exact kernel sums) of each
    # simulated draw within the linear-binning bound phi(0) b^2 / (4 h^3) (Wand and Jones 1995,
    # appendix D), and a finer mesh gets closer (the error falls like b^2).
    _, _, D, frame = _random_world(8, 25)
    counts = np.random.default_rng(9).multinomial(20, frame / frame.sum())
    bands = k_density_bands(D, counts, frame, n_sim=5, seed=3)
    fine = k_density_bands(D, counts, frame, n_sim=5, seed=3, bin_km=0.005)
    draws = np.random.default_rng(3).multinomial(20, frame / frame.sum(), size=5)
    bound = binning_error_bound(DEFAULT_BIN_KM, bands.bandwidth)
    for s in range(5):
        exact = k_density(D, draws[s], bandwidth=bands.bandwidth)
        err = np.abs(bands.simulations[s] - exact).max()
        assert err <= bound, (err, bound)
        assert np.abs(fine.simulations[s] - exact).max() <= max(err / 50, 1e-15)


def test_site_pairs_shared_by_industries_give_k_density_and_its_bands_exactly():
    # One SitePairs per year serves every industry (yrd.metrics.apply.kdensity_tables): its
    # bands are those of k_density_bands bit for bit, its observed density k_density's within the
    # binning bound, and they do
    # not depend on which industry used the shared pairs before. Sites without any plant are
    # left out of the pairs (zero sampling weight) and must not change the result.
    from yrd.metrics.kdensity import SitePairs

    _, _, D, frame = _random_world(21, 40)
    frame[[3, 17]] = 0
    rng = np.random.default_rng(22)
    industries = [rng.multinomial(n, frame / frame.sum()) for n in (12, 60, 25)]
    shared = SitePairs(D, frame)
    for i, c in enumerate(industries):
        k, bands = shared.estimate(c, n_sim=40, seed=100 + i)
        ref = k_density_bands(D, c, frame, n_sim=40, seed=100 + i)
        np.testing.assert_array_equal(bands.simulations, ref.simulations)
        np.testing.assert_array_equal(bands.global_upper, ref.global_upper)
        assert bands.bandwidth == ref.bandwidth
        # the observed density is binned on the bands' mesh: within the bound of linear binning
        # (Wand and Jones 1995, appendix D) of the exact kernel sum
        exact = k_density(D, c, bandwidth=ref.bandwidth)
        assert np.abs(k - exact).max() <= binning_error_bound(DEFAULT_BIN_KM, ref.bandwidth)
    with pytest.raises(ValueError, match="zero at a site where the industry has plants"):
        shared.estimate(np.eye(40, dtype=int)[3] * 5, n_sim=5)
    # the pair distances and weights come from one sort of all site pairs: the same arrays as
    # sorting each industry's own pairs, also with tied distances and one plant per site
    from yrd.metrics.kdensity import _pair_distances

    tied = np.round(D / 25.0) * 25.0
    tied_pairs = SitePairs(tied, frame)
    # (only the occupied sites' pairs are summed by SitePairs: also one site alone, and two sites)
    for c in [*industries, (frame > 0).astype(float), np.eye(40)[5] * 3, np.eye(40)[5] + np.eye(40)[39] * 2]:
        c = np.asarray(c, dtype=float)
        for sp, dm in ((shared, D), (tied_pairs, tied)):
            for got, want in zip(sp._pair_distances(c), _pair_distances(dm, c, None, None), strict=True):
                np.testing.assert_array_equal(got, want)


def test_three_hundred_sites_thousand_simulations_in_seconds():
    # Performance requirement: ~300 sites and 1000 counterfactuals in seconds (about 1 s on
    # the 2-core reference machine; the bound leaves room for a loaded CI runner).
    _, _, D, frame = _random_world(12, 300, extent_km=400.0)
    counts = np.random.default_rng(13).multinomial(200, frame / frame.sum())
    start = time.perf_counter()
    bands = k_density_bands(D, counts, frame, n_sim=1000, seed=1)
    assert time.perf_counter() - start < 10
    assert bands.simulations.shape == (1000, 181)


def test_bad_inputs():
    with pytest.raises(ValueError, match="symmetric"):
        k_density(np.array([[0, 1.0], [2.0, 0]]), [1, 1])
    with pytest.raises(ValueError, match="zero diagonal"):
        k_density(np.array([[1.0, 1.0], [1.0, 0]]), [1, 1])
    with pytest.raises(ValueError, match="non-negative integer"):
        k_density(D_LINE, [1, 2, -1, 0, 0, 0])
    with pytest.raises(ValueError, match="at least two plants"):
        k_density(D_LINE, [1, 0, 0, 0, 0, 0])
    with pytest.raises(ValueError, match="same distance"):
        k_density(D_LINE, [3, 0, 0, 0, 0, 0])  # all pairs at distance 0: Silverman's h = 0
    with pytest.raises(ValueError, match="grid"):
        k_density(D_LINE, COUNTS, grid=[-1.0, 0.0])
    with pytest.raises(ValueError, match="zero at a site where the industry has plants"):
        k_density_bands(D_LINE, COUNTS, [0, 1, 1, 1, 1, 1], n_sim=10)


def _site_histograms_reference(D, counts, reach, bin_km, n_nodes):
    """The county counterfactuals' histograms as they were computed before the compiled loop:
    every site pair (np.triu_indices) within reach, weights c_a c_b, binned by the sparse
    linear-binning matrix, plus c (c - 1) / 2 pairs within a site at node 0."""
    from scipy import sparse

    iu, ju = np.triu_indices(D.shape[0], k=1)
    d = D[iu, ju]
    near = d <= reach
    iu, ju, d = iu[near], ju[near], d[near]
    k = np.floor(d / bin_km).astype(np.int64)
    f = d / bin_km - k
    assert k.size == 0 or k.max() + 1 < n_nodes
    cols = np.arange(k.size)
    binned = sparse.csc_matrix(
        (np.concatenate([1.0 - f, f]), (np.concatenate([k, k + 1]), np.concatenate([cols, cols]))),
        shape=(n_nodes, k.size),
    )
    C = counts.astype(float)
    hist = binned @ (C[:, iu] * C[:, ju]).T
    hist[0] += (C * (C - 1) / 2).sum(axis=1)
    return hist.T


def test_compiled_site_histograms_equal_the_sparse_binning_of_every_site_pair():
    # yrd.metrics.pair_kernels.site_draws_histograms visits only the sites a draw occupies; it
    # must give what the sparse binning matrix gave on every site pair (the version it replaced),
    # at a reach that cuts pairs and one that keeps all, with tied distances, empty draws and
    # one plant per site, on 1 and 2 threads (bitwise equal: each draw is summed serially).
    from yrd.metrics.pair_kernels import site_draws_histograms

    _, _, D, frame = _random_world(31, 60, extent_km=300.0)
    tied = np.round(D / 20.0) * 20.0
    rng = np.random.default_rng(32)
    counts = rng.multinomial(40, frame / frame.sum(), size=25)
    counts[3] = 0  # a draw without plants
    counts[4] = (np.arange(60) < 40).astype(int)  # one plant per site
    # The pruned loop (each occupied site's in-reach partners) and the plain one (every pair of
    # occupied sites) give the same bits, whichever each draw takes; reach 80 km falls exactly
    # on tied distances (multiples of 20 km), which are in reach.
    for dist in (D, tied):
        for reach in (90.0, 80.0, 1e6):
            far = min(reach, dist.max())
            n_nodes = int(np.floor(far / DEFAULT_BIN_KM)) + 2
            want = _site_histograms_reference(dist, counts, reach, DEFAULT_BIN_KM, n_nodes)
            one = site_draws_histograms(dist, counts, reach, DEFAULT_BIN_KM, n_nodes, threads=1)
            two = site_draws_histograms(dist, counts, reach, DEFAULT_BIN_KM, n_nodes, threads=2)
            np.testing.assert_allclose(one, want, rtol=1e-12, atol=1e-12)
            np.testing.assert_array_equal(one, two)
            for prune in (True, False):
                forced = site_draws_histograms(dist, counts, reach, DEFAULT_BIN_KM, n_nodes, threads=2, prune=prune)
                np.testing.assert_array_equal(forced, one)
            assert one[3].sum() == 0
    with pytest.raises(ValueError, match="n_nodes must be at least"):
        site_draws_histograms(D, counts, 90.0, DEFAULT_BIN_KM, 10)
    with pytest.raises(ValueError, match="one column per site"):
        site_draws_histograms(D, counts[:, :10], 90.0, DEFAULT_BIN_KM, 5000)
    with pytest.raises(ValueError, match="non-negative"):
        site_draws_histograms(D, -counts, 90.0, DEFAULT_BIN_KM, 5000)
