"""Claim figures on small hand-made frames: valid PNGs of the expected size, the synthetic mark,
Chinese labels with the CJK font and the pinyin/English fallback (yrd.figures)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from helpers.claim_documents import (
    C5_CFG,
    C6_CFG,
    as_json,
    c1_document,
    c2_document,
    c3_document,
    c4_document,
    c6_document,
    c6_tables,
)
from helpers.resources import industries
from yrd import claims as C
from yrd.figures import common, concentration, eu, flows, integration, kdensity, maps, relocation_rates, similarity
from yrd.plotting import setup_fonts

DPI = 60
SRC = "Source: hand-made test frame."


@pytest.fixture(scope="module")
def cjk():
    return setup_fonts("auto")


def _png(fig, tmp_path, name="f.png"):
    """Save at DPI, check the file is a PNG of the figure's size, return the texts drawn."""
    w, h = fig.get_size_inches()
    texts = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    texts += [ax.get_title() for ax in fig.axes] + [lab.get_text() for ax in fig.axes for lab in ax.get_yticklabels()]
    path = common.save(fig, tmp_path / name, DPI)
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.size == (round(w * DPI), round(h * DPI))
        arr = np.asarray(im.convert("L"))
    assert arr.std() > 5, "the image is blank"
    return texts


def _has_mark(texts):
    return any(common.SYNTHETIC_EN in t for t in texts)


# ----------------------------------------------------------------------- hand-made frames
CODES = {
    "310100": ("上海市", "Shanghai", "shanghai"),
    "320500": ("苏州市", "Suzhou", "sunan"),
    "320600": ("南通市", "Nantong", "rest_of_jiangsu"),
    "330400": ("嘉兴市", "Jiaxing", "zhejiang"),
}


@pytest.fixture
def prefectures():
    boxes = [
        box(121, 30.7, 122, 31.5),
        box(120, 31, 121, 31.8),
        box(120.5, 31.8, 121.5, 32.5),
        box(120.3, 30.2, 121, 31),
    ]
    return gpd.GeoDataFrame(
        {
            "code": list(CODES),
            "name_zh": [v[0] for v in CODES.values()],
            "name_pinyin": [v[1] for v in CODES.values()],
            "group": [v[2] for v in CODES.values()],
            "yrd16_2003": True,
            "yrd41_2019": True,
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


# ---------------------------------------------------------------------------------- tests
def _c1_figure(cjk, synthetic=True, metrics=None, constant=False):
    doc = c1_document(metrics=metrics, constant=constant)
    fig = concentration.concentration_integration_figure(
        doc, x_label="integration", cjk=cjk, synthetic=synthetic, source=SRC
    )
    return fig, doc


def test_c1_figure_prints_the_claims_numbers(tmp_path, cjk):
    fig, claim = _c1_figure(cjk)
    texts = _png(fig, tmp_path)
    assert _has_mark(texts)
    assert any("EG 集聚指数" in t for t in texts) == cjk
    eg = claim["metrics"]["ellison_glaeser"]
    assert eg["turning_point"] == pytest.approx(0.5, abs=0.01)
    box = next(t for t in texts if t.startswith("b2 ="))
    assert f"b2 = {eg['b2']:.3g} " in box
    assert (
        f"turning point {eg['turning_point']:.3g} [{eg['turning_point_low']:.3g}, {eg['turning_point_high']:.3g}]"
        in box
    )
    sp = claim["specialisation"]
    assert any(t.startswith(f"slope {sp['slope']:.3g} ") for t in texts)


def test_c1_figure_with_constant_integration_draws_no_fit(tmp_path, cjk):
    fig, _ = _c1_figure(cjk, metrics=["ellison_glaeser"], constant=True)
    texts = _png(fig, tmp_path)
    assert not any(t.startswith("b2 =") for t in texts)
    assert any("no curve" in t for t in texts)


def test_real_data_figures_carry_no_synthetic_mark(tmp_path, cjk):
    fig, _ = _c1_figure(cjk, synthetic=False, metrics=["ellison_glaeser"])
    assert not _has_mark(_png(fig, tmp_path))


def test_latin_fallback_has_no_chinese(tmp_path):
    setup_fonts("latin")
    try:
        fig = relocation_rates.c2_rates_figure(c2_document(), cjk=False, synthetic=True, source=SRC)
        texts = _png(fig, tmp_path)
        assert any("labour-intensive" in t for t in texts)
        assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts)
    finally:
        setup_fonts("auto")


def test_c2_figure_prints_the_claims_numbers(tmp_path, cjk):
    r = c2_document()
    fig = relocation_rates.c2_rates_figure(r, cjk=cjk, synthetic=True, source=SRC)
    texts = _png(fig, tmp_path)
    assert _has_mark(texts)
    printed = [t for t in texts if "(expect " in t and "->" in t]
    # the figure prints exactly the claim's per-class numbers (same function, same document)
    assert printed == r["value"].split("; ")[: len(r["conditions"])]
    assert any(t.startswith("ASIF break 2011") or "2011" in t for t in texts)


def test_c2_figure_without_moves_says_so(tmp_path, cjk):
    fig = relocation_rates.c2_rates_figure(c2_document(empty=True), cjk=cjk, synthetic=True, source=SRC)
    assert any("no moves or firm-years" in t for t in _png(fig, tmp_path))


def test_c3_figure_prints_the_claims_numbers(tmp_path, cjk):
    r = c3_document()
    fig = relocation_rates.c3_rates_figure(r, cjk=cjk, synthetic=True, source=SRC)
    texts = _png(fig, tmp_path)
    assert _has_mark(texts)
    for part in r["value"].split("; "):
        assert part in texts
    assert f"verdict: {r['verdict']}" in texts


def test_observed_and_fitted_flows():
    od = pd.DataFrame(
        {
            "level": "prefecture",
            "year": 2000,
            "origin": "310100",
            "dest": ["320500", "320600", "330400"],
            "group": "total",
            "moves": [10, 3, 6],
        }
    )
    fitted = pd.DataFrame(
        {
            "year": 2000,
            "origin": "310100",
            "dest": ["320500", "320600", "330400"] * 2,
            "group": ["labour"] * 3 + ["port"] * 3,
            "fitted": [5.0, 1.0, 2.5, 4.0, 1.5, 3.0],
        }
    )
    fl = flows.observed_and_fitted(od, fitted, "310100", [2000])
    assert fl["observed"].to_dict() == {"320500": 10, "320600": 3, "330400": 6}
    assert fl["fitted"]["320500"] == pytest.approx(9.0)


def test_counterfactuals_figure(tmp_path, cjk):
    rows = [
        (s, "move_point", 2005, "post", 2005, 2010, g, t, 0.1 * k)
        for s in ("gateway_yangshan_port", "without_hangzhou_bay_bridge")
        for k, g in enumerate(flows.CLASS_ORDER + ("total",))
        for t in ("sunan", "south_of_bay")
    ]
    d = pd.DataFrame(
        rows, columns=["scenario", "type", "from_year", "window", "start_year", "end_year", "group", "target", "shift"]
    )
    fig = flows.counterfactuals_figure(d, cjk=cjk, synthetic=True, source=SRC)
    _png(fig, tmp_path)
    assert len(fig.axes) == 2


def test_c5_figures(tmp_path, cjk, prefectures):
    codes = list(CODES)
    rows = [
        (y, "prefecture", a, b, "structural_similarity", 0.5 + 0.01 * (y - 2000))
        for y in (2000, 2005)
        for a in codes
        for b in codes
        if a != b
    ]
    sim = pd.DataFrame(rows, columns=["year", "level", "region_a", "region_b", "metric", "value"])
    m = similarity.similarity_matrix(sim, codes, 2005, "structural_similarity", "prefecture")
    assert np.diag(m.to_numpy()).tolist() == [1.0] * 4 and m.iloc[0, 1] == pytest.approx(0.55)
    claim = C.claim_c5(sim, codes, {**C5_CFG, "hac_lags": 1}, 0.05, matrix_years=[2000, 2005])
    doc = as_json(claim)
    fig = similarity.similarity_heatmaps_figure(
        doc,
        groups=common.mapping_of(prefectures, "group"),
        labels=common.prefecture_labels(prefectures, cjk),
        cjk=cjk,
        synthetic=True,
        source=SRC,
        title_set="toy",
    )
    _png(fig, tmp_path, "h.png")
    assert len(fig.axes[0].get_xticks()) == len(codes)  # exactly the members given (the verdict's set)
    fig = similarity.similarity_trend_figure(doc, cjk=cjk, synthetic=True, source=SRC)
    assert _has_mark(_png(fig, tmp_path, "t.png"))


def test_c6_figure(tmp_path, cjk):
    doc = c6_document()
    assert doc == json.loads(json.dumps(C.c6_document(C6_CFG, **c6_tables()) | {k: doc[k] for k in C.REQUIRED_KEYS}))
    fig = eu.eu_disparities_figure(doc, cjk=cjk, source=SRC)
    texts = _png(fig, tmp_path)
    assert not _has_mark(texts)
    assert any("paper -46%" in t for t in texts) and any("paper 70%" in t for t in texts)
    assert any("(max − min) / national" in t for t in texts)
    assert any("Luxembourg" in t for t in texts) and any("no data" in t for t in texts)  # no PPP for Luxembourg
    assert any("▸" in t for t in texts)  # Luxembourg's bar is cut at the axis end


def test_c7_lq_maps(tmp_path, cjk, prefectures):
    fy = pd.DataFrame(
        {
            "year": 2010,
            "prefecture": ["310100", "320500", "320500", "320600", "330400", "330400"],
            "industry": ["39", "39", "40", "40", "39", "13"],
            "employment": [10, 40, 30, 10, 5, 20],
        }
    )
    lq = C.lq_table(fy, fy["prefecture"], 2010)
    assert lq.loc[(lq["region"] == "320500") & (lq["industry"] == "39"), "lq"].item() == pytest.approx(
        (40 / 70) / (55 / 115)
    )
    for scheme in ("user_defined", "fisher_jenks"):
        fig = maps.lq_maps_figure(
            prefectures,
            lq,
            ["39", "40"],
            members=list(CODES),
            scheme=scheme,
            k=3,
            bins=[0.5, 0.8, 1.25, 2],
            cmap="RdYlBu_r",
            industry_labels=common.industry_labels(cjk, industries()),
            year=2010,
            cjk=cjk,
            synthetic=True,
            source=SRC,
        )
        _png(fig, tmp_path, f"{scheme}.png")


def test_class_breaks():
    v = [0.1, 0.6, 0.9, 1.1, 1.5, 3.0]
    assert maps.class_breaks(v, "user_defined", bins=[0.5, 0.8, 1.25, 2]) == [0.5, 0.8, 1.25, 2.0, 3.0]
    fj = maps.class_breaks(v, "fisher_jenks", k=3)
    assert len(fj) == 3 and fj[-1] == 3.0
    assert maps.class_labels([0.5, 2.0]) == ["≤ 0.50", "0.50 – 2.00"]
    with pytest.raises(ValueError, match="unknown scheme"):
        maps.class_breaks(v, "jenks")


def test_class_breaks_compile_fisher_jenks_only_for_large_inputs():
    # a fresh interpreter each: a small Fisher-Jenks runs mapclassify's function as plain Python,
    # a large one compiles that function (numba, cached on disk), and the classes agree with
    # each other and with mapclassify imported the usual way (its own eager numba compilation)
    import subprocess
    import sys

    data = "import numpy as np; v = np.random.default_rng(1).gamma(0.6, 2.0, 3000).round(2); "

    def run(first_n: int) -> tuple[str, str]:
        code = (
            data + "from yrd.figures import maps; "
            f"maps.class_breaks(v[:{first_n}], 'fisher_jenks', 5); "
            "fj = maps._mapclassify(False).classifiers._fisher_jenks_means; "
            "print(hasattr(fj, 'py_func'), maps.class_breaks(v[:300], 'fisher_jenks', 5), "
            "maps.class_breaks(v, 'fisher_jenks', 5))"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        jit, breaks = out.stdout.strip().split(" ", 1)
        return jit, breaks

    small, large = run(300), run(3000)
    assert small[0] == "False"  # 300 values first: plain Python, nothing compiled
    assert large[0] == "True"  # 3,000 values first: compiled
    assert small[1] == large[1]
    native = (
        data + "import mapclassify; assert mapclassify.classifiers.HAS_NUMBA; "
        "print([float(b) for b in mapclassify.FisherJenks(v[:300], k=5).bins], "
        "[float(b) for b in mapclassify.FisherJenks(v, k=5).bins])"
    )
    out = subprocess.run([sys.executable, "-c", native], capture_output=True, text=True, check=True)
    assert large[1] == out.stdout.strip()


def test_c7_kdensity(tmp_path, cjk):
    d = np.arange(0, 50.0)
    dens = pd.concat(
        [
            pd.DataFrame(
                {
                    "year": 2010,
                    "industry": ind,
                    "distance_km": d,
                    "k": k,
                    "local_lo": 0.01,
                    "local_hi": 0.02,
                    "global_lo": 0.009,
                    "global_hi": 0.021,
                }
            )
            for ind, k in (("24", 0.03 - 0.0004 * d), ("31", 0.005 + 0 * d), ("13", 0.015 + 0 * d))
        ]
    )
    summ = pd.DataFrame(
        {
            "year": 2010,
            "industry": ["24", "31", "13"],
            "status": "ok",
            "n_plants": 100,
            "n_sites": 50,
            "localisation_index": [0.2, 0.0, 0.0],
            "dispersion_index": [0.0, 0.3, 0.0],
            "localised": [True, False, False],
            "dispersed": [False, True, False],
        }
    )
    inds = kdensity.contrasting_industries(summ, 2010)
    assert inds == ["24", "31"]
    fig = kdensity.kdensity_figure(
        dens,
        summ,
        inds,
        year=2010,
        industry_labels=common.industry_labels(cjk, industries()),
        cjk=cjk,
        synthetic=True,
        source=SRC,
    )
    texts = _png(fig, tmp_path)
    assert any(t.startswith("localised") for t in texts) and any(t.startswith("dispersed") for t in texts)


def test_c4_figures(tmp_path, cjk):
    doc = c4_document()
    _png(integration.segmentation_figure(doc, cjk=cjk, synthetic=False, source=SRC), tmp_path, "s.png")
    texts = _png(integration.measured_profile_figure(doc, cjk=cjk, source=SRC), tmp_path, "m.png")
    assert f"C4: {doc['verdict']}" in texts
    ind = pd.DataFrame(
        [
            (y, d, v + 0.01 * (y - 2000))
            for y in range(2000, 2005)
            for d, v in (("transport", 0.8), ("market", 0.3), ("ecology", 0.5))
        ],
        columns=["year", "dimension", "value"],
    )
    tiers = {
        "top": ["transport"],
        "middle": ["information", "ecology"],
        "bottom": ["market", "industry", "institution"],
    }
    doc = as_json(C.claim_c4(None, ind, {"tiers": tiers}, 0.05))
    fig = integration.integration_profile_figure(ind, doc, cjk=cjk, synthetic=False, source=SRC)
    assert f"claim C4: {doc['verdict']}" in " ".join(_png(fig, tmp_path, "p.png"))
