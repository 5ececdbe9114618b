"""The flow map of Shanghai's outflows (yrd.figures.flow_selection, label_placement, flow_map):
windows and rates, drawn and not drawn flows (counts add up), classes, drawing order, the label
set (union of the panels' top N, the same in both panels), label placement without collisions."""

from __future__ import annotations

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from yrd.figures import common
from yrd.figures import flow_selection as fs
from yrd.figures.flow_map import flow_map_figure
from yrd.figures.label_placement import overlap, place
from yrd.plotting import setup_fonts


@pytest.fixture(scope="module")
def cjk():
    return setup_fonts("auto")


def test_window_years_split_the_period_at_the_window():
    y = fs.window_years(1998, 2013, [2000, 2004])
    assert y["window"] == [2000, 2001, 2002, 2003, 2004]
    assert y["other"] == [1998, 1999, *range(2005, 2014)]
    assert fs.year_span_label(y["other"]) == "1998-1999, 2005-2013"
    assert fs.year_span_label([2000]) == "2000" and fs.year_span_label([]) == "-"
    # a period inside the window leaves no other years
    assert fs.window_years(2001, 2003, [2000, 2004]) == {"window": [2001, 2002, 2003], "other": []}


def test_moves_by_destination_keeps_total_prefecture_moves_out_of_the_focus():
    od = pd.DataFrame(
        {
            "level": ["prefecture"] * 6 + ["province"],
            "year": [2000, 2001, 2000, 2000, 2000, 2005, 2000],
            "origin": ["310100", "310100", "310100", "310100", "320500", "310100", "31"],
            "dest": ["320500", "320500", "330400", "320600", "310100", "330400", "32"],
            "group": ["total", "total", "total", "labour", "total", "total", "total"],
            "moves": [3, 2, 0, 7, 4, 9, 50],
        }
    )
    s = fs.moves_by_destination(od, "310100", [2000, 2001])
    assert s.to_dict() == {"320500": 5.0}


def test_select_flows_rates_order_and_the_not_drawn_count_adds_up():
    moves = pd.Series({"a": 10.0, "b": 1.0, "c": 4.0, "d": 6.0, "e": 2.0, "off": 8.0, "z": 0.0})
    sel = fs.select_flows(moves, 5, min_per_year=0.5, on_map={"a", "b", "c", "d", "e"})
    # rates per year, ascending: the largest flow is drawn last
    assert list(sel.drawn.index) == ["c", "d", "a"]
    assert sel.drawn.tolist() == [0.8, 1.2, 2.0]
    assert sel.drawn.is_monotonic_increasing
    # below the minimum (b 0.2, e 0.4) and off the map (off): not drawn; zero flows are no flows
    assert set(sel.not_drawn.index) == {"b", "e", "off"}
    assert sel.moves_drawn == 20 and sel.moves_not_drawn == 11
    assert sel.moves_drawn + sel.moves_not_drawn == moves.sum()
    assert len(sel.drawn) + len(sel.not_drawn) == (moves > 0).sum()
    assert sel.off_map == ("off",) and set(sel.below_minimum.index) == {"b", "e"}
    assert fs.not_drawn_note(sel, 0.5) == (
        "3 flows drawn; not drawn: 2 flows (3 moves) below 0.50/year, 1 flow (8 moves) outside the map"
    )
    everything = fs.select_flows(moves, 1, min_per_year=0, on_map=moves.index)
    assert fs.not_drawn_note(everything, 0) == "all 6 flows drawn"
    with pytest.raises(ValueError):
        fs.select_flows(moves, 0, min_per_year=0, on_map=moves.index)


def test_equal_flows_are_drawn_in_code_order():
    sel = fs.select_flows(pd.Series({"b": 2.0, "a": 2.0, "c": 1.0}), 1, min_per_year=0, on_map={"a", "b", "c"})
    assert list(sel.drawn.index) == ["c", "a", "b"]


def test_flow_breaks_and_classes_have_known_answers():
    v = [1, 1, 2, 10, 11, 12]
    assert fs.flow_breaks(v, "fisher_jenks", 2) == [2.0, 12.0]
    assert fs.class_of([1, 2, 2.5, 12, 99], [2.0, 12.0]).tolist() == [0, 0, 1, 1, 1]
    # two distinct values cannot make five classes
    assert fs.flow_breaks([1, 1, 3], "fisher_jenks", 5) == [1.0, 3.0]
    assert fs.flow_breaks([], "fisher_jenks", 5) == []
    assert fs.break_labels([0.45, 1.8, 12.0], 0.2) == ["0.20–0.45", "0.45–1.8", "1.8–12"]
    assert fs.break_labels([], 0.2) == []


def test_class_styles_grow_thicker_and_darker_with_the_class_bound():
    st = fs.class_styles([1.0, 2.0, 4.0], min_width=0.5, max_width=6.0, cmap="YlOrRd")
    assert [s.width for s in st] == pytest.approx([1.5, 3.0, 6.0])
    lum = [0.2126 * s.colour[0] + 0.7152 * s.colour[1] + 0.0722 * s.colour[2] for s in st]
    assert all(a > b for a, b in zip(lum, lum[1:], strict=False))
    assert all(a.alpha < b.alpha for a, b in zip(st, st[1:], strict=False))
    # nearly equal classes look nearly equal; the thinnest is min_width
    near = fs.class_styles([0.18, 0.2], min_width=0.5, max_width=6.0, cmap="YlOrRd")
    assert [s.width for s in near] == pytest.approx([5.4, 6.0])
    assert fs.class_styles([0.01, 4.0], min_width=0.5, max_width=6.0, cmap="YlOrRd")[0].width == 0.5
    assert fs.class_styles([], min_width=0.5, max_width=6.0, cmap="YlOrRd") == []


def test_label_set_is_the_union_of_each_panels_top_n():
    a = pd.Series({"suzhou": 5.0, "jiaxing": 4.0, "nantong": 1.0, "hangzhou": 0.5})
    b = pd.Series({"nantong": 9.0, "suzhou": 3.0, "jiaxing": 0.1, "wuxi": 2.5})
    lab = fs.label_set({"window": a, "other": b}, 2)
    assert set(lab) == {"suzhou", "jiaxing", "nantong"}
    assert lab == ["nantong", "suzhou", "jiaxing"]  # by the largest flow in any panel
    assert fs.label_set({"window": a, "other": b}, 0) == []


def test_place_puts_labels_at_free_candidates():
    # one label: the first candidate (upper right of the point)
    (b,) = place([(100, 100)], [(20, 10)], offset=3, point_radius=1)
    assert b == pytest.approx((103, 103, 123, 113))
    # three labels on the same point do not overlap one another
    boxes = place([(100, 100)] * 3, [(20, 10)] * 3, offset=3, point_radius=1)
    assert all(overlap(p, q) == 0 for i, p in enumerate(boxes) for q in boxes[i + 1 :])
    # a label is not put next to another point: A is 25 to the right of B, so B goes left
    a, b = place([(125, 100), (100, 100)], [(20, 10), (20, 10)], offset=3, point_radius=1, clearance=8)
    assert b[2] <= 100
    # a frame pushes the label to the left of a point at the right edge
    (b,) = place([(195, 100)], [(20, 10)], offset=3, frame=(0, 0, 200, 200), point_radius=1)
    assert b[2] <= 200 and b[0] < 195


def _prefectures():
    codes = {
        "310100": ("上海市", "Shanghai", box(121, 30.7, 122, 31.5)),
        "320500": ("苏州市", "Suzhou", box(120, 31, 121, 31.8)),
        "320600": ("南通市", "Nantong", box(120.5, 31.8, 121.5, 32.5)),
        "330400": ("嘉兴市", "Jiaxing", box(120.3, 30.2, 121, 31)),
        "320100": ("南京市", "Nanjing", box(118.4, 31.6, 119.2, 32.4)),
        "330100": ("杭州市", "Hangzhou", box(119.2, 29.6, 120.3, 30.5)),
    }
    return gpd.GeoDataFrame(
        {
            "code": list(codes),
            "name_zh": [v[0] for v in codes.values()],
            "name_pinyin": [v[1] for v in codes.values()],
            "group": "sunan",
            "yrd41_2019": True,
        },
        geometry=[v[2] for v in codes.values()],
        crs="EPSG:4326",
    )


def test_flow_map_figure_draws_ascending_labels_both_panels_alike(tmp_path, cjk):
    pref = _prefectures()
    years = {"window": [2000, 2001, 2002, 2003, 2004], "other": [2005, 2006]}
    moves = {
        "window": pd.Series({"320500": 20.0, "330400": 10.0, "320100": 1.0, "330100": 3.0}),
        "other": pd.Series({"320600": 8.0, "320500": 2.0, "330100": 0.2}),
    }
    labels = common.prefecture_labels(pref, cjk)
    fig = flow_map_figure(
        pref,
        moves,
        years,
        focus="310100",
        members=list(pref["code"]),
        inset=["320500", "330400"],
        min_per_year=0.5,
        scheme="fisher_jenks",
        k=3,
        min_width=0.5,
        max_width=5.0,
        cmap="YlOrRd",
        top_n=2,
        labels=labels,
        cjk=cjk,
        synthetic=True,
        source="Source: hand-made test frame.",
    )
    sel = fig.flow_selection
    assert sel["window"].drawn.to_dict() == {"330100": 0.6, "330400": 2.0, "320500": 4.0}
    assert sel["other"].drawn.to_dict() == {"320500": 1.0, "320600": 4.0}
    assert list(sel["window"].not_drawn.index) == ["320100"] and sel["other"].moves_not_drawn == pytest.approx(0.2)
    assert set(fig.flow_labels) == {"320500", "330400", "320600"}
    # per panel: main map and zoom draw the arcs in ascending order of width (largest last, on top)
    maps_ = [ax for ax in fig.axes if ax.patches]
    assert len(maps_) == 4
    for ax in maps_:
        arcs = sorted(
            (p for p in ax.patches if isinstance(p, matplotlib.patches.FancyArrowPatch)), key=lambda p: p.get_zorder()
        )
        widths = [p.get_linewidth() for p in arcs]
        assert widths == sorted(widths) and widths[-1] == pytest.approx(5.0)
    # the same labels in both panels (main map + zoom of each)
    names = set(labels.values())
    texts = [{t.get_text() for ax in fig.axes[2 * j : 2 * j + 2] for t in ax.texts} & names for j in range(2)]
    want = {labels[c] for c in ("320500", "330400", "320600", "310100")}
    assert texts[0] == texts[1] == want
    fig_texts = [t.get_text() for t in fig.texts]
    assert any("not drawn: 1 flow (1 move) below 0.50/year" in t for t in fig_texts)
    assert any(common.SYNTHETIC_EN in t for t in fig_texts)
    path = common.save(fig, tmp_path / "flow.png", 60)
    with Image.open(path) as im:
        assert np.asarray(im.convert("L")).std() > 5


def test_flow_map_figure_without_any_flow_says_so(tmp_path):
    pref = _prefectures()
    years = {"window": [2000, 2001], "other": [2002]}
    moves = {"window": pd.Series(dtype=float), "other": pd.Series({"320500": 0.05})}
    fig = flow_map_figure(
        pref,
        moves,
        years,
        focus="310100",
        members=list(pref["code"]),
        inset=["320500"],
        min_per_year=0.1,
        scheme="fisher_jenks",
        k=5,
        min_width=0.5,
        max_width=5.0,
        cmap="YlOrRd",
        top_n=3,
        labels=common.prefecture_labels(pref, False),
        cjk=False,
        synthetic=False,
        source="Source: hand-made test frame.",
    )
    assert fig.flow_breaks == [] and fig.flow_labels == []
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "a. 2000-2001: no moves." in notes
    assert "b. 2002: 0 flows drawn; not drawn: 1 flow (0 moves) below 0.10/year." in notes
    common.save(fig, tmp_path / "empty.png", 60)
