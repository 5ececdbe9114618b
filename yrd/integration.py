"""A measured integration index from real road travel times (Ma and Tang 2024).

Data
----
``resources/transport_times/yrd_travel_time_road.csv``: travel time by road, in hours, between
every unordered pair of the 41 prefectures of Shanghai, Jiangsu, Zhejiang and Anhui, for every
year 1994-2024 (Lin Ma and Yang Tang, *The Distributional Impacts of Transportation Networks in
China*, Journal of International Economics 2024, 103873; GPL-3.0; shortest paths over the road
network of each year). ``cityinfo_yrd.csv`` gives each prefecture's four-digit code and its
resident population in the 2000 and 2010 censuses (ten-thousand persons). Four-digit codes are
the first four digits of our six-digit prefecture codes (``3205`` -> ``320500``); the 41 codes are
those of the 2021 vintage (Chaohu, abolished in 2011, is not a unit of the data).

Measures (:func:`integration_index`), by year and region set
-------------------------------------------------------------
* ``mean_travel_time_h``: population-weighted mean travel time over ordered pairs of distinct
  members, ``T(t) = sum_{i != j} P_i P_j T_ij(t) / sum_{i != j} P_i P_j`` with fixed weights
  ``P`` (2000 census by default, so the index moves only with the network). The YRD's own
  integration plans measure transport integration by such travel-time circles (e.g. the
  "3-hour circle" of the 2019 Outline).
* ``travel_time_index``: ``T(base) / T(t)``: 1 in the base year (the study's first year),
  rising as the network shrinks the delta; C1's default integration measure.
* ``market_access_mean``, ``market_access_cv``, ``market_access_sd_log``: travel-time market
  access ``MA_i(t) = sum_{j != i} P_j T_ij(t)^(-theta)`` (Harris 1954; the reduced form of
  Donaldson and Hornbeck 2016, QJE 131(2), with travel time as the trade cost and elasticity
  ``theta``) over the members of the set, its mean, its coefficient of variation across
  prefectures (population-unweighted, ``sd/mean`` with ddof 0) and the standard deviation of
  its logarithm. A falling dispersion means access becomes more even across the delta.

No library computes these (PySAL's access module handles supply-demand catchments, not a
pairwise gravity sum), so they are written here in a few vectorised lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from yrd.errors import UserError

MEASURES = (
    "mean_travel_time_h",
    "travel_time_index",
    "market_access_mean",
    "market_access_cv",
    "market_access_sd_log",
)
#: Unit of each measure, for tables and figures.
UNITS = {
    "mean_travel_time_h": "hours",
    "travel_time_index": "T(base)/T(t)",
    "market_access_mean": "10k persons / hour^theta",
    "market_access_cv": "ratio",
    "market_access_sd_log": "log points",
}


def _code6(code4: pd.Series) -> pd.Series:
    return code4.astype(str).str.strip().str.zfill(4) + "00"


def read_cities(path: str | Path, weight: str = "cpop2000") -> pd.DataFrame:
    """Prefectures of the travel-time data: ``code`` (six digits), ``name_zh``, ``lon``, ``lat``
    and ``weight`` (column ``weight`` of ``cityinfo``, ten-thousand persons)."""
    d = pd.read_csv(path, dtype={"dzcode": str})
    if weight not in d.columns:
        raise UserError(f"{path}: no population column {weight!r}; columns are {list(d.columns)}")
    out = pd.DataFrame(
        {
            "code": _code6(d["dzcode"]),
            "name_zh": d["cityname_chn"].astype(str),
            "lon": d["coord_long"].astype(float),
            "lat": d["coord_lat"].astype(float),
            "weight": d[weight].astype(float),
        }
    )
    bad = out[~(out["weight"] > 0)]
    if not bad.empty:
        raise UserError(f"{path}: population {weight!r} not positive for {bad['code'].tolist()}")
    return out.sort_values("code").reset_index(drop=True)


def read_road_times(path: str | Path, years: Sequence[int] | None = None) -> pd.DataFrame:
    """Tidy travel times, both directions: ``year``, ``origin``, ``dest`` (six-digit codes),
    ``hours``. The source stores each unordered pair once (columns ``origin``, ``destination``,
    ``year_YYYY``); it is mirrored here. ``years``: keep these (each must be in the file)."""
    wide = pd.read_csv(path, dtype={"origin": str, "destination": str})
    cols = [c for c in wide.columns if c.startswith("year_")]
    have = sorted(int(c[5:]) for c in cols)
    if years is not None:
        missing = sorted(set(map(int, years)) - set(have))
        if missing:
            raise UserError(f"{path}: no travel times for years {missing} (the file covers {have[0]}-{have[-1]})")
        cols = [f"year_{int(y)}" for y in sorted(set(map(int, years)))]
    long = wide.melt(id_vars=["origin", "destination"], value_vars=cols, var_name="year", value_name="hours")
    long["year"] = long["year"].str[5:].astype("int64")
    long["origin"] = _code6(long["origin"])
    long["dest"] = _code6(long.pop("destination"))
    bad = long[~(long["hours"] > 0)]
    if not bad.empty:
        r = bad.iloc[0]
        raise UserError(f"{path}: travel time not positive for {r['origin']}-{r['dest']} in {r['year']}")
    rev = long.rename(columns={"origin": "dest", "dest": "origin"})
    out = pd.concat([long, rev], ignore_index=True)[["year", "origin", "dest", "hours"]]
    dup = out.duplicated(["year", "origin", "dest"])
    if dup.any():
        r = out[dup].iloc[0]
        raise UserError(f"{path}: pair {r['origin']}-{r['dest']} appears twice in {r['year']}")
    return out.sort_values(["year", "origin", "dest"]).reset_index(drop=True)


def _check_cover(times: pd.DataFrame, members: Sequence[str], what: str) -> None:
    have = set(times["origin"])
    missing = sorted(set(members) - have)
    if missing:
        raise UserError(f"{what}: no travel times for prefectures {missing}")


def _matrix(times: pd.DataFrame, members: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(years, Y x N x N array of hours, NaN on the diagonal) for the members, sorted."""
    codes = sorted(members)
    t = times[times["origin"].isin(codes) & times["dest"].isin(codes)]
    years = np.sort(t["year"].unique())
    idx = {c: k for k, c in enumerate(codes)}
    yi = np.searchsorted(years, t["year"].to_numpy())
    arr = np.full((len(years), len(codes), len(codes)), np.nan)
    arr[yi, t["origin"].map(idx).to_numpy(), t["dest"].map(idx).to_numpy()] = t["hours"].to_numpy()
    off = ~np.eye(len(codes), dtype=bool)
    if np.isnan(arr[:, off]).any():
        raise UserError("travel-time table: some ordered pairs of the members are missing in some years")
    return years, arr


def mean_travel_time(times: pd.DataFrame, weights: pd.Series, members: Sequence[str]) -> pd.Series:
    """Population-weighted mean travel time (hours) over ordered pairs of distinct ``members``,
    ``sum_{i!=j} P_i P_j T_ij / sum_{i!=j} P_i P_j``, indexed by year. ``weights``: population
    by six-digit code."""
    _check_cover(times, members, "mean travel time")
    codes = sorted(members)
    years, arr = _matrix(times, codes)
    p = weights.reindex(codes).to_numpy(dtype=float)
    w = np.outer(p, p)
    np.fill_diagonal(w, 0.0)
    vals = np.nansum(arr * w, axis=(1, 2)) / w.sum()
    return pd.Series(vals, index=pd.Index(years, name="year"), name="mean_travel_time_h")


def market_access(times: pd.DataFrame, weights: pd.Series, members: Sequence[str], theta: float = 1.0) -> pd.DataFrame:
    """Travel-time market access of each member, ``MA_i(t) = sum_{j != i} P_j T_ij(t)^(-theta)``
    (Harris 1954; Donaldson and Hornbeck 2016): ``year``, ``code``, ``market_access``."""
    if not theta > 0:
        raise UserError(f"market access: theta must be positive, got {theta}")
    _check_cover(times, members, "market access")
    codes = sorted(members)
    years, arr = _matrix(times, codes)
    p = weights.reindex(codes).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        ma = np.nansum(arr ** (-float(theta)) * p[None, None, :], axis=2)
    return pd.DataFrame(
        {
            "year": np.repeat(years, len(codes)).astype("int64"),
            "code": np.tile(codes, len(years)),
            "market_access": ma.ravel(),
        }
    )


def integration_index(
    times: pd.DataFrame,
    weights: pd.Series,
    region_sets: Mapping[str, Sequence[str]],
    *,
    theta: float = 1.0,
    base_year: int,
) -> pd.DataFrame:
    """Every measure of the module docstring for every region set, long: ``year``,
    ``region_set``, ``measure``, ``value``, ``unit``. ``base_year`` anchors
    ``travel_time_index`` (= 1 there) and must be a year of ``times``."""
    if int(base_year) not in set(times["year"]):
        raise UserError(f"integration index: base year {base_year} not in the travel-time years")
    frames = []
    for name, members in region_sets.items():
        tbar = mean_travel_time(times, weights, members)
        ma = market_access(times, weights, members, theta).groupby("year")["market_access"]
        mean = ma.mean()
        cv = ma.std(ddof=0) / mean
        sdlog = ma.apply(lambda s: float(np.log(s).std(ddof=0)))
        wide = pd.DataFrame(
            {
                "mean_travel_time_h": tbar,
                "travel_time_index": float(tbar.loc[int(base_year)]) / tbar,
                "market_access_mean": mean,
                "market_access_cv": cv,
                "market_access_sd_log": sdlog,
            }
        )
        long = wide.rename_axis("year").reset_index().melt(id_vars="year", var_name="measure", value_name="value")
        frames.append(long.assign(region_set=name))
    out = pd.concat(frames, ignore_index=True)
    out["unit"] = out["measure"].map(UNITS)
    out["year"] = out["year"].astype("int64")
    return out[["year", "region_set", "measure", "value", "unit"]].sort_values(
        ["region_set", "measure", "year"], ignore_index=True
    )


def c1_integration_series(index: pd.DataFrame, region_set: str, measure: str = "travel_time_index") -> pd.DataFrame:
    """``year``, ``integration`` of one region set and measure (C1's x-axis)."""
    d = index[(index["region_set"] == region_set) & (index["measure"] == measure)]
    if d.empty:
        raise UserError(f"integration index has no measure {measure!r} for region set {region_set!r}")
    return d[["year", "value"]].rename(columns={"value": "integration"}).reset_index(drop=True)
