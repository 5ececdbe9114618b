"""The structural parameters of the synthetic world's model (:mod:`yrd.synthetic.model`).

Every value comes from the configuration: ``synthetic.model`` and ``synthetic.seed`` of
``config/config.yaml`` (each key described in ``config/schemas/config.schema.yaml``) and the
study ``period``. No parameter has a default here, so the configuration is the one place where
the defaults live.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

CLASSES = ("labour", "capital", "technology", "port", "urban")
#: Sensitivities of each relocation class (``synthetic.model.classes.<class>``).
CLASS_SENSITIVITIES = ("market_access", "wage", "land", "port", "urban", "agglomeration")
#: Keys of ``synthetic.model`` that are blocks rather than single parameters.
_NESTED = ("integration", "classes", "productivity", "foreign")
#: Keys of ``synthetic.model.foreign``: ownership and location weights of foreign-invested entrants.
FOREIGN_KEYS = ("entry_share", "hmt_fraction", "port", "market_access", "urban", "size_premium")


@dataclass
class WorldParams:
    """Every structural parameter of the model, with its unit (mirrors ``synthetic:`` in the config;
    build it with :meth:`from_config`)."""

    seed: int
    start: int  # first recorded year
    end: int  # last recorded year
    burn_in: int  # years simulated before `start` and not recorded
    firms_initial: int  # firm population (all sizes) at the start of the burn-in
    population_growth: float  # growth rate of the firm population per year
    # integration path lambda(t) in [0, 1]: linear from start to end over the recorded years
    integration_start: float
    integration_end: float
    trade_cost_max: float  # tau at lambda = 0, per 100 km
    trade_cost_min: float  # tau at lambda = 1, per 100 km
    border_cost_max: float  # b at lambda = 0 (trade cost of a provincial border)
    border_cost_min: float  # b at lambda = 1
    omega_trend: float  # nominal wage growth per year (log points)
    omega_density: float  # wage elasticity to manufacturing employment per inhabitant
    omega_ma: float  # wage gradient with market access (standardised)
    rho_density: float  # land-cost elasticity to manufacturing employment per km2
    rho_pop: float  # land-cost elasticity to population density
    amenity_sd: float  # sd of the fixed prefecture x class amenity xi_pg
    county_amenity_sd: float  # sd of the fixed county amenity in w_c
    reconsider_rate: float  # share of incumbents reconsidering their location each year
    stay_premium: float  # s_stay: utility of staying relative to a 1-km move (logit units)
    beta_log_distance: float  # moving cost per unit log distance (km)
    beta_border: float  # moving cost of crossing a provincial border
    within_move_rate: float  # share of firms moving between counties of their prefecture
    exit_base: float  # exit probability of a firm of median size at average attractiveness
    exit_size: float  # logit slope of exit on log employment (relative to median)
    exit_attractiveness: float  # logit slope of exit on location attractiveness
    size_persistence: float  # AR(1) coefficient of log employment
    size_mean: float  # long-run mean (geometric) of firm employment, workers
    size_sd: float  # sd of yearly log-employment shocks
    entrant_min_size: float  # Pareto scale of entrant employment (workers)
    entrant_pareto_alpha: float  # Pareto tail index of entrant employment
    productivity_growth: float  # nominal growth of output per worker per year
    productivity_sd: float  # sd of firm log productivity
    state_share_initial: float  # share of state-owned firms at the start
    state_share_entry: float  # share of entrants that are state-owned
    privatisation_rate: float  # yearly rate at which state-owned firms are restructured
    threshold_early: float  # ASIF sales threshold, thousand yuan, before threshold_switch_year
    threshold_late: float  # from threshold_switch_year on
    threshold_switch_year: int
    classes: dict[str, dict[str, float]]  # class -> sensitivity (CLASS_SENSITIVITIES) -> value
    productivity: dict[str, float]  # output per worker at the start, thousand yuan per year, by class
    foreign: dict[str, float]  # FOREIGN_KEYS: entry share, HK/Macau/Taiwan fraction, location weights, log size premium
    road_times_year: int | None  # None: each year's real road network; a year: that year's network throughout

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any], start: int, end: int) -> WorldParams:
        """Build from the ``synthetic.model`` config block plus ``seed`` (``synthetic.seed``) and the
        study period ``start`` .. ``end``.

        Every key is required (as in ``config/config.yaml``); raises ``ValueError`` naming
        missing or unknown keys, classes or sensitivities."""
        flat = [
            f.name
            for f in fields(cls)
            if f.name not in ("start", "end", "integration_start", "integration_end", *_NESTED)
        ]
        expected = [*flat, *_NESTED]
        missing = [k for k in expected if k not in cfg]
        unknown = sorted(set(cfg) - set(expected))
        if missing or unknown:
            raise ValueError(
                f"synthetic.model: missing keys {missing}, unknown keys {unknown} "
                "(every key of synthetic.model and the seed are required; see config/config.yaml)"
            )
        integ = cfg["integration"]
        miss_int = [k for k in ("start", "end") if k not in integ]
        miss_cls = [f"{g}.{a}" for g in CLASSES for a in CLASS_SENSITIVITIES if a not in cfg["classes"].get(g, {})]
        miss_prod = [g for g in CLASSES if g not in cfg["productivity"]]
        miss_f = [k for k in FOREIGN_KEYS if k not in cfg["foreign"]]
        if miss_int or miss_cls or miss_prod or miss_f:
            raise ValueError(
                f"synthetic.model: missing integration {miss_int}, classes {miss_cls}, productivity {miss_prod}, "
                f"foreign {miss_f}"
            )
        return cls(
            start=start,
            end=end,
            integration_start=integ["start"],
            integration_end=integ["end"],
            classes={g: dict(v) for g, v in cfg["classes"].items()},
            productivity=dict(cfg["productivity"]),
            foreign={k: float(cfg["foreign"][k]) for k in FOREIGN_KEYS},
            **{k: cfg[k] for k in flat},
        )

    def integration(self, year: int) -> float:
        """lambda(t): linear from integration_start (at `start`) to integration_end (at `end`),
        held constant outside the recorded years."""
        span = max(self.end - self.start, 1)
        frac = min(max((year - self.start) / span, 0.0), 1.0)
        return self.integration_start + (self.integration_end - self.integration_start) * frac

    def trade_cost(self, year: int) -> tuple[float, float]:
        """(tau(t), b(t)): trade cost per 100 km and border trade cost in ``year``."""
        lam = self.integration(year)
        tau = self.trade_cost_max + (self.trade_cost_min - self.trade_cost_max) * lam
        b = self.border_cost_max + (self.border_cost_min - self.border_cost_max) * lam
        return tau, b

    def threshold(self, year: int) -> float:
        """ASIF sales threshold (thousand yuan) in ``year``."""
        return self.threshold_late if year >= self.threshold_switch_year else self.threshold_early
