# Business-registration records (工商登记, issue 16): ingest change and investment extracts and,
# on a synthetic world, score the address parsing against its truth (yrd.registration).


rule ingest_registration:
    input:
        changes=registration_input_files("change"),
        investments=registration_input_files("investment"),
        dialects=config_provider("registration", "dialects"),
        dialects_schema=HEADER_DIALECTS_SCHEMA,
        areacodes="resources/areacodes/result.csv",
    output:
        changes=f"{RESULTS}registration/changes.parquet",
        investments=f"{RESULTS}registration/investments.parquet",
        quarantine=f"{RESULTS}registration/quarantine.parquet",
        reconciliation=f"{RESULTS}registration/reconciliation.csv",
    log:
        f"{RESULTS}logs/ingest_registration.log",
    benchmark:
        f"{RESULTS}benchmarks/ingest_registration.tsv"
    conda:
        "../../environment.yml"
    # extracts read at once, each in its own process (yrd.parallel.map_jobs)
    threads: 2
    resources:
        mem_mb=4000,
    params:
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
        n_files=len(registration_input_files("change"))
        + len(registration_input_files("investment")),
    message:
        "Read, validate and reconcile {params.n_files} business-registration extracts"
    script:
        "../scripts/ingest_registration.py"


# Requested only when the run reads the synthetic world's extracts (registration_outputs()).
rule validate_registration_addresses:
    input:
        changes=f"{RESULTS}registration/changes.parquet",
        investments=f"{RESULTS}registration/investments.parquet",
        quarantine=f"{RESULTS}registration/quarantine.parquet",
        change_truth=registration_truth("registration_records.parquet"),
        investment_truth=registration_truth("investment_records.parquet"),
    output:
        f"{RESULTS}validation/registration_addresses.json",
    log:
        f"{RESULTS}logs/validate_registration_addresses.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_registration_addresses.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=2000,
    message:
        "Score address-to-county parsing of the registration extracts against the synthetic truth"
    script:
        "../scripts/validate_registration_addresses.py"
