"""Estimated gravity coefficients against a synthetic world's true parameters.

Acceptance rule: an estimate is accepted when it lies within ``max(2 SE, rel_tol |truth|)``
of the truth (``rel_tol`` = 5 % by default); ``within_2se`` reports the plain two-SE check.
A model that is not estimable (did not converge, not estimated, no estimate of a true term) is
not accepted, and ``reason`` says why (``not estimable: pooled model did not converge (...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from yrd.flows.gravity import model_unavailable

#: Structural parameter of the synthetic world -> term of the gravity table.
TRUE_TERMS = {"beta_log_distance": "log_distance", "beta_border": "border"}


def _finite(x: float) -> float | None:
    """``x``, or None (JSON null) when it is not finite (no estimate)."""
    return float(x) if np.isfinite(x) else None


def gravity_validation(
    table: pd.DataFrame, params: Mapping[str, Any], model: str = "pooled", rel_tol: float = 0.05
) -> dict[str, Any]:
    """JSON-ready comparison of ``model``'s coefficients in the gravity table with ``params``
    (the world's ``truth/params.json``); ``accepted`` False with a ``reason`` when the model is
    not estimable (:func:`yrd.flows.gravity.model_unavailable`)."""
    t = table[table["model"] == model].set_index("term")
    out: dict[str, Any] = {"synthetic": True, "model": model, "rel_tol": rel_tol, "parameters": {}}
    ok = True
    for par, term in TRUE_TERMS.items():
        truth = float(params[par])
        est = float(t.loc[term, "estimate"]) if term in t.index else float("nan")
        se = float(t.loc[term, "std_error"]) if term in t.index else float("nan")
        err = est - truth
        tol = max(2 * se, rel_tol * abs(truth)) if np.isfinite(se) else float("nan")
        within_2se = bool(np.isfinite(se) and abs(err) <= 2 * se)
        within_tol = bool(np.isfinite(tol) and abs(err) <= tol)
        ok &= within_tol
        out["parameters"][par] = {
            "term": term,
            "true": truth,
            "estimate": _finite(est),
            "std_error": _finite(se),
            "error": _finite(err),
            "z": err / se if se and np.isfinite(se) else None,
            "within_2se": within_2se,
            "tolerance": _finite(tol),
            "within_tolerance": within_tol,
        }
    if model in set(table["model"]):
        row = table[table["model"] == model].iloc[0]
        out["n_obs"] = int(row["n_obs"])
        out["n_separated"] = int(row["n_separated"])
        if "n_moves" in table.columns:
            out["n_moves"] = int(row["n_moves"])
    unavailable = model_unavailable(table, model, list(TRUE_TERMS.values()))
    if unavailable:
        ok = False
        out["reason"] = f"not estimable: {unavailable}"
    out["accepted"] = bool(ok)
    return out
