# Shared helpers: configuration validation and config access for params.
from pathlib import Path

from yrd.config import (
    ConfigError,
    check_study_name,
    normalise_keys,
    results_dir,
    validate_config,
)
from yrd.errors import user_error
from yrd.metrics.registry import plugin_files
from yrd.sample import SAMPLES, main_sample
from yrd.synthetic.investment import INVESTMENT_FILES
from yrd.synthetic.raw import file_name, resolve_raw_config
from yrd.synthetic.registration import CHANGE_FILES

# Fail before any job starts, naming the key and what was expected: one message on the
# terminal, no traceback (user_error exits).
normalise_keys(config)
try:
    validate_config(
        config, workflow.source_path("../../config/schemas/config.schema.yaml")
    )
    check_study_name(config, workflow.overwrite_configfiles, "config/config.yaml")
except ConfigError as err:
    user_error(err)

# Every output of this study (tables, figures, logs, benchmarks, report) goes under its own
# folder, results/<run.name>/, so studies never overwrite each other.
RESULTS = results_dir(config)


def config_provider(*keys):
    """Value of a nested config key, for `params:` so that changing it reruns exactly the jobs using it."""
    value = config
    for key in keys:
        value = value[key]
    return value


#: Whether this run reads the ASIF survey (run.asif). False: a records-only run (registration
#: extracts only); the survey's tables, metrics and flows are not requested and the claims that need
#: them say "no data".
ASIF = bool(config["run"].get("asif", True))


def if_asif(*paths):
    """``paths`` when the run reads the ASIF survey (one path as itself, several as a list), else no
    input (a records-only run)."""
    if not ASIF:
        return []
    return paths[0] if len(paths) == 1 else list(paths)


#: The analysis sample of the headline verdicts and figures (yrd.sample): "consistent" (firm-years
#: meeting the strictest survey threshold of the period) or "full"; metrics and claims are
#: computed on both (wildcard {sample}).
MAIN_SAMPLE = main_sample(config["sample"]["consistent_threshold"])


wildcard_constraints:
    sample="|".join(SAMPLES),


def sample_firm_years(sample):
    """Firm-years of an analysis sample: the linked panel (full) or its consistent part."""
    if sample == "full":
        return f"{RESULTS}clean/firm_years.parquet"
    return f"{RESULTS}sample/{sample}/firm_years.parquet"


def sample_moves(sample):
    """Relocations of an analysis sample (moves of firms in the sample at both ends)."""
    if sample == "full":
        return f"{RESULTS}relocations/moves.parquet"
    return f"{RESULTS}sample/{sample}/moves.parquet"


def firm_years_of(wildcards):
    """The sample's firm-years, or no input in a records-only run."""
    return if_asif(sample_firm_years(wildcards.sample))


def moves_of(wildcards):
    """The sample's relocations, or no input in a records-only run."""
    return if_asif(sample_moves(wildcards.sample))


def sample_metric(metric):
    """Input function: metrics/{sample}/<metric>.parquet, or no input in a records-only run."""

    def paths(wildcards):
        return if_asif(f"{RESULTS}metrics/{wildcards.sample}/{metric}.parquet")

    return paths


def synthetic_world_dir():
    """Folder of the synthetic world's raw files (generated, never committed)."""
    return Path("resources", "raw", config["synthetic"]["world"])


def study_years():
    return list(range(config["period"]["start"], config["period"]["end"] + 1))


def synthetic_raw_files():
    """One raw file per study year, named by the raw writer (yrd.synthetic.raw.file_name)."""
    resolved = resolve_raw_config(config["synthetic"]["raw"], study_years())
    return [
        str(synthetic_world_dir() / file_name(y, resolved["years"][y]["format"]))
        for y in study_years()
    ]


def synthetic_outputs():
    """The synthetic world's truth when the run is synthetic (the raw files come with it)."""
    if not config["run"]["synthetic"]:
        return []
    return [synthetic_truth("records.parquet")]


def synthetic_truth(name):
    return str(synthetic_world_dir() / "truth" / name)


def registration_change_files():
    """The synthetic world's change-record extracts (yrd.synthetic.registration.CHANGE_FILES)."""
    return [str(synthetic_world_dir() / "registration" / f[0]) for f in CHANGE_FILES]


def registration_truth(name):
    """A truth file of the synthetic registration extracts, change and investment records
    (resources/raw/<world>/registration/truth/)."""
    return str(synthetic_world_dir() / "registration" / "truth" / name)


def investment_files():
    """The synthetic investment-record extracts (yrd.synthetic.investment.INVESTMENT_FILES) of
    rule simulate_investments, under resources/raw/<world>/registration/."""
    return [
        str(synthetic_world_dir() / "registration" / f[0]) for f in INVESTMENT_FILES
    ]


def raw_input_map():
    """{year: raw file path} read by the ingest step; the synthetic world's files when the run is
    synthetic, else `ingest.files` from the config (paths checked by validate_config).
    """
    if not ASIF:
        return {}
    if config["run"]["synthetic"]:
        return {str(y): f for y, f in zip(study_years(), synthetic_raw_files())}
    return {str(y): p for y, p in sorted(config["ingest"]["files"].items())}


def raw_input_files():
    files = []
    for p in raw_input_map().values():
        files.extend([p] if isinstance(p, str) else p)
    return files


def raw_money_units():
    """{year: 'qian' | 'wan'}: declared in the config (for a synthetic world: its raw layer)."""
    if config["run"]["synthetic"]:
        resolved = resolve_raw_config(config["synthetic"]["raw"], study_years())
        return {str(y): v["money_unit"] for y, v in resolved["years"].items()}
    return dict(config["ingest"]["money_unit"])


def truth_validation(name):
    """A score against the synthetic truth (results/<run>/validation/<name>) when the run is
    synthetic, else no input."""
    return f"{RESULTS}validation/{name}" if config["run"]["synthetic"] else []


def asif_truth_validation(name):
    """A score of the survey path against the synthetic truth, when the run reads the survey."""
    return truth_validation(name) if ASIF else []


def validation_outputs():
    """Scores against the truth and the world's calibration against real aggregates (table and
    figure), only when the input is a synthetic world."""
    if not config["run"]["synthetic"] or not ASIF:
        return []
    return [
        f"{RESULTS}validation/linking.json",
        f"{RESULTS}validation/calibration.csv",
        f"{RESULTS}figures/calibration.png",
    ]


def plant_point_outputs():
    """The plant-point table (rule plant_points) when the run reads the survey and
    ingest.points.enabled is true; for a synthetic world only when its raw files carry geocodes
    (synthetic.plant_points.in_raw), then with its validation against the truth."""
    if not ASIF or not config["ingest"]["points"]["enabled"]:
        return []
    if not config["run"]["synthetic"]:
        return [f"{RESULTS}clean/plant_points.parquet"]
    if not config["synthetic"]["plant_points"]["in_raw"]:
        return []
    return [
        f"{RESULTS}clean/plant_points.parquet",
        f"{RESULTS}validation/plant_points.json",
    ]


def segmentation_prices():
    """The price panel of metrics.segmentation.prices as the input of market_segmentation
    (no input when it is null; the rule is then not requested)."""
    path = config["metrics"]["segmentation"]["prices"]
    return path if path else []


def segmentation_outputs():
    """Market segmentation tables, as targets of the default run only when a price panel is configured."""
    if not config["metrics"]["segmentation"]["prices"]:
        return []
    return [
        f"{RESULTS}metrics/segmentation_pairs.parquet",
        f"{RESULTS}metrics/segmentation_regions.parquet",
        f"{RESULTS}metrics/segmentation_overall.parquet",
    ]


def kdensity_params(version):
    """metrics.kdensity for params of the county ("sites") or the point ("points") K-densities,
    without the keys only the other version reads (points; years and points), so that changing
    one version's keys reruns only its own jobs."""
    drop = {"sites": {"points"}, "points": {"points", "years"}}[version]
    return {k: v for k, v in config["metrics"]["kdensity"].items() if k not in drop}


def kdensity_points_years():
    """Years of the point K-densities: metrics.kdensity.points.years, or every study year."""
    return config["metrics"]["kdensity"]["points"]["years"] or study_years()


def kdensity_points_year_files(kind):
    """The per-year point K-density tables (kind "density" or "summary") gathered by rule kdensity_points."""
    suffix = "" if kind == "density" else "_summary"
    return [
        f"{RESULTS}metrics/kdensity_points/{y}{suffix}.parquet"
        for y in kdensity_points_years()
    ]


def kdensity_points_outputs():
    """Point K-density tables, as targets of the default run only when metrics.kdensity.points.enabled
    (off in config/config.yaml: about 0.3 core-hours per year of the default world with 1,000
    counterfactuals; on in config/tiny.yaml). Their input, clean/plant_points.parquet, comes from
    rule plant_points."""
    if not config["metrics"]["kdensity"]["points"]["enabled"]:
        return []
    return [
        f"{RESULTS}metrics/kdensity_points.parquet",
        f"{RESULTS}metrics/kdensity_points_summary.parquet",
        f"{RESULTS}metrics/kdensity_sites_comparison.csv",
    ]


def reference_files():
    """Shipped reference tables the results depend on (checksummed in the provenance)."""
    return sorted(
        str(p)
        for p in Path("resources").rglob("*")
        if p.is_file() and "raw" not in p.parts and "generated" not in p.parts
    ) + [config["ingest"]["dialects"], HEADER_DIALECTS_SCHEMA]


# Every repository file a job opens is an input of its rule, passed to yrd as a path (the
# library knows no repository paths), so that editing it reruns exactly the rules reading it.
#: JSON Schema of the header-dialect table (read with the table by ingest and simulate).
HEADER_DIALECTS_SCHEMA = "config/schemas/header_dialects.schema.yaml"


def metric_plugin_files():
    """Source files of the metrics.plugins modules in the working directory (module x: x.py when
    it exists; installed modules have none), inputs of the metric rules and of the provenance.
    """
    return plugin_files(config["metrics"]["plugins"], ".")


def flows_distance_table():
    """The user distance table of flows.distances as input of the gravity step (none when null)."""
    path = config["flows"]["distances"]
    return path if path else []


def road_times_table():
    """The road travel times of the study period, written by rule integration_index."""
    return f"{RESULTS}integration/road_times.parquet"


def gravity_road_times():
    """The road travel times as input of the gravity step when flows.distance is road_time (else none)."""
    return road_times_table() if config["flows"]["distance"] == "road_time" else []


def scenario_road_times():
    """The road travel times as input of the scenarios step when a scenario of flows.scenarios
    is of type road_time_as_of (else none)."""
    kinds = {sc["type"] for sc in config["flows"]["scenarios"]}
    return road_times_table() if "road_time_as_of" in kinds else []


def scenario_names_regex():
    """The scenario wildcard: one of the names of flows.scenarios (schema: [A-Za-z0-9_-]+)."""
    names = [sc["name"] for sc in config["flows"]["scenarios"]]
    return "|".join(names) if names else "(?!)"


def scenarios_gather_inputs(wildcards):
    """The inputs of rule scenarios, which gathers each scenario's table (rule scenario), or, with
    no scenario in flows.scenarios, reads what the empty table's layout is computed from.
    """
    names = [sc["name"] for sc in config["flows"]["scenarios"]]
    if names:
        return {"parts": [f"{RESULTS}flows/scenarios/{n}.parquet" for n in names]}
    return {
        "fitted": f"{RESULTS}flows/gravity_fitted.parquet",
        "table": f"{RESULTS}flows/gravity.csv",
        "boundaries": f"{RESULTS}geography/boundaries_prefecture.parquet",
        "prefectures": "resources/regions/prefectures.csv",
    }


def flows_outputs():
    """Relocation flow tables, the gravity under both distance measures; the gravity validation
    only when the input is a synthetic world; none in a records-only run."""
    if not ASIF:
        return []
    out = [
        f"{RESULTS}flows/od.parquet",
        f"{RESULTS}flows/gravity.csv",
        f"{RESULTS}flows/gravity_distance_comparison.csv",
        f"{RESULTS}flows/shanghai.parquet",
        f"{RESULTS}flows/scenarios.parquet",
    ]
    if config["run"]["synthetic"]:
        out.append(f"{RESULTS}validation/gravity.json")
    return out


#: Sources of the flows compared by workflow/rules/flows_sources.smk (yrd.flows.sources.SOURCES).
FLOW_SOURCES = ("asif", "changes", "investments")


def source_event_path(source):
    """The events of a flow source: ASIF moves (full sample), relocation or expansion events."""
    return {
        "asif": f"{RESULTS}relocations/moves.parquet",
        "changes": f"{RESULTS}registration/relocation_events.parquet",
        "investments": f"{RESULTS}registration/expansion_events.parquet",
    }[source]


def source_events_table(wildcards):
    return source_event_path(wildcards.source)


def source_truth_inputs(wildcards):
    """The true events of each source (synthetic runs only, else no input)."""
    if not config["run"]["synthetic"]:
        return {}
    out = {
        "truth_moves": synthetic_truth("moves.parquet"),
        "truth_panel": synthetic_truth("panel.parquet"),
    }
    if "investments" in flow_sources():
        out["truth_investments"] = registration_truth("investment_events.parquet")
    return out


def source_event_inputs(wildcards):
    """The events of every source of this run (flow_sources()), by source name; the survey's
    firm-years (employment of the movers) when the run reads it."""
    out = {s: source_event_path(s) for s in flow_sources()}
    if ASIF:
        out["firm_years"] = f"{RESULTS}clean/firm_years.parquet"
    return out


def source_params_inputs(wildcards):
    """The true gravity parameters of each source (synthetic runs only, else no input)."""
    if not config["run"]["synthetic"]:
        return {}
    out = {"params": synthetic_truth("params.json")}
    if "investments" in flow_sources():
        out["investment_params"] = registration_truth("investment_params.json")
    return out


def flows_sources_outputs():
    """The flow tables of the three sources, their gravity, the comparison and its figure; the
    validation against the true parameters only when the input is a synthetic world."""
    out = [
        *(f"{RESULTS}flows/sources/{s}/od.parquet" for s in flow_sources()),
        f"{RESULTS}flows/sources/gravity.csv",
        f"{RESULTS}flows/sources/comparison.csv",
        f"{RESULTS}figures/flow_sources.png",
    ]
    if config["run"]["synthetic"]:
        out.append(f"{RESULTS}validation/gravity_sources.json")
    return out


def claim_json(n, sample=MAIN_SAMPLE):
    """The claim document of claim Cn on an analysis sample (yrd.claims.document; default: the
    main sample, MAIN_SAMPLE): written by rule claims_sample (with sample="{sample}", the
    wildcard), read by the claim figures. Every path to a claim document goes through here.
    """
    return f"{RESULTS}claims/{sample}/c{n}.json"


def claims_integration():
    """C1's integration measure: claims.c1.integration (a table with year, integration) when set;
    else the measured index from real road travel times (rule integration_index), for synthetic
    and user data alike (claims never read the synthetic world's truth)."""
    path = config["claims"]["c1"]["integration"]
    if path:
        return path
    return f"{RESULTS}integration/index.parquet"


def claims_segmentation():
    """Market segmentation by year for C4, only when a price panel is configured."""
    if not config["metrics"]["segmentation"]["prices"]:
        return []
    return f"{RESULTS}metrics/segmentation_overall.parquet"


def claims_indicators():
    """The six-dimension integration indicator table of C4 (claims.c4.indicators), or none."""
    path = config["claims"]["c4"]["indicators"]
    return path if path else []


#: Figures of each claim; a claim in claims.skip draws none.
CLAIM_FIGURES = {
    "C1": ["c1_concentration_integration.png"],
    "C2": ["c2_shanghai_net_outflows.png"],
    "C3": ["c3_relocations_sh_js_zj.png"],
    "C5": ["c5_similarity_heatmaps.png", "c5_similarity_trend.png"],
    "C6": ["c6_eu_disparities.png"],
    "C7": ["c7_tested.png", "c7_lq_sunan.png", "c7_kdensity.png"],
}


#: Claim figures drawn from the survey's tables rather than from the claim document: not drawn
#: in a records-only run (the claim's document and its tested figure say "no data").
ASIF_TABLE_FIGURES = ("c7_lq_sunan.png", "c7_kdensity.png")


def asif_outputs():
    """Targets of the survey path: clean panel, moves, analysis samples, metrics, K-densities and
    segmentation; none in a records-only run (run.asif false)."""
    if not ASIF:
        return []
    return [
        f"{RESULTS}clean/firm_years.parquet",
        f"{RESULTS}clean/reconciliation.csv",
        f"{RESULTS}relocations/moves.parquet",
        f"{RESULTS}sample/accounting.csv",
        *expand(
            f"{RESULTS}metrics/{{sample}}/{{metric}}.parquet",
            sample=SAMPLES,
            metric=["concentration", "specialisation", "similarity"],
        ),
        f"{RESULTS}metrics/kdensity.parquet",
        f"{RESULTS}metrics/kdensity_summary.parquet",
    ]


def report_outputs():
    """Claim figures (not for claims in claims.skip), the flow figures (with the interactive flow
    map, flow_map_shanghai.html, when the run reads the survey) and the claims table; the C4
    market segmentation figure only when price panels are configured."""
    skip = set(config["claims"]["skip"])
    out = [
        f"{RESULTS}figures/{name}"
        for claim, names in CLAIM_FIGURES.items()
        if claim not in skip
        for name in names
        if ASIF or name not in ASIF_TABLE_FIGURES
    ]
    out += if_asif(
        f"{RESULTS}figures/flow_map_shanghai.png",
        f"{RESULTS}figures/flow_map_shanghai.html",
        f"{RESULTS}figures/counterfactuals.png",
    )
    out += [
        f"{RESULTS}claims.csv",
        f"{RESULTS}claims.html",
    ]
    if "C4" not in skip and claims_segmentation():
        out.append(f"{RESULTS}figures/c4_market_segmentation.png")
    if "C4" not in skip:
        out.append(f"{RESULTS}figures/c4_integration_profile.png")
    return out


def registration_link_outputs():
    """Links and events; the links' precision and recall when the run is synthetic."""
    out = [
        f"{RESULTS}registration/links.parquet",
        f"{RESULTS}registration/relocation_events.parquet",
        f"{RESULTS}registration/expansion_events.parquet",
    ]
    if config["run"]["synthetic"]:
        out.append(f"{RESULTS}validation/registration_links.json")
    return out
