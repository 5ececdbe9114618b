"""Interactive flow map of Shanghai's relocations: one self-contained HTML page (Plotly, with
plotly.js inline, no tile server and no network) with the prefectures as shapes and the flows out
of and into the focus (flows.focus) by relocation class and by period (the paper's window
claims.c2.window against the other years, as :mod:`yrd.figures.flow_map`), in firms moved per
year. Hovering a destination (or origin) shows the observed moves (flows/od.parquet), the PPML
fitted flow of the same cells (flows/gravity_fitted.parquet, Santos Silva and Tenreyro 2006,
"The log of gravity", *Review of Economics and Statistics* 88(4)) and, for outflows, the
counterfactual shifts of the share of the focus's outflow to the scenario targets that contain
the prefecture (flows/scenarios.parquet).

Flow classes and styles are those of the static map (:func:`~yrd.figures.flow_selection.flow_breaks`,
:func:`~yrd.figures.flow_selection.class_styles`; Jenny et al. 2017), pooled over every view so
one legend holds; every flow with at least one move is drawn (hover, not labels, names them).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from yrd.figures.common import CLASS_LABELS
from yrd.figures.flow_page import CJK_FACE
from yrd.figures.flow_selection import class_of, class_styles, flow_breaks, fmt_flow, year_span_label

#: Order of the relocation classes in the class menu (``total`` first: the default view).
CLASS_ORDER = ("total", "labour", "capital", "technology", "port", "urban")
DIRECTIONS = {"out": ("迁出", "out of Shanghai"), "in": ("迁入", "into Shanghai")}
PERIODS = {"window": ("论文时段", "the paper's window"), "other": ("其余年份", "other years")}
FLOW_COLUMNS = ["direction", "period", "group", "partner", "moves", "n_years", "per_year", "fitted", "fitted_per_year"]
LAND, FOCUS_FILL = "#ececec", "#9e9e9e"
#: Page geometry (pixels from the top of the figure): the SYNTHETIC badge, title, menus and
#: the view's summary above the map.
HEIGHT, TOP, BOTTOM = 860, 175, 80
BADGE_PX, TITLE_PX, MENU_PX, SUMMARY_PX = 18, 52, 100, 150


def _paper_y(px: float) -> float:
    """Paper y of a point ``px`` pixels below the top of the figure (above the plot: > 1)."""
    return 1 + (TOP - px) / (HEIGHT - TOP - BOTTOM)


def _bi(zh: str, en: str) -> str:
    return f"{zh} {en}"


def flow_table(
    od: pd.DataFrame, fitted: pd.DataFrame | None, focus: str, periods: Mapping[str, Sequence[int]]
) -> pd.DataFrame:
    """Moves between ``focus`` and every other prefecture, one row per direction (``out``:
    focus -> partner, ``in``: partner -> focus), period (name -> years, e.g. ``window`` and
    ``other`` of :func:`~yrd.figures.flow_selection.window_years`), class (``group`` of
    flows/od.parquet, prefecture level) and partner with at least one move: ``moves`` summed over
    the period's years, ``per_year = moves / n_years``, ``fitted`` the PPML fitted flow summed
    over the same cells (``total``: the sum of the class fits, gravity_fitted has one model per
    class; NaN where no cell was fitted) and ``fitted_per_year``."""
    focus = str(focus)
    # one selection: the prefecture rows with the focus at one end (the panel has ~11 M rows)
    keep = (od["origin"].astype(str) == focus) != (od["dest"].astype(str) == focus)
    if "level" in od.columns:
        keep &= od["level"] == "prefecture"
    d = od[keep.to_numpy(dtype=bool)]
    d = d.assign(origin=d["origin"].astype(str), dest=d["dest"].astype(str))
    fit = None
    if fitted is not None and len(fitted):
        f = fitted.assign(origin=fitted["origin"].astype(str), dest=fitted["dest"].astype(str))
        f = f[(f["origin"] == focus) != (f["dest"] == focus)]
        tot = f.groupby(["year", "origin", "dest"], as_index=False)["fitted"].sum(min_count=1).assign(group="total")
        fit = pd.concat([f[["year", "origin", "dest", "group", "fitted"]], tot], ignore_index=True)
    rows = []
    for period, years in periods.items():
        ys = [int(y) for y in years]
        if not ys:
            continue
        for direction, own, other in (("out", "origin", "dest"), ("in", "dest", "origin")):
            m = d[(d[own] == focus) & d["year"].isin(ys)]
            g = m.groupby(["group", m[other].rename("partner")])["moves"].sum().rename("moves").reset_index()
            if fit is not None:
                fm = fit[(fit[own] == focus) & fit["year"].isin(ys)]
                fg = fm.groupby(["group", fm[other].rename("partner")])["fitted"].sum(min_count=1).reset_index()
                g = g.merge(fg, on=["group", "partner"], how="left")
            else:
                g["fitted"] = np.nan
            g = g[g["moves"] > 0]
            rows.append(g.assign(direction=direction, period=period, n_years=len(ys)))
    if not rows:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    out = pd.concat(rows, ignore_index=True)
    out["moves"] = out["moves"].astype(float)
    out["per_year"] = out["moves"] / out["n_years"]
    out["fitted_per_year"] = out["fitted"] / out["n_years"]
    return out[FLOW_COLUMNS].sort_values(["direction", "period", "group", "per_year", "partner"], ignore_index=True)


def scenario_notes(scenarios: pd.DataFrame, targets: Mapping[str, Sequence[str]]) -> dict[tuple[str, str], list[str]]:
    """Hover lines on the scenarios (flows/scenarios.parquet, rows of window ``post``) by
    (class, prefecture): for each scenario and each target (``targets``: name -> member
    prefecture codes, :func:`yrd.flows.scenarios.resolve_targets`) that contains the prefecture,
    the focus's outflow share to the target in the baseline and the scenario and the shift in
    percentage points, or why it was not estimable."""
    out: dict[tuple[str, str], list[str]] = {}
    if scenarios is None or not len(scenarios):
        return out
    s = scenarios[scenarios["window"] == "post"]
    for r in s.itertuples():
        span = f"{r.start_year}-{r.end_year}"
        if r.status == "estimated" and np.isfinite(r.baseline_share) and np.isfinite(r.scenario_share):
            text = (
                f"{r.scenario} ({span}): share to {r.target} {r.baseline_share:.1%} → {r.scenario_share:.1%} "
                f"({100 * r.shift:+.1f} pp)"
            )
        elif r.status == "estimated":
            text = f"{r.scenario} ({span}): no outflow to share"
        else:
            text = f"{r.scenario}: not estimable ({r.reason})"
        for code in targets.get(str(r.target), []):
            out.setdefault((str(r.group), str(code)), []).append(text)
    return out


def simplified_shapes(
    prefectures: gpd.GeoDataFrame, codes: Sequence[str], tolerance_km: float, digits: int = 1
) -> gpd.GeoDataFrame:
    """The prefectures ``codes`` (``prefectures`` in any CRS) in the Albers equal-area projection
    of the static maps (:data:`yrd.boundaries.ALBERS_CHINA`, coordinates in km), simplified with
    Douglas-Peucker (``tolerance_km``, topology preserved) and rounded to ``digits`` decimals,
    with ``code``, ``name_zh`` and ``name_pinyin``."""
    import shapely

    from yrd.boundaries import ALBERS_CHINA

    g = prefectures[prefectures["code"].astype(str).isin([str(c) for c in codes])].to_crs(ALBERS_CHINA)
    geom = shapely.transform(g.geometry.values, lambda xy: xy / 1000.0)
    geom = shapely.simplify(geom, tolerance_km, preserve_topology=True)
    geom = shapely.set_precision(geom, 10.0**-digits)
    return gpd.GeoDataFrame(
        {"code": g["code"].astype(str).values, "name_zh": g["name_zh"].values, "name_pinyin": g["name_pinyin"].values},
        geometry=geom,
    )


def simplified_geojson(
    prefectures: gpd.GeoDataFrame, codes: Sequence[str], tolerance_km: float, digits: int = 1
) -> dict:
    """GeoJSON FeatureCollection of :func:`simplified_shapes`, each feature with
    ``properties.code``, ``name_zh`` and ``name_pinyin``."""
    layer = simplified_shapes(prefectures, codes, tolerance_km, digits)
    return json.loads(layer.to_json(drop_id=True))


def feature_path(feature: Mapping) -> tuple[list, list]:
    """x and y of every ring of a GeoJSON (Multi)Polygon feature, rings separated by None (for a
    Plotly scatter filled ``toself``)."""
    geom = feature["geometry"]
    polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
    xs: list = []
    ys: list = []
    for poly in polys:
        for ring in poly:
            xs += [c[0] for c in ring] + [None]
            ys += [c[1] for c in ring] + [None]
    return xs[:-1], ys[:-1]


def geometry_path(geom) -> tuple[list, list]:
    """:func:`feature_path` of a shapely (Multi)Polygon, read from the geometry itself: the same
    rings in the same order (each polygon's exterior, then its holes) and the same floats, without
    writing the shapes to GeoJSON text and parsing it back (0.4 s for China's prefectures)."""
    import shapely

    xs: list = []
    ys: list = []
    for ring in shapely.get_rings(shapely.get_parts(geom)):
        xy = shapely.get_coordinates(ring)
        xs += [*xy[:, 0].tolist(), None]
        ys += [*xy[:, 1].tolist(), None]
    return xs[:-1], ys[:-1]


def _arc(p0: tuple[float, float], p1: tuple[float, float], rad: float = 0.18, n: int = 16) -> tuple[list, list]:
    """Quadratic Bezier from ``p0`` to ``p1`` (x, y in km) bent by ``rad`` of its length to the
    left, as matplotlib's ``arc3``."""
    (x0, y0), (x1, y1) = p0, p1
    cx, cy = (x0 + x1) / 2 - rad * (y1 - y0), (y0 + y1) / 2 + rad * (x1 - x0)
    t = np.linspace(0.0, 1.0, n)
    xs = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
    ys = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
    return [round(float(v), 2) for v in xs], [round(float(v), 2) for v in ys]


def _hex(colour: Sequence[float]) -> str:
    return "#" + "".join(f"{int(round(255 * c)):02x}" for c in colour[:3])


def _scatter(**props) -> dict:
    """A Plotly scatter trace as a dict, for ``fig.add_trace``: Plotly validates it once there
    (a ``go.Scatter`` passed to ``add_trace`` is validated twice, its point lists included: 0.5 s
    for the ~500 traces of the national page); the figure is the same."""
    return {"type": "scatter", **props}


def _hover(r, names: Mapping[str, str], notes: Mapping[tuple[str, str], list[str]]) -> str:
    fit = "–" if not np.isfinite(r.fitted) else f"{r.fitted:,.2f} ({r.fitted_per_year:,.2f} per year)"
    arrow = "Shanghai → " if r.direction == "out" else "→ Shanghai from "
    lines = [
        f"<b>{names.get(r.partner, r.partner)}</b> ({r.partner})",
        f"{arrow}{names.get(r.partner, r.partner)}",
        f"observed 观测: {r.moves:,.0f} moves in {r.n_years} years = <b>{r.per_year:,.2f} firms per year</b>",
        f"PPML fitted 拟合: {fit}",
    ]
    if r.direction == "out":
        extra = notes.get((r.group, r.partner), [])
        lines += (
            ["scenarios 情景 (outflow share):", *extra] if extra else ["scenarios: prefecture in no scenario target"]
        )
    return "<br>".join(lines)


def flow_map_page(
    prefectures: gpd.GeoDataFrame,
    flows: pd.DataFrame,
    notes: Mapping[tuple[str, str], list[str]],
    periods: Mapping[str, Sequence[int]],
    *,
    focus: str,
    members: Sequence[str],
    scheme: str,
    k: int,
    min_width: float,
    max_width: float,
    cmap: str,
    tolerance_km: float,
    synthetic: bool,
    source: str,
    outside: pd.DataFrame | None = None,
):
    """The Plotly figure: one shape layer of the ``members`` prefectures and the focus
    (:func:`simplified_shapes`), and for each view (direction, period, class) the flows of
    ``flows`` (:func:`flow_table`) as arcs, one trace per flow class, and one marker trace at
    the partners carrying the hover text and ``customdata`` (partner, moves, per year, fitted,
    fitted per year). Every trace's ``meta`` names its view; the controls (class, period,
    direction) choose the view (:func:`yrd.figures.flow_page.write_page`). Returns the figure; its ``layout.meta``
    holds the views' summaries, the default view and the class bounds. ``outside``: the moves
    between the focus and the provinces outside the study area (:func:`flow_table` of
    flows/od_outside.parquet), named in each view's summary (they have no place on the map)."""
    import plotly.graph_objects as go

    from yrd.boundaries import ALBERS_CHINA

    focus = str(focus)
    codes = sorted(set(map(str, members)) | {focus} | set(flows["partner"].astype(str)))
    known = set(prefectures["code"].astype(str))
    codes = [c for c in codes if c in known]
    albers = prefectures.to_crs(ALBERS_CHINA)  # projected once, for the shapes and the flows' ends
    shapes = simplified_shapes(albers, codes, tolerance_km)
    pref = albers.assign(code=albers["code"].astype(str)).set_index("code")
    names = {c: f"{pref.at[c, 'name_zh']} {pref.at[c, 'name_pinyin']}" for c in pref.index}
    pts = pref.geometry.representative_point().map(lambda q: (q.x / 1000.0, q.y / 1000.0))
    breaks = flow_breaks(flows["per_year"].to_numpy(), scheme, k)
    styles = class_styles(breaks, min_width=min_width, max_width=max_width, cmap=cmap)
    lo = [0.0, *breaks[:-1]]
    fig = go.Figure()
    for c, geom in zip(shapes["code"], shapes.geometry, strict=True):
        xs, ys = geometry_path(geom)
        fig.add_trace(
            _scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself",
                fillcolor=FOCUS_FILL if c == focus else LAND,
                line={"color": "white", "width": 0.8},
                hoveron="fills",
                text=f"{names.get(c, c)} ({c})",
                hoverinfo="text",
                name=names.get(c, c),
                showlegend=False,
                meta={"kind": "base", "code": c},
            )
        )
    p0 = pts[focus]
    for c, st in enumerate(styles):
        fig.add_trace(
            _scatter(
                x=[None],
                y=[None],
                mode="lines",
                line={"width": round(st.width * 1.33, 2), "color": _hex(st.colour)},
                name=f"{fmt_flow(lo[c])}–{fmt_flow(breaks[c])}",
                meta={"kind": "legend", "class": c},
            )
        )
    summaries, default = {}, None
    for direction in DIRECTIONS:
        for period in periods:
            if not len(periods[period]):
                continue
            for group in CLASS_ORDER:
                view = {"direction": direction, "period": period, "group": group}
                key = f"{direction}|{period}|{group}"
                default = default or key
                v = flows[(flows["direction"] == direction) & (flows["period"] == period) & (flows["group"] == group)]
                v = v[v["partner"].isin(pts.index)]
                n_years = len(periods[period])
                summaries[key] = (
                    f"{_bi(*DIRECTIONS[direction])} · {_bi(*CLASS_LABELS.get(group, (group, group)))} · "
                    f"{year_span_label(periods[period])}: {v['moves'].sum():,.0f} moves in {n_years} years = "
                    f"{v['moves'].sum() / n_years:,.1f} firms per year, {len(v)} prefectures"
                    + _beyond(outside, direction, period, group)
                )
                cls = class_of(v["per_year"].to_numpy(), breaks) if len(v) else np.array([], dtype=int)
                for c, st in enumerate(styles):
                    sub = v[cls == c]
                    xs, ys = [], []
                    for partner in sub["partner"]:
                        p1 = pts[partner]
                        ax, ay = _arc(p0, p1) if direction == "out" else _arc(p1, p0)
                        xs += [*ax, None]
                        ys += [*ay, None]
                    if not xs:
                        continue
                    fig.add_trace(
                        _scatter(
                            x=xs,
                            y=ys,
                            mode="lines",
                            line={"width": round(st.width * 1.33, 2), "color": _hex(st.colour)},
                            opacity=round(st.alpha, 2),
                            hoverinfo="skip",
                            name=f"{fmt_flow(lo[c])}–{fmt_flow(breaks[c])}",
                            showlegend=False,
                            visible=key == default,
                            meta={**view, "kind": "arcs", "class": c},
                        )
                    )
                if len(v):
                    fig.add_trace(
                        _scatter(
                            x=[round(pts[p][0], 2) for p in v["partner"]],
                            y=[round(pts[p][1], 2) for p in v["partner"]],
                            mode="markers",
                            marker={"size": 8, "color": [_hex(styles[c].colour) for c in cls], "line": {"width": 0.6}},
                            customdata=v[["partner", "moves", "per_year", "fitted", "fitted_per_year"]]
                            .astype(object)
                            .where(v[["partner", "moves", "per_year", "fitted", "fitted_per_year"]].notna(), None)
                            .values.tolist(),
                            text=[_hover(r, names, notes) for r in v.itertuples()],
                            hovertemplate="%{text}<extra></extra>",
                            name="prefectures with moves",
                            showlegend=False,
                            visible=key == default,
                            meta={**view, "kind": "partners"},
                        )
                    )
    fig.add_trace(
        _scatter(
            x=[p0[0]],
            y=[p0[1]],
            mode="markers",
            marker={"symbol": "square", "size": 11, "color": "black"},
            text=[names.get(focus, focus)],
            hovertemplate="%{text} (focus)<extra></extra>",
            name="Shanghai 上海",
            showlegend=False,
            meta={"kind": "focus"},
        )
    )
    title = "上海企业迁移流向图 Firms relocating out of and into Shanghai (firms moved per year)"
    if synthetic:
        title = "SYNTHETIC 合成数据 · " + title
    fig.update_layout(
        title={
            "text": f"<b>{title}</b>",
            "x": 0.01,
            "xanchor": "left",
            "y": 1 - TITLE_PX / HEIGHT,
            "yanchor": "middle",
            "font": {"size": 18},
        },
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x", "scaleratio": 1},
        plot_bgcolor="white",
        hovermode="closest",
        showlegend=True,
        margin={"l": 10, "r": 10, "t": TOP, "b": BOTTOM},
        height=HEIGHT,
        legend={"title": {"text": "firms moved per year 每年迁移企业数"}, "x": 1.0, "xanchor": "right", "y": 0.02},
        font={"family": f"Open Sans, Arial, {CJK_FACE}, Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
        meta={"summaries": summaries, "default": default, "breaks": breaks},
    )
    _controls(fig, periods, default)
    fig.add_annotation(
        text=summaries.get(default, "no moves"),
        x=0.0,
        y=_paper_y(SUMMARY_PX),
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="middle",
        showarrow=False,
        font={"size": 13},
        name="summary",
    )
    fig.add_annotation(
        text="<br>".join(textwrap.wrap(source, 190)),
        x=0.0,
        y=-0.02,
        xref="paper",
        yref="paper",
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 10, "color": "#555555"},
        align="left",
    )
    if synthetic:
        fig.add_annotation(
            text="<b>SYNTHETIC</b> firm data – not real results 合成数据，非真实结果",
            x=0.0,
            y=_paper_y(BADGE_PX),
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="middle",
            showarrow=False,
            font={"size": 13, "color": "white"},
            bgcolor="#c0392b",
        )
    return fig


def _beyond(outside: pd.DataFrame | None, direction: str, period: str, group: str) -> str:
    """The summary's clause on moves beyond the study area in one view ('' when there are none)."""
    if outside is None or not len(outside):
        return ""
    o = outside[(outside["direction"] == direction) & (outside["period"] == period) & (outside["group"] == group)]
    if not len(o) or o["moves"].sum() == 0:
        return ""
    from yrd.study_area import PROVINCE_NAMES

    o = o.sort_values("moves", ascending=False)
    each = ", ".join(
        f"{PROVINCE_NAMES.get(str(c)[:2], (c, c))[0]} {m:,.0f}" for c, m in zip(o["partner"], o["moves"], strict=True)
    )
    return f"; beyond the study area 研究区外 (not on the map): {o['moves'].sum():,.0f} moves ({each})"


def _controls(fig, periods: Mapping[str, Sequence[int]], default: str | None) -> None:
    """The three menus: class (dropdown), period and direction (buttons). Their buttons use
    method ``skip`` with ``args = [key, value]``; the page's script combines them."""
    d_dir, d_per, d_grp = (default or "out|window|total").split("|")

    def menu(key, items, active, x, kind):
        return {
            "type": kind,
            "direction": "down" if kind == "dropdown" else "right",
            "active": active,
            "x": x,
            "y": _paper_y(MENU_PX),
            "xanchor": "left",
            "yanchor": "middle",
            "showactive": True,
            "buttons": [{"label": label, "method": "skip", "args": [key, value]} for value, label in items],
        }

    groups = [(g, _bi(*CLASS_LABELS.get(g, (g, g)))) for g in CLASS_ORDER]
    pers = [(p, f"{_bi(*PERIODS.get(p, (p, p)))} {year_span_label(ys)}") for p, ys in periods.items() if len(ys)]
    dirs = [(d, _bi(*lab)) for d, lab in DIRECTIONS.items()]
    fig.update_layout(
        updatemenus=[
            menu("group", groups, CLASS_ORDER.index(d_grp), 0.0, "dropdown"),
            menu("period", pers, [p for p, _ in pers].index(d_per) if pers else 0, 0.22, "buttons"),
            menu("direction", dirs, [d for d, _ in dirs].index(d_dir), 0.72, "buttons"),
        ]
    )
