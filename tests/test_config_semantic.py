"""Config mistakes stop the run before any rule, naming the key (issue: never silently wrong).

Each test reproduces one observation of a user's ordinary mistake that used to end with exit
code 0 and a changed verdict, or with an internal error at job time:

1. a configured file that does not exist (claims.c1.integration, flows.distances);
2. a typo in a metric list of a claim (claims.c1.metrics: elison_glaeser);
3. an unknown metric name (metrics.concentration: top5_share);
4. a metric a claim needs left out of the computed metrics;
5. the same raw file listed for two years;
9. a study without its own name would write over the default study;
10. road travel times as the gravity's distance together with a user distance table.
"""

from __future__ import annotations

import copy
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from helpers.resources import CONFIG_SCHEMA
from helpers.workflow import ROOT, copy_workflow, snakemake
from yrd.config import ConfigError, deep_update, normalise_keys, results_dir, study_name_errors, validate_config
from yrd.metrics import registry

DEFAULT = normalise_keys(yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8")))
TINY_RAW = ROOT / "tests" / "data" / "malformed"


def config_with(override: dict) -> dict:
    return deep_update(copy.deepcopy(DEFAULT), normalise_keys(copy.deepcopy(override)))


def errors_of(override: dict, base: Path = ROOT) -> str:
    with pytest.raises(ConfigError) as info:
        validate_config(config_with(override), CONFIG_SCHEMA, base=base)
    return str(info.value)


def test_default_and_tiny_configs_are_valid():
    validate_config(config_with({}), CONFIG_SCHEMA, base=ROOT)
    tiny = yaml.safe_load((ROOT / "config" / "tiny.yaml").read_text(encoding="utf-8"))
    validate_config(config_with(tiny), CONFIG_SCHEMA, base=ROOT)


# 1. configured files that do not exist -------------------------------------------------------
@pytest.mark.parametrize(
    "override, key",
    [
        ({"claims": {"c1": {"integration": "data/integration.csv"}}}, "claims.c1.integration"),
        ({"flows": {"distance": "great_circle", "distances": "data/road_km.csv"}}, "flows.distances"),
        ({"claims": {"c4": {"indicators": "data/indicators.parquet"}}}, "claims.c4.indicators"),
        ({"metrics": {"segmentation": {"prices": "data/prices.csv"}}}, "metrics.segmentation.prices"),
    ],
)
def test_missing_configured_file_is_an_error(override, key):
    msg = errors_of(override)
    assert f"config key '{key}': file not found" in msg


def test_a_folder_is_not_a_file(tmp_path):
    shutil.copytree(ROOT / "config", tmp_path / "config")
    (tmp_path / "road.csv").mkdir()
    msg = errors_of({"flows": {"distance": "great_circle", "distances": "road.csv"}}, base=tmp_path)
    assert "config key 'flows.distances': not a regular file" in msg


# 2. typo in a claim's metric list --------------------------------------------------------------
def test_typo_in_claim_metrics_names_key_and_suggests():
    msg = errors_of({"claims": {"c1": {"metrics": ["elison_glaeser", "locational_gini"]}}})
    assert "config key 'claims.c1.metrics[0]': 'elison_glaeser' is not computed" in msg
    assert "did you mean 'ellison_glaeser'?" in msg


# 3. unknown metric -----------------------------------------------------------------------------
def test_unknown_metric_is_an_error_before_any_rule():
    msg = errors_of({"metrics": {"concentration": ["hoover", "top5_share"]}, "claims": {"skip": ["C1"]}})
    assert "config key 'metrics.concentration[1]': unknown metric 'top5_share'" in msg
    assert "allowed:" in msg and "ellison_glaeser" in msg


def test_metric_of_the_wrong_kind_is_named():
    msg = errors_of({"metrics": {"similarity": ["hoover"]}, "claims": {"skip": ["C5"]}})
    assert "'hoover' is a concentration metric" in msg


def test_plugin_metric_is_known_after_loading_the_plugin(tmp_path):
    (tmp_path / "my_metrics.py").write_text(
        "from yrd.metrics.registry import register\n\n"
        "@register('toy_top_share_cfg', kind='concentration')\n"
        "def top(X):\n    return X.max() / X.sum()\n",
        encoding="utf-8",
    )
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "resources" / "transport_times", tmp_path / "resources" / "transport_times")
    cfg = {
        "metrics": {"plugins": ["my_metrics"], "concentration": ["hoover", "toy_top_share_cfg"]},
        "claims": {"skip": ["C1"]},
    }
    try:
        validate_config(config_with(cfg), CONFIG_SCHEMA, base=tmp_path)
    finally:  # leave the registry as it was for the other tests
        registry.unregister("toy_top_share_cfg")
        sys.modules.pop("my_metrics", None)
    bad = {"metrics": {"plugins": ["no_such_module_xyz"]}}
    assert "config key 'metrics.plugins': module 'no_such_module_xyz' cannot be imported" in errors_of(bad, tmp_path)


# 4. a metric a claim needs is not computed -----------------------------------------------------
def test_claim_needs_a_metric_that_is_not_computed():
    msg = errors_of({"metrics": {"concentration": ["hoover", "locational_gini"]}})
    assert "config key 'claims.c1.metrics[0]': 'ellison_glaeser' is not computed" in msg
    assert "claims.skip: [C1]" in msg


def test_skipping_the_claim_makes_the_config_valid():
    validate_config(
        config_with({"metrics": {"concentration": ["hoover", "locational_gini"]}, "claims": {"skip": ["C1"]}}),
        CONFIG_SCHEMA,
        base=ROOT,
    )


@pytest.mark.parametrize(
    "override, key",
    [
        ({"metrics": {"specialisation": ["herfindahl_region"]}}, "claims.c1.specialisation"),
        ({"metrics": {"levels": ["province", "county"]}}, "claims.c1.level"),
        ({"metrics": {"similarity": ["krugman_dissimilarity"]}}, "claims.c5.metric"),
        ({"metrics": {"similarity_levels": ["province"]}}, "claims.c5.level"),
        (
            {"geography": {"region_set": "yrd16_2003"}, "claims": {"c5": {"region_set": "yrd41_2019"}}},
            "claims.c5.region_set",
        ),
    ],
)
def test_other_claim_needs(override, key):
    assert f"config key '{key}'" in errors_of(override)


def test_unknown_claim_in_skip_is_a_schema_error():
    assert "claims.skip.0" in errors_of({"claims": {"skip": ["C9"]}})


# 5. the same raw file for two years ------------------------------------------------------------
def user_files(files: dict) -> dict:
    return {
        "run": {"synthetic": False},
        "period": {"start": 1998, "end": 2000},
        "ingest": {"files": files, "money_unit": dict.fromkeys(files, "qian")},
    }


def test_same_raw_file_for_two_years_is_a_config_error():
    f = "tests/data/malformed/ok_gbk_zh.csv"
    msg = errors_of(user_files({"1998": f, "1999": "tests/data/malformed/../malformed/ok_gbk_zh.csv"}))
    assert "config key 'ingest.files.1999'" in msg and "already listed as 'ingest.files.1998'" in msg


def test_years_outside_the_period_are_errors():
    msg = errors_of(
        user_files({"1998": "tests/data/malformed/ok_gbk_zh.csv", "2005": "tests/data/malformed/ok_utf8_bom_en.csv"})
    )
    assert "config key 'ingest.files': year 2005 lies outside period 1998-2000" in msg
    msg = errors_of({"claims": {"c2": {"window": [1995, 2004]}}})
    assert "config key 'claims.c2.window': year 1995 lies outside period 1998-2013" in msg
    msg = errors_of({"figures": {"kdensity": {"year": 2005}}})
    assert "config key 'figures.kdensity.year': K-densities are computed for [1998, 2013]" in msg


# 10. the gravity's distance has one source ---------------------------------------------------------
def test_road_time_with_a_distance_table_is_refused_naming_both_keys():
    msg = errors_of({"flows": {"distance": "road_time", "distances": "resources/regions/prefectures.csv"}})
    assert "config key 'flows.distance': road_time" in msg and "config key 'flows.distances'" in msg
    # either alone is fine
    validate_config(config_with({"flows": {"distance": "road_time"}}), CONFIG_SCHEMA, base=ROOT)
    validate_config(
        config_with({"flows": {"distance": "great_circle", "distances": "resources/regions/prefectures.csv"}}),
        CONFIG_SCHEMA,
        base=ROOT,
    )
    # road_time is the default: a distance table alone is refused with both keys named
    msg = errors_of({"flows": {"distances": "resources/regions/prefectures.csv"}})
    assert "config key 'flows.distance': road_time" in msg
    assert "flows.distance" in errors_of({"flows": {"distance": "rail_time"}})


def test_road_time_as_of_scenarios_in_the_schema_and_the_period():
    bridge = {"name": "b", "type": "road_time_as_of", "from_year": 2008, "pairs": [["330200", "310100"]]}
    assert "flows.scenarios" in errors_of({"flows": {"scenarios": [bridge]}})  # as_of required
    assert "flows.scenarios" in errors_of({"flows": {"scenarios": [{**bridge, "as_of": 2007, "factor": 1.6}]}})
    msg = errors_of({"flows": {"scenarios": [{**bridge, "as_of": 1995}]}})
    assert "config key 'flows.scenarios[0].as_of': year 1995 lies outside period 1998-2013" in msg
    scale = {"name": "s", "type": "scale_pairs", "from_year": 2008, "factor": 1.6, "pairs": [["330200", "310100"]]}
    validate_config(config_with({"flows": {"scenarios": [scale, {**bridge, "as_of": 2007}]}}), CONFIG_SCHEMA, base=ROOT)
    assert "flows.scenarios" in errors_of({"flows": {"scenarios": [{**scale, "as_of": 2007}]}})


def test_own_files_on_a_synthetic_run_would_be_ignored():
    msg = errors_of({"ingest": {"files": {"1998": "tests/data/malformed/ok_gbk_zh.csv"}}})
    assert "config key 'ingest.files': run.synthetic is true" in msg


def test_encoding_for_a_file_not_read():
    cfg = user_files({"1998": "tests/data/malformed/ok_gbk_zh.csv"})
    cfg["period"]["end"] = 1998
    cfg["ingest"]["encodings"] = {"tests/data/malformed/ok_gbk.csv": "gbk"}
    assert "config key 'ingest.encodings'" in errors_of(cfg)


# 9. studies in their own folders ---------------------------------------------------------------
def test_results_dir_is_per_study():
    assert results_dir(config_with({})) == "results/default/"
    assert results_dir(config_with({"run": {"name": "tiny"}})) == "results/tiny/"


def test_a_study_file_without_a_name_is_refused(tmp_path):
    study = tmp_path / "my_study.yaml"
    study.write_text("geography:\n  region_set: yrd16_2003\n", encoding="utf-8")
    merged = config_with({"geography": {"region_set": "yrd16_2003"}})
    (msg,) = study_name_errors(merged, [study], ROOT / "config" / "config.yaml")
    assert "config key 'run.name'" in msg and "overwrite results/default/" in msg
    named = tmp_path / "named.yaml"
    named.write_text("run:\n  name: default\n", encoding="utf-8")  # explicit: allowed
    assert study_name_errors(merged, [named], ROOT / "config" / "config.yaml") == []
    assert study_name_errors(config_with({}), [], ROOT / "config" / "config.yaml") == []


@pytest.mark.workflow
def test_every_output_of_a_study_is_in_its_folder(tmp_path):
    """The tiny study's DAG writes nothing outside results/tiny/ (and its world's folder)."""
    work = copy_workflow(tmp_path)
    res = snakemake(work, "--configfile", "config/tiny.yaml", "--summary", "--cores", "1")
    assert res.returncode == 0, res.stderr[-3000:]
    outputs = [line.split("\t")[0] for line in res.stdout.splitlines()[1:] if line.strip()]
    assert len(outputs) > 40
    outside = [o for o in outputs if not (o.startswith("results/tiny/") or o.startswith("resources/raw/tiny/"))]
    assert outside == []


@pytest.mark.workflow
@pytest.mark.parametrize(
    "override, key",
    [
        ("claims:\n  c1:\n    integration: data/lambda.csv\n", "claims.c1.integration"),
        ("flows:\n  distance: great_circle\n  distances: data/road.csv\n", "flows.distances"),
        ("flows:\n  distance: road_time\n  distances: resources/regions/prefectures.csv\n", "flows.distance"),
        ("claims:\n  c1:\n    metrics: [elison_glaeser, locational_gini]\n", "claims.c1.metrics[0]"),
        ("metrics:\n  concentration: [hoover, top5_share]\n", "metrics.concentration[1]"),
        ("metrics:\n  concentration: [hoover, locational_gini]\n", "claims.c1.metrics[0]"),
        ("geography:\n  region_set: yrd16_2003\n", "run.name"),
    ],
)
def test_config_mistakes_stop_snakemake_before_any_rule(tmp_path, override, key):
    """One clean message naming the key, no traceback, nothing written."""
    work = copy_workflow(tmp_path)
    body = override if key == "run.name" else "run:\n  name: mistake\n" + override
    (work / "config" / "mistake.yaml").write_text(body, encoding="utf-8")
    res = snakemake(work, "--cores", "1", "--configfile", "config/mistake.yaml")
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert f"config key '{key}'" in out
    assert "Traceback" not in out and 'File "' not in out
    assert not (work / "results").exists()


def test_records_only_run_needs_no_survey_files_and_refuses_them():
    records_only = {"run": {"name": "ro", "synthetic": False, "asif": False}}
    validate_config(config_with(records_only), CONFIG_SCHEMA, base=ROOT)  # no survey files needed
    msg = errors_of({**records_only, "ingest": {"files": {"1998": "tests/data/malformed/ok_gbk_zh.csv"}}})
    assert "config key 'ingest.files': run.asif is false" in msg
