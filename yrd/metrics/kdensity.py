"""Duranton-Overman K-density of bilateral distances between plants, with counterfactual
confidence bands and the localisation / dispersion indices (Duranton and Overman 2005).

Plants are located at a finite set of sites (e.g. county or township centroids, geocoded
addresses). Everything is computed from the site x site distance matrix and plant counts per
site; no loop runs over plant pairs:

* plant pairs at two different sites a != b: ``c_a * c_b`` pairs at distance ``d_ab``;
* plant pairs at the same site a: ``c_a * (c_a - 1) / 2`` pairs at distance 0.

:func:`k_density` is the exact pair-weighted kernel sum over the (unique) site distances. The
tables' path (:meth:`SitePairs.estimate`) linear-bins the pair distances on a mesh of step ``b``
(:data:`DEFAULT_BIN_KM` = 0.05 km; Wand and Jones 1995, appendix D), the observed industry's and
each counterfactual's alike: a draw's pair weights become a histogram over the nodes, summed over
the pairs of the sites it occupies (compiled: :func:`yrd.metrics.pair_kernels.site_draws_histograms`),
and all densities are one product (n_sim x nodes) @ (nodes x grid) with the kernel evaluated at
the nodes only. Error: at most :func:`yrd.metrics.binning.binning_error_bound` per km (2e-6 at
b = 0.05 km and h = 5 km), written in every summary row (:mod:`yrd.metrics.kdensity_points` bins
the same way).

References
----------
Duranton, G. and Overman, H. G. (2005) *Review of Economic Studies* 72(4): 1077-1106.
Wand, M. P. and Jones, M. C. (1995) *Kernel Smoothing*. Chapman and Hall, appendix D.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yrd.metrics import binning
from yrd.metrics.bandwidth import resolve_bandwidth, silverman_from_pairs
from yrd.metrics.binning import DEFAULT_BIN_KM, KERNEL_REACH, exact_kernel_density, kernel_at_nodes

#: Default evaluation grid: 0 to 180 km by 1 km (the range used by Duranton and Overman 2005).
DEFAULT_GRID = np.arange(0, 181, 1.0)


def _check_distance(site_distance) -> np.ndarray:
    D = np.asarray(site_distance, dtype=float)
    if D.ndim != 2 or D.shape[0] != D.shape[1]:
        raise ValueError(f"site_distance must be a square n_sites x n_sites matrix, got shape {D.shape}")
    if D.shape[0] == 0:
        raise ValueError("site_distance is empty")
    if not np.isfinite(D).all():
        raise ValueError("site_distance has missing or infinite entries")
    if (D < 0).any():
        raise ValueError("site_distance has negative entries")
    if np.any(np.diag(D) != 0):
        raise ValueError("site_distance must have a zero diagonal (a site is at distance 0 from itself)")
    if not np.allclose(D, D.T, rtol=1e-9, atol=1e-9):
        raise ValueError("site_distance must be symmetric")
    return D


def _check_counts(counts, n_sites: int, name: str) -> np.ndarray:
    c = np.asarray(counts, dtype=float)
    if c.shape != (n_sites,):
        raise ValueError(f"{name} must have one entry per site ({n_sites}), got shape {c.shape}")
    if not np.isfinite(c).all() or (c < 0).any() or np.any(c != np.round(c)):
        raise ValueError(f"{name} must hold non-negative integer plant counts")
    return c


def _check_grid(grid) -> np.ndarray:
    g = np.asarray(grid, dtype=float)
    if g.ndim != 1 or g.size == 0 or not np.isfinite(g).all() or (g < 0).any():
        raise ValueError("grid must be a non-empty one-dimensional array of distances >= 0")
    return g


def _pair_distances(
    D: np.ndarray, counts: np.ndarray, weights: np.ndarray | None, weights_sq: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Unique plant-pair distances (ascending) and the total pair weight at each."""
    occ = np.flatnonzero(counts > 0)
    c = counts[occ]
    if weights is None:
        e = c
        within = c * (c - 1) / 2
    else:
        e = weights[occ]
        q = e**2 / c if weights_sq is None else weights_sq[occ]
        within = (e**2 - q) / 2
    iu, ju = np.triu_indices(occ.size, k=1)
    dist = np.concatenate(([0.0], D[occ[iu], occ[ju]]))
    w = np.concatenate(([within.sum()], e[iu] * e[ju]))
    keep = w > 0
    uniq, inverse = np.unique(dist[keep], return_inverse=True)
    return uniq, np.bincount(inverse, weights=w[keep], minlength=uniq.size)


def silverman_bandwidth(site_distance, plant_site_counts, weights=None, weights_sq=None) -> float:
    r"""Silverman's rule-of-thumb bandwidth (km) of the plant-pair distance distribution.

    .. math::

        h = 0.9 \, \min\!\left(\hat\sigma, \frac{\mathrm{IQR}}{1.34}\right) N^{-1/5},

    with :math:`N = n(n-1)/2` plant pairs, :math:`\hat\sigma` the (pair-weighted) standard
    deviation with divisor :math:`N - 1` and the IQR from R's default (type 7) quantiles of
    the pair distances, as in R's ``bw.nrd0``; if the IQR is 0 the standard deviation is used.

    Parameters are as in :func:`k_density`.

    References
    ----------
    Silverman, B. W. (1986) *Density Estimation for Statistics and Data Analysis*. Chapman
    and Hall, London, eq. (3.31).
    """
    D = _check_distance(site_distance)
    c = _check_counts(plant_site_counts, D.shape[0], "plant_site_counts")
    w_emp, w_sq = _check_weights(weights, weights_sq, c)
    n = c.sum()
    d, w = _pair_distances(D, c, w_emp, w_sq)
    return silverman_from_pairs(d, w, n * (n - 1) / 2)


def _check_weights(weights, weights_sq, c: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    if weights is None:
        if weights_sq is not None:
            raise ValueError("weights_sq given without weights")
        return None, None
    e = np.asarray(weights, dtype=float)
    if e.shape != c.shape or not np.isfinite(e).all() or (e < 0).any():
        raise ValueError("weights must be a non-negative finite array with one entry per site")
    if np.any((c == 0) & (e > 0)):
        raise ValueError("weights is positive at sites without plants")
    q = None
    if weights_sq is not None:
        q = np.asarray(weights_sq, dtype=float)
        if q.shape != c.shape or not np.isfinite(q).all() or (q < 0).any() or np.any(q > e**2 * (1 + 1e-12)):
            raise ValueError(
                "weights_sq must be per-site sums of squared plant weights (0 <= weights_sq <= weights**2)"
            )
    return e, q


def k_density(
    site_distance,
    plant_site_counts,
    grid=DEFAULT_GRID,
    bandwidth: str | float = "silverman",
    weights=None,
    weights_sq=None,
) -> np.ndarray:
    r"""Duranton-Overman K-density of the distances between all pairs of an industry's plants.

    .. math::

        \hat K(x) = \frac{1}{h \sum_{p} \omega_p} \sum_{p}
            \omega_p \left[ \phi\!\left(\frac{x - d_p}{h}\right) + \phi\!\left(\frac{x + d_p}{h}\right)\right],
            \qquad x \ge 0,

    summing over unordered plant pairs p at distance :math:`d_p` with weight :math:`\omega_p`
    (1 for the count version; :math:`e_j e_k` for the employment-weighted version of DO 2005
    section 5); :math:`\phi` is the standard normal density. The second term reflects the
    kernel mass that falls below 0 back onto :math:`x \ge 0` (Silverman 1986, section 2.10),
    so the estimate integrates to 1 on :math:`[0, \infty)`. Because plants sit on sites, the
    sum runs over unique site distances with pair weights :math:`c_a c_b` (two sites) and
    :math:`c_a(c_a-1)/2` (within a site, distance 0).

    Parameters
    ----------
    site_distance : array (n_sites, n_sites)
        Symmetric distances between sites in km, zero diagonal.
    plant_site_counts : array (n_sites,)
        Number of the industry's plants at each site (at least 2 in total).
    grid : array
        Distances (km, >= 0) at which to evaluate the density; default 0, 1, ..., 180.
    bandwidth : "silverman" or float
        Kernel bandwidth in km; ``"silverman"`` applies :func:`silverman_bandwidth` to the
        (weighted) pair distances.
    weights : array (n_sites,), optional
        Employment-weighted K-density: the industry's total employment at each site. Pairs
        across sites get weight :math:`E_a E_b`, pairs within a site
        :math:`(E_a^2 - Q_a)/2` with :math:`Q_a` the sum of squared plant employments.
    weights_sq : array (n_sites,), optional
        :math:`Q_a`; if omitted, plants at a site are taken as equal-sized,
        :math:`Q_a = E_a^2 / c_a`.

    Returns
    -------
    numpy.ndarray
        :math:`\hat K` at each grid distance, in 1/km.

    Notes
    -----
    Normalised by the total pair weight (:math:`n(n-1)/2` unordered pairs in the count
    version), so the density integrates to 1 over :math:`[0, \infty)`; truncating the grid
    (DO use 0-180 km, the median distance between UK plant pairs) leaves the values unchanged.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) Testing for localization using micro-geographic
    data. *Review of Economic Studies* 72(4): 1077-1106, section 3.
    Silverman, B. W. (1986) *Density Estimation for Statistics and Data Analysis*. Chapman and
    Hall, London.
    """
    D = _check_distance(site_distance)
    c = _check_counts(plant_site_counts, D.shape[0], "plant_site_counts")
    if c.sum() < 2:
        raise ValueError("a K-density needs at least two plants")
    g = _check_grid(grid)
    e, q = _check_weights(weights, weights_sq, c)
    n = c.sum()
    d, w = _pair_distances(D, c, e, q)
    if w.sum() <= 0:
        raise ValueError("all plant-pair weights are zero")
    h = resolve_bandwidth(bandwidth, d, w, n * (n - 1) / 2)
    return exact_kernel_density(d, w, g, h, KERNEL_REACH)


@dataclass(frozen=True)
class KDensityBands:
    """Counterfactual K-density bands for one industry (Duranton and Overman 2005, section 4).

    Attributes
    ----------
    grid : numpy.ndarray
        Distances (km).
    bandwidth : float
        Bandwidth (km) used for the observed and every counterfactual density.
    n_plants : int
        Plants drawn in each counterfactual (the industry's plant count).
    n_sim : int
        Number of counterfactuals.
    local_lower, local_upper : numpy.ndarray
        Pointwise quantiles (``quantiles``) of the counterfactual densities at each distance.
    global_lower, global_upper : numpy.ndarray
        Global bands: pointwise order statistics chosen so that only a share ``quantiles[0]``
        (lower) and ``1 - quantiles[1]`` (upper) of the counterfactuals cross them anywhere
        on the grid.
    global_lower_level, global_upper_level : float
        The pointwise quantile level (0-1) that the global bands correspond to.
    simulations : numpy.ndarray
        The counterfactual densities, shape (n_sim, len(grid)).
    """

    grid: np.ndarray
    bandwidth: float
    n_plants: int
    n_sim: int
    local_lower: np.ndarray
    local_upper: np.ndarray
    global_lower: np.ndarray
    global_upper: np.ndarray
    global_lower_level: float
    global_upper_level: float
    simulations: np.ndarray


def _counterfactual_from_sites(
    site_distance: np.ndarray,
    counts: np.ndarray,
    grid: np.ndarray,
    h: float,
    n: int,
    bin_km: float = DEFAULT_BIN_KM,
    threads: int = 1,
    d_max: float | None = None,
    kernel: np.ndarray | None = None,
) -> np.ndarray:
    """K-densities (n_sim x grid) of simulated site counts (n_sim x n_sites), count version: each
    draw's pair distances linear-binned over the pairs of the sites it occupies (compiled:
    :func:`yrd.metrics.pair_kernels.site_draws_histograms`), then smoothed by the kernel at the
    mesh nodes (module docstring); pairs beyond reach skipped (:func:`~yrd.metrics.binning.mesh_nodes`).
    ``d_max``: the largest site distance, ``kernel``: the kernel at the nodes, if known."""
    from yrd.metrics.pair_kernels import site_draws_histograms

    reach, n_nodes = binning.mesh_nodes(
        grid, h, bin_km, float(site_distance.max(initial=0.0)) if d_max is None else d_max
    )
    hist = site_draws_histograms(site_distance, counts, reach, bin_km, n_nodes, threads)
    kernel = kernel_at_nodes(grid, h, bin_km, n_nodes, threads) if kernel is None else kernel
    return hist @ kernel / (n * (n - 1) / 2)


def _global_band_indices(sims: np.ndarray, alpha_low: float, alpha_high: float) -> tuple[int, int]:
    """Order-statistic indices k_lo, k_hi such that at most a share alpha_low of simulations
    fall below the k_lo-th value, and at most alpha_high rise above the k_hi-th value, at any
    grid distance (ranks within each distance, ties broken by order)."""
    n_sim = sims.shape[0]
    ranks = np.argsort(np.argsort(sims, axis=0, kind="stable"), axis=0, kind="stable")
    max_rank = np.sort(ranks.max(axis=1))
    min_rank = np.sort(ranks.min(axis=1))
    k_hi = int(max_rank[n_sim - int(np.floor(alpha_high * n_sim)) - 1])
    k_lo = int(min_rank[int(np.floor(alpha_low * n_sim))])
    return k_lo, k_hi


def check_band_options(quantiles: tuple[float, float], n_sim: int) -> None:
    """Raise ValueError unless 0 < quantiles[0] < quantiles[1] < 1 and n_sim >= 2 (both versions' bands)."""
    lo_q, hi_q = quantiles
    if not 0 < lo_q < hi_q < 1:
        raise ValueError(f"quantiles must satisfy 0 < lower < upper < 1, got {quantiles}")
    if int(n_sim) < 2:
        raise ValueError("n_sim must be at least 2")


def k_density_bands(
    site_distance,
    plant_site_counts,
    all_sites_counts,
    n_sim: int = 1000,
    seed: int = 20050101,
    grid=DEFAULT_GRID,
    quantiles: tuple[float, float] = (0.05, 0.95),
    bandwidth: str | float = "silverman",
    bin_km: float = DEFAULT_BIN_KM,
) -> KDensityBands:
    r"""Local and global confidence bands of an industry's K-density under random location.

    Each counterfactual places the industry's n plants on sites drawn independently (with
    replacement, :meth:`numpy.random.Generator.multinomial`) with probability proportional
    to the number of all manufacturing plants at each site, i.e. "as if at random" given the
    overall pattern of manufacturing (DO 2005, section 4). Its K-density is computed with the
    observed industry's bandwidth, so observed and counterfactual densities differ only in
    where plants are.

    Local bands are the pointwise ``quantiles`` of the counterfactual densities. Global bands
    follow DO 2005 (section 4): the pointwise quantile level is raised until only a share
    ``1 - quantiles[1]`` of counterfactuals lies above the upper band at *any* distance of the
    grid (likewise ``quantiles[0]`` below the lower band). The level is found exactly from
    ranks: a counterfactual crosses the k-th order statistic somewhere iff its largest
    pointwise rank exceeds k.

    Parameters
    ----------
    site_distance : array (n_sites, n_sites)
        Symmetric site distances in km, zero diagonal.
    plant_site_counts : array (n_sites,)
        The industry's plants per site (gives n and the observed bandwidth).
    all_sites_counts : array (n_sites,)
        All manufacturing plants per site (the sampling frame).
    n_sim : int
        Number of counterfactuals (DO use 1000).
    seed : int
        Seed of :func:`numpy.random.default_rng`; same seed, same bands.
    grid : array
        Distances in km, default 0-180.
    quantiles : (float, float)
        Lower and upper levels, default 5% and 95% (global bands hit by 5% of
        counterfactuals each).
    bandwidth : "silverman" or float
        As in :func:`k_density`; "silverman" uses the observed industry's pairs.
    bin_km : float
        Mesh step (km) of the counterfactuals' linear binning (module docstring); error at
        most :func:`yrd.metrics.binning.binning_error_bound` per km.

    Returns
    -------
    KDensityBands

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) Testing for localization using micro-geographic
    data. *Review of Economic Studies* 72(4): 1077-1106, section 4.
    """
    sites = SitePairs(site_distance, all_sites_counts)
    return sites.estimate(plant_site_counts, n_sim, seed, grid, quantiles, bandwidth, bin_km)[1]


class SitePairs:
    """The sampling frame of :func:`k_density_bands` (site distances and all plants per site,
    validated) and every pair of its sites with plants, with their distances.

    Built once per year and shared by that year's industries
    (:func:`yrd.metrics.apply.kdensity_tables`): at national scale (2,846 counties) validating
    the distance matrix and listing its 4 million site pairs cost about as much as an industry's
    counterfactuals. :meth:`estimate` gives what :func:`k_density` and :func:`k_density_bands`
    give, from the same numbers."""

    def __init__(self, site_distance, all_sites_counts) -> None:
        self.D = _check_distance(site_distance)
        self.frame = _check_counts(all_sites_counts, self.D.shape[0], "all_sites_counts")
        if self.frame.sum() == 0:
            raise ValueError("all_sites_counts is all zero: no site to draw counterfactual plants from")
        self.support = np.flatnonzero(self.frame > 0)
        # distances among the sites with plants (counterfactual draws land only there)
        self.D_support = np.ascontiguousarray(self.D[np.ix_(self.support, self.support)])
        self.d_max = float(self.D_support.max(initial=0.0))
        iu, ju = np.triu_indices(self.support.size, k=1)
        # distinct distances of [0 (within a site), all site pairs], sorted once for all industries
        self.d_unique, self.d_inverse = np.unique(np.concatenate(([0.0], self.D_support[iu, ju])), return_inverse=True)

    def _pair_distances(self, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:func:`_pair_distances` of site counts ``c`` by a bincount onto the sorted distances,
        over the occupied sites' pairs only (in the frame's order: pair i < j of ``m`` sites is
        entry ``i m - i (i + 1) / 2 + j - i - 1``), the same sums as over all pairs."""
        cs = c[self.support]
        occ = np.flatnonzero(cs > 0)
        ii, jj = np.triu_indices(occ.size, k=1)
        i, j, m = occ[ii], occ[jj], self.support.size
        pos = i * m - i * (i + 1) // 2 + (j - i - 1)
        w = np.concatenate(([(cs * (cs - 1) / 2).sum()], cs[i] * cs[j]))
        inverse = np.concatenate((self.d_inverse[:1], self.d_inverse[1 + pos]))
        total = np.bincount(inverse, weights=w, minlength=self.d_unique.size)
        keep = total > 0
        return self.d_unique[keep], total[keep]

    def estimate(
        self,
        plant_site_counts,
        n_sim: int = 1000,
        seed: int = 20050101,
        grid=DEFAULT_GRID,
        quantiles: tuple[float, float] = (0.05, 0.95),
        bandwidth: str | float = "silverman",
        bin_km: float = DEFAULT_BIN_KM,
        threads: int = 1,
    ) -> tuple[np.ndarray, KDensityBands]:
        """The observed K-density and the bands (:func:`k_density_bands`) of an industry with
        ``plant_site_counts`` on this frame; ``threads``: threads of the counterfactuals (the
        result does not depend on it). The observed density is binned on the counterfactuals'
        mesh and smoothed by the same kernel matrix (:func:`yrd.metrics.binning.binned_kernel_density`),
        so both sides of the test carry the same binning; it is within
        :func:`yrd.metrics.binning.binning_error_bound` per km of :func:`k_density`."""
        c = _check_counts(plant_site_counts, self.D.shape[0], "plant_site_counts")
        g = _check_grid(grid)
        check_band_options(quantiles, n_sim)
        n = int(c.sum())
        if n < 2:
            raise ValueError("a K-density needs at least two plants")
        if np.any((c > 0) & (self.frame == 0)):
            raise ValueError("all_sites_counts is zero at a site where the industry has plants")
        d, w = self._pair_distances(c)
        h = resolve_bandwidth(bandwidth, d, w, n * (n - 1) / 2)
        f = self.frame[self.support]
        counts = np.random.default_rng(seed).multinomial(n, f / f.sum(), size=int(n_sim))
        reach, n_nodes = binning.mesh_nodes(g, h, bin_km, self.d_max)
        kernel = kernel_at_nodes(g, h, bin_km, n_nodes, threads)
        sims = _counterfactual_from_sites(self.D_support, counts, g, h, n, bin_km, threads, self.d_max, kernel)
        return binning.binned_kernel_density(d, w, kernel, bin_km, reach), bands_from_simulations(
            sims, g, h, n, quantiles
        )


def bands_from_simulations(
    sims: np.ndarray, grid: np.ndarray, bandwidth: float, n_plants: int, quantiles: tuple[float, float]
) -> KDensityBands:
    """Local (pointwise quantiles) and global (DO 2005 section 4, :func:`_global_band_indices`)
    bands from counterfactual densities ``sims`` (n_sim x grid); shared by the site version
    (:func:`k_density_bands`) and the point version (:mod:`yrd.metrics.kdensity_points`)."""
    lo_q, hi_q = quantiles
    n_sim = sims.shape[0]
    k_lo, k_hi = _global_band_indices(sims, lo_q, 1.0 - hi_q)
    ordered = np.sort(sims, axis=0)
    return KDensityBands(
        grid=np.asarray(grid, dtype=float),
        bandwidth=float(bandwidth),
        n_plants=int(n_plants),
        n_sim=int(n_sim),
        local_lower=np.quantile(sims, lo_q, axis=0),
        local_upper=np.quantile(sims, hi_q, axis=0),
        global_lower=ordered[k_lo],
        global_upper=ordered[k_hi],
        global_lower_level=k_lo / (n_sim - 1),
        global_upper_level=k_hi / (n_sim - 1),
        simulations=sims,
    )


def localisation_index(k: np.ndarray, bands: KDensityBands) -> float:
    r"""Duranton-Overman index of localisation :math:`\Gamma = \sum_d \max(\hat K(d) - \bar K(d), 0)`.

    :math:`\bar K` is the upper global band; the sum runs over the grid (1-km steps by
    default, as in DO 2005). The industry is *localised* at the 5% level when
    :math:`\Gamma > 0`.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) *Review of Economic Studies* 72(4), section 4.
    """
    k = np.asarray(k, dtype=float)
    if k.shape != bands.grid.shape:
        raise ValueError(f"k has shape {k.shape} but the bands' grid has shape {bands.grid.shape}")
    return float(np.maximum(k - bands.global_upper, 0.0).sum())


def dispersion_index(k: np.ndarray, bands: KDensityBands) -> float:
    r"""Duranton-Overman index of dispersion
    :math:`\Psi = \sum_d \max(\underline K(d) - \hat K(d), 0)` if the industry is nowhere
    localised (:math:`\Gamma = 0`), and 0 otherwise.

    :math:`\underline K` is the lower global band. DO count dispersion only for industries
    that are not localised, since a density that is high at short distances must be low
    somewhere else.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) *Review of Economic Studies* 72(4), section 4.
    """
    if localisation_index(k, bands) > 0:
        return 0.0
    return float(np.maximum(bands.global_lower - np.asarray(k, dtype=float), 0.0).sum())
