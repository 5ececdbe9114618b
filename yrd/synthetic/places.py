"""The geography the synthetic world's firms live on, and what makes a place attractive.

Real prefectures and counties (:class:`Geography`, :func:`build_geography`), effective distances
from real road travel times (:func:`road_speed_kmh`, :func:`effective_distance`) and the
attractiveness V_pg(t) of every prefecture for every relocation class (:func:`attractiveness`);
the equations are in the docstring of :mod:`yrd.synthetic.model` and in
``docs/synthetic_world.md``.

Effective distance between distinct prefectures p != q in year t, in km-equivalents:

    d_pq(t) = v T_pq(t),    v = sum_{p != q} D_pq / sum_{p != q} T_pq(t0)

with T_pq(t) the road travel time in hours of year t (Ma and Tang 2024, Journal of International
Economics 103873; shortest paths over each year's road network), D_pq the great-circle distance
between the prefectures' centroids and t0 the first recorded year: one constant speed v (km per
hour) turns hours into kilometres, so that in t0 the mean effective distance equals the mean
great-circle distance and every parameter per 100 km (trade costs) or per log km (moving costs)
keeps its scale. The internal distance d_pp = (2/3) sqrt(A_p / pi) (Head and Mayer 2009) does
not change. Pairs without a road travel time (any pair with a prefecture outside the YRD, whose
41 prefectures are all the travel times cover) take the fallback hours D_pq / s(t) of
:func:`yrd.synthetic.national.fill_road_hours`, s(t) the great-circle speed of the timed pairs
in year t; YRD worlds have none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.synthetic.national import NATIONAL_PORT_ACCESS, fill_road_hours
from yrd.synthetic.params import CLASSES, WorldParams


@dataclass
class Geography:
    """Arrays of the real geography the firms live on."""

    pref_codes: np.ndarray  # (P,) prefecture codes
    province: np.ndarray  # (P,) 2-digit province prefix
    population: np.ndarray  # (P,) persons
    area: np.ndarray  # (P,) km2
    port: np.ndarray  # (P,) port access index in [0, 1]
    dist: np.ndarray  # (P, P) great-circle km between centroids, internal distance on the diagonal
    road_years: np.ndarray  # (Y,) years of the road network
    road_hours: np.ndarray  # (Y, P, P) road travel time in hours, NaN on the diagonal
    road_speed: float  # v: km-equivalents per hour of road travel time
    county_codes: np.ndarray  # (C,) county codes (vintage), sorted by prefecture
    county_pref: np.ndarray  # (C,) index into pref_codes
    county_weight: np.ndarray  # (C,) weights (un-normalised)
    road_filled: int = 0  # (year, pair) cells of road_hours from the fallback (national.fill_road_hours)

    @property
    def border(self) -> np.ndarray:
        return (self.province[:, None] != self.province[None, :]).astype(float)


#: Port access index of prefectures (project assignment, used only by the synthetic world):
#: 1 for seaports of the coastal main-port system, 0.5 for main ports on the lower Yangtze,
#: 0.25 for other coastal or river prefectures with smaller ports, 0 otherwise. Prefectures
#: outside the YRD: :data:`yrd.synthetic.national.NATIONAL_PORT_ACCESS` (same scale).
PORT_ACCESS = {
    "310100": 1.0, "330200": 1.0, "330900": 1.0, "320700": 1.0, "330300": 0.5, "320600": 0.5, "320500": 0.5,
    "330400": 0.5, "331000": 0.5, "320100": 0.5, "321100": 0.5, "320200": 0.25, "321200": 0.25, "321000": 0.25,
    "340200": 0.5, "340500": 0.25, "340700": 0.25, "340800": 0.25, "341700": 0.25, "320900": 0.25,
}  # fmt: skip


def road_hours_matrix(
    times: pd.DataFrame, codes: np.ndarray, allow_gaps: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(years, Y x P x P hours, NaN on the diagonal) of the prefectures ``codes`` from the tidy
    travel times of :func:`yrd.integration.read_road_times` (``year``, ``origin``, ``dest``,
    ``hours``). Unless ``allow_gaps`` (pairs left NaN), raises ``ValueError`` naming the
    prefectures without a travel time to every other one in every year."""
    codes = [str(c) for c in codes]
    t = times[times["origin"].isin(codes) & times["dest"].isin(codes) & (times["origin"] != times["dest"])]
    years = np.sort(t["year"].unique()).astype(int)
    idx = {c: k for k, c in enumerate(codes)}
    arr = np.full((len(years), len(codes), len(codes)), np.nan)
    yi = np.searchsorted(years, t["year"].to_numpy())
    arr[yi, t["origin"].map(idx).to_numpy(), t["dest"].map(idx).to_numpy()] = t["hours"].to_numpy(dtype=float)
    off = ~np.eye(len(codes), dtype=bool)
    gaps = np.isnan(arr[:, off]).any(axis=0) if len(years) else np.ones(off.sum(), bool)
    if gaps.any() and not allow_gaps:
        pairs = np.argwhere(off)[gaps]
        bad = sorted({codes[i] for i in pairs[:, 0]} | {codes[j] for j in pairs[:, 1]})
        raise ValueError(f"road travel times: prefectures {bad[:10]} lack a travel time to some others in some years")
    return years, arr


def road_speed_kmh(dist_km: np.ndarray, years: np.ndarray, hours: np.ndarray, base_year: int) -> float:
    """The speed v (km-equivalents per hour) that turns road travel times into distances:
    v = sum_{p != q} D_pq / sum_{p != q} T_pq(base_year), with D the great-circle distances
    ``dist_km`` (P x P) and T the hours of :func:`road_hours_matrix`."""
    if int(base_year) not in set(years.tolist()):
        raise ValueError(f"road travel times cover {years.min()}-{years.max()}, not the first study year {base_year}")
    off = ~np.eye(dist_km.shape[0], dtype=bool)
    h = hours[int(np.searchsorted(years, int(base_year)))]
    return float(dist_km[off].sum() / h[off].sum())


def build_geography(
    pref: pd.DataFrame,
    counties: pd.DataFrame,
    dist_km: pd.DataFrame,
    population: pd.Series,
    seed: int,
    county_amenity_sd: float,
    road_times: pd.DataFrame,
    base_year: int,
) -> Geography:
    """Assemble the model geography.

    pref: prefecture table with ``code``, ``area_km2``; counties: ``code``, ``prefecture_code``,
    ``area_km2`` (only counties where firms may be placed); dist_km: square matrix of centroid
    distances indexed by prefecture code; population: persons by prefecture code; road_times:
    the tidy road travel times (:func:`yrd.integration.read_road_times`); pairs they do not join
    take the fallback of :func:`yrd.synthetic.national.fill_road_hours` (``road_filled`` counts
    them); base_year: the first recorded year, whose travel times set the speed v of
    :func:`road_speed_kmh`.
    """
    rng = np.random.default_rng([seed, 1])
    pref = pref.sort_values("code").reset_index(drop=True)
    codes = pref["code"].astype(str).to_numpy()
    missing = set(codes) - set(population.index.astype(str))
    if missing:
        raise ValueError(f"no census population for prefectures {sorted(missing)}")
    d = dist_km.loc[codes, codes].to_numpy(dtype=float).copy()
    area = pref["area_km2"].to_numpy(dtype=float)
    np.fill_diagonal(d, 2.0 / 3.0 * np.sqrt(area / np.pi))
    cty = counties[counties["prefecture_code"].isin(codes)]
    cty = cty.sort_values(["prefecture_code", "code"]).reset_index(drop=True)
    pidx = pd.Series(np.arange(len(codes)), index=codes)
    weight = np.sqrt(cty["area_km2"].to_numpy(dtype=float)) * np.exp(rng.normal(0, county_amenity_sd, len(cty)))
    no_county = set(codes) - set(cty["prefecture_code"])
    if no_county:
        raise ValueError(f"prefectures without any county to place firms in: {sorted(no_county)}")
    road_years, hours = road_hours_matrix(road_times, codes, allow_gaps=True)
    gc = dist_km.loc[codes, codes].to_numpy(dtype=float)
    hours, filled = fill_road_hours(hours, gc) if len(road_years) else (hours, 0)
    return Geography(
        pref_codes=codes,
        province=np.array([c[:2] for c in codes]),
        population=population.reindex(codes).to_numpy(dtype=float),
        area=area,
        port=np.array([PORT_ACCESS.get(c, NATIONAL_PORT_ACCESS.get(c, 0.0)) for c in codes]),
        dist=d,
        road_years=road_years,
        road_hours=hours,
        road_speed=road_speed_kmh(d, road_years, hours, base_year),
        county_codes=cty["code"].astype(str).to_numpy(),
        county_pref=pidx.loc[cty["prefecture_code"]].to_numpy(),
        county_weight=weight,
        road_filled=filled,
    )


def road_year(params: WorldParams, year: int) -> int:
    """The year of the road network the firms face in ``year``: ``params.road_times_year`` when
    set (a network frozen in that year), else ``year``, where a burn-in year (before
    ``params.start``) takes the network of ``params.start``."""
    if params.road_times_year is not None:
        return int(params.road_times_year)
    return max(int(year), int(params.start))


def effective_distance(geo: Geography, params: WorldParams, year: int) -> np.ndarray:
    """d_pq(t) (P x P, km-equivalents): v times the road travel time of the network of
    :func:`road_year` between distinct prefectures, the internal distance d_pp on the diagonal
    (module docstring). Raises ``ValueError`` when the travel times do not cover that year."""
    ry = road_year(params, year)
    k = int(np.searchsorted(geo.road_years, ry))
    if k >= len(geo.road_years) or geo.road_years[k] != ry:
        raise ValueError(
            f"road travel times cover {geo.road_years.min()}-{geo.road_years.max()}, not {ry} (needed for {year})"
        )
    d = geo.road_speed * geo.road_hours[k]
    np.fill_diagonal(d, np.diag(geo.dist))
    return d


def _std(x: np.ndarray) -> np.ndarray:
    s = x.std()
    return (x - x.mean()) / s if s > 0 else x - x.mean()


@dataclass
class YearState:
    """Prefecture-level quantities of one year (kept for the truth)."""

    year: int
    lam: float
    tau: float
    border_cost: float
    market_access: np.ndarray  # (P,) log MA minus its YRD mean
    log_wage: np.ndarray  # (P,)
    log_land: np.ndarray  # (P,)
    attractiveness: np.ndarray  # (P, G)


def attractiveness(
    geo: Geography, params: WorldParams, year: int, emp_pg: np.ndarray, xi: np.ndarray
) -> tuple[YearState, np.ndarray]:
    """V_pg(t) from last year's employment by prefecture x class ``emp_pg`` (P x G).
    Returns the year's state and the effective distances."""
    tau, bcost = params.trade_cost(year)
    d = effective_distance(geo, params, year)
    decay = np.exp(-tau * d / 100.0 - bcost * geo.border)
    ma = np.log(decay @ geo.population)
    # centred, not scaled: as trade costs fall, market-access differences shrink
    ma_s = ma - ma.mean()
    emp_p = emp_pg.sum(axis=1)
    dens_pop = emp_p / geo.population
    dens_area = emp_p / geo.area
    dens_pop = dens_pop / dens_pop.mean() if dens_pop.mean() > 0 else dens_pop
    dens_area = dens_area / dens_area.mean() if dens_area.mean() > 0 else dens_area
    popdens = geo.population / geo.area
    t_rel = year - params.start
    log_w = params.omega_trend * t_rel + params.omega_density * np.log1p(dens_pop) + params.omega_ma * ma_s
    log_r = params.rho_density * np.log1p(dens_area) + params.rho_pop * np.log(popdens / popdens.mean())
    urb = _std(np.log(popdens))
    # supplier access of own-class firms, discounted by the same trade costs as demand: linkages
    # tie firms to their own industry's cluster only while trade costs are high (Krugman and
    # Venables 1995); centred across prefectures.
    sa = np.log1p((decay @ emp_pg) / 1000.0)
    sa = sa - sa.mean(axis=0, keepdims=True)
    V = np.empty((len(geo.pref_codes), len(CLASSES)))
    for g, name in enumerate(CLASSES):
        a = params.classes[name]
        V[:, g] = (
            a["market_access"] * ma_s
            - a["wage"] * (log_w - params.omega_trend * t_rel)  # the common trend does not move firms
            - a["land"] * log_r
            + a["port"] * geo.port
            + a["urban"] * urb
            + a["agglomeration"] * sa[:, g]
            + xi[:, g]
        )
    state = YearState(year, params.integration(year), tau, bcost, ma_s, log_w, log_r, V)
    return state, d


def choose_county(geo: Geography, pref_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A county inside each given prefecture, with probability proportional to w_c."""
    order = geo.county_pref  # counties are sorted by prefecture
    cum = np.cumsum(geo.county_weight)
    start = np.searchsorted(order, np.arange(len(geo.pref_codes)), side="left")
    stop = np.searchsorted(order, np.arange(len(geo.pref_codes)), side="right")
    lo = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    hi = cum[stop - 1]
    u = rng.random(len(pref_idx))
    target = lo[pref_idx] + u * (hi[pref_idx] - lo[pref_idx])
    out = np.searchsorted(cum, target, side="right")
    return np.minimum(out, stop[pref_idx] - 1).astype(np.int32)
