"""Scoring of linking and relocations on tiny examples with hand-computed answers."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from yrd.validation import consecutive_pairs, score_linking, score_relocations


def _records(spec: list[tuple]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(year, source_row, firm_id, true_firm_id or None) -> (linked, truth)."""
    linked = pd.DataFrame(
        [{"year": y, "source_file": f"asif_{y}.csv", "source_row": r, "firm_id": f} for y, r, f, _ in spec]
    )
    truth = pd.DataFrame(
        [{"source_file": f"asif_{y}.csv", "source_row": r, "true_firm_id": t} for y, r, _, t in spec if t is not None]
    )
    return linked, truth


def test_score_linking_hand_computed():
    linked, truth = _records(
        [
            (2000, 0, 1, "X"),
            (2001, 0, 1, "X"),
            (2002, 0, 2, "X"),  # X cut after 2001
            (2000, 1, 3, "Y"),
            (2001, 1, 1, "Y"),  # Y's 2001 record wrongly joined to firm 1
            (2000, 2, 4, "Z"),
            (2004, 0, 5, "Z"),  # Z across a 3-year gap, not linked
            (2003, 0, 6, None),  # no truth: ignored
        ]
    )
    sc = score_linking(linked, truth)
    # predicted pairs: (X2000, X2001), (X2001, Y2001); true: (X2000, X2001), (X2001, X2002), (Y2000, Y2001), (Z2000, Z2004)
    assert sc["n_pred_links"] == 2 and sc["n_true_links"] == 4 and sc["n_correct_links"] == 1
    assert sc["precision"] == pytest.approx(0.5)
    assert sc["recall"] == pytest.approx(0.25)
    assert sc["f1"] == pytest.approx(2 * 0.5 * 0.25 / 0.75)
    assert sc["n_records"] == 7 and sc["n_pred_firms"] == 5 and sc["n_true_firms"] == 3
    assert sc["n_true_links_gap_gt2"] == 1
    json.dumps(sc)  # plain types


def test_score_linking_perfect_and_empty():
    linked, truth = _records([(2000, 0, 7, "X"), (2001, 0, 7, "X"), (2000, 1, 8, "Y")])
    sc = score_linking(linked, truth)
    assert sc["precision"] == 1.0 and sc["recall"] == 1.0 and sc["n_true_links"] == 1
    with pytest.raises(ValueError, match="firm_id"):
        score_linking(linked.drop(columns="firm_id"), truth)


def test_consecutive_pairs_orders_by_year_then_file_then_row():
    ent = pd.Series(["a", "a", "a"])
    pairs = consecutive_pairs(ent, [2001, 2000, 2001], ["f1", "f0", "f1"], [5, 0, 2])
    n = 3
    assert sorted((int(p // n), int(p % n)) for p in pairs) == [(1, 2), (2, 0)]


SZ1, SZ2, WX = "320505", "320506", "320205"


def _relocation_case():
    linked, truth = _records(
        [
            (2000, 0, 10, "X"),
            (2001, 0, 10, "X"),
            (2001, 1, 20, "Y"),
            (2003, 0, 20, "Y"),
            (2002, 0, 30, "Z"),
            (2003, 1, 30, "Z"),
            (2001, 2, 40, "W"),
            (2002, 1, 40, "W"),
        ]
    )
    moves_truth = pd.DataFrame(
        [
            {
                "true_firm_id": "X",
                "year": 2001,
                "origin_county": SZ1,
                "dest_county": WX,
                "kind": "between_prefectures",
                "observable": True,
            },
            {
                "true_firm_id": "Y",
                "year": 2002,
                "origin_county": SZ1,
                "dest_county": WX,
                "kind": "between_prefectures",
                "observable": False,
            },
            {
                "true_firm_id": "Z",
                "year": 2003,
                "origin_county": WX,
                "dest_county": SZ1,
                "kind": "between_prefectures",
                "observable": True,
            },
            {
                "true_firm_id": "W",
                "year": 2002,
                "origin_county": SZ1,
                "dest_county": SZ2,
                "kind": "within_prefecture",
                "observable": True,
            },
        ]
    )
    pred = pd.DataFrame(
        [
            {"firm_id": 10, "year": 2001, "origin_year": 2000, "origin_county": SZ1, "dest_county": WX},  # exact
            {"firm_id": 20, "year": 2003, "origin_year": 2001, "origin_county": SZ1, "dest_county": WX},  # across gap
            {"firm_id": 30, "year": 2003, "origin_year": 2002, "origin_county": SZ1, "dest_county": WX},  # wrong way
            {"firm_id": 40, "year": 2002, "origin_year": 2001, "origin_county": SZ1, "dest_county": SZ2},  # within
        ]
    )
    return pred, linked, truth, moves_truth


def test_score_relocations_prefecture_hand_computed():
    pred, linked, truth, mt = _relocation_case()
    sc = score_relocations(pred, linked, truth, mt, level="prefecture")
    # predictions between prefectures: 10, 20, 30; matched 10 (exact) and 20 (true year inside the gap)
    assert sc["n_pred"] == 3 and sc["n_pred_matched"] == 2
    assert sc["precision"] == pytest.approx(2 / 3)
    # observable true moves between prefectures: X and Z; matched X
    assert sc["n_true"] == 2 and sc["n_true_matched"] == 1 and sc["n_true_all"] == 3
    assert sc["recall"] == pytest.approx(0.5)
    json.dumps(sc)


def test_score_relocations_county_hand_computed():
    pred, linked, truth, mt = _relocation_case()
    sc = score_relocations(pred, linked, truth, mt, level="county")
    assert sc["n_pred"] == 4 and sc["n_pred_matched"] == 3
    assert sc["precision"] == pytest.approx(0.75)
    assert sc["n_true"] == 3 and sc["n_true_matched"] == 2
    assert sc["recall"] == pytest.approx(2 / 3)


def test_score_relocations_gap_rule_and_one_to_one():
    pred, linked, truth, mt = _relocation_case()
    # without origin_year every move is taken as consecutive: the gap move no longer matches
    sc = score_relocations(pred.drop(columns="origin_year"), linked, truth, mt, level="prefecture")
    assert sc["n_pred_matched"] == 1
    # a duplicated prediction matches the true move once only
    dup = pd.concat([pred.iloc[[0]], pred.iloc[[0]]], ignore_index=True)
    sc = score_relocations(dup, linked, truth, mt, level="prefecture")
    assert sc["n_pred"] == 2 and sc["n_pred_matched"] == 1 and sc["n_true_matched"] == 1
    with pytest.raises(ValueError, match="level"):
        score_relocations(pred, linked, truth, mt, level="province")
