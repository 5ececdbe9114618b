"""Claim documents built from small hand-made frames, for the figure tests
(tests/test_figures.py, tests/test_claim_figures.py): each goes through the claim function,
:func:`yrd.claims.claim_document` and a JSON round trip, as claims/cN.json does in the workflow."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from helpers.claim_configs import C1_CFG, C2_CFG, C3_CFG
from yrd import claims as C

ALPHA = 0.05
C4_CFG = {
    "indicators": None,
    "tiers": {
        "top": ["transport"],
        "middle": ["information", "ecology"],
        "bottom": ["market", "industry", "institution", "economic"],
    },
}
C5_CFG = {
    "region_set": "yrd16_2003",
    "metric": "structural_similarity",
    "level": "prefecture",
    "year": None,
    "threshold": 0.8,
    "hac_lags": 1,
    "break_year": None,
}
C6_CFG = {
    "year": 2002,
    "countries": ["Germany", "Portugal", "Greece", "France", "Luxembourg"],
    "paper": {"Germany": 14, "Portugal": -46, "Greece": -46},
    "italy_gap_pct": 70,
    "tolerance_pp": 5,
}


def as_json(result) -> dict:
    """The claim document of ``result`` after a JSON round trip (as read from claims/cN.json)."""
    return json.loads(json.dumps(C.claim_document(result), allow_nan=False))


def c1_panels():
    """Industry-year concentration (EG an inverted U at 0.5, Gini rising) and region-year
    specialisation, 8 industries and 6 regions over 12 years, with industry/region effects."""
    x = np.linspace(0, 1, 12)
    years = range(2000, 2012)
    wiggle = 0.004 * np.sin(np.arange(12 * 8) * 2.3)
    conc = pd.DataFrame(
        [
            (y, f"{i:02d}", m, 0.02 * i + f + wiggle[i * 12 + k], xk)
            for m, fn in (
                ("ellison_glaeser", lambda z: 0.3 - (z - 0.5) ** 2),
                ("locational_gini", lambda z: 0.4 + 0.05 * z + 0.01 * np.sin(7 * z)),
            )
            for i in range(8)
            for k, (y, xk) in enumerate(zip(years, x, strict=True))
            for f in [fn(xk)]
        ],
        columns=["year", "industry", "metric", "value", "integration"],
    )
    spec = pd.DataFrame(
        [
            (y, f"r{r}", 0.5 + 0.03 * r + 0.1 * xk + wiggle[r * 12 + k], xk)
            for r in range(6)
            for k, (y, xk) in enumerate(zip(years, x, strict=True))
        ],
        columns=["year", "region", "value", "integration"],
    )
    return conc, spec


CLASSES = {"13": "labour", "26": "capital", "25": "port", "22": "urban"}
GROUPS = {"310100": "shanghai", "320500": "sunan", "330100": "zhejiang", "330400": "zhejiang"}
YEARS = list(range(1998, 2014))


def firm_years():
    rows = [
        (f"{p}-{ind}-{k}", y, p, ind)
        for p in ("310100", "320500", "330100")
        for ind in CLASSES
        for k in range(40)
        for y in YEARS
    ]
    return pd.DataFrame(rows, columns=["firm_id", "year", "prefecture", "industry"])


def moves():
    """Moves Shanghai <-> Suzhou by class and Zhejiang firms' moves growing over the years."""
    rows = []
    for y in YEARS:
        for ind, (o, i) in {"13": (4, 1), "26": (3, 1), "25": (1, 3), "22": (1, 1)}.items():
            rows += [(y, "310100", "320500", ind)] * o + [(y, "320500", "310100", ind)] * i
        rows += [(y, "330100", "330400", "13")] * (2 + (y - 1998) // 3) + [(y, "330100", "310100", "13")] * 2
    m = pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])
    return m.assign(firm_id=range(len(m)))


def c1_document(metrics=None, constant: bool = False) -> dict:
    conc, spec = c1_panels()
    if constant:
        conc, spec = conc.assign(integration=0.0), spec.assign(integration=0.0)
    cfg = {**C1_CFG, "metrics": metrics or C1_CFG["metrics"]}
    return as_json(C.claim_c1(conc, spec, cfg, ALPHA, "test integration"))


def c2_document(empty: bool = False) -> dict:
    if empty:
        return as_json(C.claim_c2(None, None, GROUPS, CLASSES, YEARS, C2_CFG, ALPHA))
    return as_json(C.claim_c2(moves(), firm_years(), GROUPS, CLASSES, YEARS, C2_CFG, ALPHA))


def c3_document() -> dict:
    return as_json(C.claim_c3(moves(), firm_years(), YEARS, C3_CFG, ALPHA))


def c4_measured() -> pd.DataFrame:
    """Transport (one indicator) progressing faster than economic (two indicators), 2000-2012."""
    years = np.arange(2000, 2013)
    wiggle = 0.01 * np.sin(np.arange(len(years)) * 2.3)
    rows = []
    for dim, ind, rate in (
        ("transport", "mean_travel_time", 0.05),
        ("economic", "cv_gdp_per_capita", 0.01),
        ("economic", "cv_manufacturing_share", 0.015),
    ):
        value = 3.0 * np.exp(-rate * (years - 2000) + wiggle)
        for y, v in zip(years, value, strict=True):
            rows.append((int(y), dim, ind, float(v), "", "", float(value[0] / v), 2000))
    cols = ["year", "dimension", "indicator", "value", "unit", "source", "progress", "base_year"]
    return pd.DataFrame(rows, columns=cols)


def c4_document(segmentation: bool = True) -> dict:
    seg = None
    if segmentation:
        seg = pd.DataFrame({"year": range(2000, 2008), "n_pairs": 3, "segmentation": np.linspace(0.003, 0.001, 8)})
        seg["segmentation"] += 0.0001 * np.sin(np.arange(8))
    return as_json(C.claim_c4(seg, None, C4_CFG, ALPHA, c4_measured()))


SIM_CODES = ["310100", "320500", "320600", "330400"]


def similarity() -> pd.DataFrame:
    rows = [
        (y, "prefecture", a, b, "structural_similarity", 0.5 + 0.01 * (y - 2000) + 0.01 * np.sin(y + i + j))
        for y in range(2000, 2011)
        for i, a in enumerate(SIM_CODES)
        for j, b in enumerate(SIM_CODES)
        if a != b
    ]
    return pd.DataFrame(rows, columns=["year", "level", "region_a", "region_b", "metric", "value"])


def c5_document() -> dict:
    others = {"yrd16_2003": SIM_CODES, "yrd41_2019": SIM_CODES[:3]}
    r = C.claim_c5(similarity(), SIM_CODES, C5_CFG, ALPHA, others=others, matrix_years=[2000, 2010])
    return as_json(r)


def c6_tables() -> dict[str, pd.DataFrame]:
    countries = {"Germany": "DEU", "Portugal": "PRT", "Greece": "GRC", "France": "FRA", "Luxembourg": "LUX"}
    gdp_pc = {"Germany": 114.0, "Portugal": 54.0, "Greece": 60.0, "France": 100.0, "Luxembourg": 300.0}
    wb = [(n, countries[n], 2002) for n in countries]
    cols = ["Country Name", "Country Code", "Year", "Value"]
    gdp = pd.DataFrame([(*r, gdp_pc[r[0]] * 10) for r in wb], columns=cols)
    pop = pd.DataFrame([(*r, 10.0) for r in wb], columns=cols)
    gapminder = pd.DataFrame(  # no Luxembourg, as in Gapminder
        {
            "country": ["Germany", "Portugal", "Greece", "France"],
            "year": 2002,
            "pop": 10,
            "gdpPercap": [30.0, 20, 22, 29],
        }
    )
    dose = pd.DataFrame(
        {
            "country": "Italy",
            "region": ["Lombardia", "Lazio", "Calabria"],
            "GID_0": "ITA",
            "year": 2002,
            "grp_lcu": [300.0, 250.0, 140.0],
            "pop": 10.0,
            "grp_pc_lcu": [30.0, 25.0, 14.0],
            "fx": 1.06,
            "PPP": 0.82,
        }
    )
    return {"worldbank_gdp": gdp, "worldbank_pop": pop, "gapminder": gapminder, "dose": dose}


def c6_document() -> dict:
    return as_json(C.claim_c6(C6_CFG, **c6_tables()))


#: Prefectures of :func:`similarity`: code -> (Chinese name, English name, region group).
CODES_FOR_MAPS = {
    "310100": ("上海市", "Shanghai", "shanghai"),
    "320500": ("苏州市", "Suzhou", "sunan"),
    "320600": ("南通市", "Nantong", "rest_of_jiangsu"),
    "330400": ("嘉兴市", "Jiaxing", "zhejiang"),
}
