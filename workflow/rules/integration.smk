# The measured integration index from real road travel times (yrd.integration; config
# integration.*): C1's integration axis, C4's transport dimension, the road_time distances.


rule integration_index:
    input:
        road_times=config["integration"]["road_times"],
        cities=config["integration"]["cities"],
        prefectures="resources/regions/prefectures.csv",
    output:
        index=report(
            f"{RESULTS}integration/index.parquet",
            caption="../report/integration_index.rst",
            category="1. Integration",
            labels={"table": "integration index"},
        ),
        market_access=f"{RESULTS}integration/market_access.parquet",
        road_times=f"{RESULTS}integration/road_times.parquet",
    log:
        f"{RESULTS}logs/integration_index.log",
    benchmark:
        f"{RESULTS}benchmarks/integration_index.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        weight=config_provider("integration", "weight"),
        theta=config_provider("integration", "theta"),
        base_year=config_provider("integration", "base_year"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
    message:
        "Integration index {params.start}-{params.end} from road travel times (mean travel time, market access)"
    script:
        "../scripts/integration_index.py"


rule fig_integration_index:
    input:
        index=f"{RESULTS}integration/index.parquet",
    output:
        report(
            f"{RESULTS}figures/integration_index.png",
            caption="../report/integration_index_figure.rst",
            category="1. Integration",
        ),
    log:
        f"{RESULTS}logs/fig_integration_index.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        plotting=config_provider("plotting"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Figure: the measured integration index by year"
    script:
        "../scripts/fig_integration_index.py"
