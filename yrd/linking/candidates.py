"""Candidate pairs of the linking passes (:func:`yrd.linking.core.run_passes`): firm-year nodes
grouped from integer codes, exact-key candidates, blocked fuzzy-name candidates scored with
rapidfuzz, corroboration and mutual best matches. Re-exported by :mod:`yrd.linking.core`, whose
docstring describes the passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from yrd.linking.prepared import Prepared
from yrd.parallel import run_threads

_YEAR_SPAN = 256  # combined keys: key * _YEAR_SPAN + (year - first year)


def _row_groups(columns: Sequence[pd.Series | np.ndarray], order: np.ndarray, workers: int = 1) -> np.ndarray:
    """Group number of each row taken in ``order`` among rows with identical values in every
    column (missing equals missing), groups numbered by first appearance: the result of
    ``DataFrame(columns).iloc[order].groupby(all columns, sort=False, dropna=False).ngroup()``.

    Each column is coded (:func:`_codes_with_missing`; missing as a value of its own; on
    ``workers`` threads) and the codes are combined into one integer key per row, re-numbered
    densely whenever the next product could overflow; the key is factorised in ``order``. On
    the national world's 4.4 M records: 6.1 s for the groupby, 3.9 s this way on one thread
    from the string columns; :func:`prepare` passes integer codes, which are not factorised
    again.

    ``order`` is a permutation of the rows. When a re-numbering finds every row in a group of
    its own, the columns left cannot join two rows, and the groups numbered by first appearance
    in ``order`` are ``0, 1, 2, ...``: returned without combining the rest (on the national
    world every record is a node of its own, which saves two factorisations of 4.4 M keys)."""
    parts = run_threads([partial(_codes_with_missing, c) for c in columns], workers=workers)
    key = np.zeros(len(order), dtype=np.int64)
    for codes in parts:
        card = int(codes.max(initial=0)) + 1
        if int(key.max(initial=0)) >= (2**62) // card:
            dense, distinct = pd.factorize(key)
            if len(distinct) == len(key):
                return np.arange(len(order), dtype=np.int64)
            key = dense.astype(np.int64)
        key = key * card + codes
    return pd.factorize(key[order])[0].astype(np.int64)


def _codes_with_missing(column: pd.Series | np.ndarray) -> np.ndarray:
    """Codes of ``column``'s values, missing values a code of their own: non-negative integers,
    equal exactly for equal values. An integer array of a narrow range (codes with -1 for
    missing, years) is its own code, less its minimum; anything else is factorised (codes in
    order of first appearance)."""
    if isinstance(column, np.ndarray) and column.dtype.kind in "iu" and len(column):
        low = int(column.min())
        if int(column.max()) - low < 2**40:
            return column.astype(np.int64) - low
    return pd.factorize(column, use_na_sentinel=False)[0].astype(np.int64)


def exact_candidates(
    p: Prepared, key: np.ndarray, fwd: np.ndarray, bwd: np.ndarray, gap: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i in year t, j in year t + gap) of still-unmatched nodes with the same key,
    the key unique among the unmatched nodes of each side; pairs in ascending order of the
    combined key (key, year).

    One stable sort of both sides' combined keys together: a key that occurs exactly once on
    each side is a run of exactly two equal keys, the left node first (stable order: left
    entries precede right ones). A run of two from one side, or any longer run, is a key shared
    by two candidates of one year and links nobody. This is the set (and order) of
    ``np.intersect1d`` of the keys unique on each side, without hashing either side; the
    combined keys rise with the node number in large stretches, which the stable sort (Timsort)
    exploits."""
    y0 = int(p.year.min())
    left = np.flatnonzero((fwd < 0) & (key >= 0))
    right = np.flatnonzero((bwd < 0) & (key >= 0))
    k = np.concatenate(
        [key[left] * _YEAR_SPAN + (p.year[left] + gap - y0), key[right] * _YEAR_SPAN + (p.year[right] - y0)]
    )
    if len(k) < 2:
        return left[:0], right[:0]
    o = np.argsort(k, kind="stable")
    ks = k[o]
    start = np.flatnonzero(np.concatenate([[True], ks[1:] != ks[:-1]]))
    size = np.diff(np.append(start, len(ks)))
    two = start[size == 2]
    a, b = o[two], o[two + 1]  # a < b: stable order
    ok = (a < len(left)) & (b >= len(left))
    return left[a[ok]], right[b[ok] - len(left)]


def name_similarity(p: Prepared, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """``fuzz.ratio`` (0-100) of the core names (normalised names without place prefix and
    legal form, :func:`~yrd.linking.normalise.core_name`) of node pairs; 0 where one is
    missing. Comparing core names keeps a shared place and legal form from making two
    different firms look alike."""
    if len(i) == 0:
        return np.zeros(0)
    a, b = p.core[i], p.core[j]
    ok = pd.notna(a) & pd.notna(b)
    out = np.zeros(len(i))
    if ok.any():
        out[ok] = process.cpdist(list(a[ok]), list(b[ok]), scorer=fuzz.ratio, workers=-1)
    return out


def _same(p: Prepared, col: str, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    c = p.cols[col]
    return (c[i] >= 0) & (c[i] == c[j])


def corroborated(
    p: Prepared,
    pass_name: str,
    i: np.ndarray,
    j: np.ndarray,
    *,
    code_name_threshold: float = 70.0,
    founding_name_threshold: float = 90.0,
    corroboration_name_threshold: float = 80.0,
) -> np.ndarray:
    """Which candidate pairs of a pass are corroborated by a field outside the pass key
    (module docstring, "Corroboration")."""
    rep, phone = _same(p, "rep", i, j), _same(p, "phone", i, j)
    found = (p.founding[i] >= 0) & (p.founding[i] == p.founding[j])
    ind, cty = _same(p, "industry", i, j), _same(p, "county", i, j)
    if pass_name == "code":
        ok, thr = rep | phone | (found & ind), None
        rest = ~ok
        if rest.any():
            sim = name_similarity(p, i[rest], j[rest])
            fi, fj = p.founding[i[rest]], p.founding[j[rest]]
            contradiction = (fi >= 0) & (fj >= 0) & (fi != fj)
            ok[rest] = (sim >= 90.0) | ((sim >= code_name_threshold) & ~contradiction)
    elif pass_name == "name":
        ok, thr = rep | phone | found | (cty & ind), None
    elif pass_name == "core_name":
        ok, thr = np.ones(len(i), dtype=bool), None
    elif pass_name == "legal_rep":
        ok, thr = found | phone, corroboration_name_threshold
    elif pass_name == "phone":
        ok, thr = found | rep, corroboration_name_threshold
    elif pass_name == "founding":
        ok, thr = np.zeros(len(i), dtype=bool), founding_name_threshold
    else:
        raise ValueError(pass_name)
    if thr is not None:
        rest = ~ok
        if rest.any():
            ok[rest] = name_similarity(p, i[rest], j[rest]) >= thr
    return ok


def mutual_best(i: np.ndarray, j: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs kept when each end is the other's unique best (highest score) candidate."""
    if len(i) == 0:
        return i, j
    d = pd.DataFrame({"i": i, "j": j, "s": score}).drop_duplicates(["i", "j"])
    best_i = d.groupby("i")["s"].transform("max")
    best_j = d.groupby("j")["s"].transform("max")
    top_i = d["s"] == best_i
    top_j = d["s"] == best_j
    n_top_i = top_i.groupby(d["i"]).transform("sum")
    n_top_j = top_j.groupby(d["j"]).transform("sum")
    keep = top_i & top_j & (n_top_i == 1) & (n_top_j == 1)
    return d["i"].to_numpy()[keep.to_numpy()], d["j"].to_numpy()[keep.to_numpy()]


def fuzzy_candidates(
    p: Prepared, fwd: np.ndarray, bwd: np.ndarray, gap: int, threshold: float, blocks: Sequence[Sequence[str]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of still-unmatched nodes (t, t + gap) in the same block with name similarity at
    least ``threshold``; returns (i, j, score). Loops over years, never over records."""
    bi, bj, bs = [], [], []
    has_name = p.cols["name"] >= 0  # the name's code: -1 exactly where p.name is None
    # the free nodes once, then those of each year among them (not a scan of all nodes per year)
    free_l = np.flatnonzero((fwd < 0) & has_name)
    free_r = np.flatnonzero((bwd < 0) & has_name)
    year_l, year_r = p.year[free_l], p.year[free_r]
    block_keys = [_cached_block_key(p, b) if all(c in p.cols for c in b) else None for b in blocks]
    for t in np.unique(p.year):
        left = free_l[year_l == t]
        right = free_r[year_r == t + gap]
        if len(left) == 0 or len(right) == 0:
            continue
        pairs = []
        for bk in block_keys:
            if bk is None:
                continue
            kl, kr = bk[left], bk[right]
            a = pd.DataFrame({"i": left[kl >= 0], "k": kl[kl >= 0]})
            b = pd.DataFrame({"j": right[kr >= 0], "k": kr[kr >= 0]})
            pairs.append(a.merge(b, on="k")[["i", "j"]])
        if not pairs:
            continue
        pr = pd.concat(pairs, ignore_index=True).drop_duplicates()
        if pr.empty:
            continue
        i, j = pr["i"].to_numpy(), pr["j"].to_numpy()
        s = name_similarity(p, i, j)
        ok = s >= threshold
        bi.append(i[ok])
        bj.append(j[ok])
        bs.append(s[ok])
    if not bi:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(bi), np.concatenate(bj), np.concatenate(bs)


def _cached_block_key(p: Prepared, block: Sequence[str]) -> np.ndarray:
    """:func:`_block_key`, computed once per block and kept in ``p.blocks``: the fuzzy pass of
    every gap asks for the same blocks of the same nodes."""
    name = tuple(block)
    if name not in p.blocks:
        p.blocks[name] = _block_key(p, name)
    return p.blocks[name]


def _block_key(p: Prepared, block: Sequence[str]) -> np.ndarray:
    """Block number of each node: the combinations of the ``block`` columns' codes (-1, missing,
    a value like any other) numbered by first appearance, as ``key_codes`` numbers the codes
    given as Python integers, from the integers themselves (:func:`_row_groups`)."""
    if not block:
        raise ValueError("a fuzzy block needs at least one column")
    return _row_groups([p.cols[c] for c in block], np.arange(p.n))
