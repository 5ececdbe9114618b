"""Benchmark of the relocation-flow stage at ASIF scale (yrd.flows).

    .venv/bin/python benchmarks/bench_flows.py                 # resources/raw/asif/truth/moves.parquet
    .venv/bin/python benchmarks/bench_flows.py --fake 110000   # a simulated moves table instead

Times the OD aggregation (both levels, all years and classes, zeros kept), the pair table, and
all gravity models (pooled + one per class, pyfixest fepois with clustered SEs and the exact
fixed-effect balancing), the Shanghai table and the default scenarios. Moves: the ASIF-scale
synthetic world's true moves (about 110k over 1998-2013, between and within prefectures) when
present, else a fake table of ``--fake`` moves drawn with a gravity law.

Target (issue "Shanghai relocation flows"): OD aggregation + all gravity models <= 2 min on a
2-core machine.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import ROOT, peak_rss_mb  # first: puts the repository root on sys.path for yrd

from yrd.flows import (
    REGRESSORS,
    estimate_gravity,
    fitted_cells,
    focus_flows,
    gravity_frame,
    od_panels,
    pair_table,
    scenario_shares,
    truth_moves_as_detected,
)
from yrd.flows.scenarios import resolve_targets
from yrd.industry import MANUFACTURING_2002, industry_classes, relocation_class
from yrd.regions import prefectures

#: The shipped reference tables the benchmark reads (the library takes them as arguments).
PREFECTURES_CSV = ROOT / "resources" / "regions" / "prefectures.csv"
CLASSES_CSV = ROOT / "resources" / "industry" / "classes.csv"

YEARS = range(1998, 2014)
SCENARIOS = [
    {
        "name": "without_hangzhou_bay_bridge",
        "type": "scale_pairs",
        "from_year": 2008,
        "factor": 1.6,
        "pairs": [["330200", "310100"], ["330200", "330400"], ["330200", "320500"]],
    },
    {
        "name": "gateway_pudong_airport",
        "type": "move_point",
        "from_year": 1999,
        "prefecture": "310100",
        "lon": 121.80,
        "lat": 31.15,
    },
]


def points() -> pd.DataFrame:
    b = ROOT / "results" / "default" / "geography" / "boundaries_prefecture.parquet"
    if b.exists():
        import geopandas as gpd

        from yrd.flows import prefecture_points

        return prefecture_points(gpd.read_parquet(b))
    rng = np.random.default_rng(0)
    codes = prefectures(PREFECTURES_CSV)["code"].astype(str)
    return pd.DataFrame(
        {"code": codes, "lon": rng.uniform(115.5, 122.5, len(codes)), "lat": rng.uniform(27.5, 34.5, len(codes))}
    )


def fake_moves(pts: pd.DataFrame, n: int, seed: int = 1) -> pd.DataFrame:
    """``n`` moves: origin by population-like weights, destination by a gravity law."""
    rng = np.random.default_rng(seed)
    codes = pts["code"].to_numpy()
    lon, lat = pts["lon"].to_numpy(), pts["lat"].to_numpy()
    d = np.hypot(lon[:, None] - lon[None, :], lat[:, None] - lat[None, :]) * 100
    np.fill_diagonal(d, np.inf)
    w = d**-1.3
    p = w / w.sum(axis=1, keepdims=True)
    o = rng.integers(0, len(codes), n)
    cum = p.cumsum(axis=1)
    dest = (cum[o] < rng.random(n)[:, None]).sum(axis=1)
    return pd.DataFrame(
        {
            "year": rng.integers(1999, 2014, n),
            "origin_prefecture": codes[o],
            "dest_prefecture": codes[np.minimum(dest, len(codes) - 1)],
            "industry": rng.choice(list(MANUFACTURING_2002), n),
        }
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moves", type=Path, default=ROOT / "resources" / "raw" / "asif" / "truth" / "moves.parquet")
    ap.add_argument("--fake", type=int, default=0, help="simulate this many moves instead of reading --moves")
    args = ap.parse_args()
    pts = points()
    codes = sorted(pts["code"].astype(str))
    if args.fake or not args.moves.exists():
        moves = fake_moves(pts, args.fake or 110_000)
        source = f"fake gravity moves ({len(moves)})"
    else:
        moves = truth_moves_as_detected(pd.read_parquet(args.moves))
        source = (
            f"{args.moves.relative_to(ROOT) if args.moves.is_relative_to(ROOT) else args.moves} ({len(moves)} moves)"
        )
    print(f"moves: {source}; {len(codes)} prefectures, years {YEARS.start}-{YEARS.stop - 1}")

    t = {}
    t0 = time.perf_counter()
    od = od_panels(moves, codes, YEARS, relocation_class(industry_classes(CLASSES_CSV)))
    t["od_panels"] = time.perf_counter() - t0
    a = od.attrs["prefecture"]
    print(f"OD panels: {len(od)} cells; {a['n_counted']} moves between prefectures counted, dropped {a['dropped']}")

    t0 = time.perf_counter()
    pairs = pair_table(pts, YEARS, codes)
    frame = gravity_frame(od, pairs)
    t["pairs_and_frame"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    table, fits = estimate_gravity(frame, list(REGRESSORS))
    t["gravity_all_models"] = time.perf_counter() - t0
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(
            table[["model", "term", "estimate", "std_error", "n_obs", "n_separated", "n_moves"]].to_string(index=False)
        )

    t0 = time.perf_counter()
    groups = prefectures(PREFECTURES_CSV).set_index("code")["group"].to_dict()
    sh = focus_flows(od, groups)
    cells = fitted_cells(frame, fits["pooled"], list(REGRESSORS))
    targets = resolve_targets({"sunan": "sunan", "south_of_bay": ["330200", "330600", "330900", "331000"]}, groups)
    sc = scenario_shares(cells, fits["pooled"].coef().to_dict(), SCENARIOS, "310100", targets, pts)
    t["shanghai_and_scenarios"] = time.perf_counter() - t0
    print(f"Shanghai table {len(sh)} rows; scenarios {len(sc)} rows")

    core = t["od_panels"] + t["pairs_and_frame"] + t["gravity_all_models"]
    for k, v in t.items():
        print(f"{k:>24}: {v:7.2f} s")
    print(f"{'OD + all gravity models':>24}: {core:7.2f} s (target <= 120 s) {'OK' if core <= 120 else 'TOO SLOW'}")
    print(f"{'peak RSS':>24}: {peak_rss_mb():7.0f} MB")


if __name__ == "__main__":
    main()
