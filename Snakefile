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


report: "workflow/report/workflow.rst"


include: "workflow/rules/geography.smk"
include: "workflow/rules/synthetic.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/metrics.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/flows.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/provenance.smk"


rule all:
    default_target: True
    input:
        "results/geography/code_history.csv",
        "results/geography/county_harmonisation.csv",
        "results/geography/boundaries_prefecture.parquet",
        "results/geography/boundaries_county.parquet",
        "results/geography/distances_prefecture.parquet",
        "results/geography/distances_county.parquet",
        "results/figures/study_area.png",
        "results/provenance.json",
        synthetic_outputs(),
        "results/clean/firm_years.parquet",
        "results/clean/reconciliation.csv",
        "results/relocations/moves.parquet",
        validation_outputs(),
        "results/metrics/concentration.parquet",
        "results/metrics/specialisation.parquet",
        "results/metrics/similarity.parquet",
        "results/metrics/kdensity.parquet",
        "results/metrics/kdensity_summary.parquet",
        segmentation_outputs(),
        flows_outputs(),
        report_outputs(),
