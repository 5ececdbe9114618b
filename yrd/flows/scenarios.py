"""Counterfactual distance scenarios predicted by the fitted pooled gravity model.

A scenario changes the distance of some prefecture pairs from a year on; the pooled model
predicts every cell's flow with the fixed effects held at their estimates::

    mu_cf = exp(alpha_ogp + mu_dgp + b'x_cf) = mu_hat * exp(b_dist (ln d_cf - ln d))

(cells separated in the estimation keep a predicted flow of 0). Because the origin effect
cancels from shares, the predicted share of an origin's outflow going to a set of destinations
is the multinomial-logit share of the synthetic world's model among movers; only the predicted
outflow level assumes that the origin effects do not respond.

Scenario types (config ``flows.scenarios``)
--------------------------------------------
* ``scale_pairs``: the distance of each listed unordered prefecture pair is multiplied by
  ``factor`` in every year from ``from_year`` on.
* ``move_point``: from ``from_year`` on, the point of ``prefecture`` is ``lon``/``lat``
  (WGS84) instead of its area centroid: each of its pairs' distance is multiplied by
  great-circle(new point, partner) / great-circle(centroid, partner) (with the default
  great-circle distances this *is* the distance from the new point; with a user distance table
  it rescales the user's distance in proportion).

Baseline versus scenario (sign convention)
------------------------------------------
The baseline is the estimation data. ``shift = scenario share - baseline share``. The baseline's
straight-line centroid distances already cross Hangzhou Bay, i.e. they describe a world *with*
the Hangzhou Bay Bridge (opened 2008) at every date. The bridge is therefore evaluated by a
scenario *without* it: a detour factor > 1 on the pairs it shortens, from 2008 on. The effect
of the bridge on a share is baseline minus scenario, ``-shift``. (Before 2008 the baseline
distances understate the real detour, the same in both rows, so pre-2008 shifts are 0 by
construction.) A ``move_point`` scenario is a change made *to* the world (Shanghai's gateway
moved east to Pudong airport or Yangshan port): its effect is ``+shift``.

Output (:func:`scenario_shares`, ``results/flows/scenarios.parquet``)
-------------------------------------------------------------------
One row per scenario x window x group x target: ``scenario``, ``type``, ``from_year``,
``window`` (``year``: one year; ``post``: all years from ``from_year`` to the last year pooled),
``start_year``, ``end_year``, ``group`` (class or ``total``), ``target`` (name of a destination
set), ``baseline_flow`` and ``scenario_flow`` (predicted moves from the focus prefecture to the
target set), ``baseline_outflow`` and ``scenario_outflow`` (predicted moves from the focus to
all other prefectures), ``baseline_share``, ``scenario_share`` and ``shift``, ``status``
(``estimated``) and ``reason`` (empty). Shares are NaN where the predicted outflow is 0 (no
observed outflow of that class in that year).

When the pooled model cannot be used (it did not converge, was not estimable, or has no
distance coefficient: :func:`yrd.flows.gravity.model_unavailable`), nothing is predicted: each
scenario has one row per target, ``window`` ``post`` (``start_year`` = ``from_year``,
``end_year`` the last year of the cells), ``group`` ``total``, NaN flows and shares, ``status``
``not estimable`` and the ``reason`` (e.g. ``pooled model did not converge (pyfixest: Demeaning
failed after 10000 iterations)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.boundaries import great_circle_km
from yrd.flows.od import TOTAL
from yrd.industry import RELOCATION_CLASSES

SCENARIO_TYPES = ("scale_pairs", "move_point")
COLUMNS = [
    "scenario",
    "type",
    "from_year",
    "window",
    "start_year",
    "end_year",
    "group",
    "target",
    "baseline_flow",
    "scenario_flow",
    "baseline_outflow",
    "scenario_outflow",
    "baseline_share",
    "scenario_share",
    "shift",
    "status",
    "reason",
]
#: ``status`` of a scenario row.
ESTIMATED = "estimated"
NOT_ESTIMABLE = "not estimable"


def resolve_targets(
    targets: Mapping[str, str | Sequence[str]], region_groups: Mapping[str, str]
) -> dict[str, list[str]]:
    """Destination sets: each value a region-group name (``sunan``) or a list of prefecture
    codes. ``region_groups`` maps prefecture code -> group."""
    out = {}
    for name, spec in targets.items():
        if isinstance(spec, str):
            members = sorted(c for c, g in region_groups.items() if g == spec)
            if not members:
                raise ValueError(f"target {name!r}: no prefecture in region group {spec!r}")
        else:
            members = sorted(map(str, spec))
            unknown = set(members) - set(region_groups)
            if unknown:
                raise ValueError(f"target {name!r}: unknown prefectures {sorted(unknown)}")
        out[str(name)] = members
    return out


def scenario_distance(
    cells: pd.DataFrame, scenario: Mapping[str, Any], points: pd.DataFrame | None = None
) -> np.ndarray:
    """Distance of every cell (``year``, ``origin``, ``dest``, ``distance``) under ``scenario``."""
    kind = scenario.get("type")
    if kind not in SCENARIO_TYPES:
        raise ValueError(f"scenario {scenario.get('name')!r}: type must be one of {SCENARIO_TYPES}, got {kind!r}")
    d = cells["distance"].to_numpy(dtype=float).copy()
    after = cells["year"].to_numpy() >= int(scenario["from_year"])
    o = cells["origin"].astype(str).to_numpy()
    de = cells["dest"].astype(str).to_numpy()
    if kind == "scale_pairs":
        factor = float(scenario["factor"])
        if factor <= 0:
            raise ValueError(f"scenario {scenario['name']!r}: factor must be positive")
        pairs = {frozenset(map(str, p)) for p in scenario["pairs"]}
        if any(len(p) != 2 for p in pairs):
            raise ValueError(f"scenario {scenario['name']!r}: a pair must name two different prefectures")
        known = set(o) | set(de)
        unknown = {c for p in pairs for c in p} - known
        if unknown:
            raise ValueError(f"scenario {scenario['name']!r}: unknown prefectures {sorted(unknown)}")
        hit = np.array([frozenset((a, b)) in pairs for a, b in zip(o, de)], dtype=bool)
        d[hit & after] *= factor
        return d
    if points is None:
        raise ValueError("move_point scenarios need the prefecture points")
    code = str(scenario["prefecture"])
    pts = points.assign(code=points["code"].astype(str)).set_index("code")
    if code not in pts.index:
        raise ValueError(f"scenario {scenario['name']!r}: unknown prefecture {code}")
    lon0, lat0 = pts.loc[code, "lon"], pts.loc[code, "lat"]
    lon1, lat1 = float(scenario["lon"]), float(scenario["lat"])
    partner = np.where(o == code, de, o)
    hit = ((o == code) | (de == code)) & after
    plon = pts["lon"].reindex(partner[hit]).to_numpy()
    plat = pts["lat"].reindex(partner[hit]).to_numpy()
    ratio = great_circle_km(lon1, lat1, plon, plat) / great_circle_km(lon0, lat0, plon, plat)
    d[hit] *= ratio
    return d


def predict_scenario(cells: pd.DataFrame, b_log_distance: float, distance_cf: np.ndarray) -> np.ndarray:
    """Predicted flows with the fixed effects held: ``fitted * (d_cf / d) ** b_log_distance``."""
    ratio = np.asarray(distance_cf, dtype=float) / cells["distance"].to_numpy(dtype=float)
    return cells["fitted"].to_numpy(dtype=float) * ratio**b_log_distance


def _focus_sums(cells: pd.DataFrame, flow: np.ndarray, focus: str, targets: dict[str, list[str]]) -> pd.DataFrame:
    """Flows from ``focus`` by year x group: outflow and one column per target set; with the
    ``total`` group."""
    m = (cells["origin"].astype(str) == focus).to_numpy()
    c = cells.loc[m, ["year", "group", "dest"]].copy()
    c["flow"] = flow[m]
    frames = {"outflow": c}
    for name, members in targets.items():
        frames[name] = c[c["dest"].astype(str).isin(members)]
    cols = {k: v.groupby(["year", "group"])["flow"].sum() for k, v in frames.items()}
    out = pd.DataFrame(cols).fillna(0.0)
    tot = out.groupby(level="year").sum()
    tot.index = pd.MultiIndex.from_arrays([tot.index, [TOTAL] * len(tot)], names=["year", "group"])
    return pd.concat([out, tot]).sort_index()


def _fitted_unavailable(cells: pd.DataFrame, coef: Mapping[str, float]) -> str | None:
    """Why the fitted cells and coefficients cannot predict scenarios, or None."""
    if "converged" in cells.columns and not cells["converged"].astype(bool).all():
        note = str(cells["note"].iloc[0]) if "note" in cells.columns and len(cells) else ""
        return f"pooled model {note}" if note else "pooled model did not converge"
    b = coef.get("log_distance", np.nan)
    if b is None or not np.isfinite(float(b)):
        return "pooled model has no distance coefficient (log_distance)"
    if cells["fitted"].isna().any():
        return "pooled model's fitted flows are missing"
    return None


def not_estimable_rows(
    scenarios: Sequence[Mapping[str, Any]], targets: Sequence[str], last_year: int, reason: str
) -> pd.DataFrame:
    """Rows of :func:`scenario_shares` when the pooled model cannot be used: one per scenario x
    target (window ``post``, group ``total``), NaN numbers, ``status`` ``not estimable`` and
    ``reason``."""
    rows = [
        (
            sc["name"],
            sc["type"],
            int(sc["from_year"]),
            "post",
            int(sc["from_year"]),
            int(last_year),
            TOTAL,
            t,
            *([np.nan] * 7),
            NOT_ESTIMABLE,
            reason,
        )
        for sc in scenarios
        for t in targets
    ]
    return _typed(pd.DataFrame(rows, columns=COLUMNS))


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    return out.astype(
        {
            "scenario": "str",
            "type": "str",
            "window": "str",
            "group": "str",
            "target": "str",
            "from_year": "int64",
            "start_year": "int64",
            "end_year": "int64",
            "status": "str",
            "reason": "str",
        }
    )


def scenario_shares(
    cells: pd.DataFrame,
    coef: Mapping[str, float],
    scenarios: Sequence[Mapping[str, Any]],
    focus: str,
    targets: Mapping[str, Sequence[str]],
    points: pd.DataFrame | None = None,
    unavailable: str | None = None,
) -> pd.DataFrame:
    """Baseline and scenario shares of the focus prefecture's outflow going to each target set,
    by scenario, year and group, and pooled over the post-event years (module docstring).

    ``cells``: the pooled model's fitted cells (:func:`yrd.flows.gravity.fitted_cells`, with
    ``distance`` and ``fitted``); ``coef``: its coefficients (``log_distance`` used).
    ``unavailable``: the reason the pooled model cannot be used
    (:func:`yrd.flows.gravity.model_unavailable`), if known. When the model cannot be used
    (that reason, ``converged`` False in the cells, no finite distance coefficient) the rows say
    ``not estimable`` with the reason (:func:`not_estimable_rows`) instead of raising.
    """
    focus = str(focus)
    if focus not in set(cells["origin"].astype(str)):
        raise ValueError(f"focus prefecture {focus} is not an origin of the fitted cells")
    targets = {k: list(v) for k, v in targets.items()}
    names = [s["name"] for s in scenarios]
    if len(set(names)) != len(names):
        raise ValueError(f"scenario names must be unique: {names}")
    last = int(cells["year"].max())
    reason = unavailable or _fitted_unavailable(cells, coef)
    if reason:
        return not_estimable_rows(scenarios, list(targets), last, reason)
    b = float(coef["log_distance"])
    base = _focus_sums(cells, cells["fitted"].to_numpy(dtype=float), focus, targets)
    order = {g: i for i, g in enumerate((*RELOCATION_CLASSES, TOTAL))}
    rows = []
    for sc in scenarios:
        d_cf = scenario_distance(cells, sc, points)
        cf = _focus_sums(cells, predict_scenario(cells, b, d_cf), focus, targets)
        frm = int(sc["from_year"])
        post_b = base[base.index.get_level_values("year") >= frm].groupby(level="group").sum()
        post_c = cf[cf.index.get_level_values("year") >= frm].groupby(level="group").sum()
        windows = [
            ("year", y, y, base.xs(y, level="year"), cf.xs(y, level="year"))
            for y in sorted(set(base.index.get_level_values("year")))
        ]
        if frm <= last:
            windows.append(("post", frm, last, post_b, post_c))
        for window, y0, y1, bb, cc in windows:
            for g in sorted(bb.index, key=lambda x: order.get(x, 99)):
                for t in targets:
                    bo, co = bb.loc[g, "outflow"], cc.loc[g, "outflow"]
                    bs = bb.loc[g, t] / bo if bo > 0 else np.nan
                    cs = cc.loc[g, t] / co if co > 0 else np.nan
                    rows.append(
                        (
                            sc["name"],
                            sc["type"],
                            frm,
                            window,
                            y0,
                            y1,
                            g,
                            t,
                            bb.loc[g, t],
                            cc.loc[g, t],
                            bo,
                            co,
                            bs,
                            cs,
                            cs - bs,
                            ESTIMATED,
                            "",
                        )
                    )
    return _typed(pd.DataFrame(rows, columns=COLUMNS))
