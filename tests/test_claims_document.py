"""The claim documents claims/cN.json (yrd.claims.document): the generic serialiser, the keys
every document carries, the round trip and the claims table as a view of the documents."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from helpers.claim_documents import c1_document, c2_document, c3_document, c4_document, c5_document, c6_document
from yrd import claims as C


@dataclass
class _Point:
    x: float
    n: int


def test_to_jsonable_turns_tables_numpy_and_nan_into_plain_json():
    df = pd.DataFrame({"a": [1, 2], "b": [0.5, np.nan], "c": ["x", None]})
    out = C.to_jsonable(
        {
            "table": df,
            "series": pd.Series([1.0, np.inf], index=["p", "q"]),
            "array": np.array([[1, 2], [3, 4]]),
            "scalars": (np.int64(3), np.float32(0.25), np.bool_(True), float("nan")),
            "point": _Point(np.float64(1.5), np.int32(2)),
            "trend": C.LinearTrend(0.0, 0.1, 0.01, 10),
            7: {"nested": [np.nan, 1]},
        }
    )
    assert out["table"] == [{"a": 1, "b": 0.5, "c": "x"}, {"a": 2, "b": None, "c": None}]
    assert out["series"] == {"p": 1.0, "q": None}
    assert out["array"] == [[1, 2], [3, 4]]
    assert out["scalars"] == [3, 0.25, True, None]
    assert out["point"] == {"x": 1.5, "n": 2}
    assert out["trend"]["slope"] == 0.1 and math.isnan(C.LinearTrend(0, 0, 0, 1).se)
    assert out["7"] == {"nested": [None, 1]}
    json.dumps(out, allow_nan=False)
    with pytest.raises(TypeError):
        C.to_jsonable(object())


@pytest.mark.parametrize("build", [c1_document, c2_document, c3_document, c4_document, c5_document, c6_document])
def test_every_claim_document_has_the_required_keys_and_is_strict_json(build):
    doc = build()
    C.check_document(doc)
    assert list(doc)[: len(C.REQUIRED_KEYS)] == list(C.REQUIRED_KEYS)  # the header first
    assert doc["schema"] == "yrd-claim/1" and doc["statement"] == C.STATEMENTS[doc["claim"]][0]
    json.dumps(doc, allow_nan=False)


def test_claim_specific_numbers_are_in_the_documents():
    c1 = c1_document()
    eg = c1["metrics"]["ellison_glaeser"]
    for key in ("b1", "se_b1", "p_b1", "b2", "se_b2", "p_b2", "turning_point_low", "turning_point_high", "n_obs"):
        assert key in eg
    assert len(c1["drawing"]["ellison_glaeser"]["curve"]["x"]) == 200 and c1["drawing"]["specialisation"]["points"]
    c2 = c2_document()
    assert {"share_out", "lo", "hi", "p", "status"} <= set(c2["conditions"][0])
    assert {"rate", "rate_low", "rate_high"} <= set(c2["table"][0])
    c3 = c3_document()
    assert "zj_out_prefecture_fit" in c3["yearly"][0] and "growth" in c3["trend"]
    c5 = c5_document()
    assert [m["year"] for m in c5["matrices"]] == [2000, 2010] and c5["sets"]["yrd16_2003"]["trend"]["slope"] > 0
    assert len(c5["sets"]["yrd16_2003"]["members"]) == 4


def test_write_and_read_round_trip_and_the_table_is_a_view_of_the_documents(tmp_path):
    leading = pd.DataFrame({"industry": ["39", "13"], "lq": [1.5, np.nan], "size": [np.int64(100), np.int64(10)]})
    made = C.ClaimResult(
        "C7",
        "a test",
        "a value",
        "inconclusive",
        "figures/x.png",
        notes="why",
        details={"leading": leading, "share": np.float64(0.25), "document": {"parts": {"a": {"n": np.int64(3)}}}},
    )
    results = [made, C.skipped_claim("C4")]
    docs = []
    for r in results:
        path = tmp_path / f"{r.claim.lower()}.json"
        written = C.write_claim_json(r, path)
        back = C.read_claim_json(path)
        assert back == written
        docs.append(back)
    assert docs[0]["leading"][0]["industry"] == "39" and docs[0]["leading"][1]["lq"] is None
    assert docs[0]["parts"]["a"]["n"] == 3 and docs[0]["share"] == 0.25
    assert docs[0]["verdict"] == results[0].verdict
    pd.testing.assert_frame_equal(C.claims_table_from_documents(docs), C.claims_table(results))


def test_check_document_rejects_incomplete_documents():
    doc = c2_document()
    with pytest.raises(ValueError, match="lacks"):
        C.check_document({k: v for k, v in doc.items() if k != "verdict"})
    with pytest.raises(ValueError, match="verdict"):
        C.check_document({**doc, "verdict": "probably"})
    with pytest.raises(ValueError):
        C.check_document({**doc, "extra": float("nan")})
