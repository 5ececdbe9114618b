# Concentration, specialisation and similarity metrics from the clean firm-years (yrd.metrics).
# Metrics are chosen by name in config metrics.* (registry: yrd/metrics/registry.py); modules
# listed in metrics.plugins are imported first, so their registered metrics can be named too.


rule concentration:
    input:
        "results/clean/firm_years.parquet",
    output:
        "results/metrics/concentration.parquet",
    log:
        "results/logs/concentration.log",
    benchmark:
        "results/benchmarks/concentration.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        table="concentration",
        metrics=config_provider("metrics", "concentration"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Concentration of industries by year and level ({params.levels}): {params.metrics}"
    script:
        "../scripts/metrics_table.py"


rule specialisation:
    input:
        "results/clean/firm_years.parquet",
    output:
        "results/metrics/specialisation.parquet",
    log:
        "results/logs/specialisation.log",
    benchmark:
        "results/benchmarks/specialisation.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        table="specialisation",
        metrics=config_provider("metrics", "specialisation"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Specialisation of regions by year and level ({params.levels}): {params.metrics}"
    script:
        "../scripts/metrics_table.py"


rule similarity:
    input:
        "results/clean/firm_years.parquet",
    output:
        "results/metrics/similarity.parquet",
    log:
        "results/logs/similarity.log",
    benchmark:
        "results/benchmarks/similarity.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        table="similarity",
        metrics=config_provider("metrics", "similarity"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "similarity_levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Similarity of regions' industrial structures by year and level ({params.levels}): {params.metrics}"
    script:
        "../scripts/metrics_table.py"


rule kdensity:
    input:
        firm_years="results/clean/firm_years.parquet",
        counties="results/geography/boundaries_county.parquet",
    output:
        density="results/metrics/kdensity.parquet",
        summary="results/metrics/kdensity_summary.parquet",
    log:
        "results/logs/kdensity.log",
    benchmark:
        "results/benchmarks/kdensity.tsv"
    conda:
        "../../environment.yml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        kdensity=config_provider("metrics", "kdensity"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Duranton-Overman K-densities with {params.kdensity[n_sim]} counterfactuals per industry-year"
    script:
        "../scripts/metrics_kdensity.py"


# Requested only when metrics.segmentation.prices names a price panel (segmentation_outputs()).
rule market_segmentation:
    input:
        prices=segmentation_prices(),
    output:
        pairs="results/metrics/segmentation_pairs.parquet",
        regions="results/metrics/segmentation_regions.parquet",
        overall="results/metrics/segmentation_overall.parquet",
    log:
        "results/logs/market_segmentation.log",
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        index=config_provider("metrics", "segmentation", "index"),
        ddof=config_provider("metrics", "segmentation", "ddof"),
    message:
        "Market segmentation by the relative price method from {input.prices}"
    script:
        "../scripts/metrics_segmentation.py"
