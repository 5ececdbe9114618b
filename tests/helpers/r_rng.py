"""R's default random numbers, to regenerate the example matrices of R help pages without R.

R (>= 3.6) ``set.seed(s)``: s is scrambled by 50 steps of the LCG s <- 69069 s + 1 (mod 2^32),
the next 625 steps fill the Mersenne-Twister seed vector (its first entry is the position, set to
624), and ``unif_rand()`` is the tempered 32-bit output times 2.3283064365386963e-10 (R's
src/main/RNG.c). ``sample(x, size, replace = TRUE)`` draws ``R_unif_index(length(x))`` by
rejection from ``ceil(log2(n))`` random bits built 16 bits at a time (``rbits``). Checked in
tests/test_claims_c7.py against the R 4.2.2 output printed in tests/test_metrics_econgeo.py."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class RRandom:
    """``set.seed(seed)`` and ``sample(x, size, replace = TRUE)`` of R's defaults."""

    def __init__(self, seed: int) -> None:
        s = seed & 0xFFFFFFFF
        for _ in range(50):
            s = (69069 * s + 1) & 0xFFFFFFFF
        keys = []
        for _ in range(625):
            s = (69069 * s + 1) & 0xFFFFFFFF
            keys.append(s)
        self._bg = np.random.MT19937()
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": np.array(keys[1:], np.uint32), "pos": 624}}

    def unif(self) -> float:
        """``unif_rand()`` in (0, 1)."""
        v = int(self._bg.random_raw()) * 2.3283064365386963e-10
        return min(max(v, 1.1641532182693481e-10), 1 - 1.1641532182693481e-10)

    def _rbits(self, bits: int) -> int:
        v, n = 0, 0
        while n <= bits:
            v = 65536 * v + int(math.floor(self.unif() * 65536))
            n += 16
        return v & ((1 << bits) - 1)

    def unif_index(self, n: int) -> int:
        """``R_unif_index(n)``: an integer in 0..n-1 by rejection sampling."""
        bits = int(math.ceil(math.log2(n)))
        while True:
            v = self._rbits(bits)
            if v < n:
                return v

    def sample(self, x: Sequence, size: int) -> list:
        """``sample(x, size, replace = TRUE)``."""
        return [x[self.unif_index(len(x))] for _ in range(size)]

    def matrix(self, x: Sequence, size: int, ncol: int) -> np.ndarray:
        """``matrix(sample(x, size, replace = TRUE), ncol = ncol)`` (filled by columns)."""
        return np.array(self.sample(x, size)).reshape(ncol, size // ncol).T
