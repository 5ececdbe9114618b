"""Silverman's rule-of-thumb bandwidth of pair-weighted distances, for the K-densities
(:mod:`yrd.metrics.kdensity`, :mod:`yrd.metrics.kdensity_points`): as R's ``bw.nrd0`` on the
sample in which each distance appears as often as its pair weight (hand-written: the weighted
type-7 quantiles are a few lines that no kept library offers for weighted samples).

References
----------
Silverman, B. W. (1986) *Density Estimation for Statistics and Data Analysis*. Chapman and Hall,
London, eq. (3.31).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _quantiles_type7(d: np.ndarray, w: np.ndarray, n: float, probs: Sequence[float]) -> np.ndarray:
    """Type-7 (R default, linear) sample quantiles of the sample in which distance ``d[k]``
    appears ``w[k] * n / sum(w)`` times (exact for integer pair counts)."""
    total = w.sum()
    cum = np.cumsum(w) if total == n else np.cumsum(w) * (n / total)
    out = []
    for p in probs:
        pos = (n - 1) * p
        lo = np.floor(pos)
        i_lo = min(np.searchsorted(cum, lo, side="right"), d.size - 1)
        i_hi = min(np.searchsorted(cum, lo + 1, side="right"), d.size - 1)
        out.append(d[i_lo] + (pos - lo) * (d[i_hi] - d[i_lo]))
    return np.asarray(out)


def silverman_from_pairs(d: np.ndarray, w: np.ndarray, n_pairs: float) -> float:
    """Silverman's bandwidth (:func:`silverman_rule`) of ``n_pairs`` pairs at distances ``d``
    (ascending) with weights ``w``: the weighted standard deviation (divisor ``n_pairs - 1``) and
    type-7 IQR."""
    if n_pairs < 2:
        raise ValueError("Silverman's bandwidth needs at least two plant pairs (three plants); pass a bandwidth")
    p = w / w.sum()
    mean = np.sum(p * d)
    sd = np.sqrt(np.sum(p * (d - mean) ** 2) * n_pairs / (n_pairs - 1))
    q25, q75 = _quantiles_type7(d, w, n_pairs, (0.25, 0.75))
    return silverman_rule(float(sd), float(q75 - q25), n_pairs)


def silverman_rule(sd: float, iqr: float, n_pairs: float) -> float:
    """Silverman's rule :math:`0.9 \\min(\\hat\\sigma, \\mathrm{IQR}/1.34) N^{-1/5}` from the pair
    distances' standard deviation, IQR and count (the standard deviation alone if the IQR is 0)."""
    lo = min(sd, iqr / 1.34) if iqr > 0 else sd
    if not lo > 0:
        raise ValueError("all plant pairs are at the same distance: Silverman's bandwidth is 0; pass a bandwidth")
    return float(0.9 * lo * n_pairs ** (-0.2))


def resolve_bandwidth(bandwidth, d: np.ndarray, w: np.ndarray, n_pairs: float) -> float:
    """The bandwidth (km) a K-density uses: :func:`silverman_from_pairs` for ``"silverman"``, else
    ``bandwidth`` itself, which must be a positive number."""
    if isinstance(bandwidth, str):
        if bandwidth != "silverman":
            raise ValueError(f"bandwidth must be 'silverman' or a positive number, got {bandwidth!r}")
        return silverman_from_pairs(d, w, n_pairs)
    h = float(bandwidth)
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"bandwidth must be positive, got {bandwidth!r}")
    return h
