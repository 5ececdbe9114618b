"""The claims' fast paths against the pandas formulations they replace (copied here as the
references), on hand-built and random inputs, with exact equality:

* :func:`yrd.claims.rates.firms_at_risk` (integer keys of firm, year and cell) and
  :func:`yrd.claims.rates.class_of_industry` (cut once per distinct code);
* :func:`yrd.claims.c5.mean_pairwise` and :func:`yrd.claims.c5.similarity_matrix` (only the
  columns used are copied), :func:`yrd.claims.c5.c5_set` and ``c5_matrices`` with the region
  codes given once;
* :func:`yrd.claims.c7_clusters.cell_matrix` and ``cluster_table`` (rows of the year selected
  once, three or four columns) and :func:`yrd.claims.c7.first_group_of_area` (first row of each
  area by ``drop_duplicates``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import pytest

from yrd.claims import c5 as C5
from yrd.claims import c7_clusters as K
from yrd.claims.c7 import first_group_of_area
from yrd.claims.document import to_jsonable
from yrd.claims.rates import _firms_at_risk_by_frames, class_of_industry, firms_at_risk
from yrd.io import distinct, map_values, sorted_codes

# ------------------------------------------------------------------ reference formulations
# the formulation firms_at_risk replaced, which the module keeps for an empty table
_firms_at_risk_ref = _firms_at_risk_by_frames


def _class_of_industry_ref(firm_industry: pd.Series, classes: Mapping[str, str] | pd.Series) -> pd.Series:
    return map_values(firm_industry.astype(str).str[:2], pd.Series(classes))


def _mean_pairwise_ref(similarity: pd.DataFrame, members: Sequence[str], metric: str, level: str) -> pd.DataFrame:
    mem = {str(m) for m in members}
    d = similarity[
        (similarity["level"] == level)
        & (similarity["metric"] == metric)
        & similarity["region_a"].astype(str).isin(mem)
        & similarity["region_b"].astype(str).isin(mem)
        & (similarity["region_a"].astype(str) != similarity["region_b"].astype(str))
    ]
    g = d.groupby("year")["value"]
    return pd.DataFrame({"mean": g.mean(), "n_pairs": g.size()}).reset_index().astype({"year": "int64"})


def _similarity_matrix_ref(
    similarity: pd.DataFrame, members: Sequence[str], year: int, metric: str, level: str
) -> pd.DataFrame:
    d = similarity[(similarity["year"] == year) & (similarity["metric"] == metric) & (similarity["level"] == level)]
    d = d[d["region_a"].isin(members) & d["region_b"].isin(members)]
    m = d.pivot_table(index="region_a", columns="region_b", values="value", aggfunc="mean")
    m = m.combine_first(m.T).reindex(index=list(members), columns=list(members))
    a = m.to_numpy(dtype=float, copy=True)
    np.fill_diagonal(a, 1.0 if metric == "structural_similarity" else 0.0)
    return pd.DataFrame(a, index=m.index, columns=m.columns)


def _cell_matrix_ref(firm_years: pd.DataFrame, areas: pd.Series, year: int, measure: str) -> pd.DataFrame:
    d = firm_years.assign(_area=areas)
    d = d[(d["year"] == year) & d["_area"].notna()]
    return d.groupby(["_area", "industry"])[measure].sum().astype(float).unstack(fill_value=0.0)


def _cluster_table_ref(firm_years, areas, year, prefixes, threshold, measure="employment") -> pd.DataFrame:
    from yrd.metrics.location import location_quotient

    X = _cell_matrix_ref(firm_years, areas, year, measure)
    fy = firm_years.assign(_area=areas)
    fy = fy[(fy["year"] == year) & fy["_area"].notna()]
    foreign = fy["reg_type"].astype(str).str[:1].isin([str(p) for p in prefixes])
    F = fy[foreign].groupby(["_area", "industry"])[measure].sum().astype(float).unstack(fill_value=0.0)
    F = F.reindex(index=X.index, columns=X.columns, fill_value=0.0)
    lq = location_quotient(X)
    out = pd.DataFrame(
        {"size": X.stack(), "lq": lq.stack(), "foreign_share": (F / X.where(X > 0)).stack(future_stack=True)}
    )
    out.index.names = ["area", "industry"]
    out = out.reset_index().astype({"area": "str", "industry": "str"})
    out = out[out["size"] > 0].reset_index(drop=True)
    out["cluster"] = out["lq"] > 1
    out["foreign_led"] = out["cluster"] & (out["foreign_share"] > threshold)
    return out


def _first_group_of_area_ref(areas: pd.Series, groups: pd.Series) -> pd.Series:
    a, a_values = sorted_codes(areas)
    g, g_values = sorted_codes(groups)
    rows = np.flatnonzero((a >= 0) & (g >= 0))
    codes, first = np.unique(a[rows], return_index=True)
    values = np.asarray(g_values, dtype=object)[g[rows[first]]]
    index = np.asarray(a_values, dtype=object)[codes]
    out = pd.Series(values, index=index)
    out.index = out.index.astype(str)
    return out


# ------------------------------------------------------------------------------ inputs
CLASSES = {"13": "labour", "26": "capital", "25": "port", "22": "urban", "40": "technology"}
PREFS = ["310100", "320500", "330100", "330400", "340100", "110100"]
YEARS = list(range(1998, 2006))


def _random_firm_years(seed: int, n: int = 3000, missing: bool = True, str_dtype: str | type = "str") -> pd.DataFrame:
    """Firm-years with repeated firm-years, moves between prefectures, years outside the study
    years and (if ``missing``) missing firm ids, years, prefectures and industries."""
    rng = np.random.default_rng(seed)
    fy = pd.DataFrame(
        {
            "firm_id": rng.integers(0, n // 4, n),
            "year": pd.array(rng.integers(1996, 2008, n), dtype="Int64"),
            "prefecture": pd.Series(rng.choice(PREFS, n), dtype=str_dtype),
            "industry": pd.Series(
                rng.choice(["1311", "2610", "2501", "2230", "4011", "9999", "13"], n), dtype=str_dtype
            ),
        }
    )
    if missing:
        fy["firm_id"] = pd.array(fy["firm_id"], dtype="Int64")
        for col, share in (("firm_id", 0.02), ("year", 0.02), ("prefecture", 0.03), ("industry", 0.05)):
            fy.loc[rng.random(n) < share, col] = None
    return fy


AREAS = [
    pd.Series({"310100": "shanghai", "320500": "partners", "330100": "partners", "330400": "partners"}),
    pd.Series({"330100": "zj", "330400": "zj"}),
    pd.Series({"310100": "A", "320500": None, "999999": "B"}),  # a missing area, an area without firms
    pd.Series({"310100": "A"}).iloc[:0],  # no area
]


# ------------------------------------------------------------------------------- rates
def test_firms_at_risk_by_hand_against_the_reference():
    fy = pd.DataFrame(
        {
            "firm_id": [1, 1, 1, 2, 2, 3, 3, 4],
            "year": [2000, 2000, 2001, 2001, 2002, 1999, 2003, 2002],
            "prefecture": ["310100", "310100", "310100", "310100", "320500", "310100", "320500", "320500"],
            "cls": ["a", "a", "a", "b", "b", "a", None, "a"],
        }
    )
    area = pd.Series({"310100": "A", "320500": "B"})
    years = [2000, 2001, 2002, 2003]
    for by in (None, "cls"):
        pd.testing.assert_frame_equal(
            firms_at_risk(fy, area, years, by=by), _firms_at_risk_ref(fy, area, years, by=by), check_exact=True
        )


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("missing", [True, False])
def test_firms_at_risk_equals_the_reference_on_random_panels(seed, missing):
    fy = _random_firm_years(seed, missing=missing)
    fy = fy.assign(cls=class_of_industry(fy["industry"], CLASSES))
    for area in AREAS:
        for years in (YEARS, [2001, 1999, 2003], [], [2030]):
            for by in (None, "cls"):
                got = firms_at_risk(fy, area, years, by=by)
                want = _firms_at_risk_ref(fy, area, years, by=by)
                pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_firms_at_risk_with_string_firm_ids_and_object_columns():
    fy = _random_firm_years(5, missing=False, str_dtype=object)
    fy["firm_id"] = "f" + fy["firm_id"].astype(str)
    for area in AREAS[:2]:
        pd.testing.assert_frame_equal(
            firms_at_risk(fy, area, YEARS, by="industry"),
            _firms_at_risk_ref(fy, area, YEARS, by="industry"),
            check_exact=True,
        )


@pytest.mark.parametrize("dtype", ["str", object, "string"])
def test_class_of_industry_equals_the_reference(dtype):
    fy = _random_firm_years(3, str_dtype=dtype)
    for classes in (CLASSES, pd.Series(CLASSES), {"13": "labour"}):
        pd.testing.assert_series_equal(
            class_of_industry(fy["industry"], classes),
            _class_of_industry_ref(fy["industry"], classes),
            check_exact=True,
        )
    s = pd.Series(["1311", None, "2610"], index=[5, 3, 9], name="industry", dtype=dtype)
    pd.testing.assert_series_equal(class_of_industry(s, CLASSES), _class_of_industry_ref(s, CLASSES), check_exact=True)


# ---------------------------------------------------------------------------------- C5
def _random_similarity(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        (y, lvl, a, b, m, rng.random())
        for y in (1998, 1999, 2000, 2001)
        for lvl in ("prefecture", "province")
        for a in PREFS
        for b in PREFS
        for m in ("structural_similarity", "krugman_dissimilarity")
        if rng.random() < 0.9
    ]
    d = pd.DataFrame(rows, columns=["year", "level", "region_a", "region_b", "metric", "value"])
    return d.astype({"level": "str", "region_a": "str", "region_b": "str", "metric": "str"})


@pytest.mark.parametrize("seed", [0, 1])
def test_c5_mean_pairwise_and_matrices_equal_the_reference(seed):
    sim = _random_similarity(seed)
    members = ["310100", "320500", "330100", "330400", "000000"]
    for metric in ("structural_similarity", "krugman_dissimilarity"):
        for level in ("prefecture", "province"):
            pd.testing.assert_frame_equal(
                C5.mean_pairwise(sim, members, metric, level),
                _mean_pairwise_ref(sim, members, metric, level),
                check_exact=True,
            )
            for year in (1998, 2001, 2005):
                pd.testing.assert_frame_equal(
                    C5.similarity_matrix(sim, members[:4], year, metric, level),
                    _similarity_matrix_ref(sim, members[:4], year, metric, level),
                    check_exact=True,
                )
    present = C5.regions_present(sim)
    assert present == distinct(sim["region_a"], sim["region_b"], as_str=True)
    cfg = {"metric": "structural_similarity", "level": "prefecture", "year": None, "hac_lags": None, "break_year": None}
    a = C5.c5_set(sim, "s", members[:4], cfg)
    b = C5.c5_set(sim, "s", members[:4], cfg, present)
    assert to_jsonable(a.to_dict(0.8, 0.05)) == to_jsonable(b.to_dict(0.8, 0.05))
    for m1, m2 in zip(
        C5.c5_matrices(sim, members, None, "structural_similarity", "prefecture"),
        C5.c5_matrices(sim, members, None, "structural_similarity", "prefecture", present),
        strict=True,
    ):
        assert m1["codes"] == m2["codes"] and m1["year"] == m2["year"]
        np.testing.assert_array_equal(m1["values"], m2["values"])


# ---------------------------------------------------------------------------------- C7
def _random_c7_panel(seed: int, n: int = 4000) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    fy = pd.DataFrame(
        {
            "year": pd.array(rng.integers(1998, 2001, n), dtype="Int64"),
            "prefecture": pd.Series(rng.choice(PREFS, n), dtype="str"),
            "industry": pd.Series(rng.choice(["13", "26", "25", "22"], n), dtype="str"),
            "reg_type": pd.Series(rng.choice(["110", "310", "210", "159"], n), dtype="str"),
            "employment": rng.integers(1, 500, n),
            "output": rng.random(n) * 1000,
        },
        index=rng.permutation(n) + 100,
    )
    fy.loc[rng.random(n) < 0.01, "year"] = None
    pref = fy["prefecture"]
    areas = pref.where(pref.isin(PREFS[:4]))
    return fy, areas


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_c7_cell_matrix_and_cluster_table_equal_the_reference(seed):
    fy, areas = _random_c7_panel(seed)
    shuffled = areas.sample(frac=1.0, random_state=seed)  # aligned on the index, not by position
    for a in (areas, shuffled, areas.iloc[: len(areas) // 2]):
        for year in (1998, 2000, 2010):
            for measure in ("employment", "output"):
                pd.testing.assert_frame_equal(
                    K.cell_matrix(fy, a, year, measure), _cell_matrix_ref(fy, a, year, measure), check_exact=True
                )
            if year == 2010:  # no rows: both refuse the empty table
                with pytest.raises(ValueError, match="no rows"):
                    _cluster_table_ref(fy, a, year, ["2", "3"], 0.5)
                with pytest.raises(ValueError, match="no rows"):
                    K.cluster_table(fy, a, year, ["2", "3"], 0.5)
                continue
            pd.testing.assert_frame_equal(
                K.cluster_table(fy, a, year, ["2", "3"], 0.5),
                _cluster_table_ref(fy, a, year, ["2", "3"], 0.5),
                check_exact=True,
            )


@pytest.mark.parametrize("dtype", ["str", object, "string"])
def test_first_group_of_area_equals_the_np_unique_formulation(dtype):
    rng = np.random.default_rng(7)
    for n in (0, 1, 50, 5000):
        areas = pd.Series(rng.choice(["320500", "310000", "330100", "340100", None], n), dtype=dtype)
        groups = pd.Series(rng.choice(["sunan", "shanghai", None, "zj"], n), dtype=dtype)
        pd.testing.assert_series_equal(
            first_group_of_area(areas, groups), _first_group_of_area_ref(areas, groups), check_exact=True
        )
