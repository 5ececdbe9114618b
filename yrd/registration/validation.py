"""Address-to-county accuracy of ingested registration extracts against a synthetic truth.

Every address *written* into the extracts is scored: the before and after addresses of each
relocation record (change-truth ``kind`` ``address`` or ``combined``; columns
``origin_county``, ``dest_county``, ``style_before``, ``style_after``) and the investee address
of each investment record (investment-truth ``kind == "investment"``, true county
``dest_county``). Duplicate rows (``exact_duplicate``, ``near_duplicate``) repeat an address
already counted and are left out; as ingestion keeps the *first* of identical rows, which may be
the copy, an address whose record was removed as a duplicate takes the outcome of its exact
copy (truth columns ``record_id``, ``duplicate_of``).

The outcome of an address is read from the ingestion's outputs, never recomputed:

* ``resolved``: the record is clean and the address has a county (``county_before`` /
  ``county_after`` / ``investee_county``, with its ``resolution``);
* ``prefecture_only``: the record is clean and the address has a prefecture but no county (it
  names only the prefecture and a development zone; columns ``prefecture_before`` /
  ``prefecture_after`` / ``investee_prefecture``); ``correct`` is then False (no county) and
  ``prefecture_correct`` says whether the prefecture is the true one;
* ``quarantined``: the quarantine holds ``address_no_prefecture`` (or, in outputs of earlier
  versions, ``address_no_county``) for that address (column ``before``, ``after`` or
  ``investee_address``); its resolution kind (``prefecture``, ``ambiguous``, ``province``,
  ``none``) is read from the reason text;
* ``not_observed``: the outputs do not show what the address resolved to: the record was
  quarantined for another reason (a date, no identity, its *other* address) or dropped as an
  event duplicate. These are counted but outside the rates.

Rates over the observed addresses ``O`` (resolved ``R``, prefecture only ``P`` and
quarantined), with ``C`` the resolved addresses whose county equals the true county and ``CP``
the addresses of ``R`` and ``P`` whose prefecture equals the true prefecture::

    coverage  = |R| / |O|         (share resolved to a county)
    precision = |C| / |R|         (correct among resolved)
    accuracy  = |C| / |O|         (correct among all observed)
    prefecture_accuracy = |CP| / |O|   (right prefecture, with or without a county)

reported overall, by table and side, by address style (the truth's ``style_*``; ``*_vague``
styles name only a prefecture and a development zone and cannot be resolved to a county, the
known limitation: their records are kept with the prefecture only) and by resolution kind
(:data:`yrd.registration.address.RESOLUTIONS`). Precision and recall of this kind follow the
record-linkage evaluation of Christen (2012), *Data Matching*, ch. 7.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from yrd.geography import prefecture_of
from yrd.registration.address import RESOLUTIONS
from yrd.registration.link import address_prefecture, clean_str

#: Columns of :func:`address_outcomes`.
OUTCOME_COLUMNS = (
    "table",
    "side",
    "source_file",
    "source_row",
    "style",
    "true_county",
    "status",
    "county",
    "prefecture",
    "resolution",
    "correct",
    "prefecture_correct",
)
#: Outcome statuses (module docstring).
STATUSES = ("resolved", "prefecture_only", "quarantined", "not_observed")
_RESOLUTION = re.compile(r"\(resolution (\w+)\)\s*$")
_STYLE_COLUMNS = ("style", "address_style", "style_address")


def _quarantined(quarantine: pd.DataFrame, kind: str) -> dict[tuple[str, int, str], str]:
    """{(source_file, source_row, column): resolution} of the address_no_county and
    address_no_prefecture rows of ``kind``."""
    q = quarantine
    if "kind" in q:
        q = q[q["kind"] == kind]
    q = q[q["reason"].astype(str).str.match(r"address_no_(county|prefecture)\b")]
    out = {}
    for f, r, c, reason in zip(q["source_file"], q["source_row"], q["column"], q["reason"]):
        m = _RESOLUTION.search(str(reason))
        out[(str(f), int(r), str(c))] = m[1] if m else "none"
    return out


def _outcome(resolved: dict, quarantined: dict, keys: list[tuple[str, int]], column: str) -> tuple[str, Any, Any, Any]:
    """``(status, county, prefecture, resolution)`` of one address (``column`` as named in the
    quarantine), from the first of ``keys`` (the record's row, then its exact copies) that
    shows it; ``resolved`` maps a record to ``(county, prefecture, resolution)``."""
    for key in keys:
        if key in resolved:
            county, prefecture, resolution = resolved[key]
            if not pd.isna(county) and str(county) != "None":
                return "resolved", county, prefecture, resolution
            return "prefecture_only", None, prefecture, resolution
        if (*key, column) in quarantined:
            return "quarantined", None, None, quarantined[(*key, column)]
    return "not_observed", None, None, None


def _copies(truth: pd.DataFrame) -> dict[Any, list[tuple[str, int]]]:
    """{record_id: [(source_file, source_row) of its exact copies]} (empty without the columns)."""
    if not {"record_id", "duplicate_of"} <= set(truth.columns):
        return {}
    dup = truth[truth["kind"] == "exact_duplicate"]
    out: dict[Any, list[tuple[str, int]]] = {}
    for of, f, r in zip(dup["duplicate_of"], dup["source_file"], dup["source_row"]):
        if not pd.isna(of):
            out.setdefault(int(of), []).append((str(f), int(r)))
    return out


def _keys(rec: dict[str, Any], copies: dict[Any, list[tuple[str, int]]]) -> list[tuple[str, int]]:
    own = (str(rec["source_file"]), int(rec["source_row"]))
    rid = rec.get("record_id")
    return [own, *(copies.get(int(rid), []) if rid is not None and not pd.isna(rid) else [])]


def address_outcomes(
    changes: pd.DataFrame,
    investments: pd.DataFrame,
    quarantine: pd.DataFrame,
    change_truth: pd.DataFrame,
    investment_truth: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per written address (columns :data:`OUTCOME_COLUMNS`): its ``table``
    (``change`` / ``investment``), ``side`` (``before`` / ``after`` / ``investee``), the truth's
    ``style`` and ``true_county``, the ``status`` (:data:`STATUSES`), the ``county`` and
    ``resolution`` ingestion gave, and whether the county is ``correct``.

    ``changes``, ``investments`` and ``quarantine`` are the outputs of rule
    ingest_registration (the quarantine with or without its ``kind`` column);
    ``change_truth`` is ``registration_records.parquet``, ``investment_truth``
    ``investment_records.parquet`` (``None``: no investment extracts)."""
    rows: list[dict[str, Any]] = []
    q_change = _quarantined(quarantine, "change")
    addr = changes[changes["change_class"] == "address"]
    keys = list(zip(addr["source_file"].astype(str), addr["source_row"].astype(int)))
    res = {}
    for side in ("before", "after"):
        county = clean_str(addr[f"county_{side}"])
        prefecture = address_prefecture(county, addr[f"prefecture_{side}"])
        res[side] = dict(zip(keys, zip(county, prefecture, addr[f"resolution_{side}"])))
    copies = _copies(change_truth)
    t = change_truth[change_truth["kind"].isin(["address", "combined"])]
    for rec in t.to_dict("records"):
        keys = _keys(rec, copies)
        key = keys[0]
        for side, true in (("before", rec["origin_county"]), ("after", rec["dest_county"])):
            status, county, prefecture, resolution = _outcome(res[side], q_change, keys, side)
            rows.append(
                {
                    "table": "change",
                    "side": side,
                    "source_file": key[0],
                    "source_row": key[1],
                    "style": str(rec.get(f"style_{side}", "unknown")),
                    "true_county": str(true),
                    "status": status,
                    "county": county,
                    "prefecture": prefecture,
                    "resolution": resolution,
                }
            )
    if investment_truth is not None and len(investment_truth):
        q_inv = _quarantined(quarantine, "investment")
        keys = list(zip(investments["source_file"].astype(str), investments["source_row"].astype(int)))
        res_inv = dict(
            zip(
                keys, zip(investments["investee_county"], investments["investee_prefecture"], investments["resolution"])
            )
        )
        style_col = next((c for c in _STYLE_COLUMNS if c in investment_truth), None)
        copies = _copies(investment_truth)
        t = investment_truth[investment_truth["kind"] == "investment"]
        for rec in t.to_dict("records"):
            keys = _keys(rec, copies)
            key = keys[0]
            status, county, prefecture, resolution = _outcome(res_inv, q_inv, keys, "investee_address")
            rows.append(
                {
                    "table": "investment",
                    "side": "investee",
                    "source_file": key[0],
                    "source_row": key[1],
                    "style": str(rec[style_col]) if style_col else "unknown",
                    "true_county": str(rec["dest_county"]),
                    "status": status,
                    "county": county,
                    "prefecture": prefecture,
                    "resolution": resolution,
                }
            )
    out = pd.DataFrame(rows, columns=[c for c in OUTCOME_COLUMNS if c not in ("correct", "prefecture_correct")])
    out = out.astype({"source_row": "int64", "county": "string", "prefecture": "string", "resolution": "string"})
    out["correct"] = (out["status"] == "resolved") & (out["county"] == out["true_county"]).fillna(False)
    placed = out["status"].isin(["resolved", "prefecture_only"])
    true_prefecture = prefecture_of(out["true_county"]).astype("string")
    out["prefecture_correct"] = placed & (out["prefecture"] == true_prefecture).fillna(False)
    return out[list(OUTCOME_COLUMNS)]


def _share(a: int, b: int) -> float | None:
    return round(a / b, 6) if b else None


def accuracy_block(outcomes: pd.DataFrame) -> dict[str, Any]:
    """Counts and rates (module docstring) of a set of address outcomes; a rate is ``None``
    when its denominator is 0. ``n_wrong_same_prefecture`` counts wrong counties in the true
    prefecture (:func:`yrd.geography.prefecture_of`)."""
    observed = outcomes[outcomes["status"] != "not_observed"]
    resolved = observed[observed["status"] == "resolved"]
    pref_only = observed[observed["status"] == "prefecture_only"]
    correct = int(resolved["correct"].sum())
    wrong = resolved[~resolved["correct"]]
    same_pref = int((prefecture_of(wrong["county"]) == prefecture_of(wrong["true_county"])).fillna(False).sum())
    return {
        "n_written": len(outcomes),
        "n_observed": len(observed),
        "n_not_observed": len(outcomes) - len(observed),
        "n_resolved": len(resolved),
        "n_prefecture_only": len(pref_only),
        "n_prefecture_only_correct": int(pref_only["prefecture_correct"].sum()),
        "n_quarantined": len(observed) - len(resolved) - len(pref_only),
        "n_correct": correct,
        "n_wrong": len(wrong),
        "n_wrong_same_prefecture": same_pref,
        "coverage": _share(len(resolved), len(observed)),
        "precision": _share(correct, len(resolved)),
        "accuracy": _share(correct, len(observed)),
        "prefecture_accuracy": _share(int(observed["prefecture_correct"].sum()), len(observed)),
    }


def address_accuracy(outcomes: pd.DataFrame) -> dict[str, Any]:
    """The score document of ``validation/registration_addresses.json`` from
    :func:`address_outcomes`: ``overall``, ``by_table`` (``change_before``, ``change_after``,
    ``investment_investee``), ``by_style``, ``by_resolution`` (observed addresses; every kind of
    :data:`~yrd.registration.address.RESOLUTIONS`) and ``vague_addresses`` (the known
    limitation: styles ending in ``_vague``, with the share quarantined and the share kept at
    the prefecture)."""
    by_table = {
        f"{t}_{s}": accuracy_block(g) for (t, s), g in outcomes.groupby(["table", "side"], sort=True, observed=True)
    }
    by_style = {str(k): accuracy_block(g) for k, g in outcomes.groupby("style", sort=True)}
    observed = outcomes[outcomes["status"] != "not_observed"]
    by_resolution = {}
    for kind in RESOLUTIONS:
        g = observed[observed["resolution"] == kind]
        by_resolution[kind] = {
            "n": len(g),
            "n_correct": int(g["correct"].sum()),
            "share": _share(len(g), len(observed)),
        }
    vague = outcomes[outcomes["style"].str.endswith("_vague")]
    vague_obs = vague[vague["status"] != "not_observed"]
    n_q = int((vague_obs["status"] == "quarantined").sum())
    n_p = int((vague_obs["status"] == "prefecture_only").sum())
    return {
        "synthetic": True,
        "overall": accuracy_block(outcomes),
        "by_table": by_table,
        "by_style": by_style,
        "by_resolution": by_resolution,
        "vague_addresses": {
            "note": (
                "prefecture + development zone only: no county to recover; the record is kept with its "
                "prefecture and no county (the prefecture-level flows need no county)"
            ),
            "n_written": len(vague),
            "n_observed": len(vague_obs),
            "n_quarantined": n_q,
            "quarantined_share": _share(n_q, len(vague_obs)),
            "n_prefecture_only": n_p,
            "n_prefecture_only_correct": int(
                vague_obs.loc[vague_obs["status"] == "prefecture_only", "prefecture_correct"].sum()
            ),
            "n_resolved": int((vague_obs["status"] == "resolved").sum()),
            "n_resolved_correct": int(vague_obs["correct"].sum()),
        },
    }
