# The run's status for the report's first screen: checks against the synthetic truth, models
# that could not be estimated, claims that could not be tested (yrd.status).


rule run_status:
    input:
        claims=f"{RESULTS}claims.csv",
        gravity=if_asif(f"{RESULTS}flows/gravity.csv"),
        linking=asif_truth_validation("linking.json"),
        gravity_validation=asif_truth_validation("gravity.json"),
        registration_addresses=registration_validation("registration_addresses.json"),
        registration_links=registration_validation("registration_links.json"),
        source_gravity=registration_validation("gravity_sources.json"),
        template="workflow/report/workflow.rst",
    output:
        table=report(
            f"{RESULTS}status.csv",
            caption="../report/status.rst",
            category="0. Run",
            labels={"table": "checks of this run"},
        ),
        intro=f"{RESULTS}report_intro.rst",
    log:
        f"{RESULTS}logs/run_status.log",
    benchmark:
        f"{RESULTS}benchmarks/run_status.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=500,
    params:
        thresholds=config_provider("validation"),
        level=config_provider("relocations", "level"),
        synthetic=config_provider("run", "synthetic"),
        asif=ASIF,
    message:
        "Run status: claims summary, failed checks and claims not tested, for the report's first screen"
    script:
        "../scripts/run_status.py"
