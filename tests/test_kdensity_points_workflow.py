"""Rules kdensity_points_year (one job per year) and kdensity_points (gather + comparison with the
county-centroid K-densities) run by Snakemake in a throw-away copy of the workflow on a hand-made
``results/<run>/clean/plant_points.parquet`` (the table of rule plant_points)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from helpers.workflow import copy_workflow, snakemake

pytestmark = pytest.mark.workflow

RULES = ["kdensity", "kdensity_points_year", "kdensity_points"]
COUNTIES = ["310101", "310104", "320102", "320106", "320505", "330102", "330106", "340102"]
YEARS = [1998, 2013]
CONFIG = """
run:
  name: {run}
sample:
  consistent_threshold: false  # the full sample: the fake firm-years feed the centroid K-densities
claims:
  skip: [C1]
geography:
  region_set: yrd16_2003
metrics:
  kdensity:
    years: null
    n_sim: 19
    max_km: 60
    step_km: 2
    seed: 1
    min_plants: 5
    points:
      enabled: true
      years: [1998, 2013]
"""


def _fake_inputs(work, run: str, usable: bool = True) -> pd.DataFrame:
    base = work / "results" / run
    (base / "geography").mkdir(parents=True)
    (base / "clean").mkdir(parents=True)
    boxes = [shapely.box(119 + 0.3 * k, 31, 119.25 + 0.3 * k, 31.25) for k in range(len(COUNTIES))]
    gpd.GeoDataFrame(
        {"code": COUNTIES, "prefecture_code": [c[:4] + "00" for c in COUNTIES]}, geometry=boxes, crs="EPSG:4326"
    ).to_parquet(base / "geography" / "boundaries_county.parquet")
    rng = np.random.default_rng(5)
    n = 900
    k = rng.choice(len(COUNTIES), size=n, p=[0.2, 0.1, 0.15, 0.1, 0.15, 0.1, 0.1, 0.1])
    county = np.asarray(COUNTIES)[k]
    industry = rng.choice(["13", "26", "39"], size=n)
    # industry 13 packed into the middle of its county box, the others spread over it
    spread = np.where(industry == "13", 0.01, 0.1)
    pts = pd.DataFrame(
        {
            "firm_id": [f"f{i}" for i in range(n)],
            "year": rng.choice(YEARS, size=n),
            "county": county,
            "prefecture": [c[:4] + "00" for c in county],
            "industry": industry,
            "lon": 119.125 + 0.3 * k + rng.uniform(-1, 1, n) * spread,
            "lat": 31.125 + rng.uniform(-1, 1, n) * spread,
            "point_status": np.where(rng.uniform(size=n) < 0.9, "ok", "unmatched") if usable else "unmatched",
            "outside_km": 0.0,
        }
    )
    pts.to_parquet(base / "clean" / "plant_points.parquet", index=False)
    fy = pts[["firm_id", "year", "county", "prefecture", "industry"]].assign(
        province=[c[:2] + "0000" for c in county], employment=10, output=1.0
    )
    fy.to_parquet(base / "clean" / "firm_years.parquet", index=False)
    (work / "config" / f"{run}.yaml").write_text(CONFIG.format(run=run), encoding="utf-8")
    return pts


def _targets(run):
    out = f"results/{run}/metrics/"
    return [
        out + "kdensity_points.parquet",
        out + "kdensity_points_summary.parquet",
        out + "kdensity_sites_comparison.csv",
    ]


@pytest.fixture(scope="module")
def points_run(tmp_path_factory):
    work = copy_workflow(tmp_path_factory.mktemp("kdp"))
    pts = _fake_inputs(work, "kdp_test")
    res = snakemake(
        work,
        "--cores",
        "2",
        "--configfile",
        "config/kdp_test.yaml",
        "--allowed-rules",
        *RULES,
        "--",
        *_targets("kdp_test"),
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    return work, pts


def test_one_job_per_year_gathered_and_compared(points_run):
    work, pts = points_run
    out = work / "results" / "kdp_test" / "metrics"
    for y in YEARS:
        assert (out / "kdensity_points" / f"{y}.parquet").exists()
        assert (work / "results" / "kdp_test" / "logs" / f"kdensity_points_{y}.log").exists()
    summary = pd.read_parquet(out / "kdensity_points_summary.parquet")
    assert sorted(summary["year"].unique()) == YEARS and set(summary["sites"]) == {"points"}
    s = summary.set_index(["year", "industry"])
    inside = pts[pts["prefecture"] != "340100"]  # Hefei is not in yrd16_2003
    for (y, ind), g in inside.groupby(["year", "industry"]):
        assert s.loc[(y, ind), "n_plants"] == (g["point_status"] == "ok").sum()
        assert s.loc[(y, ind), "n_no_point"] == (g["point_status"] != "ok").sum()
    assert s.loc[(1998, "13"), "localised"] and s.loc[(2013, "13"), "localised"]
    density = pd.read_parquet(out / "kdensity_points.parquet")
    assert density["distance_km"].max() == 60 and len(density) == 6 * 31
    cmp = pd.read_csv(out / "kdensity_sites_comparison.csv", dtype={"industry": str})
    assert len(cmp) == 6 and {"verdict_sites", "verdict_points", "verdict_changed"} <= set(cmp.columns)
    sites = pd.read_parquet(out / "kdensity_summary.parquet").set_index(["year", "industry"])
    for row in cmp.itertuples():
        assert row.localisation_index_sites == pytest.approx(sites.loc[(row.year, row.industry), "localisation_index"])


def test_no_usable_point_stops_naming_the_key(points_run):
    work, _ = points_run
    _fake_inputs(work, "kdp_bad", usable=False)
    res = snakemake(
        work,
        "--cores",
        "1",
        "--configfile",
        "config/kdp_bad.yaml",
        "--allowed-rules",
        *RULES,
        "--",
        *_targets("kdp_bad"),
    )
    assert res.returncode != 0
    logs = (work / "results" / "kdp_bad" / "logs").glob("kdensity_points_*.log")  # the year run first
    assert any("metrics.kdensity.points.enabled" in f.read_text(encoding="utf-8") for f in logs)


def test_all_requests_point_kdensities_only_when_enabled(points_run):
    """config/config.yaml leaves them off (about 0.3 core-hours per default-world year);
    config/tiny.yaml turns them on, and `all` then asks for one job per year and the plant points."""
    work, _ = points_run
    (work / "config" / "points_off.yaml").write_text(
        "metrics:\n  kdensity:\n    points:\n      enabled: false\n", encoding="utf-8"
    )
    res = snakemake(
        work, "all", "--dry-run", "--quiet", "rules", "--configfile", "config/tiny.yaml", "config/points_off.yaml"
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    assert "kdensity_points" not in res.stdout
    (work / "config" / "points_on.yaml").write_text(
        "metrics:\n  kdensity:\n    points:\n      enabled: true\n      years: [2000]\n", encoding="utf-8"
    )
    res = snakemake(
        work, "all", "--dry-run", "--quiet", "rules", "--configfile", "config/tiny.yaml", "config/points_on.yaml"
    )
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-4000:]
    assert "kdensity_points_year" in res.stdout
