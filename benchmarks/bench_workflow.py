"""Benchmark the workflow on one config and print wall time and peak memory per rule.

Usage (what `make bench` runs):

    .venv/bin/python benchmarks/bench_workflow.py --configfile config/national.yaml

``config/national.yaml`` is the ASIF-scale benchmark world: all of China (342 prefectures) at the
national survey's density, about 4.4 million firm-years (issue 18). ``config/asif.yaml`` is the
earlier YRD-only world at the same density.

The run happens in a separate working directory (default ``bench/<run name>/``, git-ignored)
holding links to the workflow, so the user's ``results/`` are untouched. The synthetic world
(rule ``simulate``, which stands in for the user's raw data) is generated there if missing and
reported on its own line; every other rule is forced to run so the figures are fresh. Figures
come from Snakemake's own ``benchmark:`` files (wall seconds ``s`` and peak resident memory
``max_rss`` in MB). The I/O floor is the time to read every raw file the core pipeline reads
once with ``yrd.ingest.read_raw``: the ASIF years and the registration extracts (change and
investment CSV/xlsx; before issue 16 only the ASIF years existed, and the summary keeps that
floor and its ratio beside the full one); the ratio total / floor says how far the pipeline is
from pure reading.
Rules are sorted into the core pipeline (ingest to claims: what a user with their own files runs),
the truth rules (scoring against the synthetic world) and the world's own rules
(:func:`yrd.benchmark.classify_rules`); the target ratio is that of the core.
Writes ``results/<run.name>/benchmarks/summary.json`` inside the working directory and prints its path.

``--scaling config/tiny.yaml config/config.yaml config/national.yaml`` runs each config in turn and
writes ``bench/scaling/scaling.csv`` and ``scaling.png``: core seconds and peak memory against
firm-years, with the exponent fitted over all worlds (:func:`yrd.benchmark.scaling_exponent`)
and the exponent between neighbouring worlds (:func:`yrd.benchmark.step_exponents`).
``--scaling-from bench/scaling/scaling.csv`` redraws both from an earlier run.

``--points`` then runs the point K-densities of every year on the same world (rule
``kdensity_points_year``, one job per year, 1,000 counterfactuals, then ``kdensity_points``, which
compares their verdicts with the county-centroid version), forced, and prints their own table
(seconds and peak memory per year); ``--points-only`` runs only those (what is upstream of them
is made if missing, never rerun). ``--points-collect`` reruns nothing: it gathers year jobs
run earlier (one at a time, or as cluster jobs) and writes the same table from their benchmark
files. They are not in the core total: at ASIF scale they are the part that runs as one
cluster job per year (README "Running on a cluster"); the core summary prints the last point
table's totals and when its year jobs ran.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
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


def read_benchmarks(bench_dir: Path, since: float | None = None) -> pd.DataFrame:
    """One row per benchmark file: ``rule`` is the file's stem, or ``<folder>:<stem>`` for a
    rule with a wildcard that writes into a folder of its own (``scenario/<name>.tsv``).
    ``since`` (epoch seconds): only the files written since then."""
    rows = []
    for f in sorted(bench_dir.rglob("*.tsv")):
        if since is not None and f.stat().st_mtime < since:
            continue
        rule = f.stem if f.parent == bench_dir else f"{f.parent.relative_to(bench_dir).as_posix()}:{f.stem}"
        b = pd.read_csv(f, sep="\t")
        rows.append({"rule": rule, "seconds": float(b["s"].iloc[-1]), "max_rss_mb": float(b["max_rss"].iloc[-1])})
    return pd.DataFrame(rows)


def io_floor(files: list[Path], repeats: int = 3) -> float:
    """Seconds to read ``files`` once with ``yrd.ingest.read_raw``: the median of ``repeats``
    reads of all of them (one read alone varied by a third between runs on this shared machine,
    and the ratio with it)."""
    from yrd.ingest import read_raw

    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for f in files:
            read_raw(f)
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def rule_kinds(work: Path, configfile: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Rule -> core / truth / world (:func:`yrd.benchmark.classify_rules`) and rule -> its log
    files (:func:`yrd.benchmark.rule_logs`), from the run's ``--detailed-summary``."""
    from yrd.benchmark import classify_rules, read_detailed_summary, rule_logs

    res = subprocess.run(
        [sys.executable, "-m", "snakemake", "--detailed-summary", "--configfile", configfile],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    )
    summary = read_detailed_summary(res.stdout)
    return classify_rules(summary), rule_logs(summary)


def firm_years(work: Path, name: str) -> int:
    """Clean firm-years of the run (inside and outside the study area)."""
    clean = work / "results" / name / "clean"
    return sum(
        pd.read_parquet(clean / f, columns=["year"]).shape[0]
        for f in ("records.parquet", "outside_study_area.parquet")
        if (clean / f).exists()
    )


def _config_value(configfile: str, *keys: str):
    """A key of ``configfile``, else of ``config/config.yaml`` (which it overrides)."""
    for path in (ROOT / configfile, ROOT / "config" / "config.yaml"):
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
        for k in keys:
            d = d.get(k) if isinstance(d, dict) else None
        if d is not None:
            return d
    raise KeyError(".".join(keys))


def _run_name(configfile: str) -> str:
    """``run.name`` of the study (its results go to ``results/<name>/``)."""
    return _config_value(configfile, "run", "name")


def run_bench(configfile: str, workdir: str | None = None, targets: list[str] | None = None) -> dict:
    """Generate the world of ``configfile`` if missing, force every other rule, and return the
    summary (also written to ``results/<run>/benchmarks/summary.json`` in the working directory)."""
    from yrd.benchmark import core_totals, fit_seconds

    name = _run_name(configfile)
    world = _config_value(configfile, "synthetic", "world")
    work = Path(workdir or ROOT / "bench" / name).resolve()
    prepare_workdir(work)
    bench_dir = work / "results" / name / "benchmarks"
    if bench_dir.exists():
        # the point K-density year jobs are kept: where they are not in the run's targets (the
        # national world) they are not rerun, and the core table reads only files written by
        # this run (``since``)
        for f in bench_dir.rglob("*.tsv"):
            if not f.name.startswith("kdensity_points_"):
                f.unlink()

    truth = f"resources/raw/{world}/truth/records.parquet"
    snakemake(work, configfile, [truth])  # generate the world only if missing
    gen = read_benchmarks(bench_dir)
    t1, started = time.perf_counter(), time.time()
    snakemake(work, configfile, targets or [], ["--forcerun", *_rules_except_simulate(work, configfile)])
    wall = time.perf_counter() - t1
    kinds, logs = rule_kinds(work, configfile)
    fits = fit_seconds(logs, kinds, "core", root=work)  # the PPML gravity fits, from the rules' logs
    table = read_benchmarks(bench_dir, since=started)
    table = table[table["rule"] != "simulate"].sort_values("seconds", ascending=False)
    table["kind"] = table["rule"].map(lambda r: kinds.get(r.split(":")[0], "core"))
    raw = sorted((work / "resources" / "raw" / world).glob("asif_*"))
    registration = sorted(
        f for f in (work / "resources" / "raw" / world / "registration").glob("*.*") if f.suffix in (".csv", ".xlsx")
    )
    floor_asif = io_floor(raw)
    floor_registration = io_floor(registration)
    floor = floor_asif + floor_registration
    total = float(table["seconds"].sum())
    kinds_total = core_totals(table, kinds)
    summary = {
        "config": configfile,
        "world": world,
        "raw_files": len(raw) + len(registration),
        "raw_files_asif": len(raw),
        "raw_files_registration": len(registration),
        "firm_years": firm_years(work, name),
        "simulate_seconds": float(gen.loc[gen["rule"] == "simulate", "seconds"].sum()) if len(gen) else None,
        "simulate_max_rss_mb": float(gen.loc[gen["rule"] == "simulate", "max_rss_mb"].max()) if len(gen) else None,
        "rules": table.to_dict(orient="records"),
        "total_seconds_rules": total,
        **kinds_total,
        "wall_seconds": wall,
        "peak_rss_mb": float(table["max_rss_mb"].max()) if len(table) else None,
        "io_floor_seconds": floor,
        "io_floor_asif_seconds": floor_asif,
        "io_floor_registration_seconds": floor_registration,
        "ratio_total_to_io_floor": total / floor if floor > 0 else None,
        "ratio_core_to_io_floor": kinds_total["core_seconds"] / floor if floor > 0 else None,
        "ratio_core_to_asif_io_floor": kinds_total["core_seconds"] / floor_asif if floor_asif > 0 else None,
        "core_ppml_fit_seconds_by_rule": fits,
        "core_ppml_fit_seconds": float(sum(fits.values())),
        "ratio_core_ppml_fits_to_io_floor": float(sum(fits.values())) / floor if floor > 0 else None,
        "cpu_count": os.cpu_count(),
        "workdir": str(work),
    }
    out = bench_dir / "summary.json"
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print_summary(summary, out)
    return summary


def print_summary(summary: dict, out: Path) -> None:
    print()
    print(f"Benchmark of {summary['config']} (world '{summary['world']}', {summary['firm_years']:,} firm-years)")
    if summary["world"] == "national":
        print("  the ASIF-scale benchmark world: all of China (342 prefectures) at the national survey's density")
    print(
        "  peak MB: Snakemake's benchmark max_rss, sampled while a rule runs; a short allocation spike "
        "between samples is missed"
    )
    if summary["simulate_seconds"] is not None:
        print(
            f"  simulate (stands in for the raw data, not in the total): {summary['simulate_seconds']:.1f} s, "
            f"peak {summary['simulate_max_rss_mb']:.0f} MB"
        )
    else:
        print("  simulate: world already present, not regenerated")
    print(f"  {'rule':<30}{'kind':>7}{'wall s':>10}{'peak MB':>10}")
    for r in summary["rules"]:
        print(f"  {r['rule']:<30}{r['kind']:>7}{r['seconds']:>10.1f}{r['max_rss_mb']:>10.0f}")
    floor = summary["io_floor_seconds"]
    for kind in ("core", "truth", "world"):
        print(f"  {'total ' + kind:<37}{summary[kind + '_seconds']:>10.1f}{summary[kind + '_peak_mb']:>10.0f}")
    print(
        f"  wall clock of the run: {summary['wall_seconds']:.1f} s; I/O floor (read every raw file the core "
        f"reads once): {floor:.1f} s = ASIF {summary['io_floor_asif_seconds']:.1f} s "
        f"({summary['raw_files_asif']} files) + registration extracts {summary['io_floor_registration_seconds']:.1f} s "
        f"({summary['raw_files_registration']} files)"
    )
    print(
        f"  core pipeline (ingest to claims; without the world and the truth rules) / floor = "
        f"{summary['ratio_core_to_io_floor']:.1f} (target <= 10), peak {summary['core_peak_mb']:.0f} MB (target <= 6000); "
        f"all rules / floor = {summary['ratio_total_to_io_floor']:.1f}; core / ASIF files' floor alone "
        f"(the floor before issue 16 added the extracts) = {summary['ratio_core_to_asif_io_floor']:.1f}"
    )
    fits = summary.get("core_ppml_fit_seconds_by_rule") or {}
    if fits:
        parts = ", ".join(f"{rule} {sec:.1f} s" for rule, sec in sorted(fits.items(), key=lambda kv: -kv[1]))
        print(
            f"  of which PPML gravity fits inside pyfixest (fepois; per rule the time during which a fit ran, "
            f"from the rules' logs): {summary['core_ppml_fit_seconds']:.1f} s = "
            f"{summary['ratio_core_ppml_fits_to_io_floor']:.1f} x floor ({parts}), as this run scheduled the fits; "
            "what bounds the core is in docs/performance.md"
        )
    points = out.parent / "points_summary.json"
    if points.exists():  # the point K-densities run as jobs of their own (--points), not rerun here
        p = json.loads(points.read_text(encoding="utf-8"))
        when = p.get("year_files_written") or ["?", "?"]
        print(
            f"  point K-densities, every year as jobs of their own (not in the core total; year jobs finished "
            f"{when[0]} to {when[1]}, table by --points{'' if p.get('forced', True) else '-collect'}): "
            f"{len(p['years'])} years, {p['seconds']:.0f} s in all, largest year {p['max_year_seconds']:.0f} s, "
            f"peak {p['peak_rss_mb']:.0f} MB ({points.name})"
        )
    print(f"  written: {out}")


def run_points(configfile: str, workdir: str | None = None, force: bool = True) -> dict:
    """Point K-densities of every year of the bench world (module docstring): the years' wall
    seconds and peak MB from their benchmark files, the industry-years computed and the verdicts
    that differ from the county-centroid version; written to ``benchmarks/points_summary.json``.

    ``force=False`` (``--points-collect``) reruns nothing that exists: it gathers year jobs run
    earlier (e.g. one by one, or as cluster jobs) and reads their benchmark files, which must
    all be there; the summary records that they were collected and when the files were written."""
    name = _run_name(configfile)
    work = Path(workdir or ROOT / "bench" / name).resolve()
    overlay = work / "points.yaml"  # the study's config with point K-densities on, 1,000 draws
    overlay.write_text(
        yaml.safe_dump({"run": {"name": name}, "metrics": {"kdensity": {"n_sim": 1000, "points": {"enabled": True}}}}),
        encoding="utf-8",
    )
    bench_dir = work / "results" / name / "benchmarks"
    if force:
        for f in bench_dir.glob("kdensity_points_*.tsv"):
            f.unlink()
    metrics = f"results/{name}/metrics"
    rules = ["kdensity_points_year", "kdensity_points"]
    t0 = time.perf_counter()
    snakemake(
        work,
        configfile,
        [f"{metrics}/kdensity_points_summary.parquet"],
        # collecting: only the gathering rule may run (a year job whose inputs were rewritten since,
        # e.g. by a later bench, is taken as it is; a missing one stops the run)
        [
            str(overlay),
            *(["--forcerun", *rules] if force else ["--allowed-rules", rules[1]]),
            "--rerun-triggers",
            "mtime",
        ],
    )
    wall = time.perf_counter() - t0
    years = read_benchmarks(bench_dir)
    years = years[years["rule"].str.fullmatch(r"kdensity_points_\d{4}")].sort_values("rule")
    files = sorted(bench_dir.glob("kdensity_points_*.tsv"))
    expected = pd.read_parquet(work / metrics / "kdensity_points_summary.parquet", columns=["year"])["year"].nunique()
    if len(years) != expected:
        raise RuntimeError(f"{len(years)} year benchmark files in {bench_dir}, {expected} years in the point summary")
    written = [time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t)) for t in sorted(f.stat().st_mtime for f in files)]
    summ = pd.read_parquet(work / metrics / "kdensity_points_summary.parquet")
    comp = pd.read_csv(work / metrics / "kdensity_sites_comparison.csv")
    out = {
        "config": configfile,
        "years": years.to_dict(orient="records"),
        "seconds": float(years["seconds"].sum()),
        "max_year_seconds": float(years["seconds"].max()),
        "peak_rss_mb": float(years["max_rss_mb"].max()),
        "wall_seconds": wall,
        "forced": force,
        "year_files_written": [written[0], written[-1]] if written else None,
        "industry_years": int(len(summ)),
        "estimated": int((summ["status"] == "ok").sum()),
        "plants": int(summ["n_plants"].sum()),
        "compared_with_centroids": int(len(comp)),
        "verdicts_changed": int(comp["verdict_changed"].sum()),
    }
    path = bench_dir / "points_summary.json"
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(
        f"\nPoint K-densities, every year ({out['industry_years']} industry-years, {out['estimated']} estimated, "
        f"{out['plants']:,} plant-years; 1,000 counterfactuals; not in the core total)"
    )
    print(f"  {'job':<30}{'wall s':>10}{'peak MB':>10}")
    for r in out["years"]:
        print(f"  {r['rule']:<30}{r['seconds']:>10.1f}{r['max_rss_mb']:>10.0f}")
    print(f"  {'total':<30}{out['seconds']:>10.1f}{out['peak_rss_mb']:>10.0f}")
    print(
        f"  wall clock {wall:.1f} s{'' if force else ' (collected: year jobs run earlier, not rerun)'}; verdicts "
        f"changed against the county centroids: {out['verdicts_changed']} of "
        f"{out['compared_with_centroids']} industry-years compared"
    )
    print(f"  written: {path}")
    return out


def scaling(configfiles: list[str], out_dir: Path) -> None:
    """Run :func:`run_bench` on each config and write ``scaling.csv`` and ``scaling.png``
    (:func:`scaling_report`)."""
    rows = []
    for cf in configfiles:
        s = run_bench(cf)
        rows.append(
            {
                "config": cf,
                "world": s["world"],
                "firm_years": s["firm_years"],
                "core_seconds": s["core_seconds"],
                "core_peak_mb": s["core_peak_mb"],
                "io_floor_seconds": s["io_floor_seconds"],
                "ratio_core_to_io_floor": s["ratio_core_to_io_floor"],
            }
        )
    scaling_report(pd.DataFrame(rows), out_dir)


def scaling_report(t: pd.DataFrame, out_dir: Path) -> None:
    """Write ``scaling.csv`` and ``scaling.png`` from one row per world (columns of
    :func:`scaling`): core seconds and peak memory against firm-years, log-log, with the slope
    fitted over all worlds (:func:`yrd.benchmark.scaling_exponent`) and the slope from each world
    to the next larger one (:func:`yrd.benchmark.step_exponents`, columns
    ``time_exponent_from_smaller`` and ``memory_exponent_from_smaller``)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from yrd.benchmark import scaling_exponent, step_exponents

    t = t.sort_values("firm_years").reset_index(drop=True)
    t = t.drop(columns=["time_exponent_from_smaller", "memory_exponent_from_smaller"], errors="ignore")
    t["time_exponent_from_smaller"] = step_exponents(t["firm_years"], t["core_seconds"])
    t["memory_exponent_from_smaller"] = step_exponents(t["firm_years"], t["core_peak_mb"])
    b_time = scaling_exponent(t["firm_years"], t["core_seconds"])
    b_mem = scaling_exponent(t["firm_years"], t["core_peak_mb"])
    out_dir.mkdir(parents=True, exist_ok=True)
    t.to_csv(out_dir / "scaling.csv", index=False)
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 4.0))
    for ax, col, step, b, unit in (
        (axes[0], "core_seconds", "time_exponent_from_smaller", b_time, "core pipeline, sum of rules (s)"),
        (axes[1], "core_peak_mb", "memory_exponent_from_smaller", b_mem, "peak memory of a core rule (MB)"),
    ):
        ax.loglog(t["firm_years"], t[col], "o-", color="#0072B2")
        last = len(t) - 1
        for i, r in t.iterrows():
            # the largest world's label left of its point, so that it stays inside the axes
            right = i == last
            ax.annotate(
                r["world"],
                (r["firm_years"], r[col]),
                textcoords="offset points",
                xytext=(-6, 6) if right else (6, 4),
                ha="right" if right else "left",
                fontsize=8,
            )
        ax.margins(x=0.12, y=0.15)
        ax.set_xlabel("firm-years (clean rows)")
        ax.set_ylabel(unit)
        top = t[step].iloc[-1] if len(t) > 1 else float("nan")
        ax.set_title(f"slope over all worlds {b:.2f}; between the two largest {top:.2f}", fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"Cost against size: SYNTHETIC worlds, {os.cpu_count()} cores (make bench)", fontsize=10)
    fig.tight_layout()
    fig.savefig(out_dir / "scaling.png", dpi=120)
    plt.close(fig)
    print()
    print(t.to_string(index=False))
    print(
        f"  exponent of core seconds on firm-years, fitted over all worlds: {b_time:.2f}; of peak memory: {b_mem:.2f}"
    )
    if len(t) > 1:
        a, z = t["world"].iloc[-2], t["world"].iloc[-1]
        print(
            f"  between the two largest worlds ({a} -> {z}): time {t['time_exponent_from_smaller'].iloc[-1]:.2f}, "
            f"memory {t['memory_exponent_from_smaller'].iloc[-1]:.2f} (the fitted slope understates growth when the "
            "smallest world's cost is mostly start-up)"
        )
    print(f"  written: {out_dir / 'scaling.csv'}, {out_dir / 'scaling.png'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--configfile", default="config/national.yaml")
    ap.add_argument("--workdir", default=None)
    ap.add_argument("--target", action="append", default=None, help="targets (default: the rule all)")
    ap.add_argument("--scaling", nargs="+", default=None, help="configs to run one after another for the scaling table")
    ap.add_argument(
        "--scaling-from",
        default=None,
        help="redraw the scaling table and figure from an earlier scaling.csv, without running the worlds",
    )
    ap.add_argument("--points", action="store_true", help="then the point K-densities of every year (own table)")
    ap.add_argument("--points-only", action="store_true", help="only the point K-densities of every year")
    ap.add_argument(
        "--points-collect",
        action="store_true",
        help="gather point K-density year jobs run earlier (nothing rerun) and write their table",
    )
    args = ap.parse_args()
    if args.scaling_from:
        scaling_report(pd.read_csv(args.scaling_from), ROOT / "bench" / "scaling")
    elif args.scaling:
        scaling(args.scaling, ROOT / "bench" / "scaling")
    elif not (args.points_only or args.points_collect):
        run_bench(args.configfile, args.workdir, args.target)
    if args.points or args.points_only:
        run_points(args.configfile, args.workdir)
    elif args.points_collect:
        run_points(args.configfile, args.workdir, force=False)


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
