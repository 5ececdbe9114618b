# Yangtze River Delta integration, industry concentration and firm relocation.
# Entry point: `make run` (or `snakemake --cores all`); see README.md.
import os

from snakemake.utils import min_version

# Jobs inherit this: iteration over sets and dicts of strings (also inside libraries, e.g. the
# order in which pyfixest projects out fixed effects) is then the same in every run, so PPML
# estimates are bit-for-bit reproducible.
os.environ["PYTHONHASHSEED"] = "0"


envvars:
    "PYTHONHASHSEED",


min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"


wildcard_constraints:
    level="prefecture|county",


# The report's opening text is workflow/report/workflow.rst with the run's failed checks put in
# by rule run_status (read when the report is made, after the run).
report: f"{RESULTS}report_intro.rst"


include: "workflow/rules/geography.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/synthetic_investments.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/registration_files.smk"
include: "workflow/rules/registration.smk"
include: "workflow/rules/registration_link.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/integration.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/flows.smk"
include: "workflow/rules/flows_sources.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/provenance.smk"
include: "workflow/rules/status.smk"


# Light rules (at most 5 s and 0.2 GB each at ASIF scale, `make bench` on the national world;
# data_sources and fig_integration_index, which keep no benchmark, read one small table each):
# under a cluster executor they run on the submitting node instead of waiting in the queue as
# jobs of their own.
localrules:
    all,
    code_history,
    county_harmonisation,
    integration_index,
    fig_integration_index,
    scenarios,
    validate_gravity,
    validate_source_gravity,
    provenance,
    data_sources,
    run_status,
    fig_c1_concentration,
    fig_c2_shanghai,
    fig_c3_relocations,
    fig_c5_heatmaps,
    fig_c5_trend,
    fig_c6_eu,
    fig_c7_tested,
    fig_c7_kdensity,
    fig_counterfactuals,
    fig_flow_sources,
    fig_calibration,


rule all:
    default_target: True
    input:
        f"{RESULTS}geography/code_history.csv",
        f"{RESULTS}geography/county_harmonisation.csv",
        f"{RESULTS}geography/boundaries_prefecture.parquet",
        f"{RESULTS}geography/boundaries_county.parquet",
        f"{RESULTS}geography/distances_prefecture.parquet",
        f"{RESULTS}geography/distances_county.parquet",
        f"{RESULTS}figures/study_area.png",
        f"{RESULTS}provenance.json",
        f"{RESULTS}data_sources.csv",
        synthetic_outputs(),
        asif_outputs(),
        registration_targets(),
        validation_outputs(),
        plant_point_outputs(),
        f"{RESULTS}integration/index.parquet",
        f"{RESULTS}figures/integration_index.png",
        segmentation_outputs(),
        kdensity_points_outputs(),
        flows_outputs(),
        report_outputs(),
        f"{RESULTS}status.csv",
