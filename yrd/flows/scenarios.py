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
* ``road_time_as_of``: the listed unordered prefecture pairs keep the road network of year
  ``as_of``: in every year ``t >= from_year`` their distance is multiplied by
  ``T_od(as_of) / T_od(t)``, with ``T`` the real road travel times (hours; Ma and Tang 2024,
  :mod:`yrd.integration`). With ``flows.distance: road_time`` the scenario distance *is* the
  travel time of ``as_of``; with great-circle km (or a user table) it rescales the distance in
  proportion to the change of travel time the scenario undoes.
* ``scale_pairs``: the distance of each listed unordered prefecture pair is multiplied by
  ``factor`` in every year from ``from_year`` on.
* ``move_point``: from ``from_year`` on, the point of ``prefecture`` is ``lon``/``lat``
  (WGS84) instead of its area centroid: each of its pairs' distance is multiplied by
  great-circle(new point, partner) / great-circle(centroid, partner) (with the default
  great-circle distances this *is* the distance from the new point; with a user distance table
  or road times it rescales that distance in proportion).

Baseline versus scenario (sign convention)
------------------------------------------
The baseline is the estimation data; ``shift = scenario share - baseline share``. A scenario
*without* an infrastructure that exists in the baseline (the default
``without_hangzhou_bay_bridge``: Shanghai, Jiaxing and Suzhou to Ningbo, ``road_time_as_of``
with ``as_of`` 2007 from 2008 on) lengthens distances, and the effect of the infrastructure on
a share is baseline minus scenario, ``-shift``.

* With ``flows.distance: road_time`` the baseline is the real travel time of each year, which
  falls when the Hangzhou Bay Bridge opens (Shanghai-Ningbo 3.247 h in 2007, 3.015 in 2008,
  2.673 from 2009); the scenario keeps the 2007 times of the listed pairs (ratio 1.077 in 2008,
  1.215 from 2009 for Shanghai-Ningbo). Only the listed pairs are held at 2007; every other
  pair keeps its real times.
* With great-circle km the baseline's straight lines cross the bay at every date, i.e. describe
  a world with the bridge even before 2008; the scenario lengthens the listed pairs by the same
  measured ratios from 2008 on (instead of an assumed detour factor, e.g. ``scale_pairs`` with
  factor 1.6).

Years before ``from_year`` are the same in both, so their shifts are 0 by construction. A
``move_point`` scenario is a change made *to* the world (Shanghai's gateway moved east to
Pudong airport or Yangshan port): its effect is ``+shift``.

Output (:func:`scenario_shares`, ``results/flows/scenarios.parquet``)
-------------------------------------------------------------------
One row per scenario x window x group x target: ``scenario``, ``type``, ``from_year``,
``window`` (``year``: one year; ``post``: all years from ``from_year`` to the last year pooled),
``start_year``, ``end_year``, ``group`` (class or ``total``), ``target`` (name of a destination
set), ``baseline_flow`` and ``scenario_flow`` (predicted moves from the focus prefecture to the
target set), ``baseline_outflow`` and ``scenario_outflow`` (predicted moves from the focus to
all other prefectures), ``baseline_share``, ``scenario_share`` and ``shift``, ``status``
(``estimated``) and ``reason`` (empty). Shares are NaN where the predicted outflow is 0 (no
observed outflow of that class in that year). The rule adds uncertainty bands on every shift
(``shift_se``, ``shift_lo``, ``shift_hi``, ``bootstrap_level``, ``bootstrap_draws``,
``bootstrap_method``; :mod:`yrd.flows.scenario_bands`).

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
from yrd.errors import UserError
from yrd.flows.od import TOTAL
from yrd.industry import RELOCATION_CLASSES
from yrd.io import distinct

SCENARIO_TYPES = ("road_time_as_of", "scale_pairs", "move_point")
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


def _pair_hits(scenario: Mapping[str, Any], o: np.ndarray, de: np.ndarray) -> np.ndarray:
    """Cells (origin ``o``, destination ``de``) of the unordered pairs listed in ``scenario["pairs"]``."""
    pairs = {frozenset(map(str, p)) for p in scenario["pairs"]}
    if any(len(p) != 2 for p in pairs):
        raise ValueError(f"scenario {scenario['name']!r}: a pair must name two different prefectures")
    known = set(o) | set(de)
    unknown = {c for p in pairs for c in p} - known
    if unknown:
        raise ValueError(f"scenario {scenario['name']!r}: unknown prefectures {sorted(unknown)}")
    return np.array([frozenset((a, b)) in pairs for a, b in zip(o, de)], dtype=bool)


def road_time_ratio(
    road_times: pd.DataFrame, years: np.ndarray, o: np.ndarray, de: np.ndarray, as_of: int, name: str = ""
) -> np.ndarray:
    """``T_od(as_of) / T_od(year)`` for each (``years``, ``o``, ``de``) from the road travel times
    (``year``, ``origin``, ``dest``, ``hours``, both directions). A missing time is a
    :class:`yrd.errors.UserError` naming the pair and year."""
    t = road_times.assign(origin=road_times["origin"].astype(str), dest=road_times["dest"].astype(str))
    hours = pd.Series(
        t["hours"].to_numpy(dtype=float),
        index=pd.MultiIndex.from_arrays([t["year"].astype(np.int64).to_numpy(), t["origin"], t["dest"]]),
    )
    if hours.index.duplicated().any():
        raise ValueError("road travel times have duplicated year, origin, dest")
    now = hours.reindex(pd.MultiIndex.from_arrays([np.asarray(years, dtype=np.int64), o, de])).to_numpy()
    then = hours.reindex(pd.MultiIndex.from_arrays([np.full(len(o), int(as_of), dtype=np.int64), o, de])).to_numpy()
    gap = np.isnan(now) | np.isnan(then)
    if gap.any():
        i = int(np.flatnonzero(gap)[0])
        y = int(as_of) if np.isnan(then[i]) else int(years[i])
        raise UserError(
            f"scenario {name!r}: no road travel time for {o[i]}-{de[i]} in {y} (the road times of the study "
            f"period, integration.road_times)"
        )
    return then / now


def scenario_distance(
    cells: pd.DataFrame,
    scenario: Mapping[str, Any],
    points: pd.DataFrame | None = None,
    road_times: pd.DataFrame | None = None,
) -> np.ndarray:
    """Distance of every cell (``year``, ``origin``, ``dest``, ``distance``) under ``scenario``
    (module docstring). ``points``: the prefecture points (``move_point``); ``road_times``: the
    road travel times, ``year``, ``origin``, ``dest``, ``hours`` (``road_time_as_of``)."""
    kind = scenario.get("type")
    if kind not in SCENARIO_TYPES:
        raise ValueError(f"scenario {scenario.get('name')!r}: type must be one of {SCENARIO_TYPES}, got {kind!r}")
    d = cells["distance"].to_numpy(dtype=float).copy()
    years = cells["year"].to_numpy()
    after = years >= int(scenario["from_year"])
    o = cells["origin"].astype(str).to_numpy()
    de = cells["dest"].astype(str).to_numpy()
    if kind == "scale_pairs":
        factor = float(scenario["factor"])
        if factor <= 0:
            raise ValueError(f"scenario {scenario['name']!r}: factor must be positive")
        d[_pair_hits(scenario, o, de) & after] *= factor
        return d
    if kind == "road_time_as_of":
        if road_times is None:
            raise ValueError("road_time_as_of scenarios need the road travel times")
        hit = _pair_hits(scenario, o, de) & after
        d[hit] *= road_time_ratio(road_times, years[hit], o[hit], de[hit], int(scenario["as_of"]), scenario["name"])
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
    road_times: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Baseline and scenario shares of the focus prefecture's outflow going to each target set,
    by scenario, year and group, and pooled over the post-event years (module docstring).

    ``cells``: the pooled model's fitted cells (:func:`yrd.flows.fitted.fitted_cells`, with
    ``distance`` and ``fitted``); ``coef``: its coefficients (``log_distance`` used).
    ``unavailable``: the reason the pooled model cannot be used
    (:func:`yrd.flows.gravity.model_unavailable`), if known. When the model cannot be used
    (that reason, ``converged`` False in the cells, no finite distance coefficient) the rows say
    ``not estimable`` with the reason (:func:`not_estimable_rows`) instead of raising.
    ``points`` and ``road_times``: as :func:`scenario_distance` needs them.
    """
    focus = str(focus)
    if focus not in distinct(cells["origin"], as_str=True):
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
        d_cf = scenario_distance(cells, sc, points, road_times)
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
