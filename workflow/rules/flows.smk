# Relocation flows: origin-destination panels, PPML gravity, Shanghai tables and distance
# scenarios (yrd.flows; config flows.*). Helpers flows_distance_table(), gravity_road_times(),
# scenario_road_times(), road_times_table() and flows_outputs() are in common.smk.


rule od_panel:
    input:
        moves=f"{RESULTS}relocations/moves.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
        prefectures="resources/regions/prefectures.csv",
    output:
        od=f"{RESULTS}flows/od.parquet",
        outside=f"{RESULTS}flows/od_outside.parquet",
    log:
        f"{RESULTS}logs/od_panel.log",
    benchmark:
        f"{RESULTS}benchmarks/od_panel.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("flows", "region_set"),
        study_area=config_provider("geography", "study_area"),
    message:
        "Origin-destination panels of relocations {params.start}-{params.end} by class (prefecture and province), and flows across the study area's boundary"
    script:
        "../scripts/od_panel.py"


rule gravity:
    input:
        od=f"{RESULTS}flows/od.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        distances=flows_distance_table(),
        road_times=gravity_road_times(),
    output:
        table=report(
            f"{RESULTS}flows/gravity.csv",
            caption="../report/flows_gravity.rst",
            category="4. Relocation flows",
        ),
        fitted=f"{RESULTS}flows/gravity_fitted.parquet",
    log:
        f"{RESULTS}logs/gravity.log",
    benchmark:
        f"{RESULTS}benchmarks/gravity.tsv"
    conda:
        "../../environment.yml"
    # the pooled model and the class models on a thread each (yrd.parallel.run_threads)
    threads: 2
    resources:
        mem_mb=4000,
    params:
        start=config_provider("period", "start"),
        period_length=config_provider("flows", "period_length"),
        distance=config_provider("flows", "distance"),
        distances=config_provider("flows", "distances"),
        covariates=config_provider("flows", "covariates"),
        cluster=config_provider("flows", "cluster"),
        min_moves=config_provider("flows", "min_moves"),
    message:
        "PPML gravity of relocation flows (pyfixest fepois), pooled and by class, distance {params.distance}, periods of {params.period_length} year(s)"
    script:
        "../scripts/gravity.py"


# Requested by rule all (flows_outputs()): both distance measures on every run.
rule gravity_distance_comparison:
    input:
        od=f"{RESULTS}flows/od.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        road_times=road_times_table(),
    output:
        report(
            f"{RESULTS}flows/gravity_distance_comparison.csv",
            caption="../report/gravity_distance_comparison.rst",
            category="4. Relocation flows",
        ),
    log:
        f"{RESULTS}logs/gravity_distance_comparison.log",
    benchmark:
        f"{RESULTS}benchmarks/gravity_distance_comparison.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        start=config_provider("period", "start"),
        period_length=config_provider("flows", "period_length"),
        covariates=config_provider("flows", "covariates"),
        cluster=config_provider("flows", "cluster"),
        min_moves=config_provider("flows", "min_moves"),
    message:
        "PPML gravity with great-circle km and with road travel hours of each year, side by side"
    script:
        "../scripts/gravity_distance_comparison.py"


rule shanghai_flows:
    input:
        od=f"{RESULTS}flows/od.parquet",
        outside=f"{RESULTS}flows/od_outside.parquet",
        prefectures="resources/regions/prefectures.csv",
    output:
        f"{RESULTS}flows/shanghai.parquet",
    log:
        f"{RESULTS}logs/shanghai_flows.log",
    benchmark:
        f"{RESULTS}benchmarks/shanghai_flows.tsv"
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
        "../scripts/shanghai_flows.py"


# One job per scenario of flows.scenarios (a SLURM job each with profiles/slurm), gathered by
# rule scenarios in the config's order (yrd.flows.scenario_jobs).
rule scenario:
    input:
        fitted=f"{RESULTS}flows/gravity_fitted.parquet",
        table=f"{RESULTS}flows/gravity.csv",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        prefectures="resources/regions/prefectures.csv",
        road_times=scenario_road_times(),
    output:
        f"{RESULTS}flows/scenarios/{{scenario}}.parquet",
    log:
        f"{RESULTS}logs/scenario/{{scenario}}.log",
    benchmark:
        f"{RESULTS}benchmarks/scenario/{{scenario}}.tsv"
    wildcard_constraints:
        scenario=scenario_names_regex(),
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        scenarios=config_provider("flows", "scenarios"),
        focus=config_provider("flows", "focus"),
        targets=config_provider("flows", "targets"),
        bands=config_provider("flows", "scenario_bands"),
    message:
        "Distance scenario {wildcards.scenario} predicted by the pooled gravity model: {params.focus}'s outflow shares"
    script:
        "../scripts/scenario.py"


rule scenarios:
    input:
        unpack(scenarios_gather_inputs),
    output:
        f"{RESULTS}flows/scenarios.parquet",
    log:
        f"{RESULTS}logs/scenarios.log",
    benchmark:
        f"{RESULTS}benchmarks/scenarios.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        scenarios=config_provider("flows", "scenarios"),
        focus=config_provider("flows", "focus"),
        targets=config_provider("flows", "targets"),
        bands=config_provider("flows", "scenario_bands"),
    message:
        "Distance scenarios of flows.scenarios gathered into one table"
    script:
        "../scripts/scenarios.py"


# Requested only when the input is a synthetic world (flows_outputs()).
rule validate_gravity:
    input:
        table=f"{RESULTS}flows/gravity.csv",
        params=synthetic_truth("params.json"),
    output:
        f"{RESULTS}validation/gravity.json",
    log:
        f"{RESULTS}logs/validate_gravity.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_gravity.tsv"
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
        "../scripts/validate_gravity.py"
