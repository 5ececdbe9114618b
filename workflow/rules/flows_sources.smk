# Flows from three sources (issue 16): ASIF moves, registration relocations (change records) and
# investments (subsidiaries in another prefecture); the same PPML gravity on each, a table of
# how they agree with each other and (synthetic runs) with the truth, and a figure
# (yrd.flows.sources, yrd.flows.source_comparison, yrd.figures.flow_sources; config flows.sources).
# Helpers FLOW_SOURCES, source_events_table(), registration_truth(), source_truth_inputs(),
# source_params_inputs() and flows_sources_outputs() are in common.smk.


wildcard_constraints:
    source="|".join(FLOW_SOURCES),


rule source_od:
    input:
        events=source_events_table,
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
        prefectures="resources/regions/prefectures.csv",
    output:
        f"{RESULTS}flows/sources/{{source}}/od.parquet",
    log:
        f"{RESULTS}logs/source_od_{{source}}.log",
    benchmark:
        f"{RESULTS}benchmarks/source_od_{{source}}.tsv"
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
        "Origin-destination panels of the {wildcards.source} events {params.start}-{params.end} by class"
    script:
        "../scripts/source_od.py"


rule source_gravity:
    input:
        od=expand(
            f"{RESULTS}flows/sources/{{source}}/od.parquet", source=flow_sources()
        ),
        # rule gravity's estimates on flows/od.parquet, reused for the asif source when its
        # panel is the same (workflow/scripts/source_gravity.py)
        asif_gravity=if_asif(f"{RESULTS}flows/gravity.csv"),
        asif_panel=if_asif(f"{RESULTS}flows/od.parquet"),
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        distances=flows_distance_table(),
        road_times=gravity_road_times(),
    output:
        report(
            f"{RESULTS}flows/sources/gravity.csv",
            caption="../report/flows_sources_gravity.rst",
            category="4. Relocation flows",
        ),
    log:
        f"{RESULTS}logs/source_gravity.log",
    benchmark:
        f"{RESULTS}benchmarks/source_gravity.tsv"
    conda:
        "../../environment.yml"
    # the pooled model and the class models on a thread each (yrd.parallel.run_threads)
    threads: 2
    resources:
        mem_mb=4000,
    params:
        sources=flow_sources(),
        start=config_provider("period", "start"),
        period_length=config_provider("flows", "period_length"),
        distance=config_provider("flows", "distance"),
        distances=config_provider("flows", "distances"),
        covariates=config_provider("flows", "covariates"),
        cluster=config_provider("flows", "cluster"),
        min_moves=config_provider("flows", "min_moves"),
    message:
        "PPML gravity on the flows of each source (ASIF moves, registered relocations, investments)"
    script:
        "../scripts/source_gravity.py"


rule source_comparison:
    input:
        unpack(source_truth_inputs),
        unpack(source_event_inputs),
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
        prefectures="resources/regions/prefectures.csv",
    output:
        report(
            f"{RESULTS}flows/sources/comparison.csv",
            caption="../report/flows_sources_comparison.rst",
            category="4. Relocation flows",
        ),
    log:
        f"{RESULTS}logs/source_comparison.log",
    benchmark:
        f"{RESULTS}benchmarks/source_comparison.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("flows", "region_set"),
        study_area=config_provider("geography", "study_area"),
        focus=config_provider("flows", "focus"),
        window=config_provider("claims", "c2", "window"),
        sources=config_provider("flows", "sources"),
        synthetic=config_provider("run", "synthetic"),
    message:
        "Events of each source by firm size, distance, class, period and Shanghai partner, against the truth when synthetic"
    script:
        "../scripts/source_comparison.py"


# Synthetic runs only (input of validate_source_gravity): the same gravity on the true events.
rule truth_source_gravity:
    input:
        unpack(source_truth_inputs),
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
        prefectures="resources/regions/prefectures.csv",
        distances=flows_distance_table(),
        road_times=gravity_road_times(),
    output:
        f"{RESULTS}validation/gravity_sources_truth_events.csv",
    log:
        f"{RESULTS}logs/truth_source_gravity.log",
    benchmark:
        f"{RESULTS}benchmarks/truth_source_gravity.tsv"
    conda:
        "../../environment.yml"
    # the pooled model and the class models on a thread each (yrd.parallel.run_threads)
    threads: 2
    resources:
        mem_mb=4000,
    params:
        sources=flow_sources(),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("flows", "region_set"),
        study_area=config_provider("geography", "study_area"),
        period_length=config_provider("flows", "period_length"),
        distance=config_provider("flows", "distance"),
        distances=config_provider("flows", "distances"),
        covariates=config_provider("flows", "covariates"),
        cluster=config_provider("flows", "cluster"),
        min_moves=config_provider("flows", "min_moves"),
    message:
        "The gravity of each source on the synthetic world's true events (draw vs pipeline)"
    script:
        "../scripts/truth_source_gravity.py"


# Requested only when the input is a synthetic world (flows_sources_outputs()).
rule validate_source_gravity:
    input:
        unpack(source_params_inputs),
        table=f"{RESULTS}flows/sources/gravity.csv",
        truth_events=f"{RESULTS}validation/gravity_sources_truth_events.csv",
    output:
        f"{RESULTS}validation/gravity_sources.json",
    log:
        f"{RESULTS}logs/validate_source_gravity.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_source_gravity.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=500,
    params:
        rel_tol=config_provider("flows", "acceptance_rel_tol"),
    message:
        "Pooled gravity coefficients of each source against the synthetic world's true parameters"
    script:
        "../scripts/validate_source_gravity.py"


rule fig_flow_sources:
    input:
        gravity=f"{RESULTS}flows/sources/gravity.csv",
        comparison=f"{RESULTS}flows/sources/comparison.csv",
        validation=truth_validation("gravity_sources.json"),
    output:
        report(
            f"{RESULTS}figures/flow_sources.png",
            caption="../report/flow_sources.rst",
            category="4. Relocation flows",
        ),
    log:
        f"{RESULTS}logs/fig_flow_sources.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_flow_sources.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=1500,
    params:
        plotting=config_provider("plotting"),
        synthetic=config_provider("run", "synthetic"),
    message:
        "Figure: gravity coefficients and coverage of the three flow sources"
    script:
        "../scripts/fig_flow_sources.py"
