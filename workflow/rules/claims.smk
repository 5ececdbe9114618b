# The claims table (results/<study>/claims.csv, claims.html): the stated test of each claim
# C1-C7 on the pipeline's tables (yrd.claims; config claims.*), on each analysis sample
# ({sample}: consistent or full, yrd.sample); rule claims puts the main sample's rows first
# with the verdict on both samples beside them. Each claim writes its document
# claims/<sample>/cN.json (claim_json(n, sample), yrd.claims.document); the tables are views of
# the documents and the claim figures draw from the main sample's. claims.html embeds a subset of
# the CJK font of the installed mplfonts package (yrd.webfont), an input of rule claims.

from yrd.webfont import find_cjk_font

CJK_FONT = [str(f) for f in [find_cjk_font()] if f is not None]


rule claims_sample:
    input:
        concentration=sample_metric("concentration"),
        specialisation=sample_metric("specialisation"),
        similarity=sample_metric("similarity"),
        moves=moves_of,
        firm_years=firm_years_of,
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
        relocation_events=registration_events("change"),
        expansion_events=registration_events("investment"),
    output:
        table=f"{RESULTS}claims/{{sample}}/claims.csv",
        c1=claim_json(1, "{sample}"),
        c2=claim_json(2, "{sample}"),
        c3=claim_json(3, "{sample}"),
        c4=claim_json(4, "{sample}"),
        c5=claim_json(5, "{sample}"),
        c6=claim_json(6, "{sample}"),
        c7=claim_json(7, "{sample}"),
    log:
        f"{RESULTS}logs/claims_{{sample}}.log",
    benchmark:
        f"{RESULTS}benchmarks/claims_{{sample}}.tsv"
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
        heatmap_years=config_provider("figures", "similarity_heatmaps", "years"),
    message:
        "Claims C1-C7 on the {wildcards.sample} sample: stated tests on the pipeline's tables -> verdicts"
    script:
        "../scripts/claims.py"


rule claims:
    input:
        tables=expand(f"{RESULTS}claims/{{sample}}/claims.csv", sample=SAMPLES),
        accounting=if_asif(f"{RESULTS}sample/accounting.csv"),
        font=CJK_FONT,
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
    log:
        f"{RESULTS}logs/claims.log",
    conda:
        "../../environment.yml"
    params:
        samples=SAMPLES,
        main=MAIN_SAMPLE,
        synthetic=config_provider("run", "synthetic"),
        run=config_provider("run", "name"),
    message:
        "Claims table: verdicts on the {params.main} sample, with both samples' verdicts"
    script:
        "../scripts/claims_table.py"
