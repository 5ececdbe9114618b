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
    prefecture -> region group."""
    n = len(events)
    o = events["origin_prefecture"].astype(str).to_numpy()
    d = events["dest_prefecture"].astype(str).to_numpy()
    km = pd.Series(
        distances["distance"].to_numpy(dtype=float),
        index=pd.MultiIndex.from_frame(distances[["origin", "dest"]].astype(str)),
    )
    dist = km.reindex(pd.MultiIndex.from_arrays([o, d])).to_numpy(dtype=float) if n else np.array([])
    gmap = {str(k): str(v) for k, v in dict(groups_map).items()}
    ind = events["industry"].astype("string").to_numpy(dtype=object, na_value=None)
    year = events["year"].astype("Int64").to_numpy(dtype=float, na_value=np.nan)
    in_window = (year >= window[0]) & (year <= window[1])
    part = set(partners)
    rg = {str(k): str(v) for k, v in dict(region_groups).items()}
    focus_out = np.array(
        [(rg.get(b) if rg.get(b) in part else OTHER) if a == str(focus) else None for a, b in zip(o, d)], dtype=object
    )
    return {
        "total": np.full(n, "all", dtype=object),
        "size": band_of(events["employment"].astype("Float64"), size_bands),
        "distance": band_of(dist, distance_bands_km, "km"),
        "class": np.array([gmap.get(i, UNCLASSIFIED) if i is not None else UNCLASSIFIED for i in ind], dtype=object),
        "period": np.where(in_window, window_label(window), OTHER_YEARS).astype(object),
        "focus_out": focus_out,
    }


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
    """Events by (dimension, cell) of ``order``, zeros kept (keywords: :func:`cells_of`)."""
    cells = cells_of(events, **kw)
    parts = [
        pd.Series(c[pd.notna(c)], dtype=object).value_counts().rename_axis("cell").reset_index().assign(dimension=dim)
        for dim, c in cells.items()
    ]
    counts = pd.concat(parts, ignore_index=True).set_index(["dimension", "cell"])["count"]
    idx = pd.MultiIndex.from_tuples(list(order), names=["dimension", "cell"])
    extra = set(counts.index) - set(idx)
    if extra:
        raise ValueError(f"cells outside the table: {sorted(extra)}")
    return counts.reindex(idx, fill_value=0).astype(np.int64)


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

    def count(ev: pd.DataFrame | None) -> pd.Series:
        if ev is None:
            return pd.Series(np.nan, index=pd.MultiIndex.from_tuples(order, names=["dimension", "cell"]))
        return cell_counts(counted_events(ev, codes, years), order, **kw)

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
