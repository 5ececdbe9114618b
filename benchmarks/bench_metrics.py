"""Benchmark of the metric tables at ASIF scale (yrd.metrics.apply).

    .venv/bin/python benchmarks/bench_metrics.py                      # fake ASIF-scale data
    .venv/bin/python benchmarks/bench_metrics.py --firm-years results/default/clean/firm_years.parquet

Prints the time of the concentration, specialisation and similarity tables (all levels, all
years, all industries), of the K-densities of one year (all industries, ``--n-sim``
counterfactuals) and the K-density speed-up over the direct route that loops over plant pairs
(vectorised numpy over pairs, chunked). The direct route is timed on a subsample of plants of
one industry and one density, then extrapolated by its cost, proportional to
pairs x grid points x (1 + n_sim); the printout says so.

Targets (issue "Concentration, specialisation and similarity metrics"): all tables <= 3 min,
K-densities of one year with 1000 simulations <= 5 min, on a 2-core machine.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import ROOT, peak_rss_mb  # first: puts the repository root on sys.path for yrd

from yrd.boundaries import distance_matrix
from yrd.metrics import registry
from yrd.metrics.apply import (
    LEVELS,
    concentration_table,
    county_sites,
    firm_year_columns,
    kdensity_tables,
    similarity_table,
    specialisation_table,
)
from yrd.metrics.kdensity import DEFAULT_GRID

INDUSTRIES = [f"{c}" for c in range(13, 44) if c != 38]  # the 30 GB/T 4754-2002 divisions


def fake_sites(boundaries: Path) -> pd.DataFrame:
    """County sites: real centroids if the boundary layer exists, else 305 random points."""
    if boundaries.exists():
        import geopandas as gpd

        return county_sites(gpd.read_parquet(boundaries))
    rng = np.random.default_rng(0)
    codes = [f"{p}{c:02d}" for p in ["3101", "3201", "3202", "3205", "3301", "3302", "3401"] for c in range(1, 45)]
    return pd.DataFrame({"code": codes[:305], "lon": rng.uniform(115, 122, 305), "lat": rng.uniform(29, 35, 305)})


def fake_firm_years(sites: pd.DataFrame, n_rows: int, years: range, seed: int = 1) -> pd.DataFrame:
    """ASIF-like firm-years: Pareto plant sizes, each industry with its own county weights."""
    rng = np.random.default_rng(seed)
    n_sites, n_ind = len(sites), len(INDUSTRIES)
    base = rng.lognormal(0, 1.2, n_sites)  # big and small counties
    taste = rng.lognormal(0, 1.0, (n_ind, n_sites))  # industry-specific clustering
    p_site = base * taste
    p_site /= p_site.sum(axis=1, keepdims=True)
    p_ind = rng.dirichlet(np.full(n_ind, 3.0))
    per_year = np.diff(np.linspace(0, n_rows, len(years) + 1).round().astype(int))
    parts = []
    for year, n in zip(years, per_year):
        ind = rng.choice(n_ind, size=n, p=p_ind)
        site = np.empty(n, dtype=np.int64)
        for k in range(n_ind):
            idx = np.flatnonzero(ind == k)
            site[idx] = rng.choice(n_sites, size=idx.size, p=p_site[k])
        parts.append(pd.DataFrame({"year": year, "_site": site, "_ind": ind}))
    d = pd.concat(parts, ignore_index=True)
    county = sites["code"].to_numpy()[d["_site"].to_numpy()]
    county = pd.Series(county, dtype="string")
    emp = np.round(8 * (rng.pareto(1.3, len(d)) + 1)).astype("int64")
    return pd.DataFrame(
        {
            "firm_id": np.arange(len(d)),
            "year": d["year"].to_numpy(dtype="int64"),
            "county": county,
            "prefecture": (county.str[:4] + "00").astype("string"),
            "province": (county.str[:2] + "0000").astype("string"),
            "industry": pd.Series(np.asarray(INDUSTRIES)[d["_ind"].to_numpy()], dtype="string"),
            "employment": emp,
            "output": emp * rng.lognormal(5, 0.8, len(d)),
        }
    )


def timed(label: str, func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    dt = time.perf_counter() - t0
    rows = sum(len(o) for o in out) if isinstance(out, tuple) else len(out)
    print(f"{label:<58s} {dt:8.1f} s  ({rows:,} rows)", flush=True)
    return out, dt


def _phi_pairs(d: np.ndarray, grid: np.ndarray, h: float) -> np.ndarray:
    a = (grid[None, :] - d[:, None]) / h
    b = (grid[None, :] + d[:, None]) / h
    return (np.exp(-0.5 * a * a) + np.exp(-0.5 * b * b)).sum(axis=0) / (np.sqrt(2 * np.pi) * h)


def pairwise_density(D: np.ndarray, plant_sites: np.ndarray, grid: np.ndarray, h: float, chunk=20_000) -> np.ndarray:
    """The direct route: every plant pair's distance, kernel summed over pairs (chunks)."""
    n = plant_sites.size
    iu, ju = np.triu_indices(n, k=1)
    out = np.zeros(grid.size)
    for s in range(0, iu.size, chunk):
        out += _phi_pairs(D[plant_sites[iu[s : s + chunk]], plant_sites[ju[s : s + chunk]]], grid, h)
    return out / iu.size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--firm-years", type=Path, help="a clean firm_years.parquet instead of fake data")
    ap.add_argument("--boundaries", type=Path, default=ROOT / "results/default/geography/boundaries_county.parquet")
    ap.add_argument("--rows", type=int, default=4_400_000, help="fake firm-years (default ASIF scale)")
    ap.add_argument("--start", type=int, default=1998)
    ap.add_argument("--end", type=int, default=2013)
    ap.add_argument("--n-sim", type=int, default=1000)
    ap.add_argument("--kdensity-year", type=int, help="default: the last year")
    ap.add_argument("--pairwise-plants", type=int, default=1500, help="plants in the direct-route subsample")
    ap.add_argument("--skip-kdensity", action="store_true")
    args = ap.parse_args()

    sites = fake_sites(args.boundaries)
    t0 = time.perf_counter()
    if args.firm_years:
        fy = pd.read_parquet(args.firm_years)
        print(f"read {args.firm_years}: {len(fy):,} firm-years in {time.perf_counter() - t0:.1f} s")
    else:
        fy = fake_firm_years(sites, args.rows, range(args.start, args.end + 1))
        print(
            f"fake firm-years: {len(fy):,} rows, {fy['year'].nunique()} years, {len(sites)} counties, "
            f"{fy['industry'].nunique()} industries (built in {time.perf_counter() - t0:.1f} s)"
        )
        with tempfile.TemporaryDirectory() as tmp:
            fy.to_parquet(Path(tmp) / "firm_years.parquet", index=False)
            t0 = time.perf_counter()
            fy = pd.read_parquet(Path(tmp) / "firm_years.parquet", columns=firm_year_columns("employment"))
            print(f"read back from parquet (the columns a rule reads) in {time.perf_counter() - t0:.1f} s")

    conc = registry.available("concentration") + registry.available("plant_concentration")
    spec = registry.available("specialisation")
    simi = registry.available("similarity")
    print(f"\nmetric tables, levels {', '.join(LEVELS)}, measure employment")
    _, t1 = timed(f"concentration ({len(conc)} metrics)", concentration_table, fy, conc, levels=LEVELS)
    _, t2 = timed(f"specialisation ({len(spec)} metrics)", specialisation_table, fy, spec, levels=LEVELS)
    _, t3 = timed(f"similarity ({len(simi)} metrics, province+prefecture)", similarity_table, fy, simi)
    _, t4 = timed(f"similarity ({len(simi)} metrics, county)", similarity_table, fy, simi, levels=["county"])
    total = t1 + t2 + t3 + t4
    print(f"{'all metric tables':<58s} {total:8.1f} s  (target <= 180 s: {'met' if total <= 180 else 'MISSED'})")

    if not args.skip_kdensity:
        year = args.kdensity_year or int(fy["year"].max())
        print(f"\nK-density, year {year}, all industries, n_sim = {args.n_sim}, grid 0-180 km by 1 km")
        (dens, summ), tk = timed(
            "K-densities with local and global bands",
            kdensity_tables,
            fy,
            sites,
            years=[year],
            n_sim=args.n_sim,
            grid=DEFAULT_GRID,
        )
        ok = summ[summ["status"] == "ok"]
        print(
            f"{'':<58s} target <= 300 s: {'met' if tk <= 300 else 'MISSED'}; "
            f"{len(ok)} industries, {int(ok['localised'].sum())} localised"
        )

        # Direct route on a subsample, extrapolated.
        D = distance_matrix(sites).to_numpy()
        codes = pd.Index(sites["code"])
        in_year = fy[fy["year"] == year]
        ind = ok.sort_values("n_plants")["industry"].iloc[len(ok) // 2]  # the median industry
        plant_sites = codes.get_indexer(in_year.loc[in_year["industry"] == ind, "county"].astype(str))
        rng = np.random.default_rng(0)
        sub = rng.choice(plant_sites, size=min(args.pairwise_plants, plant_sites.size), replace=False)
        h = float(ok.set_index("industry").loc[ind, "bandwidth_km"])
        t0 = time.perf_counter()
        pairwise_density(D, sub, DEFAULT_GRID, h)
        t_sub = time.perf_counter() - t0
        per_pair = t_sub / (sub.size * (sub.size - 1) / 2)
        pairs = (ok["n_plants"].astype(float) * (ok["n_plants"] - 1) / 2).sum()
        est = per_pair * pairs * (1 + args.n_sim)
        print(
            f"direct pairwise route: {t_sub:.2f} s for one density of {sub.size} plants of industry {ind} "
            f"({per_pair * 1e9:.0f} ns per pair over {DEFAULT_GRID.size} grid points)"
        )
        print(
            f"  extrapolated to the {len(ok)} industries ({pairs:,.0f} plant pairs) x (1 + {args.n_sim}) densities: "
            f"{est:,.0f} s = {est / 3600:,.1f} h (EXTRAPOLATED, not run)"
        )
        print(f"  speed-up of the site-based route: {est / tk:,.0f}x")

    print(f"\npeak memory {peak_rss_mb():,.0f} MB")


if __name__ == "__main__":
    main()
