"""China's national manufacturing employment by GB/T 4754-2002 division (real data, ionet).

Data
----
``resources/ionet/china_employment.csv``: number of employed persons in China by sector,
1990-2018, in ten-thousand persons (Wang, Jia and Wang 2021, *Research on Sectoral Employment
Accounting of China*, Statistical Research 38(12), 3-18; as shipped by the R package ionet
0.2.2 of Xiao, Yan and Zhang, GPL-3.0). The 31 manufacturing divisions ``C01`` .. ``C31`` are
the divisions 13-43 of GB/T 4754-2011/2017 in every year (the series is consistent over time).
``resources/ionet/manufacturing_gb4754_map.csv`` assigns each to a GB/T 4754-2002 division
(column ``gb4754_2002_division``).

Mapping to the 30 divisions of GB/T 4754-2002 (:func:`national_division_employment`)
------------------------------------------------------------------------------------
* ``NN`` (``clean``, ``uncertain``, ``clean (minor 4-digit moves)``): the whole division goes to
  2002 division ``NN``. The ``uncertain`` rows of the map (2011 divisions 18, 19, 24, 34, 40, 41)
  gained or lost a few four-digit classes between the vintages; those small moves are not
  redistributed (there are no four-digit employment data to do it with).
* ``NN (part)``: several 2011 divisions make up one 2002 division, whose employment is their
  sum (2002 division 37, transport equipment = 2011 division 36 automobiles + 37 railway,
  ships, aerospace and other transport equipment).
* ``NN+MM``: one 2011 division covers several 2002 divisions (2011 division 29, rubber and
  plastic products = 2002 division 29 rubber + 30 plastics). Its employment is split by the
  weights of the project's 2011 -> 2002 crosswalk at two digits (:func:`yrd.industry.crosswalk`,
  rule ``children_share``: equal weight per four-digit class of the 2011 division), restricted to
  the listed 2002 divisions and rescaled to sum to 1: 0.4 to rubber (29) and 0.6 to plastics (30)
  with the shipped crosswalk. It is the rule by which the pipeline harmonises firm records coded
  in GB/T 4754-2011; no national employment series separates the two.
* ``none``: the division has no 2002 counterpart and is left out (2011 division 43, repair of
  metal products and machinery, 0.3-0.4 % of manufacturing employment, spread over several
  2002 divisions); shares are taken over the 30 divisions that remain.
"""

from __future__ import annotations

import re

import pandas as pd

from yrd.industry.codes import MANUFACTURING_2002, Table, read_table
from yrd.industry.crosswalks import Crosswalks, crosswalk

_SINGLE = re.compile(r"^(\d{2})(?: \(part\))?$")
_UNION = re.compile(r"^\d{2}(?:\+\d{2})+$")


def _targets(field: str, code_2011: str, weights: pd.DataFrame) -> dict[str, float]:
    """2002 divisions of one row of the map, with the share of the row's employment each gets."""
    field = field.strip()
    if field == "none":
        return {}
    m = _SINGLE.match(field)
    if m:
        return {m.group(1): 1.0}
    if _UNION.match(field):
        listed = field.split("+")
        w = weights[(weights["from_code"] == code_2011) & weights["to_code"].isin(listed)]
        w = w.set_index("to_code")["weight"].reindex(listed).fillna(0.0)
        if w.sum() <= 0:
            raise ValueError(f"the 2011 -> 2002 crosswalk gives 2011 division {code_2011} no weight on {listed}")
        return (w / w.sum()).to_dict()
    raise ValueError(f"manufacturing map: cannot read the 2002 division {field!r} (of 2011 division {code_2011})")


def national_division_employment(employment: Table, division_map: Table, crosswalks: Crosswalks) -> pd.DataFrame:
    """National manufacturing employment by GB/T 4754-2002 division and year.

    ``employment``: ``resources/ionet/china_employment.csv``; ``division_map``:
    ``resources/ionet/manufacturing_gb4754_map.csv``; ``crosswalks``: the GB/T 4754 crosswalks
    (:func:`yrd.industry.load_crosswalks`), used only to split 2011 division 29 (rules in the
    module docstring).

    Returns ``year``, ``code`` (the 30 divisions of :data:`MANUFACTURING_2002`), ``employment``
    (ten-thousand persons) and ``share`` (of the 30 divisions' total in that year, 0-1), sorted
    by year and code. Raises ``ValueError`` when a 2002 division receives no employment or the
    map names a sector the employment table does not have.
    """
    emp = read_table(employment, dtype={"sector_code": str})
    dmap = read_table(division_map, dtype=str, keep_default_na=False)
    weights = crosswalk(2011, level=2, crosswalks=crosswalks)
    rows = []
    for r in dmap.itertuples(index=False):
        for code, w in _targets(r.gb4754_2002_division, r.gb4754_2011_2017_division.strip(), weights).items():
            rows.append({"sector_code": r.sector_code, "code": code, "weight": w})
    links = pd.DataFrame(rows, columns=["sector_code", "code", "weight"])
    unknown = sorted(set(links["sector_code"]) - set(emp["sector_code"]))
    if unknown:
        raise ValueError(f"manufacturing map: sectors {unknown} are not in the employment table")
    d = emp[["sector_code", "year", "value"]].merge(links, on="sector_code")
    d["employment"] = d["value"] * d["weight"]
    out = d.groupby(["year", "code"], as_index=False)["employment"].sum()
    missing = sorted(set(MANUFACTURING_2002) - set(out["code"]))
    if missing:
        raise ValueError(f"no national employment for GB/T 4754-2002 divisions {missing}")
    out = out[out["code"].isin(MANUFACTURING_2002)]
    out["share"] = out["employment"] / out.groupby("year")["employment"].transform("sum")
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["year", "code"]).reset_index(drop=True)


def division_shares_by_year(national: pd.DataFrame, years: list[int], codes: list[str], first: int) -> pd.DataFrame:
    """Shares of ``codes`` (rows: ``years``, columns: ``codes``, rows sum to 1) from the table of
    :func:`national_division_employment`. A year before ``first`` (a burn-in year) takes the
    shares of ``first``; a year the table does not cover raises ``ValueError``."""
    wide = national.pivot(index="year", columns="code", values="share")
    missing_codes = sorted(set(codes) - set(wide.columns))
    if missing_codes:
        raise ValueError(f"no national employment share for divisions {missing_codes}")
    use = [max(int(y), int(first)) for y in years]
    missing = sorted(set(use) - set(wide.index))
    if missing:
        raise ValueError(
            f"national employment by industry covers {wide.index.min()}-{wide.index.max()}, not the years {missing}"
        )
    s = wide.loc[use, codes].to_numpy(dtype=float)
    s = s / s.sum(axis=1, keepdims=True)
    return pd.DataFrame(s, index=pd.Index(list(years), name="year"), columns=list(codes))
