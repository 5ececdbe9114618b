"""The K-densities' kernel and the linear binning of pair distances (hand-written: a few lines of
NumPy that no kept library offers for pair-weighted, reflected kernel sums).

Linear binning splits each pair distance between the two nearest nodes of a regular mesh of step
``b`` in proportion to closeness; the kernel is then evaluated at the nodes only
(Wand and Jones 1995, appendix D). Used by the county version (:mod:`yrd.metrics.kdensity`;
its counterfactuals bin in :func:`yrd.metrics.pair_kernels.site_draws_histograms`) and by the
point version (:mod:`yrd.metrics.kdensity_points`).

References
----------
Wand, M. P. and Jones, M. C. (1995) *Kernel Smoothing*. Chapman and Hall, London, appendix D.
"""

from __future__ import annotations

import numpy as np

_SQRT_2PI = np.sqrt(2.0 * np.pi)


def _reflected_gaussian(grid: np.ndarray, d: np.ndarray, h: float) -> np.ndarray:
    """K_h(x - d) + K_h(x + d) for x in grid (columns) and d in d (rows); Gaussian K."""
    a = (grid[None, :] - d[:, None]) / h
    b = (grid[None, :] + d[:, None]) / h
    return (np.exp(-0.5 * a * a) + np.exp(-0.5 * b * b)) / (_SQRT_2PI * h)


def exact_kernel_density(d: np.ndarray, w: np.ndarray, g: np.ndarray, h: float, reach: float) -> np.ndarray:
    """The exact (unbinned) K-density at ``g`` of pair distances ``d`` (ascending) with weights
    ``w``, bandwidth ``h``: pairs farther than ``max(g) + reach * h`` are left out of the sums
    (:data:`yrd.metrics.kdensity.KERNEL_REACH`), the divisor is all of ``w``."""
    out = np.zeros(g.size)
    near = d <= g.max() + reach * h  # d is sorted: the kernel sums run over the near pairs
    d_near, w_near = d[near], w[near]
    step = max(1, 2_000_000 // g.size)  # bound the distance x grid kernel block
    for start in range(0, d_near.size, step):
        sl = slice(start, start + step)
        out += w_near[sl] @ _reflected_gaussian(g, d_near[sl], h)
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


def kernel_at_nodes(grid: np.ndarray, h: float, bin_km: float, n_nodes: int) -> np.ndarray:
    """Reflected Gaussian kernel (n_nodes x grid) at the mesh nodes 0, b, 2b, ..."""
    return _reflected_gaussian(grid, np.arange(n_nodes) * bin_km, h)


def _nodes_and_fractions(d: np.ndarray, bin_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower mesh node k and fraction f of each distance: d / b = k + f, 0 <= f < 1."""
    pos = np.asarray(d, dtype=float) / bin_km
    k = np.floor(pos).astype(np.int64)
    return k, pos - k


def linear_bin(d: np.ndarray, bin_km: float, n_nodes: int, out: np.ndarray) -> None:
    """Add unit weights of distances ``d`` to the mesh nodes 0, b, 2b, ... of ``out`` by linear
    binning (weight 1 - f to node k, f to node k + 1; weight beyond the last node is dropped, so
    callers pass distances within reach)."""
    k, frac = _nodes_and_fractions(d, bin_km)
    out += np.bincount(k, weights=1.0 - frac, minlength=n_nodes)[:n_nodes]
    out += np.bincount(k + 1, weights=frac, minlength=n_nodes)[:n_nodes]
