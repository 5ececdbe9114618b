"""The K-densities' kernel blocks (yrd.metrics.binning._reflected_gaussian): computed a few rows at
a time and on several threads, they must equal, bit for bit, the whole-array expression they
replace, so that the K-density tables do not change with the thread count."""

import numpy as np
import pytest
from scipy.stats import norm

from yrd.metrics.binning import (
    _KERNEL_ROWS,
    _SQRT_2PI,
    KERNEL_REACH,
    _reflected_gaussian,
    binned_kernel_density,
    binning_error_bound,
    exact_kernel_density,
    kernel_at_nodes,
    mesh_nodes,
)


def _whole_array(grid: np.ndarray, d: np.ndarray, h: float) -> np.ndarray:
    """The formulation before the row slices (one expression on the whole block)."""
    a = (grid[None, :] - d[:, None]) / h
    b = (grid[None, :] + d[:, None]) / h
    return (np.exp(-0.5 * a * a) + np.exp(-0.5 * b * b)) / (_SQRT_2PI * h)


@pytest.mark.parametrize("n", [1, _KERNEL_ROWS - 1, _KERNEL_ROWS, 3 * _KERNEL_ROWS + 17, 5000])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_kernel_rows_are_the_whole_array_expression(n: int, threads: int) -> None:
    rng = np.random.default_rng(n + threads)
    grid = np.arange(181.0)
    d = np.sort(rng.uniform(0.0, 400.0, n))
    h = float(rng.uniform(2.0, 60.0))
    got = _reflected_gaussian(grid, d, h, threads)
    assert got.shape == (n, grid.size)
    assert np.array_equal(got, _whole_array(grid, d, h))


def test_kernel_is_the_reflected_normal_density() -> None:
    """K_h(x - d) + K_h(x + d) against scipy.stats.norm.pdf (Silverman 1986, section 2.10:
    reflection at 0 for a density on [0, inf))."""
    grid = np.linspace(0.0, 50.0, 11)
    d = np.array([0.0, 3.5, 20.0, 80.0])
    h = 7.5
    expected = norm.pdf(grid[None, :], loc=d[:, None], scale=h) + norm.pdf(grid[None, :], loc=-d[:, None], scale=h)
    np.testing.assert_allclose(_reflected_gaussian(grid, d, h), expected, rtol=1e-13, atol=0)


def test_exact_density_does_not_depend_on_threads() -> None:
    rng = np.random.default_rng(7)
    d = np.sort(rng.uniform(0.0, 600.0, 40_000))
    w = rng.integers(1, 50, d.size).astype(float)
    g = np.arange(181.0)
    one = exact_kernel_density(d, w, g, 12.0, 10.0, threads=1)
    two = exact_kernel_density(d, w, g, 12.0, 10.0, threads=2)
    assert np.array_equal(one, two)


def test_exact_density_leaves_out_pairs_beyond_reach_but_divides_by_all() -> None:
    """Pairs at 10 and 30 km (weights 1 and 2) are summed; the pair at 500 km (weight 3) is beyond
    max(grid) + reach * h = 180 + 10 * 5 km, so it adds nothing but still counts in the divisor."""
    g = np.arange(181.0)
    d, w, h = np.array([10.0, 30.0, 500.0]), np.array([1.0, 2.0, 3.0]), 5.0
    expected = sum(wi * (norm.pdf(g, di, h) + norm.pdf(g, -di, h)) for di, wi in zip(d[:2], w[:2])) / w.sum()
    np.testing.assert_allclose(exact_kernel_density(d, w, g, h, 10.0, threads=2), expected, rtol=1e-12, atol=0)


def test_binned_density_is_within_the_binning_bound_of_the_exact_one() -> None:
    """Linear binning (Wand and Jones 1995, appendix D): on the nodes' own distances the binned
    density is the exact one up to rounding; between nodes it differs by at most
    binning_error_bound(b, h) per km, and the bound is not loose by orders of magnitude."""
    rng = np.random.default_rng(11)
    g = np.arange(181.0)
    b = 0.5  # a coarse mesh, so the binning error is well above rounding
    for h in (3.0, 12.0, 40.0):
        reach, n_nodes = mesh_nodes(g, h, b, 600.0)
        kernel = kernel_at_nodes(g, h, b, n_nodes)
        on_nodes = np.arange(0, 400) * b
        w = rng.integers(1, 9, on_nodes.size).astype(float)
        exact = exact_kernel_density(on_nodes, w, g, h, KERNEL_REACH)
        np.testing.assert_allclose(binned_kernel_density(on_nodes, w, kernel, b, reach), exact, rtol=1e-10, atol=1e-15)
        d = np.sort(rng.uniform(0.0, 600.0, 5000))
        w = rng.integers(1, 9, d.size).astype(float)
        err = np.abs(binned_kernel_density(d, w, kernel, b, reach) - exact_kernel_density(d, w, g, h, KERNEL_REACH))
        bound = binning_error_bound(b, h)
        assert err.max() <= bound and err.max() > bound / 1000


def test_binned_density_leaves_out_pairs_beyond_reach_and_refuses_a_short_mesh() -> None:
    g = np.arange(181.0)
    reach, n_nodes = mesh_nodes(g, 5.0, 0.05, 1000.0)
    assert reach == 230.0 and n_nodes == 4602
    kernel = kernel_at_nodes(g, 5.0, 0.05, n_nodes)
    d, w = np.array([10.0, 30.0, 500.0]), np.array([1.0, 2.0, 3.0])
    got = binned_kernel_density(d, w, kernel, 0.05, reach)
    np.testing.assert_allclose(got, exact_kernel_density(d, w, g, 5.0, 10.0), rtol=1e-12, atol=1e-18)
    with pytest.raises(ValueError, match="do not reach"):
        binned_kernel_density(d, w, kernel[:100], 0.05, reach)
