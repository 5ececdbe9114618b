"""Counterfactual scenarios one job each (rules ``scenario`` and ``scenarios``).

Each scenario of ``flows.scenarios`` is its own job (``results/<run>/flows/scenarios/<name>.parquet``,
rule ``scenario``), so that a batch of many scenarios runs in parallel on a workstation and as one
SLURM job per scenario on a cluster; rule ``scenarios`` concatenates them, in the config's order,
into ``flows/scenarios.parquet``. A scenario's rows depend on nothing but its own definition: the
bands' coefficient draws come from ``flows.scenario_bands.seed`` alone
(:func:`yrd.flows.scenario_bands.draw_coefficients`), so the same draws serve every scenario, in
one job or in many, and the concatenated table equals the one computed in one job.

A scenario only moves the focus prefecture's predicted outflow, so a job reads only the focus's
cells of the fitted table (:func:`read_focus_cells`, a Parquet filter): on a national grid
(342 prefectures, ~9 M cells) that is 1/342 of the table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from yrd.flows.gravity import model_unavailable
from yrd.flows.pairs import prefecture_points
from yrd.flows.scenario_bands import add_scenario_bands
from yrd.flows.scenarios import resolve_targets, scenario_shares
from yrd.io import read_focus_rows
from yrd.regions import prefectures

#: Why a converged model's cells cannot be used (as :func:`yrd.flows.scenarios.scenario_shares`
#: says when it sees every cell).
FITTED_MISSING = "pooled model's fitted flows are missing"


def read_focus_cells(path: str | Path, focus: str) -> tuple[pd.DataFrame, list[str], bool]:
    """The fitted cells (``flows/gravity_fitted.parquet``) whose origin is ``focus``, with two
    facts about the whole table: the sorted distinct origins, and whether any cell's ``fitted``
    is missing. The cells come back in the file's order, as ``pd.read_parquet`` gives them."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    whole = pq.read_table(path, columns=["origin", "fitted"])
    origins = sorted(str(o) for o in pc.unique(whole["origin"]).to_pylist())
    fitted = whole["fitted"]
    missing = fitted.null_count > 0 or bool(pc.any(pc.is_nan(fitted)).as_py() or False)
    del whole, fitted
    return read_focus_rows(path, focus, keys=("origin",)), origins, missing


def scenario_table(
    fitted: str | Path,
    table: str | Path,
    boundaries: str | Path,
    prefectures_csv: str | Path,
    scenarios: Sequence[Mapping[str, Any]],
    focus: str,
    targets: Mapping[str, Any],
    bands: Mapping[str, Any],
    road_times: str | Path | None = None,
    log=None,
) -> pd.DataFrame:
    """Rows of ``flows/scenarios.parquet`` for ``scenarios`` (one or all): baseline and
    scenario shares (:func:`yrd.flows.scenarios.scenario_shares`) with their parametric bands
    (:func:`yrd.flows.scenario_bands.add_scenario_bands`), from the pooled model's fitted
    cells, its coefficients (``flows/gravity.csv``), the prefecture points and region groups;
    ``road_times`` is read when a ``road_time_as_of`` scenario is asked for. When the pooled
    model cannot be used the rows say "not estimable" with the reason."""
    focus = str(focus)
    coefs = pd.read_csv(table)
    pooled = coefs[coefs["model"] == "pooled"].set_index("term")
    coef = pooled["estimate"].to_dict()
    se = float(pooled["std_error"].get("log_distance", float("nan")))
    cells, origins, missing = read_focus_cells(fitted, focus)
    if focus not in origins:
        raise ValueError(f"focus prefecture {focus} is not an origin of the fitted cells")
    unavailable = model_unavailable(coefs, "pooled", ["log_distance"])
    if unavailable is None and missing and cells["converged"].astype(bool).all():
        unavailable = FITTED_MISSING
    if unavailable and log is not None:
        log.warning("scenarios not estimable: %s", unavailable)
    points = prefecture_points(gpd.read_parquet(boundaries))
    groups = prefectures(prefectures_csv).set_index("code")["group"].to_dict()  # code -> region group
    origin_set = set(origins)
    groups = {c: g for c, g in groups.items() if c in origin_set}
    resolved = resolve_targets(targets, groups)
    if log is not None:
        log.info("focus %s; targets %s; scenarios %s", focus, resolved, [s["name"] for s in scenarios])
    rt = None
    if road_times is not None and any(sc["type"] == "road_time_as_of" for sc in scenarios):
        rt = pd.read_parquet(road_times)
    out = scenario_shares(cells, coef, scenarios, focus, resolved, points, unavailable, road_times=rt)
    return add_scenario_bands(
        out, cells, coef, se, scenarios, focus, resolved, points, rt,
        draws=int(bands["draws"]), level=float(bands["level"]), seed=int(bands["seed"]),
    )  # fmt: skip


def gather_scenarios(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The scenario jobs' tables, one after the other (the config's order), as one table."""
    if not parts:
        raise ValueError("no scenario table to gather")
    names = [set(p["scenario"]) for p in parts]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if a & b:
                raise ValueError(f"scenario {sorted(a & b)} is in two tables")
    out = pd.concat(list(parts), ignore_index=True)
    if "bootstrap_draws" in out.columns:
        out["bootstrap_draws"] = out["bootstrap_draws"].astype("Int64")
    return out


def summary(out: pd.DataFrame) -> str:
    """The post-event shares of the focus's outflow (all classes), for the log."""
    post = out[(out["window"] == "post") & (out["group"] == "total")]
    cols = [
        c
        for c in (
            "scenario",
            "target",
            "start_year",
            "end_year",
            "baseline_share",
            "scenario_share",
            "shift",
            "shift_lo",
            "shift_hi",
            "status",
        )
        if c in post.columns
    ]
    return post[cols].to_string(index=False) if len(post) else "(no rows)"
