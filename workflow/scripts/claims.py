"""Claims on one analysis sample: each claim's document claims/<sample>/cN.json
(yrd.claims.document) and the sample's claims table as a view of those documents; rule claims
combines the samples into claims.csv and claims.html."""

import pandas as pd

from yrd import claims as C
from yrd.claims import sources as S
from yrd.claims.c4_measured import integration_region_set, measured_indicators
from yrd.claims.c7_clusters import io_coefficients
from yrd.industry import industry_classes, relocation_class
from yrd.io import map_values, write_csv
from yrd.logs import configure_logging
from yrd.regions import codes_in_set, mapping_of

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cfg = p.claims
alpha = cfg["alpha"]
years = list(range(p.start, p.end + 1))
inp = smk.input

skip = set(cfg.get("skip") or [])
prefectures = pd.read_parquet(inp.boundaries, columns=["code", "group", "yrd16_2003", "yrd41_2019"])


def firm_years() -> pd.DataFrame:
    """Firm-years for the firms at risk of C2 and C3."""
    return pd.read_parquet(inp.firm_years, columns=["firm_id", "year", "prefecture", "industry"])


def c1():
    c1 = cfg["c1"]
    missing = C.c1_without_index(
        inp.integration, configured=bool(c1["integration"]), region_set=p.region_set, measure=p.c1_measure, cfg=c1
    )
    if missing is not None:
        return missing
    integ, _ = C.c1_integration(
        inp.integration,
        years,
        configured=bool(c1["integration"]),
        region_set=p.region_set,
        measure=p.c1_measure,
    )
    conc, spec = C.c1_panels(
        pd.read_parquet(inp.concentration),
        pd.read_parquet(inp.specialisation),
        integ,
        level=c1["level"],
        metrics=c1["metrics"],
        specialisation_metric=c1["specialisation"],
    )
    return C.claim_c1(conc, spec, c1, alpha, integ["source"].iloc[0] if len(integ) else "")


def c4():
    segmentation = pd.read_parquet(inp.segmentation) if inp.get("segmentation") else None
    indicators = C.read_table(inp.indicators) if inp.get("indicators") else None
    measured = measured_indicators(
        pd.read_parquet(inp.index),
        pd.read_csv(inp.dose_china),
        integration_region_set(p.region_set),
        years,
        segmentation,
    )
    return C.claim_c4(segmentation, indicators, cfg["c4"], alpha, measured, integration_region_set(p.region_set))


def c7():
    c7 = cfg["c7"]
    members = codes_in_set(prefectures, p.region_set)
    cols = ["year", "prefecture", "industry", "reg_type", *dict.fromkeys([c7["measure"], c7["output_measure"]])]
    fy = pd.read_parquet(inp.firm_years, columns=cols)
    pref = fy["prefecture"].astype(str)
    areas = pref.where(pref.isin(members))
    io = io_coefficients(
        pd.read_csv(inp.io_intermediate, dtype={"from_code": str, "to_code": str}),
        pd.read_csv(inp.io_value_added, dtype={"code": str}),
        pd.read_csv(inp.io_sector_map, dtype=str),
    )
    return C.claim_c7(fy, areas, map_values(areas, mapping_of(prefectures, "group")), c7, alpha, io)


tests = {
    "C1": c1,
    "C2": lambda: C.claim_c2(
        pd.read_parquet(inp.moves),
        firm_years(),
        mapping_of(prefectures, "group"),
        relocation_class(industry_classes(inp.classes)),
        years,
        cfg["c2"],
        alpha,
    ),
    "C3": lambda: C.claim_c3(pd.read_parquet(inp.moves), firm_years(), years, cfg["c3"], alpha),
    "C4": c4,
    "C5": lambda: C.claim_c5(
        pd.read_parquet(inp.similarity),
        codes_in_set(prefectures, cfg["c5"]["region_set"]),
        cfg["c5"],
        alpha,
        others={s: codes_in_set(prefectures, s) for s in C.C5_REGION_SETS},
        matrix_years=p.heatmap_years,
    ),
    "C6": lambda: C.claim_c6(
        cfg["c6"],
        worldbank_gdp=pd.read_csv(inp.worldbank_gdp),
        worldbank_pop=pd.read_csv(inp.worldbank_pop),
        gapminder=pd.read_csv(inp.gapminder),
        dose=pd.read_csv(inp.dose_eu),
    ),
    "C7": c7,
}


def run(claim, test):
    """The claim's result: off when skipped, no data when its test needs the survey and the run has none."""
    if claim in skip:
        return C.skipped_claim(claim)
    if claim in C.SURVEY_CLAIMS and not inp.get("firm_years"):
        return C.no_survey_claim(claim, cfg.get(claim.lower()))
    return test()


results = [run(claim, test) for claim, test in tests.items()]

# C2 and C3 on each registration source beside the main test on the ASIF moves (yrd.claims.sources)
sources = {
    name: pd.read_parquet(inp[key])
    for name, key in (("changes", "relocation_events"), ("investments", "expansion_events"))
    if inp.get(key)
}
if sources:
    groups = mapping_of(prefectures, "group")
    classes = relocation_class(industry_classes(inp.classes))
    by_claim = {
        "C2": lambda: S.c2_by_source(sources, groups, classes, cfg["c2"], alpha),
        "C3": lambda: S.c3_by_source(sources, years, cfg["c3"], alpha),
    }
    evidence = {r.claim: by_claim[r.claim]() for r in results if r.claim in by_claim and r.verdict != "off"}
    results = [
        S.attach_sources(S.verdict_from_source(r, evidence[r.claim]), evidence[r.claim]) if r.claim in evidence else r
        for r in results
    ]
    log.info("C2/C3 by source: %s", ", ".join(f"{k} ({len(v)} events)" for k, v in sources.items()))

# every claim writes its document; the table and the HTML view are read back from the documents
sample = smk.wildcards.sample
for r in results:
    C.write_claim_json({**C.claim_document(r), "sample": sample}, smk.output[r.claim.lower()])
docs = [C.read_claim_json(smk.output[f"c{n}"]) for n in range(1, 8)]
table = C.claims_table_from_documents(docs)
write_csv(table, smk.output.table)
for r in table.itertuples():
    log.info("%s sample, %s %s: %s", sample, r.claim, r.verdict, r.value)
