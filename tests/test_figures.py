"""Claim figures on small hand-made frames: valid PNGs of the expected size, the synthetic mark,
Chinese labels with the CJK font and the pinyin/English fallback (yrd.figures)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from helpers.claim_configs import C1_CFG, C2_CFG, C3_CFG
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


def _c1_panels():
    """Industry-year concentration (EG an inverted U at 0.5, Gini rising) and region-year
    specialisation, 8 industries and 6 regions over 12 years, with industry/region effects."""
    x = np.linspace(0, 1, 12)
    years = range(2000, 2012)
    wiggle = 0.004 * np.sin(np.arange(12 * 8) * 2.3)
    conc = pd.DataFrame(
        [
            (y, f"{i:02d}", m, 0.02 * i + f + wiggle[i * 12 + k], xk)
            for m, fn in (
                ("ellison_glaeser", lambda z: 0.3 - (z - 0.5) ** 2),
                ("locational_gini", lambda z: 0.4 + 0.05 * z + 0.01 * np.sin(7 * z)),
            )
            for i in range(8)
            for k, (y, xk) in enumerate(zip(years, x, strict=True))
            for f in [fn(xk)]
        ],
        columns=["year", "industry", "metric", "value", "integration"],
    )
    spec = pd.DataFrame(
        [
            (y, f"r{r}", 0.5 + 0.03 * r + 0.1 * xk + wiggle[r * 12 + k], xk)
            for r in range(6)
            for k, (y, xk) in enumerate(zip(years, x, strict=True))
        ],
        columns=["year", "region", "value", "integration"],
    )
    return conc, spec


CLASSES = {"13": "labour", "26": "capital", "25": "port", "22": "urban"}
GROUPS = {"310100": "shanghai", "320500": "sunan", "330100": "zhejiang", "330400": "zhejiang"}
YEARS = list(range(1998, 2014))


def _firm_years():
    rows = [
        (f"{p}-{ind}-{k}", y, p, ind)
        for p in ("310100", "320500", "330100")
        for ind in CLASSES
        for k in range(40)
        for y in YEARS
    ]
    return pd.DataFrame(rows, columns=["firm_id", "year", "prefecture", "industry"])


def _moves():
    """Moves Shanghai <-> Suzhou by class and Zhejiang firms' moves growing over the years."""
    rows = []
    for y in YEARS:
        for ind, (o, i) in {"13": (4, 1), "26": (3, 1), "25": (1, 3), "22": (1, 1)}.items():
            rows += [(y, "310100", "320500", ind)] * o + [(y, "320500", "310100", ind)] * i
        rows += [(y, "330100", "330400", "13")] * (2 + (y - 1998) // 3) + [(y, "330100", "310100", "13")] * 2
    m = pd.DataFrame(rows, columns=["year", "origin_prefecture", "dest_prefecture", "industry"])
    return m.assign(firm_id=range(len(m)))


def _c2_result():
    return C.claim_c2(_moves(), _firm_years(), GROUPS, CLASSES, YEARS, C2_CFG, 0.05)


def _c3_result():
    return C.claim_c3(_moves(), _firm_years(), YEARS, C3_CFG, 0.05)


# ---------------------------------------------------------------------------------- tests
def _c1_figure(conc, spec, cjk, synthetic=True, metrics=None):
    return concentration.concentration_integration_figure(
        conc,
        spec,
        cfg={**C1_CFG, "metrics": metrics or C1_CFG["metrics"]},
        x_label="integration",
        alpha=0.05,
        cjk=cjk,
        synthetic=synthetic,
        source=SRC,
    )


def test_c1_figure_prints_the_claims_numbers(tmp_path, cjk):
    conc, spec = _c1_panels()
    texts = _png(_c1_figure(conc, spec, cjk), tmp_path)
    assert _has_mark(texts)
    assert any("EG 集聚指数" in t for t in texts) == cjk
    claim = C.claim_c1(conc, spec, C1_CFG, 0.05)
    eg = claim.details["metrics"]["ellison_glaeser"]
    assert eg["turning_point"] == pytest.approx(0.5, abs=0.01)
    box = next(t for t in texts if t.startswith("b2 ="))
    assert f"b2 = {eg['b2']:.3g} " in box
    assert (
        f"turning point {eg['turning_point']:.3g} [{eg['turning_point_low']:.3g}, {eg['turning_point_high']:.3g}]"
        in box
    )
    sp = claim.details["specialisation"]
    assert any(t.startswith(f"slope {sp['slope']:.3g} ") for t in texts)


def test_c1_figure_with_constant_integration_draws_no_fit(tmp_path, cjk):
    conc, spec = _c1_panels()
    texts = _png(
        _c1_figure(conc.assign(integration=0.0), spec.assign(integration=0.0), cjk, metrics=["ellison_glaeser"]),
        tmp_path,
    )
    assert not any(t.startswith("b2 =") for t in texts)
    assert any("no curve" in t for t in texts)


def test_real_data_figures_carry_no_synthetic_mark(tmp_path, cjk):
    conc, spec = _c1_panels()
    fig = _c1_figure(conc, spec, cjk, synthetic=False, metrics=["ellison_glaeser"])
    assert not _has_mark(_png(fig, tmp_path))


def test_latin_fallback_has_no_chinese(tmp_path):
    setup_fonts("latin")
    try:
        fig = relocation_rates.c2_rates_figure(
            _c2_result(), window=[2000, 2004], break_year=2011, alpha=0.05, cjk=False, synthetic=True, source=SRC
        )
        texts = _png(fig, tmp_path)
        assert any("labour-intensive" in t for t in texts)
        assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts)
    finally:
        setup_fonts("auto")


def test_c2_figure_prints_the_claims_numbers(tmp_path, cjk):
    r = _c2_result()
    fig = relocation_rates.c2_rates_figure(
        r, window=[2000, 2004], break_year=2011, alpha=0.05, cjk=cjk, synthetic=True, source=SRC
    )
    texts = _png(fig, tmp_path)
    assert _has_mark(texts)
    printed = [t for t in texts if "(expect " in t and "->" in t]
    # the figure prints exactly the claim's per-class numbers (same function, same table)
    assert printed == r.value.split("; ")[: len(r.details["conditions"])]
    assert any(t.startswith("ASIF break 2011") or "2011" in t for t in texts)


def test_c2_figure_without_moves_says_so(tmp_path, cjk):
    r = C.claim_c2(None, None, GROUPS, CLASSES, YEARS, C2_CFG, 0.05)
    fig = relocation_rates.c2_rates_figure(
        r, window=[2000, 2004], break_year=2011, alpha=0.05, cjk=cjk, synthetic=True, source=SRC
    )
    assert any("no moves or firm-years" in t for t in _png(fig, tmp_path))


def test_c3_figure_prints_the_claims_numbers(tmp_path, cjk):
    r = _c3_result()
    fig = relocation_rates.c3_rates_figure(r, break_year=2011, alpha=0.05, cjk=cjk, synthetic=True, source=SRC)
    texts = _png(fig, tmp_path)
    assert _has_mark(texts)
    for part in r.value.split("; "):
        assert part in texts
    assert f"verdict: {r.verdict}" in texts


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
    fig = similarity.similarity_heatmaps_figure(
        sim,
        codes,
        years=[2000, 2005],
        groups=common.mapping_of(prefectures, "group"),
        labels=common.prefecture_labels(prefectures, cjk),
        cjk=cjk,
        synthetic=True,
        source=SRC,
        title_set="toy",
    )
    _png(fig, tmp_path, "h.png")
    assert len(fig.axes[0].get_xticks()) == len(codes)  # exactly the members given (the verdict's set)
    fig = similarity.similarity_trend_figure(
        sim, {"yrd16_2003": codes}, threshold=0.8, hac_lags=1, main="yrd16_2003", cjk=cjk, synthetic=True, source=SRC
    )
    assert _has_mark(_png(fig, tmp_path, "t.png"))


def test_c6_figure(tmp_path, cjk):
    countries = {"Germany": "DEU", "Portugal": "PRT", "Greece": "GRC", "France": "FRA", "Luxembourg": "LUX"}
    gdp_pc = {"Germany": 114.0, "Portugal": 54.0, "Greece": 60.0, "France": 100.0, "Luxembourg": 300.0}
    wb = [(n, countries[n], 2002) for n in countries]
    cols = ["Country Name", "Country Code", "Year", "Value"]
    gdp = pd.DataFrame([(*r, gdp_pc[r[0]] * 10) for r in wb], columns=cols)
    pop = pd.DataFrame([(*r, 10.0) for r in wb], columns=cols)
    gapminder = pd.DataFrame(  # no Luxembourg, as in Gapminder
        {
            "country": ["Germany", "Portugal", "Greece", "France"],
            "year": 2002,
            "pop": 10,
            "gdpPercap": [30.0, 20, 22, 29],
        }
    )
    dose = pd.DataFrame(
        {
            "country": "Italy",
            "region": ["Lombardia", "Lazio", "Calabria"],
            "GID_0": "ITA",
            "year": 2002,
            "grp_lcu": [300.0, 250.0, 140.0],
            "pop": 10.0,
            "grp_pc_lcu": [30.0, 25.0, 14.0],
            "fx": 1.06,
            "PPP": 0.82,
        }
    )
    cfg = {
        "year": 2002,
        "countries": list(countries),
        "paper": {"Germany": 14, "Portugal": -46, "Greece": -46},
        "italy_gap_pct": 70,
        "tolerance_pp": 5,
    }
    doc = C.c6_document(cfg, worldbank_gdp=gdp, worldbank_pop=pop, gapminder=gapminder, dose=dose)
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
    seg = pd.DataFrame({"year": range(2000, 2008), "n_pairs": 3, "segmentation": np.linspace(0.003, 0.001, 8)})
    _png(integration.segmentation_figure(seg, cjk=cjk, synthetic=False, source=SRC), tmp_path, "s.png")
    ind = pd.DataFrame(
        [
            (y, d, v + 0.01 * (y - 2000))
            for y in range(2000, 2005)
            for d, v in (("transport", 0.8), ("market", 0.3), ("ecology", 0.5))
        ],
        columns=["year", "dimension", "value"],
    )
    tiers = [["transport"], ["information", "ecology"], ["market", "industry", "institution"]]
    _png(integration.integration_profile_figure(ind, tiers, cjk=cjk, synthetic=False, source=SRC), tmp_path, "p.png")
