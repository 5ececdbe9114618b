# Concentration, specialisation and similarity metrics from the clean firm-years (yrd.metrics),
# on each analysis sample ({sample}: consistent or full, yrd.sample); K-densities on the main one.
# Metrics are chosen by name in config metrics.* (registry: yrd/metrics/registry.py); modules
# listed in metrics.plugins are imported first, so their registered metrics can be named too; a
# plugin module in the working directory (x.py) is an input, so editing it reruns the tables.


rule concentration:
    input:
        firm_years=firm_years_of,
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        prefectures="resources/regions/prefectures.csv",
        plugins=metric_plugin_files(),
    output:
        f"{RESULTS}metrics/{{sample}}/concentration.parquet",
    log:
        f"{RESULTS}logs/concentration_{{sample}}.log",
    benchmark:
        f"{RESULTS}benchmarks/concentration_{{sample}}.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        metrics=config_provider("metrics", "concentration"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Concentration of industries by year and level ({params.levels}), {wildcards.sample} sample: {params.metrics}"
    script:
        "../scripts/concentration.py"


rule specialisation:
    input:
        firm_years=firm_years_of,
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        prefectures="resources/regions/prefectures.csv",
        plugins=metric_plugin_files(),
    output:
        f"{RESULTS}metrics/{{sample}}/specialisation.parquet",
    log:
        f"{RESULTS}logs/specialisation_{{sample}}.log",
    benchmark:
        f"{RESULTS}benchmarks/specialisation_{{sample}}.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=4000,
    params:
        metrics=config_provider("metrics", "specialisation"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Specialisation of regions by year and level ({params.levels}), {wildcards.sample} sample: {params.metrics}"
    script:
        "../scripts/specialisation.py"


rule similarity:
    input:
        firm_years=firm_years_of,
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        prefectures="resources/regions/prefectures.csv",
        plugins=metric_plugin_files(),
    output:
        f"{RESULTS}metrics/{{sample}}/similarity.parquet",
    log:
        f"{RESULTS}logs/similarity_{{sample}}.log",
    benchmark:
        f"{RESULTS}benchmarks/similarity_{{sample}}.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        metrics=config_provider("metrics", "similarity"),
        measure=config_provider("metrics", "measure"),
        levels=config_provider("metrics", "similarity_levels"),
        plugins=config_provider("metrics", "plugins"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Similarity of regions' industrial structures by year and level ({params.levels}), {wildcards.sample} sample: {params.metrics}"
    script:
        "../scripts/similarity.py"


rule kdensity:
    input:
        firm_years=sample_firm_years(MAIN_SAMPLE),
        counties=f"{RESULTS}geography/boundaries_county.parquet",
        prefectures="resources/regions/prefectures.csv",
    output:
        density=f"{RESULTS}metrics/kdensity.parquet",
        summary=f"{RESULTS}metrics/kdensity_summary.parquet",
    log:
        f"{RESULTS}logs/kdensity.log",
    benchmark:
        f"{RESULTS}benchmarks/kdensity.tsv"
    conda:
        "../../environment.yml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        kdensity=kdensity_params("sites"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Duranton-Overman K-densities with {params.kdensity[n_sim]} counterfactuals per industry-year"
    script:
        "../scripts/kdensity.py"


# K-densities on plant points (issue 19), one job per year: with the SLURM profile
# (profiles/slurm) every year is its own SLURM job, the "job array by year". Requested by `all`
# only when metrics.kdensity.points.enabled (kdensity_points_outputs()); the plant points come
# from rule plant_points (results/<run>/clean/plant_points.parquet).
rule kdensity_points_year:
    input:
        points=f"{RESULTS}clean/plant_points.parquet",
        firm_years=sample_firm_years(MAIN_SAMPLE),
        counties=f"{RESULTS}geography/boundaries_county.parquet",
        prefectures="resources/regions/prefectures.csv",
    output:
        density=f"{RESULTS}metrics/kdensity_points/{{year}}.parquet",
        summary=f"{RESULTS}metrics/kdensity_points/{{year}}_summary.parquet",
    log:
        f"{RESULTS}logs/kdensity_points_{{year}}.log",
    benchmark:
        f"{RESULTS}benchmarks/kdensity_points_{{year}}.tsv"
    wildcard_constraints:
        year=r"\d{4}",
    conda:
        "../../environment.yml"
    # the compiled pair sweep runs on these threads (fewer when --cores is smaller)
    threads: 2
    resources:
        mem_mb=4000,
    params:
        kdensity=kdensity_params("points"),
        region_set=config_provider("geography", "region_set"),
    message:
        "Point K-densities of {wildcards.year} with {params.kdensity[n_sim]} counterfactuals per industry"
    script:
        "../scripts/kdensity_points_year.py"


rule kdensity_points:
    input:
        density=kdensity_points_year_files("density"),
        summary=kdensity_points_year_files("summary"),
        sites_summary=f"{RESULTS}metrics/kdensity_summary.parquet",
    output:
        density=f"{RESULTS}metrics/kdensity_points.parquet",
        summary=f"{RESULTS}metrics/kdensity_points_summary.parquet",
        comparison=f"{RESULTS}metrics/kdensity_sites_comparison.csv",
    log:
        f"{RESULTS}logs/kdensity_points.log",
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    message:
        "Point K-densities of every year gathered; verdicts compared with the county-centroid version"
    script:
        "../scripts/kdensity_points.py"


# Requested only when metrics.segmentation.prices names a price panel (segmentation_outputs()).
rule market_segmentation:
    input:
        prices=segmentation_prices(),
    output:
        pairs=f"{RESULTS}metrics/segmentation_pairs.parquet",
        regions=f"{RESULTS}metrics/segmentation_regions.parquet",
        overall=f"{RESULTS}metrics/segmentation_overall.parquet",
    log:
        f"{RESULTS}logs/market_segmentation.log",
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
        "../scripts/market_segmentation.py"
