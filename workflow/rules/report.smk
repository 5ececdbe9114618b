# Claim figures (results/figures/), the claims table (results/claims.csv) and their report()
# wrappers (yrd.figures, yrd.claims; config claims.* and figures.*). Each figure rule takes
# only its own options as params, so changing one reruns that figure alone. Helpers
# claims_integration(), claims_segmentation(), claims_indicators() and report_outputs() are in
# common.smk.


rule fig_c1_concentration:
    input:
        concentration="results/metrics/concentration.parquet",
        specialisation="results/metrics/specialisation.parquet",
        integration=claims_integration(),
    output:
        report(
            "results/figures/c1_concentration_integration.png",
            caption="../report/c1_concentration_integration.rst",
            category="C1. Concentration and integration",
        ),
    log:
        "results/logs/fig_c1_concentration.log",
    benchmark:
        "results/benchmarks/fig_c1_concentration.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        c1=config_provider("claims", "c1"),
        alpha=config_provider("claims", "alpha"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C1 figure: concentration ({params.c1[metrics]}) and specialisation against integration"
    script:
        "../scripts/fig_c1_concentration.py"


rule fig_c2_shanghai:
    input:
        "results/flows/shanghai.parquet",
    output:
        report(
            "results/figures/c2_shanghai_net_outflows.png",
            caption="../report/c2_shanghai_net_outflows.rst",
            category="C2. Shanghai's relocations",
        ),
    log:
        "results/logs/fig_c2_shanghai.log",
    benchmark:
        "results/benchmarks/fig_c2_shanghai.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c2=config_provider("claims", "c2"),
        alpha=config_provider("claims", "alpha"),
        focus=config_provider("flows", "focus"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C2 figure: net relocation flows of {params.focus} by class, window {params.c2[window]}"
    script:
        "../scripts/fig_c2_shanghai.py"


rule fig_flow_map:
    input:
        od="results/flows/od.parquet",
        fitted="results/flows/gravity_fitted.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
    output:
        report(
            "results/figures/flow_map_shanghai.png",
            caption="../report/flow_map_shanghai.rst",
            category="C2. Shanghai's relocations",
        ),
    log:
        "results/logs/fig_flow_map.log",
    benchmark:
        "results/benchmarks/fig_flow_map.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=2000,
    params:
        flow_map=config_provider("figures", "flow_map"),
        focus=config_provider("flows", "focus"),
        region_set=config_provider("geography", "region_set"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "Flow map of relocations out of {params.focus}, observed and PPML fitted"
    script:
        "../scripts/fig_flow_map.py"


rule fig_c3_relocations:
    input:
        "results/relocations/moves.parquet",
    output:
        report(
            "results/figures/c3_relocations_sh_js_zj.png",
            caption="../report/c3_relocations_sh_js_zj.rst",
            category="C3. Moves among Shanghai, Jiangsu, Zhejiang",
        ),
    log:
        "results/logs/fig_c3_relocations.log",
    benchmark:
        "results/benchmarks/fig_c3_relocations.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c3=config_provider("claims", "c3"),
        alpha=config_provider("claims", "alpha"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C3 figure: relocations among provinces {params.c3[provinces]} by origin, destination and year"
    script:
        "../scripts/fig_c3_relocations.py"


# Requested only when metrics.segmentation.prices names a price panel (report_outputs()).
rule fig_c4_segmentation:
    input:
        "results/metrics/segmentation_overall.parquet",
    output:
        report(
            "results/figures/c4_market_segmentation.png",
            caption="../report/c4_market_segmentation.rst",
            category="C4. Integration dimensions",
        ),
    log:
        "results/logs/fig_c4_segmentation.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c4=config_provider("claims", "c4"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C4 figure: market segmentation over time"
    script:
        "../scripts/fig_c4_integration.py"


# Requested only when claims.c4.indicators names an indicator table (report_outputs()).
rule fig_c4_profile:
    input:
        claims_indicators(),
    output:
        report(
            "results/figures/c4_integration_profile.png",
            caption="../report/c4_integration_profile.rst",
            category="C4. Integration dimensions",
        ),
    log:
        "results/logs/fig_c4_profile.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c4=config_provider("claims", "c4"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C4 figure: the six-dimension integration profile from {input}"
    script:
        "../scripts/fig_c4_integration.py"


rule fig_c5_heatmaps:
    input:
        similarity="results/metrics/similarity.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
    output:
        report(
            "results/figures/c5_similarity_heatmaps.png",
            caption="../report/c5_similarity_heatmaps.rst",
            category="C5. Structural convergence",
        ),
    log:
        "results/logs/fig_c5_heatmaps.log",
    benchmark:
        "results/benchmarks/fig_c5_heatmaps.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        heatmaps=config_provider("figures", "similarity_heatmaps"),
        c5=config_provider("claims", "c5"),
        region_set=config_provider("geography", "region_set"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C5 figure: structural similarity heatmaps of the {params.region_set} prefectures"
    script:
        "../scripts/fig_c5_similarity.py"


rule fig_c5_trend:
    input:
        similarity="results/metrics/similarity.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
    output:
        report(
            "results/figures/c5_similarity_trend.png",
            caption="../report/c5_similarity_trend.rst",
            category="C5. Structural convergence",
        ),
    log:
        "results/logs/fig_c5_trend.log",
    benchmark:
        "results/benchmarks/fig_c5_trend.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        c5=config_provider("claims", "c5"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C5 figure: mean pairwise structural similarity over time"
    script:
        "../scripts/fig_c5_similarity.py"


rule fig_c6_eu:
    input:
        "resources/gapminder/gapminder.csv",
    output:
        report(
            "results/figures/c6_eu_disparities.png",
            caption="../report/c6_eu_disparities.rst",
            category="C6. EU disparities",
        ),
    log:
        "results/logs/fig_c6_eu.log",
    benchmark:
        "results/benchmarks/fig_c6_eu.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c6=config_provider("claims", "c6"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C6 figure: EU disparities in {params.c6[year]} from Gapminder"
    script:
        "../scripts/fig_c6_eu.py"


rule fig_c7_lq:
    input:
        firm_years="results/clean/firm_years.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
    output:
        report(
            "results/figures/c7_lq_sunan.png",
            caption="../report/c7_lq_sunan.rst",
            category="C7. Sunan's clusters",
        ),
    log:
        "results/logs/fig_c7_lq.log",
    benchmark:
        "results/benchmarks/fig_c7_lq.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=3000,
    params:
        c7=config_provider("claims", "c7"),
        lq_maps=config_provider("figures", "lq_maps"),
        region_set=config_provider("geography", "region_set"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C7 figure: location-quotient maps of Sunan's leading industries ({params.lq_maps[scheme]} classes)"
    script:
        "../scripts/fig_c7_lq.py"


rule fig_c7_kdensity:
    input:
        density="results/metrics/kdensity.parquet",
        summary="results/metrics/kdensity_summary.parquet",
    output:
        report(
            "results/figures/c7_kdensity.png",
            caption="../report/c7_kdensity.rst",
            category="C7. Sunan's clusters",
        ),
    log:
        "results/logs/fig_c7_kdensity.log",
    benchmark:
        "results/benchmarks/fig_c7_kdensity.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        kdensity=config_provider("figures", "kdensity"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "C7 figure: K-densities of a localised and a dispersed industry"
    script:
        "../scripts/fig_c7_kdensity.py"


rule fig_counterfactuals:
    input:
        "results/flows/scenarios.parquet",
    output:
        report(
            "results/figures/counterfactuals.png",
            caption="../report/counterfactuals.rst",
            category="4. Relocation flows",
        ),
    log:
        "results/logs/fig_counterfactuals.log",
    benchmark:
        "results/benchmarks/fig_counterfactuals.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        counterfactuals=config_provider("figures", "counterfactuals"),
        synthetic=config_provider("run", "synthetic"),
        font=config_provider("plotting", "font"),
        dpi=config_provider("plotting", "dpi"),
    message:
        "Counterfactual distance scenarios: shifts of Shanghai's outflow shares"
    script:
        "../scripts/fig_counterfactuals.py"


rule claims:
    input:
        concentration="results/metrics/concentration.parquet",
        specialisation="results/metrics/specialisation.parquet",
        similarity="results/metrics/similarity.parquet",
        moves="results/relocations/moves.parquet",
        firm_years="results/clean/firm_years.parquet",
        boundaries="results/geography/boundaries_prefecture.parquet",
        shanghai="results/flows/shanghai.parquet",
        gapminder="resources/gapminder/gapminder.csv",
        integration=claims_integration(),
        segmentation=claims_segmentation(),
        indicators=claims_indicators(),
    output:
        table=report(
            "results/claims.csv",
            caption="../report/claims.rst",
            category="0. Claims",
            labels={"table": "claims (CSV)"},
        ),
        html=report(
            "results/claims.html",
            caption="../report/claims.rst",
            category="0. Claims",
            labels={"table": "claims (table view)"},
        ),
    log:
        "results/logs/claims.log",
    benchmark:
        "results/benchmarks/claims.tsv"
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
    message:
        "Claims C1-C7: stated tests on the pipeline's tables -> verdicts"
    script:
        "../scripts/claims.py"
