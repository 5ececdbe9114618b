"""Relocation flows: origin-destination panels, PPML gravity, Shanghai tables, distance scenarios.

Modules
-------
od          od_panel, od_panels: moves by year x origin x destination x class (zeros kept)
pairs       pair_table: distances (centroid great circle or a user table), border, covariates
measures    study_frame, distance_comparison: distance measure great_circle or road_time (real
            road hours of each year); both measures' estimates side by side
frame       gravity_frame: the estimation cells (pair variables, periods, fixed-effect codes)
gravity     estimate_gravity, fit_ppml: PPML with pyfixest fepois; fixed effects
            and fitted flows by exact balancing (balance_fixed_effects); separation counts;
            failures recorded, never raised (converged False + note; model_unavailable)
fitted      fitted_cells, write_fitted_cells, adding_up, adding_up_codes, check_adding_up: the fitted
            table (written a row group at a time) and the adding-up check (on key columns or codes;
            check_adding_up is rule gravity's, raising on a gap)
shanghai    focus_flows: out-, in- and net flows of Shanghai by class and partner region group
scenarios   scenario_shares: counterfactual distances (road_time_as_of, scale_pairs, move_point)
            predicted by the pooled model with the fixed effects held ("not estimable" rows without it)
scenario_bands  add_scenario_bands: bands on every scenario shift from draws of the log-distance
            coefficient ~ N(estimate, CRV1 s.e.^2), fixed effects held
validation  gravity_validation: estimates against a synthetic world's true parameters
design      simulate_logit_flows: flows drawn from the synthetic world's logit (design check)
sources     source_events, source_od, sources_gravity, sources_validation: flows of three sources
            (ASIF moves, registered relocations, investments), PPML on each (issue 16)
source_comparison  comparison_table: each source's events by size, distance, class, period and
            Shanghai partner against the truth (coverage)

Rules: workflow/rules/flows.smk, workflow/rules/flows_sources.smk. Config: ``flows:`` (config/schemas/config.schema.yaml).
"""

from yrd.flows.design import simulate_logit_flows
from yrd.flows.fitted import adding_up, adding_up_codes, check_adding_up, fitted_cells, write_fitted_cells
from yrd.flows.fixed_effects import balance_fixed_effects, zero_fe_cells
from yrd.flows.gravity import (
    REGRESSORS,
    GravityResult,
    estimate_gravity,
    failure_reason,
    fit_ppml,
    gravity_frame,
    model_unavailable,
    period_of,
    skipped_model,
)
from yrd.flows.measures import (
    DISTANCE_MEASURES,
    DISTANCE_UNITS,
    distance_comparison,
    road_time_table,
    study_frame,
    study_pairs,
)
from yrd.flows.od import GROUPS, TOTAL, od_panel, od_panels, truth_moves_as_detected
from yrd.flows.pairs import pair_table, prefecture_points, read_distance_table
from yrd.flows.scenarios import not_estimable_rows, scenario_distance, scenario_shares
from yrd.flows.shanghai import focus_flows
from yrd.flows.validation import gravity_validation

__all__ = [
    "DISTANCE_MEASURES",
    "DISTANCE_UNITS",
    "GROUPS",
    "REGRESSORS",
    "TOTAL",
    "GravityResult",
    "adding_up",
    "adding_up_codes",
    "check_adding_up",
    "balance_fixed_effects",
    "distance_comparison",
    "estimate_gravity",
    "failure_reason",
    "fit_ppml",
    "fitted_cells",
    "focus_flows",
    "gravity_frame",
    "gravity_validation",
    "model_unavailable",
    "not_estimable_rows",
    "od_panel",
    "od_panels",
    "pair_table",
    "period_of",
    "prefecture_points",
    "read_distance_table",
    "road_time_table",
    "scenario_distance",
    "scenario_shares",
    "simulate_logit_flows",
    "skipped_model",
    "study_frame",
    "study_pairs",
    "truth_moves_as_detected",
    "write_fitted_cells",
    "zero_fe_cells",
]
