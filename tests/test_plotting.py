"""Fonts: Chinese labels with the shipped CJK font, a clean pinyin fallback without it."""

import geopandas as gpd
import matplotlib
from shapely.geometry import box

from yrd import plotting


def _toy_layer():
    return gpd.GeoDataFrame(
        {
            "code": ["310100", "320500"],
            "name_zh": ["上海市", "苏州市"],
            "name_pinyin": ["Shanghai", "Suzhou"],
            "group": ["shanghai", "sunan"],
            "yrd16_2003": [True, True],
            "yrd41_2019": [True, True],
        },
        geometry=[box(121, 31, 122, 31.5), box(120, 31, 121, 31.8)],
        crs="EPSG:4326",
    )


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_cjk_font_is_installed_and_used():
    # mplfonts is a pinned dependency: the font must be there on every machine we set up
    assert plotting.find_cjk_font() is not None
    assert plotting.setup_fonts("auto") is True
    assert matplotlib.rcParams["font.family"][0] == plotting.CJK_FAMILY
    fig = plotting.study_area_map(_toy_layer(), None, region_set="yrd41_2019", cjk=True, title="t", source="s")
    assert "上海" in _texts(fig)


def test_fallback_without_cjk_font(monkeypatch):
    monkeypatch.setattr(plotting, "find_cjk_font", lambda: None)
    assert plotting.setup_fonts("auto") is False
    fig = plotting.study_area_map(_toy_layer(), None, region_set="yrd41_2019", cjk=False, title="t", source="s")
    texts = _texts(fig)
    assert "Shanghai" in texts and not any("上海" in t for t in texts)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Shanghai" in legend


def test_cjk_mode_requires_the_font(monkeypatch):
    monkeypatch.setattr(plotting, "find_cjk_font", lambda: None)
    try:
        plotting.setup_fonts("cjk")
    except RuntimeError as err:
        assert "mplfonts" in str(err)
    else:
        raise AssertionError("setup_fonts('cjk') must fail without the font")


# ----------------------------------------------------------------------------- bold (issue 17)
def _findfont_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "findfont" in r.getMessage()]


def _ink(text: str, **kw) -> int:
    """Dark pixels of ``text`` drawn alone at 40 pt."""
    import numpy as np
    from matplotlib import pyplot as plt

    fig = plt.figure(figsize=(4, 1), dpi=100)
    fig.text(0.02, 0.3, text, fontsize=40, **kw)
    fig.canvas.draw()
    rgb = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    plt.close(fig)
    return int((rgb.mean(axis=2) < 128).sum())


def _clear_font_cache():
    from matplotlib import font_manager

    font_manager.fontManager._findfont_cached.cache_clear()


def test_bold_cjk_title_has_no_findfont_warning(caplog):
    from matplotlib import pyplot as plt

    assert plotting.setup_fonts("auto") is True
    _clear_font_cache()
    caplog.set_level("WARNING", logger="matplotlib.font_manager")
    fig, ax = plt.subplots()
    ax.set_title("长三角一体化 integration", fontsize=12, **plotting.bold(12))
    fig.canvas.draw()
    plt.close(fig)
    assert _findfont_warnings(caplog) == []
    # the control: asking Matplotlib for bold in the regular-only CJK family does warn
    fig, ax = plt.subplots()
    ax.set_title("长三角一体化 integration", fontsize=12, fontweight="bold")
    fig.canvas.draw()
    plt.close(fig)
    assert any("weight bold" in m for m in _findfont_warnings(caplog))


def test_bold_is_visibly_bolder_with_and_without_the_cjk_font(monkeypatch):
    assert plotting.setup_fonts("auto") is True
    regular, strong = _ink("合成数据"), _ink("合成数据", **plotting.bold(40))
    assert strong > 1.15 * regular, (regular, strong)
    monkeypatch.setattr(plotting, "find_cjk_font", lambda: None)
    assert plotting.setup_fonts("auto") is False
    assert plotting.bold(10) == {"fontweight": "bold"}  # DejaVu Sans Bold, a real face
    assert _ink("SYNTHETIC", **plotting.bold(40)) > 1.15 * _ink("SYNTHETIC")


def test_maps_draw_without_findfont_warning(caplog):
    assert plotting.setup_fonts("auto") is True
    _clear_font_cache()
    caplog.set_level("WARNING", logger="matplotlib.font_manager")
    fig = plotting.study_area_map(_toy_layer(), None, region_set="yrd41_2019", cjk=True, title="研究区", source="s")
    fig.canvas.draw()
    assert _findfont_warnings(caplog) == []


def test_the_library_asks_for_bold_only_through_plotting_bold():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "yrd"
    pattern = re.compile(r"""(font)?weight\s*=\s*["'](bold|heavy|black|semibold|demibold)""")
    offenders = [
        f"{p.relative_to(root)}:{n}"
        for p in root.rglob("*.py")
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, offenders


def _unary(layer, by=None):
    return layer.dissolve(by=by)


def test_dissolve_coverage_equals_the_unary_union():
    # four squares in two groups: a valid coverage (shared edges, a gap between the groups)
    layer = gpd.GeoDataFrame(
        {"g": ["a", "a", "b", "b"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(3, 0, 4, 1), box(3, 1, 4, 2)],
        crs="EPSG:3857",
    )
    got, want = plotting.dissolve_coverage(layer, by="g"), _unary(layer, by="g")
    assert list(got.index) == list(want.index)
    assert got.geometry.geom_equals(want.geometry).all()
    assert got.geometry.symmetric_difference(want.geometry).area.max() == 0
    whole = plotting.dissolve_coverage(layer)
    assert whole.geometry.iloc[0].equals(_unary(layer).geometry.iloc[0])


def test_dissolve_coverage_falls_back_on_an_invalid_coverage(caplog):
    from shapely.geometry import Polygon

    cases = {
        # overlapping squares: GEOS returns both as an (invalid) MultiPolygon
        "overlap": [box(0, 0, 1, 1), box(0.9, 0, 2, 1)],
        # a square inside another: invalid MultiPolygon, not the union
        "inside": [box(0, 0, 1, 1), box(0.2, 0.2, 0.5, 0.5)],
        # a strip across a square, no vertex in common: invalid MultiPolygon
        "crossing": [box(0, 0, 1, 1), box(0.5, -1, 0.6, 2)],
        # a shared edge with a vertex on one side only: GEOS raises
        "unnoded": [box(0, 0, 1, 1), Polygon([(1, 0), (2, 0), (2, 1), (1, 1), (1, 0.5)])],
    }
    for name, geoms in cases.items():
        layer = gpd.GeoDataFrame({"g": ["a"] * len(geoms)}, geometry=geoms, crs="EPSG:3857")
        with caplog.at_level("INFO", logger="yrd.plotting"):
            got = plotting.dissolve_coverage(layer, by="g")
        want = _unary(layer, by="g")
        assert got.geometry.is_valid.all(), name
        assert got.geometry.symmetric_difference(want.geometry).area.max() == 0, name
        assert "dissolving by unary union" in caplog.text, name
        caplog.clear()
