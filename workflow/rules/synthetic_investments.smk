# Synthetic investment records (对外投资 / 分支机构): the world's firms open subsidiaries in other
# prefectures (yrd/synthetic/investment.py, docs/synthetic_world.md). Requested by the
# registration rules when the run is synthetic.


rule simulate_investments:
    input:
        panel=synthetic_truth("panel.parquet"),
        identities=synthetic_truth("identities.parquet"),
        distances=synthetic_truth("distances.parquet"),
        prefecture_years=synthetic_truth("prefecture_years.parquet"),
        areacodes="resources/areacodes/result.csv",
    output:
        files=investment_files(),
        records=registration_truth("investment_records.parquet"),
        events=registration_truth("investment_events.parquet"),
        params=registration_truth("investment_params.json"),
    log:
        f"{RESULTS}logs/simulate_investments.log",
    benchmark:
        f"{RESULTS}benchmarks/simulate_investments.tsv"
    conda:
        "../../environment.yml"
    threads: 1
    resources:
        mem_mb=3000,
    params:
        seed=config_provider("synthetic", "seed"),
        investments=config_provider("synthetic", "investments"),
        vintage=config_provider("geography", "vintage"),
        provinces=config_provider("geography", "provinces"),
    message:
        "Synthetic investment records: subsidiaries of the world's firms, messy extracts and truth"
    script:
        "../scripts/simulate_investments.py"
