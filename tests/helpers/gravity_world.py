"""Small gravity worlds with known coefficients for the PPML tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def small_world(seed=3, n=7, years=2, classes=("labour", "port"), zero_dest=None, scale=40.0):
    """Poisson flows with a gravity mean on a few places (codes from three provinces)."""
    rng = np.random.default_rng(seed)
    codes = np.array(["310100", "320100", "320500", "330100", "330200", "340100", "340200", "320200", "330400"])[:n]
    lon = rng.uniform(116, 122, n)
    lat = rng.uniform(29, 33, n)
    rows = []
    for t in range(years):
        for g in classes:
            a = rng.normal(0, 0.5, n)
            m = rng.normal(0, 0.5, n)
            for i in range(n):
                for j in range(n):
                    if i == j:
                        continue
                    d = np.hypot(lon[i] - lon[j], lat[i] - lat[j]) * 100
                    b = float(codes[i][:2] != codes[j][:2])
                    mu = scale * np.exp(a[i] + m[j] - 1.2 * np.log(d / 100) - 0.6 * b)
                    rows.append((2000 + t, codes[i], codes[j], g, rng.poisson(mu), d, np.log(d), b))
    f = pd.DataFrame(rows, columns=["year", "origin", "dest", "group", "moves", "distance", "log_distance", "border"])
    if zero_dest is not None:
        f.loc[f["dest"] == zero_dest, "moves"] = 0
    f["period"] = f["year"]
    f["og"] = pd.factorize(pd.MultiIndex.from_frame(f[["origin", "group", "period"]]), sort=True)[0]
    f["dg"] = pd.factorize(pd.MultiIndex.from_frame(f[["dest", "group", "period"]]), sort=True)[0]
    f["pair"] = pd.factorize(pd.MultiIndex.from_frame(f[["origin", "dest"]]), sort=True)[0]
    f["undirected_pair"] = f["pair"]
    return f
