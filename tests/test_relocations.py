"""Relocation detection on hand-made linked firm-years with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.fake_firms import fake_asif_panel
from helpers.resources import place_names
from yrd.linking import link_records
from yrd.relocations import COLUMNS, detect_relocations
from yrd.validation import score_relocations

# two counties of Suzhou (320500), one of Wuxi (320200)
SZ1, SZ2, WX = "320505", "320506", "320205"


def linked(rows: list[tuple]) -> pd.DataFrame:
    """(firm_id, year, county[, industry[, county_code_raw]]) tuples -> linked records."""
    recs = []
    for r in rows:
        fid, year, county = r[:3]
        ind = r[3] if len(r) > 3 else "17"
        raw = r[4] if len(r) > 4 else county
        recs.append({"firm_id": fid, "year": year, "county": county, "industry": ind, "county_code_raw": raw})
    df = pd.DataFrame(recs)
    df["prefecture"] = df["county"].str[:4] + "00"
    df["source_file"] = "asif_" + df["year"].astype(str) + ".csv"
    df["source_row"] = df.groupby("year").cumcount()
    return df


def test_move_between_prefectures():
    df = linked([(1, 2000, SZ1), (1, 2001, SZ1), (1, 2002, WX, "18"), (1, 2003, WX)])
    for level in ("prefecture", "county"):
        mv = detect_relocations(df, level=level)
        assert list(mv.columns) == COLUMNS
        assert len(mv) == 1
        m = mv.iloc[0]
        assert (m["firm_id"], m["year"], m["origin_year"]) == (1, 2002, 2001)
        assert (m["origin_county"], m["dest_county"]) == (SZ1, WX)
        assert (m["origin_prefecture"], m["dest_prefecture"]) == ("320500", "320200")
        assert m["kind"] == "between_prefectures"
        assert m["industry"] == "18"  # the industry in the year of the move


def test_move_within_prefecture_only_at_county_level():
    df = linked([(1, 2000, SZ1), (1, 2001, SZ2), (1, 2002, SZ2)])
    assert detect_relocations(df, level="prefecture").empty
    mv = detect_relocations(df, level="county")
    assert len(mv) == 1 and mv["kind"].iloc[0] == "within_prefecture" and mv["year"].iloc[0] == 2001


def test_aba_blip_is_screened():
    df = linked([(1, 2000, SZ1), (1, 2001, WX), (1, 2002, SZ1), (1, 2003, SZ1)])
    assert detect_relocations(df, level="prefecture").empty
    assert detect_relocations(df, level="county").empty
    raw = detect_relocations(df, level="prefecture", screen_blips=False)
    assert list(raw["year"]) == [2001, 2002]
    # a stay of two observations at B is a move there and back
    df2 = linked([(1, 2000, SZ1), (1, 2001, WX), (1, 2002, WX), (1, 2003, SZ1)])
    assert list(detect_relocations(df2)["year"]) == [2001, 2003]
    # a blip across a sample gap is still a blip; a county blip inside one prefecture is no prefecture move
    df3 = linked([(1, 2000, SZ1), (1, 2002, WX), (1, 2003, SZ1)])
    assert detect_relocations(df3).empty
    df4 = linked([(1, 2000, SZ1), (1, 2001, SZ2), (1, 2002, SZ1)])
    assert detect_relocations(df4, level="county").empty


def test_administrative_code_change_is_not_a_move():
    # raw code changes (撤县设区) but the harmonised county stays the same
    df = linked(
        [
            (1, 2000, "320506", "17", "320586"),
            (1, 2001, "320506", "17", "320586"),
            (1, 2002, "320506", "17", "320506"),
            (1, 2003, "320506", "17", "320506"),
        ]
    )
    assert detect_relocations(df, level="county").empty
    assert detect_relocations(df, level="prefecture").empty


def test_entry_and_exit_are_not_moves():
    # firm 1 leaves the sample at Suzhou, firm 2 enters at Wuxi; firm 3 leaves and re-enters in place
    df = linked([(1, 2000, SZ1), (1, 2001, SZ1), (2, 2002, WX), (2, 2003, WX), (3, 2000, SZ2), (3, 2003, SZ2)])
    assert detect_relocations(df, level="county").empty


def test_move_across_a_sample_gap_is_dated_at_the_first_new_observation():
    df = linked([(1, 2000, SZ1), (1, 2002, WX), (1, 2003, WX)])
    mv = detect_relocations(df)
    assert len(mv) == 1 and mv["year"].iloc[0] == 2002 and mv["origin_year"].iloc[0] == 2000


def test_copies_in_one_year_count_once_and_bad_input():
    df = linked([(1, 2000, SZ1), (1, 2001, WX), (1, 2001, WX), (1, 2002, WX)])
    assert len(detect_relocations(df)) == 1
    with pytest.raises(ValueError, match="level"):
        detect_relocations(df, level="province")
    with pytest.raises(ValueError, match="county"):
        detect_relocations(df.drop(columns="county"))
    assert detect_relocations(df.iloc[:1]).empty
    # prefecture derived from the county when the column is absent
    assert len(detect_relocations(df.drop(columns="prefecture"))) == 1


def test_fake_panel_relocations_scored_against_truth():
    w = fake_asif_panel(1500, seed=21)
    lk = w.records.assign(firm_id=link_records(w.records, places=place_names())[1])
    for level in ("prefecture", "county"):
        mv = detect_relocations(lk, level=level)
        sc = score_relocations(mv, lk, w.truth_records, w.truth_moves, level=level)
        assert sc["precision"] >= 0.97 and sc["recall"] >= 0.95, sc


def test_duplicate_firm_years_and_missing_values_on_every_path():
    """The first record of a firm-year in (source_file, source_row) order counts, whatever the
    input order; a missing industry stays missing and a missing prefecture is read from the
    county; the integer-key sort and pandas' sort (nullable firm ids) give the same moves."""
    df = linked(
        [(1, 2000, SZ1), (1, 2001, WX, "18"), (1, 2001, SZ1, "19"), (1, 2002, WX), (2, 2000, WX), (2, 2002, SZ2)]
    )
    # firm 1 has two 2001 records; the one at SZ1 comes first in its file: firm 1 stays in 2001
    df.loc[2, "source_row"] = -1
    df.loc[5, "industry"] = None
    df.loc[4, "prefecture"] = None
    shuffled = df.iloc[[5, 3, 1, 0, 4, 2]].reset_index(drop=True)
    mv = detect_relocations(shuffled, level="county")
    assert list(zip(mv["firm_id"], mv["year"], mv["origin_county"], mv["dest_county"])) == [
        (1, 2002, SZ1, WX),
        (2, 2002, WX, SZ2),
    ]
    assert mv["origin_prefecture"].iloc[1] == "320200"  # Wuxi, from the county code
    assert pd.isna(mv["industry"].iloc[1])
    # a missing firm id (not linked) is left out; the ids are then not integers: pandas' sort
    unlinked = pd.concat([shuffled, shuffled.head(1).assign(firm_id=None)], ignore_index=True)
    unlinked["firm_id"] = unlinked["firm_id"].astype("Int64")
    assert unlinked["firm_id"].to_numpy().dtype.kind == "f"
    other = detect_relocations(unlinked, level="county")
    pd.testing.assert_frame_equal(other.astype({"firm_id": "int64"}), mv)
