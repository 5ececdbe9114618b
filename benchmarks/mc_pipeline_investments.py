"""The whole investments pipeline (records -> ingest -> links -> events -> PPML) on redraws of the
synthetic investment records, against the same PPML on each redraw's true events.

    .venv/bin/python benchmarks/mc_pipeline_investments.py --workdir /tmp/mc_inv              # offsets 1601-1610
    .venv/bin/python benchmarks/mc_pipeline_investments.py --workdir /tmp/mc_inv --offsets 1601 1602 --out mc.csv

``benchmarks/mc_investment_gravity.py`` measures the estimator on true events; this script measures
what the pipeline adds. It copies the repository (code, config, ``resources/``, and
``results/default`` so that nothing upstream of the records is recomputed) to ``--workdir``, then
for each ``synthetic.investments.seed_offset`` runs Snakemake there on the default world with that
offset (a config file laid over ``config/config.yaml``) up to ``flows/sources/gravity.csv`` and
``validation/gravity_sources_truth_events.csv``. The repository itself is not touched.

It prints, per redraw, the pooled model's ``log_distance`` and ``border`` from the records and
from the true events, the z against the truth (-0.9, -0.4 unless the config says otherwise) and
the pipeline minus true-event difference, then their mean and standard deviation. Every firm
number in it is synthetic. About 1 minute per redraw on 2 cores (the default world).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from _common import ROOT

TARGETS = ("flows/sources/gravity.csv", "validation/gravity_sources_truth_events.csv")
TERMS = ("log_distance", "border")


def _copy(workdir: Path) -> None:
    """The repository's code, config and inputs, and its default results, in ``workdir``."""
    if workdir.exists():
        shutil.rmtree(workdir)
    ignore = shutil.ignore_patterns(".git", ".venv", "results", ".snakemake", "site", "__pycache__")
    shutil.copytree(ROOT, workdir, ignore=ignore, symlinks=True)
    shutil.copytree(ROOT / "results" / "default", workdir / "results" / "default", symlinks=True)


def _pooled(path: Path) -> dict[str, tuple[float, float]]:
    t = pd.read_csv(path)
    t = t[(t["source"] == "investments") & (t["model"] == "pooled")]
    return {r.term: (float(r.estimate), float(r.std_error)) for r in t.itertuples() if r.term in TERMS}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workdir", required=True, type=Path)
    ap.add_argument("--offsets", type=int, nargs="+", default=list(range(1601, 1611)))
    ap.add_argument("--cores", type=int, default=2)
    ap.add_argument("--out", default=None, help="CSV of every redraw's estimates")
    a = ap.parse_args()
    if not (ROOT / "results" / "default" / "flows" / "sources" / "gravity.csv").exists():
        sys.exit("run the default study first (make run): its results are the starting point")
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    inv = cfg["synthetic"]["investments"]
    true = {"log_distance": float(inv["beta_log_distance"]), "border": float(inv["beta_border"])}
    _copy(a.workdir)
    snakemake = str(Path(sys.executable).with_name("snakemake"))
    rows = []
    for offset in a.offsets:
        overlay = a.workdir / "config" / f"mc_offset_{offset}.yaml"
        spec = {"run": {"name": "default"}, "synthetic": {"investments": {"seed_offset": offset}}}  # in the copy
        overlay.write_text(yaml.safe_dump(spec), encoding="utf-8")
        cmd = [snakemake, *(f"results/default/{t}" for t in TARGETS), "--cores", str(a.cores), "-q"]
        cmd += ["--forcerun", "simulate_investments"]  # the profile reruns on mtime only
        cmd += ["--configfile", "config/config.yaml", str(overlay)]  # the overlay last: it wins
        done = subprocess.run(cmd, cwd=a.workdir, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"offset {offset}: snakemake failed\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        res = a.workdir / "results" / "default"
        rec, tru = _pooled(res / TARGETS[0]), _pooled(res / TARGETS[1])
        for term in TERMS:
            est, se = rec[term]
            rows.append(
                {
                    "offset": offset,
                    "term": term,
                    "true": true[term],
                    "records": est,
                    "records_se": se,
                    "z": (est - true[term]) / se,
                    "true_events": tru[term][0],
                    "records_minus_true_events": est - tru[term][0],
                }
            )
        print(pd.DataFrame(rows[-2:]).round(4).to_string(index=False, header=len(rows) == 2), flush=True)
    t = pd.DataFrame(rows)
    if a.out:
        t.to_csv(a.out, index=False)
    s = t.groupby("term", sort=False).agg(
        draws=("offset", "size"),
        mean=("records", "mean"),
        sd=("records", "std"),
        mean_se=("records_se", "mean"),
        z_min=("z", "min"),
        z_max=("z", "max"),
        beyond_2se=("z", lambda z: int((z.abs() > 2).sum())),
        gap_mean=("records_minus_true_events", "mean"),
        gap_sd=("records_minus_true_events", "std"),
        gap_largest=("records_minus_true_events", lambda g: g.abs().max()),
    )
    print("SYNTHETIC investment records, pooled PPML:\n" + s.round(4).to_string())


if __name__ == "__main__":
    main()
