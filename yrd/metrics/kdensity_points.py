"""Duranton-Overman K-densities of plant POINTS (longitude/latitude per plant), with local and
global counterfactual bands: the point version of :mod:`yrd.metrics.kdensity` (same kernel,
bandwidth rule, bands and indices; only the plant-pair distances differ).

Algorithm (hand-written; no library computes DO K-densities on points):

* **Distances.** Plants become 3-D unit vectors
  :math:`u = (\\cos\\varphi\\cos\\lambda, \\cos\\varphi\\sin\\lambda, \\sin\\varphi)`; the
  great-circle distance of a pair is :math:`d = 2R\\arcsin(c/2)` with :math:`c = \\lVert u - v\\rVert`
  the chord, R = :data:`yrd.boundaries.EARTH_RADIUS_KM` (the same sphere as the county
  distance matrix's haversine formula).
* **Pruning.** As in the site version, pairs farther than ``max(grid) + KERNEL_REACH * h`` add
  less than exp(-50) of the kernel's peak anywhere on the grid and are left out. The pairs within
  reach are found and binned by one compiled sweep over the points sorted along their principal
  axis (:mod:`yrd.metrics.pair_kernels`; numba, on ``threads`` threads): no array of pairs is
  built, and the sweep stops a row as soon as the points along the axis are out of reach.
* **Linear binning.** Each pair distance is split between the two nearest nodes of a fine
  regular mesh of step ``b`` (default 0.05 km) in proportion to its closeness (Wand and Jones
  1995, appendix D). The kernel is then evaluated only at the nodes, and the densities of all
  counterfactuals are one matrix product (n_sim x nodes) @ (nodes x grid). Binning error: for
  any grid point x the kernel term :math:`f(d) = K_h(x-d) + K_h(x+d)` is replaced by its linear
  interpolant between nodes, which differs by at most :math:`b^2 \\max|f''|/8` with
  :math:`\\max|f''| \\le 2\\phi(0)/h^3`; averaged over pairs the density is off by at most
  ``yrd.metrics.binning.binning_error_bound(b, h)`` :math:`= \\phi(0) b^2 / (4 h^3)` per km (2e-6 for b = 0.05 km,
  h = 5 km, against densities of 0.001-0.1 per km at short distances); it is written in the
  summary of every industry-year.
* **Bandwidth.** Silverman's rule needs the standard deviation and IQR of ALL n(n-1)/2 pair
  distances of the observed industry, not only those within reach. They are computed exactly
  for any n in two passes over blocks of pairs (:func:`pair_distance_moments`): pass 1
  accumulates the sum and the sum of squares (shifted) and a 1-km histogram of every pair
  distance, which locates the ranks needed by the type-7 quartiles; pass 2 collects the
  distances falling into those histogram bins only and selects the exact order statistics.
  Memory is one block of pairs; time is two all-pairs passes (O(n^2)).
* **Counterfactuals.** Each draws the industry's n plants without replacement from all usable
  plant points of the year (the whole manufacturing sector), :meth:`numpy.random.Generator.choice`,
  as DO do with plant sites. (The county version draws sites with replacement in proportion to
  their plants, a multinomial; with many plants per county the two hardly differ.)

References
----------
Duranton, G. and Overman, H. G. (2005) Testing for localization using micro-geographic data.
*Review of Economic Studies* 72(4): 1077-1106.
Wand, M. P. and Jones, M. C. (1995) *Kernel Smoothing*. Chapman and Hall, London, appendix D.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.spatial.distance import cdist

from yrd.boundaries import EARTH_RADIUS_KM
from yrd.metrics.bandwidth import silverman_rule
from yrd.metrics.binning import DEFAULT_BIN_KM, kernel_at_nodes
from yrd.metrics.kdensity import (
    DEFAULT_GRID,
    KERNEL_REACH,
    KDensityBands,
    _check_grid,
    bands_from_simulations,
    check_band_options,
)
from yrd.metrics.pair_kernels import chord_to_km, draws_pair_histograms, pair_distance_histogram

#: Industries with fewer plants have their counterfactuals' pairs counted in one compiled call,
#: the draws side by side on the threads (:func:`yrd.metrics.pair_kernels.draws_pair_histograms`);
#: larger ones one draw at a time, its rows split over the threads
#: (:func:`yrd.metrics.pair_kernels.pair_distance_histogram`). Measured on 2 threads, clustered YRD
#: points: per draw 0.05 vs 0.22 ms at 30 plants and 0.26 vs 0.52 ms at 500 in one call, but 2.0
#: vs 1.7 ms at 2,000 and 33-37 vs 28-29 ms at 10,000 (the two draws' data then crowd the caches).
BATCH_MAX_PLANTS = 1000

#: Pairs handled per block (memory bound: about 40 bytes per pair).
_BLOCK_PAIRS = 4_000_000


def unit_vectors(lon, lat) -> np.ndarray:
    """3-D unit vectors (n x 3) of points given in degrees (WGS84 taken as a sphere)."""
    lam = np.radians(np.asarray(lon, dtype=float))
    phi = np.radians(np.asarray(lat, dtype=float))
    if lam.shape != phi.shape or lam.ndim != 1:
        raise ValueError("lon and lat must be one-dimensional arrays of the same length")
    if not (np.isfinite(lam).all() and np.isfinite(phi).all()):
        raise ValueError("lon/lat have missing or infinite values")
    if (np.abs(phi) > np.pi / 2 + 1e-12).any():
        raise ValueError("latitudes must lie in [-90, 90]")
    cp = np.cos(phi)
    return np.column_stack([cp * np.cos(lam), cp * np.sin(lam), np.sin(phi)])


def _row_blocks(n: int) -> Iterator[tuple[int, int]]:
    step = max(1, _BLOCK_PAIRS // max(n, 1))
    for a in range(0, n, step):
        yield a, min(n, a + step)


def _all_pair_km(xyz: np.ndarray) -> Iterator[np.ndarray]:
    """Distances (km) of every unordered pair i < j, one block of rows at a time."""
    n = xyz.shape[0]
    for a, b in _row_blocks(n):
        c = cdist(xyz[a:b], xyz[a + 1 :])  # row r (point a + r) against points a+1 .. n-1
        # keep j > i: in row r the columns are points a+1+k; j > a+r  <=>  k >= r
        k = np.arange(c.shape[1])[None, :] >= np.arange(b - a)[:, None]
        yield chord_to_km(c[k])


def pair_histogram(xyz: np.ndarray, reach_km: float, bin_km: float = DEFAULT_BIN_KM, threads: int = 1) -> np.ndarray:
    """Linear-binned counts of the pair distances within ``reach_km`` on nodes 0, b, 2b, ...
    (the compiled sweep :func:`yrd.metrics.pair_kernels.pair_distance_histogram`)."""
    n_nodes = int(np.ceil(reach_km / bin_km)) + 2
    return pair_distance_histogram(xyz, reach_km, bin_km, n_nodes, threads)


def pair_distance_moments(xyz: np.ndarray) -> tuple[float, float, float, float]:
    """Exact mean, standard deviation (divisor N - 1), and type-7 25% and 75% quantiles of all
    N = n(n-1)/2 pair distances (km), in two blocked passes (module docstring)."""
    n = xyz.shape[0]
    n_pairs = n * (n - 1) // 2
    if n_pairs < 2:
        raise ValueError("Silverman's bandwidth needs at least two plant pairs (three plants); pass a bandwidth")
    # pass 1: shifted sums (shift = distance of a few pairs, for numerical stability) and histogram
    shift = float(np.mean(next(_all_pair_km(xyz[: min(n, 50)]))))
    n_bins = int(np.ceil(np.pi * EARTH_RADIUS_KM)) + 2
    hist = np.zeros(n_bins, dtype=np.int64)
    s1 = s2 = 0.0
    for d in _all_pair_km(xyz):
        z = d - shift
        s1 += z.sum()
        s2 += (z * z).sum()
        hist += np.bincount(d.astype(np.int64), minlength=n_bins)[:n_bins]
    mean = shift + s1 / n_pairs
    var = (s2 - s1 * s1 / n_pairs) / (n_pairs - 1)
    # ranks (0-based) needed by the type-7 quartiles: floor(pos) and floor(pos) + 1
    pos = [(n_pairs - 1) * p for p in (0.25, 0.75)]
    ranks = sorted({int(np.floor(x)) + k for x in pos for k in (0, 1) if int(np.floor(x)) + k < n_pairs})
    cum = np.cumsum(hist)
    bins_of = {r: int(np.searchsorted(cum, r, side="right")) for r in ranks}
    wanted = np.zeros(n_bins, dtype=bool)
    wanted[list(bins_of.values())] = True
    # pass 2: the distances in the wanted bins, sorted per bin, give the exact order statistics
    caught = np.concatenate([d[wanted[d.astype(np.int64)]] for d in _all_pair_km(xyz)])
    caught.sort()
    first_rank = {b: int(cum[b - 1]) if b > 0 else 0 for b in set(bins_of.values())}
    start = {}  # offset of each wanted bin's values within `caught`
    off = 0
    for b in np.flatnonzero(wanted):
        start[int(b)] = off
        off += int(hist[b])
    value = {r: caught[start[b] + r - first_rank[b]] for r, b in bins_of.items()}
    q = []
    for x in pos:
        lo = int(np.floor(x))
        hi = min(lo + 1, n_pairs - 1)
        q.append(value[lo] + (x - lo) * (value[hi] - value[lo]))
    return float(mean), float(np.sqrt(max(var, 0.0))), float(q[0]), float(q[1])


def silverman_bandwidth_points(xyz: np.ndarray) -> float:
    """Silverman's bandwidth (km) of all pair distances of points ``xyz`` (unit vectors): the
    rule of :func:`yrd.metrics.kdensity.silverman_bandwidth`,
    :math:`0.9 \\min(\\hat\\sigma, \\mathrm{IQR}/1.34) N^{-1/5}`, with exact moments and
    quartiles from :func:`pair_distance_moments`."""
    n = xyz.shape[0]
    n_pairs = n * (n - 1) / 2
    _, sd, q25, q75 = pair_distance_moments(xyz)
    return silverman_rule(sd, q75 - q25, n_pairs)


def _reach(grid: np.ndarray, h: float) -> float:
    return float(grid.max() + KERNEL_REACH * h)


def k_density_points(
    lon,
    lat,
    grid=DEFAULT_GRID,
    bandwidth: str | float = "silverman",
    bin_km: float = DEFAULT_BIN_KM,
    threads: int = 1,
) -> tuple[np.ndarray, float]:
    r"""K-density (1/km) of the distances between all pairs of plants at points (lon, lat in
    degrees), and the bandwidth used: :func:`yrd.metrics.kdensity.k_density` with every plant
    its own site (reflected Gaussian kernel, normalised by n(n-1)/2), computed by the module's
    compiled pruning and linear binning on ``threads`` threads (error at most :func:`yrd.metrics.binning.binning_error_bound`).

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) *Review of Economic Studies* 72(4), section 3.
    """
    xyz = unit_vectors(lon, lat)
    g = _check_grid(grid)
    n = xyz.shape[0]
    if n < 2:
        raise ValueError("a K-density needs at least two plants")
    h = _bandwidth(bandwidth, xyz)
    hist = pair_histogram(xyz, _reach(g, h), bin_km, threads)
    return hist @ kernel_at_nodes(g, h, bin_km, hist.size, threads) / (n * (n - 1) / 2), h


def _bandwidth(bandwidth, xyz: np.ndarray) -> float:
    if isinstance(bandwidth, str):
        if bandwidth != "silverman":
            raise ValueError(f"bandwidth must be 'silverman' or a positive number, got {bandwidth!r}")
        return silverman_bandwidth_points(xyz)
    h = float(bandwidth)
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"bandwidth must be positive, got {bandwidth!r}")
    return h


def counterfactual_densities_points(
    frame_xyz: np.ndarray,
    draws: np.ndarray,
    grid: np.ndarray,
    h: float,
    bin_km: float = DEFAULT_BIN_KM,
    threads: int = 1,
) -> np.ndarray:
    """K-densities (n_sim x grid) of the plant sets ``frame_xyz[draws[s]]`` (draws: n_sim x n
    indices into the frame), all with bandwidth ``h``: one linear-binned histogram of near pair
    distances per draw on ``threads`` threads, then (n_sim x nodes) @ (nodes x grid)."""
    g = _check_grid(grid)
    draws = np.asarray(draws)
    n_sim, n = draws.shape
    reach = _reach(g, h)
    n_nodes = int(np.ceil(reach / bin_km)) + 2
    if n < BATCH_MAX_PLANTS:  # many small draws: all in one call, side by side
        hists = draws_pair_histograms(frame_xyz, draws, reach, bin_km, n_nodes, threads)
    else:  # large draws: one at a time, each split over the threads
        hists = np.stack([pair_distance_histogram(frame_xyz[d], reach, bin_km, n_nodes, threads) for d in draws])
    return hists @ kernel_at_nodes(g, h, bin_km, n_nodes, threads) / (n * (n - 1) / 2)


def k_density_points_bands(
    lon,
    lat,
    frame_lon,
    frame_lat,
    n_sim: int = 1000,
    seed: int = 20050101,
    grid=DEFAULT_GRID,
    quantiles: tuple[float, float] = (0.05, 0.95),
    bandwidth: str | float = "silverman",
    bin_km: float = DEFAULT_BIN_KM,
    threads: int = 1,
) -> tuple[np.ndarray, KDensityBands]:
    r"""Observed K-density of an industry's plant points and its local and global bands.

    Each of ``n_sim`` counterfactuals draws the industry's n plants without replacement from the
    frame (all usable plant points of the year, the industry's included: "as if at random"
    given the overall pattern of manufacturing, DO 2005 section 4) and computes the K-density
    with the observed industry's bandwidth. Bands and their levels are those of
    :func:`yrd.metrics.kdensity.k_density_bands` (:func:`yrd.metrics.kdensity.bands_from_simulations`);
    Gamma and Psi follow from :func:`yrd.metrics.kdensity.localisation_index` and
    :func:`yrd.metrics.kdensity.dispersion_index`.

    Returns
    -------
    (k, bands)
        The observed density on ``grid`` and the :class:`~yrd.metrics.kdensity.KDensityBands`.

    References
    ----------
    Duranton, G. and Overman, H. G. (2005) *Review of Economic Studies* 72(4), sections 3-4.
    """
    g = _check_grid(grid)
    check_band_options(quantiles, n_sim)
    k, h = k_density_points(lon, lat, g, bandwidth, bin_km, threads)
    n = int(np.asarray(lon).size)
    frame = unit_vectors(frame_lon, frame_lat)
    if frame.shape[0] < n:
        raise ValueError(f"the frame has {frame.shape[0]} points, fewer than the industry's {n} plants")
    rng = np.random.default_rng(seed)
    draws = np.stack([rng.choice(frame.shape[0], size=n, replace=False) for _ in range(int(n_sim))])
    sims = counterfactual_densities_points(frame, draws, g, h, bin_km, threads)
    return k, bands_from_simulations(sims, g, h, n, quantiles)
