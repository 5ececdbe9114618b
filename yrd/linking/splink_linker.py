"""Probabilistic linking of firm records across years with Splink (DuckDB backend).

A Fellegi-Sunter model (Splink 5 API: ``DuckDBAPI().register``, ``Linker``, ``SettingsCreator``)
on the same normalised fields as :mod:`yrd.linking.core`:

* comparisons: firm code (exact), name (exact normalised name / exact core name /
  Jaro-Winkler of core names >= 0.92 / >= 0.80 / else), legal representative (exact), phone
  with area code (exact), founding year (exact / within 1 year / else), location (same county
  / same prefecture / else), 2-digit industry (exact);
* blocking (pairs of records ``l`` earlier than ``r`` by 1..``max_gap`` years only): same
  code; same name; same core name; same legal representative and prefecture; same phone;
  same founding year and county; same founding year and industry;
* training: the prior from a deterministic rule (same code, consecutive years, recall 0.9),
  ``u`` by random sampling, ``m`` by expectation maximisation over two blocking rules (same
  code; same legal representative and prefecture), so every comparison is estimated once;
* prediction, then one-to-one resolution of consecutive-year pairs: for gap 1, then 2, ...,
  among records still unmatched in that direction, a pair with ``match_probability >=
  threshold`` is kept when each record is the other's unique best (mutual best match), as in
  the fuzzy pass of :mod:`yrd.linking.core`. Chains then give firm ids exactly as there.

:func:`splink_residual` is the ``splink`` residual step of :func:`yrd.linking.bvz.link_records`
(:data:`yrd.linking.bvz.RESIDUAL_STEPS`); :func:`link_firms_splink` links with the model alone.

Splink is an optional dependency (tested with splink 5.0.0 on duckdb 2.0.1 and pandas 3.1).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

import numpy as np
import pandas as pd

from yrd.linking.core import EXACT_PASSES, Prepared, firm_ids_for_rows, mutual_best, prepare, run_passes

log = logging.getLogger(__name__)


def _require_splink():
    try:
        import splink  # noqa: F401
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("link_firms_splink needs the optional package 'splink' (pip install splink)") from e


def _table(p: Prepared, free_fwd: np.ndarray, free_bwd: np.ndarray) -> pd.DataFrame:
    def nullable(a: np.ndarray) -> pd.Series:
        return pd.Series(pd.array(np.where(a >= 0, a, 0), dtype="Int64")).where(a >= 0, pd.NA)

    def text(a: np.ndarray) -> pd.Series:
        return pd.Series(a, dtype="string")

    keep = free_fwd | free_bwd
    idx = np.flatnonzero(keep)
    t = pd.DataFrame(
        {
            "unique_id": idx.astype(np.int64),
            "year": p.year[idx],
            "fc": nullable(p.cols["fc"][idx]),
            "name": text(p.name[idx]),
            "core": text(p.core[idx]),
            "rep": nullable(p.cols["rep"][idx]),
            "phone": nullable(p.cols["phone"][idx]),
            "founding_year": nullable(p.founding[idx]),
            "county": nullable(p.cols["county"][idx]),
            "prefecture": nullable(p.cols["prefecture"][idx]),
            "industry": nullable(p.cols["industry"][idx]),
            "free_fwd": free_fwd[idx].astype(np.int8),
            "free_bwd": free_bwd[idx].astype(np.int8),
        }
    )
    return t


def _settings(max_gap: int):
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    cond = f"r.year > l.year and r.year - l.year <= {int(max_gap)} and l.free_fwd = 1 and r.free_bwd = 1"
    rules = [
        "l.fc = r.fc",
        "l.name = r.name",
        "l.core = r.core",
        "l.rep = r.rep and l.prefecture = r.prefecture",
        "l.phone = r.phone",
        "l.founding_year = r.founding_year and l.county = r.county",
        "l.founding_year = r.founding_year and l.industry = r.industry",
    ]

    def levels(output: str, column: str, *between) -> cl.CustomComparison:
        """Comparison ``output``: ``column`` null, ``column`` equal, the levels ``between``, else."""
        return cl.CustomComparison(
            output_column_name=output,
            comparison_levels=[cll.NullLevel(column), cll.ExactMatchLevel(column), *between, cll.ElseLevel()],
        )

    name_cmp = levels(
        "name",
        "name",
        cll.ExactMatchLevel("core"),
        cll.JaroWinklerLevel("core", 0.92),
        cll.JaroWinklerLevel("core", 0.80),
    )
    loc_cmp = levels("location", "county", cll.ExactMatchLevel("prefecture"))
    found_cmp = levels(
        "founding_year",
        "founding_year",
        cll.CustomLevel("abs(founding_year_l - founding_year_r) <= 1", label_for_charts="within 1 year"),
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.ExactMatch("fc"),
            name_cmp,
            cl.ExactMatch("rep"),
            cl.ExactMatch("phone"),
            found_cmp,
            loc_cmp,
            cl.ExactMatch("industry"),
        ],
        blocking_rules_to_generate_predictions=[CustomRule(f"{r} and {cond}") for r in rules],
        additional_columns_to_retain=["year"],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    return settings, cond


def splink_predictions(
    p: Prepared,
    free_fwd: np.ndarray,
    free_bwd: np.ndarray,
    *,
    max_gap: int = 2,
    max_pairs_u: float = 2e6,
    seed: int = 1,
    threshold: float = 0.5,
    train_on_all: bool = True,
) -> pd.DataFrame:
    """Scored candidate pairs ``(i, j, p)`` (node indices, ``i`` earlier) among free records.

    The model is trained on all nodes (``train_on_all``) or only on the free ones; predictions
    are made only for pairs of a record free forward and a record free backward.
    """
    _require_splink()
    from splink import DuckDBAPI, Linker
    from splink.blocking_rule_library import CustomRule

    t0 = time.perf_counter()
    settings, cond = _settings(max_gap)
    all_true = np.ones(p.n, dtype=bool)
    train = _table(p, all_true, all_true) if train_on_all else _table(p, free_fwd, free_bwd)
    pred_tab = _table(p, free_fwd, free_bwd)
    db = DuckDBAPI()
    linker = Linker(db.register(train, dataset_display_name="train"), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [CustomRule("l.fc = r.fc and r.year = l.year + 1")], recall=0.9
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs_u, seed=seed)
    gap_cond = f"r.year > l.year and r.year - l.year <= {int(max_gap)}"
    linker.training.estimate_parameters_using_expectation_maximisation(
        CustomRule(f"l.fc = r.fc and {gap_cond}"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        CustomRule(f"l.rep = r.rep and l.prefecture = r.prefecture and {gap_cond}"),
        estimate_without_term_frequencies=True,
    )
    t1 = time.perf_counter()
    if train_on_all and not (free_fwd.all() and free_bwd.all()):
        model = linker.misc.save_model_to_json()
        db2 = DuckDBAPI()
        linker = Linker(db2.register(pred_tab, dataset_display_name="predict"), model, log_level=logging.WARNING)
    pred = linker.inference.predict(threshold_match_probability=threshold)
    cols = ["unique_id_l", "unique_id_r", "match_probability"]
    df = pred.as_duckdbpyrelation().select(", ".join(cols)).df()
    log.info("splink: trained in %.1f s, %d scored pairs in %.1f s", t1 - t0, len(df), time.perf_counter() - t1)
    i = df["unique_id_l"].to_numpy(dtype=np.int64)
    j = df["unique_id_r"].to_numpy(dtype=np.int64)
    swap = p.year[i] > p.year[j]
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    return pd.DataFrame({"i": i, "j": j, "p": df["match_probability"].to_numpy(dtype=float)})


def resolve_one_to_one(
    p: Prepared,
    scored: pd.DataFrame,
    fwd: np.ndarray,
    bwd: np.ndarray,
    gaps,
    threshold: float,
    links: list,
    pass_name: str = "splink",
) -> tuple[np.ndarray, np.ndarray, list]:
    """Mutual-best links from scored pairs for each gap in ``gaps`` in turn, among records
    still unmatched in that direction (module docstring)."""
    i_all, j_all = scored["i"].to_numpy(), scored["j"].to_numpy()
    gap = p.year[j_all] - p.year[i_all]
    keep = scored["p"].to_numpy() >= threshold
    for g in gaps:
        m = keep & (gap == g)
        i, j, pr = i_all[m], j_all[m], scored["p"].to_numpy()[m]
        ok = (fwd[i] < 0) & (bwd[j] < 0)
        i, j = mutual_best(i[ok], j[ok], pr[ok])
        fwd[i] = j
        bwd[j] = i
        links.append((i, j, pass_name))
    return fwd, bwd, links


def link_hybrid(
    p: Prepared,
    exact_passes,
    max_gap: int,
    pass_kw: dict,
    *,
    threshold: float = 0.9,
    max_pairs_u: float = 2e6,
    seed: int = 1,
    train_on_all: bool = True,
) -> tuple[np.ndarray, np.ndarray, list]:
    """Hybrid linking: for each gap (1, 2, ...), the exact passes of :mod:`yrd.linking.core`,
    then the Splink model's mutual-best links among the records they leave unmatched. The
    model is trained once (on all records by default) and scores the pairs of records left
    free after the consecutive-year exact passes."""
    fwd, bwd, links = run_passes(p, exact_passes, max_gap, gaps=[1], **pass_kw)
    scored = splink_predictions(
        p,
        fwd < 0,
        bwd < 0,
        max_gap=max_gap,
        max_pairs_u=max_pairs_u,
        seed=seed,
        threshold=min(threshold, 0.5),
        train_on_all=train_on_all,
    )
    for g in range(1, max_gap + 1):
        if g > 1:
            fwd, bwd, links = run_passes(p, exact_passes, max_gap, gaps=[g], fwd=fwd, bwd=bwd, links=links, **pass_kw)
        fwd, bwd, links = resolve_one_to_one(p, scored, fwd, bwd, [g], threshold, links)
    return fwd, bwd, links


def splink_residual(
    p: Prepared, passes, max_gap: int, pass_kw: dict, options: dict
) -> tuple[np.ndarray, np.ndarray, list]:
    """The Splink residual step (:data:`yrd.linking.bvz.RESIDUAL_STEPS`): :func:`link_hybrid`
    with the exact passes among ``passes`` (:data:`yrd.linking.core.EXACT_PASSES`, in the
    order given).

    Parameters
    ----------
    p
        Prepared records (:func:`yrd.linking.core.prepare`).
    passes
        Passes asked for; only the exact ones (``code``, ``name``) run, the model replaces
        the others.
    max_gap
        Largest year difference bridged.
    pass_kw
        Thresholds of the exact passes (keyword arguments of :func:`yrd.linking.core.run_passes`).
    options
        Keyword arguments of :func:`link_hybrid` (``threshold``, ``max_pairs_u``, ``seed``,
        ``train_on_all``).

    Returns
    -------
    fwd, bwd, links
        Forward and backward link of every node (-1 if none) and the ``(i, j, pass)`` triples.
    """
    exact = [x for x in passes if x in EXACT_PASSES]
    return link_hybrid(p, exact, max_gap, pass_kw, **options)


def link_records_splink(
    df: pd.DataFrame,
    *,
    places: Iterable[str],
    threshold: float = 0.9,
    max_gap: int = 2,
    max_pairs_u: float = 2e6,
    seed: int = 1,
) -> tuple[list, pd.Series, Prepared]:
    """Splink-only linking: ``(links, firm_id, prepared)`` (links as in :func:`yrd.linking.core.run_passes`;
    ``places`` as in :func:`yrd.linking.link_records`)."""
    p = prepare(df, places)
    fwd = np.full(p.n, -1, np.int64)
    bwd = np.full(p.n, -1, np.int64)
    free = np.ones(p.n, dtype=bool)
    scored = splink_predictions(
        p, free, free, max_gap=max_gap, max_pairs_u=max_pairs_u, seed=seed, threshold=min(threshold, 0.5)
    )
    fwd, bwd, links = resolve_one_to_one(p, scored, fwd, bwd, range(1, max_gap + 1), threshold, [])
    return links, firm_ids_for_rows(p, fwd, bwd), p


def link_firms_splink(
    df: pd.DataFrame,
    *,
    places: Iterable[str],
    threshold: float = 0.9,
    max_gap: int = 2,
    max_pairs_u: float = 2e6,
    seed: int = 1,
) -> pd.Series:
    """A ``firm_id`` per record (same index) from the Splink model (module docstring).

    ``places``: the place names of the core-name key (:func:`yrd.linking.normalise.place_names`);
    ``threshold``: minimum match probability of a link; ``max_gap``: largest year
    difference linked; ``max_pairs_u``: random pairs for the ``u`` estimates; ``seed``: of
    that sampling (reproducible ids).
    """
    return link_records_splink(
        df, places=places, threshold=threshold, max_gap=max_gap, max_pairs_u=max_pairs_u, seed=seed
    )[1]
