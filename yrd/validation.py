"""Scoring linking and relocation detection against the truth of a synthetic world.

Both scores return plain dicts of floats and ints (JSON-ready, e.g. for
``results/validation/linking.json``).

Linking: consecutive-record links
---------------------------------
Order the records of an entity by (``year``, ``source_file``, ``source_row``). Its
*consecutive links* are the pairs (record, the entity's next record in that order). The
predicted links ``P`` are the consecutive links of the entities ``firm_id``; the true links
``T`` those of ``true_firm_id`` (joined from ``truth/records.parquet`` on ``source_file`` +
``source_row``), over the same records. A pair is identified by its two records, so

    precision = |P ∩ T| / |P|,   recall = |P ∩ T| / |T|.

A true firm cut into two predicted firms loses one true link (recall); two true firms joined
into one predicted firm add one false link (precision). Sample gaps count like any other
adjacency: a true link across a three-year gap is in ``T`` even if the linker bridges at most
one missing year. Copies of one firm-year (duplicate rows) are adjacent records of one entity
like any other pair. Records without truth are left out of both sets.

Relocations
-----------
A predicted move (``detect_relocations`` output: ``firm_id``, ``year`` = first year observed
at the new place, ``origin_year`` = last year observed at the old place, origins and
destinations) is mapped to a true firm through the firm's record of ``year`` (its
``true_firm_id``). It *matches* a true move of the same true firm whose origin and destination
are equal at the scoring level (county codes at ``"county"``, prefecture = first four digits +
``00`` at ``"prefecture"``) and whose year is the predicted ``year``, or, for a move across a
sample gap (``origin_year < year - 1``), any year in ``origin_year + 1 .. year`` (the true
move happened while the firm was out of the sample). Each true and each predicted move is
matched at most once (the exact year first).

At level ``"prefecture"`` the truth is the moves with ``kind == "between_prefectures"`` and
the predictions the moves between prefectures; at ``"county"`` every move. Recall is over the
true moves that are ``observable`` (the firm in the sample in ``year - 1`` and ``year``);
precision counts a prediction as correct when it matches any true move, observable or not (a
move across a sample gap is real but not observable in that sense).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEYS = ["source_file", "source_row"]


def _with_truth(linked: pd.DataFrame, records_truth: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in [*KEYS, "year", "firm_id"] if c not in linked.columns]
    if missing:
        raise ValueError(f"linked records lack columns {missing}")
    t = records_truth[[*KEYS, "true_firm_id"]].drop_duplicates(KEYS)
    left = linked[[*KEYS, "year", "firm_id"]].copy()
    left["source_file"] = left["source_file"].astype("string")
    left["source_row"] = left["source_row"].astype("int64")
    t = t.assign(source_file=t["source_file"].astype("string"), source_row=t["source_row"].astype("int64"))
    d = left.merge(t, on=KEYS, how="left", validate="many_to_one")
    return d[d["true_firm_id"].notna()].reset_index(drop=True)


def consecutive_pairs(entity: pd.Series | np.ndarray, year, source_file, source_row) -> np.ndarray:
    """Consecutive links of ``entity`` as int64 codes ``a * n + b`` of record positions
    (``a`` the earlier record): records ordered by (year, source_file, source_row)."""
    n = len(entity)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ent = pd.factorize(pd.Series(np.asarray(entity)), sort=False)[0]
    sf = pd.factorize(pd.Series(np.asarray(source_file, dtype=object)), sort=True)[0]
    order = np.lexsort((np.asarray(source_row, dtype=np.int64), sf, np.asarray(year, dtype=np.int64), ent))
    e = ent[order]
    same = (e[1:] == e[:-1]) & (e[1:] >= 0)
    a, b = order[:-1][same], order[1:][same]
    return a.astype(np.int64) * n + b.astype(np.int64)


def _prf(n_pred: int, n_true: int, tp: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 1.0
    recall = tp / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": float(precision), "recall": float(recall), "f1": float(f1)}


def score_linking(linked: pd.DataFrame, records_truth: pd.DataFrame) -> dict:
    """Precision and recall of consecutive-record links (module docstring).

    ``linked``: records with ``source_file``, ``source_row``, ``year`` and ``firm_id``;
    ``records_truth``: ``source_file``, ``source_row``, ``true_firm_id``.
    Returns ``precision``, ``recall``, ``f1``, ``n_records``, ``n_pred_links``,
    ``n_true_links``, ``n_correct_links``, ``n_pred_firms``, ``n_true_firms``,
    ``n_true_links_gap_gt2`` (true links across more than one missing year).
    """
    d = _with_truth(linked, records_truth)
    pred = consecutive_pairs(d["firm_id"], d["year"], d["source_file"], d["source_row"])
    true = consecutive_pairs(d["true_firm_id"], d["year"], d["source_file"], d["source_row"])
    tp = int(len(np.intersect1d(pred, true)))
    n = len(d)
    yr = d["year"].to_numpy(dtype=np.int64)
    gaps = yr[true % n] - yr[true // n] if len(true) else np.zeros(0)
    out = _prf(len(pred), len(true), tp)
    out.update(
        {
            "n_records": int(n),
            "n_pred_links": int(len(pred)),
            "n_true_links": int(len(true)),
            "n_correct_links": tp,
            "n_pred_firms": int(d["firm_id"].nunique()),
            "n_true_firms": int(d["true_firm_id"].nunique()),
            "n_true_links_gap_gt2": int((gaps > 2).sum()),
        }
    )
    return out


def _level_codes(s: pd.Series, level: str) -> pd.Series:
    s = s.astype("string")
    return s if level == "county" else (s.str[:4] + "00").astype("string")


def score_relocations(
    moves_pred: pd.DataFrame,
    linked: pd.DataFrame,
    records_truth: pd.DataFrame,
    moves_truth: pd.DataFrame,
    level: str = "prefecture",
) -> dict:
    """Precision and recall of detected relocations at ``level`` (module docstring).

    ``moves_pred``: ``firm_id``, ``year``, ``origin_county``, ``dest_county`` and optionally
    ``origin_year`` (without it every move is taken as between consecutive years);
    ``linked``: records with ``firm_id``, ``year``, ``source_file``, ``source_row``;
    ``records_truth``, ``moves_truth``: the world's truth tables.
    Returns ``level``, ``precision``, ``recall``, ``f1``, ``n_pred``, ``n_true`` (observable
    true moves), ``n_pred_matched``, ``n_true_matched``, ``n_true_all``.
    """
    if level not in ("prefecture", "county"):
        raise ValueError("level must be 'prefecture' or 'county'")
    d = _with_truth(linked, records_truth)
    sf = pd.factorize(d["source_file"], sort=True)[0]
    d = d.assign(_sf=sf).sort_values(["firm_id", "year", "_sf", "source_row"])
    fy = d.drop_duplicates(["firm_id", "year"])[["firm_id", "year", "true_firm_id"]]

    mp = moves_pred.copy()
    if "origin_year" not in mp.columns:
        mp["origin_year"] = mp["year"] - 1
    mp["o"] = _level_codes(mp["origin_county"], level)
    mp["d"] = _level_codes(mp["dest_county"], level)
    mp = mp[mp["o"] != mp["d"]]
    mp = mp.reset_index(drop=True).assign(pid=lambda x: np.arange(len(x)))
    mp = mp.merge(fy, on=["firm_id", "year"], how="left")

    mt = moves_truth.copy()
    if level == "prefecture":
        mt = mt[mt["kind"] == "between_prefectures"]
    mt["o"] = _level_codes(mt["origin_county"], level)
    mt["d"] = _level_codes(mt["dest_county"], level)
    mt = mt[mt["o"] != mt["d"]].reset_index(drop=True).assign(tid=lambda x: np.arange(len(x)))
    mt = mt.rename(columns={"year": "true_year"})

    cand = mp.dropna(subset=["true_firm_id"]).merge(
        mt[["tid", "true_firm_id", "true_year", "o", "d", "observable"]], on=["true_firm_id", "o", "d"]
    )
    exact = cand["true_year"] == cand["year"]
    in_gap = (
        (cand["true_year"] > cand["origin_year"])
        & (cand["true_year"] <= cand["year"])
        & (cand["origin_year"] < cand["year"] - 1)
    )
    cand = cand[exact | in_gap].assign(_pri=np.where(exact[exact | in_gap], 0, 1))
    cand = cand.assign(_dist=(cand["year"] - cand["true_year"]).abs())
    cand = cand.sort_values(["_pri", "_dist", "pid", "tid"])
    # one-to-one: greedily, exact-year matches first
    cand = cand.drop_duplicates("pid").drop_duplicates("tid")
    n_pred = len(mp)
    obs = mt["observable"].astype(bool)
    n_true = int(obs.sum())
    tp_pred = int(cand["pid"].nunique())
    tp_true = int(cand.loc[cand["observable"].astype(bool), "tid"].nunique())
    precision = tp_pred / n_pred if n_pred else 1.0
    recall = tp_true / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "level": level,
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "n_pred": int(n_pred),
        "n_true": n_true,
        "n_pred_matched": tp_pred,
        "n_true_matched": tp_true,
        "n_true_all": int(len(mt)),
    }
