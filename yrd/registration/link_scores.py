"""Precision and recall of registration-record links against a synthetic world's truth.

A link is a party of a clean registration record (:mod:`yrd.registration.link`) with an ASIF
``firm_id``. Truths:

* the true firm of a party: for a change record ``true_firm_id`` of
  ``registration/truth/registration_records.parquet`` (``source_file``, ``source_row``); for
  an investment record ``parent_firm_id`` (investor) and ``asif_firm_id`` (investee, missing
  when the subsidiary is below the survey threshold) of
  ``registration/truth/investment_records.parquet``;
* the true firm of an ASIF ``firm_id``: the most frequent ``true_firm_id`` of its
  firm-years (``clean/firm_years.parquet`` ``source_file`` + ``source_row`` -> the ASIF
  truth ``records.parquet``; ties to the lower id).

With ``L`` the links made, ``C`` the links whose firm's true firm is the party's true firm and
``R`` the parties whose true firm is in the ASIF panel (``truth/panel.parquet``)::

    precision = |C| / |L|,   recall = |C| / |R|.

Parties without a truth row are left out. Both are also given by link method (``recall`` of a
method: its correct links over all of ``R``), by key kind of the party
(:data:`yrd.registration.link.PARTY_KEY_KINDS`) and by table and party.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from yrd.registration.keys import classify_keys
from yrd.registration.link import METHODS, PARTY_KEY_KINDS


def _base(files: pd.Series) -> pd.Series:
    return files.astype(str).map(os.path.basename)


def party_key_kinds(changes: pd.DataFrame, investments: pd.DataFrame) -> pd.DataFrame:
    """``table``, ``source_file``, ``source_row``, ``event``, ``party``, ``key_kind`` of every
    party (the kind of its best key: credit code, registration number, organisation code)."""
    c = changes
    has = {
        col: c[col].astype("string").replace({"None": pd.NA, "": pd.NA}).notna()
        for col in ("credit_code", "reg_number", "org_code")
    }
    kind = np.select([has["credit_code"], has["reg_number"], has["org_code"]], list(PARTY_KEY_KINDS[:3]), "none")
    out = [
        pd.DataFrame(
            {
                "table": "change",
                "source_file": c["source_file"].astype(str),
                "source_row": c["source_row"].astype("int64"),
                "event": c["event"].astype("int64"),
                "party": "firm",
                "key_kind": kind,
            }
        )
    ]
    for who in ("investor", "investee"):
        k = classify_keys(investments[f"{who}_key"].astype("string").fillna(""))["kind"].astype(str)
        out.append(
            pd.DataFrame(
                {
                    "table": "investment",
                    "source_file": investments["source_file"].astype(str),
                    "source_row": investments["source_row"].astype("int64"),
                    "event": np.int64(0),
                    "party": who,
                    "key_kind": k.where(k.isin(PARTY_KEY_KINDS), "none").to_numpy(),
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def asif_true_firms(firm_years: pd.DataFrame, records_truth: pd.DataFrame) -> pd.Series:
    """``firm_id`` -> the majority ``true_firm_id`` of its firm-years (module docstring)."""
    on = ["source_file", "source_row"]
    fy = firm_years[[*on, "firm_id"]].astype({"source_file": str, "source_row": "int64"})
    t = records_truth[[*on, "true_firm_id"]].astype({"source_file": str, "source_row": "int64"}).drop_duplicates(on)
    m = fy.merge(t, on=on)
    n = m.groupby(["firm_id", "true_firm_id"]).size().rename("n").reset_index()
    n = n.sort_values(["firm_id", "n", "true_firm_id"], ascending=[True, False, True]).drop_duplicates("firm_id")
    return n.set_index("firm_id")["true_firm_id"].astype("int64")


def party_truth(change_truth: pd.DataFrame, investment_truth: pd.DataFrame) -> pd.DataFrame:
    """``table``, ``source_file`` (base name), ``source_row``, ``party``, ``true_firm_id``
    (Int64; missing for an investee below the threshold)."""
    c = change_truth[["source_file", "source_row", "true_firm_id"]].assign(table="change", party="firm")
    parts = [c]
    for who, col in (("investor", "parent_firm_id"), ("investee", "asif_firm_id")):
        v = investment_truth[["source_file", "source_row", col]].rename(columns={col: "true_firm_id"})
        parts.append(v.assign(table="investment", party=who))
    t = pd.concat(parts, ignore_index=True)
    t["source_file"] = _base(t["source_file"])
    t["source_row"] = t["source_row"].astype("int64")
    t["true_firm_id"] = t["true_firm_id"].astype("Int64")
    return t.drop_duplicates(["table", "source_file", "source_row", "party"])


def _prf(d: pd.DataFrame) -> dict:
    linked, correct, in_panel = int(d["linked"].sum()), int(d["correct"].sum()), int(d["in_panel"].sum())
    return {
        "parties": len(d),
        "in_panel": in_panel,
        "links": linked,
        "correct": correct,
        "precision": correct / linked if linked else None,
        "recall": correct / in_panel if in_panel else None,
    }


def score_registration_links(
    links: pd.DataFrame,
    key_kinds: pd.DataFrame,
    truth: pd.DataFrame,
    asif_truth: pd.Series,
    panel_firms: set[int] | np.ndarray,
) -> dict:
    """Precision and recall of ``links`` (``registration/links.parquet``) against ``truth``
    (:func:`party_truth`); ``key_kinds`` from :func:`party_key_kinds`; ``asif_truth`` from
    :func:`asif_true_firms`; ``panel_firms`` the true firm ids of the ASIF panel. Returns
    ``overall``, ``by_method``, ``by_key_kind``, ``by_party`` (dicts of :func:`_prf`)."""
    ident = ["table", "source_file", "source_row", "event", "party"]
    d = links[[*ident, "firm_id", "method"]].copy()
    d["source_file"] = _base(d["source_file"])
    kk = key_kinds.assign(source_file=_base(key_kinds["source_file"]))
    d = d.merge(kk, on=ident, how="left")
    d["key_kind"] = d["key_kind"].fillna("none")
    d = d.merge(truth, on=["table", "source_file", "source_row", "party"], how="inner")
    d["linked"] = d["firm_id"].notna()
    mapped = d["firm_id"].map(asif_truth).astype("Int64")
    d["correct"] = (d["linked"] & mapped.eq(d["true_firm_id"])).fillna(False).astype(bool)
    panel = pd.Index(np.asarray(list(panel_firms), dtype=np.int64))
    d["in_panel"] = d["true_firm_id"].notna() & d["true_firm_id"].isin(panel)
    n_in = int(d["in_panel"].sum())
    by_method = {}
    for m in METHODS[:-1]:
        sub = d[d["method"].eq(m)]
        r = _prf(sub)
        r["recall"] = r["correct"] / n_in if n_in else None  # share of all recoverable parties
        by_method[m] = r
    return {
        "overall": _prf(d),
        "by_method": by_method,
        "by_key_kind": {k: _prf(d[d["key_kind"].eq(k)]) for k in PARTY_KEY_KINDS},
        "by_party": {f"{t}:{p}": _prf(g) for (t, p), g in d.groupby(["table", "party"], sort=True)},
        "unscored_parties": int(len(links) - len(d)),
    }


def _share(num: int, den: int) -> float | None:
    return num / den if den else None


def score_events(
    relocations: pd.DataFrame,
    expansions: pd.DataFrame,
    truth: pd.DataFrame,
    asif_truth: pd.Series,
    investment_truth: pd.DataFrame | None = None,
) -> dict:
    """How well the events of :mod:`yrd.registration.events` carry their firm, judged on the
    record each event keeps (``source_file``, ``source_row``; ``truth`` from :func:`party_truth`).

    ``relocations``: ``events``, ``linked`` (share with a ``firm_id``), ``firm_correct`` (share
    of the linked whose firm is the record's true firm) and ``same_true_move`` (events that
    repeat an earlier event's true firm, origin and destination: duplicates left unmerged, or
    a firm moving back and forth). ``expansions``: the same for the parent and, with
    ``investment_truth`` (``investment_records.parquet``), ``origin_correct`` (share whose
    ``origin_prefecture`` is the true one) by ``origin_method``, ``dest_prefecture_correct``
    (share whose ``dest_prefecture`` is the true one) and ``dest_without_county`` (the events
    whose investee address named no county: their number and that share among them)."""

    def judged(ev: pd.DataFrame, table: str, party: str, col: str) -> pd.DataFrame:
        t = truth[truth["table"].eq(table) & truth["party"].eq(party)]
        d = ev.assign(source_file=_base(ev["source_file"])).merge(
            t[["source_file", "source_row", "true_firm_id"]], on=["source_file", "source_row"], how="left"
        )
        d["linked"] = d[col].notna()
        d["correct"] = (d["linked"] & d[col].map(asif_truth).astype("Int64").eq(d["true_firm_id"])).fillna(False)
        return d

    r = judged(relocations, "change", "firm", "firm_id")
    n_rl = int(r["linked"].sum())
    places = ["origin_county", "dest_county", "origin_prefecture", "dest_prefecture"]
    rep = r.dropna(subset=["true_firm_id"]).duplicated(["true_firm_id", *[c for c in places if c in r]]).sum()
    out = {
        "relocations": {
            "events": len(r),
            "linked": _share(n_rl, len(r)),
            "firm_correct": _share(int(r["correct"].sum()), n_rl),
            "same_true_move": int(rep),
        }
    }
    e = judged(expansions, "investment", "investor", "parent_firm_id")
    n_el = int(e["linked"].sum())
    exp: dict = {
        "events": len(e),
        "linked": _share(n_el, len(e)),
        "firm_correct": _share(int(e["correct"].sum()), n_el),
    }
    if investment_truth is not None and len(e):
        cols = [c for c in ("origin_prefecture", "dest_prefecture") if c in investment_truth]
        it = investment_truth[["source_file", "source_row", *cols]].assign(
            source_file=_base(investment_truth["source_file"])
        )
        e = e.merge(
            it.rename(columns={"origin_prefecture": "true_origin", "dest_prefecture": "true_dest"}),
            on=["source_file", "source_row"],
            how="left",
        )
        ok = e["origin_prefecture"].astype(str).eq(e["true_origin"].astype(str))
        exp["origin_correct"] = {str(m): float(ok[g.index].mean()) for m, g in e.groupby("origin_method")}
    if investment_truth is not None and len(e) and "true_dest" in e:
        no_county = e["dest_county"].isna().to_numpy(dtype=bool)
        dest_ok = e["dest_prefecture"].astype(str).eq(e["true_dest"].astype(str)).to_numpy(dtype=bool)
        exp["dest_prefecture_correct"] = float(dest_ok.mean())
        exp["dest_without_county"] = {
            "events": int(no_county.sum()),
            "dest_correct": _share(int(dest_ok[no_county].sum()), int(no_county.sum())),
        }
    out["expansions"] = exp
    return out
