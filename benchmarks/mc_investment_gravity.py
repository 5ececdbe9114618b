"""Monte Carlo of the investments' gravity estimator on the synthetic world's true subsidiaries.

    .venv/bin/python benchmarks/mc_investment_gravity.py               # 40 draws on the default world
    .venv/bin/python benchmarks/mc_investment_gravity.py --draws 100 --out mc.csv

Issue 16 asks that PPML on the investment records recover the true distance (-0.9) and border
(-0.4) coefficients of the subsidiaries' location choice (:mod:`yrd.synthetic.investment`)
within 2 standard errors. One world is one draw; this script redraws the subsidiaries of the
same firm panel (``draw_subsidiaries`` with seeds 1..R, the world's own parameters) and fits on
the TRUE events, so it measures the estimator, not the pipeline's records:

* ``by_class``: the pipeline's pooled model (origin x class x year and destination x class x
  year effects, :func:`yrd.flows.gravity.estimate_gravity`);
* ``common``: the same cells summed over classes, origin x year and destination x year effects
  (the subsidiaries' choice does not depend on the class in this world);
* ``by_class_4y``: class effects by 4-year period.

It prints the mean, the Monte Carlo standard error of the mean, the standard deviation of the
estimates, the mean reported (pair-clustered) standard error and the share of draws more than
2 reported standard errors from the truth. Inputs: ``resources/raw/<world>/truth/`` and the
run's ``results/<run>/geography/boundaries_prefecture.parquet`` and
``results/<run>/integration/road_times.parquet`` (run the workflow first).
"""

from __future__ import annotations

import argparse
import logging

import numpy as np
import pandas as pd
from _common import ROOT  # first: puts the repository root on sys.path for yrd

from yrd.flows import REGRESSORS, study_frame
from yrd.flows.fixed_effects import add_fixed_effect_codes
from yrd.flows.gravity import fit_ppml
from yrd.flows.sources import source_od, truth_investment_events
from yrd.industry import industry_classes, relocation_class
from yrd.synthetic.investment import InvestmentParams, draw_subsidiaries

SPECS = ("by_class", "common", "by_class_4y")


def _common_fe(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells summed over classes, one group ``all`` (origin x period, destination x period)."""
    agg = frame.groupby(["origin", "dest", "period", "year"], as_index=False, observed=True).agg(
        moves=("moves", "sum"), log_distance=("log_distance", "first"), border=("border", "first")
    )
    agg["group"] = "all"
    return add_fixed_effect_codes(agg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--world", default="default")
    ap.add_argument("--run", default="default")
    ap.add_argument("--draws", type=int, default=40)
    ap.add_argument("--out", default=None, help="CSV of every draw's estimates")
    a = ap.parse_args()
    logging.disable(logging.INFO)
    truth = ROOT / "resources" / "raw" / a.world / "truth"
    results = ROOT / "results" / a.run
    import geopandas as gpd

    panel = pd.read_parquet(truth / "panel.parquet")
    dist = pd.read_parquet(truth / "distances.parquet")
    pyears = pd.read_parquet(truth / "prefecture_years.parquet")
    b = gpd.read_parquet(results / "geography" / "boundaries_prefecture.parquet")
    rt = pd.read_parquet(results / "integration" / "road_times.parquet")
    codes = sorted(b["code"].astype(str))
    groups = relocation_class(industry_classes(ROOT / "resources" / "industry" / "classes.csv"))
    params = InvestmentParams()
    years = range(int(panel["year"].min()), int(panel["year"].max()) + 1)
    rows = []
    for seed in range(1, a.draws + 1):
        ev = draw_subsidiaries(panel, dist, pyears, params, np.random.default_rng(seed))
        ev["above_threshold"] = False
        od = source_od(truth_investment_events(ev), codes, years, groups)
        od.attrs = {}
        for spec in SPECS:
            length = 4 if spec == "by_class_4y" else 1
            fr = study_frame(od, b, "road_time", road_times=rt, period_length=length, start=years[0])
            r = fit_ppml(_common_fe(fr) if spec == "common" else fr, list(REGRESSORS), cluster="pair", model="pooled")
            for term, est, se in zip(r.terms, r.estimate, r.std_error):
                rows.append({"draw": seed, "spec": spec, "term": term, "estimate": est, "std_error": se})
        print(f"draw {seed}: {len(ev)} subsidiaries", flush=True)
    t = pd.DataFrame(rows)
    true = {"log_distance": params.beta_log_distance, "border": params.beta_border}
    t["true"] = t["term"].map(true)
    t["beyond_2se"] = (t["estimate"] - t["true"]).abs() > 2 * t["std_error"]
    if a.out:
        t.to_csv(a.out, index=False)
    s = t.groupby(["spec", "term"], sort=False).agg(
        true=("true", "first"),
        mean=("estimate", "mean"),
        sd=("estimate", "std"),
        mean_se=("std_error", "mean"),
        share_beyond_2se=("beyond_2se", "mean"),
        draws=("estimate", "size"),
    )
    s["mc_se_of_mean"] = s["sd"] / np.sqrt(s["draws"])
    s["bias"] = s["mean"] - s["true"]
    s["bias_z"] = s["bias"] / s["mc_se_of_mean"]
    print(s.round(4).to_string())


if __name__ == "__main__":
    main()
