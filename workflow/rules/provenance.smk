# Provenance of the run: inputs, configuration, code and packages.


rule provenance:
    input:
        raw=raw_input_files(),
        reference=reference_files(),
        plugins=metric_plugin_files(),
    output:
        report(
            f"{RESULTS}provenance.json",
            caption="../report/provenance.rst",
            category="0. Run",
        ),
    log:
        f"{RESULTS}logs/provenance.log",
    benchmark:
        f"{RESULTS}benchmarks/provenance.tsv"
    conda:
        "../../environment.yml"
    params:
        config=config,
        repo=workflow.basedir,
        n_raw=len(raw_input_files()),
    message:
        "Provenance: checksums of {params.n_raw} raw inputs, configuration, code and package versions"
    script:
        "../scripts/provenance.py"


# The report's data table: every input, real public, user-supplied or synthetic, with its
# licence, citation and the claims using it (yrd.data_sources).
rule data_sources:
    input:
        registry="resources/versions.csv",
    output:
        report(
            f"{RESULTS}data_sources.csv",
            caption="../report/data_sources.rst",
            category="0. Run",
            labels={"table": "inputs: real, user-supplied, synthetic"},
        ),
    log:
        f"{RESULTS}logs/data_sources.log",
    conda:
        "../../environment.yml"
    params:
        run=config_provider("run"),
        synthetic=config_provider("synthetic"),
        ingest=config_provider("ingest"),
        registration=config_provider("registration"),
        claims=config_provider("claims"),
        metrics=config_provider("metrics"),
        flows=config_provider("flows"),
    message:
        "The run's inputs: real public, user-supplied and synthetic, with licences and the claims using them"
    script:
        "../scripts/data_sources.py"
