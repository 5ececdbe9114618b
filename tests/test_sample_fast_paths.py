"""The fast paths of yrd.sample against the formulations they replace: the consistent sample of
a pandas frame (consistent_rows under consistent_sample) and of a Parquet file selected in Arrow
(consistent_parquet), on hand-built and random firm-years, exact equality and equal file bytes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from yrd.sample import consistent_moves, consistent_parquet, consistent_sample


def _reference_consistent_sample(
    firm_years: pd.DataFrame, threshold: float, measure: str = "sales", fallback: str | None = "output"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """yrd.sample.consistent_sample as it was before consistent_rows (the reference)."""
    if measure not in firm_years.columns:
        raise KeyError(f"firm-years have no column {measure!r} (sample.measure)")
    value = pd.to_numeric(firm_years[measure], errors="coerce").astype(float)
    by_fallback = value.isna()
    if fallback and fallback in firm_years.columns:
        other = pd.to_numeric(firm_years[fallback], errors="coerce").astype(float)
        both = value.notna() & (other > 0)
        ratio = float((value[both] / other[both]).median()) if both.any() else 1.0
        value = value.where(~by_fallback, ratio * other)
    else:
        by_fallback = pd.Series(False, index=firm_years.index)
    unmeasured = value.isna()
    keep = value.to_numpy() >= threshold
    keep = np.where(unmeasured.to_numpy(), False, keep)
    year = firm_years["year"].astype(int)
    acc = pd.DataFrame(
        {
            "year": year,
            "kept": keep,
            "below": ~keep & ~unmeasured.to_numpy(),
            "unmeasured": unmeasured.to_numpy(),
            "fallback": by_fallback.to_numpy() & ~unmeasured.to_numpy(),
        }
    )
    accounting = (
        acc.groupby("year")
        .agg(
            rows=("kept", "size"),
            kept=("kept", "sum"),
            dropped_below_threshold=("below", "sum"),
            dropped_unmeasured=("unmeasured", "sum"),
            measured_by_fallback=("fallback", "sum"),
        )
        .reset_index()
        .astype("int64")
    )
    accounting["threshold"] = float(threshold)
    return firm_years[keep], accounting


def _hand_built() -> pd.DataFrame:
    rows = [
        (1, 1998, 30000.0, 37500.0, "a"),
        (1, 1999, None, 40000.0, "b"),
        (1, 2011, 32000.0, 40000.0, None),
        (2, 1998, 8000.0, 10000.0, "c"),
        (2, 1999, None, 10000.0, "d"),
        (2, 2010, 9000.0, 11250.0, "e"),
        (3, 1998, 16000.0, 20000.0, "f"),
        (3, 1999, None, 25000.0, "g"),
        (4, 1999, None, None, "h"),
    ]
    fy = pd.DataFrame(rows, columns=["firm_id", "year", "sales", "output", "name"])
    fy["year"] = fy["year"].astype("Int64")
    fy["name"] = fy["name"].astype("str")
    return fy


def _random(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    sales = rng.lognormal(9.5, 1.2, n)
    sales[rng.random(n) < 0.15] = np.nan
    output = sales * rng.uniform(1.0, 1.5, n)
    output[rng.random(n) < 0.1] = np.nan
    refill = np.isnan(output) & (rng.random(n) < 0.5)
    output[refill] = rng.lognormal(9.5, 1.2, int(refill.sum()))
    names = np.array(["甲厂", "b", "name with spaces", "", "x" * 40], dtype=object)[rng.integers(0, 5, n)]
    names[rng.random(n) < 0.05] = None
    return pd.DataFrame(
        {
            "firm_id": rng.integers(0, n // 3 + 1, n).astype("int64"),
            "year": pd.array(rng.integers(1998, 2014, n), dtype="Int64"),
            "county": pd.array(rng.choice(["320102", "310101", "330106"], n), dtype="str"),
            "name": pd.array(names, dtype="str"),
            "output": output,
            "sales": sales,
            "source_row": np.arange(n, dtype="int64"),
        }
    )


CASES = [
    (lambda: _hand_built(), {}),
    (lambda: _hand_built(), {"fallback": None}),
    (lambda: _hand_built().drop(columns="output"), {}),
    (lambda: _random(1, 2000), {}),
    (lambda: _random(2, 3000), {"fallback": None}),
    (lambda: _random(3, 500).assign(sales=np.nan), {}),
    (lambda: _random(4, 500).assign(sales=np.nan, output=np.nan), {}),
]


@pytest.mark.parametrize(("make", "kwargs"), CASES)
def test_consistent_sample_equals_the_reference(make, kwargs):
    fy = make()
    kept, acc = consistent_sample(fy, 20000.0, **kwargs)
    ref_kept, ref_acc = _reference_consistent_sample(fy, 20000.0, **kwargs)
    pd.testing.assert_frame_equal(kept, ref_kept, check_exact=True)
    pd.testing.assert_frame_equal(acc, ref_acc, check_exact=True)


@pytest.mark.parametrize("row_group_size", [None, 7, 256])
@pytest.mark.parametrize(("make", "kwargs"), CASES)
def test_consistent_parquet_writes_the_bytes_of_the_pandas_path(tmp_path, make, kwargs, row_group_size):
    fy = make()
    src = tmp_path / "firm_years.parquet"
    fy.to_parquet(src, index=False, row_group_size=row_group_size)
    read = pd.read_parquet(src)
    ref_kept, ref_acc = _reference_consistent_sample(read, 20000.0, **kwargs)
    kept, keys, acc = consistent_parquet(src, 20000.0, **kwargs)
    pd.testing.assert_frame_equal(acc, ref_acc, check_exact=True)
    pd.testing.assert_frame_equal(keys, ref_kept[["firm_id", "year"]], check_exact=True)
    ref_kept.to_parquet(tmp_path / "ref.parquet", index=False)
    pq.write_table(kept, tmp_path / "new.parquet")
    assert (tmp_path / "new.parquet").read_bytes() == (tmp_path / "ref.parquet").read_bytes()
    # the moves kept are those kept with the whole frame
    moves = pd.DataFrame({"firm_id": read["firm_id"], "year": read["year"], "origin_year": read["year"] - 1})
    a, da = consistent_moves(moves, ref_kept)
    b, db = consistent_moves(moves, keys)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert da == db


def test_consistent_parquet_needs_the_measure(tmp_path):
    src = tmp_path / "firm_years.parquet"
    _hand_built().to_parquet(src, index=False)
    with pytest.raises(KeyError, match="turnover"):
        consistent_parquet(src, 20000.0, measure="turnover")
