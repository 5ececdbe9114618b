"""The metric rules run by Snakemake in a throw-away copy of the workflow, on a small fake
``results/clean/firm_years.parquet``, with a toy metric registered by a plugin module named in
the config (metrics.plugins): the rule's separate Python process imports it and its values
appear in concentration.parquet."""

from __future__ import annotations

import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from helpers.workflow import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

RULES = ["concentration", "specialisation", "similarity", "kdensity", "market_segmentation"]
TARGETS = [
    "results/metrics_test/metrics/full/concentration.parquet",
    "results/metrics_test/metrics/full/specialisation.parquet",
    "results/metrics_test/metrics/full/similarity.parquet",
    "results/metrics_test/metrics/kdensity.parquet",
    "results/metrics_test/metrics/segmentation_overall.parquet",
]
# Counties of four yrd16_2003 prefectures and one outside the set (Hefei), on a 0.3-degree grid.
COUNTIES = ["310101", "310104", "320102", "320106", "320505", "330102", "330106", "340102"]

PLUGIN = '''
"""Toy metrics for the workflow test."""
from yrd.metrics.registry import register


@register("toy_top_share", kind="concentration")
def top_share(X):
    """Share of each industry in its largest region."""
    return X.max() / X.sum()
'''

CONFIG = """
run:
  name: metrics_test
sample:
  consistent_threshold: false  # the full sample: the fake firm-years are the metrics' input
claims:
  skip: [C1]  # its locational_gini is not computed here (the config check would stop the run)
geography:
  region_set: yrd16_2003
metrics:
  measure: employment
  levels: [province, prefecture]
  concentration: [hoover, ellison_glaeser, toy_top_share]
  specialisation: [krugman_specialisation]
  similarity: [structural_similarity]
  similarity_levels: [prefecture]
  plugins: [toy_metrics]
  kdensity:
    years: null
    industries: null
    n_sim: 19
    max_km: 60
    step_km: 2
    seed: 1
    quantiles: [0.05, 0.95]
    min_plants: 5
  segmentation:
    prices: prices.csv
    index: chained
    ddof: 1
"""

# Used only while the Snakefile, common.smk and the schema do not yet wire in the metrics.
COMMON_HELPERS = '''

def segmentation_prices():
    """The price panel of metrics.segmentation.prices, or no input when it is null."""
    path = config["metrics"]["segmentation"]["prices"]
    return path if path else []


def segmentation_outputs():
    """Market segmentation tables, only when a price panel is configured."""
    if not config["metrics"]["segmentation"]["prices"]:
        return []
    return [
        "results/metrics_test/metrics/segmentation_pairs.parquet",
        "results/metrics_test/metrics/segmentation_regions.parquet",
        "results/metrics_test/metrics/segmentation_overall.parquet",
    ]
'''


def _wire_metrics(work):
    snakefile = work / "Snakefile"
    if "workflow/rules/metrics.smk" not in snakefile.read_text(encoding="utf-8"):
        with open(snakefile, "a", encoding="utf-8") as fh:
            fh.write('\n\ninclude: "workflow/rules/metrics.smk"\n')
    common = work / "workflow" / "rules" / "common.smk"
    if "def segmentation_prices" not in common.read_text(encoding="utf-8"):
        with open(common, "a", encoding="utf-8") as fh:
            fh.write(COMMON_HELPERS)
    schema_path = work / "config" / "schemas" / "config.schema.yaml"
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    if "metrics" not in schema["properties"]:
        schema["properties"]["metrics"] = {"description": "metrics (test stand-in)", "type": "object"}
        schema_path.write_text(yaml.safe_dump(schema, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _fake_inputs(work) -> pd.DataFrame:
    geo = work / "results" / "metrics_test" / "geography"
    geo.mkdir(parents=True)
    boxes = [shapely.box(119 + 0.3 * k, 31, 119.25 + 0.3 * k, 31.25) for k in range(len(COUNTIES))]
    gpd.GeoDataFrame(
        {"code": COUNTIES, "prefecture_code": [c[:4] + "00" for c in COUNTIES]}, geometry=boxes, crs="EPSG:4326"
    ).to_parquet(geo / "boundaries_county.parquet")
    # the metric rules read the boundaries' prefecture codes (national region sets take them from there)
    pd.DataFrame({"code": sorted({c[:4] + "00" for c in COUNTIES})}).to_parquet(geo / "boundaries_prefecture.parquet")

    rng = np.random.default_rng(5)
    n = 900
    county = rng.choice(COUNTIES, size=n, p=[0.2, 0.1, 0.15, 0.1, 0.15, 0.1, 0.1, 0.1])
    fy = pd.DataFrame(
        {
            "firm_id": np.arange(n),
            "year": rng.choice([1998, 2013], size=n),
            "county": county,
            "prefecture": [c[:4] + "00" for c in county],
            "province": [c[:2] + "0000" for c in county],
            "industry": rng.choice(["13", "26", "39"], size=n),
            "employment": rng.integers(5, 400, size=n),
            "output": rng.uniform(100, 1e5, size=n),
        }
    )
    (work / "results" / "metrics_test" / "clean").mkdir(parents=True)
    fy.to_parquet(work / "results" / "metrics_test" / "clean" / "firm_years.parquet", index=False)

    prices = [
        (r, y, f"g{g}", 100 * np.exp(rng.normal(0.02, 0.03)))
        for r in ["310000", "320000", "330000"]
        for y in range(2000, 2004)
        for g in range(6)
    ]
    pd.DataFrame(prices, columns=["region", "year", "good", "price_index"]).to_csv(work / "prices.csv", index=False)
    return fy


@pytest.fixture(scope="module")
def metrics_run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("metrics"))
    _wire_metrics(work)
    fy = _fake_inputs(work)
    (work / "toy_metrics.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    (work / "config" / "test_metrics.yaml").write_text(CONFIG, encoding="utf-8")
    res = snakemake(
        work, "--cores", "2", "--configfile", "config/test_metrics.yaml", "--allowed-rules", *RULES, "--", *TARGETS
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    return work, fy


def test_plugin_metric_from_config_appears_in_concentration(metrics_run):
    work, fy = metrics_run
    table = pd.read_parquet(work / "results" / "metrics_test" / "metrics" / "full" / "concentration.parquet")
    assert set(table["metric"]) == {"hoover", "ellison_glaeser", "toy_top_share"}
    assert set(table["level"]) == {"province", "prefecture"}
    toy = table[table["metric"] == "toy_top_share"].set_index(["year", "level", "industry"])["value"]
    inside = fy[fy["prefecture"] != "340100"]  # Hefei is not in yrd16_2003
    for level in ("province", "prefecture"):
        X = inside.groupby(["year", level, "industry"])["employment"].sum().unstack("industry")
        for (year, industry), value in (X.groupby(level="year").max() / X.groupby(level="year").sum()).stack().items():
            assert toy[(year, level, industry)] == pytest.approx(value)
    log = (work / "results" / "metrics_test" / "logs" / "concentration_full.log").read_text(encoding="utf-8")
    assert "plugins ['toy_metrics'] registered ['toy_top_share']" in log


def test_other_metric_tables(metrics_run):
    work, _ = metrics_run
    out = work / "results" / "metrics_test" / "metrics"
    spec = pd.read_parquet(out / "full" / "specialisation.parquet")
    assert set(spec["metric"]) == {"krugman_specialisation"} and "340000" not in set(spec["region"])
    sim = pd.read_parquet(out / "full" / "similarity.parquet")
    assert set(sim["level"]) == {"prefecture"} and len(sim) == 2 * 4 * 3  # years x ordered pairs of 4 prefectures
    summary = pd.read_parquet(out / "kdensity_summary.parquet")
    assert summary["year"].unique().tolist() == [1998, 2013]  # null years: the period's first and last
    density = pd.read_parquet(out / "kdensity.parquet")
    assert density["distance_km"].max() == 60 and (density["global_hi"] >= density["local_hi"] - 1e-12).all()
    overall = pd.read_parquet(out / "segmentation_overall.parquet")
    assert overall["year"].tolist() == [2000, 2001, 2002, 2003] and (overall["n_pairs"] == 3).all()
    for rule in RULES:
        name = f"{rule}_full" if rule in ("concentration", "specialisation", "similarity") else rule
        assert (work / "results" / "metrics_test" / "logs" / f"{name}.log").exists()
    assert (work / "results" / "metrics_test" / "benchmarks" / "kdensity.tsv").exists()
