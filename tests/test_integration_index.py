"""The integration index from road travel times (yrd.integration) on hand-computed examples and on
the shipped Ma & Tang data (values quoted in resources/transport_times/README.md)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yrd.errors import UserError
from yrd.integration import (
    c1_integration_series,
    integration_index,
    market_access,
    mean_travel_time,
    read_cities,
    read_road_times,
)

ROOT = Path(__file__).resolve().parents[1]
TIMES = ROOT / "resources" / "transport_times" / "yrd_travel_time_road.csv"
CITIES = ROOT / "resources" / "transport_times" / "cityinfo_yrd.csv"


def _three(years=(2000, 2001)):
    # A-B 1 h, A-C 2 h, B-C 4 h in 2000; every time halves in 2001.
    rows = []
    for y in years:
        f = 1.0 if y == 2000 else 0.5
        for o, d, h in [("A", "B", 1.0), ("A", "C", 2.0), ("B", "C", 4.0)]:
            rows += [(y, o, d, h * f), (y, d, o, h * f)]
    return pd.DataFrame(rows, columns=["year", "origin", "dest", "hours"])


def test_mean_travel_time_by_hand():
    w = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0})
    # weights P_i P_j over unordered pairs: AB 2, AC 3, BC 6 -> (2*1 + 3*2 + 6*4) / 11 = 32/11
    got = mean_travel_time(_three(), w, ["A", "B", "C"])
    assert got.loc[2000] == pytest.approx(32 / 11)
    assert got.loc[2001] == pytest.approx(16 / 11)


def test_market_access_by_hand():
    w = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0})
    ma = market_access(_three(), w, ["A", "B", "C"], theta=1.0).set_index(["year", "code"])["market_access"]
    assert ma.loc[(2000, "A")] == pytest.approx(2 / 1 + 3 / 2)
    assert ma.loc[(2000, "B")] == pytest.approx(1 / 1 + 3 / 4)
    assert ma.loc[(2000, "C")] == pytest.approx(1 / 2 + 2 / 4)
    # Halving every time doubles access with theta = 1 and quadruples it with theta = 2.
    assert ma.loc[(2001, "C")] == pytest.approx(2 * ma.loc[(2000, "C")])
    ma2 = market_access(_three(), w, ["A", "B", "C"], theta=2.0).set_index(["year", "code"])["market_access"]
    assert ma2.loc[(2001, "A")] / ma2.loc[(2000, "A")] == pytest.approx(4.0)


def test_index_is_one_in_base_year_and_scale_free_dispersion():
    w = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0})
    idx = integration_index(_three(), w, {"s": ["A", "B", "C"]}, base_year=2000)
    wide = idx.pivot(index="year", columns="measure", values="value")
    assert wide.loc[2000, "travel_time_index"] == 1.0
    assert wide.loc[2001, "travel_time_index"] == pytest.approx(2.0)
    # uniform halving changes no dispersion (CV and sd of logs are scale-free)
    assert wide.loc[2001, "market_access_cv"] == pytest.approx(wide.loc[2000, "market_access_cv"])
    ma = np.array([3.5, 1.75, 1.0])
    assert wide.loc[2000, "market_access_cv"] == pytest.approx(ma.std() / ma.mean())
    assert wide.loc[2000, "market_access_sd_log"] == pytest.approx(np.log(ma).std())
    assert c1_integration_series(idx, "s")["integration"].tolist() == pytest.approx([1.0, 2.0])


def test_missing_member_and_year_are_named():
    w = pd.Series({"A": 1.0, "B": 2.0, "C": 3.0, "D": 1.0})
    with pytest.raises(UserError, match="'D'"):
        mean_travel_time(_three(), w, ["A", "B", "D"])
    with pytest.raises(UserError, match="1990"):
        read_road_times(TIMES, [1990, 2000])


def test_shipped_times_reproduce_the_readme_and_the_bay_bridge():
    t = read_road_times(TIMES, range(2007, 2010)).set_index(["year", "origin", "dest"])["hours"]
    # Shanghai-Ningbo 3.247 -> 3.015 -> 2.673 (README); both directions present
    assert [round(t.loc[(y, "310100", "330200")], 3) for y in (2007, 2008, 2009)] == [3.247, 3.015, 2.673]
    assert t.loc[(2009, "330200", "310100")] == t.loc[(2009, "310100", "330200")]
    # Shanghai-Jiaxing, not via the bridge, is flat
    assert t.loc[(2007, "310100", "330400")] == t.loc[(2009, "310100", "330400")]
    cities = read_cities(CITIES)
    assert len(cities) == 41 and cities["code"].str.len().eq(6).all()
    prefs = pd.read_csv(ROOT / "resources" / "regions" / "prefectures.csv", dtype={"code": str})
    assert set(cities["code"]) == set(prefs["code"])


def test_shipped_index_falls_monotonically_in_travel_time():
    t = read_road_times(TIMES, range(1998, 2014))
    w = read_cities(CITIES).set_index("code")["weight"]
    prefs = pd.read_csv(ROOT / "resources" / "regions" / "prefectures.csv", dtype={"code": str})
    sets = {"yrd16_2003": prefs.loc[prefs["yrd16_2003"], "code"].tolist(), "yrd41_2019": prefs["code"].tolist()}
    idx = integration_index(t, w, sets, base_year=1998)
    for s in sets:
        tbar = idx[(idx["region_set"] == s) & (idx["measure"] == "mean_travel_time_h")]["value"].to_numpy()
        assert (np.diff(tbar) <= 1e-12).all()  # every source series is non-increasing (README)
        assert tbar[-1] < 0.8 * tbar[0]
