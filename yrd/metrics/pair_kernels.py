"""Compiled pair loop of the point K-densities: the linear-binned histogram of the great-circle
distances between all plant pairs within reach, in one pass (numba; hand-written, because no
kept library bins pair distances with linear weights).

The loop fuses what the NumPy version did in separate passes over arrays of pair distances
(chord, arc length, reach test, linear binning), so no array of pairs is ever built:

* **Distance.** For unit vectors ``u_i, u_j`` the chord is ``c = ||u_i - u_j||`` and the
  great-circle distance ``d = 2 R asin(c / 2)`` (:func:`chord_to_km`).
  Pairs with ``c > chord(reach)`` are skipped before the square root; pairs with ``d > reach``
  (km) are skipped after it, exactly as the NumPy filter ``d <= reach`` did. Where every pair
  in reach has ``c / 2 <= 0.06`` (reach up to about 760 km) the arcsine is its Taylor series
  to ``x^9``, relative error below 1e-15, which the compiler can vectorise; beyond,
  ``math.asin``.
* **Phases of a row.** For each point ``i`` the squared chords to its candidates are computed
  in one vectorised loop, those within reach are compacted without branches, their distances
  computed in a second vectorised loop, and only then binned (four interleaved histograms, so
  that consecutive additions do not wait on one another).
* **Binning.** ``d / b = k + f``: weight ``1 - f`` to node ``k`` and ``f`` to node ``k + 1``
  (Wand and Jones 1995, appendix D); weight beyond the last node is dropped, as in
  :func:`yrd.metrics.binning.linear_bin`.
* **Pruning (sweep and prune).** The points are sorted by their coordinate ``a = u . e`` along
  their principal axis ``e``. Since ``|a_i - a_j| <= ||u_i - u_j||``, once ``a_j - a_i`` exceeds the
  chord reach every later ``j`` is out of reach too and the inner loop stops. With a reach of
  224 km this skips 41 % of the pairs of the default (YRD) world's plants of 2013 and 79 % of
  the national world's (20,000 plants drawn from each).
* **Threads.** :func:`pair_distance_histogram` splits one set of points into ``threads``
  contiguous blocks of rows of equal work (candidate pairs, counted beforehand from the sweep's
  bounds), each with histograms of its own, summed at the end; :func:`draws_pair_histograms`
  runs many sets (counterfactual draws) side by side instead, one per thread at a time. The
  result differs from a serial sum only by floating-point rounding. (Dealing rows to threads in
  turn, ``i = t, t + T, ...``, balances too but made the inner loops twice as slow.)

References
----------
Wand, M. P. and Jones, M. C. (1995) *Kernel Smoothing*. Chapman and Hall, London, appendix D.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from yrd.boundaries import EARTH_RADIUS_KM


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) from the chord length between unit vectors."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    """Chord length between unit vectors at great-circle distance ``km`` (capped at the diameter)."""
    return float(2.0 * np.sin(min(km / (2.0 * EARTH_RADIUS_KM), np.pi / 2)))


#: Largest half-chord up to which the arcsine is evaluated by its Taylor series to x^9
#: (relative error below 1e-15 there: the first omitted term is 63/2816 x^11); beyond, math.asin.
SERIES_MAX_HALF_CHORD = 0.06


@numba.njit(cache=True)
def _sweep_bound(chord_reach: float) -> float:  # pragma: no cover - compiled
    """How far along the axis a row's candidates reach: the chord reach with a margin so that
    rounding never loses a pair in reach."""
    return chord_reach * (1.0 + 1e-12) + 1e-15


@numba.njit(cache=True)
def _hist_width(n_nodes: int, reach_km: float, bin_km: float) -> int:  # pragma: no cover - compiled
    """Histogram width holding every pair in reach (nodes from ``n_nodes`` on are dropped)."""
    return max(n_nodes, int(reach_km / bin_km) + 2)


@numba.njit(nogil=True, cache=True)
def _sweep_rows(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    ends: np.ndarray,
    i0: int,
    i1: int,
    chord_reach: float,
    reach_km: float,
    bin_km: float,
    width: int,
    lanes: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through pair_distance_histogram
    """Histograms (lanes x width; lanes a power of 2: 1 or 4) of the pairs of rows i0 .. i1-1 of the sweep
    (module docstring)."""
    n = x.shape[0]
    out = np.zeros((lanes, width))
    mask = lanes - 1
    c2 = np.empty(n)  # squared chords of row i's candidates
    near = np.empty(n)  # then: the mesh positions d / b of those within reach
    r2 = chord_reach * chord_reach
    inv_b = 1.0 / bin_km
    two_r = 2.0 * EARTH_RADIUS_KM
    series = 0.5 * chord_reach <= SERIES_MAX_HALF_CHORD
    for i in range(i0, i1):
        m = ends[i] - i - 1  # candidates i+1 .. ends[i]-1 (the sweep)
        xi, yi, zi = x[i], y[i], z[i]
        # views of the candidates: indexed from 0, the compiler drops its negative-index checks
        # and vectorises (indexing x[i + 1 + k] made the sweep 1.6 times slower)
        xs, ys, zs = x[i + 1 : i + 1 + m], y[i + 1 : i + 1 + m], z[i + 1 : i + 1 + m]
        for k in range(m):  # vectorised: squared chords of the candidates
            dx, dy, dz = xi - xs[k], yi - ys[k], zi - zs[k]
            c2[k] = dx * dx + dy * dy + dz * dz
        cnt = 0
        for k in range(m):  # keep those within the chord reach, without a branch
            v = c2[k]
            near[cnt] = v
            cnt += v <= r2
        if series:  # vectorised
            for k in range(cnt):
                h = 0.5 * math.sqrt(near[k])
                h2 = h * h
                poly = 1.0 + h2 * (1.0 / 6 + h2 * (3.0 / 40 + h2 * (5.0 / 112 + h2 * (35.0 / 1152))))
                near[k] = two_r * h * poly * inv_b
        else:
            for k in range(cnt):
                near[k] = two_r * math.asin(min(0.5 * math.sqrt(near[k]), 1.0)) * inv_b
        for k in range(cnt):
            pos = near[k]
            if pos <= reach_km * inv_b:
                lo = int(pos)
                f = pos - lo
                lane = k & mask
                out[lane, lo] += 1.0 - f
                out[lane, lo + 1] += f
    return out


@numba.njit(parallel=True, nogil=True, cache=True)
def _sweep_histogram(
    x: np.ndarray,
    y: np.ndarray,
    z: np.ndarray,
    ends: np.ndarray,
    starts: np.ndarray,
    chord_reach: float,
    reach_km: float,
    bin_km: float,
    n_nodes: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through pair_distance_histogram
    chunks = starts.size - 1
    # per block 4 interleaved histograms (consecutive pairs do not wait on each other's adds),
    # wide enough for every pair in reach; nodes from n_nodes on are dropped at the end
    width = _hist_width(n_nodes, reach_km, bin_km)
    out = np.zeros((chunks, 4, width))
    for t in numba.prange(chunks):
        out[t] = _sweep_rows(x, y, z, ends, starts[t], starts[t + 1], chord_reach, reach_km, bin_km, width, 4)
    return out.sum(axis=0).sum(axis=0)[:n_nodes]


#: Draws with fewer points are binned into one histogram, not four interleaved ones.
_LANES_MIN_POINTS = 300


@numba.njit(parallel=True, nogil=True, cache=True)
def _draws_histograms(
    fx: np.ndarray,
    fy: np.ndarray,
    fz: np.ndarray,
    fa: np.ndarray,
    draws: np.ndarray,
    chord_reach: float,
    reach_km: float,
    bin_km: float,
    n_nodes: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through draws_pair_histograms
    n_sim, n = draws.shape
    width = _hist_width(n_nodes, reach_km, bin_km)
    bound = _sweep_bound(chord_reach)
    out = np.zeros((n_sim, n_nodes))
    # interleaved lanes pay off only with many pairs; with few, zeroing and summing them is the cost
    lanes = 4 if n >= _LANES_MIN_POINTS else 1
    for s in numba.prange(n_sim):
        idx = draws[s]
        sel = idx[np.argsort(fa[idx])]
        a = fa[sel]
        ends = np.searchsorted(a, a + bound, side="right")
        h = _sweep_rows(fx[sel], fy[sel], fz[sel], ends, 0, n, chord_reach, reach_km, bin_km, width, lanes)
        out[s] = h.sum(axis=0)[:n_nodes]
    return out


def draws_pair_histograms(
    frame_xyz: np.ndarray, draws: np.ndarray, reach_km: float, bin_km: float, n_nodes: int, threads: int = 1
) -> np.ndarray:
    """:func:`pair_distance_histogram` of each draw's points ``frame_xyz[draws[s]]`` (n_sim x
    n_nodes), all in one compiled call: the draws run side by side on ``threads`` threads (one
    draw per thread at a time), each swept along the frame's principal axis (any axis is exact;
    the frame's fits every draw from it). One call per industry instead of one per draw: for small
    industries the per-call overhead was most of the time."""
    frame_xyz = _unit_vector_array(frame_xyz, "frame_xyz")
    draws = np.ascontiguousarray(draws, dtype=np.int64)
    if draws.ndim != 2 or (draws.size and (draws.min() < 0 or draws.max() >= frame_xyz.shape[0])):
        raise ValueError("draws must be an n_sim x n array of row numbers of frame_xyz")
    _check_options(reach_km, bin_km, n_nodes)
    threads = _threads(threads)
    if draws.shape[1] < 2 or draws.shape[0] == 0:
        return np.zeros((draws.shape[0], n_nodes))
    fa = np.ascontiguousarray(frame_xyz @ principal_axis(frame_xyz))
    return _draws_histograms(
        np.ascontiguousarray(frame_xyz[:, 0]),
        np.ascontiguousarray(frame_xyz[:, 1]),
        np.ascontiguousarray(frame_xyz[:, 2]),
        fa,
        draws,
        km_to_chord(reach_km),
        float(reach_km),
        float(bin_km),
        int(n_nodes),
    )


@numba.njit(nogil=True, cache=True)
def _sites_within(site_distance: np.ndarray, reach_km: float) -> tuple:  # pragma: no cover - compiled
    """The site pairs ``a < b`` with ``D[a, b] <= reach_km``, row by row in ascending ``b``
    (compressed rows: ``start`` (m + 1), ``other`` (b), ``dist`` (D[a, b]))."""
    m = site_distance.shape[0]
    start = np.zeros(m + 1, np.int64)
    for a in range(m):
        row = site_distance[a]
        n = 0
        for b in range(a + 1, m):
            if row[b] <= reach_km:
                n += 1
        start[a + 1] = start[a] + n
    other = np.empty(start[m], np.int32)
    dist = np.empty(start[m])
    for a in range(m):
        row = site_distance[a]
        t = start[a]
        for b in range(a + 1, m):
            if row[b] <= reach_km:
                other[t] = b
                dist[t] = row[b]
                t += 1
    return start, other, dist


@numba.njit(inline="always")
def _bin_pair(h: np.ndarray, d: float, wab: float, bin_km: float) -> None:  # pragma: no cover - compiled
    pos = d / bin_km
    node = int(math.floor(pos))
    f = pos - node
    h[node] += wab * (1.0 - f)
    h[node + 1] += wab * f


@numba.njit(parallel=True, nogil=True, cache=True)
def _site_draws_histograms(
    site_distance: np.ndarray,
    counts: np.ndarray,
    reach_km: float,
    bin_km: float,
    n_nodes: int,
    start: np.ndarray,
    other: np.ndarray,
    dist: np.ndarray,
    prune: int,
) -> np.ndarray:  # pragma: no cover - compiled; tested through site_draws_histograms
    n_sim, m = counts.shape
    out = np.zeros((n_sim, n_nodes))
    for s in numba.prange(n_sim):
        c = counts[s]
        occ = np.flatnonzero(c)
        k = occ.size
        w = np.empty(k)
        for a in range(k):
            w[a] = c[occ[a]]
        h = np.zeros(n_nodes + 1)
        for a in range(k):
            h[0] += w[a] * (w[a] - 1.0) / 2.0  # plant pairs within a site, at distance 0
        near = 0  # pairs the in-reach lists of the occupied sites hold
        for a in range(k):
            near += start[occ[a] + 1] - start[occ[a]]
        if prune == 1 or (prune < 0 and near < k * (k - 1) // 2):
            # each occupied site's in-reach partners, in ascending order: the same pairs, in the
            # same order, as the loop below, without visiting the pairs out of reach
            for a in range(k):
                wa = w[a]
                for t in range(start[occ[a]], start[occ[a] + 1]):
                    cb = c[other[t]]
                    if cb != 0:
                        _bin_pair(h, dist[t], wa * float(cb), bin_km)
        else:
            for a in range(k):
                row = site_distance[occ[a]]
                wa = w[a]
                for b in range(a + 1, k):
                    d = row[occ[b]]
                    if d <= reach_km:
                        _bin_pair(h, d, wa * w[b], bin_km)
        out[s] = h[:n_nodes]
    return out


def site_draws_histograms(
    site_distance: np.ndarray,
    counts: np.ndarray,
    reach_km: float,
    bin_km: float,
    n_nodes: int,
    threads: int = 1,
    prune: bool | None = None,
) -> np.ndarray:
    """Linear-binned histograms (n_sim x n_nodes) of the plant-pair distances of counterfactual
    draws on sites, the county (site) K-densities' counterfactuals
    (:class:`yrd.metrics.kdensity.SitePairs`).

    ``counts`` (n_sim x m) holds each draw's plants per site and ``site_distance`` (m x m, km)
    the site distances. A draw's histogram is the sum over its pairs of occupied sites
    ``a < b`` with ``D[a, b] <= reach_km`` of ``c_a c_b`` linear-binned at ``D[a, b]`` (weight
    ``1 - f`` to node ``k``, ``f`` to ``k + 1`` where ``D / bin_km = k + f``), plus
    ``c_a (c_a - 1) / 2`` at node 0 for the pairs within a site: what the sparse linear-binning
    matrix over every pair of sites gave before (the reference of its test), up to the order of
    summation. Only the sites a draw occupies
    are visited (at most its plant count), so a small industry costs little however many sites
    the frame has; draws run side by side on ``threads`` threads and each draw's sum is serial,
    so the result does not depend on ``threads``. ``n_nodes`` must be at least
    ``floor(min(reach_km, max D) / bin_km) + 2``, so that node ``k + 1`` of every pair in reach
    exists (``ValueError`` otherwise).

    Pruning: the site pairs within reach are listed once per call (compressed rows, ascending
    partner). A draw that occupies many sites loops over its occupied sites' in-reach partners,
    skipping the unoccupied ones, instead of over every pair of occupied sites: on a national
    frame most site pairs are beyond the kernel's reach. Both loops visit the pairs in reach in
    the same order, so they give the same bits; ``prune`` (None: per draw, whichever holds
    fewer pairs; True or False: always or never) chooses only the cost."""
    site_distance = np.ascontiguousarray(site_distance, dtype=np.float64)
    counts = np.ascontiguousarray(counts, dtype=np.int64)
    m = site_distance.shape[0]
    if site_distance.ndim != 2 or site_distance.shape != (m, m):
        raise ValueError("site_distance must be a square matrix")
    if counts.ndim != 2 or counts.shape[1] != m:
        raise ValueError(f"counts must be n_sim x {m} (one column per site)")
    if counts.size and counts.min() < 0:
        raise ValueError("counts must be non-negative")
    if not (reach_km >= 0 and bin_km > 0 and n_nodes >= 1):  # an infinite reach keeps every pair
        raise ValueError(f"need reach_km >= 0, bin_km > 0 and n_nodes >= 1, got {reach_km}, {bin_km}, {n_nodes}")
    far = min(float(reach_km), float(site_distance.max(initial=0.0)))
    if int(np.floor(far / bin_km)) + 2 > n_nodes:
        raise ValueError(f"n_nodes must be at least {int(np.floor(far / bin_km)) + 2} for pairs up to {far} km")
    _threads(threads)
    start, other, dist = _sites_within(site_distance, float(reach_km))
    mode = -1 if prune is None else int(bool(prune))
    return _site_draws_histograms(
        site_distance, counts, float(reach_km), float(bin_km), int(n_nodes), start, other, dist, mode
    )


def _unit_vector_array(xyz: np.ndarray, name: str) -> np.ndarray:
    """``xyz`` as a contiguous float64 n x 3 array, or ``ValueError`` naming ``name``."""
    xyz = np.ascontiguousarray(xyz, dtype=np.float64)
    if xyz.ndim != 2 or xyz.shape[1] != 3:
        raise ValueError(f"{name} must be an n x 3 array of unit vectors")
    if not np.isfinite(xyz).all():
        raise ValueError(f"{name} has missing or infinite values")
    return xyz


def _check_options(reach_km: float, bin_km: float, n_nodes: int) -> None:
    if not (np.isfinite(reach_km) and reach_km >= 0 and bin_km > 0 and n_nodes >= 1):
        raise ValueError(f"need reach_km >= 0, bin_km > 0 and n_nodes >= 1, got {reach_km}, {bin_km}, {n_nodes}")


def _threads(threads: int) -> int:
    """``threads`` checked, capped at numba's pool, and set as the pool size of this thread."""
    threads = int(threads)
    if threads < 1:
        raise ValueError(f"threads must be at least 1, got {threads}")
    threads = min(threads, numba.config.NUMBA_NUM_THREADS)
    numba.set_num_threads(threads)
    return threads


def principal_axis(xyz: np.ndarray) -> np.ndarray:
    """Unit vector along which the points ``xyz`` (n x 3) spread most (largest eigenvector of
    their scatter matrix): the sweep axis of :func:`pair_distance_histogram`."""
    c = xyz - xyz.mean(axis=0)
    _, vecs = np.linalg.eigh(c.T @ c)
    return vecs[:, -1]


def pair_distance_histogram(
    xyz: np.ndarray, reach_km: float, bin_km: float, n_nodes: int, threads: int = 1
) -> np.ndarray:
    """Linear-binned counts (length ``n_nodes``, nodes 0, b, 2b, ...) of the great-circle
    distances (km) of all unordered pairs of the unit vectors ``xyz`` (n x 3) that lie within
    ``reach_km``, computed by the compiled sweep of the module docstring on ``threads`` threads.

    Equals, up to floating-point rounding, :func:`yrd.metrics.binning.linear_bin` applied to
    ``d[d <= reach_km]`` for ``d`` the distances of all pairs (tested against that)."""
    xyz = _unit_vector_array(xyz, "xyz")
    _check_options(reach_km, bin_km, n_nodes)
    threads = _threads(threads)
    if xyz.shape[0] < 2:
        return np.zeros(n_nodes)
    axis = principal_axis(xyz)
    proj = xyz @ axis
    order = np.argsort(proj, kind="stable")
    s = xyz[order]
    a = proj[order]
    chord = km_to_chord(reach_km)
    # the sweep: row i's candidates are i+1 .. ends[i]-1 (a_j - a_i within the bound); rows split
    # into contiguous blocks of equal work
    n = a.size
    ends = np.maximum(np.searchsorted(a, a + _sweep_bound(chord), side="right"), np.arange(1, n + 1))
    work = np.cumsum(ends - np.arange(n) - 1, dtype=np.float64)
    cuts = np.searchsorted(work, work[-1] * np.arange(1, threads) / threads, side="left")
    starts = np.unique(np.concatenate([[0], cuts, [n]])).astype(np.int64)
    return _sweep_histogram(
        np.ascontiguousarray(s[:, 0]),
        np.ascontiguousarray(s[:, 1]),
        np.ascontiguousarray(s[:, 2]),
        ends.astype(np.int64),
        starts,
        chord,
        float(reach_km),
        float(bin_km),
        int(n_nodes),
    )
