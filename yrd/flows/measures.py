"""Distance measures of the gravity equation and their estimates side by side.

Measures (config ``flows.distance``)
------------------------------------
* ``great_circle`` (default): great-circle km between the area centroids of the prefecture
  polygons (:func:`yrd.flows.pairs.great_circle_pairs`), the same in every year; a user table
  ``flows.distances`` may replace it (:func:`yrd.flows.pairs.pair_table`). The synthetic world
  draws its moves with these distances.
* ``road_time``: the real road travel time in hours of each year, ``d_od(t) = T_od(t)``
  (Ma and Tang 2024, :mod:`yrd.integration`; rule ``integration_index`` writes
  ``results/<run>/integration/road_times.parquet``), so the distance falls when a road or a
  bridge opens (Shanghai-Ningbo 3.247 h in 2007, 3.015 in 2008, 2.673 from 2009: the Hangzhou
  Bay Bridge, May 2008). Every study prefecture must have road times in every year; a
  prefecture without is an error naming it. It cannot be combined with a user table
  ``flows.distances`` (the configuration check refuses it).

Periods longer than one year (``flows.period_length``) do not average the distance:
:func:`yrd.flows.gravity.gravity_frame` keeps one cell per year, origin, destination and class
and joins each cell with the distance *of its year*; the period only groups the fixed effects.
A time-varying distance is thus identified from its change within and across periods.

Comparison (:func:`distance_comparison`, rule ``gravity_distance_comparison``)
------------------------------------------------------------------------------
The same models (:func:`yrd.flows.gravity.estimate_gravity`: pooled and one per class, the same
cells, fixed effects, clusters and ``flows.min_moves``) are estimated once per measure. Only
``ln d`` enters and the unit is absorbed by the fixed effects, so ``b_dist`` is unit-free: the
elasticity of expected moves with respect to distance in km (``great_circle``) or to travel
time in hours (``road_time``). ``effect_pct`` gives it in words:

* ``log_distance``: ``100 (1.1^b - 1)``, the percentage change of expected moves when the
  distance (or travel time) is 10 % longer, every fixed effect held;
* ``border`` and other covariates: ``100 (exp(b) - 1)``, the percentage change when the
  variable rises by one (crossing a provincial border).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from yrd.errors import UserError
from yrd.flows.gravity import REGRESSORS, estimate_gravity, gravity_frame
from yrd.flows.pairs import pair_table, prefecture_points
from yrd.io import distinct, sorted_codes

#: Distance measures of ``flows.distance``.
DISTANCE_MEASURES = ("great_circle", "road_time")
#: Unit of the distance of each measure.
DISTANCE_UNITS = {"great_circle": "km", "road_time": "hours"}
#: Columns of :func:`distance_comparison`.
COMPARISON_COLUMNS = [
    "model",
    "term",
    "measure",
    "unit",
    "estimate",
    "std_error",
    "p_value",
    "n_obs",
    "n_moves",
    "converged",
    "effect_pct",
    "interpretation",
    "note",
]


def road_time_table(times: pd.DataFrame, codes: Sequence[str], years: Iterable[int]) -> pd.DataFrame:
    """Distance table (``year``, ``origin``, ``dest``, ``distance`` in hours) of the road travel
    times ``times`` (``year``, ``origin``, ``dest``, ``hours``, both directions:
    :func:`yrd.integration.read_road_times`) for every ordered pair of distinct ``codes`` and
    every year of ``years``.

    Raises :class:`yrd.errors.UserError` naming the prefectures without any road time, the
    years without any, or else the first missing pair-years.
    """
    codes = sorted(map(str, codes))
    years = sorted({int(y) for y in years})
    t = times.assign(origin=times["origin"].astype(str), dest=times["dest"].astype(str))
    t["year"] = t["year"].astype(np.int64)
    no_time = sorted(set(codes) - (set(t["origin"]) | set(t["dest"])))
    if no_time:
        raise UserError(
            f"flows.distance road_time: no road travel time for prefectures {no_time} (integration.road_times); "
            f"every study prefecture needs one, or use flows.distance: great_circle"
        )
    no_year = sorted(set(years) - set(t["year"]))
    if no_year:
        raise UserError(f"flows.distance road_time: no road travel times for years {no_year}")
    o, d = np.meshgrid(codes, codes, indexing="ij")
    keep = o.ravel() != d.ravel()
    o, d = o.ravel()[keep], d.ravel()[keep]
    grid = pd.DataFrame(
        {
            "year": np.repeat(np.array(years, dtype=np.int64), len(o)),
            "origin": np.tile(o, len(years)).astype(object),
            "dest": np.tile(d, len(years)).astype(object),
        }
    )
    out = grid.merge(t[["year", "origin", "dest", "hours"]], on=["year", "origin", "dest"], how="left")
    gap = out["hours"].isna()
    if gap.any():
        ex = out.loc[gap, ["year", "origin", "dest"]].head(5).to_dict("records")
        raise UserError(f"flows.distance road_time: {int(gap.sum())} pair-years without road travel time, e.g. {ex}")
    return out.rename(columns={"hours": "distance"})


def road_time_subset(od: pd.DataFrame, road_times: pd.DataFrame) -> tuple[pd.DataFrame, tuple[int, int] | None]:
    """The prefecture-level rows of ``od`` among the prefectures that have road travel times
    (``road_times``: ``origin``, ``dest``), and ``(covered, in_od)`` prefecture counts; ``od``
    unchanged and ``None`` when the times cover every prefecture of the panel (the YRD studies).
    The travel times of Ma and Tang (2024) join the YRD's prefectures only, so on a national study
    area the two distance measures can be compared on the YRD's flows only.

    The panel's places are looked up once per distinct value (:func:`yrd.io.sorted_codes`) and
    its rows selected once: selecting the prefecture rows first and then comparing millions of
    strings copied a national panel (11 M rows) twice for a subset of a few thousand rows."""
    n = len(od)
    pref = np.asarray(od["level"] == "prefecture", dtype=bool) if "level" in od.columns else np.ones(n, dtype=bool)
    o, o_values = sorted_codes(od["origin"])
    d, d_values = sorted_codes(od["dest"])

    def used(codes: np.ndarray, values: pd.Index) -> list[str]:
        """The values (as strings) of ``codes`` on the prefecture rows, missing ones left out."""
        seen = np.bincount(codes[pref & (codes >= 0)], minlength=len(values)) > 0
        return [str(v) for v in values[seen]]

    codes = set(used(o, o_values)) | set(used(d, d_values))
    covered = distinct(road_times["origin"], road_times["dest"], as_str=True)
    if codes <= covered:
        return od, None
    keep = codes & covered

    def kept(codes: np.ndarray, values: pd.Index) -> np.ndarray:
        """Rows whose value (as a string) is in ``keep``; a missing value is not."""
        member = np.array([str(v) in keep for v in values], dtype=bool)
        return (codes >= 0) & member[np.maximum(codes, 0)] if len(member) else np.zeros(n, dtype=bool)

    rows = np.flatnonzero(pref & kept(o, o_values) & kept(d, d_values))
    return od.take(rows).reset_index(drop=True), (len(keep), len(codes))


def study_pairs(
    measure: str,
    points: pd.DataFrame,
    years: Iterable[int],
    codes: Sequence[str] | None = None,
    *,
    distance_table: pd.DataFrame | None = None,
    road_times: pd.DataFrame | None = None,
    covariates: Sequence[str] = (),
    boundaries=None,
    regions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The pair variables (:func:`yrd.flows.pairs.pair_table`) with the distance ``measure``
    (module docstring): ``great_circle`` (or the user's ``distance_table``) or ``road_time``
    (``road_times`` of every year, :func:`road_time_table`)."""
    if measure not in DISTANCE_MEASURES:
        raise ValueError(f"distance measure must be one of {DISTANCE_MEASURES}, got {measure!r}")
    years = sorted({int(y) for y in years})
    if measure == "road_time":
        if distance_table is not None:
            raise UserError("flows.distance road_time takes the road travel times; flows.distances must be null")
        if road_times is None:
            raise ValueError("distance measure road_time needs the road travel times")
        codes = sorted(map(str, points["code"])) if codes is None else codes
        distance_table = road_time_table(road_times, codes, years)
    return pair_table(points, years, codes, distance_table, covariates, boundaries, regions)


def study_frame(
    od: pd.DataFrame,
    boundaries,
    measure: str = "great_circle",
    *,
    distance_table: pd.DataFrame | None = None,
    road_times: pd.DataFrame | None = None,
    covariates: Sequence[str] = (),
    period_length: int = 1,
    start: int | None = None,
    cast_keys: bool = True,
) -> pd.DataFrame:
    """Estimation cells of the study (:func:`yrd.flows.gravity.gravity_frame`, ``cast_keys`` as
    there) with the distance ``measure``: the prefecture cells of the OD panel ``od`` (every
    prefecture of the panel is a study prefecture), the pair variables of :func:`study_pairs`
    with the points and covariates of the prefecture ``boundaries`` (which carry ``group`` for
    ``same_region_group``)."""
    pref = (od["level"] == "prefecture").to_numpy() if "level" in od.columns else np.ones(len(od), dtype=bool)
    # distinct values of the prefecture rows, without copying the panel (~11 M rows on a national
    # grid) or converting its cells to Python strings
    origin, dest, year = (od[c] if pref.all() else od[c][pref] for c in ("origin", "dest", "year"))
    codes = sorted(distinct(origin, dest, as_str=True))
    b = boundaries[boundaries["code"].astype(str).isin(codes)]
    pairs = study_pairs(
        measure,
        prefecture_points(b),
        sorted(int(y) for y in distinct(year)),
        codes,
        distance_table=distance_table,
        road_times=road_times,
        covariates=covariates,
        boundaries=b,
    )
    return gravity_frame(od, pairs, period_length=period_length, start=start, cast_keys=cast_keys)


def effect_pct(term: str, estimate: float) -> float:
    """Percentage change of expected moves (module docstring): ``100 (1.1^b - 1)`` for
    ``log_distance`` (distance 10 % longer), ``100 (exp(b) - 1)`` otherwise (one unit more)."""
    b = float(estimate)
    if not np.isfinite(b):
        return float("nan")
    return 100.0 * (1.1**b - 1.0) if term == "log_distance" else 100.0 * float(np.expm1(b))


def interpretation(term: str, measure: str, estimate: float, note: str = "") -> str:
    """The coefficient in words, e.g. ``elasticity -1.300 w.r.t. road travel time (hours): 10%
    longer -> -11.7% expected moves``."""
    b = float(estimate)
    if not np.isfinite(b):
        return f"not estimated ({note})" if note else "not estimated"
    e = effect_pct(term, b)
    if term == "log_distance":
        what = "road travel time (hours)" if measure == "road_time" else "great-circle distance (km)"
        return f"elasticity {b:.3f} w.r.t. {what}: 10% longer -> {e:+.1f}% expected moves"
    if term == "border":
        return f"crossing a provincial border -> {e:+.1f}% expected moves (exp(b) - 1)"
    return f"{term} one unit higher -> {e:+.1f}% expected moves (exp(b) - 1)"


def comparison_rows(table: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The rows of :func:`distance_comparison` for one measure from its gravity table
    (:func:`yrd.flows.gravity.estimate_gravity`, columns
    :data:`yrd.flows.gravity.TABLE_COLUMNS`)."""
    if measure not in DISTANCE_MEASURES:
        raise ValueError(f"distance measure must be one of {DISTANCE_MEASURES}, got {measure!r}")
    t = table.copy()
    t["measure"] = measure
    t["unit"] = DISTANCE_UNITS[measure]
    t["note"] = t["note"].fillna("").astype(str)
    t["effect_pct"] = [effect_pct(term, b) for term, b in zip(t["term"], t["estimate"])]
    t["interpretation"] = [
        interpretation(term, measure, b, note) for term, b, note in zip(t["term"], t["estimate"], t["note"])
    ]
    return t[COMPARISON_COLUMNS]


def distance_comparison(
    frames: Mapping[str, pd.DataFrame],
    regressors: Sequence[str] = REGRESSORS,
    *,
    cluster: str = "pair",
    min_moves: int = 0,
) -> pd.DataFrame:
    """The gravity models (:func:`yrd.flows.gravity.estimate_gravity`) estimated on the frame of
    each measure (``{measure: frame}``, :func:`study_frame`), one table: columns
    :data:`COMPARISON_COLUMNS`, rows by model (``pooled`` first, then the classes), term and
    measure, so that the measures of a coefficient are next to each other. A model that could
    not be estimated has NaN estimates, ``converged`` False and the reason in ``note``."""
    parts = []
    for measure, frame in frames.items():
        table, _ = estimate_gravity(frame, regressors, cluster=cluster, min_moves=min_moves)
        parts.append(comparison_rows(table, measure))
    out = pd.concat(parts, ignore_index=True)
    models = list(dict.fromkeys(out["model"]))
    terms = list(dict.fromkeys(out["term"]))
    measures = list(frames)
    key = (
        out["model"].map(models.index) * 10_000
        + out["term"].map(terms.index) * 100
        + out["measure"].map(measures.index)
    )
    return out.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)
