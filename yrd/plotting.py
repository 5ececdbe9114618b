"""Figure helpers: a CJK font without root, bilingual labels, scale bar, north arrow, notes.

Chinese labels need a CJK font. The PyPI package ``mplfonts`` (a pinned dependency) ships
Noto Sans CJK SC (SIL Open Font License) inside site-packages; :func:`setup_fonts` registers
that file with Matplotlib directly (no font cache rebuild, no root). Without it, figures fall
back to pinyin/English labels instead of showing empty boxes.

Bold: ``mplfonts`` ships Noto Sans CJK SC in its Regular weight only, so Matplotlib answers a
bold request in that family with the regular face and a "findfont: Failed to find font weight
bold" warning. Bold text goes through :func:`bold`, which draws a synthetic bold (the regular
glyphs stroked by 1/24 of the font size, FreeType's ``FT_GlyphSlot_Embolden`` strength, as
browsers do) when the CJK font is active and DejaVu Sans Bold (Matplotlib's own) otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager, patheffects  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from yrd.boundaries import ALBERS_CHINA  # noqa: E402
from yrd.regions import GROUPS  # noqa: E402
from yrd.webfont import find_cjk_font  # noqa: E402

log = logging.getLogger(__name__)

CJK_FAMILY = "Noto Sans CJK SC"

#: Colours of the region groups (colour-blind safe, Okabe-Ito).
GROUP_COLOURS = {
    "shanghai": "#D55E00",
    "sunan": "#0072B2",
    "rest_of_jiangsu": "#56B4E9",
    "zhejiang": "#009E73",
    "anhui": "#E69F00",
}


def setup_fonts(mode: str = "auto") -> bool:
    """Configure Matplotlib fonts; return True when Chinese glyphs can be drawn.

    ``mode``: ``auto`` (CJK if available), ``cjk`` (require it; error if missing) or ``latin``
    (pinyin/English labels only).
    """
    plt.rcParams["axes.unicode_minus"] = False
    if mode == "latin":
        plt.rcParams["font.family"] = ["DejaVu Sans"]
        return False
    path = find_cjk_font()
    if path is None:
        if mode == "cjk":
            raise RuntimeError("plotting.font is 'cjk' but Noto Sans CJK SC (package mplfonts) is not installed")
        log.warning("no CJK font found: labels fall back to pinyin/English")
        plt.rcParams["font.family"] = ["DejaVu Sans"]
        return False
    font_manager.fontManager.addfont(str(path))
    plt.rcParams["font.family"] = [CJK_FAMILY, "DejaVu Sans"]
    return True


def cjk_font_active() -> bool:
    """True when the first family Matplotlib draws with is the CJK font (set by :func:`setup_fonts`)."""
    family = plt.rcParams["font.family"]
    return bool(family) and family[0] == CJK_FAMILY


def bold(fontsize: float | str | None = None, color: str = "black") -> dict:
    """Keyword arguments that draw a text artist bold with a real or synthetic bold face.

    With the CJK font active (:func:`cjk_font_active`; it has no bold weight) the regular
    glyphs are stroked in ``color`` with a line ``fontsize / 24`` points wide, FreeType's
    emboldening strength (``FT_GlyphSlot_Embolden``); otherwise the weight ``bold`` picks
    DejaVu Sans Bold. Use as ``ax.text(x, y, s, fontsize=10, **bold(10))``.
    """
    if not cjk_font_active():
        return {"fontweight": "bold"}
    size = font_manager.FontProperties(size=fontsize).get_size_in_points()
    return {
        "fontweight": "normal",
        "path_effects": [patheffects.withStroke(linewidth=size / 24, foreground=color)],
    }


def bilingual(zh: str, en: str, cjk: bool) -> str:
    """``"南京 Nanjing"`` when Chinese can be drawn, else ``"Nanjing"``."""
    return f"{zh} {en}" if cjk else en


def add_scale_bar(ax, length_km: float, *, loc: tuple[float, float] = (0.05, 0.05), height_frac: float = 0.008) -> None:
    """Draw a two-segment scale bar on an axis whose data units are metres in an
    equal-area or conformal projection (true to scale near the map centre). A bar shorter than a
    tenth of the axis or longer than 40 % of it (``length_km`` chosen for the YRD on a map of all
    of China, or of Sunan) becomes a round 1, 2 or 5 x 10^k km near a sixth of it."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    if not 0.1 * (x1 - x0) <= length_km * 1000 <= 0.4 * (x1 - x0):
        target = (x1 - x0) / 6 / 1000
        k = 10 ** np.floor(np.log10(target))
        length_km = float(max(m * k for m in (1, 2, 5) if m * k <= target))
    bx = x0 + loc[0] * (x1 - x0)
    by = y0 + loc[1] * (y1 - y0)
    h = height_frac * (y1 - y0)
    half = length_km * 1000 / 2
    ax.add_patch(plt.Rectangle((bx, by), half, h, facecolor="black", edgecolor="black", lw=0.6))
    ax.add_patch(plt.Rectangle((bx + half, by), half, h, facecolor="white", edgecolor="black", lw=0.6))
    wide = ax.transData.transform((bx + 2 * half, by))[0] - ax.transData.transform((bx, by))[0]
    ticks = ((0, "0"), (0.5, f"{length_km / 2:g}"), (1, f"{length_km:g} km"))
    if wide < 60 * ax.figure.dpi / 72:  # under 60 pt: the middle label would collide
        ticks = (ticks[0], ticks[2])
    for frac, text in ticks:
        ax.text(bx + frac * 2 * half, by + 1.8 * h, text, ha="center", va="bottom", fontsize=7)


def add_north_arrow(ax, *, xy: tuple[float, float] = (0.94, 0.90)) -> None:
    """North arrow in axes coordinates (the maps here are drawn with north up)."""
    ax.annotate(
        "N",
        xy=xy,
        xytext=(xy[0], xy[1] - 0.09),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        **bold(10),
        arrowprops=dict(facecolor="black", width=3, headwidth=9, headlength=9),
    )


def add_source_note(fig, text: str) -> None:
    """Source/credit line at the bottom left of the figure."""
    fig.text(0.01, 0.005, text, ha="left", va="bottom", fontsize=6.5, color="#444444", wrap=True)


def is_yrd_map(prefectures: pd.DataFrame, region_set: str) -> bool:
    """Does ``region_set`` lie in the YRD's provinces (:data:`YRD_PROVINCE_PREFIXES`)? Then its
    study-area map is the YRD's (groups, prefecture labels), else the national one."""
    from yrd.regions import region_set_codes

    return all(c[:2] in YRD_PROVINCE_PREFIXES for c in region_set_codes(region_set, prefectures["code"], prefectures))


def defer_idle_draws(fig: plt.Figure) -> plt.Figure:
    """Make ``fig.canvas.draw_idle()`` a no-op for this figure (returned).

    geopandas' ``plot`` ends every call with ``ax.figure.canvas.draw_idle()``; on the
    non-interactive Agg canvas the figure scripts use, that draws the whole figure at once, so a
    map built from five ``plot`` calls was drawn five times before ``savefig`` drew it again (4 of
    the national study-area map's 11 s). The saved image is the same: ``savefig`` draws the
    finished figure itself."""
    fig.canvas.draw_idle = lambda *args, **kwargs: None
    return fig


def dissolve_coverage(layer: gpd.GeoDataFrame, by: str | None = None) -> gpd.GeoDataFrame:
    """``layer.dissolve(by=by)`` (the union of each group's polygons), computed as a coverage
    union (``dissolve(method="coverage")``, GEOS ``CoverageUnion``): it only removes the edges
    two polygons share, so it is several times faster than the unary union (the 342 prefectures
    of China into provinces: 0.4 s against 2.8 s) and gives the same polygons, their rings
    starting at other vertices.

    It is exact only when each group's polygons form a valid coverage (no overlaps, shared edges
    with the same vertices; gaps are fine). The boundaries (:mod:`yrd.boundaries`) are not built
    to guarantee one, but checking first (``shapely.coverage_is_valid``, 1.0 s for China's
    prefectures) would eat a third of the saving, so the result is checked instead: on an
    invalid coverage GEOS raises (edges not noded alike, or a union whose area differs from the
    total of the polygons) or returns the overlapping polygons as an invalid MultiPolygon, which
    ``is_valid`` finds (0.1 s for the provinces). Either way the layer is dissolved again by the
    unary union, so a bad coverage costs time, not wrong borders. (An invalid coverage that GEOS
    turned into valid polygons of the right total area would pass unnoticed; none of the cases
    tried does: overlaps, a polygon inside another, crossing edges, a vertex on one side of a
    shared edge only, tests/test_plotting.py.)"""
    import shapely

    try:
        out = layer.dissolve(by=by, method="coverage")
    except shapely.errors.GEOSException as err:
        log.info("coverage union failed (%s); dissolving by unary union", err)
        return layer.dissolve(by=by)
    if not out.geometry.is_valid.all():
        log.info("coverage union gave invalid polygons (not a valid coverage); dissolving by unary union")
        return layer.dissolve(by=by)
    return out


def study_area_map(
    prefectures: gpd.GeoDataFrame,
    counties: gpd.GeoDataFrame | None,
    *,
    region_set: str,
    cjk: bool,
    title: str,
    source: str,
    dpi: int = 150,
):
    """Map of the study-area prefectures coloured by region group, labelled, with the 2003
    16-city delta outlined, county boundaries faint, scale bar, north arrow and source.

    ``prefectures`` needs ``code``, ``name_zh``, ``name_pinyin``, ``group``, ``yrd16_2003``
    and the region-set column. Returns the Matplotlib figure.
    """
    from yrd.regions import region_set_codes

    if not is_yrd_map(prefectures, region_set):
        return _national_study_area_map(
            prefectures, region_set=region_set, cjk=cjk, title=title, source=source, dpi=dpi
        )
    members = region_set_codes(region_set, prefectures["code"], prefectures)
    pref = prefectures[prefectures["code"].astype(str).isin(members)].to_crs(ALBERS_CHINA)
    fig, ax = plt.subplots(figsize=(7.5, 8.2), dpi=dpi)
    defer_idle_draws(fig)
    colours = pref["group"].map(GROUP_COLOURS)
    pref.plot(ax=ax, color=colours, edgecolor="white", linewidth=0.8, alpha=0.85)
    if counties is not None:
        cty = counties[counties["prefecture_code"].isin(pref["code"])].to_crs(ALBERS_CHINA)
        cty.boundary.plot(ax=ax, color="white", linewidth=0.2, alpha=0.7)
    yrd16 = pref[pref["yrd16_2003"]]
    if 0 < len(yrd16) < len(pref):  # the 16 cities outlined when the set holds more
        parts = yrd16.dissolve().explode(index_parts=False)
        parts = parts[parts.area > 50e6]  # drop small islands so the dashed outline stays legible
        parts.boundary.plot(ax=ax, color="black", linewidth=1.4, linestyle="--")
    for row in pref.itertuples():
        pt = row.geometry.representative_point()
        name = row.name_zh.removesuffix("市") if cjk else row.name_pinyin
        ax.text(pt.x, pt.y, name, ha="center", va="center", fontsize=6.5 if cjk else 6, color="#111111")
    ax.set_axis_off()
    ax.set_aspect("equal")
    add_scale_bar(ax, 200)
    add_north_arrow(ax)
    handles = []
    for g in GROUPS.itertuples():
        if g.group in set(pref["group"]):
            handles.append(Patch(facecolor=GROUP_COLOURS[g.group], label=bilingual(g.label_zh, g.label_en, cjk)))
    if 0 < len(yrd16) < len(pref):  # the 16 cities outlined when the set holds more
        from matplotlib.lines import Line2D

        handles.append(
            Line2D([0], [0], color="black", lw=1.4, ls="--", label=bilingual("2003年16城", "YRD-16 (2003)", cjk))
        )
    ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=True, title=None)
    ax.set_title(title, fontsize=11)
    add_source_note(fig, source)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


#: Provinces of the YRD (2-digit codes): a region set inside them gets the YRD's map.
YRD_PROVINCE_PREFIXES = ("31", "32", "33", "34")

#: Colour of Taiwan, Hong Kong and Macao on national maps (no survey firm is there).
NON_SURVEY_COLOUR = "#D9D9D9"

#: Colours of the NBS macro-regions outside the YRD's groups on a national map (light, so the
#: YRD's group colours stand out).
MACRO_COLOURS = {
    "china_east": "#CFE3F0",
    "china_central": "#F3DDB8",
    "china_west": "#DCEBD3",
    "china_northeast": "#E6D8EC",
}


def _national_study_area_map(
    prefectures: gpd.GeoDataFrame, *, region_set: str, cjk: bool, title: str, source: str, dpi: int
):
    """National study-area map: the prefectures of ``region_set`` (:func:`yrd.regions.region_set_codes`),
    the YRD's 41 cities in their group colours, the others in the light colour of their NBS
    macro-region, province outlines and province labels (342 prefecture labels would not be
    legible), the 2003 16-city delta outlined."""
    from matplotlib.lines import Line2D

    from yrd.regions import MACRO_REGIONS, PROVINCE_NAMES, REGION_SET_LABELS, macro_region, region_set_codes

    members = set(region_set_codes(region_set, prefectures["code"], prefectures))
    pref = prefectures[prefectures["code"].astype(str).isin(members)].to_crs(ALBERS_CHINA)
    macro = macro_region(pref["code"].astype(str))
    colours = pref["group"].map(GROUP_COLOURS).fillna(macro.map(MACRO_COLOURS)).fillna("#DDDDDD")
    from yrd.boundaries import non_survey_units

    # All of China and the east (its coast): the whole map, Taiwan, Hong Kong and Macao, the islands' inset
    whole = region_set in ("china", "china_east")
    others = non_survey_units().to_crs(ALBERS_CHINA) if whole else None
    fig, ax = plt.subplots(figsize=(10, 6.8) if whole else (8, 7), dpi=dpi)
    defer_idle_draws(fig)
    pref.plot(ax=ax, color=colours.tolist(), edgecolor="white", linewidth=0.25)
    if whole:
        others.plot(ax=ax, color=NON_SURVEY_COLOUR, edgecolor="#555555", linewidth=0.5)
        tw = others.iloc[0].geometry.representative_point()
        ax.text(tw.x, tw.y, "台湾" if cjk else "Taiwan", ha="center", va="center", fontsize=5.5, color="#222222")
    provinces = dissolve_coverage(pref.assign(province=pref["code"].astype(str).str[:2]), by="province")
    provinces.boundary.plot(ax=ax, color="#555555", linewidth=0.5)
    for code, row in provinces.iterrows():
        zh, en = PROVINCE_NAMES.get(str(code), (str(code), str(code)))
        pt = row.geometry.representative_point()
        ax.text(pt.x, pt.y, zh if cjk else en, ha="center", va="center", fontsize=6 if cjk else 5.5, color="#222222")
    yrd16 = pref[pref["yrd16_2003"].astype(bool)]
    if len(yrd16):
        parts = dissolve_coverage(yrd16).explode(index_parts=False)
        parts[parts.area > 50e6].boundary.plot(ax=ax, color="black", linewidth=1.0, linestyle="--")
    ax.set_axis_off()
    ax.set_aspect("equal")
    if whole:
        _south_china_sea_inset(
            ax, pd.concat([pref, others]), [*colours.tolist(), *[NON_SURVEY_COLOUR] * len(others)], cjk
        )
    add_scale_bar(ax, 500)
    add_north_arrow(ax)
    shown = set(pref["group"])
    handles = [
        Patch(facecolor=GROUP_COLOURS[g.group], label=bilingual(g.label_zh, g.label_en, cjk))
        for g in GROUPS.itertuples()
        if g.group in shown
    ]
    for name in MACRO_REGIONS:
        if (macro.eq(name) & ~pref["group"].isin(list(GROUP_COLOURS))).any():
            zh, en = REGION_SET_LABELS[name]
            handles.append(Patch(facecolor=MACRO_COLOURS[name], label=bilingual(zh, en, cjk)))
    if whole:
        label = bilingual("台港澳（不在调查内）", "not surveyed: Taiwan, HK, Macao", cjk)
        handles.append(Patch(facecolor=NON_SURVEY_COLOUR, label=label))
    if len(yrd16):
        handles.append(
            Line2D([0], [0], color="black", lw=1.0, ls="--", label=bilingual("2003年16城", "YRD-16 (2003)", cjk))
        )
    ax.legend(handles=handles, loc="center right" if whole else "best", fontsize=6.5, frameon=True)
    ax.set_title(title, fontsize=10)
    add_source_note(fig, source)
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


#: The mainland map's frame (lon/lat) and the South China Sea islands' inset (南海诸岛), as on
#: the standard map of China.
_MAINLAND_FRAME = (73.0, 17.5, 135.5, 54.0)
_SOUTH_CHINA_SEA = (107.0, 3.0, 122.5, 21.5)


def reaching(layer: gpd.GeoDataFrame, frame: Sequence[float], margin: float = 0.02) -> np.ndarray:
    """Which rows of ``layer`` have bounds reaching into ``frame`` (x0, y0, x1, y1, in the
    layer's units) widened by ``margin`` of its larger side on each side. A map panel with that
    frame as its fixed limits draws only these: the others fall wholly outside it and leave no
    pixel (the margin covers their outlines' width), so leaving them out spares drawing their
    vertices for nothing (the national map's South China Sea inset shows a few dozen of China's
    prefectures)."""
    x0, y0, x1, y1 = (float(v) for v in frame)
    m = margin * max(x1 - x0, y1 - y0)
    b = layer.bounds
    near = (b["minx"] <= x1 + m) & (b["maxx"] >= x0 - m) & (b["miny"] <= y1 + m) & (b["maxy"] >= y0 - m)
    return near.to_numpy(dtype=bool)


def _south_china_sea_inset(ax, pref: gpd.GeoDataFrame, colours: list, cjk: bool) -> None:
    """Limit ``ax`` (Albers) to the mainland and Hainan, and draw the South China Sea islands in
    an inset at its lower right (``pref`` in the Albers projection, ``colours`` per row)."""
    from shapely.geometry import box

    frame = gpd.GeoSeries([box(*_MAINLAND_FRAME).segmentize(0.5)], crs="EPSG:4326").to_crs(ALBERS_CHINA).total_bounds
    # clipped by the rectangle (a bounds tuple: GEOS clip_by_rect, 0.02 s for China's prefectures
    # against 0.5 s for the intersection with a box polygon; the bounds are the same)
    x0, y0, x1, y1 = pref.clip(tuple(frame)).total_bounds
    ax.set_xlim(x0, x1 + 0.42 * (x1 - x0))  # sea to the east: room for the legend and the inset
    ax.set_ylim(y0, y1)
    scs = gpd.GeoSeries([box(*_SOUTH_CHINA_SEA).segmentize(0.5)], crs="EPSG:4326").to_crs(ALBERS_CHINA).total_bounds
    inset = ax.inset_axes((0.84, 0.0, 0.16, 0.27))
    near = reaching(pref, scs)
    pref[near].plot(
        ax=inset, color=[c for c, keep in zip(colours, near, strict=True) if keep], edgecolor="#555555", linewidth=0.2
    )
    inset.set_xlim(scs[0], scs[2])
    inset.set_ylim(scs[1], scs[3])
    inset.set_xticks([])
    inset.set_yticks([])
    inset.set_xlabel("")
    inset.set_ylabel("")
    inset.set_aspect("equal")
    for side in inset.spines.values():
        side.set_linewidth(0.6)
    label = bilingual("南海诸岛", "South China Sea Islands", cjk)
    inset.text(0.5, 0.03, label, transform=inset.transAxes, ha="center", va="bottom", fontsize=5.5)
