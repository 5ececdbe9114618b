"""Benchmark of the K-densities on plant points (yrd.metrics.kdensity_points).

    .venv/bin/python benchmarks/bench_kdensity_points.py
    .venv/bin/python benchmarks/bench_kdensity_points.py --world results/default --world results/national

Part 1 (measured): synthetic plant points clustered over the YRD (lon 115-123, lat 27-35: 40
Gaussian clusters of 0.15 degree plus 20% uniform background), frames of N in {20k, 300k}
points, industries of n in {500, 2000, 10000} plants drawn from the frame, grid 0-180 km by
1 km. Timed: the observed industry's bandwidth (exact two-pass Silverman over all n(n-1)/2
pairs) and density, and ``--sims`` counterfactuals. A counterfactual's cost does not depend on
the others (one pair histogram each; the final matrix product and the bands take well under a
second for 1000), so the time for 1000 is the measured time per counterfactual x 1000; the
table says which figures are extrapolated.

Part 2 (estimated): for each ``--world`` (a results folder with sample/consistent/firm_years.parquet,
the main analysis sample the K-densities count, or else clean/firm_years.parquet, and
geography/boundaries_county.parquet), every industry (about 30) and year (16): the plant pairs
within the kernel's reach (taken as 300 km, max grid 180 km + 10 bandwidths of about 12 km)
are counted from the county centroids, and the time is 1000 x (fixed cost + cost per near
pair x near pairs) + the bandwidth's all-pairs passes, with the costs fitted in part 1.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from _common import ROOT, peak_rss_mb  # first: puts the repository root on sys.path for yrd

from yrd.metrics.kdensity import DEFAULT_GRID
from yrd.metrics.kdensity_points import (
    _reach,
    counterfactual_densities_points,
    k_density_points,
    unit_vectors,
)

REACH_KM = 300.0


def yrd_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.uniform([115.5, 27.5], [122.5, 34.5], size=(40, 2))
    k = rng.integers(0, 40, n)
    pts = centres[k] + rng.normal(0, 0.15, (n, 2))
    bg = rng.uniform(size=n) < 0.2
    pts[bg] = rng.uniform([115, 27], [123, 35], size=(int(bg.sum()), 2))
    return pts[:, 0], pts[:, 1]


def measure(N: int, n: int, sims: int, rng: np.random.Generator, threads: int = 1) -> dict:
    flon, flat = yrd_points(N, rng)
    mine = rng.choice(N, n, replace=False)
    t = time.perf_counter()
    _, h = k_density_points(flon[mine], flat[mine], DEFAULT_GRID, threads=threads)
    t_obs = time.perf_counter() - t
    frame = unit_vectors(flon, flat)
    draws = np.stack([rng.choice(N, n, replace=False) for _ in range(sims)])
    t = time.perf_counter()
    counterfactual_densities_points(frame, draws, DEFAULT_GRID, h, threads=threads)
    per_sim = (time.perf_counter() - t) / sims
    # near pairs of one draw (the cost driver)
    reach = _reach(DEFAULT_GRID, h)
    x = frame[draws[0]]
    near = int(sum(((x[a : a + 500] @ x.T) >= np.cos(reach / 6371.0088)).sum() for a in range(0, n, 500)) - n) // 2
    return {
        "N": N,
        "n": n,
        "bandwidth_km": h,
        "near_pairs": near,
        "observed_s": t_obs,
        "per_sim_ms": 1000 * per_sim,
        "sims_timed": sims,
        "est_1000_sims_s": t_obs + 1000 * per_sim,
    }


def world_estimate(world: Path, per_pair: float, fixed: float, pass_per_pair: float) -> pd.DataFrame:
    from yrd.boundaries import centroids, distance_matrix

    # the plants the K-densities count: the main analysis sample's (consistent) when present
    sample = world / "sample" / "consistent" / "firm_years.parquet"
    src = sample if sample.exists() else world / "clean" / "firm_years.parquet"
    print(f"{world}: plants from {src.relative_to(world)}")
    fy = pd.read_parquet(src, columns=["year", "county", "industry"])
    sites = centroids(gpd.read_parquet(world / "geography" / "boundaries_county.parquet"))
    sites["code"] = sites["code"].astype(str)
    D = distance_matrix(sites).to_numpy()
    near = D <= REACH_KM
    idx = pd.Index(sites["code"])
    rows = []
    for (year, ind), g in fy.groupby(["year", "industry"]):
        c = np.bincount(idx.get_indexer(g["county"].astype(str)), minlength=len(idx)).astype(float)
        n = c.sum()
        pairs = (c @ (near @ c) - n) / 2  # plant pairs whose counties are within reach
        rows.append({"year": year, "industry": ind, "n": n, "near_pairs": pairs, "all_pairs": n * (n - 1) / 2})
    t = pd.DataFrame(rows)
    t["seconds"] = 1000 * (fixed + per_pair * t["near_pairs"]) + 2 * pass_per_pair * t["all_pairs"]
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sims", type=int, default=0, help="counterfactuals timed per case (default: by size)")
    ap.add_argument("--world", action="append", default=[], help="results folder to estimate (repeatable)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="threads of the compiled pair sweep (default 1)")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    counterfactual_densities_points(
        unit_vectors([120.0, 120.1, 120.2], [31.0] * 3), np.array([[0, 1]]), DEFAULT_GRID, 5.0
    )
    out = []  # (the line above compiles the pair sweep, or loads it from numba's cache, before timing)
    for N in (20_000, 300_000):
        for n in (500, 2_000, 10_000):
            sims = args.sims or {500: 100, 2_000: 30, 10_000: 5}[n]
            out.append(measure(N, n, sims, rng, args.threads))
            print(pd.DataFrame(out[-1:]).to_string(index=False, header=len(out) == 1, float_format="%.3f"), flush=True)
    table = pd.DataFrame(out)
    print(
        f"\nPoint K-densities on {args.threads} thread(s), 1000 counterfactuals, grid 0-180 km by 1 km (per industry-year):"
    )
    print(table.to_string(index=False, float_format="%.3f"))
    # fixed + per near pair, fitted to relative errors (weights 1/time) so the small cases count
    y = table["per_sim_ms"].to_numpy() / 1000
    per_pair, fixed = np.polyfit(table["near_pairs"].to_numpy(float), y, 1, w=1 / y)
    pass_per_pair = float((table["observed_s"] / (table["n"] * (table["n"] - 1) / 2) / 3).median())
    print(f"\ncost per counterfactual = {fixed * 1e3:.2f} ms + {per_pair * 1e9:.2f} ns x near pairs")
    for w in args.world:
        path = Path(w) if Path(w).is_absolute() else ROOT / w
        est = world_estimate(path, per_pair, max(fixed, 0.0), pass_per_pair)
        per_year = est.groupby("year")["seconds"].sum()
        print(
            f"\n{w}: {est['year'].nunique()} years, {est['industry'].nunique()} industries, "
            f"{est.groupby('year')['n'].sum().mean():,.0f} plants a year; near-pair share "
            f"{est['near_pairs'].sum() / est['all_pairs'].sum():.2f}; largest industry-year "
            f"{est['n'].max():,.0f} plants, {est['seconds'].max() / 3600:.2f} h"
        )
        print(
            f"  estimated time, 1000 counterfactuals: per year {per_year.mean() / 3600:.2f} h (max "
            f"{per_year.max() / 3600:.2f} h), all years {per_year.sum() / 3600:.1f} core-hours"
        )
    print(f"\npeak memory {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
