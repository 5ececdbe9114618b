# Relocation flows: origin-destination panels, PPML gravity, Shanghai tables and distance
# scenarios (yrd.flows; config flows.*). Helpers flows_distance_table() and flows_outputs() are
# in common.smk.


rule od_panel:
    input:
        moves="results/relocations/moves.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
    output:
        "results/flows/od.parquet",
    log:
        "results/logs/od_panel.log",
    benchmark:
        "results/benchmarks/od_panel.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("flows", "region_set"),
    message:
        "Origin-destination panels of relocations {params.start}-{params.end} by class (prefecture and province)"
    script:
        "../scripts/flows_od.py"


rule gravity:
    input:
        od="results/flows/od.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
        distances=flows_distance_table(),
    output:
        table=report(
            "results/flows/gravity.csv",
            caption="../report/flows_gravity.rst",
            category="4. Relocation flows",
        ),
        fitted="results/flows/gravity_fitted.parquet",
    log:
        "results/logs/gravity.log",
    benchmark:
        "results/benchmarks/gravity.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        start=config_provider("period", "start"),
        period_length=config_provider("flows", "period_length"),
        distances=config_provider("flows", "distances"),
        covariates=config_provider("flows", "covariates"),
        cluster=config_provider("flows", "cluster"),
    message:
        "PPML gravity of relocation flows (pyfixest fepois), pooled and by class, periods of {params.period_length} year(s)"
    script:
        "../scripts/flows_gravity.py"


rule shanghai_flows:
    input:
        "results/flows/od.parquet",
    output:
        "results/flows/shanghai.parquet",
    log:
        "results/logs/shanghai_flows.log",
    benchmark:
        "results/benchmarks/shanghai_flows.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1000,
    params:
        focus=config_provider("flows", "focus"),
    message:
        "Out-, in- and net relocation flows of {params.focus} by class and partner region group"
    script:
        "../scripts/flows_shanghai.py"


rule scenarios:
    input:
        fitted="results/flows/gravity_fitted.parquet",
        table="results/flows/gravity.csv",
        boundaries="results/geography/boundaries_prefecture.parquet",
    output:
        "results/flows/scenarios.parquet",
    log:
        "results/logs/scenarios.log",
    benchmark:
        "results/benchmarks/scenarios.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        scenarios=config_provider("flows", "scenarios"),
        focus=config_provider("flows", "focus"),
        targets=config_provider("flows", "targets"),
    message:
        "Distance scenarios predicted by the pooled gravity model: {params.focus}'s outflow shares"
    script:
        "../scripts/flows_scenarios.py"


# Requested only when the input is a synthetic world (flows_outputs()).
rule validate_gravity:
    input:
        table="results/flows/gravity.csv",
        params=synthetic_truth("params.json"),
    output:
        "results/validation/gravity.json",
    log:
        "results/logs/validate_gravity.log",
    benchmark:
        "results/benchmarks/validate_gravity.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        rel_tol=config_provider("flows", "acceptance_rel_tol"),
    message:
        "Pooled gravity coefficients against the synthetic world's true parameters"
    script:
        "../scripts/flows_validate.py"
