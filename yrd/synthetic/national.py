"""The synthetic world beyond the YRD: census populations of every prefecture-level unit of China,
port access of China's ports, and effective distances where no road travel time exists.

Prefecture-level units are those of :func:`yrd.boundaries.build_boundaries` (a county code ``c``
belongs to ``c[:4] + "00"``); :func:`census_population` maps the shipped census table
(``resources/census/census_city_2010-2020_v1_nogeom.csv``, 369 rows) onto them:

* a census city whose code is a unit's code: its 2010 population (``popu_2010``);
* province-administered county-level units (``xx90yy``): summed into their unit ``xx9000``;
* Chongqing (one census row, 500100): split between its districts (500100) and counties
  (500200) in proportion to their land area (the census table has no county rows);
* a unit whose census rows have no 2010 population takes the 2020 one (Sansha); with neither
  (the ten Xinjiang Production and Construction Corps cities, 659000) its area times the
  population density of the other units of its province;
* Hong Kong and Macau (810000, 820000) and cities of provinces outside the study: unmatched.

Every census row and every unit gets a line in the report, with the rule applied.

Road travel times (Ma and Tang 2024) join only the 41 YRD prefectures. :func:`fill_road_hours`
gives every other pair p != q of year t the hours

    T_pq(t) = D_pq / s(t),    s(t) = sum_{(p,q) timed} D_pq / sum_{(p,q) timed} T_pq(t),

with D the great-circle distance between centroids and s(t) the speed, in great-circle km per
road hour, of the pairs that have a travel time in year t (the YRD's road network including
its detour over the straight line). The effective distance v T_pq(t) of
:func:`yrd.synthetic.places.effective_distance` (v = s(t0)) is then D_pq s(t0) / s(t): the
great-circle distance in the first year, shrinking with the YRD's speed gains afterwards. A
world whose pairs all have travel times (every YRD world) is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Port access of prefectures outside the four YRD provinces, on the scale of
#: :data:`yrd.synthetic.places.PORT_ACCESS` (project assignment, synthetic world only). 1: the
#: container hubs among the coastal main ports (主要港口) of the 全国沿海港口布局规划 (Ministry of
#: Communications 2006); 0.5: the other coastal main ports of that plan and the main ports of the
#: upper and middle Yangtze (Wuhan, Chongqing); 0.25: the inland main ports of the
#: 全国内河航道与港口布局规划 (2007) and other coastal prefectures with regional ports.
NATIONAL_PORT_ACCESS = {
    # coastal container hubs
    "120100": 1.0, "210200": 1.0, "370200": 1.0, "350200": 1.0, "440100": 1.0, "440300": 1.0,
    # other coastal main ports; Yangtze main ports upstream
    "130300": 0.5, "130200": 0.5, "130900": 0.5, "210800": 0.5, "210700": 0.5, "370600": 0.5,
    "371100": 0.5, "350100": 0.5, "350500": 0.5, "440500": 0.5, "440400": 0.5, "440800": 0.5,
    "450600": 0.5, "450700": 0.5, "450500": 0.5, "460100": 0.5, "420100": 0.5, "500100": 0.5,
    # inland main ports and regional coastal ports
    "510500": 0.25, "420500": 0.25, "421000": 0.25, "420200": 0.25, "430600": 0.25, "430100": 0.25,
    "360100": 0.25, "360400": 0.25, "370800": 0.25, "450100": 0.25, "450800": 0.25, "450400": 0.25,
    "441200": 0.25, "440600": 0.25, "230100": 0.25, "230800": 0.25, "210600": 0.25, "371000": 0.25,
    "370700": 0.25, "370500": 0.25, "371600": 0.25, "350600": 0.25, "350300": 0.25, "350900": 0.25,
    "445200": 0.25, "441500": 0.25, "441300": 0.25, "441900": 0.25, "442000": 0.25, "440700": 0.25,
    "441700": 0.25, "440900": 0.25, "460200": 0.25, "460400": 0.25, "211400": 0.25, "211100": 0.25,
}  # fmt: skip

#: First two digits of the postcodes of the provinces outside the YRD (China Post's allocation by
#: province; look-real only).
POSTCODE_PROVINCE = {
    "11": "10", "12": "30", "13": "05", "14": "03", "15": "01", "21": "11", "22": "13", "23": "15", "35": "35",
    "36": "33", "37": "25", "41": "45", "42": "43", "43": "41", "44": "51", "45": "53", "46": "57", "50": "40",
    "51": "61", "52": "55", "53": "65", "54": "85", "61": "71", "62": "73", "63": "81", "64": "75", "65": "83",
}  # fmt: skip

_EXCLUDED = {"81": "Hong Kong SAR: not in the survey", "82": "Macau SAR: not in the survey"}


def census_population(
    census: pd.DataFrame, prefectures: pd.DataFrame, counties: pd.DataFrame
) -> tuple[pd.Series, pd.DataFrame]:
    """Population (persons) of every prefecture-level unit in ``prefectures`` (``code``,
    ``area_km2``) from the census table ``census`` (``city_code``, ``city``, ``popu_2010``,
    ``popu_2020``), by the rules of the module docstring; ``counties`` (``code``,
    ``prefecture_code``, ``area_km2``) splits Chongqing.

    Returns ``(population indexed by unit code, report)``; the report has one row per census
    row (``source`` = ``census``: ``city_code``, ``city``, ``unit``, ``rule``) and one per unit
    filled without a census row of its own (``source`` = ``unit``). A unit left without a
    population raises ``ValueError``.
    """
    codes = pd.Index(prefectures["code"].astype(str))
    c = census.assign(city_code=census["city_code"].astype(str))
    pop2010 = c["popu_2010"].astype(float)
    value = pop2010.fillna(c["popu_2020"].astype(float))
    unit = c["city_code"].where(c["city_code"].str[2:4] != "90", c["city_code"].str[:4] + "00")
    rule = np.where(c["city_code"].str[2:4] == "90", "summed into province-administered unit", "direct")
    rule = np.where(pop2010.isna() & value.notna(), rule + "; 2020 population (no 2010)", rule)
    rule = np.where(value.isna(), rule + "; no population: density fallback", rule)
    excluded = c["city_code"].str[:2].map(_EXCLUDED)
    rule = np.where(excluded.notna(), "unmatched: " + excluded.fillna(""), rule)
    rule = np.where(
        excluded.isna() & ~unit.isin(codes), "unmatched: not a unit of the world (other provinces, or no county)", rule
    )
    report = pd.DataFrame({"source": "census", "city_code": c["city_code"], "city": c["city"], "unit": unit})
    report["rule"] = rule
    ok = unit.isin(codes) & value.notna()
    pop = value[ok].groupby(unit[ok]).sum()
    extra = []
    if {"500100", "500200"} <= set(codes) and "500100" in pop.index:
        area = counties.assign(p=counties["prefecture_code"].astype(str)).groupby("p")["area_km2"].sum()
        total, a1, a2 = pop["500100"], area.get("500100", 0.0), area.get("500200", 0.0)
        pop["500100"], pop["500200"] = total * a1 / (a1 + a2), total * a2 / (a1 + a2)
        report.loc[report["city_code"] == "500100", "rule"] = "split between 500100 and 500200 by land area"
        extra.append(("500200", "Chongqing's counties: share of census 500100 by land area"))
    area_p = prefectures.assign(code=prefectures["code"].astype(str)).set_index("code")["area_km2"].astype(float)
    for code in codes.difference(pop.index):
        same = [k for k in pop.index if k[:2] == code[:2]]
        if not same:
            raise ValueError(f"no census population for prefecture {code} nor any unit of its province")
        density = pop[same].sum() / area_p[same].sum()
        pop[code] = area_p[code] * density
        extra.append((code, f"area x census density of the other units of province {code[:2]}"))
    report = pd.concat(
        [report, pd.DataFrame({"source": "unit", "unit": [e[0] for e in extra], "rule": [e[1] for e in extra]})],
        ignore_index=True,
    )
    return pop.reindex(codes), report


def fill_road_hours(hours: np.ndarray, dist_km: np.ndarray) -> tuple[np.ndarray, int]:
    """Fill the missing off-diagonal travel times of ``hours`` (Y x P x P, NaN where missing) with
    D_pq / s(t) (module docstring), D the great-circle distances ``dist_km`` (P x P). Returns the
    filled array and the number of (year, pair) cells filled. Raises ``ValueError`` when a year
    has no timed pair to take s(t) from."""
    out = hours.copy()
    off = ~np.eye(dist_km.shape[0], dtype=bool)
    filled = 0
    for k in range(out.shape[0]):
        h = out[k]
        miss = off & np.isnan(h)
        if not miss.any():
            continue
        timed = off & ~np.isnan(h)
        if not timed.any():
            raise ValueError("road travel times: no timed pair to derive the fallback speed from")
        speed = dist_km[timed].sum() / h[timed].sum()
        h[miss] = dist_km[miss] / speed
        filled += int(miss.sum())
    return out, filled


def synthetic_place_codes(pref_codes: list[str], known: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Telephone area codes and postcode prefixes of the prefectures ``pref_codes`` not in
    ``known`` (the YRD prefectures with real ones, :data:`yrd.synthetic.name_pools.AREA_CODES`),
    to make raw records of a national world look real; they are NOT the real 区号: the i-th such
    prefecture in code order gets ``0`` + (600 + i) (unique, no YRD code starts 06-08), and the
    j-th of its province the postcode prefix :data:`POSTCODE_PROVINCE` + (j mod 10).
    Returns ``(area codes, postcode prefixes)`` by prefecture code."""
    others = sorted(q for q in set(pref_codes) if q not in known)
    area = {q: f"0{600 + i}" for i, q in enumerate(others)}
    post: dict[str, str] = {}
    for q in others:
        j = sum(1 for r in post if r[:2] == q[:2])
        post[q] = POSTCODE_PROVINCE.get(q[:2], "99") + str(j % 10)
    return area, post
