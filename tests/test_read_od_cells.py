"""yrd.flows.od.read_od_cells (key columns read dictionary-encoded) against the formulation it
replaced (strings read, filtered, then encoded against the sorted places of the kept cells), on
random panels spread over row groups whose dictionaries differ, with places that occur only on
other levels, only in cells with origin == dest, or are missing. Equality is exact: same cells,
order, categories and column types."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from yrd.flows.od import OD_COLUMNS, read_od_cells
from yrd.industry import RELOCATION_CLASSES


def _old_read_od_cells(path, classes=RELOCATION_CLASSES) -> pd.DataFrame:
    names = pq.read_schema(path).names
    filters = [("group", "in", list(classes))]
    if "level" in names:
        filters.append(("level", "==", "prefecture"))
    table = pq.read_table(path, columns=OD_COLUMNS, filters=filters)
    table = table.filter(pc.not_equal(table["origin"], table["dest"]))
    places = sorted(set(pc.unique(table["origin"]).to_pylist()) | set(pc.unique(table["dest"]).to_pylist()))
    places = [p for p in places if p is not None]
    return pd.DataFrame(
        {
            "year": table["year"].to_numpy(),
            "origin": pd.Categorical(table["origin"].to_pylist(), categories=places),
            "dest": pd.Categorical(table["dest"].to_pylist(), categories=places),
            "group": pd.Categorical(table["group"].to_pylist(), categories=sorted(set(classes))),
            "moves": table["moves"].to_numpy(),
        }
    )


def _panel(rng: np.random.Generator, n: int, levels: bool) -> pd.DataFrame:
    places = np.array([f"{p}00" for p in range(3201, 3214)], dtype=object)
    origin = places[rng.integers(0, 10, n)].astype(object)  # 3211-3213: destinations only
    dest = places[rng.integers(0, len(places), n)].astype(object)
    origin[rng.random(n) < 0.02] = None
    dest[rng.random(n) < 0.02] = None
    groups = np.array([*RELOCATION_CLASSES, "total"], dtype=object)
    od = pd.DataFrame(
        {
            "year": rng.integers(2000, 2004, n),
            "origin": origin,
            "dest": dest,
            "group": groups[rng.integers(0, len(groups), n)],
            "moves": rng.poisson(0.4, n),
        }
    )
    if levels:
        county = rng.random(n) < 0.2
        od.insert(0, "level", np.where(county, "county", "prefecture"))
        od.loc[county, "origin"] = "320999"  # a place on county rows only
    return od


@pytest.mark.parametrize("levels", [True, False])
def test_read_od_cells_equals_the_string_formulation(tmp_path, levels):
    rng = np.random.default_rng(5)
    for k, n in enumerate((1, 40, 3_000)):
        od = _panel(rng, n, levels)
        path = tmp_path / f"od{k}.parquet"
        od.to_parquet(path, row_group_size=600)
        got, want = read_od_cells(path), _old_read_od_cells(path)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert "320999" not in got["origin"].cat.categories


def test_read_od_cells_of_an_empty_panel(tmp_path):
    """An OD panel without rows (a source without events) gives no cells, as the string
    formulation does."""
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in ("level", "origin", "dest", "group")})
    empty["year"], empty["moves"] = pd.Series([], dtype="int64"), pd.Series([], dtype="int64")
    path = tmp_path / "od.parquet"
    empty[["level", *OD_COLUMNS]].to_parquet(path)
    got = read_od_cells(path)
    assert len(got) == 0 and list(got.columns) == OD_COLUMNS
    pd.testing.assert_frame_equal(got, _old_read_od_cells(path), check_exact=True)
