# Figures wrapped in report() with captions.


rule study_area_map:
    input:
        prefectures="results/geography/boundaries_prefecture.parquet",
        counties="results/geography/boundaries_county.parquet",
    output:
        report(
            "results/figures/study_area.png",
            caption="../report/study_area.rst",
            category="1. Study area",
        ),
    log:
        "results/logs/study_area_map.log",
    benchmark:
        "results/benchmarks/study_area_map.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        region_set=config_provider("geography", "region_set"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "Study-area map of the {params.region_set} prefectures by region group"
    script:
        "../scripts/plot_study_area.py"
