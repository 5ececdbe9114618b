"""Precision, recall and time of linking methods on the same records and truth.

:func:`compare_linkers` runs

* ``bvz``: :func:`yrd.linking.link_records` (deterministic passes + rapidfuzz residual pass);
* ``splink``: :func:`yrd.linking.link_firms_splink` (Splink model on all records);
* ``hybrid``: :func:`yrd.linking.link_records` with ``residual="splink"`` (exact passes, then
  Splink on what they leave),

and scores each with :func:`yrd.validation.score_linking` (consecutive-record links). It also
scores the *residual*: let ``E`` be the consecutive links implied by the exact passes alone
(firm code and normalised name, every gap); a method's residual links are its links not in
``E``, the residual truth the true links not in ``E`` that are reachable (at most
``max_gap`` years apart); ``residual_precision`` and ``residual_recall`` compare the two. This isolates what a method adds beyond the easy links.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from yrd.linking.bvz import link_records
from yrd.linking.core import EXACT_PASSES
from yrd.linking.splink_linker import link_firms_splink
from yrd.validation import _with_truth, consecutive_pairs, score_linking

METHODS = ("bvz", "splink", "hybrid")


def _pairs(d: pd.DataFrame, col: str) -> np.ndarray:
    return consecutive_pairs(d[col], d["year"], d["source_file"], d["source_row"])


def compare_linkers(
    df: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    places: Iterable[str],
    methods: Sequence[str] = METHODS,
    max_gap: int = 2,
    link_kwargs: dict | None = None,
    splink_kwargs: dict | None = None,
) -> pd.DataFrame:
    """One row per method: ``method``, ``seconds``, ``precision``, ``recall``, ``f1``,
    ``n_pred_links``, ``n_true_links``, ``n_correct_links``, ``residual_precision``,
    ``residual_recall``, ``n_residual_pred``, ``n_residual_true``, ``n_residual_correct``.

    ``df``: records (with ``source_file``, ``source_row``, ``year``); ``truth``: the record
    truth (``source_file``, ``source_row``, ``true_firm_id``); ``places``: the place names of the
    core-name key (:func:`yrd.linking.normalise.place_names`).
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"unknown methods {unknown}; known: {METHODS}")
    lk = dict(link_kwargs or {})
    sk = dict(splink_kwargs or {})
    exact_ids = link_records(
        df, places=places, passes=EXACT_PASSES, max_gap=max_gap, **{k: v for k, v in lk.items() if k != "passes"}
    )[1]
    base = _with_truth(df.assign(firm_id=exact_ids), truth)
    true = _pairs(base, "true_firm_id")
    exact = _pairs(base, "firm_id")
    res_true = np.setdiff1d(true, exact)
    n = len(base)
    yr = base["year"].to_numpy(dtype=np.int64)
    res_true = res_true[(yr[res_true % n] - yr[res_true // n]) <= max_gap]
    rows = []
    for m in methods:
        t0 = time.perf_counter()
        if m == "bvz":
            fid = link_records(df, places=places, max_gap=max_gap, **lk)[1]
        elif m == "hybrid":
            fid = link_records(
                df,
                places=places,
                max_gap=max_gap,
                residual="splink",
                splink_options=sk or None,
                **{k: v for k, v in lk.items() if k != "residual"},
            )[1]
        else:
            fid = link_firms_splink(df, places=places, max_gap=max_gap, **sk)
        secs = time.perf_counter() - t0
        linked = df.assign(firm_id=fid)
        sc = score_linking(linked, truth)
        d = _with_truth(linked, truth)
        # same records, same order as `base` (both come from df merged with truth)
        pred = _pairs(d, "firm_id")
        res_pred = np.setdiff1d(pred, exact)
        hit = len(np.intersect1d(res_pred, res_true))
        rows.append(
            {
                "method": m,
                "seconds": round(secs, 2),
                "precision": sc["precision"],
                "recall": sc["recall"],
                "f1": sc["f1"],
                "n_pred_links": sc["n_pred_links"],
                "n_true_links": sc["n_true_links"],
                "n_correct_links": sc["n_correct_links"],
                "residual_precision": hit / len(res_pred) if len(res_pred) else 1.0,
                "residual_recall": hit / len(res_true) if len(res_true) else 1.0,
                "n_residual_pred": int(len(res_pred)),
                "n_residual_true": int(len(res_true)),
                "n_residual_correct": int(hit),
            }
        )
    return pd.DataFrame(rows)
