"""Relocation flows from three sources: ASIF moves, registration relocations, investments.

Issue 16 adds business-registration records (工商登记) beside the ASIF survey. Each of three
sources gives prefecture-crossing events of firms; this module puts them in one layout, counts
them in the origin-destination panel of :func:`yrd.flows.od.od_panels` and estimates the same
PPML gravity model on each (:func:`yrd.flows.measures.study_frame`,
:func:`yrd.flows.gravity.estimate_gravity`), so that the sources can be compared
(:mod:`yrd.flows.source_comparison`).

Sources (:data:`SOURCES`)
-------------------------
* ``asif``: relocations detected in the ASIF panel (``results/<run>/relocations/moves.parquet``,
  the full sample, as rule ``od_panel``); ``year`` = first year at the new place; ``employment``
  = the firm's employment in ``origin_year`` (last year at the origin) from
  ``clean/firm_years.parquet`` when given.
* ``changes``: address changes that change county (``registration/relocation_events.parquet``);
  ``year`` = year of the change date (registered with a delay of 0, 1, ... years after the
  move); ``industry`` and ``employment`` of the linked ASIF firm, missing when unlinked.
* ``investments``: subsidiaries opened in another prefecture
  (``registration/expansion_events.parquet``); origin = the parent's prefecture, destination
  = the subsidiary's; ``year`` = founding year; ``firm_id`` = the parent's ASIF id.

Every source becomes the *events* layout :data:`EVENT_COLUMNS` (:func:`source_events`), which
holds the columns :func:`yrd.flows.od.od_panel` reads (``year``, ``origin_prefecture``,
``dest_prefecture``, ``industry``). As in ``od_panel``, an event whose industry has no
relocation class counts in the ``total`` cells only (not in the class cells the PPML uses), and
events whose origin or destination is outside the study prefectures (or unknown: an
investment's origin without an area code), within one prefecture or outside the study years are
dropped and counted. Accounting (:func:`od_accounting`): ``input = counted_classified +
unclassified + outside_prefectures + within_prefecture + outside_years``.

The gravity table (:func:`sources_gravity`) is :data:`yrd.flows.gravity.TABLE_COLUMNS` with a
leading ``source`` column; each source's pooled model is checked against the synthetic
world's true parameters by :func:`sources_validation` (ASIF and changes: the relocation model's
``truth/params.json``; investments: ``registration/truth/investment_params.json``, same keys
``beta_log_distance`` and ``beta_border``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.flows.gravity import REGRESSORS, TABLE_COLUMNS, estimate_gravity
from yrd.flows.od import LEVELS, counted_mask, od_panels
from yrd.flows.validation import gravity_validation
from yrd.io import firm_id_codes

log = logging.getLogger(__name__)

#: The three sources of prefecture-crossing events.
SOURCES = ("asif", "changes", "investments")
#: Layout of the events of every source (:func:`source_events`).
EVENT_COLUMNS = [
    "firm_id",
    "year",
    "origin_county",
    "dest_county",
    "origin_prefecture",
    "dest_prefecture",
    "industry",
    "employment",
]
#: Reasons an event is not counted in the OD panel (``attrs["dropped"]`` of ``od_panel``).
DROP_REASONS = ("outside_prefectures", "within_prefecture", "outside_years")


def _str_col(s: pd.Series | None, n: int) -> pd.Series:
    """``s`` as a nullable string column (all <NA> when ``s`` is None)."""
    if s is None:
        return pd.Series(pd.array([pd.NA] * n, dtype="string"))
    out = s.astype("string").reset_index(drop=True)
    return out.mask(out.str.strip() == "")


def _events(
    firm_id, year, origin_county, dest_county, origin_prefecture, dest_prefecture, industry, employment, n: int
) -> pd.DataFrame:
    """The events frame (:data:`EVENT_COLUMNS`) from columns (None = missing)."""
    oc, dc = _str_col(origin_county, n), _str_col(dest_county, n)
    op = _str_col(origin_prefecture, n) if origin_prefecture is not None else (oc.str[:4] + "00").astype("string")
    dp = _str_col(dest_prefecture, n) if dest_prefecture is not None else (dc.str[:4] + "00").astype("string")
    ind = _str_col(industry, n).str.zfill(2)
    fid = pd.array([pd.NA] * n, dtype="Int64") if firm_id is None else pd.array(firm_id, dtype="Int64")
    emp = pd.array([pd.NA] * n, dtype="Int64") if employment is None else pd.array(employment, dtype="Int64")
    return pd.DataFrame(
        {
            "firm_id": fid,
            "year": pd.to_numeric(pd.Series(np.asarray(year)), errors="coerce").astype("Int64"),
            "origin_county": oc,
            "dest_county": dc,
            "origin_prefecture": op,
            "dest_prefecture": dp,
            "industry": ind,
            "employment": emp,
        }
    )[EVENT_COLUMNS]


def employment_at(firm_years: pd.DataFrame, firm_id, year) -> np.ndarray:
    """Employment of firm ``firm_id`` in ``year`` (element-wise) in a firm panel with
    ``firm_id`` (or ``true_firm_id``), ``year``, ``employment``; <NA> where the firm-year is
    not in the panel; a firm-year twice in the panel takes its first row. Returns a nullable
    Int64 array.

    Speed: each firm-year is one integer key (:func:`_firm_year_keys`), the panel's keys are
    sorted once (stable, so that the first of equal keys is the first row) and each wanted
    firm-year is found by binary search, instead of a (firm, year) MultiIndex built by
    ``drop_duplicates`` and ``reindex`` (about 1 s per call on the 4.4 M national firm-years)."""
    fy = firm_years.rename(columns={"true_firm_id": "firm_id"})
    has_key = (fy["firm_id"].notna() & fy["year"].notna()).to_numpy()
    panel = fy.loc[has_key, ["firm_id", "year", "employment"]] if not has_key.all() else fy
    panel_fid = panel["firm_id"].astype("int64").to_numpy()
    panel_yr = panel["year"].astype("int64").to_numpy()
    fid = pd.array(firm_id, dtype="Int64")
    yr = pd.array(year, dtype="Int64")
    ok = ~(pd.isna(fid) | pd.isna(yr))
    out = pd.array([pd.NA] * len(fid), dtype="Int64")
    if ok.any() and len(panel):
        panel_key, want_key = _firm_year_keys(
            panel_fid, panel_yr, np.asarray(fid[ok], dtype=np.int64), np.asarray(yr[ok], dtype=np.int64)
        )
        order = np.argsort(panel_key, kind="stable")
        sorted_key = panel_key[order]
        at = np.minimum(np.searchsorted(sorted_key, want_key, side="left"), len(sorted_key) - 1)
        found = (want_key >= 0) & (sorted_key[at] == want_key)
        rows = order[at[found]]
        where = np.flatnonzero(ok)[found]
        out[where] = pd.array(panel["employment"].iloc[rows], dtype="Int64")
    return out


def _firm_year_keys(
    panel_fid: np.ndarray, panel_yr: np.ndarray, want_fid: np.ndarray, want_yr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One int64 key per (firm, year), ordered as the pairs: ``firm * n_years + year offset``
    over the panel's firms and years, the firm numbered by :func:`yrd.io.firm_id_codes` (its
    offset from the panel's smallest id or, if that could overflow, its rank among the panel's
    ids). Wanted pairs outside the panel's firm or year range get -1 (not found)."""
    y0, y1 = int(panel_yr.min()), int(panel_yr.max())
    n_years = y1 - y0 + 1
    panel_firm, want_firm = firm_id_codes(panel_fid, n_years, lookup=want_fid)
    inside = (want_firm >= 0) & (want_yr >= y0) & (want_yr <= y1)
    panel_key = panel_firm * n_years + (panel_yr - y0)
    want_key = np.where(inside, want_firm * n_years + (want_yr - y0), -1)
    return panel_key, want_key


def source_events(source: str, table: pd.DataFrame, firm_years: pd.DataFrame | None = None) -> pd.DataFrame:
    """The events of ``source`` (module docstring) in the layout :data:`EVENT_COLUMNS`.

    ``table``: ``relocations/moves.parquet`` (``asif``), ``registration/relocation_events.parquet``
    (``changes``) or ``registration/expansion_events.parquet`` (``investments``);
    ``firm_years`` (``asif`` only): the ASIF panel, for the employment in ``origin_year``.
    One row per input row, in order."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    t = table.reset_index(drop=True)
    n = len(t)
    if source == "asif":  # employment in the last year at the origin, from the panel
        emp = employment_at(firm_years, t["firm_id"], t["origin_year"]) if firm_years is not None and n else None
    else:
        emp = t["employment"]
    return _events(
        t["parent_firm_id"] if source == "investments" else t["firm_id"],
        t["year"],
        t.get("origin_county") if source == "investments" else t["origin_county"],  # unknown without an area code
        t["dest_county"],
        t["origin_prefecture"],
        t["dest_prefecture"],
        t["industry"],
        emp,
        n,
    )


def truth_relocation_events(
    truth_moves: pd.DataFrame, panel: pd.DataFrame | None = None, sample_only: bool = False
) -> pd.DataFrame:
    """The synthetic world's true prefecture-crossing relocations (``truth/moves.parquet``, kind
    ``between_prefectures``) as events: ``firm_id`` = ``true_firm_id``, prefecture = first four
    digits of the county + ``00``, ``employment`` = the firm's employment in the truth ``panel``
    (``truth/panel.parquet``, the ASIF firms) in ``year - 1`` (last year at the origin), <NA>
    for firms not in the panel that year. ``sample_only``: only the moves of firms in the ASIF
    sample the year before and the year of the move (``observable``)."""
    t = truth_moves[truth_moves["kind"].astype(str) == "between_prefectures"]
    if sample_only:
        t = t[t["observable"].astype(bool)]
    t = t.reset_index(drop=True)
    emp = None
    if panel is not None and len(t):
        emp = employment_at(panel, t["true_firm_id"], t["year"].astype(np.int64) - 1)
    return _events(
        t["true_firm_id"], t["year"], t["origin_county"], t["dest_county"], None, None, t["industry"], emp, len(t)
    )


def truth_investment_events(
    events: pd.DataFrame, panel: pd.DataFrame | None = None, sample_only: bool = False
) -> pd.DataFrame:
    """The synthetic world's true subsidiaries in another prefecture
    (``registration/truth/investment_events.parquet``, rows with ``origin_prefecture !=
    dest_prefecture``) as events: ``firm_id`` = ``parent_firm_id``, ``employment`` = the parent's
    employment in the truth ``panel`` in the founding ``year``, else <NA>. ``sample_only``: only
    subsidiaries above the survey threshold (``above_threshold``: in the ASIF panel)."""
    t = events[events["origin_prefecture"].astype(str) != events["dest_prefecture"].astype(str)]
    if sample_only:
        t = t[t["above_threshold"].astype(bool)]
    t = t.reset_index(drop=True)
    emp = None
    if panel is not None and len(t):
        emp = employment_at(panel, t["parent_firm_id"], t["year"])
    return _events(
        t["parent_firm_id"],
        t["year"],
        t.get("origin_county"),
        t["dest_county"],
        t["origin_prefecture"],
        t["dest_prefecture"],
        t["industry"],
        emp,
        len(t),
    )


def counted_events(events: pd.DataFrame, prefectures: Iterable[str], years: Iterable[int]) -> pd.DataFrame:
    """The events the prefecture-level OD panel counts (:func:`yrd.flows.od.counted_mask`: origin
    and destination among ``prefectures``, distinct, ``year`` in ``years``)."""
    keep, _ = counted_mask(events, list(prefectures), years)
    return events[keep].reset_index(drop=True)


def od_accounting(attrs: Mapping[str, Any]) -> dict[str, int]:
    """Where every input event went in one OD panel (``attrs`` of :func:`yrd.flows.od.od_panel`):
    ``input``, ``counted_classified``, ``unclassified`` (in ``total`` only) and one count per
    reason of :data:`DROP_REASONS`. Raises AssertionError unless they add up to ``input``."""
    dropped = {r: int(attrs["dropped"].get(r, 0)) for r in DROP_REASONS}
    out = {
        "input": int(attrs["n_input"]),
        "counted_classified": int(attrs["n_counted"]) - int(attrs["unclassified"]),
        "unclassified": int(attrs["unclassified"]),
        **dropped,
    }
    if sum(v for k, v in out.items() if k != "input") != out["input"]:
        raise AssertionError(f"events do not add up: {out}")
    return out


def source_od(
    events: pd.DataFrame,
    prefectures: Sequence[str] | pd.DataFrame,
    years: Iterable[int],
    groups_map: Mapping[str, str] | pd.Series,
    levels: Sequence[str] = LEVELS,
) -> pd.DataFrame:
    """The OD panels (:func:`yrd.flows.od.od_panels`, layout of ``flows/od.parquet``) of one
    source's events; ``attrs`` maps each level to its accounting (:func:`od_accounting`)."""
    od = od_panels(events, prefectures, years, groups_map, levels)
    od.attrs = {lv: od_accounting(a) for lv, a in od.attrs.items()}
    return od


def sources_gravity(
    frames: Mapping[str, pd.DataFrame] | Iterable[tuple[str, pd.DataFrame]],
    regressors: Sequence[str] = REGRESSORS,
    *,
    cluster: str = "pair",
    min_moves: int = 0,
    reuse: Mapping[str, pd.DataFrame] | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """The gravity models (:func:`yrd.flows.gravity.estimate_gravity`: pooled with
    origin x class x period and destination x class x period effects, and one per class) on
    the estimation frame of each source (``{source: frame}``, :func:`yrd.flows.measures.study_frame`),
    one table: ``source`` then :data:`yrd.flows.gravity.TABLE_COLUMNS`, sources in the given
    order. A model that cannot be estimated is a row with NaN estimates and the reason in
    ``note``.

    ``frames`` may also be an iterable of ``(source, frame)`` pairs, e.g. a generator that
    builds each source's frame only when it is reached: each frame is then released once its
    models are fitted, so that one frame is in memory at a time (a national grid of 342
    prefectures has ~9 M cells per source).

    ``reuse``: ``{source: table}`` of sources whose models are already estimated on the same
    panel with the same regressors, cluster and ``min_moves`` (e.g. ``asif``: rule ``gravity``'s
    ``flows/gravity.csv`` when the asif panel equals ``flows/od.parquet``,
    :func:`same_od_panel`); their rows (:data:`TABLE_COLUMNS`) are taken as they are and their
    frames are not used (may be None). Checked: the table holds a pooled model and exactly ``regressors``.

    ``workers``: threads each source's models are fitted on (:func:`estimate_gravity`)."""
    reuse = dict(reuse or {})
    for source, table in reuse.items():
        missing = [c for c in TABLE_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"sources_gravity: the table reused for {source!r} lacks columns {missing}")
        pooled_terms = list(table.loc[table["model"] == "pooled", "term"])
        if pooled_terms != list(regressors):
            raise ValueError(
                f"sources_gravity: the table reused for {source!r} has pooled terms {pooled_terms}, "
                f"not the regressors {list(regressors)}"
            )
        if set(table["cluster"].dropna()) - {cluster}:
            raise ValueError(
                f"sources_gravity: the table reused for {source!r} is clustered by {set(table['cluster'])}"
            )
    items = frames.items() if isinstance(frames, Mapping) else frames
    parts = []
    for source, frame in items:
        if source in reuse:  # its frame may be None: not needed
            parts.append(reuse[source][TABLE_COLUMNS].assign(source=source))
            continue
        # coefficients only: the sources' fitted flows are not used (and not computed)
        table = estimate_gravity(
            frame, regressors, cluster=cluster, min_moves=min_moves, fitted=False, workers=workers
        )[0]
        del frame  # before the next frame is built
        parts.append(table.assign(source=source))
    return pd.concat(parts, ignore_index=True)[["source", *TABLE_COLUMNS]]


def same_od_panel(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when two OD panel files (layout of ``flows/od.parquet``) hold the same cells in the
    same order: equal Arrow tables (schema and values), compared without converting to pandas.
    Used to reuse rule ``gravity``'s estimates for the ``asif`` source (:func:`sources_gravity`),
    whose panel rule ``source_od`` builds from the same moves by the same
    :func:`yrd.flows.od.od_panels`.

    Files with the same bytes hold the same table, so they are compared byte by byte first (the
    two rules write byte-identical files; on the national world 4 MB compared at once against
    3-6 s for reading and comparing two tables of 11 M rows); only files that differ are read."""
    import filecmp

    import pyarrow.parquet as pq

    if filecmp.cmp(a, b, shallow=False):
        return True
    ta, tb = pq.read_table(a), pq.read_table(b)
    return ta.schema.remove_metadata().equals(tb.schema.remove_metadata()) and ta.equals(tb)


def sources_validation(
    table: pd.DataFrame, params: Mapping[str, Mapping[str, Any]], rel_tol: float = 0.05, model: str = "pooled"
) -> dict[str, Any]:
    """Each source's ``model`` against its true parameters (``{source: params}``; a source
    without parameters is left out) by :func:`yrd.flows.validation.gravity_validation`:
    ``{"synthetic": True, "sources": {source: result}, "accepted": all accepted}``."""
    out: dict[str, Any] = {"synthetic": True, "model": model, "rel_tol": rel_tol, "sources": {}}
    for source, par in params.items():
        t = table[table["source"] == source].drop(columns="source")
        if t.empty:
            out["sources"][source] = {"accepted": False, "reason": f"not estimable: no gravity rows of {source}"}
            continue
        out["sources"][source] = gravity_validation(t, par, model=model, rel_tol=rel_tol)
    out["accepted"] = bool(out["sources"]) and all(r["accepted"] for r in out["sources"].values())
    return out


def truth_event_comparison(
    validation: Mapping[str, Any], truth_table: pd.DataFrame, model: str = "pooled"
) -> dict[str, Any]:
    """``validation`` (:func:`sources_validation`) with, per source, the same ``model`` estimated
    on the source's *true* events (``truth_table``: :func:`sources_gravity` on the OD panels of
    :func:`truth_relocation_events` for asif and changes, :func:`truth_investment_events` for
    investments): ``truth_events`` gives, per true parameter, that estimate, its s.e., the
    pipeline's estimate minus it, and the true events' own distance from the true parameter in
    s.e. (``truth_events_z``). A source whose true events already miss the truth by more than
    2 s.e. misses it by the draw of the synthetic world, not by the pipeline; the acceptance is
    unchanged (against the true parameters, :func:`yrd.flows.validation.gravity_validation`)."""
    from yrd.flows.validation import TRUE_TERMS

    out = {**validation, "sources": {k: dict(v) for k, v in validation.get("sources", {}).items()}}
    for source, res in out["sources"].items():
        t = truth_table[(truth_table["source"] == source) & (truth_table["model"] == model)].set_index("term")
        cmp: dict[str, Any] = {}
        for par, term in TRUE_TERMS.items():
            p = (res.get("parameters") or {}).get(par, {})
            if term not in t.index or not np.isfinite(t.loc[term, "estimate"]):
                cmp[par] = {"estimate": None, "std_error": None, "pipeline_minus_truth_events": None}
                continue
            est, se = float(t.loc[term, "estimate"]), float(t.loc[term, "std_error"])
            pipe, true = p.get("estimate"), p.get("true")
            cmp[par] = {
                "estimate": est,
                "std_error": se,
                "pipeline_minus_truth_events": None if pipe is None else float(pipe) - est,
                "truth_events_z": None if true is None or not se else (est - float(true)) / se,
            }
        res["truth_events"] = cmp
    return out
