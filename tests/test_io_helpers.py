"""Code helpers of yrd.io shared by several modules: firm_id_codes (yrd.claims.rates.firms_at_risk,
yrd.flows.sources.employment_at), apply_per_code and map_values (yrd.flows.source_comparison),
dictionary_codes, used_positions and used_labels (yrd.flows.shanghai.read_focus_panel,
yrd.metrics), each against the formulation it replaced (copied here)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from yrd.flows.sources import _firm_year_keys
from yrd.io import (
    apply_per_code,
    dictionary_codes,
    firm_id_codes,
    map_values,
    sorted_codes,
    used_labels,
    used_positions,
)


# --------------------------------------------------------------------------- references
def firm_codes_reference(firm_id: pd.Series, cells: int) -> np.ndarray:
    """The replaced yrd.claims.rates._firm_codes."""
    if pd.api.types.is_integer_dtype(firm_id.dtype) and len(firm_id):
        ids = firm_id.to_numpy(dtype=np.int64)
        low, high = int(ids.min()), int(ids.max())
        if (high - low + 1) * max(cells, 1) < 2**62:
            return ids - low
    return pd.factorize(firm_id)[0].astype(np.int64)


def firm_year_keys_reference(panel_fid, panel_yr, want_fid, want_yr):
    """The replaced yrd.flows.sources._firm_year_keys."""
    y0, y1 = int(panel_yr.min()), int(panel_yr.max())
    f0, f1 = int(panel_fid.min()), int(panel_fid.max())
    n_years = y1 - y0 + 1
    inside = (want_fid >= f0) & (want_fid <= f1) & (want_yr >= y0) & (want_yr <= y1)
    if (f1 - f0 + 1) * n_years < 2**62:
        panel_firm, want_firm = panel_fid - f0, np.where(inside, want_fid - f0, 0)
    else:
        ids = np.unique(panel_fid)
        panel_firm = np.searchsorted(ids, panel_fid)
        want_firm = np.minimum(np.searchsorted(ids, want_fid), len(ids) - 1)
        inside &= ids[want_firm] == want_fid
    panel_key = panel_firm * n_years + (panel_yr - y0)
    want_key = np.where(inside, want_firm * n_years + (want_yr - y0), -1)
    return panel_key, want_key


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two code arrays make equal the same rows (the codes may differ)."""
    return bool((pd.factorize(a)[0] == pd.factorize(b)[0]).all())


# --------------------------------------------------------------------------- firm_id_codes
def test_firm_id_codes_of_integer_ids_are_offsets_from_the_smallest():
    ids = pd.Series([7, 3, 7, 10], dtype="int64")
    codes, none = firm_id_codes(ids, 5)
    assert none is None
    assert codes.dtype == np.int64 and codes.tolist() == [4, 0, 4, 7]
    # nullable integers without missing values and NumPy arrays: the same
    assert firm_id_codes(ids.astype("Int64"), 5)[0].tolist() == [4, 0, 4, 7]
    assert firm_id_codes(ids.to_numpy(), 5)[0].tolist() == [4, 0, 4, 7]
    # lookup: absent ids inside the range get a code no id has, ids outside it -1
    _, look = firm_id_codes(ids, 5, lookup=np.array([3, 10, 5, 2, 11, 7]))
    assert look.tolist() == [0, 7, 2, -1, -1, 4]


def test_firm_id_codes_fall_back_to_ranks_when_offsets_overflow():
    ids = np.array([2**61, -5, 2**61, 40], dtype=np.int64)
    # the range times the multiplier reaches the limit: ranks among the distinct ids
    codes, look = firm_id_codes(ids, 2, lookup=np.array([40, 41, -5, 2**61, -6]))
    assert codes.tolist() == [2, 0, 2, 1]
    assert look.tolist() == [1, -1, 0, 2, -1]
    # a small limit forces ranks too; multiplier 1 keeps offsets
    assert firm_id_codes(np.array([100, 300, 200]), 10, limit=1000)[0].tolist() == [0, 2, 1]
    assert firm_id_codes(np.array([100, 300, 200]), 1, limit=1000)[0].tolist() == [0, 200, 100]


def test_firm_id_codes_of_strings_and_missing_ids_are_factorize_codes():
    ids = pd.Series(["b", "a", None, "b"], dtype="str")
    codes, look = firm_id_codes(ids, 3, lookup=["a", "c", "b"])
    assert codes.tolist() == [0, 1, -1, 0]  # order of first appearance, -1 for the missing id
    assert look.tolist() == [1, -1, 0]
    codes, _ = firm_id_codes(pd.Series([5, None, 2, 5], dtype="Int64"), 3)
    assert codes.tolist() == [0, -1, 1, 0]
    assert firm_id_codes(pd.Series([], dtype="int64"), 3)[0].tolist() == []


@pytest.mark.parametrize("seed", range(4))
def test_firm_id_codes_equal_the_replaced_firm_codes_and_firm_year_keys(seed):
    rng = np.random.default_rng(seed)
    for spread in (50, 2**62):  # offsets, then ranks
        fid = rng.integers(-spread // 2, spread // 2, 300, dtype=np.int64)
        for ids in (pd.Series(fid), pd.Series(fid).astype("Int64"), pd.Series(fid.astype(str))):
            for cells in (1, 7):
                got = firm_id_codes(ids, cells)[0]
                ref = firm_codes_reference(ids, cells)
                assert got.dtype == np.int64 and got.min() >= 0
                assert same_partition(got, ref)
                if spread == 50 or not pd.api.types.is_integer_dtype(ids.dtype):
                    np.testing.assert_array_equal(got, ref)
        yr = rng.integers(1998, 2008, 300)
        want_fid = np.concatenate([fid[rng.integers(0, 300, 200)], rng.integers(-spread // 2, spread // 2, 100)])
        want_yr = rng.integers(1996, 2010, 300)
        for got, ref in zip(
            _firm_year_keys(fid, yr, want_fid, want_yr), firm_year_keys_reference(fid, yr, want_fid, want_yr)
        ):
            np.testing.assert_array_equal(got, ref)


# --------------------------------------------------------------------------- per code
def test_apply_per_code_calls_f_once_per_value_and_fills_missing():
    s = pd.Series(["a", None, "b", "a", "c"], dtype="str")
    codes, values = pd.factorize(s)
    calls = []

    def f(v):
        calls.append(v)
        return v.upper()

    out = apply_per_code(codes, values, f, missing="?")
    assert out.dtype == object and out.tolist() == ["A", "?", "B", "A", "C"]
    assert calls == ["a", "b", "c"]
    # the replaced _per_value: the table indexed by the codes, -1 the last entry
    ref = np.array([*(f(v) for v in values), "?"], dtype=object)[codes]
    np.testing.assert_array_equal(out, ref)
    assert apply_per_code(np.zeros(0, dtype=np.intp), [], f).tolist() == []


@pytest.mark.parametrize("dtype", ["str", "object", "string"])
def test_map_values_equals_series_map(dtype):
    s = pd.Series(["310100", None, "320500", "310100", "999999"], dtype=dtype, index=[5, 4, 3, 2, 1], name="p")
    for mapping in ({"310100": "sh", "320500": "sz"}, pd.Series({"310100": 1, "320500": 2}), lambda v: f"x{v}"):
        pd.testing.assert_series_equal(map_values(s, mapping), s.map(mapping))
    full = s.dropna()
    pd.testing.assert_series_equal(map_values(full, {"310100": 1}), full.map({"310100": 1}))


# --------------------------------------------------------------------------- dictionary codes
def test_dictionary_codes_and_sorted_codes():
    arr = pa.chunked_array([["b", None, "a"], ["a", "c"]]).dictionary_encode().unify_dictionaries()
    codes, dictionary = dictionary_codes(arr)
    assert codes.tolist() == [0, -1, 1, 1, 2] and dictionary.to_pylist() == ["b", "a", "c"]
    empty, values = dictionary_codes(pa.chunked_array([], type=pa.dictionary(pa.int32(), pa.string())))
    assert empty.tolist() == [] and values.to_pylist() == []
    s = pd.Series(["b", None, "a", "a", "c"], dtype="str")
    got, uniques = sorted_codes(s)
    ref, ref_uniques = pd.factorize(s, sort=True)
    assert got.dtype == np.int64 and got.tolist() == ref.tolist()
    assert uniques.tolist() == list(ref_uniques)


def test_used_positions_and_used_labels():
    codes = np.array([2, -1, 0, 2, 4, 0])
    keep = np.array([True, True, False, True, True, True])
    assert used_positions(codes, 5).tolist() == [0, 2, 4]
    assert used_positions(codes, 5, keep).tolist() == [0, 2, 4]  # 0 is still in the last row
    assert used_positions(codes, 5, keep & (codes != 4)).tolist() == [0, 2]
    # the replaced shanghai._used: counted in all rows less the rows not kept
    counts = np.bincount(codes + 1, minlength=6) - np.bincount(codes[~keep] + 1, minlength=6)
    assert used_positions(codes, 5, keep).tolist() == np.flatnonzero(counts[1:]).tolist()
    renumbered, labels = used_labels(np.array([3, 1, 3, 4]), pd.Index(list("abcde")))
    assert renumbered.tolist() == [1, 0, 1, 2] and labels.tolist() == ["b", "d", "e"]
    renumbered, labels = used_labels(np.zeros(0, dtype=np.int64), pd.Index([], dtype="str"))
    assert renumbered.tolist() == [] and labels.tolist() == []
