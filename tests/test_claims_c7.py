"""C7 with known answers: clusters, the growth difference in differences, national input
coefficients, local supplier depth, proximity and relatedness density (yrd.claims.c7,
yrd.claims.c7_clusters), the claim file and the figure drawn from it (yrd.figures.c7).

Every expected number below is computed by hand in the comments."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from helpers.r_rng import RRandom
from yrd import claims as C
from yrd.claims import c7_clusters as K

ALPHA = 0.05
CFG = {
    "measure": "employment",
    "output_measure": "output",
    "foreign_prefixes": ["2", "3"],
    "foreign_threshold": 0.5,
    "start_year": None,
    "end_year": None,
    "min_clusters": 2,
}


def _fy(cells: list[tuple[int, str, str, float, float]]) -> pd.DataFrame:
    """Firm-years from (year, area, industry, employment, foreign share): one foreign (310) and
    one domestic (159) firm per cell; output = 10 x employment."""
    rows = []
    for year, area, ind, emp, share in cells:
        f = emp * share
        rows.append((year, area, ind, f, "310"))
        rows.append((year, area, ind, emp - f, "159"))
    d = pd.DataFrame(rows, columns=["year", "prefecture", "industry", "employment", "reg_type"])
    return d.assign(output=10 * d["employment"])


# ----------------------------------------------------------------------------- clusters
def test_cluster_table_by_hand():
    # A: ind 1 60 (40 foreign), ind 2 40; B: ind 1 20, ind 2 80 (10 foreign). Totals 80, 120, 200.
    fy = _fy(
        [(2000, "A", "1", 60, 40 / 60), (2000, "A", "2", 40, 0), (2000, "B", "1", 20, 0), (2000, "B", "2", 80, 1 / 8)]
    )
    t = K.cluster_table(fy, fy["prefecture"], 2000, ["2", "3"], 0.5).set_index(["area", "industry"])
    assert t.loc[("A", "1"), "lq"] == pytest.approx((60 / 100) / (80 / 200))  # 1.5
    assert t.loc[("B", "2"), "lq"] == pytest.approx((80 / 100) / (120 / 200))  # 1.333
    assert t.loc[("A", "1"), "foreign_share"] == pytest.approx(2 / 3)
    assert t.loc[("B", "2"), "foreign_share"] == pytest.approx(0.125)
    assert t["cluster"].to_dict() == {("A", "1"): True, ("A", "2"): False, ("B", "1"): False, ("B", "2"): True}
    assert t.loc[("A", "1"), "foreign_led"] and not t.loc[("B", "2"), "foreign_led"]
    # growth to 2001: A-1 doubles (ln 2), B-2 vanishes (NaN)
    fy2 = pd.concat([fy, _fy([(2001, "A", "1", 120, 0.5)])])
    g = K.cluster_growth(t.reset_index(), fy2, fy2["prefecture"], 2001).set_index(["area", "industry"])
    assert g.loc[("A", "1"), "growth"] == pytest.approx(math.log(2))
    assert g.loc[("B", "2"), "vanished"] and np.isnan(g.loc[("B", "2"), "growth"])


def _growth_frame() -> tuple[pd.DataFrame, pd.Series]:
    # cells: Sunan foreign-led 0.5, 0.7 (mean 0.6); Sunan domestic 0.1, 0.3 (0.2);
    # rest foreign-led 0.2, 0.4 (0.3); rest domestic 0.1, 0.3, 0.2 (0.2).
    # DiD = (0.6 - 0.2) - (0.3 - 0.2) = 0.3
    rows = [
        ("S1", "13", 0.5, True, True),
        ("S2", "14", 0.7, True, True),
        ("S1", "15", 0.1, False, True),
        ("S2", "13", 0.3, False, True),
        ("R1", "14", 0.2, True, False),
        ("R2", "15", 0.4, True, False),
        ("R1", "13", 0.1, False, False),
        ("R2", "14", 0.3, False, False),
        ("R3", "15", 0.2, False, False),
    ]
    d = pd.DataFrame(rows, columns=["area", "industry", "growth", "foreign_led", "sunan"])
    return d, d["sunan"]


def test_growth_difference_in_differences_by_hand_and_against_statsmodels():
    import statsmodels.api as sm

    d, focus = _growth_frame()
    fit = K.growth_difference(d, focus, ALPHA, min_clusters=2)
    assert fit["estimate"] == pytest.approx(0.3)
    assert fit["n"] == 9 and fit["vcov"] == "CRV1 by industry"
    assert fit["ci_low"] < 0.3 < fit["ci_high"]
    assert fit["cells"]["focus_foreign_led"]["mean_growth"] == pytest.approx(0.6)
    assert fit["cells"]["rest_domestic"]["n"] == 3
    # t interval of a cell mean: 0.2 -/+ t(0.975, 2) * 0.1 / sqrt(3)
    h = 4.302652729911275 * 0.1 / math.sqrt(3)
    assert fit["cells"]["rest_domestic"]["ci_low"] == pytest.approx(0.2 - h)
    X = sm.add_constant(np.column_stack([d["foreign_led"], d["sunan"], d["foreign_led"] & d["sunan"]]).astype(float))
    ref = sm.OLS(d["growth"].to_numpy(), X).fit(
        cov_type="cluster", cov_kwds={"groups": d["industry"].astype("category").cat.codes}
    )
    assert fit["se"] == pytest.approx(ref.bse[3], rel=1e-6)
    # a cell with fewer clusters than min_clusters: no fit, only the cells
    assert "estimate" not in K.growth_difference(d, focus, ALPHA, min_clusters=3)


# --------------------------------------------------------------------- input-output
def test_io_coefficients_aggregate_sectors_to_divisions():
    # sectors 001, 002 -> division 13; 003 -> 14; 099 unmapped (ignored)
    z = pd.DataFrame(
        [
            ("001", "001", 10),
            ("002", "001", 5),
            ("003", "001", 20),
            ("001", "003", 4),
            ("003", "003", 6),
            ("099", "001", 100),
        ],
        columns=["from_code", "to_code", "value"],
    )
    ti = pd.DataFrame({"code": ["001", "002", "003", "099"], "TI": [100.0, 50.0, 40.0, 1e6]})
    m = pd.DataFrame({"io_code": ["001", "002", "003"], "gb2002_division": ["13", "13", "14"]})
    A = K.io_coefficients(z, ti, m)
    # a_13,13 = (10 + 5) / (100 + 50); a_14,13 = 20 / 150; a_13,14 = 4 / 40; a_14,14 = 6 / 40
    assert A.loc["13", "13"] == pytest.approx(0.1)
    assert A.loc["14", "13"] == pytest.approx(20 / 150)
    assert A.loc["13", "14"] == pytest.approx(0.1)
    assert A.loc["14", "14"] == pytest.approx(0.15)


def test_io_coefficients_of_the_shipped_2002_table():
    A = K.io_coefficients(
        pd.read_csv("resources/ionet/china_io_2002_122_intermediate.csv", dtype={"from_code": str, "to_code": str}),
        pd.read_csv("resources/ionet/china_io_2002_122_value_added.csv", dtype={"code": str}),
        pd.read_csv("resources/ionet/io2002_sector_gb2002_division.csv", dtype=str),
    )
    assert A.shape == (30, 30) and "38" not in A.index  # no 2002 division 38
    assert (A.to_numpy() >= 0).all() and (A.sum(axis=0) < 1).all()  # manufacturing inputs < gross output
    assert A.loc["17", "18"] > 0.2  # apparel buys textiles
    assert A.loc["40", "40"] > 0.3  # electronics buys electronic components


def test_supplier_depth_by_hand():
    A = pd.DataFrame([[0.1, 0.1], [0.2, 0.15]], index=["13", "14"], columns=["13", "14"])  # supplier x user
    Y = pd.DataFrame({"13": [100.0, 0.0], "14": [5.0, 10.0]}, index=["r", "s"])
    d = K.supplier_depth(Y, A)
    # (r, 13): needs 10 from 13, 20 from 14; met min(10, 100) + min(20, 5) = 15 -> 15 / 30
    assert d.loc["r", "13"] == pytest.approx(0.5)
    # (r, 14): needs 0.5 from 13, 0.75 from 14; all met
    assert d.loc["r", "14"] == pytest.approx(1.0)
    # (s, 14): needs 1 from 13 (none there), 1.5 from 14 (10 there) -> 1.5 / 2.5; (s, 13) has no output
    assert d.loc["s", "14"] == pytest.approx(0.6)
    assert np.isnan(d.loc["s", "13"])


# ---------------------------------------------------------------------- relatedness
M = pd.DataFrame(
    [[1, 1, 0], [1, 0, 1], [1, 1, 0], [0, 0, 1]], index=["R1", "R2", "R3", "R4"], columns=["I1", "I2", "I3"]
)


def test_proximity_by_hand():
    # ubiquities 3, 2, 2; co-occurrences C12 = 2, C13 = 1, C23 = 0; phi_ij = C_ij / max(u_i, u_j)
    phi = K.proximity(M)
    assert phi.loc["I1", "I2"] == pytest.approx(2 / 3) and phi.loc["I2", "I1"] == pytest.approx(2 / 3)
    assert phi.loc["I1", "I3"] == pytest.approx(1 / 3)
    assert phi.loc["I2", "I3"] == 0 and (np.diag(phi) == 0).all()


def test_relatedness_density_by_hand():
    d = K.relatedness_density(M, K.proximity(M))
    # R4 (only I3): density of I1 = 100 phi13 / (phi12 + phi13) = 100 (1/3) / 1
    assert d.loc["R4", "I1"] == pytest.approx(100 / 3)
    assert d.loc["R4", "I2"] == 0  # I2 is related to I1 only
    assert d.loc["R2", "I2"] == pytest.approx(100.0)  # R2 has I1


def _econgeo_relatedness_density(mat: np.ndarray, relatedness: np.ndarray) -> np.ndarray:
    """EconGeo's relatedness_density (R/relatedness_density.r, PABalland/EconGeo commit
    40081a9), line by line: rel <- mat %*% relatedness; reltot <- colSums(relatedness);
    reldens <- t(rel) / reltot; reldens <- t(reldens) * 100; round(reldens, digits = 2)."""
    rel = mat @ relatedness
    reltot = relatedness.sum(axis=0)
    reldens = rel.T / reltot[:, None]  # R recycles reltot down the rows of t(rel)
    return np.round(reldens.T * 100, 2)


def test_r_random_numbers_reproduce_the_r_printed_seed31_matrix():
    # tests/test_metrics_econgeo.py: set.seed(31); matrix(sample(0:100, 20, replace = TRUE), ncol = 4)
    # printed by R 4.2.2
    m = RRandom(31).matrix(range(101), 20, 4)
    assert m.tolist() == [[44, 63, 8, 83], [48, 42, 10, 1], [74, 54, 96, 16], [39, 26, 28, 13], [89, 61, 45, 76]]


def test_relatedness_density_on_econgeo_documented_example():
    # EconGeo ?relatedness_density (R/relatedness_density.r, PABalland/EconGeo commit 40081a9):
    #   set.seed(31)
    #   mat <- matrix(sample(0:1, 20, replace = TRUE), ncol = 4)
    #   relatedness <- matrix(sample(0:1, 16, replace = TRUE), ncol = 4)
    #   relatedness[lower.tri(relatedness, diag = TRUE)] <- t(relatedness)[lower.tri(t(relatedness), diag = TRUE)]
    #   relatedness_density(mat, relatedness)
    # The help page prints no result and R is not installed here: the matrices are regenerated with
    # R's own generator (tests/helpers/r_rng.py, checked above) and the expected values follow
    # EconGeo's code (transcribed in _econgeo_relatedness_density).
    r = RRandom(31)
    mat = r.matrix([0, 1], 20, 4)
    rel = r.matrix([0, 1], 16, 4)
    low = np.tril_indices(4)
    rel[low] = rel.T[low]
    assert mat.tolist() == [[0, 1, 0, 1], [0, 0, 0, 1], [0, 0, 0, 1], [1, 0, 0, 1], [1, 1, 1, 0]]
    assert rel.tolist() == [[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 0]]
    expected = _econgeo_relatedness_density(mat, rel)
    assert expected.tolist() == [
        [66.67, 50.0, 66.67, 33.33],
        [33.33, 25.0, 33.33, 0.0],
        [33.33, 25.0, 33.33, 0.0],
        [66.67, 50.0, 33.33, 33.33],
        [66.67, 75.0, 66.67, 100.0],
    ]
    cols = ["I1", "I2", "I3", "I4"]
    ours = K.relatedness_density(pd.DataFrame(mat, columns=cols), pd.DataFrame(rel, index=cols, columns=cols))
    np.testing.assert_allclose(np.round(ours.to_numpy(), 2), expected)


def test_rca_matrix_is_econgeo_binary_location_quotient():
    X = pd.DataFrame([[60.0, 40.0], [20.0, 80.0]], index=["A", "B"], columns=["1", "2"])
    assert K.rca_matrix(X).to_numpy().tolist() == [[1, 0], [0, 1]]


# --------------------------------------------------------------------- rootedness
def test_rootedness_difference_within_industries_by_hand():
    d = pd.DataFrame(
        {
            "area": ["a", "b", "c", "d", "e"],
            "industry": ["13", "13", "13", "14", "14"],
            "foreign_led": [True, False, False, True, False],
            "supplier_depth": [0.4, 0.6, 0.8, 0.5, 0.6],
        }
    )
    fit = K.rootedness_difference(d, "supplier_depth", ALPHA, min_clusters=2)
    # within 13: D - mean = (2/3, -1/3, -1/3), sum (D - mean) y = -0.2, sum (D - mean)^2 = 2/3;
    # within 14: (1/2, -1/2), -0.05 and 1/2 -> b = -0.25 / (7/6)
    assert fit["estimate"] == pytest.approx(-0.25 / (7 / 6))
    assert fit["means"]["foreign_led"] == {
        "mean": pytest.approx(0.45),
        "n": 2,
        "ci_low": pytest.approx(0.45 - 12.706204736174707 * math.sqrt(0.005) / math.sqrt(2)),
        "ci_high": pytest.approx(0.45 + 12.706204736174707 * math.sqrt(0.005) / math.sqrt(2)),
    }
    assert "estimate" not in K.rootedness_difference(d, "supplier_depth", ALPHA, min_clusters=3)


def test_part_and_combined_verdicts():
    fit = {"estimate": 0.3, "ci_low": 0.1, "ci_high": 0.5, "level": 0.95}
    assert K.part_verdict(fit, +1)[0] == "supported"
    assert K.part_verdict(fit, -1)[0] == "not supported"
    assert K.part_verdict({**fit, "ci_low": -0.1}, +1)[0] == "inconclusive"
    assert K.part_verdict({"cells": {}}, +1)[0] == "no data"
    assert K.part_verdict({"cells": {"focus_foreign_led": {"n": 0}, "rest_domestic": {"n": 9}}}, +1)[0] == "no data"
    v, why = K.part_verdict({"cells": {"focus_foreign_led": {"n": 2}, "rest_domestic": {"n": 9}}}, +1)
    assert v == "inconclusive" and "Sunan_foreign_led 2" in why
    assert K.combine_verdicts("supported", "supported") == "supported"
    assert K.combine_verdicts("supported", "no data") == "partly supported"
    assert K.combine_verdicts("inconclusive", "not supported") == "not supported"
    assert K.combine_verdicts("no data", "no data") == "no data"
    assert K.combine_verdicts("inconclusive", "no data") == "inconclusive"


# ------------------------------------------------------------------ the claim end to end
AREAS = {"S1": "sunan", "S2": "sunan", "S3": "sunan", "R1": "zhejiang", "R2": "anhui", "R3": "zhejiang"}
INDS = [str(i) for i in range(13, 25)]


def _panel() -> pd.DataFrame:
    """Half the cells concentrated (100 workers, LQ > 1), half small (10). Every third industry
    foreign-led (80% foreign). From 2000 to 2005 Sunan's foreign-led clusters grow by 0.5 log
    points, every other cluster by 0.01 x ((a + i) mod 5)."""
    cells = []
    for a, area in enumerate(AREAS):
        for i, ind in enumerate(INDS):
            big = (a + i) % 2 == 0
            emp = 100.0 if big else 10.0
            share = 0.8 if i % 3 == 0 else 0.1
            g = 0.5 if (AREAS[area] == "sunan" and i % 3 == 0) else 0.01 * ((a + i) % 5)
            cells.append((2000, area, ind, emp, share))
            cells.append((2005, area, ind, emp * math.exp(g), share))
    return _fy(cells)


def _claim(io: pd.DataFrame | None):
    fy = _panel()
    areas = fy["prefecture"]
    return C.claim_c7(fy, areas, areas.map(AREAS), CFG, ALPHA, io)


def test_claim_c7_part_a_supported_part_b_no_data_without_io(tmp_path):
    r = _claim(None)
    doc = r.details["document"]
    a = doc["parts"]["a_growth"]
    # clusters: the big cells; Sunan foreign-led grow 0.5 more than the rest's pattern
    assert a["verdict"] == "supported"
    assert a["fit"]["estimate"] == pytest.approx(
        a["fit"]["cells"]["focus_foreign_led"]["mean_growth"]
        - a["fit"]["cells"]["focus_domestic"]["mean_growth"]
        - a["fit"]["cells"]["rest_foreign_led"]["mean_growth"]
        + a["fit"]["cells"]["rest_domestic"]["mean_growth"]
    )
    assert a["fit"]["cells"]["focus_foreign_led"]["mean_growth"] == pytest.approx(0.5)
    assert doc["parts"]["b_supplier_depth"]["verdict"] == "no data"
    assert r.verdict == "partly supported" and "Supported part: (a)" in r.notes
    assert doc["n_clusters"] == 36 and doc["start_year"] == 2000 and doc["end_year"] == 2005
    path = tmp_path / "c7.json"
    C.write_c7_json(doc, path)
    back = json.loads(path.read_text(encoding="utf-8"))
    assert back["verdict"] == "partly supported" and len(back["clusters"]) == 36


def test_claim_c7_no_data_without_clusters_in_a_group():
    fy = _panel()
    areas = fy["prefecture"]
    r = C.claim_c7(fy, areas, areas.map(lambda a: "zhejiang"), CFG, ALPHA, None)
    assert r.verdict == "no data"


IO = pd.DataFrame(0.05, index=INDS, columns=INDS)


def _numbers(doc) -> set[str]:
    """Every number of the claim document as the figure would print it."""
    from yrd.figures.c7 import fmt

    out: set[str] = set()

    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, bool) or x is None:
            return
        elif isinstance(x, int):
            out.add(str(x))
        elif isinstance(x, float):
            out.update({fmt(x), fmt(x, True)})

    walk({k: v for k, v in doc.items() if k != "clusters"})
    return out


def test_c7_figure_prints_only_the_claim_file_numbers(tmp_path):
    from yrd.figures.c7 import c7_tested_figure, fmt
    from yrd.figures.common import save
    from yrd.plotting import setup_fonts

    cjk = setup_fonts("auto")
    r = _claim(IO)
    path = tmp_path / "c7.json"
    C.write_c7_json(r.details["document"], path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    fig = c7_tested_figure(doc, cjk=cjk, source="Source: hand-made.", synthetic=True)
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    texts += [ax.get_title() for ax in fig.axes] + [ax.get_ylabel() for ax in fig.axes]
    save(fig, tmp_path / "c7.png", 60)
    allowed = _numbers(doc)
    printed = [m for t in texts for m in re.findall(r"[-+]?\d+\.\d{3}\b", t)]
    printed += [m for t in texts for m in re.findall(r"n=(\d+)", t)]
    printed += [m for t in texts for m in re.findall(r"\b(\d{4})\b", t)]
    assert printed and set(printed) <= allowed, set(printed) - allowed
    fit = doc["parts"]["a_growth"]["fit"]
    assert any(fmt(fit["estimate"], True) in t for t in texts)
    assert any("SYNTHETIC" in t for t in texts)
    assert any(doc["verdict"] in t for t in texts)


def test_first_group_of_area_is_the_grouped_first_of_the_rows():
    """first_group_of_area (integer codes) against the pandas formulation it replaces: the first
    non-missing group of each non-missing area, areas sorted, for the column types the claim
    receives (Arrow strings, objects, nullable strings)."""
    from yrd.claims.c7 import first_group_of_area

    rng = np.random.default_rng(0)
    for dtype in ("str", object, "string"):
        areas = pd.Series(rng.choice(["320500", "310000", "330100", None], 2000), dtype=dtype)
        groups = pd.Series(rng.choice(["sunan", "shanghai", None, "zj"], 2000), dtype=dtype)
        want = pd.Series(groups.to_numpy(), index=areas.to_numpy()).dropna()
        want = want[~want.index.isna()].groupby(level=0).first()
        want.index = want.index.astype(str)
        pd.testing.assert_series_equal(first_group_of_area(areas, groups), want)
    assert first_group_of_area(pd.Series([None, "a"]), pd.Series(["x", None])).empty
