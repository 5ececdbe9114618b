"""Maps on the prefecture polygons: location quotients of Sunan's leading industries (C7) and
the class breaks shared with the flow map (:mod:`yrd.figures.flow_map`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from yrd.boundaries import ALBERS_CHINA
from yrd.figures.common import finish, group_label, place_axes
from yrd.plotting import add_north_arrow, add_scale_bar, bilingual, defer_idle_draws

#: mapclassify schemes usable in figures.lq_maps.scheme.
SCHEMES = ("user_defined", "fisher_jenks", "natural_breaks", "quantiles", "equal_interval")


#: Largest ``n * n * (k - 1)`` (``n`` values, ``k`` classes) for which mapclassify's Fisher-Jenks
#: runs as plain Python (:func:`_mapclassify`): it then takes at most about 0.4 s, less than
#: loading numba and its compiled function (253 values in 5 classes: 0.07 s; 1,238 values: 2.2 s).
PURE_PYTHON_MAX_WORK = 1_000_000


def _mapclassify(jit: bool):
    """The ``mapclassify`` module, imported without numba; with ``jit``, its Fisher-Jenks
    function compiled by numba with an on-disk cache.

    mapclassify 2.10 declares its Fisher-Jenks function with an explicit numba signature
    (``@njit("f8[:](f8[:], u2)")``, ``mapclassify/classifiers.py``), so numba compiles it
    eagerly each time the module is imported, whichever classifier is used, and never caches
    it (no ``cache=True``, so ``NUMBA_CACHE_DIR`` does not help): 2-4 s in every map rule.
    Here numba is hidden from the import (``sys.modules["numba"] = None`` makes ``from numba
    import njit`` raise ImportError; numba is an optional dependency of mapclassify), so the
    function stays plain Python. When ``jit``, that same Python function
    (``_fisher_jenks_means.__wrapped__``) is compiled with mapclassify's own signature and
    ``cache=True`` and put back in its module, where ``FisherJenks`` looks it up: the classes
    are mapclassify's, compiled once per environment instead of once per process. A module
    that someone imported with numba before is returned as it is."""
    import sys

    mapclassify = sys.modules.get("mapclassify")
    if mapclassify is None:
        numba = sys.modules.get("numba")
        sys.modules["numba"] = None  # type: ignore[assignment]
        try:
            import mapclassify
        finally:
            if numba is None:
                del sys.modules["numba"]
            else:
                sys.modules["numba"] = numba
    classifiers = mapclassify.classifiers
    fisher_jenks = classifiers._fisher_jenks_means
    if jit and not classifiers.HAS_NUMBA and not hasattr(fisher_jenks, "py_func"):  # not compiled yet
        import numba

        classifiers._fisher_jenks_means = numba.njit("f8[:](f8[:], u2)", cache=True)(fisher_jenks.__wrapped__)
    return mapclassify


def class_breaks(values: Sequence[float], scheme: str, k: int = 5, bins: Sequence[float] | None = None) -> list[float]:
    """Upper bounds of the classes of ``values`` by a mapclassify scheme (the last bound is
    the maximum, so every value falls in a class). ``user_defined`` uses ``bins``.

    Only a Fisher-Jenks classification of more than :data:`PURE_PYTHON_MAX_WORK` compiles
    mapclassify's Fisher-Jenks function with numba (:func:`_mapclassify`)."""
    import warnings

    v = np.asarray([x for x in values if np.isfinite(x)], dtype=float)
    if v.size == 0:
        raise ValueError("no finite value to classify")
    mapclassify = _mapclassify(jit=scheme == "fisher_jenks" and v.size**2 * (k - 1) > PURE_PYTHON_MAX_WORK)
    with warnings.catch_warnings():  # FisherJenks warns that the optional numba is missing
        warnings.filterwarnings("ignore", message="Numba not installed")
        return _breaks(mapclassify, v, scheme, k, bins)


def _breaks(mapclassify, v: np.ndarray, scheme: str, k: int, bins) -> list[float]:
    if scheme == "user_defined":
        if not bins:
            raise ValueError("scheme user_defined needs bins")
        c = mapclassify.UserDefined(v, bins=sorted(float(b) for b in bins))
    elif scheme == "fisher_jenks":
        c = mapclassify.FisherJenks(v, k=min(k, len(np.unique(v))))
    elif scheme == "natural_breaks":
        c = mapclassify.NaturalBreaks(v, k=min(k, len(np.unique(v))))
    elif scheme == "quantiles":
        c = mapclassify.Quantiles(v, k=k)
    elif scheme == "equal_interval":
        c = mapclassify.EqualInterval(v, k=k)
    else:
        raise ValueError(f"unknown scheme {scheme!r}; one of {SCHEMES}")
    return [float(b) for b in c.bins]


def class_labels(breaks: Sequence[float]) -> list[str]:
    """``≤ 0.5``, ``0.5-0.8``, ..., ``> 2`` style labels of the classes."""
    out = []
    lo = None
    for b in breaks:
        out.append(f"≤ {b:.2f}" if lo is None else f"{lo:.2f} – {b:.2f}")
        lo = b
    return out


def _frame(ax, layer: gpd.GeoDataFrame, pad: float = 0.03) -> None:
    """Fix the map extent to the layer's bounds (so scale bars and arrows added later do not
    rescale one panel of a set)."""
    x0, y0, x1, y1 = layer.total_bounds
    dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
    ax.set_xlim(x0 - dx, x1 + dx)
    ax.set_ylim(y0 - dy, y1 + dy)


def _albers(prefectures: gpd.GeoDataFrame, members: Sequence[str]) -> gpd.GeoDataFrame:
    p = prefectures[prefectures["code"].astype(str).isin(list(members))]
    return p.to_crs(ALBERS_CHINA)


#: Share of a map's larger extent to which polygons are simplified before drawing (Douglas-Peucker,
#: shapely ``simplify``): about half a pixel of a 5-inch panel at 150 dpi, so the drawn map is
#: unchanged to the eye while a national map draws a small share of the boundaries' 1.9 million
#: vertices (issue 19: the LQ maps of the national world took 42 s).
DRAW_TOLERANCE = 1 / 1500


def simplified_for_drawing(layer: gpd.GeoDataFrame, extent: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    """``layer`` (projected, metres) with polygons simplified to :data:`DRAW_TOLERANCE` of the
    larger side of ``extent``'s bounds (default the layer's own): for panels that show the
    whole extent, not for zoomed insets."""
    x0, y0, x1, y1 = (layer if extent is None else extent).total_bounds
    tol = max(x1 - x0, y1 - y0) * DRAW_TOLERANCE
    return layer.assign(geometry=layer.geometry.simplify(tol, preserve_topology=True))


def lq_maps_figure(
    prefectures: gpd.GeoDataFrame,
    lq: pd.DataFrame,
    industries: Sequence[str],
    *,
    members: Sequence[str],
    scheme: str,
    k: int,
    bins: Sequence[float] | None,
    cmap: str,
    industry_labels: Mapping[str, str],
    year: int,
    cjk: bool,
    synthetic: bool,
    source: str,
    highlight_group: str = "sunan",
):
    """Small multiples: prefecture location quotients of each of ``industries`` (``lq``:
    region, industry, lq), classes by ``scheme`` computed on all panels together (one legend),
    the ``highlight_group`` outlined."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    base = _albers(prefectures, members)
    n = len(industries)
    ncol = 2 if n > 1 else 1
    nrow = int(np.ceil(n / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(5.2 * ncol, 5.0 * nrow + 0.6), squeeze=False)
    defer_idle_draws(fig)
    vals = lq[lq["industry"].isin(list(industries)) & lq["region"].isin(list(members))]["lq"].to_numpy(dtype=float)
    breaks = class_breaks(vals, scheme, k, bins)
    if breaks[-1] < np.nanmax(vals):
        breaks.append(float(np.nanmax(vals)))
    colours = plt.get_cmap(cmap)(np.linspace(0.05, 0.95, len(breaks)))
    cm = ListedColormap(colours)
    edges = [min(0.0, float(np.nanmin(vals)))] + breaks
    norm = BoundaryNorm(edges, cm.N)
    hl = base[base["group"] == highlight_group]
    # dissolved before simplifying, so shared edges inside the group leave no line
    outline = simplified_for_drawing(hl.dissolve(), base) if len(hl) else None
    base = simplified_for_drawing(base)
    for ax, ind in zip(axes.ravel(), industries, strict=False):
        ax.set_anchor("N")
        v = lq[lq["industry"] == ind].set_index("region")["lq"]
        g = base.assign(lq=base["code"].astype(str).map(v))
        if g["lq"].isna().any():
            g[g["lq"].isna()].plot(ax=ax, color="#eeeeee", edgecolor="white", linewidth=0.4)
        g[g["lq"].notna()].plot(ax=ax, column="lq", cmap=cm, norm=norm, edgecolor="white", linewidth=0.4)
        if outline is not None:
            outline.boundary.plot(ax=ax, color="black", linewidth=1.3)
        ax.set_title(industry_labels.get(ind, ind), fontsize=9.5)
        _frame(ax, base)
        ax.set_axis_off()
        ax.set_aspect("equal")
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    add_scale_bar(axes.ravel()[0], 200)
    add_north_arrow(axes.ravel()[0])
    handles = [Patch(facecolor=colours[i], label=lab) for i, lab in enumerate(class_labels(breaks))]
    handles.append(Patch(facecolor="white", edgecolor="black", label=group_label(highlight_group, cjk)))
    _legend_below(fig, handles, bilingual("区位熵", "location quotient", cjk) + f" ({scheme.replace('_', ' ')})", 0.035)
    title = bilingual(
        f"苏南主导产业的区位熵（{year}年）", f"Location quotients of Sunan's leading industries, {year}", cjk
    )
    sub = "LQ of each prefecture against the study area (employment); leading: LQ > 1 in Sunan, largest LQ x size (claim C7)"
    finish(fig, title=title, subtitle=sub, source=source, synthetic=synthetic, cjk=cjk, tight=False)
    return place_axes(
        fig, synthetic=synthetic, subtitle=sub, gap=0.02, left=0.01, right=0.99, bottom=0.12, wspace=0.02, hspace=0.08
    )


def _legend_below(fig, handles: list, title: str, y: float) -> None:
    """The legend of a map figure: ``handles`` in one row centred at height ``y`` (figure
    fraction), below the maps."""
    fig.legend(
        handles=handles,
        loc="lower center",
        ncol=len(handles),
        fontsize=7.5,
        frameon=False,
        title=title,
        title_fontsize=8,
        bbox_to_anchor=(0.5, y),
    )
