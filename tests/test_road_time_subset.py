"""yrd.flows.measures.road_time_subset (places looked up once per distinct value, rows selected
once) against the formulation it replaced (prefecture rows selected, then the string columns
compared row by row), on random panels with missing places, other levels and Arrow or object
strings. Equality is exact: same rows, order, index and column types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.flows.measures import road_time_subset
from yrd.io import distinct


def _old_road_time_subset(od: pd.DataFrame, road_times: pd.DataFrame):
    pref = od[np.asarray(od["level"] == "prefecture", dtype=bool)] if "level" in od.columns else od
    codes = distinct(pref["origin"], pref["dest"], as_str=True)
    covered = distinct(road_times["origin"], road_times["dest"], as_str=True)
    if codes <= covered:
        return od, None
    keep = codes & covered
    sub = pref[pref["origin"].astype(str).isin(keep) & pref["dest"].astype(str).isin(keep)]
    return sub.reset_index(drop=True), (len(keep), len(codes))


def _panel(rng: np.random.Generator, n: int, dtype: str, levels: bool) -> pd.DataFrame:
    places = np.array([f"{p}00" for p in range(3101, 3121)], dtype=object)
    origin = places[rng.integers(0, len(places), n)].astype(object)
    dest = places[rng.integers(0, len(places), n)].astype(object)
    origin[rng.random(n) < 0.02] = None
    dest[rng.random(n) < 0.02] = None
    od = pd.DataFrame(
        {
            "year": rng.integers(2000, 2005, n),
            "origin": pd.array(origin, dtype=dtype),
            "dest": pd.array(dest, dtype=dtype),
            "moves": rng.poisson(0.3, n),
        }
    )
    if levels:
        od.insert(0, "level", pd.array(np.where(rng.random(n) < 0.9, "prefecture", "province"), dtype=dtype))
    return od


@pytest.mark.parametrize("dtype", ["str", "object"])
@pytest.mark.parametrize("levels", [True, False])
def test_road_time_subset_equals_the_string_formulation(dtype, levels):
    rng = np.random.default_rng(11)
    for n, n_covered in ((0, 3), (1, 3), (40, 5), (3_000, 12), (3_000, 20)):
        od = _panel(rng, n, dtype, levels)
        covered = [f"{p}00" for p in range(3101, 3101 + n_covered)]
        times = pd.DataFrame({"origin": covered, "dest": covered[::-1]})
        got, got_counts = road_time_subset(od, times)
        want, want_counts = _old_road_time_subset(od, times)
        assert got_counts == want_counts
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        if want_counts is None:
            assert got is od  # the panel itself, not a copy
