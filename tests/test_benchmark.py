"""What `make bench` counts as the core pipeline, and the scaling exponent (yrd.benchmark)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.benchmark import classify_rules, core_totals, read_detailed_summary, scaling_exponent, step_exponents

SUMMARY = "\n".join(
    [
        "Building DAG of jobs...",
        "output_file\tdate\trule\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan",
        "resources/raw/w/asif_1998.csv\t-\tsimulate\t-\tresults/w/geography/b.parquet\t-\tok\tno update",
        "resources/raw/w/truth/moves.parquet\t-\tsimulate\t-\tresults/w/geography/b.parquet\t-\tok\tno update",
        "results/w/clean/records.parquet\t-\tingest\t-\tresources/raw/w/asif_1998.csv\t-\tok\tno update",
        "results/w/validation/linking.json\t-\tvalidate_linking\t-\t"
        "results/w/clean/records.parquet,resources/raw/w/truth/moves.parquet\t-\tok\tno update",
        "results/w/figures/linking.png\t-\tfig_linking\t-\tresults/w/validation/linking.json\t-\tok\tno update",
        "results/w/claims.csv\t-\tclaims\t-\tresults/w/clean/records.parquet\t-\tok\tno update",
        "results/w/geography/b.parquet\t-\tboundaries\t-\t-\t-\tok\tno update",
    ]
)


def test_rules_are_sorted_by_what_they_read_and_write():
    kinds = classify_rules(read_detailed_summary(SUMMARY))
    assert kinds == {
        "boundaries": "core",
        "claims": "core",
        "fig_linking": "truth",  # reads a truth rule's output
        "ingest": "core",  # reads the world's raw files, as it reads a user's
        "simulate": "world",
        "validate_linking": "truth",
    }
    with pytest.raises(ValueError, match="detailed-summary"):
        read_detailed_summary("no table here")


def test_totals_by_kind():
    rules = pd.DataFrame(
        {"rule": ["ingest", "claims", "validate_linking", "new_rule"], "seconds": [10.0, 5.0, 7.0, 1.0]}
    ).assign(max_rss_mb=[900.0, 300.0, 2000.0, 100.0])
    t = core_totals(rules, {"ingest": "core", "claims": "core", "validate_linking": "truth"})
    assert t["core_seconds"] == 16.0 and t["core_peak_mb"] == 900.0  # an unknown rule counts as core
    assert t["truth_seconds"] == 7.0 and t["truth_peak_mb"] == 2000.0
    assert t["world_seconds"] == 0.0
    # a wildcard job's row (benchmarks/<rule>/<wildcard>.tsv, read as "rule:wildcard") counts as its rule
    jobs = pd.DataFrame({"rule": ["validate_linking:a", "claims"], "seconds": [2.0, 3.0], "max_rss_mb": [50.0, 60.0]})
    t = core_totals(jobs, {"validate_linking": "truth", "claims": "core"})
    assert t["truth_seconds"] == 2.0 and t["core_seconds"] == 3.0


def test_scaling_exponent_recovers_a_power_law():
    n = np.array([4e4, 6e5, 4.4e6])
    assert scaling_exponent(n, 3e-4 * n**1.15) == pytest.approx(1.15)
    assert scaling_exponent(n, np.full(3, 7.0)) == pytest.approx(0.0)
    assert np.isnan(scaling_exponent(np.array([5.0, 5.0]), np.array([1.0, 2.0])))


def test_step_exponents_are_the_slopes_between_neighbouring_worlds():
    # a fixed cost of 140 s plus 2e-4 s per firm-year: the one fitted slope is far below 1, the
    # step between the two largest worlds approaches 1 (computed by hand below)
    n = np.array([4.4e6, 3.5e4, 5.2e5])  # not sorted: results come back in input order
    cost = 140 + 2e-4 * n
    b = step_exponents(n, cost)
    assert np.isnan(b[1])
    assert b[2] == pytest.approx(np.log(cost[2] / cost[1]) / np.log(n[2] / n[1]))
    assert b[0] == pytest.approx(np.log(cost[0] / cost[2]) / np.log(n[0] / n[2]))
    assert b[0] > scaling_exponent(n, cost)
    assert step_exponents(n, 3e-4 * n**1.15)[[0, 2]] == pytest.approx([1.15, 1.15])
    assert np.isnan(step_exponents(np.array([5.0, 5.0]), np.array([1.0, 2.0]))[1])
