# Ingest, validate, harmonise, link firms across years and detect relocations.


rule ingest:
    input:
        raw=raw_input_files(),
        dialects=config_provider("ingest", "dialects"),
        areacodes="resources/areacodes/result.csv",
    output:
        records="results/clean/records.parquet",
        quarantine="results/clean/quarantine.parquet",
        reconciliation="results/clean/reconciliation.csv",
    log:
        "results/logs/ingest.log",
    benchmark:
        "results/benchmarks/ingest.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=6000,
    params:
        files=raw_input_map(),
        n_files=len(raw_input_files()),
        money_units=raw_money_units(),
        encodings=config_provider("ingest", "encodings"),
        tolerance=config_provider("ingest", "county_code_tolerance"),
        vintage=config_provider("geography", "vintage"),
    message:
        "Read, validate, quarantine and harmonise {params.n_files} raw files"
    script:
        "../scripts/ingest.py"


rule link_firms:
    input:
        "results/clean/records.parquet",
    output:
        firm_years="results/clean/firm_years.parquet",
        links="results/clean/links.parquet",
    log:
        "results/logs/link_firms.log",
    benchmark:
        "results/benchmarks/link_firms.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=8000,
    params:
        linking=config_provider("linking"),
    message:
        "Link firms across years (Brandt, Van Biesebroeck and Zhang 2012 passes)"
    script:
        "../scripts/link_firms.py"


rule relocations:
    input:
        "results/clean/firm_years.parquet",
    output:
        "results/relocations/moves.parquet",
    log:
        "results/logs/relocations.log",
    benchmark:
        "results/benchmarks/relocations.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=4000,
    params:
        level=config_provider("relocations", "level"),
        screen_blips=config_provider("relocations", "screen_blips"),
    message:
        "Detect relocations (moves defined at the {params.level} level)"
    script:
        "../scripts/relocations.py"


rule validate_linking:
    input:
        firm_years="results/clean/firm_years.parquet",
        moves="results/relocations/moves.parquet",
        records=synthetic_truth("records.parquet"),
        truth_moves=synthetic_truth("moves.parquet"),
    output:
        "results/validation/linking.json",
    log:
        "results/logs/validate_linking.log",
    benchmark:
        "results/benchmarks/validate_linking.tsv"
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
