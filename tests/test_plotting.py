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
