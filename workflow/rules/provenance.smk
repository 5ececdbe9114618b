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
