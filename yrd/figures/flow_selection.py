"""What the flow map of Shanghai's outflows draws (:mod:`yrd.figures.flow_map`): the two year
windows, flows per year, the flows drawn and not drawn, their classes and styles, and the
labelled prefectures.

The design follows the cartographic rules for flow maps (Dent, Torguson and Hodler 2009,
*Cartography: Thematic Map Design*, ch. 13; Jenny et al. 2017, "Design principles for
origin-destination flow maps", *Cartography and Geographic Information Science* 45(1)): flows
are classed (here by a mapclassify scheme), width and lightness grow with the class, and the
large flows are drawn last so that no small flow covers them. Flows below a minimum are not
drawn, and how many and how many moves is stated in the figure, so nothing is hidden silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.figures.maps import class_breaks


def window_years(start: int, end: int, window: Sequence[int]) -> dict[str, list[int]]:
    """The two panels' years: ``window`` (first and last year, e.g. claims.c2.window
    2000-2004) clipped to ``start``-``end``, and ``other``, every other year of ``start``-``end``
    (which may be before and after the window)."""
    years = list(range(int(start), int(end) + 1))
    lo, hi = int(window[0]), int(window[1])
    inside = [y for y in years if lo <= y <= hi]
    return {"window": inside, "other": [y for y in years if not lo <= y <= hi]}


def year_span_label(years: Sequence[int]) -> str:
    """``2000-2004``, or ``1998-1999, 2005-2013`` for years with gaps (runs of consecutive
    years joined by commas); ``-`` when empty."""
    ys = sorted({int(y) for y in years})
    if not ys:
        return "-"
    runs, first, prev = [], ys[0], ys[0]
    for y in ys[1:] + [None]:
        if y is not None and y == prev + 1:
            prev = y
            continue
        runs.append(f"{first}" if first == prev else f"{first}-{prev}")
        if y is not None:
            first = prev = y
    return ", ".join(runs)


def moves_by_destination(od: pd.DataFrame, focus: str, years: Sequence[int]) -> pd.Series:
    """Observed moves out of ``focus`` summed over ``years`` by destination prefecture
    (``od``: results/<run>/flows/od.parquet; prefecture level, group ``total``); the focus
    itself and destinations without moves are left out."""
    keep = (od["group"] == "total") & (od["origin"].astype(str) == str(focus)) & od["year"].isin(list(years))
    if "level" in od.columns:
        keep &= od["level"] == "prefecture"
    d = od[keep.to_numpy(dtype=bool)]
    s = d.groupby(d["dest"].astype(str))["moves"].sum().astype(float)
    s = s[(s.index != str(focus)) & (s > 0)]
    s.name = "moves"
    return s


@dataclass(frozen=True)
class FlowSelection:
    """The flows of one panel. ``drawn``: moves per year by destination, ascending (the order
    of drawing, largest last); ``not_drawn``: moves per year of the flows left out (below the
    minimum or with no point on the map); ``moves`` the panel's total moves by destination
    (counts); ``n_years`` the years the rates are over."""

    drawn: pd.Series
    not_drawn: pd.Series
    moves: pd.Series
    n_years: int
    off_map: tuple[str, ...] = ()

    @property
    def below_minimum(self) -> pd.Series:
        """The flows not drawn because they are below the minimum (rates)."""
        return self.not_drawn[~self.not_drawn.index.isin(list(self.off_map))]

    @property
    def moves_drawn(self) -> float:
        return float(self.moves.reindex(self.drawn.index).sum())

    @property
    def moves_not_drawn(self) -> float:
        return float(self.moves.reindex(self.not_drawn.index).sum())


def select_flows(moves: pd.Series, n_years: int, *, min_per_year: float, on_map: Iterable[str]) -> FlowSelection:
    """Split the flows of a panel (``moves``: total moves by destination over ``n_years``
    years) into drawn and not drawn. The flow drawn is the rate ``moves / n_years`` (firms
    moved per year, so panels of different lengths compare); a flow is drawn when its rate is
    at least ``min_per_year`` and the destination is in ``on_map``. Drawn flows are sorted
    ascending (ties by code) so the largest are drawn last. ``drawn + not_drawn`` covers every
    destination of ``moves``."""
    if n_years <= 0:
        raise ValueError("a panel needs at least one year")
    m = moves[moves > 0].astype(float)
    rate = m / n_years
    mapped = rate.index.isin(list(on_map))
    keep = (rate >= min_per_year) & mapped
    drawn = rate[keep].sort_index(kind="stable").sort_values(kind="stable")
    return FlowSelection(
        drawn=drawn,
        not_drawn=rate[~keep].sort_values(),
        moves=m,
        n_years=int(n_years),
        off_map=tuple(sorted(rate.index[~mapped])),
    )


def flow_breaks(values: Sequence[float], scheme: str, k: int) -> list[float]:
    """Upper bounds of the flow classes (mapclassify ``scheme`` with ``k`` classes, via
    :func:`yrd.figures.maps.class_breaks`) of the drawn flows of all panels pooled, so one
    legend holds for both panels; the last bound is the largest flow. Repeated bounds (few
    distinct flows) are merged."""
    v = [float(x) for x in values if np.isfinite(x)]
    if not v:
        return []
    b = class_breaks(v, scheme, k)
    out: list[float] = []
    for x in b:
        if not out or x > out[-1]:
            out.append(x)
    if out[-1] < max(v):
        out.append(max(v))
    return out


def class_of(values: Sequence[float] | pd.Series, breaks: Sequence[float]) -> np.ndarray:
    """Class index (0 = smallest) of each value: the first class whose upper bound is at least
    the value (values above the last bound go to the last class)."""
    idx = np.searchsorted(np.asarray(breaks, dtype=float), np.asarray(values, dtype=float), side="left")
    return np.minimum(idx, len(breaks) - 1)


@dataclass(frozen=True)
class ClassStyle:
    """Line width (points), colour and opacity of a flow class."""

    width: float
    colour: tuple[float, float, float, float]
    alpha: float


def class_styles(breaks: Sequence[float], *, min_width: float, max_width: float, cmap: str) -> list[ClassStyle]:
    """Styles of the classes with upper bounds ``breaks``: with ``t = bound / largest bound``,
    width ``max(min_width, t * max_width)`` (graduated: proportional to the class's upper bound,
    so classes of nearly equal flows look nearly equal), colour at ``0.35 + 0.65 t`` of the
    sequential colormap ``cmap`` (light to dark) and opacity ``0.55 + 0.4 t``: large flows thick
    and dark, small ones thin and light."""
    import matplotlib

    if not len(breaks):
        return []
    cm = matplotlib.colormaps[cmap]
    top = max(float(b) for b in breaks)
    t = [float(b) / top if top > 0 else 1.0 for b in breaks]
    return [
        ClassStyle(
            width=float(max(min_width, x * max_width)),
            colour=tuple(float(c) for c in cm(0.35 + 0.65 * x)),
            alpha=float(0.55 + 0.4 * x),
        )
        for x in t
    ]


def fmt_flow(v: float) -> str:
    """A flow per year in a legend: ``12``, ``3.4``, ``0.27``."""
    return f"{v:.0f}" if v >= 10 else f"{v:.1f}" if v >= 1 else f"{v:.2f}"


def break_labels(breaks: Sequence[float], lowest: float) -> list[str]:
    """Legend labels of the classes: ``lowest-b1``, ``b1-b2``, ... (upper bounds included)."""
    if not len(breaks):
        return []
    lo = [lowest, *breaks[:-1]]
    return [f"{fmt_flow(a)}–{fmt_flow(b)}" for a, b in zip(lo, breaks, strict=True)]


def label_set(panels: Mapping[str, pd.Series], n: int) -> list[str]:
    """Prefectures labelled in every panel: the union of the ``n`` largest flows of each panel
    (ties by code), ordered by their largest flow in any panel, descending, so the most
    important labels are placed first."""
    best: dict[str, float] = {}
    for s in panels.values():
        top = s.sort_index(kind="stable").sort_values(ascending=False, kind="stable").head(n)
        for code, v in top.items():
            best[str(code)] = max(best.get(str(code), 0.0), float(v))
    return sorted(best, key=lambda c: (-best[c], c))


def not_drawn_note(sel: FlowSelection, min_per_year: float) -> str:
    """``5 flows drawn; not drawn: 3 flows (4 moves) below 0.10/year, 1 flow (2 moves) outside
    the map`` (each part only when there is such a flow), ``all 5 flows drawn`` or ``no moves``."""
    if len(sel.not_drawn) == 0:
        return f"all {len(sel.drawn)} flows drawn" if len(sel.drawn) else "no moves"

    def part(s: pd.Series, why: str) -> str:
        n = len(s)
        m = float(sel.moves.reindex(s.index).sum())
        return f"{n} flow{'s' if n != 1 else ''} ({m:,.0f} move{'s' if m != 1 else ''}) {why}"

    below = sel.below_minimum
    off = sel.not_drawn[sel.not_drawn.index.isin(list(sel.off_map))]
    parts = [part(below, f"below {fmt_flow(min_per_year)}/year")] if len(below) else []
    parts += [part(off, "outside the map")] if len(off) else []
    return f"{len(sel.drawn)} flows drawn; not drawn: " + ", ".join(parts)
