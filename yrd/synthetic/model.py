"""The synthetic world: a model of manufacturing firms locating in the Yangtze River Delta.

Firms are born, grow, shrink, die and relocate on real YRD geography. Nothing about the paper's
claims is written in: concentration, specialisation and Shanghai's outflows are whatever the
firms' decisions produce. The equations are documented in ``docs/synthetic_world.md``; the
symbols below follow it.

Geography (exogenous, real): prefectures p with census population N_p (2010), area A_p,
centroid distances d_pq (internal distance d_pp = 2/3 sqrt(A_p/pi), Head and Mayer 2009),
provincial border dummy B_pq, a port-access index port_p; counties c inside prefectures with
weights w_c (area^0.5 times a fixed random amenity).

Integration path: lambda(t) rises from ``integration.start`` to ``integration.end`` (linearly
over the study period); the trade cost per 100 km tau(t) and the border trade cost b(t) fall
with it. Infrastructure events remove a detour on given prefecture pairs from a given year.

Each year t, for industry class g (labour, capital, technology, port, urban):

    MA_p(t)  = sum_q N_q exp(-tau(t) d_pq(t)/100 - b(t) B_pq)                 market access
    ln w_p(t) = omega_trend (t - t0) + omega_density ln(1 + D_p(t-1)) + omega_ma ma_p(t)
    ln r_p(t) = rho_density ln(1 + S_p(t-1)) + rho_pop ln(popdens_p)
    V_pg(t)  = a_m[g] ma_p - a_w[g] ln w_p - a_r[g] ln r_p + a_port[g] port_p
               + a_urb[g] urb_p + a_agg[g] sa_pg + xi_pg
    SA_pg(t) = sum_q E_qg(t-1) exp(-tau(t) d_pq(t)/100 - b(t) B_pq)                supplier access

with D_p the manufacturing employment per inhabitant and S_p employment per km^2 (both relative
to their YRD means) in the previous year; ma_p = ln MA_p and sa_pg = ln(1 + SA_pg/1000), each
minus its YRD mean (so their spread shrinks as trade costs fall: agglomeration forces weaken
with integration while congestion in wages and land does not), and urb_p the standardised log
population density.

A reconsidering firm in p chooses among staying (utility V_pg + s_stay) and every other
prefecture q (utility V_qg + beta_log_distance ln d_pq(t) + beta_border B_pq) by a multinomial
logit, then a county inside q with probability proportional to w_c. So expected flows are
E[F_pqgt] = exp(o_pgt + m_qgt + beta_log_distance ln d_pq(t) + beta_border B_pq): a gravity
equation with origin and destination effects by class and year (Guimaraes, Figueiredo and
Woodward 2003). Moves between counties of one prefecture are a separate process.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

CLASSES = ("labour", "capital", "technology", "port", "urban")

#: Default class sensitivities (see docs/synthetic_world.md for their meaning).
DEFAULT_CLASS_PARAMS: dict[str, dict[str, float]] = {
    "labour": {"market_access": 0.6, "wage": 2.0, "land": 0.5, "port": 0.0, "urban": 0.0, "agglomeration": 0.25},
    "capital": {"market_access": 0.8, "wage": 0.6, "land": 1.0, "port": 0.4, "urban": 0.0, "agglomeration": 0.25},
    "technology": {"market_access": 1.2, "wage": 0.8, "land": 0.5, "port": 0.2, "urban": 0.3, "agglomeration": 0.5},
    "port": {"market_access": 0.6, "wage": 0.5, "land": 0.8, "port": 2.0, "urban": 0.0, "agglomeration": 0.3},
    "urban": {"market_access": 1.4, "wage": 0.9, "land": 0.4, "port": 0.0, "urban": 1.0, "agglomeration": 0.25},
}

#: Output per worker at the start, thousand yuan per worker per year, by class.
DEFAULT_PRODUCTIVITY = {"labour": 110.0, "capital": 260.0, "technology": 220.0, "port": 380.0, "urban": 130.0}


@dataclass
class WorldParams:
    """Every structural parameter of the model, with its unit (mirrors ``synthetic:`` in the config)."""

    seed: int = 20260101
    start: int = 1998  # first recorded year
    end: int = 2013  # last recorded year
    burn_in: int = 5  # years simulated before `start` and not recorded
    firms_initial: int = 50_000  # firm population (all sizes) at the start of the burn-in
    population_growth: float = 0.03  # growth rate of the firm population per year
    # integration path lambda(t) in [0, 1]: linear from start to end over the recorded years
    integration_start: float = 0.0
    integration_end: float = 1.0
    trade_cost_max: float = 1.6  # tau at lambda = 0, per 100 km
    trade_cost_min: float = 0.15  # tau at lambda = 1, per 100 km
    border_cost_max: float = 1.2  # b at lambda = 0 (trade cost of a provincial border)
    border_cost_min: float = 0.1  # b at lambda = 1
    omega_trend: float = 0.08  # nominal wage growth per year (log points)
    omega_density: float = 0.45  # wage elasticity to manufacturing employment per inhabitant
    omega_ma: float = 0.15  # wage gradient with market access (standardised)
    rho_density: float = 0.5  # land-cost elasticity to manufacturing employment per km2
    rho_pop: float = 0.35  # land-cost elasticity to population density
    amenity_sd: float = 0.3  # sd of the fixed prefecture x class amenity xi_pg
    county_amenity_sd: float = 0.3  # sd of the fixed county amenity in w_c
    reconsider_rate: float = 0.10  # share of incumbents reconsidering their location each year
    stay_premium: float = -1.0  # s_stay: utility of staying relative to a 1-km move (logit units)
    beta_log_distance: float = -1.3  # moving cost per unit log distance (km)
    beta_border: float = -0.7  # moving cost of crossing a provincial border
    within_move_rate: float = 0.008  # share of firms moving between counties of their prefecture
    exit_base: float = 0.07  # exit probability of a firm of median size at average attractiveness
    exit_size: float = -0.35  # logit slope of exit on log employment (relative to median)
    exit_attractiveness: float = -0.3  # logit slope of exit on location attractiveness
    size_persistence: float = 0.96  # AR(1) coefficient of log employment
    size_mean: float = 60.0  # long-run mean (geometric) of firm employment, workers
    size_sd: float = 0.25  # sd of yearly log-employment shocks
    entrant_min_size: float = 6.0  # Pareto scale of entrant employment (workers)
    entrant_pareto_alpha: float = 1.3  # Pareto tail index of entrant employment
    productivity_growth: float = 0.09  # nominal growth of output per worker per year
    productivity_sd: float = 0.35  # sd of firm log productivity
    state_share_initial: float = 0.25  # share of state-owned firms at the start
    state_share_entry: float = 0.02  # share of entrants that are state-owned
    privatisation_rate: float = 0.06  # yearly rate at which state-owned firms are restructured
    threshold_early: float = 5_000.0  # ASIF sales threshold, thousand yuan, before threshold_switch_year
    threshold_late: float = 20_000.0  # from threshold_switch_year on
    threshold_switch_year: int = 2011
    classes: dict[str, dict[str, float]] = field(default_factory=lambda: json.loads(json.dumps(DEFAULT_CLASS_PARAMS)))
    productivity: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PRODUCTIVITY))
    events: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_config(cls, cfg: dict[str, Any], start: int, end: int) -> "WorldParams":
        """Build from the ``synthetic.model`` config block and the study period."""
        flat = {k: v for k, v in cfg.items() if k not in ("classes", "productivity", "events", "integration")}
        p = cls(start=start, end=end, **flat)
        integ = cfg.get("integration", {})
        p.integration_start = integ.get("start", p.integration_start)
        p.integration_end = integ.get("end", p.integration_end)
        for g, vals in cfg.get("classes", {}).items():
            p.classes[g].update(vals)
        p.productivity.update(cfg.get("productivity", {}))
        p.events = list(cfg.get("events", []))
        return p

    def integration(self, year: int) -> float:
        """lambda(t): linear from integration_start (at `start`) to integration_end (at `end`),
        held constant outside the recorded years."""
        span = max(self.end - self.start, 1)
        frac = min(max((year - self.start) / span, 0.0), 1.0)
        return self.integration_start + (self.integration_end - self.integration_start) * frac

    def trade_cost(self, year: int) -> tuple[float, float]:
        lam = self.integration(year)
        tau = self.trade_cost_max + (self.trade_cost_min - self.trade_cost_max) * lam
        b = self.border_cost_max + (self.border_cost_min - self.border_cost_max) * lam
        return tau, b

    def threshold(self, year: int) -> float:
        return self.threshold_late if year >= self.threshold_switch_year else self.threshold_early


@dataclass
class Geography:
    """Arrays of the real geography the firms live on."""

    pref_codes: np.ndarray  # (P,) prefecture codes
    province: np.ndarray  # (P,) 2-digit province prefix
    population: np.ndarray  # (P,) persons
    area: np.ndarray  # (P,) km2
    port: np.ndarray  # (P,) port access index in [0, 1]
    dist: np.ndarray  # (P, P) km between centroids, internal distance on the diagonal
    county_codes: np.ndarray  # (C,) county codes (vintage), sorted by prefecture
    county_pref: np.ndarray  # (C,) index into pref_codes
    county_weight: np.ndarray  # (C,) weights (un-normalised)

    @property
    def border(self) -> np.ndarray:
        return (self.province[:, None] != self.province[None, :]).astype(float)


#: Port access index of prefectures (project assignment, used only by the synthetic world):
#: 1 for seaports of the coastal main-port system, 0.5 for main ports on the lower Yangtze,
#: 0.25 for other coastal or river prefectures with smaller ports, 0 otherwise.
PORT_ACCESS = {
    "310100": 1.0, "330200": 1.0, "330900": 1.0, "320700": 1.0, "330300": 0.5, "320600": 0.5, "320500": 0.5,
    "330400": 0.5, "331000": 0.5, "320100": 0.5, "321100": 0.5, "320200": 0.25, "321200": 0.25, "321000": 0.25,
    "340200": 0.5, "340500": 0.25, "340700": 0.25, "340800": 0.25, "341700": 0.25, "320900": 0.25,
}  # fmt: skip


def build_geography(
    pref: pd.DataFrame, counties: pd.DataFrame, dist_km: pd.DataFrame, population: pd.Series, seed: int, county_amenity_sd: float
) -> Geography:
    """Assemble the model geography.

    pref: prefecture table with ``code``, ``area_km2``; counties: ``code``, ``prefecture_code``,
    ``area_km2`` (only counties where firms may be placed); dist_km: square matrix of centroid
    distances indexed by prefecture code; population: persons by prefecture code.
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
    cty = counties[counties["prefecture_code"].isin(codes)].sort_values(["prefecture_code", "code"]).reset_index(drop=True)
    pidx = pd.Series(np.arange(len(codes)), index=codes)
    weight = np.sqrt(cty["area_km2"].to_numpy(dtype=float)) * np.exp(rng.normal(0, county_amenity_sd, len(cty)))
    no_county = set(codes) - set(cty["prefecture_code"])
    if no_county:
        raise ValueError(f"prefectures without any county to place firms in: {sorted(no_county)}")
    return Geography(
        pref_codes=codes,
        province=np.array([c[:2] for c in codes]),
        population=population.reindex(codes).to_numpy(dtype=float),
        area=area,
        port=np.array([PORT_ACCESS.get(c, 0.0) for c in codes]),
        dist=d,
        county_codes=cty["code"].astype(str).to_numpy(),
        county_pref=pidx.loc[cty["prefecture_code"]].to_numpy(),
        county_weight=weight,
    )


def effective_distance(geo: Geography, params: WorldParams, year: int) -> np.ndarray:
    """d_pq(t): centroid distance times the detour factor of every infrastructure event not yet
    open in ``year`` (an event removes the detour between its prefecture pairs from its year)."""
    d = geo.dist.copy()
    idx = {c: i for i, c in enumerate(geo.pref_codes)}
    for ev in params.events:
        if year >= int(ev["year"]):
            continue
        for a, b in ev["pairs"]:
            if str(a) in idx and str(b) in idx:
                i, j = idx[str(a)], idx[str(b)]
                d[i, j] *= float(ev["detour_before"])
                d[j, i] *= float(ev["detour_before"])
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


class _Firms:
    """Struct of arrays of the firm population."""

    def __init__(self) -> None:
        self.id = np.empty(0, np.int64)
        self.ind = np.empty(0, np.int16)  # index into industries
        self.cls = np.empty(0, np.int8)  # index into CLASSES
        self.county = np.empty(0, np.int32)  # index into geo.county_codes
        self.logL = np.empty(0, float)
        self.logphi = np.empty(0, float)
        self.founded = np.empty(0, np.int16)
        self.state = np.empty(0, bool)
        self.foreign = np.empty(0, np.int8)  # 0 domestic, 1 HK/Macau/Taiwan, 2 foreign
        self.ind4 = np.empty(0, np.int16)  # index into the 4-digit class list

    def take(self, mask: np.ndarray) -> None:
        for k, v in vars(self).items():
            setattr(self, k, v[mask])

    def extend(self, other: dict[str, np.ndarray]) -> None:
        for k, v in other.items():
            setattr(self, k, np.concatenate([getattr(self, k), v.astype(getattr(self, k).dtype)]))


def _choose_county(geo: Geography, pref_idx: np.ndarray, rng: np.random.Generator) -> np.ndarray:
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


def _logit_choice(util: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise multinomial logit draws from a utility matrix (rows: decision makers)."""
    u = util - util.max(axis=1, keepdims=True)
    p = np.exp(u)
    cum = np.cumsum(p, axis=1)
    r = rng.random(len(util))[:, None] * cum[:, -1:]
    return (cum < r).sum(axis=1)


@dataclass
class SimulationResult:
    panel: pd.DataFrame  # firm-years in the ASIF sample
    moves: pd.DataFrame  # every true relocation (all firms)
    population: pd.DataFrame  # year x county x industry aggregates of all firms
    prefecture_years: pd.DataFrame  # the model's state by prefecture and year
    distances: pd.DataFrame  # effective distances by year (only pairs changed by events)
    params: dict[str, Any]


def simulate(
    geo: Geography, industries: pd.DataFrame, params: WorldParams, industry4: pd.DataFrame | None = None
) -> SimulationResult:
    """Run the world.

    industries: one row per 2-digit division with ``code`` and ``relocation_class`` (one of
    :data:`CLASSES`) and optionally ``weight`` (share of entrants; default a Dirichlet draw).
    industry4: 4-digit classes (``code4``, ``code`` of the division) firms are assigned to.
    """
    rng = np.random.default_rng(params.seed)
    ind = industries.sort_values("code").reset_index(drop=True)
    bad = set(ind["relocation_class"]) - set(CLASSES)
    if bad:
        raise ValueError(f"unknown relocation classes {bad}; expected {CLASSES}")
    cls_of_ind = ind["relocation_class"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy(np.int8)
    if "weight" in ind:
        ind_w = ind["weight"].to_numpy(float)
    else:
        ind_w = rng.dirichlet(np.full(len(ind), 8.0))
    ind_w = ind_w / ind_w.sum()
    prod0 = np.array([params.productivity[c] for c in CLASSES])
    if industry4 is None:
        industry4 = pd.DataFrame({"code4": ind["code"] + "00", "code": ind["code"]})
    ind4 = industry4.sort_values("code4").reset_index(drop=True)
    ind4_by_div = [np.flatnonzero(ind4["code"].to_numpy() == c) for c in ind["code"]]
    if any(len(a) == 0 for a in ind4_by_div):
        raise ValueError("a division has no 4-digit class")

    P, G, C = len(geo.pref_codes), len(CLASSES), len(geo.county_codes)
    xi = rng.normal(0.0, params.amenity_sd, (P, G))
    firms = _Firms()
    next_id = 1

    def new_firms(n: int, year: int, V: np.ndarray | None, initial: bool) -> dict[str, np.ndarray]:
        nonlocal next_id
        k = rng.choice(len(ind), size=n, p=ind_w)
        g = cls_of_ind[k]
        # location: logit over prefectures of V_pg + ln N_p (entrepreneurs where people are)
        base = np.log(geo.population)[None, :]
        util = base + (V[:, g].T if V is not None else 0.0)
        p_idx = _logit_choice(np.broadcast_to(util, (n, P)) if V is None else util, rng)
        cty = _choose_county(geo, p_idx, rng)
        size = params.entrant_min_size * (1.0 - rng.random(n)) ** (-1.0 / params.entrant_pareto_alpha)
        ids = np.arange(next_id, next_id + n, dtype=np.int64)
        next_id += n
        founded = year - rng.integers(0, 40, n) if initial else np.full(n, year)
        state = rng.random(n) < (params.state_share_initial if initial else params.state_share_entry)
        foreign_p = np.where(np.isin(geo.province[p_idx], ["31", "32"]), 0.16, 0.07)
        fr = rng.random(n)
        foreign = np.where(fr < foreign_p, np.where(fr < foreign_p / 2, 1, 2), 0) * (~state)
        i4 = _draw4(ind4_by_div, k, rng)
        return {
            "id": ids,
            "ind": k,
            "cls": g,
            "county": cty,
            "logL": np.log(np.minimum(size, 60_000.0)),
            "logphi": rng.normal(0.0, params.productivity_sd, n),
            "founded": founded,
            "state": state,
            "foreign": foreign,
            "ind4": i4,
        }

    first = params.start - params.burn_in
    firms.extend(new_firms(params.firms_initial, first, None, True))
    # start from firms grown for a while: draw sizes from the stationary-ish distribution
    firms.logL = firms.logL + rng.normal(0.5, 0.8, len(firms.id)).clip(-1, 3)

    panel_parts, move_parts, pop_parts, state_rows, dist_rows = [], [], [], [], []
    target = float(params.firms_initial)
    for year in range(first, params.end + 1):
        record = year >= params.start
        emp = np.exp(firms.logL)
        pref_of = geo.county_pref[firms.county]
        emp_pg = np.zeros((P, G))
        np.add.at(emp_pg, (pref_of, firms.cls), emp)
        state, d_eff = attractiveness(geo, params, year, emp_pg, xi)
        V = state.attractiveness

        # 1. relocation of incumbents (firms founded before this year)
        n = len(firms.id)
        incumbent = firms.founded < year
        recon = incumbent & (rng.random(n) < params.reconsider_rate)
        idx = np.flatnonzero(recon)
        moved_pref = np.zeros(n, bool)
        if len(idx):
            o = pref_of[idx]
            g = firms.cls[idx]
            util = V[:, g].T + params.beta_log_distance * np.log(d_eff[o]) + params.beta_border * geo.border[o]
            util[np.arange(len(idx)), o] = V[o, g] + params.stay_premium
            choice = _logit_choice(util, rng)
            leave = choice != o
            mv = idx[leave]
            old_cty = firms.county[mv].copy()
            firms.county[mv] = _choose_county(geo, choice[leave], rng)
            moved_pref[mv] = True
            if record:
                move_parts.append(
                    pd.DataFrame(
                        {
                            "true_firm_id": firms.id[mv],
                            "year": year,
                            "origin_county": geo.county_codes[old_cty],
                            "dest_county": geo.county_codes[firms.county[mv]],
                            "industry": ind["code"].to_numpy()[firms.ind[mv]],
                            "kind": "between_prefectures",
                        }
                    )
                )
        # within-prefecture county moves (a separate, smaller process)
        within = incumbent & ~moved_pref & (rng.random(n) < params.within_move_rate)
        widx = np.flatnonzero(within)
        if len(widx):
            old_cty = firms.county[widx].copy()
            new_cty = _choose_county(geo, geo.county_pref[old_cty], rng)
            real = new_cty != old_cty
            widx, old_cty, new_cty = widx[real], old_cty[real], new_cty[real]
            firms.county[widx] = new_cty
            if record and len(widx):
                move_parts.append(
                    pd.DataFrame(
                        {
                            "true_firm_id": firms.id[widx],
                            "year": year,
                            "origin_county": geo.county_codes[old_cty],
                            "dest_county": geo.county_codes[new_cty],
                            "industry": ind["code"].to_numpy()[firms.ind[widx]],
                            "kind": "within_prefecture",
                        }
                    )
                )
        moved = np.zeros(n, bool)
        moved[moved_pref] = True
        if len(widx):
            moved[widx] = True

        # 2. growth: AR(1) in log employment around a class-free mean, productivity drift
        firms.logL = params.size_persistence * firms.logL + (1 - params.size_persistence) * np.log(params.size_mean) + rng.normal(
            0.0, params.size_sd, n
        )
        firms.logL = np.clip(firms.logL, 0.0, np.log(100_000.0))
        firms.logphi = firms.logphi + rng.normal(0.0, 0.08, n)

        # 3. exit: logistic in size and in the attractiveness of the firm's location
        pref_of = geo.county_pref[firms.county]
        v_own = V[pref_of, firms.cls]
        v_rel = v_own - V.mean(axis=0)[firms.cls]
        base = np.log(params.exit_base / (1 - params.exit_base))
        z = base + params.exit_size * (firms.logL - np.log(params.size_mean)) + params.exit_attractiveness * v_rel
        alive = rng.random(n) >= 1.0 / (1.0 + np.exp(-z))
        alive |= firms.founded == year  # nobody exits in the year of birth
        # privatisation of state-owned firms (改制)
        firms.state &= rng.random(n) >= params.privatisation_rate
        keep = alive
        firms.take(keep)
        moved = moved[keep]

        # 4. entry: keep the population on its growth path
        target *= 1.0 + params.population_growth
        n_new = max(int(round(target)) - len(firms.id), 0)
        if n_new:
            firms.extend(new_firms(n_new, year, V, False))
            moved = np.concatenate([moved, np.zeros(n_new, bool)])

        if not record:
            continue
        # 5. record: output, sales, the ASIF sample
        t_rel = year - params.start
        emp_now = np.maximum(np.round(np.exp(firms.logL)), 1).astype(np.int64)
        phi = prod0[firms.cls] * np.exp(firms.logphi + params.productivity_growth * t_rel)
        output = emp_now * phi
        sales = output * (0.86 + 0.14 * rng.random(len(output)))
        in_sample = firms.state | (sales >= params.threshold(year))
        sel = np.flatnonzero(in_sample)
        reg = _reg_type(firms.state[sel], firms.foreign[sel], firms.id[sel])
        panel_parts.append(
            pd.DataFrame(
                {
                    "true_firm_id": firms.id[sel],
                    "year": np.int16(year),
                    "county": geo.county_codes[firms.county[sel]],
                    "industry": ind["code"].to_numpy()[firms.ind[sel]],
                    "industry4": ind4["code4"].to_numpy()[firms.ind4[sel]],
                    "employment": emp_now[sel],
                    "output": np.round(output[sel], 1),
                    "sales": np.round(sales[sel], 1),
                    "founding_year": firms.founded[sel].astype(np.int16),
                    "reg_type": reg,
                    "moved": moved[sel],
                }
            )
        )
        agg = pd.DataFrame(
            {"county": firms.county, "ind": firms.ind, "employment": emp_now, "in_sample": in_sample}
        )
        agg = agg.groupby(["county", "ind"], sort=True).agg(
            firms=("employment", "size"), employment=("employment", "sum"), sample_firms=("in_sample", "sum")
        )
        agg = agg.reset_index()
        pop_parts.append(
            pd.DataFrame(
                {
                    "year": np.int16(year),
                    "county": geo.county_codes[agg["county"].to_numpy()],
                    "industry": ind["code"].to_numpy()[agg["ind"].to_numpy()],
                    "firms": agg["firms"].to_numpy(),
                    "employment": agg["employment"].to_numpy(),
                    "sample_firms": agg["sample_firms"].to_numpy(),
                }
            )
        )
        for p in range(P):
            row = {
                "year": year,
                "prefecture": geo.pref_codes[p],
                "integration": state.lam,
                "trade_cost_per_100km": state.tau,
                "border_trade_cost": state.border_cost,
                "market_access_std": state.market_access[p],
                "log_wage": state.log_wage[p],
                "log_land_cost": state.log_land[p],
            }
            for g, name in enumerate(CLASSES):
                row[f"attractiveness_{name}"] = V[p, g]
            state_rows.append(row)
        changed = np.argwhere(np.triu(~np.isclose(d_eff, geo.dist), 1))
        for i, j in changed:
            dist_rows.append({"year": year, "origin": geo.pref_codes[i], "dest": geo.pref_codes[j], "distance_km": d_eff[i, j]})
        log.info("year %d: %d firms, %d in sample, lambda %.2f", year, len(firms.id), len(sel), state.lam)

    panel = pd.concat(panel_parts, ignore_index=True).sort_values(["year", "true_firm_id"], kind="stable")
    moves_cols = ["true_firm_id", "year", "origin_county", "dest_county", "industry", "kind"]
    moves = (
        pd.concat(move_parts, ignore_index=True)
        if move_parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in moves_cols})
    )
    moves = _observability(moves.sort_values(["year", "true_firm_id"], kind="stable").reset_index(drop=True), panel)
    truth_params = _params_dict(params)
    return SimulationResult(
        panel=panel.reset_index(drop=True),
        moves=moves,
        population=pd.concat(pop_parts, ignore_index=True),
        prefecture_years=pd.DataFrame(state_rows),
        distances=pd.DataFrame(dist_rows, columns=["year", "origin", "dest", "distance_km"]),
        params=truth_params,
    )


def _draw4(ind4_by_div: list[np.ndarray], k: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vectorised: a uniformly drawn 4-digit class inside each firm's division."""
    sizes = np.array([len(a) for a in ind4_by_div])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(ind4_by_div)
    pick = (rng.random(len(k)) * sizes[k]).astype(np.int64)
    return flat[offsets[k] + pick]


def _reg_type(state: np.ndarray, foreign: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Registration type code (登记注册类型): 110 state-owned, 159/160/173 private and other
    domestic (fixed per firm), 310 Hong Kong/Macau/Taiwan-invested, 230 foreign-invested."""
    domestic = np.array(["159", "160", "173"])[ids % 3]
    out = np.where(state, "110", np.where(foreign == 1, "310", np.where(foreign == 2, "230", domestic)))
    return out.astype(object)


def _observability(moves: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """Flag whether each true move can be seen in the ASIF sample: the firm is in the sample in
    the year before the move and in the year of the move."""
    if moves.empty:
        return moves.assign(observable=pd.Series(dtype=bool))
    key = pd.MultiIndex.from_arrays([panel["true_firm_id"].to_numpy(), panel["year"].to_numpy().astype(np.int64)])
    f = moves["true_firm_id"].to_numpy()
    y = moves["year"].to_numpy().astype(np.int64)
    before = pd.MultiIndex.from_arrays([f, y - 1]).isin(key)
    after = pd.MultiIndex.from_arrays([f, y]).isin(key)
    return moves.assign(observable=before & after)


def _params_dict(p: WorldParams) -> dict[str, Any]:
    d = {k: v for k, v in vars(p).items()}
    d["classes_order"] = list(CLASSES)
    d["moving_cost"] = "beta_log_distance * ln(distance_km) + beta_border * crosses_provincial_border"
    return json.loads(json.dumps(d))
