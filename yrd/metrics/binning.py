"""The K-densities' kernel and the linear binning of pair distances (hand-written: a few lines of
NumPy that no kept library offers for pair-weighted, reflected kernel sums).

Linear binning splits each pair distance between the two nearest nodes of a regular mesh of step
``b`` in proportion to closeness; the kernel is then evaluated at the nodes only
(Wand and Jones 1995, appendix D). Used by the county version (:mod:`yrd.metrics.kdensity`: its
observed density in :func:`binned_kernel_density`, its counterfactuals in
:func:`yrd.metrics.pair_kernels.site_draws_histograms`, on the same mesh and kernel) and by the
point version (:mod:`yrd.metrics.kdensity_points`). :func:`exact_kernel_density` is the unbinned
sum that :func:`yrd.metrics.kdensity.k_density` returns and the tests compare with.

References
----------
Wand, M. P. and Jones, M. C. (1995) *Kernel Smoothing*. Chapman and Hall, London, appendix D.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from yrd.parallel import run_threads

_SQRT_2PI = np.sqrt(2.0 * np.pi)


#: Rows of a kernel block computed at once (:func:`_reflected_gaussian`): its two work arrays
#: (rows x grid) stay in the CPU's cache instead of a dozen fresh arrays of the whole block.
_KERNEL_ROWS = 256

#: Reach of the kernel in bandwidths: pairs farther than ``max(grid) + KERNEL_REACH * h`` from
#: every grid distance add less than exp(-50) (about 2e-22) of the kernel's peak at any grid point,
#: so they are left out of the kernel sums (hand-written pruning; at national scale most county
#: pairs are thousands of km apart, and the sums over them dominated the cost).
KERNEL_REACH = 10.0


def _kernel_rows(grid: np.ndarray, d: np.ndarray, h: float, out: np.ndarray) -> None:
    """:func:`_reflected_gaussian` of the distances ``d`` into ``out`` (len(d) x len(grid)), in
    slices of :data:`_KERNEL_ROWS` rows with two reused work arrays: the same operations in the
    same order as the whole-array expression, so the same bits."""
    g = grid[None, :]
    scale = _SQRT_2PI * h
    a = np.empty((min(_KERNEL_ROWS, d.size), grid.size))
    u = np.empty_like(a)
    for r0 in range(0, d.size, _KERNEL_ROWS):
        dd = d[r0 : r0 + _KERNEL_ROWS, None]
        k = out[r0 : r0 + _KERNEL_ROWS]
        aa, uu = a[: k.shape[0]], u[: k.shape[0]]
        for sign, target in ((np.subtract, k), (np.add, uu)):
            sign(g, dd, out=aa)  # x - d, then x + d
            np.divide(aa, h, out=aa)
            np.multiply(-0.5, aa, out=target)
            np.multiply(target, aa, out=target)
            np.exp(target, out=target)
        np.add(k, uu, out=k)
        np.divide(k, scale, out=k)


def _reflected_gaussian(grid: np.ndarray, d: np.ndarray, h: float, threads: int = 1) -> np.ndarray:
    """K_h(x - d) + K_h(x + d) for x in grid (columns) and d in d (rows); Gaussian K:
    ``(exp(-0.5 a a) + exp(-0.5 b b)) / (sqrt(2 pi) h)`` with ``a = (x - d) / h``,
    ``b = (x + d) / h``.

    Computed a few rows at a time (:func:`_kernel_rows`; 1.3-1.8 times faster than the
    whole-array expression, whose dozen temporaries of the whole block left the CPU's cache),
    the rows split between ``threads`` threads (:func:`yrd.parallel.run_threads`; NumPy's
    ``exp`` releases the GIL). Every element is computed by the same operations in the same
    order whatever ``threads``: the same bits as the whole-array expression
    (``tests/test_binning.py``)."""
    grid = np.asarray(grid, dtype=float)
    d = np.asarray(d, dtype=float)
    out = np.empty((d.size, grid.size))
    cuts = np.linspace(0, d.size, max(1, min(int(threads), d.size // _KERNEL_ROWS)) + 1).astype(int)
    run_threads(
        [partial(_kernel_rows, grid, d[a:b], h, out[a:b]) for a, b in zip(cuts[:-1], cuts[1:])], workers=int(threads)
    )
    return out


def exact_kernel_density(
    d: np.ndarray, w: np.ndarray, g: np.ndarray, h: float, reach: float, threads: int = 1
) -> np.ndarray:
    """The exact (unbinned) K-density at ``g`` of pair distances ``d`` (ascending) with weights
    ``w``, bandwidth ``h``: pairs farther than ``max(g) + reach * h`` are left out of the sums
    (:data:`KERNEL_REACH`), the divisor is all of ``w``. ``threads``: threads
    computing each block's kernel (:func:`_reflected_gaussian`); the blocks' products are summed
    in one order on the calling thread, so the result does not depend on it."""
    out = np.zeros(g.size)
    near = d <= g.max() + reach * h  # d is sorted: the kernel sums run over the near pairs
    d_near, w_near = d[near], w[near]
    step = max(1, 2_000_000 // g.size)  # bound the distance x grid kernel block
    for start in range(0, d_near.size, step):
        sl = slice(start, start + step)
        out += w_near[sl] @ _reflected_gaussian(g, d_near[sl], h, threads)
    return out / w.sum()


#: Default step (km) of the linear-binning mesh of counterfactual pair distances.
DEFAULT_BIN_KM = 0.05


def binning_error_bound(bin_km: float, bandwidth: float) -> float:
    r"""Largest error (1/km) linear binning at step ``bin_km`` can add to a K-density value with
    bandwidth ``bandwidth``: :math:`\phi(0) b^2 / (4 h^3)`. The kernel term
    :math:`f(d) = K_h(x-d) + K_h(x+d)` is replaced by its linear interpolant between nodes, off by
    at most :math:`b^2 \max|f''| / 8` with :math:`\max|f''| \le 2\phi(0)/h^3`; the density is an
    average of such terms over pairs (Wand and Jones 1995, appendix D)."""
    return float(bin_km**2 / (4.0 * _SQRT_2PI * bandwidth**3))


def mesh_nodes(grid: np.ndarray, h: float, bin_km: float, d_max: float) -> tuple[float, int]:
    """The kernel's reach (``grid.max() + KERNEL_REACH h``; farther pairs add nothing) and the
    number of mesh nodes 0, b, 2b, ... that hold every pair distance within it (up to ``d_max``)."""
    reach = float(grid.max() + KERNEL_REACH * h)
    return reach, int(np.floor(min(reach, d_max) / bin_km)) + 2


def kernel_at_nodes(grid: np.ndarray, h: float, bin_km: float, n_nodes: int, threads: int = 1) -> np.ndarray:
    """Reflected Gaussian kernel (n_nodes x grid) at the mesh nodes 0, b, 2b, ..., its rows split
    between ``threads`` threads (:func:`_reflected_gaussian`: the same bits whatever ``threads``)."""
    return _reflected_gaussian(grid, np.arange(n_nodes) * bin_km, h, threads)


def binned_kernel_density(d: np.ndarray, w: np.ndarray, kernel: np.ndarray, bin_km: float, reach: float) -> np.ndarray:
    """The K-density of pair distances ``d`` with weights ``w``, linear-binned at ``bin_km`` onto
    the mesh nodes of ``kernel`` (n_nodes x grid, :func:`kernel_at_nodes`) and smoothed there:
    ``hist @ kernel / sum(w)``. Pairs farther than ``reach`` are left out of the sums, the
    divisor is all of ``w``; the mesh must reach the farthest pair kept (ValueError otherwise).
    Within :func:`binning_error_bound` per km of :func:`exact_kernel_density` of the same pairs
    (Wand and Jones 1995, appendix D)."""
    d = np.asarray(d, dtype=float)
    w = np.asarray(w, dtype=float)
    n_nodes = kernel.shape[0]
    near = d <= reach
    if near.any() and np.floor(d[near].max() / bin_km) + 1 >= n_nodes:
        raise ValueError(f"binned_kernel_density: {n_nodes} mesh nodes at {bin_km} km do not reach {d[near].max()} km")
    hist = np.zeros(n_nodes)
    linear_bin(d[near], bin_km, n_nodes, hist, w[near])
    return hist @ kernel / w.sum()


def _nodes_and_fractions(d: np.ndarray, bin_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower mesh node k and fraction f of each distance: d / b = k + f, 0 <= f < 1."""
    pos = np.asarray(d, dtype=float) / bin_km
    k = np.floor(pos).astype(np.int64)
    return k, pos - k


def linear_bin(d: np.ndarray, bin_km: float, n_nodes: int, out: np.ndarray, weights: np.ndarray | None = None) -> None:
    """Add the weights of distances ``d`` (1 each unless ``weights``) to the mesh nodes 0, b, 2b,
    ... of ``out`` by linear binning (share 1 - f to node k, f to node k + 1; weight beyond the
    last node is dropped, so callers pass distances within reach)."""
    k, frac = _nodes_and_fractions(d, bin_km)
    w = 1.0 if weights is None else np.asarray(weights, dtype=float)
    out += np.bincount(k, weights=w * (1.0 - frac), minlength=n_nodes)[:n_nodes]
    out += np.bincount(k + 1, weights=w * frac, minlength=n_nodes)[:n_nodes]
