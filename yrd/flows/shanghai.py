"""Flows out of and into Shanghai by relocation class, partner region group and year (claim C2).

:func:`focus_flows` reads the prefecture-level OD panel (:func:`yrd.flows.od.od_panel`) and
returns, for the focus prefecture (Shanghai, ``310100``, by default), one row per ``year`` x
``group`` x ``partner``:

==================  ===========================================================================
``year``            year of the moves (first year at the new place)
``group``           relocation class (port, technology, urban, capital, labour) or ``total``
``partner``         region group of the other prefecture (``sunan``, ``rest_of_jiangsu``,
                    ``zhejiang``, ``anhui``; any group with a prefecture other than the focus),
                    or ``all`` (every other prefecture)
``outflow``         moves from the focus to prefectures of ``partner``
``inflow``          moves from prefectures of ``partner`` to the focus
``net_outflow``     ``outflow - inflow``
``outflow_share``   ``outflow`` / the focus's outflow of that group and year to ``all`` (NaN if 0)
``inflow_share``    ``inflow`` / the focus's inflow of that group and year from ``all`` (NaN if 0)
==================  ===========================================================================

Rows are sorted by year, group (class order, ``total`` last) and partner (region-group order,
``all`` last). All year x group x partner rows are present, zeros included.

With the flows across the study area's boundary (``outside``, :func:`yrd.study_area.outside_flows`)
that reach at least one province, rows follow for each outside province ``outside_<code>``
(``outside_420000``: Hubei, or the part of a province outside the study area) and for
``outside`` (all of them). ``all`` stays the study area, so the shares are those among the study
area's prefectures; the outside rows have no shares (NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from yrd.flows.od import GROUPS
from yrd.io import dictionary_codes, distinct, select_rows, used_positions
from yrd.regions import GROUPS as REGION_GROUPS

ALL = "all"
COLUMNS = ["year", "group", "partner", "outflow", "inflow", "net_outflow", "outflow_share", "inflow_share"]


OUTSIDE = "outside"


class PanelValues(NamedTuple):
    """The distinct prefecture codes (origin or destination), years and groups of the
    prefecture-level rows of an OD panel."""

    codes: set[str]
    years: list[int]
    groups: set[str]


def focus_flows(
    od: pd.DataFrame,
    region_groups: Mapping[str, str],
    focus: str = "310100",
    outside: pd.DataFrame | None = None,
    panel: PanelValues | None = None,
) -> pd.DataFrame:
    """Outflows, inflows and net outflows of ``focus`` by year, class and partner region group
    (module docstring). ``region_groups``: prefecture code -> region group; ``outside``: the
    flows across the study area's boundary (``flows/od_outside.parquet``), or None.

    ``panel``: None when ``od`` is the whole panel; else ``od`` holds only the focus's rows and
    ``panel`` the prefectures, years and groups of the whole panel (:func:`read_focus_panel`)."""
    d = od
    if "level" in d.columns:
        d = select_rows(d, d["level"] == "prefecture")
    focus = str(focus)
    rg = {str(k): str(v) for k, v in region_groups.items()}
    if panel is None:
        panel = PanelValues(
            distinct(d["origin"], d["dest"], as_str=True),
            sorted(int(y) for y in distinct(d["year"])),
            distinct(d["group"]),
        )
    codes = panel.codes
    if focus not in codes:
        raise ValueError(f"focus prefecture {focus} is not in the OD panel")
    missing = codes - set(rg)
    if missing:
        raise ValueError(f"prefectures without region group: {sorted(missing)}")
    others = sorted(codes - {focus})
    order = [g for g in REGION_GROUPS["group"] if any(rg[c] == g for c in others)]
    order += sorted({rg[c] for c in others} - set(order))
    partners = [*order, ALL]
    out_ = d[(d["origin"].astype(str) == focus)].assign(partner=lambda x: x["dest"].astype(str).map(rg))
    in_ = d[(d["dest"].astype(str) == focus)].assign(partner=lambda x: x["origin"].astype(str).map(rg))
    years = list(panel.years)
    groups = [g for g in GROUPS if g in panel.groups]
    idx = pd.MultiIndex.from_product([years, groups, partners], names=["year", "group", "partner"])

    o, i = _partner_sums(out_, idx, ALL), _partner_sums(in_, idx, ALL)
    res = pd.DataFrame({"outflow": o.to_numpy(dtype=np.int64), "inflow": i.to_numpy(dtype=np.int64)}, index=idx)
    res["net_outflow"] = res["outflow"] - res["inflow"]
    all_o = res.xs(ALL, level="partner")["outflow"].reindex(res.index.droplevel("partner")).to_numpy(dtype=float)
    all_i = res.xs(ALL, level="partner")["inflow"].reindex(res.index.droplevel("partner")).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        res["outflow_share"] = np.where(all_o > 0, res["outflow"] / all_o, np.nan)
        res["inflow_share"] = np.where(all_i > 0, res["inflow"] / all_i, np.nan)
    res = res.reset_index()
    res["year"] = res["year"].astype(np.int64)
    res = res[COLUMNS].astype({"group": "str", "partner": "str"})
    if outside is not None and len(outside):
        res = pd.concat([res, _outside_rows(outside, focus, years, groups)], ignore_index=True)
    return res


def _partner_sums(x: pd.DataFrame, idx: pd.MultiIndex, total: str) -> pd.Series:
    """Moves of ``x`` (``year``, ``group``, ``partner``, ``moves``) by year x group x partner,
    with their sum over the partners as partner ``total``, on the full index ``idx`` (zeros)."""
    s = x.groupby(["year", "group", "partner"])["moves"].sum()
    a = x.groupby(["year", "group"])["moves"].sum()
    a.index = pd.MultiIndex.from_arrays(
        [a.index.get_level_values(0), a.index.get_level_values(1), [total] * len(a)],
        names=["year", "group", "partner"],
    )
    return pd.concat([s, a]).reindex(idx, fill_value=0)


def _outside_rows(outside: pd.DataFrame, focus: str, years: list, groups: list) -> pd.DataFrame:
    """Rows ``outside_<province>`` and ``outside`` of the focus (module docstring)."""
    o = outside[(outside["origin"].astype(str) == focus) & (outside["direction"] == "out")]
    i = outside[(outside["dest"].astype(str) == focus) & (outside["direction"] == "in")]
    nodes = sorted(set(outside.loc[outside["direction"] == "out", "dest"].astype(str)))
    partners = [f"{OUTSIDE}_{n}" for n in nodes] + [OUTSIDE]
    idx = pd.MultiIndex.from_product([years, groups, partners], names=["year", "group", "partner"])

    o = _partner_sums(o.assign(partner=OUTSIDE + "_" + o["dest"].astype(str)), idx, OUTSIDE)
    i = _partner_sums(i.assign(partner=OUTSIDE + "_" + i["origin"].astype(str)), idx, OUTSIDE)
    res = pd.DataFrame({"outflow": o.to_numpy(dtype=np.int64), "inflow": i.to_numpy(dtype=np.int64)}, index=idx)
    res["net_outflow"] = res["outflow"] - res["inflow"]
    res["outflow_share"] = np.nan
    res["inflow_share"] = np.nan
    res = res.reset_index()
    res["year"] = res["year"].astype(np.int64)
    return res[COLUMNS].astype({"group": "str", "partner": "str"})


def read_focus_panel(path: str | Path, focus: str = "310100") -> tuple[pd.DataFrame, PanelValues]:
    """The rows of the OD panel file ``path`` (``flows/od.parquet``) that :func:`focus_flows`
    sums, prefecture level with origin or destination ``focus`` (as ``pd.read_parquet`` gives
    them, in the file's order), and the panel's :class:`PanelValues`, which focus_flows takes
    from all prefecture-level rows. With ``rows, panel = read_focus_panel(path, focus)``,
    ``focus_flows(rows, groups, focus, outside, panel=panel)`` equals
    ``focus_flows(pd.read_parquet(path), groups, focus, outside)``.

    Speed: the string columns are read dictionary-encoded and the rows are selected on their
    integer codes (:func:`yrd.io.dictionary_codes`), so the ~11 M rows of a national panel are
    never built as pandas strings (about 0.4 s instead of 1.2 s to read them and 0.6 s to select
    the prefecture level). The selected rows are cast back to the file's schema, pandas metadata
    included, converted by pyarrow as ``pd.read_parquet`` converts them and numbered from 0."""
    import pyarrow.parquet as pq

    focus = str(focus)
    schema = pq.read_schema(path)
    strings = [c for c in ("level", "origin", "dest", "group") if c in schema.names]
    table = pq.read_table(path, read_dictionary=strings).unify_dictionaries()
    codes = {c: _codes(table[c]) for c in strings}
    keep = np.ones(table.num_rows, dtype=bool)
    if "level" in codes:
        keep = codes["level"][0] == _position(codes["level"][1], "prefecture")
    (o, places_o), (d, places_d), (g, group_names) = codes["origin"], codes["dest"], codes["group"]
    year = table["year"].to_numpy()
    panel = PanelValues(
        {str(v) for v in _used(o, keep, places_o)} | {str(v) for v in _used(d, keep, places_d)},
        sorted(int(y) for y in distinct(pd.Series(year[keep]))),
        set(_used(g, keep, group_names)),
    )
    rows = keep & ((o == _position(places_o, focus)) | (d == _position(places_d, focus)))
    return table.filter(rows).cast(schema).to_pandas().reset_index(drop=True), panel


def _codes(column) -> tuple[np.ndarray, list]:
    """Integer codes (-1: missing) and dictionary, as a list, of a dictionary-encoded column."""
    idx, dictionary = dictionary_codes(column)
    return idx, dictionary.to_pylist()


def _used(codes: np.ndarray, keep: np.ndarray, values: list) -> list:
    """The ``values`` that ``codes`` (positions in ``values``, -1: missing) refer to in the rows
    ``keep`` (:func:`yrd.io.used_positions`)."""
    return [values[i] for i in used_positions(codes, len(values), keep)]


def _position(values: list, value: str) -> int:
    """Position of ``value`` in ``values``, -2 (matches no code) when absent."""
    return values.index(value) if value in values else -2
