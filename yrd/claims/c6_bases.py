"""C6's numbers on each basis: national GDP per capita from the World Bank, Gapminder and DOSE,
gaps to an EU mean, and Italy's regional spread from DOSE.

Each ``*_per_capita`` function returns one row per configured country found in its source for the
year (``country``, ``pop``, ``gdp``, ``gdp_pc``; ``gdp`` in the basis's currency unit) and lists the
countries it could not match in ``attrs['missing']``. :func:`gaps_to_mean` turns such a table into
gaps to the population-weighted or the unweighted mean of the countries present.

Sources (see the READMEs in ``resources/``):

* World Bank, World Development Indicators: GDP in current US$ (NY.GDP.MKTP.CD) and total
  population (SP.POP.TOTL); ``resources/worldbank/`` (columns ``Country Name``, ``Country Code``,
  ``Year``, ``Value``).
* Gapminder: GDP per capita at PPP in constant 2005 international dollars (``gdpPercap``) and
  ``pop``; ``resources/gapminder/gapminder.csv``.
* DOSE v2.11 (Wenz et al. 2023, Scientific Data 10, 425): regional GDP in local currency
  (``grp_lcu``), population, per-capita GDP (``grp_pc_lcu``), market exchange rate ``fx`` and PPP
  conversion factor ``PPP`` (both local currency per US$ / international $);
  ``resources/dose/dose_eu2002.csv``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

#: ISO 3166 alpha-3 codes of the EU-15 members (names as in Gapminder and the World Bank), used
#: to find them in the World Bank and DOSE tables (DOSE calls the United Kingdom "UK").
ISO3 = {
    "Austria": "AUT",
    "Belgium": "BEL",
    "Denmark": "DNK",
    "Finland": "FIN",
    "France": "FRA",
    "Germany": "DEU",
    "Greece": "GRC",
    "Ireland": "IRL",
    "Italy": "ITA",
    "Luxembourg": "LUX",
    "Netherlands": "NLD",
    "Portugal": "PRT",
    "Spain": "ESP",
    "Sweden": "SWE",
    "United Kingdom": "GBR",
}

COLUMNS = ["country", "pop", "gdp", "gdp_pc"]


def _table(rows: list[tuple[str, float, float]], missing: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=["country", "pop", "gdp"])
    out["pop"] = out["pop"].astype(float)
    out["gdp"] = out["gdp"].astype(float)
    out["gdp_pc"] = out["gdp"] / out["pop"]
    out.attrs["missing"] = list(missing)
    return out


def worldbank_per_capita(
    gdp: pd.DataFrame, population: pd.DataFrame, year: int, countries: Sequence[str]
) -> pd.DataFrame:
    """GDP per capita at market exchange rates (current US$) = NY.GDP.MKTP.CD / SP.POP.TOTL of
    each country in ``year``; a country is found by its ISO3 code (:data:`ISO3`), else by
    ``Country Name``; one without both values is listed in ``attrs['missing']``."""

    def values(t: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
        t = t[(t["Year"] == int(year)) & t["Value"].notna()]
        return (
            dict(zip(t["Country Code"].astype(str), t["Value"].astype(float), strict=True)),
            dict(zip(t["Country Name"].astype(str), t["Value"].astype(float), strict=True)),
        )

    g_code, g_name = values(gdp)
    p_code, p_name = values(population)
    rows, missing = [], []
    for c in countries:
        code = ISO3.get(c)
        g = g_code.get(code) if code in g_code else g_name.get(c)
        p = p_code.get(code) if code in p_code else p_name.get(c)
        if g is None or p is None or p <= 0:
            missing.append(c)
        else:
            rows.append((c, p, g))
    return _table(rows, missing)


def gapminder_per_capita(gapminder: pd.DataFrame, year: int, countries: Sequence[str]) -> pd.DataFrame:
    """GDP per capita at PPP (constant 2005 international $), Gapminder ``gdpPercap``, with
    ``gdp`` = gdpPercap x pop; countries without a ``year`` row in ``attrs['missing']``."""
    d = gapminder[(gapminder["year"] == int(year)) & gapminder["gdpPercap"].notna() & gapminder["pop"].notna()]
    by_name = {str(r.country): (float(r.pop), float(r.gdpPercap)) for r in d.itertuples()}
    rows = [(c, by_name[c][0], by_name[c][0] * by_name[c][1]) for c in countries if c in by_name]
    return _table(rows, [c for c in countries if c not in by_name])


def _dose_rows(dose: pd.DataFrame, year: int, country: str) -> pd.DataFrame:
    code = ISO3.get(country)
    d = dose[dose["year"] == int(year)]
    return d[d["GID_0"] == code] if code else d[d["country"] == country]


def dose_per_capita(dose: pd.DataFrame, year: int, countries: Sequence[str], conversion: str) -> pd.DataFrame:
    """National GDP per capita from DOSE regions: sum(grp_lcu / ``conversion``) / sum(pop) over
    the regions of each country in ``year``, ``conversion`` = ``"fx"`` (market exchange rate:
    current US$) or ``"PPP"`` (PPP conversion factor: current international $). A country counts
    only when complete: it has region rows and none lacks ``grp_lcu``, ``pop`` or the factor;
    the others go to ``attrs['missing']``. Note that the sum covers the regions DOSE reports, which
    need not be the whole country (e.g. Portugal 2002, see resources/dose/README.md)."""
    if conversion not in ("fx", "PPP"):
        raise ValueError(f"conversion must be 'fx' or 'PPP', not {conversion!r}")
    rows, missing = [], []
    for c in countries:
        d = _dose_rows(dose, year, c)
        if d.empty or d[["grp_lcu", "pop", conversion]].isna().any().any() or (d[conversion] <= 0).any():
            missing.append(c)
            continue
        rows.append((c, float(d["pop"].sum()), float((d["grp_lcu"] / d[conversion]).sum())))
    return _table(rows, missing)


def gaps_to_mean(per_capita: pd.DataFrame, *, weighted: bool = True) -> pd.DataFrame:
    """``gap_pct`` = 100 (gdp_pc / mean - 1) of each row, the mean being population-weighted,
    sum(gdp) / sum(pop), or (``weighted=False``) the unweighted mean of ``gdp_pc`` over the rows.
    Sorted by gap, largest first; ``attrs``: ``average``, ``weighted`` and the input's
    ``missing``. Raises on an empty table."""
    if per_capita.empty:
        raise ValueError("no country to average over")
    avg = float(per_capita["gdp"].sum() / per_capita["pop"].sum()) if weighted else float(per_capita["gdp_pc"].mean())
    out = per_capita.copy()
    out["gap_pct"] = 100 * (out["gdp_pc"] / avg - 1)
    out = out.sort_values("gap_pct", ascending=False, kind="stable").reset_index(drop=True)
    out.attrs = {"average": avg, "weighted": weighted, "missing": list(per_capita.attrs.get("missing", []))}
    return out


def regional_gap(dose: pd.DataFrame, year: int, country: str = "Italy") -> dict[str, Any]:
    """Spread of regional GDP per capita (DOSE ``grp_pc_lcu``, local currency, current prices)
    inside ``country`` in ``year``: the richest and poorest regions, the national value
    sum(grp_lcu) / sum(pop), ``gap_pct`` = 100 (max - min) / national, ``ratio`` = max / min,
    ``max_over_min_pct`` = 100 (max / min - 1) and ``min_below_max_pct`` = 100 (1 - min / max).
    ``regions``: every region's name and value, richest first. Raises without two regions."""
    d = _dose_rows(dose, year, country).dropna(subset=["grp_pc_lcu"])
    if len(d) < 2:
        raise ValueError(f"DOSE has fewer than two regions of {country} with grp_pc_lcu in {year}")
    d = d.sort_values("grp_pc_lcu", ascending=False, kind="stable")
    hi, lo = d.iloc[0], d.iloc[-1]
    complete = not d[["grp_lcu", "pop"]].isna().any().any()
    national = float(d["grp_lcu"].sum() / d["pop"].sum()) if complete else float("nan")
    vmax, vmin = float(hi["grp_pc_lcu"]), float(lo["grp_pc_lcu"])
    return {
        "country": country,
        "year": int(year),
        "n_regions": len(d),
        "max_region": str(hi["region"]),
        "max": vmax,
        "min_region": str(lo["region"]),
        "min": vmin,
        "national": national,
        "gap_pct": 100 * (vmax - vmin) / national,
        "ratio": vmax / vmin,
        "max_over_min_pct": 100 * (vmax / vmin - 1),
        "min_below_max_pct": 100 * (1 - vmin / vmax),
        "regions": [
            {"region": str(r.region), "gdp_pc_lcu": float(r.grp_pc_lcu)}
            for r in d[["region", "grp_pc_lcu"]].itertuples()
        ],
    }
