"""Uncertainty bands on the counterfactual scenario shifts (:mod:`yrd.flows.scenarios`).

Parametric draw of the distance elasticity (Krinsky and Robb 1986, "On approximating the
statistical properties of elasticities", Review of Economics and Statistics 68(4): 715-719)::

    b^(k) ~ Normal(b_hat, se^2),  k = 1..B
    mu_cf^(k) = mu_hat * exp(b^(k) (ln d_cf - ln d))
    shift^(k) = share_cf^(k) - share_baseline

with ``b_hat`` and ``se`` the pooled PPML model's log-distance coefficient and its CRV1
(cluster-robust) standard error (``results/flows/gravity.csv``). The fixed effects are held at
their estimates, so the baseline share does not move and the band reflects the uncertainty of the
distance elasticity only, not that of the fixed effects (nor of the model). Per row:
``shift_se`` = sd of the B draws (ddof 1), ``shift_lo``/``shift_hi`` = their
``(1 - level)/2`` and ``(1 + level)/2`` percentiles, ``bootstrap_level`` = level,
``bootstrap_draws`` = B and
``bootstrap_method`` = :data:`METHOD`. For a small ``se`` ``shift_se`` approaches the delta
method ``|d shift / d b| * se``. Rows that are not estimable (or a non-finite ``se``) get NaN
bands, level and ``bootstrap_draws`` missing and an empty method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.flows.od import TOTAL
from yrd.flows.scenarios import ESTIMATED, scenario_distance

METHOD = "parametric: log-distance coefficient ~ N(estimate, CRV1 s.e.^2), fixed effects held"
BAND_COLUMNS = ["shift_se", "shift_lo", "shift_hi", "bootstrap_level", "bootstrap_draws", "bootstrap_method"]
_KEY = ["window", "start_year", "group"]


def draw_coefficients(b: float, se: float, draws: int, seed: int) -> np.ndarray:
    """``draws`` values of ``Normal(b, se^2)`` from ``numpy.random.default_rng(seed)``."""
    if draws < 2:
        raise ValueError("scenario bands need at least 2 draws")
    return b + se * np.random.default_rng(seed).standard_normal(int(draws))


def _window_sums(year: np.ndarray, group: np.ndarray, flow: np.ndarray, frm: int, last: int) -> pd.DataFrame:
    """Sums of ``flow`` (cells x draws) by (window, start_year, group): each year and the post
    window (years ``frm..last``), each group and the ``total`` group."""
    f = pd.DataFrame(flow)
    by = f.groupby([year, group]).sum()
    by.index = by.index.set_names(["start_year", "group"])
    tot = by.groupby(level="start_year").sum()
    tot.index = pd.MultiIndex.from_arrays([tot.index, [TOTAL] * len(tot)], names=["start_year", "group"])
    yearly = pd.concat([by, tot])
    parts = [pd.concat({"year": yearly}, names=["window"])]
    if frm <= last:
        post = yearly[yearly.index.get_level_values("start_year") >= frm].groupby(level="group").sum()
        post.index = pd.MultiIndex.from_arrays([["post"] * len(post), [frm] * len(post), post.index], names=_KEY)
        parts.append(post)
    return pd.concat(parts)


def shift_draws(
    cells: pd.DataFrame,
    b_draws: np.ndarray,
    distance_cf: np.ndarray,
    focus: str,
    members: Sequence[str],
    frm: int,
    rows: pd.DataFrame,
) -> np.ndarray:
    """Scenario shifts (len(rows) x draws) of the share of ``focus``'s predicted outflow going to
    ``members`` for each coefficient in ``b_draws``, at the (``window``, ``start_year``,
    ``group``) of each row of ``rows`` (which give ``baseline_share``); vectorised over draws."""
    m = (cells["origin"].astype(str) == str(focus)).to_numpy()
    c = cells.loc[m]
    ln_ratio = np.log(np.asarray(distance_cf, dtype=float)[m] / c["distance"].to_numpy(dtype=float))
    flow = c["fitted"].to_numpy(dtype=float)[:, None] * np.exp(ln_ratio[:, None] * np.asarray(b_draws)[None, :])
    year, group = c["year"].to_numpy(), c["group"].astype(str).to_numpy()
    last = int(cells["year"].max())
    hit = c["dest"].astype(str).isin(list(members)).to_numpy()[:, None]
    idx = pd.MultiIndex.from_frame(rows[_KEY].astype({"start_year": "int64"}))
    out = _window_sums(year, group, flow, frm, last).reindex(idx).to_numpy()
    to = _window_sums(year, group, flow * hit, frm, last).reindex(idx).to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(out > 0, to / out, np.nan)
    return share - rows["baseline_share"].to_numpy(dtype=float)[:, None]


def add_scenario_bands(
    shares: pd.DataFrame,
    cells: pd.DataFrame,
    coef: Mapping[str, float],
    se: float,
    scenarios: Sequence[Mapping[str, Any]],
    focus: str,
    targets: Mapping[str, Sequence[str]],
    points: pd.DataFrame | None = None,
    road_times: pd.DataFrame | None = None,
    *,
    draws: int = 200,
    level: float = 0.95,
    seed: int = 20260101,
) -> pd.DataFrame:
    """``shares`` (:func:`yrd.flows.scenarios.scenario_shares`) with the columns
    :data:`BAND_COLUMNS` (module docstring). ``se``: CRV1 standard error of the pooled model's
    ``log_distance`` coefficient ``coef["log_distance"]``. The same ``draws`` coefficients
    (seed ``seed``) serve every scenario and target."""
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    out = shares.copy()
    out["shift_se"] = out["shift_lo"] = out["shift_hi"] = np.nan
    out["bootstrap_level"] = np.nan
    out["bootstrap_draws"] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["bootstrap_method"] = ""
    est = (out["status"] == ESTIMATED).to_numpy()
    b = float(coef.get("log_distance", np.nan))
    if not est.any() or not (np.isfinite(se) and se >= 0 and np.isfinite(b)):
        return out
    bk = draw_coefficients(b, float(se), draws, seed)
    q = [(1 - level) / 2, (1 + level) / 2]
    for sc in scenarios:
        d_cf = scenario_distance(cells, sc, points, road_times)
        for t, members in targets.items():
            sel = est & (out["scenario"] == sc["name"]).to_numpy() & (out["target"] == t).to_numpy()
            if not sel.any():
                continue
            s = shift_draws(cells, bk, d_cf, focus, members, int(sc["from_year"]), out.loc[sel])
            ok = np.isfinite(s).all(axis=1)
            s = np.where(ok[:, None], s, np.nan)
            with np.errstate(invalid="ignore"):
                out.loc[sel, "shift_se"] = np.std(s, axis=1, ddof=1)
                lo, hi = np.quantile(s, q, axis=1)
            out.loc[sel, "shift_lo"], out.loc[sel, "shift_hi"] = lo, hi
    out.loc[est, "bootstrap_level"] = float(level)
    out.loc[est, "bootstrap_draws"] = int(draws)
    out.loc[est, "bootstrap_method"] = METHOD
    return out
