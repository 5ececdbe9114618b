"""Map labels that do not collide: a greedy candidate-position placement.

Each label is tried, in order of importance, at the classic cartographic candidate positions
around its point (Imhof 1975, "Positioning names on maps", *The American Cartographer* 2(2);
Christensen, Marks and Shieber 1995, "An empirical study of algorithms for point-feature label
placement", *ACM Transactions on Graphics* 14(3), the greedy method): upper right first, then
right, lower right, upper left, left, lower left, above, below, at one and then twice the
offset. The first position whose box overlaps no label placed before, no labelled point and
lies inside the frame is taken; when none is free, the one with the least overlap. A margin
is kept around the other points so that a label sits nearer its own point. Boxes are in
display units (pixels), so the result holds at the size the figure is saved.

No dependency beyond Matplotlib (adjustText would do similar work; it is not in the pinned
environment).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

#: Candidate directions (dx, dy in units of the offset; the label box is anchored at the corner
#: or side facing the point), in order of preference.
CANDIDATES: tuple[tuple[float, float], ...] = (
    (1, 1),
    (1, 0),
    (1, -1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
    (0, 1),
    (0, -1),
)

Box = tuple[float, float, float, float]


def _box(x: float, y: float, w: float, h: float, dx: float, dy: float, off: float) -> Box:
    """The box of a ``w`` x ``h`` label put in direction (dx, dy) at distance ``off`` from the
    point (x, y)."""
    cx = x + dx * off + dx * w / 2
    cy = y + dy * off + dy * h / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def overlap(a: Box, b: Box) -> float:
    """Area of the intersection of two boxes (x0, y0, x1, y1)."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0.0


def _outside(b: Box, frame: Box | None) -> float:
    if frame is None:
        return 0.0
    inside = overlap(b, frame)
    return (b[2] - b[0]) * (b[3] - b[1]) - inside


def place(
    points: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    *,
    offset: float,
    frame: Box | None = None,
    obstacles: Sequence[Box] = (),
    point_radius: float = 2.0,
    clearance: float | None = None,
) -> list[Box]:
    """Boxes of labels of ``sizes`` (w, h) at ``points`` (x, y), placed greedily in the given
    order (most important first) at the :data:`CANDIDATES` positions (``offset`` and
    ``2 * offset`` from the point). A box is free when it overlaps no box placed before, no
    point (a square of ``point_radius``), no box of ``obstacles`` and lies inside ``frame``;
    the first free candidate is taken, else the one of least overlap (first in order on ties).
    ``clearance`` (default ``point_radius``): the half-size of the square kept free around the
    *other* labelled points, so that a label is not nearer to another point than to its own."""
    c = point_radius if clearance is None else clearance
    pts = [(x - c, y - c, x + c, y + c) for x, y in points]
    placed: list[Box] = []
    for i, ((x, y), (w, h)) in enumerate(zip(points, sizes, strict=True)):
        others = [b for j, b in enumerate(pts) if j != i]
        own = (x - point_radius, y - point_radius, x + point_radius, y + point_radius)
        best, best_cost = None, float("inf")
        for k in (1.0, 2.0):
            for dx, dy in CANDIDATES:
                b = _box(x, y, w, h, dx, dy, offset * k)
                cost = sum(overlap(b, o) for o in (*placed, own, *others, *obstacles)) + _outside(b, frame)
                if cost < best_cost:
                    best, best_cost = b, cost
                if cost == 0:
                    break
            if best_cost == 0:
                break
        placed.append(best)
    return placed


def place_labels(
    ax,
    points: Mapping[str, tuple[float, float]],
    texts: Mapping[str, str],
    *,
    fontsize: float = 7.5,
    offset_pt: float = 3.0,
    avoid: Sequence[tuple[float, float]] = (),
    clearance: float = 4.0,
    avoid_boxes: Sequence[Box] = (),
    **text_kw,
) -> dict:
    """Write ``texts[code]`` next to ``points[code]`` (data coordinates of ``ax``) without
    collisions (:func:`place`, in the order of ``points``), each label inside the axes and off
    the unlabelled points ``avoid`` (e.g. the other destinations' dots), with ``clearance``
    offsets kept free around every point but a label's own, and off the boxes ``avoid_boxes``
    (x0, y0, x1, y1 in data coordinates, e.g. the area of a zoom). Returns the Text
    artists by code. Call after the axes' limits and the figure's layout are fixed."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    codes = [c for c in points if c in texts]
    disp = [tuple(ax.transData.transform(points[c])) for c in codes]
    artists, sizes = {}, []
    for c in codes:
        t = ax.text(0, 0, texts[c], fontsize=fontsize, ha="center", va="center", **text_kw)
        bb = t.get_window_extent(renderer)
        sizes.append((bb.width + 2, bb.height))
        artists[c] = t
    frame = tuple(ax.bbox.extents)
    offset = offset_pt * fig.dpi / 72
    r = clearance * offset
    others = [tuple(ax.transData.transform(p)) for p in avoid]
    obstacles = [(x - r, y - r, x + r, y + r) for x, y in others]
    for x0, y0, x1, y1 in avoid_boxes:
        (a, b), (c, d) = ax.transData.transform([(x0, y0), (x1, y1)])
        obstacles.append((min(a, c), min(b, d), max(a, c), max(b, d)))
    boxes = place(disp, sizes, offset=offset, frame=frame, obstacles=obstacles, point_radius=offset, clearance=r)
    inv = ax.transData.inverted()
    for c, b in zip(codes, boxes, strict=True):
        artists[c].set_position(tuple(inv.transform(((b[0] + b[2]) / 2, (b[1] + b[3]) / 2))))
    return artists
