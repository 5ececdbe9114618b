# The claims table (results/<study>/claims.csv, claims.html): the stated test of each claim
# C1-C7 on the pipeline's tables (yrd.claims; config claims.*).


rule claims:
    input:
        concentration=f"{RESULTS}metrics/concentration.parquet",
        specialisation=f"{RESULTS}metrics/specialisation.parquet",
        similarity=f"{RESULTS}metrics/similarity.parquet",
        moves=f"{RESULTS}relocations/moves.parquet",
        firm_years=f"{RESULTS}clean/firm_years.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        classes="resources/industry/classes.csv",
        gapminder="resources/gapminder/gapminder.csv",
        worldbank_gdp="resources/worldbank/gdp_current_usd.csv",
        worldbank_pop="resources/worldbank/population.csv",
        dose_eu="resources/dose/dose_eu2002.csv",
        integration=claims_integration(),
        index=f"{RESULTS}integration/index.parquet",
        dose_china="resources/dose/dose_china.csv",
        segmentation=claims_segmentation(),
        indicators=claims_indicators(),
        io_intermediate="resources/ionet/china_io_2002_122_intermediate.csv",
        io_value_added="resources/ionet/china_io_2002_122_value_added.csv",
        io_sector_map="resources/ionet/io2002_sector_gb2002_division.csv",
    output:
        table=report(
            f"{RESULTS}claims.csv",
            caption="../report/claims.rst",
            category="0. Claims",
            labels={"table": "claims (CSV)"},
        ),
        html=report(
            f"{RESULTS}claims.html",
            caption="../report/claims.rst",
            category="0. Claims",
            labels={"table": "claims (table view)"},
        ),
        c6=f"{RESULTS}claims/c6.json",
        c7=f"{RESULTS}claims/c7.json",
    log:
        f"{RESULTS}logs/claims.log",
    benchmark:
        f"{RESULTS}benchmarks/claims.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=3000,
    params:
        claims=config_provider("claims"),
        region_set=config_provider("geography", "region_set"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        synthetic=config_provider("run", "synthetic"),
        run=config_provider("run", "name"),
        c1_measure=config_provider("integration", "c1_measure"),
    message:
        "Claims C1-C7: stated tests on the pipeline's tables -> verdicts"
    script:
        "../scripts/claims.py"
