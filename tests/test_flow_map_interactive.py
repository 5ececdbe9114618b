"""The interactive flow map (yrd.figures.flow_map_interactive, rule fig_flow_map_interactive):
the flows of the table in the traces with their numbers, no zero flow drawn, one self-contained
page (no http(s) script or CSS), and in a real browser (tiny world) the traces drawn and a
screenshot of the first screen."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from yrd.figures.flow_map_interactive import (
    feature_path,
    flow_map_page,
    flow_table,
    scenario_notes,
    simplified_geojson,
)
from yrd.figures.flow_page import write_page
from yrd.figures.flow_selection import window_years

FOCUS = "310100"
PERIODS = window_years(1999, 2003, [2000, 2001])  # window 2000-2001, other 1999, 2002-2003


@pytest.fixture
def prefectures() -> gpd.GeoDataFrame:
    """Four square prefectures near Shanghai (WGS 84)."""
    rows = [
        (FOCUS, "上海市", "Shanghai", 121.0, 31.0),
        ("320500", "苏州市", "Suzhou", 120.3, 31.2),
        ("330400", "嘉兴市", "Jiaxing", 120.6, 30.6),
        ("320100", "南京市", "Nanjing", 118.7, 32.0),
    ]
    return gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "name_zh": [r[1] for r in rows],
            "name_pinyin": [r[2] for r in rows],
            "group": ["shanghai", "sunan", "zhejiang", "sunan"],
            "yrd41_2019": [True] * 4,
        },
        geometry=[box(x - 0.3, y - 0.25, x + 0.3, y + 0.25) for *_, x, y in rows],
        crs=4326,
    )


def _od() -> pd.DataFrame:
    """Moves by class; Nanjing's only cell has zero moves; one move from Suzhou into Shanghai."""
    cells = [
        (2000, FOCUS, "320500", "labour", 3),
        (2001, FOCUS, "320500", "labour", 1),
        (2000, FOCUS, "320500", "capital", 2),
        (2002, FOCUS, "330400", "capital", 4),
        (2000, FOCUS, "320100", "labour", 0),
        (2001, "320500", FOCUS, "port", 1),
        (2000, "320500", "330400", "labour", 7),  # not Shanghai's: left out
    ]
    df = pd.DataFrame(cells, columns=["year", "origin", "dest", "group", "moves"])
    tot = df.groupby(["year", "origin", "dest"], as_index=False)["moves"].sum().assign(group="total")
    out = pd.concat([df, tot], ignore_index=True).assign(level="prefecture")
    prov = out.assign(level="province", moves=99)  # another level: ignored
    return pd.concat([out, prov], ignore_index=True)


def _fitted() -> pd.DataFrame:
    od = _od()
    od = od[(od["level"] == "prefecture") & (od["group"] != "total")]
    return od.assign(fitted=od["moves"] * 0.5 + 0.25)[["year", "origin", "dest", "group", "moves", "fitted"]]


def _scenarios() -> pd.DataFrame:
    base = {"type": "move_point", "from_year": 2000, "start_year": 2000, "end_year": 2003, "reason": ""}
    return pd.DataFrame(
        [
            {**base, "scenario": "gate", "window": "post", "group": "labour", "target": "sunan"}
            | {"baseline_share": 0.5, "scenario_share": 0.4, "shift": -0.1, "status": "estimated"},
            {**base, "scenario": "gate", "window": "year", "group": "labour", "target": "sunan"}
            | {"baseline_share": 0.9, "scenario_share": 0.1, "shift": -0.8, "status": "estimated"},
        ]
    )


def _page(prefectures, flows, synthetic=True):
    notes = scenario_notes(_scenarios(), {"sunan": ["320100", "320500"]})
    return flow_map_page(
        prefectures,
        flows,
        notes,
        PERIODS,
        focus=FOCUS,
        members=list(prefectures["code"]),
        scheme="quantiles",
        k=3,
        min_width=0.6,
        max_width=6.0,
        cmap="YlOrRd",
        tolerance_km=1.0,
        synthetic=synthetic,
        source="Source: test.",
    )


def test_flow_table_sums_moves_per_year_and_fits():
    fl = flow_table(_od(), _fitted(), FOCUS, PERIODS).set_index(["direction", "period", "group", "partner"])
    r = fl.loc[("out", "window", "labour", "320500")]
    assert r["moves"] == 4 and r["n_years"] == 2 and r["per_year"] == 2.0
    assert r["fitted"] == pytest.approx(3 * 0.5 + 0.25 + 1 * 0.5 + 0.25)
    assert fl.loc[("out", "window", "total", "320500"), "moves"] == 6
    # total fitted: the sum of the class fits
    assert fl.loc[("out", "window", "total", "320500"), "fitted"] == pytest.approx(1.75 + 0.75 + 1.25)
    r = fl.loc[("out", "other", "capital", "330400")]
    assert r["moves"] == 4 and r["n_years"] == 3 and r["per_year"] == pytest.approx(4 / 3)
    assert fl.loc[("in", "window", "port", "320500"), "moves"] == 1
    assert "320100" not in set(fl.index.get_level_values("partner"))  # zero moves: no row
    assert not fl.index.get_level_values("partner").isin([FOCUS]).any()


def test_every_flow_is_in_a_trace_with_its_numbers_and_zero_flows_are_not_drawn(prefectures):
    flows = flow_table(_od(), _fitted(), FOCUS, PERIODS)
    fig = _page(prefectures, flows)
    partners = {}
    arcs = {}
    for t in fig.data:
        m = t.meta or {}
        view = (m.get("direction"), m.get("period"), m.get("group"))
        if m.get("kind") == "partners":
            for row, text in zip(t.customdata, t.text, strict=True):
                partners[(*view, row[0])] = (row, text)
        elif m.get("kind") == "arcs":
            arcs[view] = arcs.get(view, 0) + sum(v is None for v in t.x)  # one None after each arc
    assert len(partners) == len(flows)
    for r in flows.itertuples():
        row, text = partners[(r.direction, r.period, r.group, r.partner)]
        assert row[1] == r.moves and row[2] == pytest.approx(r.per_year)
        assert row[3] == pytest.approx(r.fitted) and row[4] == pytest.approx(r.fitted_per_year)
        assert f"{r.per_year:,.2f} firms per year" in text
    # one arc per flow drawn, none for Nanjing's zero moves
    counts = flows.groupby(["direction", "period", "group"]).size()
    assert arcs == {k: int(v) for k, v in counts.items()}
    assert not any(k[3] == "320100" for k in partners)
    # hover: Chinese name with pinyin; the scenario of window "post" for the target's members
    row, text = partners[("out", "window", "labour", "320500")]
    assert "苏州市 Suzhou" in text and "gate (2000-2003): share to sunan 50.0% → 40.0% (-10.0 pp)" in text
    assert "80.0%" not in text and "scenarios" not in partners[("in", "window", "port", "320500")][1]
    # summaries of every view and the default one shown first
    meta = fig.layout.meta
    assert (
        meta["default"] == "out|window|total"
        and "6 moves in 2 years = 3.0 firms per year" in meta["summaries"][meta["default"]]
    )
    assert len(meta["summaries"]) == 2 * 2 * 6


def test_page_is_self_contained_and_labelled(tmp_path, prefectures):
    out = write_page(_page(prefectures, flow_table(_od(), _fitted(), FOCUS, PERIODS)), tmp_path / "m.html", "上海 test")
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", html, re.S))
    assert not re.search(r"@import|url\(\s*['\"]?(?!data:)", css)
    assert html.count("<script") == 2  # plotly.js inline and the page's script
    assert "SYNTHETIC" in html and "firms moved per year" in html and "Source: test." in html
    from yrd.plotting import find_cjk_font

    if find_cjk_font() is not None:  # Chinese from an inline font subset, no system font needed
        face = re.search(r"@font-face\{[^}]*url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
        assert face and len(face.group(1)) < 400_000
    from plotly.offline import get_plotlyjs

    assert len(html.encode()) - len(get_plotlyjs().encode()) < 1_000_000


def test_not_synthetic_and_no_moves(prefectures, tmp_path):
    empty = flow_table(_od().assign(moves=0), None, FOCUS, PERIODS)
    assert empty.empty
    fig = _page(prefectures, empty, synthetic=False)
    assert all((t.meta or {}).get("kind") in ("base", "focus") for t in fig.data)
    html = write_page(fig, tmp_path / "e.html", "t").read_text(encoding="utf-8")
    assert "SYNTHETIC" not in html.split("<script")[0] + json.dumps(fig.to_plotly_json()["layout"])


def test_simplified_geojson_is_small_and_keeps_every_prefecture(prefectures):
    gj = simplified_geojson(prefectures, ["320500", FOCUS], tolerance_km=5.0)
    assert sorted(f["properties"]["code"] for f in gj["features"]) == [FOCUS, "320500"]
    xs, ys = feature_path(gj["features"][0])
    assert len(xs) == len(ys) == 5 and np.isfinite(xs).all()


@pytest.mark.workflow
def test_flow_map_in_a_browser(tiny_run, tmp_path):
    from tests.helpers.browser import dump_dom, screenshot

    page = tiny_run / "results" / "tiny" / "figures" / "flow_map_shanghai.html"
    assert page.stat().st_size < 8_000_000
    dom = dump_dom(page)
    traces = int(re.search(r'data-traces="(\d+)"', dom).group(1))
    visible = int(re.search(r'data-visible-traces="(\d+)"', dom).group(1))
    assert re.search(r'data-view="out\|window\|total"', dom)
    html = page.read_text(encoding="utf-8")
    spec = json.loads(re.search(r"var fig = (.*?);\nvar gd", html, re.S).group(1).replace("<\\/", "</"))
    kinds = [(t.get("meta") or {}) for t in spec["data"]]
    always = sum(m["kind"] in ("base", "legend", "focus") for m in kinds)
    view = sum(m.get("direction") == "out" and m.get("period") == "window" and m.get("group") == "total" for m in kinds)
    assert traces == len(spec["data"]) and sum(m["kind"] == "base" for m in kinds) >= 16  # the shapes
    assert view >= 2 and visible == always + view  # the default view's arcs and dots, nothing else
    # every visible trace drawn as an SVG trace group (scatter traces)
    assert len(re.findall(r'class="trace scatter', dom)) == visible
    assert "SYNTHETIC" in dom and "上海" in dom and "firms moved per year" in dom
    Path("/tmp/yrd_screens").mkdir(parents=True, exist_ok=True)
    shot = screenshot(page, Path("/tmp/yrd_screens/flow_map.png"))
    assert shot.stat().st_size > 20_000
    # the controls: a copy whose extra script presses "into Shanghai" once the map is drawn
    press = (
        "<script>var t=setInterval(function(){var gd=document.getElementById('yrd-flow-map');"
        "if(!gd.getAttribute('data-traces'))return;clearInterval(t);"
        "gd.emit('plotly_buttonclicked',{button:{args:['direction','in']}});},50);</script></body>"
    )
    copy = Path(tmp_path) / "flow_map_in.html"
    copy.write_text(html.replace("</body>", press), encoding="utf-8")
    dom = dump_dom(copy)
    assert re.search(r'data-view="in\|window\|total"', dom)
    view_in = sum(
        m.get("direction") == "in" and m.get("period") == "window" and m.get("group") == "total" for m in kinds
    )
    visible = int(re.search(r'data-visible-traces="(\d+)"', dom).group(1))
    assert visible == always + view_in == len(re.findall(r'class="trace scatter', dom))
    screenshot(copy, Path("/tmp/yrd_screens/flow_map_in.png"))
