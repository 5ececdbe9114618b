"""The run status (yrd.status): failed checks against the truth and claims not tested are listed
for the report's first screen (issue: validation failures are visible)."""

from __future__ import annotations

import pandas as pd
import pytest

from yrd.status import MARKER, render_intro, render_rst, status_table

THRESHOLDS = {
    "linking_precision": 0.99,
    "linking_recall": 0.95,
    "relocation_precision": 0.95,
    "relocation_recall": 0.95,
}
LINKING = {
    "linking": {"precision": 0.9999, "recall": 0.93},
    "relocations": {"prefecture": {"precision": 1.0, "recall": 0.99}},
}
GRAVITY_BAD = {
    "accepted": False,
    "reason": "pooled model did not converge",
    "parameters": {"beta_log_distance": {"estimate": None, "true": -1.3}},
}
GRAVITY_OK = {
    "accepted": True,
    "parameters": {"beta_log_distance": {"estimate": -1.31, "std_error": 0.05, "true": -1.3}},
}


def tables():
    claims = pd.DataFrame(
        {
            "claim": ["C1", "C4", "C6"],
            "verdict": ["inconclusive", "no data", "off"],
            "value": ["", "", ""],
            "notes": ["", "no price panel", "switched off (claims.skip)"],
        }
    )
    gravity = pd.DataFrame(
        {
            "model": ["pooled", "pooled", "labour", "labour", "urban", "urban"],
            "converged": [True, True, False, False, False, False],
            "n_moves": [100, 100, 40, 40, 3, 3],
            "note": [
                "",
                "",
                "estimation failed: Demeaning failed",
                "Demeaning failed",
                "skipped: 3 moves < flows.min_moves (20)",
                "",
            ],
        }
    )
    return claims, gravity


def test_failed_truth_checks_and_untested_claims_are_listed():
    claims, gravity = tables()
    t = status_table(claims, gravity, LINKING, GRAVITY_BAD, THRESHOLDS)
    failed = t[t["status"] == "failed"].set_index("check")
    assert set(failed.index) == {"linking recall", "gravity coefficients recover the truth", "PPML model labour"}
    assert "0.9300 < 0.95" in failed.loc["linking recall", "detail"]
    assert "did not converge" in failed.loc["gravity coefficients recover the truth", "detail"]
    untested = t[t["status"] == "not tested"].set_index("check")
    assert set(untested.index) == {"C4", "C6", "PPML model urban"}
    assert "no price panel" in untested.loc["C4", "detail"]
    rst = render_rst(t)
    assert "**3 check(s) FAILED**" in rst and "linking recall" in rst and "C4" in rst


def test_all_passed_says_so():
    claims, gravity = tables()
    gravity["converged"] = True
    gravity["note"] = ""
    t = status_table(claims[claims["claim"] == "C1"], gravity, None, GRAVITY_OK)
    assert (t["status"] != "failed").all()
    assert "**No check failed**" in render_rst(t)


def test_intro_replaces_the_marker_and_keeps_the_template():
    out = render_intro("Title\n=====\n\n" + MARKER + "\n\n{{ snakemake.config['run'] }}\n", "Checks\n------\n")
    assert MARKER not in out and "Checks\n------" in out and "{{ snakemake.config['run'] }}" in out
    with pytest.raises(ValueError):
        render_intro("no marker", "x")


def test_registration_checks_and_source_gravity_rows():
    claims, gravity = tables()
    thresholds = {
        **THRESHOLDS,
        "registration_address_precision": 0.99,
        "registration_link_precision": 0.98,
        "registration_link_recall": 0.9,
    }
    registration = {
        "addresses": {"overall": {"precision": 0.9998}},
        "links": {"overall": {"precision": 0.999, "recall": 0.85}},
        "source_gravity": {
            "sources": {
                "changes": {
                    **GRAVITY_OK,
                    "truth_events": {"beta_log_distance": {"estimate": -1.318, "truth_events_z": -0.47}},
                },
                "investments": GRAVITY_BAD,
            }
        },
    }
    t = status_table(claims, gravity, None, None, thresholds, registration=registration).set_index("check")
    assert t.loc["address -> county precision", "status"] == "passed"
    assert t.loc["record -> firm link precision", "status"] == "passed"
    recall = t.loc["record -> firm link recall"]
    assert recall["status"] == "failed" and "0.8500 < 0.9 (validation.registration_link_recall)" in recall["detail"]
    assert t.loc["gravity coefficients recover the truth (changes)", "status"] == "passed"
    assert (
        "the same model on the true events: beta_log_distance -1.318 (-0.5 SE from the truth)"
        in (t.loc["gravity coefficients recover the truth (changes)", "detail"])
    )
    bad = t.loc["gravity coefficients recover the truth (investments)"]
    assert bad["status"] == "failed" and "did not converge" in bad["detail"]
    # a records-only run has no survey gravity table: no estimation rows
    t2 = status_table(claims, None, None, None, thresholds, registration=registration)
    assert "estimation" not in set(t2["area"])
