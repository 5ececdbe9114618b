"""C2 and C3 on each source of events (yrd.claims.sources): known counts, known trends.

The C2 interval is checked against scipy's exact (Clopper-Pearson) binomial interval and the C3
count trend against statsmodels' Poisson GLM on the same yearly counts."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from yrd.claims.base import ClaimResult
from yrd.claims.sources import attach_sources, c2_by_source, c2_source_table, c3_by_source, sources_text

GROUPS = {"310100": "shanghai", "320500": "sunan", "330100": "zhejiang", "340100": "anhui"}
CLASSES = {"17": "labour", "26": "capital", "37": "port", "40": "urban"}
CFG2 = {
    "window": [2000, 2004],
    "partners": ["sunan", "zhejiang"],
    "outflow_classes": ["labour"],
    "inflow_classes": ["port"],
    "min_moves": 10,
}


def _events(rows):
    return pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])


def test_c2_counts_window_direction_and_unclassified():
    rows = (
        [(2001, "310100", "320500", "17")] * 12  # labour out, in the window
        + [(2002, "330100", "310100", "17")] * 2  # labour in
        + [(2006, "310100", "320500", "17")] * 5  # outside the window
        + [(2003, "310100", "340100", "17")] * 4  # Anhui is not a partner
        + [(2003, "310100", "330100", None)] * 3  # no industry: unclassified
        + [(2003, "310100", "310100", "17")] * 7  # within Shanghai: not a move between prefectures
    )
    table, uncl = c2_source_table(_events(rows), GROUPS, CLASSES, CFG2["partners"], CFG2["window"])
    got = table.set_index(["class", "direction", "window"])["moves"].to_dict()
    assert got == {("labour", "out", 1): 12, ("labour", "in", 1): 2, ("labour", "out", 0): 5}
    assert uncl == 3


def test_c2_by_source_interval_is_the_exact_binomial_one():
    ev = _events([(2001, "310100", "320500", "17")] * 12 + [(2002, "330100", "310100", "17")] * 2)
    res = c2_by_source({"changes": ev}, GROUPS, CLASSES, CFG2, alpha=0.05)["changes"]
    cond = res["conditions"].set_index("class")
    ci = stats.binomtest(12, 14).proportion_ci(0.95, method="exact")
    assert cond.loc["labour", "lo"] == pytest.approx(ci.low, abs=1e-9)
    assert cond.loc["labour", "hi"] == pytest.approx(ci.high, abs=1e-9)
    assert cond.loc["labour", "status"] == "holds"
    assert cond.loc["port", "status"] == "too few moves"  # no port events
    assert res["verdict"] == "partly supported"
    assert res["events"] == 14


def test_c2_reversed_flows_contradict():
    ev = _events([(2001, "310100", "320500", "17")] * 1 + [(2002, "320500", "310100", "17")] * 15)
    res = c2_by_source({"investments": ev}, GROUPS, CLASSES, {**CFG2, "inflow_classes": []}, alpha=0.05)
    assert res["investments"]["verdict"] == "not supported"


def test_c3_count_trend_matches_statsmodels():
    years = list(range(2000, 2010))
    counts = [3, 5, 4, 8, 9, 12, 11, 17, 20, 26]
    rows = []
    for y, n in zip(years, counts):
        rows += [(y, "330100", "320500", "17")] * n  # Zhejiang origin, another prefecture
    rows += [(2005, "320500", "330100", "17")] * 50  # not of Zhejiang origin: ignored
    res = c3_by_source({"changes": _events(rows)}, years, {"start": 2000, "end": None}, alpha=0.05)["changes"]
    t = np.arange(len(years), dtype=float)
    glm = sm.GLM(np.array(counts, float), sm.add_constant(t), family=sm.families.Poisson()).fit()
    assert math.log1p(res["growth"]) == pytest.approx(glm.params[1], rel=1e-6)
    assert res["events"] == sum(counts)
    assert res["verdict"] == "supported"
    assert res["yearly"]["zj_out_province"].sum() == sum(counts)


def test_c3_no_events_is_no_data():
    ev = _events([(2003, "320500", "310100", "17")])
    res = c3_by_source({"changes": ev}, list(range(2000, 2006)), {"start": 2000, "end": None}, alpha=0.05)
    assert res["changes"]["verdict"] == "no data"


def test_sources_text_names_the_disagreeing_sources():
    ev_yes = _events([(2001, "310100", "320500", "17")] * 12)
    ev_no = _events([(2001, "320500", "310100", "17")] * 12)
    evidence = c2_by_source(
        {"changes": ev_yes, "investments": ev_no}, GROUPS, CLASSES, {**CFG2, "inflow_classes": []}, 0.05
    )
    text = sources_text("C2", evidence, "supported")
    assert "registered address changes: supported" in text
    assert "disagree with the main test (supported): subsidiaries opened (investment records)" in text
    r = attach_sources(ClaimResult("C2", "t", "v", "supported", "e", notes="n"), evidence)
    assert r.notes.startswith("n By source")
    assert set(r.details["sources"]) == {"changes", "investments"}
