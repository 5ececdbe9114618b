"""Flow map of the relocations out of Shanghai: the paper's window (claims.c2.window,
2000-2004) and the other years side by side, in firms moved per year, each with a zoom on the
Shanghai-Suzhou-Jiaxing corridor. What is drawn is decided in :mod:`yrd.figures.flow_selection`
(classes, order, minimum, labels); labels are placed by :mod:`yrd.figures.label_placement`."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd
import shapely

from yrd.figures.common import axes_top, finish
from yrd.figures.flow_selection import (
    ClassStyle,
    FlowSelection,
    break_labels,
    class_of,
    class_styles,
    flow_breaks,
    fmt_flow,
    label_set,
    not_drawn_note,
    select_flows,
    year_span_label,
)
from yrd.figures.label_placement import place_labels
from yrd.figures.maps import _albers, simplified_for_drawing
from yrd.plotting import add_north_arrow, add_scale_bar, bilingual, defer_idle_draws

LAND = "#ececec"
FOCUS_FILL = "#c9c9c9"
SCHEME_NAMES = {
    "fisher_jenks": "Fisher-Jenks",
    "natural_breaks": "natural-breaks",
    "quantiles": "quantile",
    "equal_interval": "equal-interval",
}
PANEL_TITLES = {
    "window": ("论文时段", "the paper's window"),
    "other": ("其余年份", "other years"),
}


def _arc(ax, p0, p1, style: ClassStyle, zorder: float, rad: float = 0.18) -> None:
    """A curved line from p0 to p1 (no arrow head: every flow starts at the focus)."""
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(
        FancyArrowPatch(
            p0,
            p1,
            connectionstyle=f"arc3,rad={rad}",
            arrowstyle="-",
            lw=style.width,
            color=style.colour,
            alpha=style.alpha,
            capstyle="round",
            shrinkA=0,
            shrinkB=0,
            zorder=zorder,
        )
    )


def _extent(layer: gpd.GeoDataFrame, pad: float, aspect: float | None = None) -> tuple[float, float, float, float]:
    """Bounds of ``layer`` padded by ``pad`` (fraction), widened to width/height ``aspect``."""
    x0, y0, x1, y1 = layer.total_bounds
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    x0, x1, y0, y1 = x0 - dx, x1 + dx, y0 - dy, y1 + dy
    if aspect:
        w, h = x1 - x0, y1 - y0
        if w / h < aspect:
            x0, x1 = x0 - (h * aspect - w) / 2, x1 + (h * aspect - w) / 2
        else:
            y0, y1 = y0 - (w / aspect - h) / 2, y1 + (w / aspect - h) / 2
    return x0, y0, x1, y1


def _draw_flows(ax, base, pts, focus: str, sel: FlowSelection, breaks, styles, labelled: Sequence[str]) -> None:
    """Land, the focus, the drawn flows (ascending: largest last and on top), a dot at each
    destination drawn and an open circle at each labelled prefecture without a drawn flow."""
    base.plot(ax=ax, color=LAND, edgecolor="white", linewidth=0.5)
    base[base["code"] == focus].plot(ax=ax, color=FOCUS_FILL, edgecolor="white", linewidth=0.5)
    p0 = pts[focus]
    cls = class_of(sel.drawn.to_numpy(), breaks)
    for z, ((dest, _v), c) in enumerate(zip(sel.drawn.items(), cls, strict=True)):
        _arc(ax, (p0.x, p0.y), (pts[dest].x, pts[dest].y), styles[c], zorder=3 + z * 0.01)
    xs = [pts[d].x for d in sel.drawn.index]
    ys = [pts[d].y for d in sel.drawn.index]
    ax.scatter(xs, ys, s=5, color="#333333", zorder=5, linewidths=0)
    bare = [c for c in labelled if c not in sel.drawn.index and c != focus]
    ax.scatter(
        [pts[c].x for c in bare],
        [pts[c].y for c in bare],
        s=9,
        facecolor="white",
        edgecolor="#555555",
        lw=0.6,
        zorder=5,
    )
    ax.scatter([p0.x], [p0.y], s=22, marker="s", color="black", zorder=6)
    ax.set_axis_off()
    ax.set_aspect("equal")


def flow_map_figure(
    prefectures: gpd.GeoDataFrame,
    moves: Mapping[str, pd.Series],
    years: Mapping[str, Sequence[int]],
    *,
    focus: str,
    members: Sequence[str],
    inset: Sequence[str],
    min_per_year: float,
    scheme: str,
    k: int,
    min_width: float,
    max_width: float,
    cmap: str,
    top_n: int,
    labels: Mapping[str, str],
    cjk: bool,
    synthetic: bool,
    source: str,
    outside: Mapping[str, pd.Series] | None = None,
):
    """Two maps (``moves``: total moves out of ``focus`` by destination for each panel of
    ``years``, e.g. ``window`` and ``other``), drawn as firms moved per year
    (:func:`~yrd.figures.flow_selection.select_flows`), classes by ``scheme`` pooled over the
    panels, small flows first; each map with a zoom on ``focus`` and the ``inset``
    prefectures. The labelled prefectures are the same in both panels
    (:func:`~yrd.figures.flow_selection.label_set`). Returns the figure; its ``flow_selection``
    attribute holds the selections by panel (for the log). ``outside``: per panel, the moves out
    of ``focus`` to provinces outside the study area (:func:`yrd.study_area.outside_flows`), named
    in the note below the maps (they have no place on the map)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patheffects import withStroke

    focus = str(focus)
    base = _albers(prefectures, set(members) | {focus}).reset_index(drop=True)
    base["code"] = base["code"].astype(str)
    pts = base.set_index("code").geometry.representative_point()
    sels = {
        name: select_flows(moves[name], len(years[name]), min_per_year=min_per_year, on_map=set(pts.index) - {focus})
        for name in years
        if len(years[name])
    }
    breaks = flow_breaks(pd.concat([s.drawn for s in sels.values()]).to_numpy(), scheme, k)
    styles = class_styles(breaks, min_width=min_width, max_width=max_width, cmap=cmap)
    lab = label_set({n: s.drawn for n, s in sels.items()}, top_n)
    zoom_layer = base[base["code"].isin([focus, *map(str, inset)])]
    zx0, zy0, zx1, zy1 = _extent(zoom_layer, 0.04, aspect=1.0)

    def in_zoom(c: str) -> bool:
        return zx0 <= pts[c].x <= zx1 and zy0 <= pts[c].y <= zy1

    # polygons drawn at the detail each panel can show (half a pixel): the whole map simplified
    # to its extent, the zoom only the prefectures it shows, simplified to the zoom's extent (a
    # national map drew 342 full-detail polygons four times; flow points stay those of ``base``)
    box = gpd.GeoDataFrame(geometry=[shapely.box(zx0, zy0, zx1, zy1)], crs=base.crs)
    layers = {"map": simplified_for_drawing(base)}
    layers["zoom"] = simplified_for_drawing(base[base.intersects(box.geometry.iloc[0])], extent=box)

    fig = defer_idle_draws(plt.figure(figsize=(7.4, 10.0)))
    sub = textwrap.fill(
        "Curves from Shanghai (■) to each destination prefecture; width and shade by class of firms moved "
        "per year (one scale for both panels). Small flows are drawn first, large flows last (on top); "
        f"flows below {fmt_flow(min_per_year)} per year are not drawn (counted in the note below).",
        96,
    )
    title = bilingual("上海企业迁出流向图", "Firms relocating out of Shanghai: flows per year", cjk)
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    W, H = fig.get_size_inches()
    top_in = axes_top(fig, synthetic=synthetic, subtitle=sub) * H + 0.05
    bottom_in, title_in = 1.35, 0.42
    row_in = (top_in - bottom_in - len(sels) * title_in) / max(1, len(sels))
    halo = [withStroke(linewidth=2.2, foreground="white")]
    notes = []
    for j, (name, sel) in enumerate(sels.items()):
        y_title = top_in - j * (title_in + row_in)
        y_row = y_title - title_in - row_in
        ax = fig.add_axes((0.01, y_row / H, 0.52, row_in / H))
        side = min(0.43 * W, 0.92 * row_in)
        zax = fig.add_axes((0.55, (y_row + (row_in - side) / 2) / H, side / W, side / H))
        for a, layer in ((ax, layers["map"]), (zax, layers["zoom"])):
            _draw_flows(a, layer, pts, focus, sel, breaks, styles, lab)
        x0, y0, x1, y1 = _extent(base, 0.02)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_anchor("E")
        zax.set_xlim(zx0, zx1)
        zax.set_ylim(zy0, zy1)
        zax.set_axis_on()
        zax.set_xticks([])
        zax.set_yticks([])
        zax.set_xlabel("")
        zax.set_ylabel("")
        for sp in zax.spines.values():
            sp.set_edgecolor("#555555")
            sp.set_linewidth(0.8)
        ax.indicate_inset_zoom(zax, edgecolor="#555555", alpha=0.8, linewidth=0.7)
        zh, en = PANEL_TITLES.get(name, (name, name))
        span = year_span_label(years[name])
        total = float(sel.moves.sum())
        fig.text(
            0.02,
            (y_title - 0.05) / H,
            f"{'ab'[j] if j < 2 else j + 1}. {bilingual(zh, en, cjk)}: {span}\n"
            f"{total:,.0f} moves in {sel.n_years} year{'s' if sel.n_years != 1 else ''} = {total / sel.n_years:,.1f} firms per year",
            ha="left",
            va="top",
            fontsize=9.5,
        )
        zax.set_title(bilingual("沪苏嘉走廊（放大）", "Shanghai-Suzhou-Jiaxing corridor (zoom)", cjk), fontsize=8)
        fig.draw_without_rendering()  # places the texts (for the labels) without rasterising
        main_pts = {c: (pts[c].x, pts[c].y) for c in lab if not in_zoom(c)}
        zoom_pts = {c: (pts[c].x, pts[c].y) for c in [focus, *lab] if in_zoom(c)}
        dots = [(pts[c].x, pts[c].y) for c in sel.drawn.index if c not in lab]
        place_labels(
            ax,
            main_pts,
            labels,
            fontsize=8,
            avoid=dots,
            avoid_boxes=[(zx0, zy0, zx1, zy1)],
            zorder=8,
            path_effects=halo,
        )
        place_labels(zax, zoom_pts, labels, fontsize=8, avoid=dots, zorder=8, path_effects=halo)
        notes.append(f"{'ab'[j] if j < 2 else j + 1}. {span}: {not_drawn_note(sel, min_per_year)}.")
        beyond = (outside or {}).get(name)
        if beyond is not None and float(beyond.sum()) > 0:
            from yrd.study_area import node_label

            each = ", ".join(
                f"{node_label(c)[1].split(' (')[0]} {v:,.0f}" for c, v in beyond.sort_values().iloc[::-1].items()
            )
            notes.append(
                f"   Beyond the study area (not on the map): {beyond.sum():,.0f} moves = "
                f"{beyond.sum() / sel.n_years:,.1f} firms per year ({each})."
            )
    if sels:
        add_scale_bar(fig.axes[0], 200, loc=(0.55, 0.03))
        add_north_arrow(fig.axes[0], xy=(0.1, 0.3))
    handles = [
        Line2D([], [], color=st.colour, alpha=st.alpha, lw=st.width, solid_capstyle="round", label=t)
        for st, t in zip(styles, break_labels(breaks, min_per_year), strict=True)
    ]
    unit = bilingual("每年迁出企业数", "firms moved per year", cjk)
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=max(1, len(handles)),
        fontsize=8,
        frameon=False,
        title=f"{unit} ({SCHEME_NAMES.get(scheme, scheme)} classes, upper bound included)",
        title_fontsize=8,
        bbox_to_anchor=(0.5, 0.88 / H),
        handlelength=2.6,
        columnspacing=1.2,
    )
    note = [f"Labelled (both panels): the union of the {top_n} largest flows of each panel; ○ no flow drawn."]
    note += [textwrap.fill(n, 120) for n in notes]
    fig.text(0.02, 0.82 / H, "\n".join(note), ha="left", va="top", fontsize=7, color="#333333")
    fig.flow_selection = sels
    fig.flow_breaks = breaks
    fig.flow_styles = styles
    fig.flow_labels = lab
    return fig
