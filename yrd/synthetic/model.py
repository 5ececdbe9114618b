"""The synthetic world: a model of manufacturing firms locating in the Yangtze River Delta.

Firms are born, grow, shrink, die and relocate on real YRD geography. Nothing about the paper's
claims is written in: concentration, specialisation and Shanghai's outflows are whatever the
firms' decisions produce. The equations are documented in ``docs/synthetic_world.md``; the
symbols below follow it.

Geography (exogenous, real): prefectures p with census population N_p (2010), area A_p,
effective distances d_pq(t) = v T_pq(t) from the real road travel times T_pq(t) (hours) of year t
(Ma and Tang 2024, Journal of International Economics 103873), converted to km-equivalents by
one constant speed v = sum_{p != q} D_pq / sum_{p != q} T_pq(t0) (D great-circle km between
centroids, t0 the first recorded year; burn-in years use the network of t0), internal distance
d_pp = 2/3 sqrt(A_p/pi) (Head and Mayer 2009); provincial border dummy B_pq, a port-access index
port_p; counties c inside prefectures with weights w_c (area^0.5 times a fixed random amenity).

Integration path: lambda(t) rises from ``integration.start`` to ``integration.end`` (linearly
over the study period); the trade cost per 100 km tau(t) and the border trade cost b(t) fall
with it. New roads and bridges (e.g. the Hangzhou Bay Bridge, 2008) shorten d_pq(t) as they do
in the real travel times.

Industries (real mix): a new firm's GB/T 4754-2002 division is drawn with probability equal to
that division's share of China's manufacturing employment in the year of entry (ionet; Wang,
Jia and Wang 2021; :func:`yrd.industry.national_division_employment`); the initial firms and
the entrants of the burn-in years use the shares of the first recorded year.

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

Ownership: a non-state entrant is foreign-invested with probability ``foreign.entry_share``
(a share ``hmt_fraction`` of them Hong Kong/Macau/Taiwan-invested, reg_type 310, the rest
foreign, 230). Foreign entrants choose their prefecture by their own weights on top of V_pg:
U_p = ln N_p + V_pg + f_port port_p + f_ma ma_p + f_urban urb_p (``synthetic.model.foreign``),
and start larger by exp(size_premium). So where foreign-led clusters form, and how fast they
grow, is an outcome of these location choices, not assigned by province.

Modules: the parameters are :class:`~yrd.synthetic.params.WorldParams` (every value from the
configuration), the geography, distances and V_pg(t) are in :mod:`yrd.synthetic.places`; this
module runs the firms' yearly decisions (:func:`simulate`). The names used elsewhere are
re-exported here.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from yrd.synthetic.params import CLASSES, WorldParams
from yrd.synthetic.places import (
    PORT_ACCESS,
    Geography,
    YearState,
    attractiveness,
    build_geography,
    choose_county,
    effective_distance,
    road_year,
)

__all__ = [
    "CLASSES",
    "PORT_ACCESS",
    "Geography",
    "SimulationResult",
    "WorldParams",
    "YearState",
    "attractiveness",
    "build_geography",
    "effective_distance",
    "simulate",
]

log = logging.getLogger(__name__)


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


def _logit_choice(util: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Row-wise multinomial logit draws from a utility matrix (rows: decision makers)."""
    u = util - util.max(axis=1, keepdims=True)
    p = np.exp(u)
    cum = np.cumsum(p, axis=1)
    r = rng.random(len(util))[:, None] * cum[:, -1:]
    return (cum < r).sum(axis=1)


@dataclass
class SimulationResult:
    """What :func:`simulate` returns: the ASIF sample and the truth behind it."""

    panel: pd.DataFrame  # firm-years in the ASIF sample
    moves: pd.DataFrame  # every true relocation (all firms)
    population: pd.DataFrame  # year x county x industry aggregates of all firms
    prefecture_years: pd.DataFrame  # the model's state by prefecture and year
    distances: pd.DataFrame  # effective distances actually used, every recorded year and pair
    params: dict[str, Any]


def simulate(
    geo: Geography,
    industries: pd.DataFrame,
    params: WorldParams,
    industry4: pd.DataFrame | None = None,
    *,
    shares: pd.DataFrame,
) -> SimulationResult:
    """Run the world.

    industries: one row per 2-digit division with ``code`` and ``relocation_class`` (one of
    :data:`CLASSES`). industry4: 4-digit classes (``code4``, ``code`` of the division) firms are
    assigned to. shares: probability that a new firm of year t belongs to each division (rows:
    every simulated year, burn-in included; columns: the division codes; rows sum to 1), e.g.
    :func:`yrd.industry.division_shares_by_year` of the national employment shares.
    """
    rng = np.random.default_rng(params.seed)
    ind = industries.sort_values("code").reset_index(drop=True)
    bad = set(ind["relocation_class"]) - set(CLASSES)
    if bad:
        raise ValueError(f"unknown relocation classes {bad}; expected {CLASSES}")
    cls_of_ind = ind["relocation_class"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy(np.int8)
    ind_w = _share_rows(shares, ind["code"].tolist(), range(params.start - params.burn_in, params.end + 1))
    prod0 = np.array([params.productivity[c] for c in CLASSES])
    if industry4 is None:
        industry4 = pd.DataFrame({"code4": ind["code"] + "00", "code": ind["code"]})
    ind4 = industry4.sort_values("code4").reset_index(drop=True)
    ind4_by_div = [np.flatnonzero(ind4["code"].to_numpy() == c) for c in ind["code"]]
    if any(len(a) == 0 for a in ind4_by_div):
        raise ValueError("a division has no 4-digit class")

    P, G = len(geo.pref_codes), len(CLASSES)
    xi = rng.normal(0.0, params.amenity_sd, (P, G))
    firms = _Firms()
    next_id = 1

    f = params.foreign
    lpd = np.log(geo.population / geo.area)
    f_fixed = f["port"] * geo.port + f["urban"] * (lpd - lpd.mean()) / lpd.std()

    def new_firms(
        n: int, year: int, V: np.ndarray | None, ma: np.ndarray | None, initial: bool
    ) -> dict[str, np.ndarray]:
        nonlocal next_id
        k = rng.choice(len(ind), size=n, p=ind_w[year])
        g = cls_of_ind[k]
        founded = year - rng.integers(0, 40, n) if initial else np.full(n, year)
        state = rng.random(n) < (params.state_share_initial if initial else params.state_share_entry)
        # ownership first: foreign-invested entrants (2xx HK/Macau/Taiwan, 3xx foreign) are a share
        # of the non-state entrants, and choose their location with their own weights below
        fr = rng.random(n)
        is_f = (fr < f["entry_share"]) & ~state
        foreign = np.where(is_f, np.where(fr < f["entry_share"] * f["hmt_fraction"], 1, 2), 0)
        # location: logit over prefectures of V_pg + ln N_p (entrepreneurs where people are); a
        # foreign entrant adds f_port port_p + f_ma ma_p + f_urban urb_p (ma_p unknown before the
        # first year: the initial firms use port and urban only)
        base = np.log(geo.population)[None, :]
        util = base + (V[:, g].T if V is not None else np.zeros((n, P)))
        extra = f_fixed + (f["market_access"] * ma if ma is not None else 0.0)
        util = util + np.where(is_f[:, None], extra[None, :], 0.0)
        p_idx = _logit_choice(util, rng)
        cty = choose_county(geo, p_idx, rng)
        size = params.entrant_min_size * (1.0 - rng.random(n)) ** (-1.0 / params.entrant_pareto_alpha)
        size = size * np.exp(f["size_premium"] * is_f)
        ids = np.arange(next_id, next_id + n, dtype=np.int64)
        next_id += n
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
    firms.extend(new_firms(params.firms_initial, first, None, None, True))
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
            firms.county[mv] = choose_county(geo, choice[leave], rng)
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
            new_cty = choose_county(geo, geo.county_pref[old_cty], rng)
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
        firms.logL = (
            params.size_persistence * firms.logL
            + (1 - params.size_persistence) * np.log(params.size_mean)
            + rng.normal(0.0, params.size_sd, n)
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
            firms.extend(new_firms(n_new, year, V, state.market_access, False))
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
        agg = pd.DataFrame({"county": firms.county, "ind": firms.ind, "employment": emp_now, "in_sample": in_sample})
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
        dist_rows.append(_distance_rows(geo, params, year, d_eff))
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
        distances=pd.concat(dist_rows, ignore_index=True),
        params={**truth_params, "road_speed_kmh": geo.road_speed},
    )


def _share_rows(shares: pd.DataFrame, codes: list[str], years: range) -> dict[int, np.ndarray]:
    """{year: probabilities of the divisions ``codes``} from the table ``shares`` (rows: years)."""
    missing_codes = sorted(set(codes) - set(map(str, shares.columns)))
    missing_years = sorted(set(years) - {int(y) for y in shares.index})
    if missing_codes or missing_years:
        raise ValueError(f"industry shares: no column for divisions {missing_codes}, no row for years {missing_years}")
    s = shares.rename(columns=str).loc[list(years), codes].to_numpy(dtype=float)
    if (s < 0).any() or not np.allclose(s.sum(axis=1), 1.0):
        raise ValueError("industry shares must be non-negative and sum to 1 in every year")
    return {y: row / row.sum() for y, row in zip(years, s, strict=True)}


def _distance_rows(geo: Geography, params: WorldParams, year: int, d_eff: np.ndarray) -> pd.DataFrame:
    """The effective distances of ``year`` for every ordered pair (the diagonal: internal
    distance), with the road hours and network year behind them and the great-circle distance."""
    P = len(geo.pref_codes)
    o, d = np.divmod(np.arange(P * P), P)
    ry = road_year(params, year)
    hours = geo.road_hours[int(np.searchsorted(geo.road_years, ry))]
    return pd.DataFrame(
        {
            "year": np.int16(year),
            "origin": geo.pref_codes[o],
            "dest": geo.pref_codes[d],
            "distance_km": d_eff[o, d],
            "road_hours": hours[o, d],
            "road_year": np.int16(ry),
            "great_circle_km": np.where(o == d, np.nan, geo.dist[o, d]),
        }
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
    d = dict(vars(p))
    d["classes_order"] = list(CLASSES)
    d["moving_cost"] = "beta_log_distance * ln(distance_km) + beta_border * crosses_provincial_border"
    d["distance"] = (
        "distance_km = road_speed_kmh * road travel time in hours of the year (Ma and Tang 2024) between "
        "prefectures, internal distance 2/3 sqrt(area/pi) within one (truth/distances.parquet)"
    )
    return json.loads(json.dumps(d))
