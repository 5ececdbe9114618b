# Figures (results/<study>/figures/), each wrapped in report() with its caption
# (yrd.figures; config figures.* and the claim blocks claims.* a figure shows). Each figure rule
# takes only its own options as params, so changing one reruns that figure alone; `plotting`
# (font, dpi) is shared. Helpers claims_integration(), claims_segmentation(),
# claims_indicators() and report_outputs() are in common.smk.


rule study_area_map:
    input:
        prefectures=f"{RESULTS}geography/boundaries_prefecture.parquet",
        counties=f"{RESULTS}geography/boundaries_county.parquet",
    output:
        report(
            f"{RESULTS}figures/study_area.png",
            caption="../report/study_area.rst",
            category="1. Study area",
        ),
    log:
        f"{RESULTS}logs/study_area_map.log",
    benchmark:
        f"{RESULTS}benchmarks/study_area_map.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        region_set=config_provider("geography", "region_set"),
        plotting=config_provider("plotting"),
    message:
        "Study-area map of the {params.region_set} prefectures by region group"
    script:
        "../scripts/study_area_map.py"


rule fig_c1_concentration:
    input:
        claim=claim_json(1),
    output:
        report(
            f"{RESULTS}figures/c1_concentration_integration.png",
            caption="../report/c1_concentration_integration.rst",
            category="C1. Concentration and integration",
        ),
    log:
        f"{RESULTS}logs/fig_c1_concentration.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c1_concentration.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        c1=config_provider("claims", "c1"),
        alpha=config_provider("claims", "alpha"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
        region_set=config_provider("geography", "region_set"),
        c1_measure=config_provider("integration", "c1_measure"),
    message:
        "C1 figure: concentration ({params.c1[metrics]}) and specialisation against integration (claims/c1.json)"
    script:
        "../scripts/fig_c1_concentration.py"


rule fig_c2_shanghai:
    input:
        claim=claim_json(2),
    output:
        report(
            f"{RESULTS}figures/c2_shanghai_net_outflows.png",
            caption="../report/c2_shanghai_net_outflows.rst",
            category="C2. Shanghai's relocations",
        ),
    log:
        f"{RESULTS}logs/fig_c2_shanghai.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c2_shanghai.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c2=config_provider("claims", "c2"),
        alpha=config_provider("claims", "alpha"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C2 figure: Shanghai's moves per firm at risk by class, window {params.c2[window]}"
    script:
        "../scripts/fig_c2_shanghai.py"


rule fig_flow_map:
    input:
        od=f"{RESULTS}flows/od.parquet",
        outside=f"{RESULTS}flows/od_outside.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
    output:
        report(
            f"{RESULTS}figures/flow_map_shanghai.png",
            caption="../report/flow_map_shanghai.rst",
            category="C2. Shanghai's relocations",
        ),
    log:
        f"{RESULTS}logs/fig_flow_map.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_flow_map.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=2000,
    params:
        flow_map=config_provider("figures", "flow_map"),
        window=config_provider("claims", "c2", "window"),
        focus=config_provider("flows", "focus"),
        region_set=config_provider("geography", "region_set"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "Flow map of relocations out of {params.focus}: window {params.window} and the other years"
    script:
        "../scripts/fig_flow_map.py"


rule fig_flow_map_interactive:
    input:
        od=f"{RESULTS}flows/od.parquet",
        outside=f"{RESULTS}flows/od_outside.parquet",
        fitted=f"{RESULTS}flows/gravity_fitted.parquet",
        scenarios=f"{RESULTS}flows/scenarios.parquet",
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
    output:
        report(
            f"{RESULTS}figures/flow_map_shanghai.html",
            caption="../report/flow_map_shanghai_interactive.rst",
            category="C2. Shanghai's relocations",
        ),
    log:
        f"{RESULTS}logs/fig_flow_map_interactive.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_flow_map_interactive.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=2000,
    params:
        flow_map=config_provider("figures", "flow_map"),
        flow_map_interactive=config_provider("figures", "flow_map_interactive"),
        window=config_provider("claims", "c2", "window"),
        focus=config_provider("flows", "focus"),
        targets=config_provider("flows", "targets"),
        region_set=config_provider("geography", "region_set"),
        start=config_provider("period", "start"),
        end=config_provider("period", "end"),
        synthetic=config_provider("run", "synthetic"),
    message:
        "Interactive flow map (one HTML page) of the moves out of and into {params.focus} by class and period"
    script:
        "../scripts/fig_flow_map_interactive.py"


rule fig_c3_relocations:
    input:
        claim=claim_json(3),
    output:
        report(
            f"{RESULTS}figures/c3_relocations_sh_js_zj.png",
            caption="../report/c3_relocations_sh_js_zj.rst",
            category="C3. Moves among Shanghai, Jiangsu, Zhejiang",
        ),
    log:
        f"{RESULTS}logs/fig_c3_relocations.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c3_relocations.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c3=config_provider("claims", "c3"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C3 figure: Zhejiang firms' moves per firm at risk and mutual migration among {params.c3[provinces]}"
    script:
        "../scripts/fig_c3_relocations.py"


# Requested only when metrics.segmentation.prices names a price panel (report_outputs()).


rule fig_c4_segmentation:
    input:
        claim=claim_json(4),
    output:
        report(
            f"{RESULTS}figures/c4_market_segmentation.png",
            caption="../report/c4_market_segmentation.rst",
            category="C4. Integration dimensions",
        ),
    log:
        f"{RESULTS}logs/fig_c4_segmentation.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c4=config_provider("claims", "c4"),
        plotting=config_provider("plotting"),
    message:
        "C4 figure: market segmentation over time"
    script:
        "../scripts/fig_c4_segmentation.py"


# Requested only when claims.c4.indicators names an indicator table (report_outputs()).


rule fig_c4_profile:
    input:
        claim=claim_json(4),
        indicators=claims_indicators(),
    output:
        report(
            f"{RESULTS}figures/c4_integration_profile.png",
            caption="../report/c4_integration_profile.rst",
            category="C4. Integration dimensions",
        ),
    log:
        f"{RESULTS}logs/fig_c4_profile.log",
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c4=config_provider("claims", "c4"),
        plotting=config_provider("plotting"),
    message:
        "C4 figure: integration dimensions (measured, or the configured indicator table)"
    script:
        "../scripts/fig_c4_profile.py"


rule fig_c5_heatmaps:
    input:
        claim=claim_json(5),
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
    output:
        report(
            f"{RESULTS}figures/c5_similarity_heatmaps.png",
            caption="../report/c5_similarity_heatmaps.rst",
            category="C5. Structural convergence",
        ),
    log:
        f"{RESULTS}logs/fig_c5_heatmaps.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c5_heatmaps.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        heatmaps=config_provider("figures", "similarity_heatmaps"),
        c5=config_provider("claims", "c5"),
        region_set=config_provider("claims", "c5", "region_set"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C5 figure: structural similarity heatmaps of the {params.region_set} prefectures (the verdict's set)"
    script:
        "../scripts/fig_c5_heatmaps.py"


rule fig_c5_trend:
    input:
        claim=claim_json(5),
    output:
        report(
            f"{RESULTS}figures/c5_similarity_trend.png",
            caption="../report/c5_similarity_trend.rst",
            category="C5. Structural convergence",
        ),
    log:
        f"{RESULTS}logs/fig_c5_trend.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c5_trend.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1500,
    params:
        c5=config_provider("claims", "c5"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C5 figure: mean pairwise structural similarity over time"
    script:
        "../scripts/fig_c5_trend.py"


rule fig_c6_eu:
    input:
        claim=claim_json(6),
    output:
        report(
            f"{RESULTS}figures/c6_eu_disparities.png",
            caption="../report/c6_eu_disparities.rst",
            category="C6. EU disparities",
        ),
    log:
        f"{RESULTS}logs/fig_c6_eu.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c6_eu.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        c6=config_provider("claims", "c6"),
        plotting=config_provider("plotting"),
    message:
        "C6 figure: EU disparities in {params.c6[year]} at market exchange rates and PPP, Italy's regions"
    script:
        "../scripts/fig_c6_eu.py"


rule fig_c7_tested:
    input:
        c7=claim_json(7),
    output:
        report(
            f"{RESULTS}figures/c7_tested.png",
            caption="../report/c7_tested.rst",
            category="C7. Sunan's clusters",
        ),
    log:
        f"{RESULTS}logs/fig_c7_tested.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c7_tested.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C7 figure: growth and supplier depth of foreign-led vs domestic clusters (from claims/c7.json)"
    script:
        "../scripts/fig_c7_tested.py"


rule fig_c7_lq:
    input:
        firm_years=sample_firm_years(MAIN_SAMPLE),
        boundaries=f"{RESULTS}geography/boundaries_prefecture.parquet",
        industries="resources/industry/gb2002_2digit.csv",
    output:
        report(
            f"{RESULTS}figures/c7_lq_sunan.png",
            caption="../report/c7_lq_sunan.rst",
            category="C7. Sunan's clusters",
        ),
    log:
        f"{RESULTS}logs/fig_c7_lq.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c7_lq.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=3000,
    params:
        c7=config_provider("claims", "c7"),
        lq_maps=config_provider("figures", "lq_maps"),
        region_set=config_provider("geography", "region_set"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C7 figure: location-quotient maps of Sunan's leading industries ({params.lq_maps[scheme]} classes)"
    script:
        "../scripts/fig_c7_lq.py"


rule fig_c7_kdensity:
    input:
        density=f"{RESULTS}metrics/kdensity.parquet",
        summary=f"{RESULTS}metrics/kdensity_summary.parquet",
        industries="resources/industry/gb2002_2digit.csv",
    output:
        report(
            f"{RESULTS}figures/c7_kdensity.png",
            caption="../report/c7_kdensity.rst",
            category="C7. Sunan's clusters",
        ),
    log:
        f"{RESULTS}logs/fig_c7_kdensity.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_c7_kdensity.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        kdensity=config_provider("figures", "kdensity"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "C7 figure: K-densities of a localised and a dispersed industry"
    script:
        "../scripts/fig_c7_kdensity.py"


rule fig_counterfactuals:
    input:
        f"{RESULTS}flows/scenarios.parquet",
    output:
        report(
            f"{RESULTS}figures/counterfactuals.png",
            caption="../report/counterfactuals.rst",
            category="4. Relocation flows",
        ),
    log:
        f"{RESULTS}logs/fig_counterfactuals.log",
    benchmark:
        f"{RESULTS}benchmarks/fig_counterfactuals.tsv"
    conda:
        "../../environment.yml"
    resources:
        mem_mb=1000,
    params:
        counterfactuals=config_provider("figures", "counterfactuals"),
        synthetic=config_provider("run", "synthetic"),
        plotting=config_provider("plotting"),
    message:
        "Counterfactual distance scenarios: shifts of Shanghai's outflow shares"
    script:
        "../scripts/fig_counterfactuals.py"
