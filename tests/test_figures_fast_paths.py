"""Faster formulations in the figure modules against the ones they replace (copied here as the
reference), exact equality: the interactive map's shape paths read from shapely and its traces passed as
dicts (yrd.figures.flow_map_interactive), the page's characters from the figure's JSON
(yrd.figures.flow_page), the South China Sea inset drawing only the polygons in its frame
(yrd.plotting.reaching) and the flow map placing its labels without rasterising."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon, box  # noqa: E402

from yrd.figures import flow_map_interactive as fmi  # noqa: E402
from yrd.figures.flow_page import page_text  # noqa: E402
from yrd.plotting import reaching  # noqa: E402

# --- interactive map: shapes and traces -------------------------------------------------------


def _old_feature_paths(layer: gpd.GeoDataFrame) -> list[tuple[str, list, list]]:
    """Reference: the shapes written to GeoJSON, parsed back and walked (the code before)."""
    gj = json.loads(layer.to_json(drop_id=True))
    return [(f["properties"]["code"], *fmi.feature_path(f)) for f in gj["features"]]


def _new_paths(layer: gpd.GeoDataFrame) -> list[tuple[str, list, list]]:
    return [(c, *fmi.geometry_path(g)) for c, g in zip(layer["code"], layer.geometry, strict=True)]


def _ring(rng, cx, cy, r, n):
    a = np.sort(rng.uniform(0, 2 * np.pi, n))
    rr = r * rng.uniform(0.6, 1.0, n)
    return list(zip(cx + rr * np.cos(a), cy + rr * np.sin(a), strict=True))


def test_geometry_path_equals_geojson_feature_path():
    rng = np.random.default_rng(11)
    square = box(0, 0, 10, 10)
    holed = Polygon([(0, 0), (20, 0), (20, 20), (0, 20)], [[(2, 2), (4, 2), (4, 4)], [(10, 10), (12, 10), (12, 13)]])
    multi = MultiPolygon([box(30, 30, 31.123456789, 31), holed, Polygon(_ring(rng, 50, 50, 5, 40))])
    shapes = [square, holed, multi] + [
        MultiPolygon([Polygon(_ring(rng, rng.uniform(-1e3, 1e3), rng.uniform(-1e3, 1e3), 30, 25)) for _ in range(3)])
        for _ in range(20)
    ]
    layer = gpd.GeoDataFrame({"code": [f"{i:06d}" for i in range(len(shapes))]}, geometry=shapes)
    assert _new_paths(layer) == _old_feature_paths(layer)


def test_simplified_shapes_paths_equal_simplified_geojson():
    rng = np.random.default_rng(5)
    geoms = [
        MultiPolygon(
            [Polygon(_ring(rng, 118 + 0.8 * i, 31 + 0.3 * (i % 3), 0.4, 400)), box(122 + i, 28, 122.2 + i, 28.1)]
        )
        for i in range(6)
    ]
    pref = gpd.GeoDataFrame(
        {"code": [f"3{i}0100" for i in range(6)], "name_zh": ["市"] * 6, "name_pinyin": list("abcdef")},
        geometry=geoms,
        crs=4326,
    )
    codes = ["300100", "320100", "350100"]
    gj = fmi.simplified_geojson(pref, codes, tolerance_km=2.0)
    old = [(f["properties"]["code"], *fmi.feature_path(f)) for f in gj["features"]]
    assert _new_paths(fmi.simplified_shapes(pref, codes, tolerance_km=2.0)) == old


def _trace_json(trace) -> str:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_trace(trace)
    return fig.to_json()


def test_scatter_dicts_give_the_traces_of_go_scatter():
    import plotly.graph_objects as go

    base = dict(
        x=[0.0, 1.5, None, 2.0],
        y=[1.0, 2.0, None, 3.0],
        mode="lines",
        fill="toself",
        fillcolor="#ececec",
        line={"color": "white", "width": 0.8},
        hoveron="fills",
        text="上海市 Shanghai (310100)",
        hoverinfo="text",
        name="上海市 Shanghai",
        showlegend=False,
        meta={"kind": "base", "code": "310100"},
    )
    legend = dict(
        x=[None],
        y=[None],
        mode="lines",
        line={"width": 1.33, "color": "#ffeda0"},
        name="0–1",
        meta={"kind": "legend", "class": 0},
    )
    arcs = dict(
        x=[1.0, 2.0, None],
        y=[3.0, 4.0, None],
        mode="lines",
        line={"width": 2.66, "color": "#800026"},
        opacity=0.8,
        hoverinfo="skip",
        name="1–2",
        showlegend=False,
        visible=False,
        meta={"direction": "out", "period": "window", "group": "total", "kind": "arcs", "class": 1},
    )
    partners = dict(
        x=[1.0, 2.0],
        y=[3.0, 4.0],
        mode="markers",
        customdata=[["320500", 3.0, 1.5, None, None]],
        text=["<b>苏州</b>"],
        hovertemplate="%{text}<extra></extra>",
        name="prefectures with moves",
        showlegend=False,
        visible=True,
        meta={"direction": "out", "period": "window", "group": "total", "kind": "partners"},
    )
    for props in (base, legend, arcs):
        assert _trace_json(fmi._scatter(**props)) == _trace_json(go.Scatter(**props))
    colours = ["#fd9e43", "#800026"]
    old = go.Scatter(**partners, marker={"size": 8, "color": colours, "line_width": 0.6})
    new = fmi._scatter(**partners, marker={"size": 8, "color": colours, "line": {"width": 0.6}})
    assert _trace_json(new) == _trace_json(old)


# --- the page's characters --------------------------------------------------------------------


def _cjk(text: str) -> set[str]:
    return {ch for ch in text if ord(ch) >= 0x2E80}


def test_page_text_has_the_characters_of_the_old_dump():
    import plotly.graph_objects as go
    import plotly.io as pio

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], text=["<b>上海</b> → 苏州", "嘉兴 𠀀"], name="南京 a/b"))
    fig.update_layout(title={"text": "<b>上海企业迁移流向图</b>"}, meta={"summaries": {"a": "迁出 · 总计"}})
    old = json.dumps(fig.to_plotly_json(), ensure_ascii=False)  # reference: the figure dumped again
    spec = fig.to_json().replace("</", "<\\/")
    assert _cjk(page_text(fig, spec)) == _cjk(old)
    # a JSON with non-ASCII escaped (Plotly's json engine): the figure is dumped again
    escaped = pio.to_json(fig, engine="json")
    assert "\\u" in escaped and page_text(fig, escaped) == old


# --- the inset draws only the polygons in its frame -------------------------------------------


def _png(layer: gpd.GeoDataFrame, colours: list, frame) -> bytes:
    fig, ax = plt.subplots(figsize=(3, 3), dpi=100)
    inset = ax.inset_axes((0.6, 0.0, 0.4, 0.4))
    layer.plot(ax=inset, color=colours, edgecolor="#555555", linewidth=0.2)
    inset.set_xlim(frame[0], frame[2])
    inset.set_ylim(frame[1], frame[3])
    inset.set_aspect("equal")
    ax.set_axis_off()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def test_reaching_rows_and_inset_pixels():
    frame = (0.0, 0.0, 100.0, 100.0)
    layer = gpd.GeoDataFrame(
        geometry=[
            box(10, 10, 20, 20),
            box(101, 0, 110, 5),
            box(103, 0, 110, 5),
            box(-50, -50, 150, 150),
            box(200, 200, 300, 300),
        ]
    )
    # inside; 1 beyond the frame (within 2 % of 100); 3 beyond; around the frame; far away
    assert reaching(layer, frame).tolist() == [True, True, False, True, False]
    rng = np.random.default_rng(2)
    polys = [Polygon(_ring(rng, *rng.uniform(-300, 400, 2), 40, 30)) for _ in range(60)]
    layer = gpd.GeoDataFrame(geometry=polys)
    colours = [plt.get_cmap("tab20")(i % 20) for i in range(len(polys))]
    near = reaching(layer, frame)
    assert 0 < near.sum() < len(polys)
    # reference: every polygon drawn in the inset (the code before)
    assert _png(layer[near], [c for c, k in zip(colours, near, strict=True) if k], frame) == _png(layer, colours, frame)


# --- the flow map places its labels without rasterising ---------------------------------------


def test_flow_map_labels_placed_without_rasterising_same_png(monkeypatch):
    import pandas as pd

    from yrd.figures.common import prefecture_labels
    from yrd.figures.flow_map import flow_map_figure

    rows = [
        ("310100", "上海市", "Shanghai", 121.4, 31.2),
        ("320500", "苏州市", "Suzhou", 120.6, 31.3),
        ("330400", "嘉兴市", "Jiaxing", 120.75, 30.75),
        ("320100", "南京市", "Nanjing", 118.8, 32.05),
        ("330100", "杭州市", "Hangzhou", 120.15, 30.25),
        ("340100", "合肥市", "Hefei", 117.25, 31.85),
    ]
    pref = gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "name_zh": [r[1] for r in rows],
            "name_pinyin": [r[2] for r in rows],
            "group": ["shanghai", "sunan", "zhejiang", "sunan", "zhejiang", "anhui"],
            "yrd41_2019": [True] * len(rows),
        },
        geometry=[box(x - 0.3, y - 0.25, x + 0.3, y + 0.25) for *_, x, y in rows],
        crs=4326,
    )
    moves = {
        "window": pd.Series({"320500": 12.0, "330400": 5.0, "320100": 3.0, "330100": 1.0}),
        "other": pd.Series({"320500": 20.0, "340100": 2.0, "330100": 7.0}),
    }
    years = {"window": [2000, 2001], "other": [1999, 2002, 2003]}

    def png() -> bytes:
        fig = flow_map_figure(
            pref,
            moves,
            years,
            focus="310100",
            members=[r[0] for r in rows],
            inset=["320500", "330400"],
            min_per_year=0.1,
            scheme="quantiles",
            k=3,
            min_width=0.5,
            max_width=4.0,
            cmap="YlOrRd",
            top_n=4,
            labels=prefecture_labels(pref, False),
            cjk=False,
            synthetic=True,
            outside=None,
            source="test",
        )
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        plt.close(fig)
        return buf.getvalue()

    new = png()
    # reference: a full draw of the canvas before placing the labels (the code before)
    monkeypatch.setattr(matplotlib.figure.Figure, "draw_without_rendering", lambda self: self.canvas.draw())
    assert png() == new
