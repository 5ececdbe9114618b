"""Linking firm records across years: :func:`link_records`.

The records are prepared and linked by the passes of :mod:`yrd.linking.core` (Brandt, Van
Biesebroeck and Zhang 2012, rules in that module's docstring); what is left after the exact
passes goes to a *residual step*, one of two interchangeable functions chosen in one place,
:data:`RESIDUAL_STEPS`, by ``residual`` (config ``linking.residual``):

* ``rapidfuzz`` (:func:`rapidfuzz_residual`, default): the remaining deterministic passes and
  the rapidfuzz fuzzy-name pass of :mod:`yrd.linking.core`, gap by gap;
* ``splink`` (:func:`yrd.linking.splink_linker.splink_residual`): the exact passes ``code``
  and ``name``, then a Fellegi-Sunter model (Splink) on the records still unmatched.

Every residual step has the signature ``step(p, passes, max_gap, pass_kw, options) ->
(fwd, bwd, links)``: prepared records, the passes asked for, the largest year gap, the pass
thresholds (keyword arguments of :func:`yrd.linking.core.run_passes`) and the step's own
options; it returns the forward and backward link of every node and the list of
``(i, j, pass)`` link triples, from which :func:`link_records` builds the links table and
the firm ids in the same way for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from yrd.linking.core import (
    DEFAULT_FUZZY_BLOCKS,
    PASSES,
    Prepared,
    firm_ids_for_rows,
    links_frame,
    prepare,
    run_passes,
)
from yrd.linking.splink_linker import splink_residual

#: ``step(p, passes, max_gap, pass_kw, options) -> (fwd, bwd, links)`` (module docstring).
ResidualStep = Callable[[Prepared, Sequence[str], int, dict, dict], tuple[np.ndarray, np.ndarray, list]]


def rapidfuzz_residual(
    p: Prepared, passes: Sequence[str], max_gap: int, pass_kw: dict, options: dict
) -> tuple[np.ndarray, np.ndarray, list]:
    """The rapidfuzz residual step: all ``passes`` of :mod:`yrd.linking.core` for gaps 1 to
    ``max_gap`` in turn, the last one (``fuzzy``) a rapidfuzz name-similarity pass with
    mutual best matches.

    Parameters
    ----------
    p
        Prepared records (:func:`yrd.linking.core.prepare`).
    passes
        Passes to run, in order (subset of :data:`yrd.linking.core.PASSES`).
    max_gap
        Largest year difference bridged.
    pass_kw
        Thresholds and blocks of the passes (keyword arguments of
        :func:`yrd.linking.core.run_passes`).
    options
        Unused: the step has no options of its own (``splink_options`` are ignored here).

    Returns
    -------
    fwd, bwd, links
        Forward and backward link of every node (-1 if none) and the ``(i, j, pass)`` triples.
    """
    return run_passes(p, passes, max_gap, **pass_kw)


#: The residual steps by name (config ``linking.residual``); the one place a step is chosen.
RESIDUAL_STEPS: dict[str, ResidualStep] = {"rapidfuzz": rapidfuzz_residual, "splink": splink_residual}


def link_records(
    df: pd.DataFrame,
    *,
    places: Iterable[str],
    name_threshold: float = 85.0,
    max_gap: int = 2,
    passes: Sequence[str] = PASSES,
    residual: str = "rapidfuzz",
    code_name_threshold: float = 70.0,
    founding_name_threshold: float = 90.0,
    fuzzy_blocks: Sequence[Sequence[str]] = DEFAULT_FUZZY_BLOCKS,
    splink_options: dict | None = None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.Series]:
    """Link records across years into firms; returns ``(links, firm_id)``.

    Parameters
    ----------
    df
        Clean firm-years, one row per record: ``year`` (required) and any of ``firm_code``,
        ``name``, ``legal_rep``, ``phone``, ``area_code``, ``county``, ``prefecture``,
        ``industry``, ``founding_year``, ``source_file``, ``source_row`` (a pass whose fields
        are absent links nothing). The index must be unique.
    places
        Administrative place names that the core-name key drops
        (:func:`yrd.linking.normalise.place_names` of ``resources/areacodes/result.csv``).
    name_threshold
        Minimum ``rapidfuzz.fuzz.ratio`` (0-100) of core names in the fuzzy pass.
    max_gap
        Largest year difference bridged: 1 links consecutive years only, 2 (default) also
        bridges one missing year, and so on.
    passes
        Passes to run, in order (subset of :data:`yrd.linking.core.PASSES`).
    residual
        Key of :data:`RESIDUAL_STEPS`. ``"rapidfuzz"`` (default): all passes as in the module
        docstring of :mod:`yrd.linking.core`. ``"splink"``: the exact passes ``code`` and
        ``name`` (for every gap), then a Splink model on the records still unmatched, gap by
        gap (:func:`yrd.linking.splink_linker.link_hybrid`).
    code_name_threshold, founding_name_threshold
        Name similarity that corroborates a code match (when founding years do not
        contradict), and that a founding-year + county + industry match needs.
    fuzzy_blocks
        Column groups blocking the fuzzy pass (from ``founding_year``, ``industry``,
        ``prefecture``, ``county``, ``fc``, ``rep``, ``phone``); default founding year +
        prefecture + industry. A looser block (prefecture + industry) lets the fuzzy pass
        link firms whose names differ by one character without other evidence, which on the
        synthetic world produced only false links.
    splink_options
        Keyword arguments of the Splink residual step (:func:`yrd.linking.splink_linker.link_hybrid`).
    workers
        Threads the identifying fields are normalised on (:func:`yrd.linking.core.prepare`);
        the links do not depend on it.

    Returns
    -------
    links
        One row per link between input rows (:func:`yrd.linking.core.links_frame`):
        ``row_from``, ``row_to``, ``year_from``, ``year_to``, ``pass``.
    firm_id
        A stable ``firm_id`` (int64) for every record of ``df`` (same index): the rank of the
        firm's first record in the order (year, source_file, source_row), independent of the
        row order of ``df``.
    """
    if max_gap < 1:
        raise ValueError("max_gap must be >= 1")
    if residual not in RESIDUAL_STEPS:
        raise ValueError(f"residual must be {' or '.join(repr(k) for k in RESIDUAL_STEPS)}")
    p = prepare(df, places, workers=workers)
    kw = dict(
        name_threshold=name_threshold,
        code_name_threshold=code_name_threshold,
        founding_name_threshold=founding_name_threshold,
        fuzzy_blocks=fuzzy_blocks,
    )
    fwd, bwd, links = RESIDUAL_STEPS[residual](p, passes, max_gap, kw, dict(splink_options or {}))
    return links_frame(p, links), firm_ids_for_rows(p, fwd, bwd)
