"""The repository's shipped reference files, for tests and interactive use.

The library ``yrd`` knows no repository paths: every function takes the file (or the table read
from it) as an argument, and the workflow's rules pass their declared inputs. Tests use these
defaults instead (``from helpers.resources import AREACODES_CSV, crosswalks``).
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from helpers.workflow import ROOT

RESOURCES = ROOT / "resources"
AREACODES_CSV = RESOURCES / "areacodes" / "result.csv"
PREFECTURES_CSV = RESOURCES / "regions" / "prefectures.csv"
CENSUS_CSV = RESOURCES / "census" / "census_city_2010-2020_v1_nogeom.csv"
GAPMINDER_CSV = RESOURCES / "gapminder" / "gapminder.csv"
WORLDBANK_GDP_CSV = RESOURCES / "worldbank" / "gdp_current_usd.csv"
WORLDBANK_POP_CSV = RESOURCES / "worldbank" / "population.csv"
DOSE_EU_CSV = RESOURCES / "dose" / "dose_eu2002.csv"

INDUSTRY_DIR = RESOURCES / "industry"
INDUSTRIES_CSV = INDUSTRY_DIR / "gb2002_2digit.csv"
CLASSES_CSV = INDUSTRY_DIR / "classes.csv"
MANY_TO_MANY_CSV = INDUSTRY_DIR / "many_to_many.csv"
NAMES_2002_CSV = INDUSTRY_DIR / "GB4754_2002_4digit_names_from_NBS_xls.csv"
NAMES_2011_CSV = INDUSTRY_DIR / "GB4754_2011_2digit_from_NBS_xls.csv"
ISIC3_CSV = INDUSTRY_DIR / "gbcrosswalk_gb_2002_isic3.csv"
CROSSWALK_1994_CSV = INDUSTRY_DIR / "gbcrosswalk_gb_1994_2002.csv"
CROSSWALK_2011_CSV = INDUSTRY_DIR / "gbcrosswalk_gb_2002_2011.csv"

ROAD_TIMES_CSV = RESOURCES / "transport_times" / "yrd_travel_time_road.csv"
IONET_EMPLOYMENT_CSV = RESOURCES / "ionet" / "china_employment.csv"
IONET_MAP_CSV = RESOURCES / "ionet" / "manufacturing_gb4754_map.csv"
DOSE_CHINA_CSV = RESOURCES / "dose" / "dose_china.csv"

CONFIG_SCHEMA = ROOT / "config" / "schemas" / "config.schema.yaml"
DIALECTS_YAML = ROOT / "config" / "header_dialects.yaml"
DIALECTS_SCHEMA = ROOT / "config" / "schemas" / "header_dialects.schema.yaml"


@cache
def crosswalks():
    """The GB/T 4754 crosswalk tables of the repository (:func:`yrd.industry.load_crosswalks`)."""
    from yrd.industry import load_crosswalks

    return load_crosswalks(NAMES_2002_CSV, CROSSWALK_1994_CSV, CROSSWALK_2011_CSV)


@cache
def national_employment() -> pd.DataFrame:
    """China's manufacturing employment by 2002 division (:func:`yrd.industry.national_division_employment`)."""
    from yrd.industry import national_division_employment

    return national_division_employment(IONET_EMPLOYMENT_CSV, IONET_MAP_CSV, crosswalks())


@cache
def road_times() -> pd.DataFrame:
    """The shipped road travel times, both directions (:func:`yrd.integration.read_road_times`)."""
    from yrd.integration import read_road_times

    return read_road_times(ROAD_TIMES_CSV)


@cache
def dialects():
    """The repository's header-dialect table (:func:`yrd.ingest.load_dialects`)."""
    from yrd.ingest import load_dialects

    return load_dialects(DIALECTS_YAML, DIALECTS_SCHEMA)


@cache
def place_names() -> frozenset[str]:
    """Place names of the repository's code history (:func:`yrd.linking.place_names`)."""
    from yrd.linking import place_names as _place_names

    return _place_names(AREACODES_CSV)


def industry_classes() -> pd.DataFrame:
    from yrd.industry import industry_classes as _classes

    return _classes(CLASSES_CSV)


def industries() -> pd.DataFrame:
    from yrd.industry import industries as _industries

    return _industries(INDUSTRIES_CSV)


def prefectures() -> pd.DataFrame:
    from yrd.regions import prefectures as _prefectures

    return _prefectures(PREFECTURES_CSV)


def ingest_references() -> dict:
    """Keyword arguments of :func:`yrd.ingest.ingest_file` / ``ingest_files`` for the repository's
    reference tables (code history and crosswalks)."""
    return {"history": AREACODES_CSV, "crosswalks": crosswalks()}


def raw_world_references() -> dict:
    """Keyword arguments of :func:`yrd.synthetic.raw.write_raw_world` for the repository's
    reference tables (header dialects, code history, crosswalks)."""
    return {"dialects": dialects(), "history": AREACODES_CSV, "crosswalks": crosswalks()}
