"""China's national manufacturing employment by GB/T 4754-2002 division (yrd.industry.national):
the ionet divisions mapped as documented (merged, split, dropped) and the yearly shares new firms
of the synthetic world are drawn from."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.resources import IONET_EMPLOYMENT_CSV, IONET_MAP_CSV, crosswalks, national_employment
from yrd.industry import MANUFACTURING_2002, division_shares_by_year, national_division_employment

RAW = pd.read_csv(IONET_EMPLOYMENT_CSV, dtype={"sector_code": str}).set_index(["sector_code", "year"])["value"]


def test_thirty_divisions_every_year_shares_sum_to_one():
    n = national_employment()
    assert set(n["code"]) == set(MANUFACTURING_2002)
    assert n.groupby("year")["code"].nunique().eq(30).all()
    assert n["year"].min() == 1990 and n["year"].max() == 2018
    assert n.groupby("year")["share"].sum().sub(1).abs().max() < 1e-12


def test_merged_split_and_dropped_divisions():
    n = national_employment().set_index(["year", "code"])["employment"]
    for year in (1998, 2013):
        # 2002 division 37 = 2011 divisions 36 (automobiles) + 37 (other transport equipment)
        assert n[year, "37"] == pytest.approx(RAW["C24", year] + RAW["C25", year])
        # 2011 division 29 split over 2002 rubber (29) and plastics (30) by the crosswalk: 0.4 / 0.6
        assert n[year, "29"] == pytest.approx(0.4 * RAW["C17", year])
        assert n[year, "30"] == pytest.approx(0.6 * RAW["C17", year])
        # one-to-one, with the shift of codes above 29: 2011 division 30 -> 2002 division 31
        assert n[year, "31"] == pytest.approx(RAW["C18", year])
        # 2011 division 43 (repair) has no 2002 division: the total leaves it out
        total = sum(RAW[f"C{i:02d}", year] for i in range(1, 31))
        assert n.xs(year).sum() == pytest.approx(total)


def test_an_unreadable_map_entry_is_refused(tmp_path):
    m = pd.read_csv(IONET_MAP_CSV, dtype=str, keep_default_na=False)
    m.loc[m["sector_code"] == "C05", "gb4754_2002_division"] = "17 or 18"
    with pytest.raises(ValueError, match="cannot read the 2002 division '17 or 18'"):
        national_division_employment(IONET_EMPLOYMENT_CSV, m, crosswalks())
    m = pd.read_csv(IONET_MAP_CSV, dtype=str, keep_default_na=False)
    m.loc[m["sector_code"] == "C05", "gb4754_2002_division"] = "none"
    with pytest.raises(ValueError, match=r"no national employment for GB/T 4754-2002 divisions \['17'\]"):
        national_division_employment(IONET_EMPLOYMENT_CSV, m, crosswalks())


def test_shares_by_year_burn_in_and_coverage():
    n = national_employment()
    codes = list(MANUFACTURING_2002)
    s = division_shares_by_year(n, [1995, 1998, 2018], codes, first=1998)
    assert s.loc[1995].equals(s.loc[1998])
    assert not s.loc[2018].equals(s.loc[1998])
    assert s.sum(axis=1).sub(1).abs().max() < 1e-12
    with pytest.raises(ValueError, match="not the years \\[2019\\]"):
        division_shares_by_year(n, [2019], codes, first=1998)
