"""C6: EU disparities in 2002."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult


def eu_gaps(gapminder: pd.DataFrame, year: int, countries: Sequence[str]) -> pd.DataFrame:
    """Gap of each country's GDP per capita to the population-weighted average of ``countries``
    in ``year`` (Gapminder: PPP, constant 2005 international dollars): ``country``, ``pop``,
    ``gdp_pc``, ``gap_pct`` = 100 (gdp_pc / average - 1); ``attrs['average']``. Raises when a
    country or the year is missing."""
    d = gapminder[(gapminder["year"] == int(year)) & gapminder["country"].isin(list(countries))]
    missing = sorted(set(countries) - set(d["country"]))
    if missing:
        raise ValueError(f"Gapminder has no {year} row for {missing}")
    avg = float((d["gdpPercap"] * d["pop"]).sum() / d["pop"].sum())
    out = pd.DataFrame(
        {
            "country": d["country"].astype(str).to_numpy(),
            "pop": d["pop"].to_numpy(dtype=float),
            "gdp_pc": d["gdpPercap"].to_numpy(dtype=float),
        }
    )
    out["gap_pct"] = 100 * (out["gdp_pc"] / avg - 1)
    out = out.sort_values("gap_pct", ascending=False).reset_index(drop=True)
    out.attrs["average"] = avg
    return out


def c6_verdict(gaps: pd.DataFrame, paper: Mapping[str, float], tolerance_pp: float) -> str:
    """``supported`` if every paper figure is reproduced within ``tolerance_pp`` percentage
    points, ``not supported`` otherwise, ``no data`` if a country is missing."""
    g = gaps.set_index("country")["gap_pct"]
    if not set(paper) <= set(g.index):
        return "no data"
    return "supported" if all(abs(g[c] - v) <= tolerance_pp for c, v in paper.items()) else "not supported"


def claim_c6(gapminder: pd.DataFrame | None, cfg: Mapping[str, Any]) -> ClaimResult:
    """C6 from Gapminder. ``cfg``: year, countries, paper ({country: gap in %}), tolerance_pp."""
    paper = {str(k): float(v) for k, v in cfg["paper"].items()}
    test = (
        f"GDP per capita (Gapminder, PPP, constant 2005 USD) of each country in {cfg['year']} relative to "
        f"the population-weighted average of {len(cfg['countries'])} EU members ({', '.join(cfg['countries'])}): "
        f"supported if every figure of the paper ({', '.join(f'{k} {v:+g}%' for k, v in paper.items())}) is "
        f"reproduced within {cfg['tolerance_pp']} percentage points, else not supported."
    )
    evidence = "figures/c6_eu_disparities.png; resources/gapminder/gapminder.csv"
    notes = "Italy's regional per-capita GDP gap (70%): no data (no regional GDP shipped)."
    if gapminder is None:
        return ClaimResult("C6", test, "no Gapminder table", "no data", evidence, notes)
    try:
        gaps = eu_gaps(gapminder, cfg["year"], cfg["countries"])
    except ValueError as err:
        return ClaimResult("C6", test, str(err), "no data", evidence, notes)
    verdict = c6_verdict(gaps, paper, float(cfg["tolerance_pp"]))
    g = gaps.set_index("country")["gap_pct"]
    value = (
        "; ".join(
            f"{c}: {g.get(c, float('nan')):+.1f}% (paper {v:+g}%, diff {g.get(c, float('nan')) - v:+.1f} pp)"
            for c, v in paper.items()
        )
        + f"; average {gaps.attrs['average']:,.0f} USD"
    )
    return ClaimResult("C6", test, value, verdict, evidence, notes, details={"gaps": gaps})
