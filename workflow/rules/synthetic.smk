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
        road_times=config["integration"]["road_times"],
        employment="resources/ionet/china_employment.csv",
        employment_map="resources/ionet/manufacturing_gb4754_map.csv",
    output:
        raw=synthetic_raw_files(),
        records=synthetic_truth("records.parquet"),
        identities=synthetic_truth("identities.parquet"),
        moves=synthetic_truth("moves.parquet"),
        panel=synthetic_truth("panel.parquet"),
        files=synthetic_truth("files.json"),
        params=synthetic_truth("params.json"),
        population=synthetic_truth("population.parquet"),
        prefecture_years=synthetic_truth("prefecture_years.parquet"),
        distances=synthetic_truth("distances.parquet"),
        plant_points=synthetic_truth("plant_points.parquet"),
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
        plant_points=config_provider("synthetic", "plant_points"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
    message:
        "Synthetic world '{params.world}' (seed {params.seed}): firm model, messy raw files and truth"
    script:
        "../scripts/simulate.py"


# Requested only when the input is a synthetic world (validation_outputs()).
rule calibration:
    input:
        panel=synthetic_truth("panel.parquet"),
        population=synthetic_truth("population.parquet"),
        dose="resources/dose/dose_china.csv",
        employment="resources/ionet/china_employment.csv",
        employment_map="resources/ionet/manufacturing_gb4754_map.csv",
        names_2002="resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv",
        gb_1994_2002="resources/industry/gbcrosswalk_gb_1994_2002.csv",
        gb_2002_2011="resources/industry/gbcrosswalk_gb_2002_2011.csv",
    output:
        table=report(
            f"{RESULTS}validation/calibration.csv",
            caption="../report/calibration_table.rst",
            category="0. Synthetic world",
        ),
        fit=f"{RESULTS}validation/calibration_fit.csv",
    log:
        f"{RESULTS}logs/calibration.log",
    benchmark:
        f"{RESULTS}benchmarks/calibration.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        provinces=config_provider("geography", "provinces"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
    message:
        "Calibration: the synthetic world's provincial shares and industry mix against DOSE and national employment"
    script:
        "../scripts/calibration.py"


rule fig_calibration:
    input:
        table=f"{RESULTS}validation/calibration.csv",
        fit=f"{RESULTS}validation/calibration_fit.csv",
        industries="resources/industry/gb2002_2digit.csv",
    output:
        report(
            f"{RESULTS}figures/calibration.png",
            caption="../report/calibration.rst",
            category="0. Synthetic world",
        ),
    log:
        f"{RESULTS}logs/fig_calibration.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_calibration.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        plotting=config_provider("plotting"),
    message:
        "Figure: the synthetic world against real aggregates"
    script:
        "../scripts/fig_calibration.py"


# Business-registration change records (工商登记变更记录) of the synthetic world, sharing the ASIF
# firms' organisation codes and names (truth/identities.parquet). Requested by the registration
# ingest, not by rule all.
rule simulate_registration:
    input:
        moves=synthetic_truth("moves.parquet"),
        panel=synthetic_truth("panel.parquet"),
        identities=synthetic_truth("identities.parquet"),
        areacodes="resources/areacodes/result.csv",
    output:
        files=registration_change_files(),
        records=registration_truth("registration_records.parquet"),
        moves=registration_truth("registration_moves.parquet"),
        meta=registration_truth("registration_files.json"),
    log:
        f"{RESULTS}logs/simulate_registration.log",
    benchmark:
        f"{RESULTS}benchmarks/simulate_registration.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=2000,
    params:
        world=config_provider("synthetic", "world"),
        seed=config_provider("synthetic", "seed"),
        registration=config_provider("synthetic", "registration"),
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
    message:
        "Synthetic world '{params.world}': business-registration change records and their truth"
    script:
        "../scripts/simulate_registration.py"
