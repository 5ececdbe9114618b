# Business-registration records linked to ASIF firms; relocation and expansion events
# (yrd.registration.link, yrd.registration.events); the links scored against the synthetic truth.


rule link_registration:
    input:
        changes=f"{RESULTS}registration/changes.parquet",
        investments=f"{RESULTS}registration/investments.parquet",
        firm_years=if_asif(f"{RESULTS}clean/firm_years.parquet"),
        areacodes="resources/areacodes/result.csv",
    output:
        links=f"{RESULTS}registration/links.parquet",
        relocations=f"{RESULTS}registration/relocation_events.parquet",
        expansions=f"{RESULTS}registration/expansion_events.parquet",
    log:
        f"{RESULTS}logs/link_registration.log",
    benchmark:
        f"{RESULTS}benchmarks/link_registration.tsv"
    conda:
        "../../environment.yml"
    threads: 2
    resources:
        mem_mb=4000,
    params:
        linking=config_provider("registration", "linking"),
        vintage=config_provider("geography", "vintage"),
    message:
        "Link registration records to ASIF firms; relocation and expansion events"
    script:
        "../scripts/link_registration.py"


# Requested only when the input is a synthetic world (registration_link_outputs()).
rule validate_registration_links:
    input:
        links=f"{RESULTS}registration/links.parquet",
        relocations=f"{RESULTS}registration/relocation_events.parquet",
        expansions=f"{RESULTS}registration/expansion_events.parquet",
        changes=f"{RESULTS}registration/changes.parquet",
        investments=f"{RESULTS}registration/investments.parquet",
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        records=synthetic_truth("records.parquet"),
        panel=synthetic_truth("panel.parquet"),
        change_truth=registration_truth("registration_records.parquet"),
        investment_truth=registration_truth("investment_records.parquet"),
    output:
        f"{RESULTS}validation/registration_links.json",
    log:
        f"{RESULTS}logs/validate_registration_links.log",
    benchmark:
        f"{RESULTS}benchmarks/validate_registration_links.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=3000,
    message:
        "Score the registration links against the synthetic world's truth"
    script:
        "../scripts/validate_registration_links.py"
