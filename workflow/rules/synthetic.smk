# The synthetic world: the embedded default input (docs/synthetic_world.md).


rule simulate:
    input:
        prefectures=f"{RESULTS}geography/boundaries_prefecture.parquet",
        counties=f"{RESULTS}geography/boundaries_county.parquet",
        census="resources/census/census_city_2010-2020_v1_nogeom.csv",
        classes="resources/industry/classes.csv",
        names_2002="resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv",
        gb_1994_2002="resources/industry/gbcrosswalk_gb_1994_2002.csv",
        gb_2002_2011="resources/industry/gbcrosswalk_gb_2002_2011.csv",
        dialects="config/header_dialects.yaml",
        dialects_schema=HEADER_DIALECTS_SCHEMA,
        areacodes="resources/areacodes/result.csv",
    output:
        raw=synthetic_raw_files(),
        records=synthetic_truth("records.parquet"),
        moves=synthetic_truth("moves.parquet"),
        panel=synthetic_truth("panel.parquet"),
        files=synthetic_truth("files.json"),
        params=synthetic_truth("params.json"),
        population=synthetic_truth("population.parquet"),
        prefecture_years=synthetic_truth("prefecture_years.parquet"),
        distances=synthetic_truth("distances.parquet"),
    log:
        f"{RESULTS}logs/simulate.log",
    benchmark:
        f"{RESULTS}benchmarks/simulate.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        world=config_provider("synthetic", "world"),
        seed=config_provider("synthetic", "seed"),
        model=config_provider("synthetic", "model"),
        raw=config_provider("synthetic", "raw"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
    message:
        "Synthetic world '{params.world}' (seed {params.seed}): firm model, messy raw files and truth"
    script:
        "../scripts/simulate.py"
