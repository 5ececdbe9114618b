"""The true panel as arrays, and its rows grouped by firm."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from yrd.industry import MANUFACTURING_2002
from yrd.synthetic import identity as ident

PANEL_COLUMNS = (
    "true_firm_id",
    "year",
    "county",
    "industry",
    "industry4",
    "employment",
    "output",
    "sales",
    "founding_year",
    "reg_type",
    "moved",
)


class Panel:
    """The true panel as numpy arrays, rows sorted by (year, true_firm_id); string columns are
    integer codes into small arrays of distinct values (memory: 4.4 million rows).

    Raises ``ValueError`` for a missing column, an empty panel or an impossible value."""

    def __init__(self, panel: pd.DataFrame):
        missing = [c for c in PANEL_COLUMNS if c not in panel.columns and c != "moved"]
        if missing:
            raise ValueError(f"panel lacks columns {missing}")
        if len(panel) == 0:
            raise ValueError("panel is empty")
        fid = panel["true_firm_id"].to_numpy(dtype=np.int64)
        year = panel["year"].to_numpy(dtype=np.int64)
        order = np.lexsort((fid, year))
        self.fid, self.year = fid[order], year[order]
        self.employment = panel["employment"].to_numpy(dtype=np.int64)[order]
        self.output = panel["output"].to_numpy(dtype=np.float64)[order]
        self.sales = panel["sales"].to_numpy(dtype=np.float64)[order]
        self.founding_year = panel["founding_year"].to_numpy(dtype=np.int64)[order]
        cty, cty_u = self._codes(panel["county"], order, 0)
        if not all(re.fullmatch(r"\d{6}", c) for c in cty_u):
            bad = [c for c in cty_u if not re.fullmatch(r"\d{6}", c)]
            raise ValueError(f"panel.county must be 6-digit codes, e.g. {bad[:3]}")
        self.county = np.array([int(c) for c in cty_u], dtype=np.int64)[cty]  # numeric county code
        self.k4, self.k4_u = self._codes(panel["industry4"], order, 4)  # 2002 class (index, values)
        div, div_u = self._codes(panel["industry"], order, 2)
        pairs = np.unique(np.stack([div, self.k4]), axis=1)
        bad = [
            (div_u[a], self.k4_u[b])
            for a, b in pairs.T
            if div_u[a] != self.k4_u[b][:2] or div_u[a] not in MANUFACTURING_2002
        ]
        if bad:
            raise ValueError(
                f"panel.industry must be a 2002 manufacturing division equal to industry4[:2], e.g. {bad[:3]}"
            )
        self.div_u = np.array([k[:2] for k in self.k4_u], dtype=object)  # division of each class
        self.reg, self.reg_u = self._codes(panel["reg_type"], order, 0)
        if (self.employment < 1).any():
            raise ValueError("panel.employment must be >= 1")
        if ((self.founding_year > self.year) | (self.founding_year < 1800)).any():
            raise ValueError("panel.founding_year must be between 1800 and the year of the row")
        if np.isnan(self.output).any() or np.isnan(self.sales).any():
            raise ValueError("panel.output and panel.sales must not be missing")
        if ((np.diff(self.year) == 0) & (np.diff(self.fid) == 0)).any():
            raise ValueError("panel has several rows for one (true_firm_id, year)")
        self.n = len(self.fid)
        self.years = [int(y) for y in np.unique(self.year)]
        self.fids, f = np.unique(self.fid, return_inverse=True)
        self.f = f.astype(np.int64)  # firm position 0 .. n_firms-1
        self.pref = self.county // 100  # 2021 prefecture (4 digits): Shanghai districts 3101xx -> 3101

    @staticmethod
    def _codes(col: pd.Series, order: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
        codes, uniq = pd.factorize(col, use_na_sentinel=True)
        if (codes < 0).any():
            raise ValueError(f"panel.{col.name} has missing values")
        u = [str(v).strip() for v in uniq]
        if width:
            u = [v.zfill(width) for v in u]
        # merge values that only differed before normalisation
        u_arr, remap = np.unique(np.array(u, dtype=object).astype(str), return_inverse=True)
        return remap[codes][order].astype(np.int64), u_arr.astype(object)

    def bounds(self) -> list[tuple[int, int, int]]:
        """(year, first row, end row) of each year."""
        cut = np.flatnonzero(np.diff(self.year)) + 1
        lo = np.concatenate([[0], cut])
        hi = np.concatenate([cut, [self.n]])
        return [(int(self.year[a]), int(a), int(b)) for a, b in zip(lo, hi)]


class FirmOrder:
    """Rows grouped by firm, in year order, for per-firm events and cumulative counters."""

    def __init__(self, f: np.ndarray, year: np.ndarray, n_firms: int):
        self.order = np.lexsort((year, f))
        self.f = f[self.order]
        self.year = year[self.order]
        self.n = np.bincount(f, minlength=n_firms)
        self.start = np.concatenate([[0], np.cumsum(self.n)[:-1]])
        self.first = np.zeros(len(f), dtype=bool)
        self.first[self.start[self.n > 0]] = True
        self.inverse = np.empty_like(self.order)
        self.inverse[self.order] = np.arange(len(self.order))

    def event_year(self, u: np.ndarray, chosen: np.ndarray) -> np.ndarray:
        """For chosen firms with >= 2 rows, the year of one of their rows after the first
        (drawn by ``u``); 9999 otherwise."""
        ok = chosen & (self.n >= 2)
        k = 1 + ident.pick(u, np.maximum(self.n - 1, 1))
        idx = np.minimum(self.start + k, len(self.year) - 1)
        return np.where(ok, self.year[idx], 9999)

    def row_of(self, firms: np.ndarray, years: np.ndarray) -> np.ndarray:
        """Firm-order position of the row of each (firm, year), which must exist."""
        return np.searchsorted(self.f * 10_000 + self.year, firms * 10_000 + years)

    def cumulative(self, inc: np.ndarray) -> np.ndarray:
        """Per-firm running sum of ``inc`` (given in firm order), returned in firm order."""
        cs = np.cumsum(inc)
        base = cs[self.start] - inc[self.start]
        return cs - base[self.f]
