"""Assemble and write a synthetic world: real geography in, true panel and truth files out.

The raw layer (messy per-year files) is written by :mod:`yrd.synthetic.raw`; this module
builds the model inputs from the reference data and writes the truth that does not depend on
the raw files: true moves, true parameters, true population aggregates.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from yrd.boundaries import centroids, distance_matrix
from yrd.industry import (
    division_shares_by_year,
    load_crosswalks,
    national_division_employment,
    relocation_class,
)
from yrd.integration import read_road_times
from yrd.synthetic.model import SimulationResult, WorldParams, build_geography, simulate
from yrd.synthetic.national import census_population

log = logging.getLogger(__name__)


def model_inputs(
    prefectures: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame,
    census: pd.DataFrame,
    classes: pd.DataFrame,
    industry4_names: pd.DataFrame,
    allowed_counties: set[str] | None,
    params: WorldParams,
    road_times: pd.DataFrame,
    national: pd.DataFrame,
):
    """Geography, industry tables and the industry shares of new firms for
    :func:`yrd.synthetic.model.simulate`: ``(geo, industries, industry4, shares)``.

    ``census`` is the shipped census table (``city_code``, ``city``, ``popu_2010``,
    ``popu_2020``), mapped onto the prefecture-level units by
    :func:`yrd.synthetic.national.census_population` (the counts of its rules are logged);
    ``allowed_counties``
    the vintage counties firms may be placed in (those reachable from every raw year's code
    list), or None for all (prefectures left without any are left out of the world, logged);
    ``road_times`` the tidy road travel times of
    :func:`yrd.integration.read_road_times`; ``national`` China's manufacturing employment by
    2002 division of :func:`yrd.industry.national_division_employment` (the shares of a new
    firm's industry in each simulated year; burn-in years take those of ``params.start``).
    """
    cty = counties if allowed_counties is None else counties[counties["code"].isin(allowed_counties)]
    empty = ~prefectures["code"].isin(cty["prefecture_code"])
    if empty.any():
        # no county code of theirs is in force in every study year (none in the boundaries of
        # 2021 since Sanya and Sansha count as their own counties before their districts,
        # yrd.geography.code_history): no firm can be placed there, so they are not places of the world
        log.warning(
            "%d prefectures without a county in force in every year left out of the world: %s",
            int(empty.sum()),
            dict(zip(prefectures.loc[empty, "code"], prefectures.loc[empty, "name_zh"], strict=True)),
        )
        prefectures = prefectures[~empty]
    pop, report = census_population(census, prefectures, counties)
    log.info("census rows and units by rule: %s", report["rule"].value_counts().to_dict())
    dist = distance_matrix(centroids(prefectures))
    geo = build_geography(
        prefectures, cty, dist, pop, params.seed, params.county_amenity_sd, road_times, base_year=params.start
    )
    log.info(
        "%d prefectures, %d counties; %d of %d (year, pair) road travel times from the great-circle fallback",
        len(geo.pref_codes),
        len(geo.county_codes),
        geo.road_filled,
        geo.road_hours.size - geo.road_hours.shape[0] * len(geo.pref_codes),
    )
    ind = classes[["code"]].copy()
    ind["code"] = ind["code"].astype(str).str.zfill(2)
    ind["relocation_class"] = relocation_class(classes).reindex(ind["code"]).to_numpy()
    names = industry4_names.copy()
    names["code4"] = names.iloc[:, 0].astype(str).str.strip().str.zfill(4)
    names["code"] = names["code4"].str[:2]
    ind4 = names[names["code"].isin(ind["code"])][["code4", "code"]].drop_duplicates().reset_index(drop=True)
    years = list(range(params.start - params.burn_in, params.end + 1))
    shares = division_shares_by_year(national, years, sorted(ind["code"]), params.start)
    return geo, ind, ind4, shares


def run_world(
    inputs: dict[str, Any],
    model_cfg: dict[str, Any],
    seed: int,
    start: int,
    end: int,
    allowed_counties: set[str] | None = None,
) -> SimulationResult:
    """Read the inputs (paths: ``prefectures`` and ``counties`` boundaries, ``census``, industry
    ``classes`` and ``names_2002``, the NBS list of GB/T 4754-2002 classes, the crosswalks
    ``gb_1994_2002`` and ``gb_2002_2011``, the real ``road_times`` of Ma and Tang, the national
    ``employment`` by sector and its ``employment_map`` to the 2002 divisions from ionet), build
    the geography and simulate."""
    params = WorldParams.from_config({**model_cfg, "seed": seed}, start, end)
    crosswalks = load_crosswalks(inputs["names_2002"], inputs["gb_1994_2002"], inputs["gb_2002_2011"])
    geo, ind, ind4, shares = model_inputs(
        gpd.read_parquet(inputs["prefectures"]),
        gpd.read_parquet(inputs["counties"]),
        pd.read_csv(inputs["census"], dtype={"city_code": str}),
        pd.read_csv(inputs["classes"], dtype={"code": str}),
        pd.read_csv(inputs["names_2002"], dtype=str),
        allowed_counties,
        params,
        read_road_times(inputs["road_times"]),
        national_division_employment(inputs["employment"], inputs["employment_map"], crosswalks),
    )
    return simulate(geo, ind, params, ind4, shares=shares)


def write_truth(result: SimulationResult, truth_dir: str | Path) -> None:
    """Write ``panel.parquet`` (the true clean firm-years of the ASIF sample), ``moves.parquet``,
    ``params.json``, ``population.parquet``, ``prefecture_years.parquet`` and
    ``distances.parquet`` (the effective distances used, every recorded year and ordered pair) into
    ``truth_dir``."""
    truth = Path(truth_dir)
    truth.mkdir(parents=True, exist_ok=True)
    moves = result.moves.copy()
    moves["year"] = moves["year"].astype("int16")
    moves.to_parquet(truth / "moves.parquet", index=False)
    result.panel.to_parquet(truth / "panel.parquet", index=False)
    result.population.to_parquet(truth / "population.parquet", index=False)
    result.prefecture_years.to_parquet(truth / "prefecture_years.parquet", index=False)
    result.distances.to_parquet(truth / "distances.parquet", index=False)
    with open(truth / "params.json", "w", encoding="utf-8") as fh:
        json.dump(result.params, fh, indent=2, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
