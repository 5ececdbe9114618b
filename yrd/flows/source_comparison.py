"""How the three sources of prefecture-crossing events agree: counts by cell against the truth.

:func:`comparison_table` counts, for each source (:data:`yrd.flows.sources.SOURCES`), the
events the OD panel counts (:func:`yrd.flows.sources.counted_events`: origin and destination
distinct study prefectures, year in the study period) by cell of each *dimension*:

==============  ===========================================================================
``total``       ``all``
``size``        employment band of the firm (the parent for investments): ``<50``,
                ``50-299``, ``300+`` (edges ``size_bands``), ``unknown`` (no linked firm-year)
``distance``    great-circle km between the prefecture centroids
                (:func:`yrd.flows.pairs.great_circle_pairs`): ``<100 km``, ``100-300 km``,
                ``300+ km`` (edges ``distance_bands_km``)
``class``       relocation class of the industry (``yrd.industry.relocation_class``) or
                ``unclassified`` (missing or unknown industry)
``period``      the C2 window (claims.c2.window, e.g. ``2000-2004``) or ``other years``
``focus_out``   the focus prefecture's (Shanghai, 310100) outflows by the region group of the
                destination: each of ``partners`` (e.g. ``sunan``, ``zhejiang``) and
                ``other``; its shares are the outflow shares of claim C2
==============  ===========================================================================

Columns: ``source``, ``dimension``, ``cell``, ``events``, ``share`` (events / the events of
the dimension; for ``focus_out`` / Shanghai's outflows), and for synthetic runs ``truth`` (the
true events of the cell, counted by the same rules), ``truth_share``, ``coverage`` = events /
truth, ``truth_sample`` (true events of firms in the ASIF sample: ``observable`` relocations;
subsidiaries above the survey threshold) and ``coverage_sample`` = events / truth_sample. The
truth of ``asif`` and ``changes`` is the world's prefecture-crossing relocations
(``truth/moves.parquet``), that of ``investments`` the true subsidiaries in another prefecture
(``registration/truth/investment_events.parquet``): :func:`yrd.flows.sources.truth_relocation_events`,
:func:`~yrd.flows.sources.truth_investment_events`. Coverage is NaN where the truth is 0; the
truth columns are NaN when there is no truth (real data).

A coverage above 1 is possible cell by cell: a registered change is dated in the year of the
registration, not of the move, and a detected ASIF move may be a false one (a firm-code reuse).
Every cell of every dimension is a row, zeros included; rows are in :data:`SOURCES` order, then
dimension and cell order as above.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from yrd.flows.pairs import great_circle_pairs
from yrd.flows.sources import SOURCES, counted_events
from yrd.industry import RELOCATION_CLASSES
from yrd.io import apply_per_code

DIMENSIONS = ("total", "size", "distance", "class", "period", "focus_out")
COMPARISON_COLUMNS = [
    "source",
    "dimension",
    "cell",
    "events",
    "share",
    "truth",
    "truth_share",
    "coverage",
    "truth_sample",
    "coverage_sample",
]
UNKNOWN = "unknown"
UNCLASSIFIED = "unclassified"
OTHER_YEARS = "other years"
OTHER = "other"


def band_labels(edges: Sequence[float], unit: str = "") -> list[str]:
    """Labels of the bands cut at ``edges`` (increasing): ``<50``, ``50-299``, ``300+`` for
    integer counts (``unit`` empty) or ``<100 km``, ``100-300 km``, ``300+ km``."""
    e = [float(x) for x in edges]
    if not e or any(b <= a for a, b in zip(e, e[1:])):
        raise ValueError(f"band edges must be increasing, got {edges}")

    def f(x: float) -> str:
        return f"{x:g}"

    sfx = f" {unit}" if unit else ""
    labels = [f"<{f(e[0])}{sfx}"]
    for a, b in zip(e, e[1:]):
        labels.append(f"{f(a)}-{f(b)}{sfx}" if unit else f"{f(a)}-{f(b - 1)}")
    labels.append(f"{f(e[-1])}+{sfx}")
    return labels


def band_of(values, edges: Sequence[float], unit: str = "", missing: str = UNKNOWN) -> np.ndarray:
    """Band label of each value (:func:`band_labels`; a value equal to an edge is in the band
    above it), ``missing`` for NaN / <NA>."""
    labels = np.array(band_labels(edges, unit), dtype=object)
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":  # already numbers
        v = values.astype(float)
    else:
        v = pd.to_numeric(pd.Series(values, dtype="object"), errors="coerce").to_numpy(dtype=float)
    idx = np.searchsorted(np.asarray(edges, dtype=float), v, side="right")
    out = labels[np.minimum(idx, len(labels) - 1)]
    out[np.isnan(v)] = missing
    return out


def window_label(window: Sequence[int]) -> str:
    return f"{int(window[0])}-{int(window[1])}"


def cells_of(
    events: pd.DataFrame,
    *,
    distances: pd.DataFrame,
    groups_map: Mapping[str, str],
    region_groups: Mapping[str, str],
    window: Sequence[int],
    focus: str,
    partners: Sequence[str],
    size_bands: Sequence[float],
    distance_bands_km: Sequence[float],
) -> dict[str, np.ndarray]:
    """The cell of every event in each dimension (module docstring); ``focus_out`` is None for
    events that are not outflows of ``focus``. ``distances``: ``origin``, ``dest``,
    ``distance`` (km); ``groups_map``: industry -> relocation class; ``region_groups``:
    prefecture -> region group.

    Speed: the cells that depend on a prefecture or an industry are found once per distinct
    code (a few hundred) and spread to the events by their codes, and the distances are read
    from an origin x destination matrix, instead of Python loops and a MultiIndex over the
    events."""
    n = len(events)
    o_codes, o_values = pd.factorize(events["origin_prefecture"])
    d_codes, d_values = pd.factorize(events["dest_prefecture"])
    dist = _pair_distances(distances, o_codes, _as_str(o_values), d_codes, _as_str(d_values))
    gmap = {str(k): str(v) for k, v in dict(groups_map).items()}
    year = events["year"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    in_window = (year >= window[0]) & (year <= window[1])
    part = set(partners)
    rg = {str(k): str(v) for k, v in dict(region_groups).items()}
    is_focus = apply_per_code(o_codes, o_values, lambda a: str(a) == str(focus), missing=False).astype(bool)
    partner = apply_per_code(
        d_codes, d_values, lambda b: rg.get(str(b)) if rg.get(str(b)) in part else OTHER, missing=OTHER
    )
    ind_codes, ind_values = pd.factorize(events["industry"].astype("string"))
    return {
        "total": np.full(n, "all", dtype=object),
        "size": band_of(events["employment"].astype("Float64").to_numpy(dtype=float, na_value=np.nan), size_bands),
        "distance": band_of(dist, distance_bands_km, "km"),
        "class": apply_per_code(ind_codes, ind_values, lambda i: gmap.get(i, UNCLASSIFIED), missing=UNCLASSIFIED),
        "period": np.where(in_window, window_label(window), OTHER_YEARS).astype(object),
        "focus_out": np.where(is_focus, partner, None),
    }


def _as_str(values: pd.Index) -> list[str]:
    return [str(v) for v in values]


def _pair_distances(
    distances: pd.DataFrame, o_codes: np.ndarray, o_values: list[str], d_codes: np.ndarray, d_values: list[str]
) -> np.ndarray:
    """The ``distance`` of ``distances`` (``origin``, ``dest``) of each (origin, destination)
    given as codes into ``o_values`` and ``d_values``; NaN for a pair not in the table or a
    missing end."""
    oc, ov = pd.factorize(distances["origin"])
    dc, dv = pd.factorize(distances["dest"])
    places = pd.Index(sorted(set(_as_str(ov)) | set(_as_str(dv))))
    oi = np.append(places.get_indexer(_as_str(ov)), len(places))[oc]  # a missing end: not a place
    di = np.append(places.get_indexer(_as_str(dv)), len(places))[dc]
    key = oi * (len(places) + 1) + di
    if len(key) and np.bincount(key).max() > 1:
        raise ValueError(_duplicates_message(distances, key))
    matrix = np.full((len(places) + 1, len(places) + 1), np.nan)  # last row and column: not a place
    matrix[oi, di] = distances["distance"].to_numpy(dtype=float)
    o_at = np.append(places.get_indexer(o_values), -1)[o_codes]
    d_at = np.append(places.get_indexer(d_values), -1)[d_codes]
    return matrix[o_at, d_at]


def _duplicates_message(distances: pd.DataFrame, key: np.ndarray) -> str:
    """The error of a distance table whose (origin, dest) pairs (one integer ``key`` per row)
    are not unique: how many pairs appear more than once, and the first row's pair that repeats
    an earlier one."""
    n = int((np.bincount(key) > 1).sum())
    row = int(np.flatnonzero(pd.Series(key).duplicated().to_numpy())[0])
    pair = (str(distances["origin"].iloc[row]), str(distances["dest"].iloc[row]))
    pairs = "pair" if n == 1 else "pairs"
    return f"distance table has {n} duplicated (origin, dest) {pairs}, first {pair!r}; each pair must appear once"


def cell_order(
    window: Sequence[int], partners: Sequence[str], size_bands: Sequence[float], distance_bands_km: Sequence[float]
) -> list[tuple[str, str]]:
    """Every (dimension, cell) of the table, in order."""
    return [
        ("total", "all"),
        *(("size", c) for c in [*band_labels(size_bands), UNKNOWN]),
        *(("distance", c) for c in [*band_labels(distance_bands_km, "km"), UNKNOWN]),
        *(("class", c) for c in [*RELOCATION_CLASSES, UNCLASSIFIED]),
        ("period", window_label(window)),
        ("period", OTHER_YEARS),
        *(("focus_out", c) for c in [*partners, OTHER]),
    ]


def cell_counts(events: pd.DataFrame, order: Sequence[tuple[str, str]], **kw) -> pd.Series:
    """Events by (dimension, cell) of ``order``, zeros kept (keywords: :func:`cells_of`).

    Each dimension's cells are counted by their position among its labels (``np.bincount``),
    not by ``value_counts`` of the labels and a reindex."""
    cells = cells_of(events, **kw)
    idx = pd.MultiIndex.from_tuples(list(order), names=["dimension", "cell"])
    counts: dict[tuple[str, str], int] = {}
    extra: set[tuple[str, str]] = set()
    for dim, c in cells.items():
        labels = pd.Index(pd.unique(pd.Series([cell for d, cell in order if d == dim], dtype=object)), dtype=object)
        pos = labels.get_indexer(pd.Index(c, dtype=object))  # object: no conversion to Arrow strings
        not_counted = c[pos < 0]
        extra |= {(dim, v) for v in pd.unique(pd.Series(not_counted[pd.notna(not_counted)], dtype=object))}
        counts.update(zip(((dim, cell) for cell in labels), np.bincount(pos[pos >= 0], minlength=len(labels))))
    if extra:
        raise ValueError(f"cells outside the table: {sorted(extra)}")
    return pd.Series([counts.get(key, 0) for key in order], index=idx, dtype=np.int64, name="count")


def _shares(counts: pd.Series) -> pd.Series:
    tot = counts.groupby(level="dimension").transform("sum").astype(float)
    return counts.astype(float) / tot.where(tot > 0)


def comparison_table(
    events: Mapping[str, pd.DataFrame],
    truth: Mapping[str, pd.DataFrame] | None,
    truth_sample: Mapping[str, pd.DataFrame] | None,
    *,
    prefectures: Iterable[str],
    years: Iterable[int],
    points: pd.DataFrame,
    groups_map: Mapping[str, str],
    region_groups: Mapping[str, str],
    window: Sequence[int] = (2000, 2004),
    focus: str = "310100",
    partners: Sequence[str] = ("sunan", "zhejiang"),
    size_bands: Sequence[float] = (50, 300),
    distance_bands_km: Sequence[float] = (100, 300),
) -> pd.DataFrame:
    """The comparison table (module docstring, columns :data:`COMPARISON_COLUMNS`) of the
    events of each source (``{source: events}``, layout :data:`yrd.flows.sources.EVENT_COLUMNS`)
    against ``truth`` and ``truth_sample`` (the same mapping of true events, or None: real
    data). Only the events the OD panel counts enter (study ``prefectures``, ``years``);
    ``points``: ``code``, ``lon``, ``lat`` of the prefectures (:func:`yrd.flows.pairs.prefecture_points`)."""
    codes = sorted({str(c) for c in prefectures})
    years = sorted({int(y) for y in years})
    order = cell_order(window, partners, size_bands, distance_bands_km)
    kw = dict(
        distances=great_circle_pairs(points, codes),
        groups_map=groups_map,
        region_groups=region_groups,
        window=window,
        focus=focus,
        partners=partners,
        size_bands=size_bands,
        distance_bands_km=distance_bands_km,
    )

    counted: dict[int, pd.Series] = {}  # by id of the events: asif and changes share their truth

    def count(ev: pd.DataFrame | None) -> pd.Series:
        if ev is None:
            return pd.Series(np.nan, index=pd.MultiIndex.from_tuples(order, names=["dimension", "cell"]))
        if id(ev) not in counted:
            counted[id(ev)] = cell_counts(counted_events(ev, codes, years), order, **kw)
        return counted[id(ev)]

    parts = []
    for source in [s for s in SOURCES if s in events] + [s for s in events if s not in SOURCES]:
        n = count(events[source])
        t = count((truth or {}).get(source))
        ts = count((truth_sample or {}).get(source))
        part = pd.DataFrame(
            {
                "events": n,
                "share": _shares(n),
                "truth": t.astype(float),
                "truth_share": _shares(t),
                "coverage": n / t.where(t > 0),
                "truth_sample": ts.astype(float),
                "coverage_sample": n / ts.where(ts > 0),
            }
        ).reset_index()
        parts.append(part.assign(source=source))
    return pd.concat(parts, ignore_index=True)[COMPARISON_COLUMNS]
