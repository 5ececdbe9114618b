"""The metric tables' internal fast paths give exactly what the plain computations give.

* dartboard parts from integer codes (:func:`yrd.metrics.plant_concentration.dartboard_parts_from_codes`,
  which the plant-table path :func:`~yrd.metrics.plant_concentration.dartboard_parts` also calls)
  against the groupby by the plant table's label columns that it replaced (:func:`_label_parts`,
  kept here as the reference), and the built-in plant metrics from those parts against
  :func:`ellison_glaeser` and :func:`maurel_sedillot`;
* :func:`yrd.metrics.apply.region_industry_matrices` (grouped by one integer key) against the
  groupby by the three columns it replaced;
* :func:`yrd.metrics.apply.prepare_firm_years` of categorical columns (as read with Parquet's
  dictionaries) against the same table with string columns;
* the long tables (built year-level block by block, in order) against the concatenation and
  sort of one piece per metric that they replaced, and a plugin plant metric still gets the
  plant table.

Equality is exact (``check_exact``), not approximate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from yrd.metrics import ellison_glaeser, maurel_sedillot
from yrd.metrics.apply import (
    LEVELS,
    concentration_table,
    prepare_firm_years,
    region_industry_matrices,
    similarity_table,
    specialisation_table,
)
from yrd.metrics.plant_concentration import (
    FROM_PARTS,
    _parts_from_sums,
    dartboard_parts,
    dartboard_parts_from_codes,
)
from yrd.metrics.registry import get, register, unregister


def _assert_parts_equal(got, expected):
    pd.testing.assert_frame_equal(got.s, expected.s, check_exact=True)
    pd.testing.assert_series_equal(got.x, expected.x, check_exact=True)
    pd.testing.assert_series_equal(got.H, expected.H, check_exact=True)


def _coded(plants: pd.DataFrame, regions: list[str], industries: list[str]):
    regions, industries = pd.Index(regions, dtype="str"), pd.Index(industries, dtype="str")
    return dartboard_parts_from_codes(
        regions.get_indexer(plants["region"]),
        industries.get_indexer(plants["industry"]),
        plants["employment"].to_numpy(dtype=float),
        regions,
        industries,
    )


def _label_parts(plants: pd.DataFrame, regions_weight=None):
    """The dartboard parts as they were computed before the codes: grouped by the label columns."""
    emp = plants["employment"].astype(float)
    table = emp.groupby([plants["region"], plants["industry"]], sort=True).sum().unstack(fill_value=0.0)
    emp_sq = (emp**2).groupby(plants["industry"], sort=True).sum()
    return _parts_from_sums(table, emp_sq, regions_weight)


HAND_BUILT = pd.DataFrame(
    {
        # region C has only a zero-employment plant, industry z only zero-employment plants,
        # industry s a single plant; rows are not sorted
        "region": ["B", "A", "C", "A", "B", "A", "B", "D", "A", "D"],
        "industry": ["a", "b", "a", "a", "z", "s", "b", "a", "z", "b"],
        "employment": [3.0, 7.5, 0.0, 12.25, 0.0, 4.0, 1.0, 9.0, 0.0, 2.5],
    }
).astype({"region": "str", "industry": "str"})


@pytest.mark.parametrize("sort_rows", [False, True])
def test_coded_dartboard_parts_equal_the_label_path(sort_rows):
    plants = HAND_BUILT.sort_values(["region", "industry"], kind="stable") if sort_rows else HAND_BUILT
    plants = plants.reset_index(drop=True)
    # labels without plants (E, y) are passed too: they must not appear in the parts
    got = _coded(plants, ["A", "B", "C", "D", "E"], ["a", "b", "s", "y", "z"])
    expected = _label_parts(plants)
    _assert_parts_equal(got, expected)
    assert "E" not in got.x.index and "y" not in got.s.columns
    for func in (ellison_glaeser, maurel_sedillot):
        pd.testing.assert_series_equal(FROM_PARTS[func](got), func(plants), check_exact=True)
    assert np.isnan(ellison_glaeser(plants)["s"])  # the single plant: gamma is 0/0
    # the plant-table path (through the codes) against the label groupby, with and without
    # reference weights of the regions (one region without plants)
    _assert_parts_equal(dartboard_parts(plants), expected)
    weight = pd.Series([5.0, 1.0, 2.0, 0.5, 3.0], index=pd.Index(["A", "B", "C", "D", "E"], dtype="str"))
    _assert_parts_equal(dartboard_parts(plants, weight), _label_parts(plants, weight))


def test_coded_dartboard_parts_single_plant_and_random_tables():
    one = pd.DataFrame({"region": ["A"], "industry": ["a"], "employment": [5.0]}).astype({"region": "str"})
    _assert_parts_equal(_coded(one, ["A"], ["a"]), _label_parts(one))
    rng = np.random.default_rng(7)
    for n in (1, 2, 30, 2_000):
        plants = pd.DataFrame(
            {
                "region": pd.array([f"r{i:02d}" for i in rng.integers(0, 25, n)], dtype="str"),
                "industry": pd.array([f"{i:02d}" for i in rng.integers(10, 40, n)], dtype="str"),
                "employment": np.where(rng.random(n) < 0.1, 0.0, rng.lognormal(3, 1.5, n).round(2)),
            }
        )
        if plants["employment"].sum() == 0:
            continue
        regions = [f"r{i:02d}" for i in range(25)]
        industries = [f"{i:02d}" for i in range(10, 40)]
        _assert_parts_equal(_coded(plants, regions, industries), _label_parts(plants))
        _assert_parts_equal(dartboard_parts(plants), _label_parts(plants))


def test_coded_dartboard_parts_need_sorted_labels():
    with pytest.raises(ValueError, match="sorted"):
        _coded(HAND_BUILT, ["B", "A", "C", "D"], ["a", "b", "s", "z"])


# ----------------------------------------------------------------------------- firm-year tables
def _firm_years(n: int = 3_000, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    county = np.array([f"{p}{c:02d}" for p in ("3101", "3201", "3205", "3301") for c in (1, 2, 5, 6, 9)])
    c = county[rng.integers(0, len(county), n)]
    emp = rng.lognormal(3, 1.2, n).round()
    emp[rng.random(n) < 0.05] = 0.0
    emp[c == "320109"] = 0.0  # a county with zero employment
    return pd.DataFrame(
        {
            "year": rng.choice([2004, 2005, 2007], n),
            "county": pd.array(c, dtype="str"),
            "prefecture": pd.array([x[:4] + "00" for x in c], dtype="str"),
            "province": pd.array([x[:2] + "0000" for x in c], dtype="str"),
            "industry": pd.array(
                rng.choice(["13", "26", "27", "39", "41"], n, p=[0.4, 0.3, 0.001, 0.25, 0.049]), "str"
            ),
            "employment": pd.array(emp.astype("int64"), dtype="Int64"),
            "output": emp * 3.5,
        }
    )


def _old_region_industry_matrices(fy, levels):
    """region_industry_matrices as it was: a groupby by the three columns."""
    for level in [lv for lv in LEVELS if lv in levels]:
        totals = fy.groupby(["year", level, "industry"], observed=True, sort=True)["value"].sum()
        for year, s in totals.groupby(level="year", sort=True):
            X = s.droplevel("year").unstack("industry", fill_value=0.0)
            X = X.loc[X.sum(axis=1) > 0, X.sum(axis=0) > 0]
            X.index = pd.Index(X.index.astype(str), name="region")
            X.columns = pd.Index(X.columns.astype(str), name="industry")
            if X.size:
                yield int(year), level, X


@pytest.mark.parametrize("sort_rows", [False, True])
def test_region_industry_matrices_equal_the_three_column_groupby(sort_rows):
    d = _firm_years()
    if sort_rows:
        d = d.sort_values(["year", "county", "industry"], kind="stable").reset_index(drop=True)
    fy = prepare_firm_years(d)
    got = list(region_industry_matrices(fy, LEVELS))
    expected = list(_old_region_industry_matrices(fy, LEVELS))
    assert [(y, lv) for y, lv, _ in got] == [(y, lv) for y, lv, _ in expected]
    for (_, _, X), (_, _, Y) in zip(got, expected):
        pd.testing.assert_frame_equal(X, Y, check_exact=True)
        assert X.index.is_monotonic_increasing and X.columns.is_monotonic_increasing


def test_prepare_firm_years_of_categoricals_equals_strings():
    d = _firm_years()
    d.loc[[3, 17], "county"] = None  # dropped rows
    cat = d.copy()
    for col in (*LEVELS, "industry"):
        # unsorted categories, some unused (also after the region-set filter)
        values = sorted(set(d[col].dropna())) + ["999999"]
        cat[col] = pd.Categorical(d[col], categories=pd.Index(values[::-1], dtype="str"))
    keep = ["310100", "320100", "330100"]
    for prefectures in (None, keep):
        expected = prepare_firm_years(d, prefectures=prefectures)
        got = prepare_firm_years(cat, prefectures=prefectures)
        pd.testing.assert_frame_equal(got, expected, check_exact=True)


def _old_long(pieces, columns, keys):
    out = pd.concat(pieces, ignore_index=True)
    levels = pd.Index(LEVELS)
    out = out.sort_values(
        keys, key=lambda s: pd.Series(levels.get_indexer(s), index=s.index) if s.name == "level" else s, kind="stable"
    )
    return out[list(columns)].reset_index(drop=True)


def test_long_tables_equal_the_sorted_pieces():
    fy_in = _firm_years()
    fy = prepare_firm_years(fy_in)
    conc = ["hoover", "ellison_glaeser", "locational_gini", "maurel_sedillot"]
    spec = ["krugman_specialisation_rest", "herfindahl_region", "krugman_specialisation"]
    sim = ["structural_similarity", "krugman_dissimilarity"]
    c, s, m = [], [], []
    for year, level, X in _old_region_industry_matrices(fy, LEVELS):
        plants = fy[fy["year"] == year]
        plants = plants[plants[level].astype(str).isin(X.index) & plants["industry"].astype(str).isin(X.columns)]
        plants = pd.DataFrame(
            {
                "region": plants[level].astype(str).to_numpy(),
                "industry": plants["industry"].astype(str).to_numpy(),
                "employment": plants["value"].to_numpy(),
            }
        )
        for name in conc:
            metric = get(name)
            r = metric(plants if metric.kind == "plant_concentration" else X).reindex(X.columns)
            c.append(
                pd.DataFrame(
                    {
                        "year": year,
                        "level": level,
                        "industry": X.columns.to_numpy(),
                        "metric": name,
                        "value": r.to_numpy(),
                    }
                )
            )
        for name in spec:
            r = get(name)(X).reindex(X.index)
            s.append(
                pd.DataFrame(
                    {"year": year, "level": level, "region": X.index.to_numpy(), "metric": name, "value": r.to_numpy()}
                )
            )
        if level != "county":
            ia, ib = np.nonzero(~np.eye(len(X), dtype=bool))
            names = X.index.to_numpy()
            for name in sim:
                S = get(name)(X).to_numpy()
                m.append(pd.DataFrame({"year": year, "level": level, "region_a": names[ia], "region_b": names[ib], "metric": name, "value": S[ia, ib]}))  # fmt: skip
    pd.testing.assert_frame_equal(
        concentration_table(fy_in, conc),
        _old_long(c, ["year", "level", "industry", "metric", "value"], ["year", "level", "industry", "metric"]),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        specialisation_table(fy_in, spec),
        _old_long(s, ["year", "level", "region", "metric", "value"], ["year", "level", "region", "metric"]),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        similarity_table(fy_in, sim),
        _old_long(
            m,
            ["year", "level", "region_a", "region_b", "metric", "value"],
            ["year", "level", "region_a", "region_b", "metric"],
        ),
        check_exact=True,
    )


def test_plugin_plant_metric_gets_the_plant_table():
    seen = []

    def spy(plants):
        seen.append(plants)
        return ellison_glaeser(plants)

    register("spy_eg", spy, kind="plant_concentration")
    try:
        fy_in = _firm_years()
        table = concentration_table(fy_in, ["spy_eg", "ellison_glaeser"], levels=["prefecture"])
    finally:
        unregister("spy_eg")
    fy = prepare_firm_years(fy_in)
    for plants, (year, level, X) in zip(seen, region_industry_matrices(fy, ["prefecture"])):
        p = fy[(fy["year"] == year) & fy[level].astype(str).isin(X.index) & fy["industry"].astype(str).isin(X.columns)]
        expected = pd.DataFrame(
            {
                "region": p[level].astype(str).reset_index(drop=True),
                "industry": p["industry"].astype(str).reset_index(drop=True),
                "employment": p["value"].to_numpy(),
            }
        )
        pd.testing.assert_frame_equal(plants, expected, check_exact=True)
    wide = table.pivot_table(index=["year", "level", "industry"], columns="metric", values="value", dropna=False)
    np.testing.assert_array_equal(wide["spy_eg"].to_numpy(), wide["ellison_glaeser"].to_numpy())
