"""The gravity frame built on integer codes (yrd.flows.gravity.gravity_frame) against the plain
pandas formulation it replaces (mask, stable sort on the string keys, many-to-one merge with the
pair variables, fixed-effect codes from the strings), and its helpers yrd.io.sorted_codes and
yrd.io.stable_order against pandas' and NumPy's own functions."""

import numpy as np
import pandas as pd
import pytest

from yrd.flows import pair_table
from yrd.flows.fixed_effects import add_fixed_effect_codes
from yrd.flows.frame import gravity_frame, period_of
from yrd.flows.od import read_od_cells
from yrd.io import positions_in, sorted_codes, stable_order

CODES = ["310000", "320500", "320200", "330200", "330400", "340100"]
POINTS = pd.DataFrame(
    {
        "code": CODES,
        "lon": [121.47, 120.62, 120.30, 121.55, 120.75, 117.23],
        "lat": [31.23, 31.30, 31.57, 29.87, 30.75, 31.82],
        "province": ["31", "32", "32", "33", "33", "34"],
    }
)
GROUPS = ["port", "technology", "urban", "capital", "labour", "total"]


def shuffled_panel(seed: int = 3, years=(2000, 2001, 2002)) -> pd.DataFrame:
    """Every year x group x origin x destination cell (the diagonal and ``total`` included, as
    in flows/od.parquet), with county rows that the frame must leave out, in a random order."""
    rng = np.random.default_rng(seed)
    idx = pd.MultiIndex.from_product([years, GROUPS, CODES, CODES], names=["year", "group", "origin", "dest"])
    od = idx.to_frame(index=False)
    od["moves"] = rng.poisson(0.7, len(od)).astype(np.int64)
    od["level"] = "prefecture"
    county = od.head(40).assign(level="county")
    od = pd.concat([od, county], ignore_index=True)
    od = od.iloc[rng.permutation(len(od))].reset_index(drop=True)
    return od[["level", "year", "origin", "dest", "group", "moves"]].astype(
        {"level": "str", "origin": "str", "dest": "str", "group": "str"}
    )


def reference_frame(od: pd.DataFrame, pairs: pd.DataFrame, start: int) -> pd.DataFrame:
    """The frame as first written: selection and sort on the strings, then pandas' merge."""
    keep = od["group"].isin(GROUPS[:5]) & (od["origin"] != od["dest"]) & (od["level"] == "prefecture")
    d = od.loc[keep, ["year", "origin", "dest", "group", "moves"]]
    d["year"] = d["year"].astype(np.int64)
    d = d.sort_values(["year", "group", "origin", "dest"], kind="stable").reset_index(drop=True)
    f = d.merge(pairs, on=["year", "origin", "dest"], how="left", validate="many_to_one")
    f["period"] = period_of(f["year"], start, 2)
    ref = f[["origin", "dest", "group", "period"]].astype(str)
    codes = pd.DataFrame(
        {
            "og": pd.factorize(pd.MultiIndex.from_frame(ref[["origin", "group", "period"]]), sort=True)[0],
            "dg": pd.factorize(pd.MultiIndex.from_frame(ref[["dest", "group", "period"]]), sort=True)[0],
            "pair": pd.factorize(pd.MultiIndex.from_frame(ref[["origin", "dest"]]), sort=True)[0],
        }
    )
    lo = np.minimum(ref["origin"], ref["dest"])
    hi = np.maximum(ref["origin"], ref["dest"])
    codes["undirected_pair"] = pd.factorize(pd.MultiIndex.from_arrays([lo, hi]), sort=True)[0]
    return f.assign(**{c: codes[c].astype(np.int64) for c in codes})


def test_gravity_frame_equals_the_string_formulation():
    od = shuffled_panel()
    pairs = pair_table(POINTS, [2000, 2001, 2002])
    got = gravity_frame(od, pairs, period_length=2, start=2000)
    want = reference_frame(od, pairs, 2000)
    pd.testing.assert_frame_equal(got, want[got.columns.tolist()], check_exact=True)
    assert len(got) == 3 * 5 * 6 * 5  # years x classes x ordered pairs, county rows left out
    # the string columns keep the panel's own type and Arrow storage
    for k in ("origin", "dest", "group"):
        assert got[k].dtype == od[k].dtype
        assert got[k].array._pa_array.type == od[k].array._pa_array.type


def test_gravity_frame_from_categoricals_matches(tmp_path):
    """read_od_cells' categoricals (cast_keys False keeps them) give the same cells and codes."""
    od = shuffled_panel(seed=5)
    path = tmp_path / "od.parquet"
    od.to_parquet(path, index=False)
    pairs = pair_table(POINTS, [2000, 2001, 2002])
    strings = gravity_frame(pd.read_parquet(path), pairs)
    cats = gravity_frame(read_od_cells(path), pairs, cast_keys=False)
    assert isinstance(cats["origin"].dtype, pd.CategoricalDtype)
    for c in ("year", "moves", "log_distance", "border", "period", "og", "dg", "pair", "undirected_pair"):
        np.testing.assert_array_equal(strings[c].to_numpy(), cats[c].to_numpy(), err_msg=c)
    for c in ("origin", "dest", "group"):
        assert (strings[c].astype(str).to_numpy() == cats[c].astype(str).to_numpy()).all()
    # the fixed-effect codes equal those computed from the strings
    again = add_fixed_effect_codes(strings.drop(columns=["og", "dg", "pair", "undirected_pair"]).copy())
    for c in ("og", "dg", "pair", "undirected_pair"):
        np.testing.assert_array_equal(again[c].to_numpy(), strings[c].to_numpy())


def test_gravity_frame_reports_cells_without_pair_variables():
    od = shuffled_panel()
    od.loc[od.index[:3], "origin"] = "999999"  # a place the pair table does not know
    pairs = pair_table(POINTS, [2000, 2001, 2002])
    with pytest.raises(ValueError, match="without pair variables"):
        gravity_frame(od, pairs)


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(["b", None, "a", "b", "c"], dtype="str"),
        pd.Series(["b", None, "a", "b", "c"], dtype="string[pyarrow]"),
        pd.Series(pd.Categorical(["z", "x", None, "y"], categories=["z", "y", "x"])),
        pd.Series([3, 1, 2, 3]),
        pd.Series([], dtype="str"),
    ],
)
def test_sorted_codes_is_pandas_factorize_sorted(values):
    codes, uniques = sorted_codes(values)
    want_codes, want_uniques = pd.factorize(values, sort=True)
    np.testing.assert_array_equal(codes, want_codes)
    assert list(uniques) == list(want_uniques)


def test_sorted_codes_of_a_chunked_arrow_column():
    s = pd.concat([pd.Series(["q", "p"], dtype="str"), pd.Series(["r", "p", None], dtype="str")], ignore_index=True)
    codes, uniques = sorted_codes(s)
    np.testing.assert_array_equal(codes, [1, 0, 2, 0, -1])
    assert list(uniques) == ["p", "q", "r"]


def test_stable_order_is_lexsort():
    rng = np.random.default_rng(0)
    keys = [rng.integers(-3, 4, 500), rng.integers(0, 3, 500), rng.integers(10, 12, 500)]
    np.testing.assert_array_equal(stable_order(*keys), np.lexsort(keys[::-1]))
    # ranges too wide to combine in one integer: lexsort itself
    wide = [rng.integers(0, 2**40, 50), rng.integers(0, 2**40, 50)]
    np.testing.assert_array_equal(stable_order(*wide), np.lexsort(wide[::-1]))
    assert len(stable_order(np.array([], dtype=np.int64))) == 0


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "category", object])
def test_positions_in_is_get_indexer_of_the_strings(dtype):
    values = pd.Series(["310000", None, "320500", "999999", "310000"], dtype=dtype)
    index = pd.Index(["320500", "310000", "330100"])
    want = index.get_indexer(values.astype(str))
    want[values.isna().to_numpy()] = -1
    np.testing.assert_array_equal(positions_in(values, index), want)
