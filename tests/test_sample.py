"""The analysis samples (yrd.sample): the consistent-threshold sample of the ASIF and the
headline claims table with both samples' verdicts (yrd.claims.combine_samples).

Known answers are worked by hand below: the ASIF covered non-state firms with sales of at least
5 million yuan until 2010 and 20 million yuan from 2011 (Brandt, Van Biesebroeck and Zhang 2012,
J. Dev. Econ. 97(2), section 2.1 on the earlier break)."""

from __future__ import annotations

import pandas as pd
import pytest

from yrd.claims import COLUMNS, COMBINED_COLUMNS, combine_samples
from yrd.config_semantic import year_errors
from yrd.sample import consistent_moves, consistent_sample, main_sample, strictest_threshold, threshold_schedule

ASIF = {"1998": 5000.0, "2011": 20000.0}


def test_threshold_schedule_and_strictest_threshold():
    s = threshold_schedule(ASIF, 2009, 2012)
    assert s == {2009: 5000.0, 2010: 5000.0, 2011: 20000.0, 2012: 20000.0}
    assert strictest_threshold(ASIF, 1998, 2013) == 20000.0
    # a period that ends before the break has the early threshold as its strictest
    assert strictest_threshold(ASIF, 1998, 2010) == 5000.0
    with pytest.raises(ValueError, match="first study year 1995"):
        threshold_schedule(ASIF, 1995, 2000)


def _firm_years():
    # firm 1 is large throughout; firm 2 is between the thresholds (in the survey until 2010 only);
    # firm 3 reports no sales in 1999 (output 25000, sales/output ratio 0.8 elsewhere -> 20000, kept)
    # firm 4 has neither sales nor output in 1999 (unmeasured)
    rows = [
        (1, 1998, 30000.0, 37500.0),
        (1, 1999, None, 40000.0),
        (1, 2011, 32000.0, 40000.0),
        (2, 1998, 8000.0, 10000.0),
        (2, 1999, None, 10000.0),
        (2, 2010, 9000.0, 11250.0),
        (3, 1998, 16000.0, 20000.0),
        (3, 1999, None, 25000.0),
        (4, 1999, None, None),
    ]
    return pd.DataFrame(rows, columns=["firm_id", "year", "sales", "output"])


def test_consistent_sample_keeps_firm_years_at_the_strictest_threshold_and_accounts_for_every_row():
    fy = _firm_years()
    kept, acc = consistent_sample(fy, 20000.0)
    assert sorted(zip(kept["firm_id"], kept["year"], strict=True)) == [(1, 1998), (1, 1999), (1, 2011), (3, 1999)]
    a = acc.set_index("year")
    assert a.loc[
        1999, ["rows", "kept", "dropped_below_threshold", "dropped_unmeasured", "measured_by_fallback"]
    ].tolist() == [
        4,
        2,
        1,
        1,
        3,
    ]
    assert (a["rows"] == a["kept"] + a["dropped_below_threshold"] + a["dropped_unmeasured"]).all()
    assert int(a["rows"].sum()) == len(fy)
    # without a fallback the rows without sales are unmeasured, never silently kept
    kept2, acc2 = consistent_sample(fy, 20000.0, fallback=None)
    assert set(kept2["year"]) == {1998, 2011}
    assert int(acc2.set_index("year").loc[1999, "dropped_unmeasured"]) == 4
    with pytest.raises(KeyError, match="sample.measure"):
        consistent_sample(fy, 20000.0, measure="turnover")


def test_consistent_moves_need_the_firm_in_the_sample_at_both_ends():
    kept, _ = consistent_sample(_firm_years(), 20000.0)
    moves = pd.DataFrame(
        {"firm_id": [1, 1, 2, 3], "origin_year": [1998, 1999, 1998, 1998], "year": [1999, 2000, 1999, 1999]}
    )
    out, dropped = consistent_moves(moves, kept)
    assert out["firm_id"].tolist() == [1] and dropped == 3


def test_main_sample_follows_the_switch():
    assert main_sample(True) == "consistent" and main_sample(False) == "full"


def test_thresholds_must_cover_the_first_study_year():
    cfg = {"period": {"start": 1998, "end": 2013}, "sample": {"thresholds": {"2000": 5000.0}}}
    msgs = list(year_errors(cfg))
    assert any("sample.thresholds" in m and "1998" in m for m in msgs)
    cfg["sample"]["thresholds"] = ASIF
    assert not [m for m in year_errors(cfg) if "sample.thresholds" in m]


def _table(verdicts: dict[str, str], value: str) -> pd.DataFrame:
    rows = [
        {
            "claim": c,
            "statement": "s",
            "statement_zh": "z",
            "test": "t",
            "value": f"{value} {c}",
            "verdict": v,
            "evidence": "e",
            "notes": "n",
        }
        for c, v in verdicts.items()
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def test_combined_table_gives_both_verdicts_and_explains_a_difference():
    cons = _table({"C1": "supported", "C2": "inconclusive"}, "cons")
    full = _table({"C1": "not supported", "C2": "inconclusive"}, "full")
    t = combine_samples({"consistent": cons, "full": full}, "consistent")
    assert list(t.columns) == COMBINED_COLUMNS
    r = t.set_index("claim")
    assert r.loc["C1", "verdict"] == "supported" and r.loc["C1", "sample"] == "consistent"
    assert (r.loc["C1", "verdict_consistent"], r.loc["C1", "verdict_full"]) == ("supported", "not supported")
    assert "full sample the verdict is 'not supported' (full C1)" in r.loc["C1", "notes"]
    assert r.loc["C2", "notes"] == "n"  # same verdict: nothing added
    t2 = combine_samples({"consistent": cons, "full": full}, "full")
    assert t2.set_index("claim").loc["C1", "verdict"] == "not supported"
    assert "consistent sample the verdict is 'supported'" in t2.set_index("claim").loc["C1", "notes"]
    with pytest.raises(KeyError):
        combine_samples({"full": full}, "consistent")
