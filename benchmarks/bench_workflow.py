"""Benchmark the workflow on one config and print wall time and peak memory per rule.

Usage (what `make bench` runs):

    .venv/bin/python benchmarks/bench_workflow.py --configfile config/asif.yaml

The run happens in a separate working directory (default ``bench/<run name>/``, git-ignored)
holding links to the workflow, so the user's ``results/`` are untouched. The synthetic world
(rule ``simulate``, which stands in for the user's raw data) is generated there if missing and
reported on its own line; every other rule is forced to run so the figures are fresh. Figures
come from Snakemake's own ``benchmark:`` files (wall seconds ``s`` and peak resident memory
``max_rss`` in MB). The I/O floor is the time to read every raw file once with
``yrd.ingest.read_raw``; the ratio total / floor says how far the pipeline is from pure reading.
Writes ``results/<run.name>/benchmarks/summary.json`` inside the working directory and prints its path.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
LINKED = ["Snakefile", "config", "workflow", "profiles", "environment.yml"]


def prepare_workdir(work: Path) -> None:
    """Symlink the workflow into ``work``; resources/ is a real folder whose shipped
    sub-folders are links, so generated raw worlds stay inside ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    res = work / "resources"
    res.mkdir(exist_ok=True)
    for sub in (ROOT / "resources").iterdir():
        if sub.name in ("raw", "generated"):
            continue
        link = res / sub.name
        if not link.exists():
            link.symlink_to(sub)


def snakemake(work: Path, configfile: str, targets: list[str], options: list[str] = ()) -> None:
    cmd = [sys.executable, "-m", "snakemake", *targets, "--cores", "all", "--configfile", configfile, *options]
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=work, check=True)


def read_benchmarks(bench_dir: Path) -> pd.DataFrame:
    rows = []
    for f in sorted(bench_dir.glob("*.tsv")):
        b = pd.read_csv(f, sep="\t")
        rows.append({"rule": f.stem, "seconds": float(b["s"].iloc[-1]), "max_rss_mb": float(b["max_rss"].iloc[-1])})
    return pd.DataFrame(rows)


def io_floor(files: list[Path]) -> float:
    from yrd.ingest import read_raw

    t0 = time.perf_counter()
    for f in files:
        read_raw(f)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configfile", default="config/asif.yaml")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--target", action="append", default=None, help="targets (default: the rule all)")
    args = ap.parse_args()

    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    over = yaml.safe_load((ROOT / args.configfile).read_text(encoding="utf-8"))
    name = over.get("run", {}).get("name", cfg["run"]["name"])
    world = over.get("synthetic", {}).get("world", cfg["synthetic"]["world"])
    work = Path(args.workdir or ROOT / "bench" / name).resolve()
    prepare_workdir(work)
    bench_dir = work / "results" / name / "benchmarks"
    if bench_dir.exists():
        for f in bench_dir.glob("*.tsv"):
            f.unlink()

    truth = f"resources/raw/{world}/truth/records.parquet"
    snakemake(work, args.configfile, [truth])  # generate the world only if missing
    gen = read_benchmarks(bench_dir)
    targets = args.target or []
    t1 = time.perf_counter()
    snakemake(work, args.configfile, targets, ["--forcerun", *_rules_except_simulate(work, args.configfile)])
    wall = time.perf_counter() - t1
    table = read_benchmarks(bench_dir)
    table = table[table["rule"] != "simulate"].sort_values("seconds", ascending=False)
    raw = sorted((work / "resources" / "raw" / world).glob("asif_*"))
    floor = io_floor(raw)
    total = float(table["seconds"].sum())
    summary = {
        "config": args.configfile,
        "world": world,
        "raw_files": len(raw),
        "simulate_seconds": float(gen.loc[gen["rule"] == "simulate", "seconds"].sum()) if len(gen) else None,
        "simulate_max_rss_mb": float(gen.loc[gen["rule"] == "simulate", "max_rss_mb"].max()) if len(gen) else None,
        "rules": table.to_dict(orient="records"),
        "total_seconds_rules": total,
        "wall_seconds": wall,
        "peak_rss_mb": float(table["max_rss_mb"].max()) if len(table) else None,
        "io_floor_seconds": floor,
        "ratio_total_to_io_floor": total / floor if floor > 0 else None,
        "cpu_count": os.cpu_count(),
    }
    out = bench_dir / "summary.json"
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print()
    print(f"Benchmark of {args.configfile} (world '{world}') in {work}")
    if summary["simulate_seconds"] is not None:
        print(
            f"  simulate (stands in for the raw data, not in the total): {summary['simulate_seconds']:.1f} s, "
            f"peak {summary['simulate_max_rss_mb']:.0f} MB"
        )
    else:
        print("  simulate: world already present, not regenerated")
    print(f"  {'rule':<28}{'wall s':>10}{'peak MB':>10}")
    for r in summary["rules"]:
        print(f"  {r['rule']:<28}{r['seconds']:>10.1f}{r['max_rss_mb']:>10.0f}")
    print(f"  {'total (sum of rules)':<28}{total:>10.1f}{summary['peak_rss_mb'] or 0:>10.0f}")
    print(
        f"  wall clock of the run: {wall:.1f} s; I/O floor (read every raw file once): {floor:.1f} s; "
        f"total / floor = {summary['ratio_total_to_io_floor']:.1f}"
    )
    print(f"  written: {out}")


def _rules_except_simulate(work: Path, configfile: str) -> list[str]:
    """Rules of the default target's DAG (from a forced dry run's job stats), without simulate."""
    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "-F", "--quiet", "rules", "--configfile", configfile],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    )
    text = res.stdout + res.stderr
    rules, in_table = [], False
    for line in text.splitlines():
        if line.startswith("job ") and "count" in line:
            in_table = True
            continue
        if in_table:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                rules.append(parts[0])
            elif parts and not set(line.strip()) <= set("- "):
                break
    if not rules:
        raise RuntimeError("could not read the rules of the DAG from a dry run")
    # simulate and what it is built from (boundaries) are not forced: forcing them would regenerate
    # the world, which stands in for the raw data and is timed on its own.
    return [r for r in rules if r not in ("simulate", "boundaries", "all", "total")]


if __name__ == "__main__":
    main()
