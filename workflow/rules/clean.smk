# Ingest, validate, harmonise, link firms across years and detect relocations.


rule ingest:
    input:
        raw=raw_input_files(),
        dialects=config_provider("ingest", "dialects"),
        dialects_schema=HEADER_DIALECTS_SCHEMA,
        areacodes="resources/areacodes/result.csv",
        names_2002="resources/industry/GB4754_2002_4digit_names_from_NBS_xls.csv",
        gb_1994_2002="resources/industry/gbcrosswalk_gb_1994_2002.csv",
        gb_2002_2011="resources/industry/gbcrosswalk_gb_2002_2011.csv",
        prefectures="resources/regions/prefectures.csv",
    output:
        records=f"{RESULTS}clean/records.parquet",
        outside=f"{RESULTS}clean/outside_study_area.parquet",
        quarantine=f"{RESULTS}clean/quarantine.parquet",
        reconciliation=f"{RESULTS}clean/reconciliation.csv",
    log:
        f"{RESULTS}logs/ingest.log",
    benchmark:
        f"{RESULTS}benchmarks/ingest.tsv"
    conda:
        "../../environment.yml"
    # raw files read at once, each in its own process (yrd.parallel.map_jobs)
    threads: 2
    resources:
        mem_mb=6000,
    params:
        files=raw_input_map(),
        n_files=len(raw_input_files()),
        money_units=raw_money_units(),
        encodings=config_provider("ingest", "encodings"),
        tolerance=config_provider("ingest", "county_code_tolerance"),
        vintage=config_provider("geography", "vintage"),
        study_area=config_provider("geography", "study_area"),
    message:
        "Read, validate, quarantine and harmonise {params.n_files} raw files; rows outside study area {params.study_area} to a side table"
    script:
        "../scripts/ingest.py"


rule link_firms:
    input:
        records=f"{RESULTS}clean/records.parquet",
        outside=f"{RESULTS}clean/outside_study_area.parquet",
        areacodes="resources/areacodes/result.csv",
    output:
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        outside=f"{RESULTS}clean/firm_years_outside.parquet",
        links=f"{RESULTS}clean/links.parquet",
    log:
        f"{RESULTS}logs/link_firms.log",
    benchmark:
        f"{RESULTS}benchmarks/link_firms.tsv"
    conda:
        "../../environment.yml"
    # the identifying fields are normalised on a thread each (yrd.parallel.run_threads)
    threads: 2
    resources:
        mem_mb=8000,
    params:
        linking=config_provider("linking"),
    message:
        "Link firms across years (Brandt, Van Biesebroeck and Zhang 2012 passes), inside and outside the study area"
    script:
        "../scripts/link_firms.py"


# Users' geocodes (longitude/latitude columns) checked against the county polygons (yrd.points).
# Requested by rule all when plant_point_outputs() says the run has points.
rule plant_points:
    input:
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        counties=f"{RESULTS}geography/boundaries_county.parquet",
    output:
        f"{RESULTS}clean/plant_points.parquet",
    log:
        f"{RESULTS}logs/plant_points.log",
    benchmark:
        f"{RESULTS}benchmarks/plant_points.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=4000,
    params:
        tolerance_km=config_provider("ingest", "points", "tolerance_km"),
    message:
        "Plant points: geocodes checked against the county polygons (tolerance {params.tolerance_km} km)"
    script:
        "../scripts/plant_points.py"


# Requested only when the input is a synthetic world whose raw files carry geocodes.
rule validate_plant_points:
    input:
        points=f"{RESULTS}clean/plant_points.parquet",
        records=synthetic_truth("records.parquet"),
        truth=synthetic_truth("plant_points.parquet"),
    output:
        f"{RESULTS}validation/plant_points.json",
    log:
        f"{RESULTS}logs/validate_plant_points.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_plant_points.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=4000,
    message:
        "Validation: plant points recovered and bad geocodes caught, against the synthetic truth"
    script:
        "../scripts/validate_plant_points.py"


rule relocations:
    input:
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        outside=f"{RESULTS}clean/firm_years_outside.parquet",
        prefectures="resources/regions/prefectures.csv",
    output:
        f"{RESULTS}relocations/moves.parquet",
    log:
        f"{RESULTS}logs/relocations.log",
    benchmark:
        f"{RESULTS}benchmarks/relocations.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=4000,
    params:
        level=config_provider("relocations", "level"),
        screen_blips=config_provider("relocations", "screen_blips"),
        study_area=config_provider("geography", "study_area"),
    message:
        "Detect relocations (moves defined at the {params.level} level; flagged by study area {params.study_area})"
    script:
        "../scripts/relocations.py"


rule validate_linking:
    input:
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        moves=f"{RESULTS}relocations/moves.parquet",
        records=synthetic_truth("records.parquet"),
        truth_moves=synthetic_truth("moves.parquet"),
    output:
        f"{RESULTS}validation/linking.json",
    log:
        f"{RESULTS}logs/validate_linking.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_linking.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=4000,
    params:
        level=config_provider("relocations", "level"),
        screen_blips=config_provider("relocations", "screen_blips"),
    message:
        "Score linking and relocation detection against the synthetic world's truth"
    script:
        "../scripts/validate_linking.py"


rule analysis_sample:
    input:
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        outside=f"{RESULTS}clean/firm_years_outside.parquet",
        moves=f"{RESULTS}relocations/moves.parquet",
    output:
        firm_years=f"{RESULTS}sample/consistent/firm_years.parquet",
        moves=f"{RESULTS}sample/consistent/moves.parquet",
        accounting=f"{RESULTS}sample/accounting.csv",
    log:
        f"{RESULTS}logs/analysis_sample.log",
    benchmark:
        f"{RESULTS}benchmarks/analysis_sample.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=3000,
    params:
        sample=config_provider("sample"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
    message:
        "Consistent-threshold sample: firm-years meeting the strictest survey threshold of the period"
    script:
        "../scripts/analysis_sample.py"
