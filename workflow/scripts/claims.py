"""Claims table: one row per claim C1-C7 with the stated test, the numbers and the verdict (yrd.claims)."""

import pandas as pd

from yrd import claims as C
from yrd.claims.c4_measured import measured_indicators
from yrd.claims.c7_clusters import io_coefficients
from yrd.figures.common import codes_in_set, mapping_of
from yrd.industry import industry_classes, relocation_class
from yrd.io import write_csv
from yrd.logs import configure_logging

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
        pd.read_parquet(inp.index), pd.read_csv(inp.dose_china), p.region_set, years, segmentation
    )
    return C.claim_c4(segmentation, indicators, cfg["c4"], alpha, measured)


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
    return C.claim_c7(fy, areas, areas.map(mapping_of(prefectures, "group")), c7, alpha, io)


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
results = [C.skipped_claim(claim) if claim in skip else test() for claim, test in tests.items()]

table = C.claims_table(results)
write_csv(table, smk.output.table)
# C6: every basis, its sources and the per-country outcomes (a stub when C6 is switched off)
c6 = next(r for r in results if r.claim == "C6")
C.write_c6_json(c6.details.get("document") or {"claim": "C6", "verdict": c6.verdict, "notes": c6.notes}, smk.output.c6)
# C7: clusters, both parts and their fits (the only source of the C7 figure)
c7 = next(r for r in results if r.claim == "C7")
C.write_c7_json(c7.details.get("document") or {"claim": "C7", "verdict": c7.verdict, "reason": c7.notes}, smk.output.c7)
title = f"Claims of Zhang and Fang tested on run '{p.run}'"
with open(smk.output.html, "w", encoding="utf-8") as fh:
    fh.write(C.render_html(table, title, p.synthetic))
for r in table.itertuples():
    log.info("%s %s: %s", r.claim, r.verdict, r.value)
