"""The run status (yrd.status): failed checks against the truth and claims not tested are listed
for the report's first screen (issue: validation failures are visible)."""

from __future__ import annotations

import pandas as pd
import pytest

from yrd.status import (
    CLAIMS_MARKER,
    MARKER,
    claim_basis,
    claim_reason,
    render_claims_rst,
    render_intro,
    render_rst,
    run_summary,
    status_table,
)

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


def test_claim_basis_names_the_data_of_each_claim():
    assert claim_basis("C1", synthetic=True) == "SYNTHETIC firm data"
    assert claim_basis("C5", synthetic=False) == "the user's firm data (ASIF)"
    # records-only run: C2/C3 rest on the registration records, C1/C5/C7 have no survey data
    assert claim_basis("C2", synthetic=True, asif=False) == "SYNTHETIC registration records"
    assert claim_basis("C3", synthetic=False, asif=False) == "the user's registration records"
    assert "no survey data" in claim_basis("C7", synthetic=False, asif=False)
    for claim in ("C4", "C6"):
        for synthetic in (True, False):
            assert claim_basis(claim, synthetic).startswith("real public")


def test_claim_reason_is_one_line_from_notes_or_value():
    assert claim_reason("b2=1; b1=2", "no metric has a negative b2 with p < 0.05") == (
        "no metric has a negative b2 with p < 0.05"
    )
    # notes giving context (verdicts by source) -> the first clause of the value, brackets kept whole
    assert claim_reason("level 0.35 (< 0.8; 1998: 0.2) -> partly; other", "By source - x") == (
        "level 0.35 (< 0.8; 1998: 0.2) -> partly"
    )
    long = claim_reason("x" * 300, "", width=50)
    assert len(long) == 50 and long.endswith("\u2026")
    assert claim_reason("", "") == ""


def _docutils_html(rst: str) -> str:
    from docutils.core import publish_parts

    return publish_parts(rst, writer="html", settings_overrides={"report_level": 2, "halt_level": 5})["html_body"]


def test_claims_summary_is_a_table_with_every_verdict_and_renders_cleanly():
    claims = pd.DataFrame(
        {
            "claim": ["C1", "C4", "C7"],
            "verdict": ["not supported", "no data", "inconclusive"],
            "value": ["b2=3.5 (p=0.39); more", "", "88 clusters"],
            "notes": ["", "no price panel", "(a) inconclusive: too few clusters (Sunan_foreign_led 1) *x* `y` |z|"],
        }
    )
    rst = render_claims_rst(claims, synthetic=True)
    html = _docutils_html(rst)
    assert "System Message" not in html and "system-message" not in html
    assert 'class="claims-summary' in html
    for claim, verdict in zip(claims["claim"], claims["verdict"]):
        assert f"<td>{claim}</td>" in html.replace("<p>", "").replace("</p>", "").replace("\n", "")
        assert f"<strong>{verdict}</strong>" in html
    # cells that look like a list or markup stay text
    assert "(a) inconclusive" in html and "Sunan_foreign_led" in html and "<ol" not in html
    assert "SYNTHETIC firm data" in html and "real public" in html
    # Jinja braces never reach the template
    assert "{" not in render_claims_rst(claims.assign(value=["{{ x }}", "", ""]), synthetic=False)


def test_intro_puts_the_claims_summary_before_the_checks():
    template = "Title\n=====\n\n" + CLAIMS_MARKER + "\n\n" + MARKER + "\n\nAbout\n"
    out = render_intro(template, "Checks\n------\n", "Verdicts\n--------\n")
    assert MARKER not in out and CLAIMS_MARKER not in out
    assert out.index("Verdicts") < out.index("Checks") < out.index("About")
    with pytest.raises(ValueError):
        render_intro("Title\n" + MARKER + "\n", "x", "claims")


def test_the_shipped_template_has_both_markers(root):
    template = (root / "workflow" / "report" / "workflow.rst").read_text(encoding="utf-8")
    out = render_intro(template, "Checks\n------\n", "Verdicts\n--------\n")
    assert out.index("Verdicts") < out.index("Checks") < out.index("About this workflow")


def test_run_summary_names_the_report_and_each_verdict(tmp_path):
    out = tmp_path / "results" / "study"
    out.mkdir(parents=True)
    pd.DataFrame(
        {
            "claim": ["C1", "C2"],
            "verdict": ["not supported", "inconclusive"],
            "value": ["b2=3.5", "too few moves"],
            "notes": ["no metric has a negative b2", ""],
        }
    ).to_csv(out / "claims.csv", index=False)
    pd.DataFrame(
        {
            "area": ["linking", "claims"],
            "check": ["linking recall", "C1"],
            "status": ["failed", "tested"],
            "detail": ["", ""],
        }
    ).to_csv(out / "status.csv", index=False)
    text = run_summary(out)
    lines = text.splitlines()
    assert lines[0] == f"Report of this study: {out / 'report.html'} (not built yet: make report)"
    assert any(line.split()[:3] == ["C1", "not", "supported"] and "negative b2" in line for line in lines)
    assert any(line.split()[:2] == ["C2", "inconclusive"] and "too few moves" in line for line in lines)
    assert "Checks of the run: 1 failed of 2" in text and "FAILED linking / linking recall" in text
    (out / "report.html").write_text("<html></html>")
    assert run_summary(out).splitlines()[0] == f"Report of this study: {out / 'report.html'}"
