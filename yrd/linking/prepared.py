"""The prepared records of the linking passes (:class:`Prepared`, built by
:func:`yrd.linking.core.prepare`), in a module of its own so that the pass modules
(:mod:`yrd.linking.candidates`, :mod:`yrd.linking.core`) share it without importing each other."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Prepared:
    """Normalised record fields at node level (nodes sorted by year, source_file, source_row).

    ``node_of_row[i]`` is the node of the i-th row of the input; ``rep_row[k]`` the position of
    the first input row of node ``k``. Integer key arrays use -1 for missing.
    """

    n_rows: int
    index: pd.Index
    node_of_row: np.ndarray
    rep_row: np.ndarray
    year: np.ndarray
    name: np.ndarray  # normalised name (object, None if missing)
    core: np.ndarray  # core name (object, None if missing): what name similarity compares
    founding: np.ndarray  # founding year (int64, -1 if missing)
    keys: dict[str, np.ndarray] = field(default_factory=dict)
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    #: block keys of the fuzzy pass by block columns, filled on first use (the block key of
    #: :func:`yrd.linking.candidates.fuzzy_candidates`, the same for every gap)
    blocks: dict[tuple[str, ...], np.ndarray] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.year)
