"""What `make bench` counts as the core pipeline, the PPML fits' share of it read from the rules' logs, and
the scaling exponent (yrd.benchmark)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.benchmark import (
    classify_rules,
    core_totals,
    fit_intervals,
    fit_seconds,
    read_detailed_summary,
    rule_logs,
    scaling_exponent,
    step_exponents,
    union_seconds,
)

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


def test_union_seconds_counts_overlapping_fits_once():
    assert union_seconds([]) == 0.0
    # two fits on threads overlapping by 1 s, one inside another, then one alone: 3 + 1 = 4
    assert union_seconds([(5.0, 6.0), (0.0, 2.0), (1.0, 3.0), (1.5, 2.5)]) == 4.0
    assert union_seconds([(0.0, 1.0), (1.0, 2.0)]) == 2.0  # touching intervals


def test_the_fit_line_pyfixest_fits_log_is_read_back(tmp_path):
    """A real PPML fit (yrd.flows.fit_ppml on a small gravity world) logged in the rules' format
    (yrd.logs.LOG_FORMAT): make bench reads one interval per fit, as long as the logged seconds,
    ending at the line's time stamp."""
    import logging

    from helpers.gravity_world import small_world
    from yrd.flows import fit_ppml
    from yrd.logs import LOG_FORMAT

    path = tmp_path / "gravity.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger("yrd.flows.fixed_effects")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        fit_ppml(small_world(seed=5))
        fit_ppml(small_world(seed=6), model="port")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()
    text = path.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if "pyfixest fepois" in ln]
    assert len(lines) == 2 and "model pooled:" in lines[0] and "model port:" in lines[1]
    got = fit_intervals(text + "2026-12-01 07:00:00,000 gravity INFO model x: something else, 3.0 s\n")
    assert len(got) == 2  # only the fit lines
    for (start, end), line in zip(got, lines, strict=True):
        assert end - start == pytest.approx(float(line.rsplit(", ", 1)[1].removesuffix(" s")), abs=1e-6)
        assert 0 < end - start < 60
    assert union_seconds(got) == pytest.approx(sum(e - s for s, e in got), abs=1e-6)  # one after the other


def test_fit_seconds_sums_the_fits_of_each_rule_of_a_kind(tmp_path):
    """Two core rules and a truth rule; a wildcard rule's jobs each log to a file of their own;
    a log that was not written counts nothing."""

    def line(end: str, seconds: float, model: str = "pooled") -> str:
        return f"2026-12-01 {end} yrd.flows.fixed_effects INFO model {model}: pyfixest fepois, 100 cells, {seconds:.3f} s\n"

    logs = tmp_path / "logs"
    logs.mkdir()
    # gravity: pooled 07:00:00-07:00:10 and a class model 07:00:04-07:00:08 on another thread
    (logs / "gravity.log").write_text(line("07:00:08,000", 4.0, "port") + line("07:00:10,000", 10.0), encoding="utf-8")
    (logs / "scenario_a.log").write_text(line("08:00:01,500", 1.5), encoding="utf-8")
    (logs / "scenario_b.log").write_text(line("08:00:01,500", 2.5), encoding="utf-8")
    (logs / "truth.log").write_text(line("09:00:05,000", 5.0), encoding="utf-8")
    (logs / "claims.log").write_text("2026-12-01 07:00:00,000 claims INFO no fits here\n", encoding="utf-8")
    summary = read_detailed_summary(
        "\n".join(
            [
                "output_file\tdate\trule\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan",
                "a.csv\t-\tgravity\tlogs/gravity.log\t-\t-\tok\tno update",
                "b.parquet\t-\tgravity\tlogs/gravity.log\t-\t-\tok\tno update",
                "s_a.csv\t-\tscenario\tlogs/scenario_a.log\t-\t-\tok\tno update",
                "s_b.csv\t-\tscenario\tlogs/scenario_b.log\t-\t-\tok\tno update",
                "t.csv\t-\ttruth_gravity\tlogs/truth.log\t-\t-\tok\tno update",
                "c.csv\t-\tclaims\tlogs/claims.log\t-\t-\tok\tno update",
                "m.csv\t-\tmissing\tlogs/missing.log\t-\t-\tok\tno update",
                "n.csv\t-\tno_log\t-\t-\t-\tok\tno update",
            ]
        )
    )
    logs_by_rule = rule_logs(summary)
    assert logs_by_rule["gravity"] == ["logs/gravity.log"] and logs_by_rule["no_log"] == []
    kinds = {"gravity": "core", "scenario": "core", "claims": "core", "truth_gravity": "truth", "missing": "core"}
    core = fit_seconds(logs_by_rule, kinds, "core", root=tmp_path)
    assert core == pytest.approx({"gravity": 10.0, "scenario": 4.0})
    assert fit_seconds(logs_by_rule, kinds, "truth", root=tmp_path) == pytest.approx({"truth_gravity": 5.0})
