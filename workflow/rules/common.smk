# Shared helpers: configuration validation and config access for params.
from pathlib import Path

from yrd.config import normalise_keys, validate_config
from yrd.synthetic.raw import file_name, resolve_raw_config

# Fail before any job starts, naming the key and what was expected.
normalise_keys(config)
validate_config(config, workflow.source_path("../../config/schemas/config.schema.yaml"))


def config_provider(*keys):
    """Value of a nested config key, for `params:` so that changing it reruns exactly the jobs using it."""
    value = config
    for key in keys:
        value = value[key]
    return value


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


def raw_input_map():
    """{year: raw file path} read by the ingest step; the synthetic world's files when the run is
    synthetic, else `ingest.files` from the config (paths checked by validate_config).
    """
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


def validation_outputs():
    """Scores against the truth, only when the input is a synthetic world."""
    if not config["run"]["synthetic"]:
        return []
    return ["results/validation/linking.json"]


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
        "results/metrics/segmentation_pairs.parquet",
        "results/metrics/segmentation_regions.parquet",
        "results/metrics/segmentation_overall.parquet",
    ]


def reference_files():
    """Shipped reference tables the results depend on (checksummed in the provenance)."""
    return sorted(
        str(p)
        for p in Path("resources").rglob("*")
        if p.is_file() and "raw" not in p.parts and "generated" not in p.parts
    ) + [config["ingest"]["dialects"]]


def flows_distance_table():
    """The user distance table of flows.distances as input of the gravity step (none when null)."""
    path = config["flows"]["distances"]
    return path if path else []


def flows_outputs():
    """Relocation flow tables; the gravity validation only when the input is a synthetic world."""
    out = [
        "results/flows/od.parquet",
        "results/flows/gravity.csv",
        "results/flows/shanghai.parquet",
        "results/flows/scenarios.parquet",
    ]
    if config["run"]["synthetic"]:
        out.append("results/validation/gravity.json")
    return out


def claims_integration():
    """C1's integration measure: claims.c1.integration (a table with year, integration) when set;
    else the synthetic world's prefecture_years (lambda(t)) when the run is synthetic; else none
    (the year is used)."""
    path = config["claims"]["c1"]["integration"]
    if path:
        return path
    if config["run"]["synthetic"]:
        return synthetic_truth("prefecture_years.parquet")
    return []


def claims_segmentation():
    """Market segmentation by year for C4, only when a price panel is configured."""
    if not config["metrics"]["segmentation"]["prices"]:
        return []
    return "results/metrics/segmentation_overall.parquet"


def claims_indicators():
    """The six-dimension integration indicator table of C4 (claims.c4.indicators), or none."""
    path = config["claims"]["c4"]["indicators"]
    return path if path else []


def report_outputs():
    """Claim figures and the claims table; the C4 figures only when their data are configured."""
    out = [
        "results/figures/c1_concentration_integration.png",
        "results/figures/c2_shanghai_net_outflows.png",
        "results/figures/flow_map_shanghai.png",
        "results/figures/c3_relocations_sh_js_zj.png",
        "results/figures/c5_similarity_heatmaps.png",
        "results/figures/c5_similarity_trend.png",
        "results/figures/c6_eu_disparities.png",
        "results/figures/c7_lq_sunan.png",
        "results/figures/c7_kdensity.png",
        "results/figures/counterfactuals.png",
        "results/claims.csv",
        "results/claims.html",
    ]
    if claims_segmentation():
        out.append("results/figures/c4_market_segmentation.png")
    if claims_indicators():
        out.append("results/figures/c4_integration_profile.png")
    return out
