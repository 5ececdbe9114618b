"""morans_i: a wrapper of PySAL esda.Moran; checked against esda itself and esda's
documented examples (esda 2.9 ``Moran`` docstring: St Louis homicides and the SIDS example
that replicates OpenGeoda), on data shipped with libpysal."""

from __future__ import annotations

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from yrd.metrics import MoranResult, morans_i


def _checkerboard(n: int = 4) -> pd.Series:
    values = np.indices((n, n)).sum(axis=0) % 2  # lat2W numbers cells row by row
    return pd.Series(values.ravel().astype(float))


def test_checkerboard_rook_is_minus_one():
    # Rook neighbours of a checkerboard cell all have the other colour. With values 0/1 on an
    # even board z = +-1/2, the row-standardised lag of z_i is -z_i, so
    # I = sum_i z_i (-z_i) / sum_i z_i^2 = -1 exactly (Cliff and Ord 1981, perfect negative
    # autocorrelation).
    w = libpysal.weights.lat2W(4, 4, rook=True)
    res = morans_i(_checkerboard(), w, permutations=99)
    assert isinstance(res, MoranResult)
    assert pytest.approx(-1.0, abs=1e-12) == res.I
    assert pytest.approx(-1 / 15) == res.EI
    assert res.p_sim == pytest.approx(1 / 100)  # no permutation is as extreme


def test_same_numbers_as_esda_directly():
    # Queen lattice (diagonals share colours, so not -1): every field equals esda.Moran's
    # when esda's global RNG is seeded the same way.
    w = libpysal.weights.lat2W(5, 5, rook=False)
    y = pd.Series(np.random.default_rng(0).normal(size=25))
    ours = morans_i(y, w, permutations=199, seed=42)
    np.random.seed(42)
    ref = esda.Moran(y.to_numpy(), libpysal.weights.lat2W(5, 5, rook=False), permutations=199)
    assert ours.I == ref.I and ours.EI == ref.EI
    assert ours.z == ref.z_norm and ours.p_norm == ref.p_norm
    assert ours.p_sim == ref.p_sim and ours.z_sim == ref.z_sim


def test_esda_docstring_st_louis_example():
    # esda 2.9 Moran docstring: w = stl.gal, y = HR8893 ->
    # round(mi.I, 3) = 0.244; mi.EI = -0.012987012987012988; mi.p_norm = 0.00027147862770937614
    w = libpysal.io.open(libpysal.examples.get_path("stl.gal")).read()
    f = libpysal.io.open(libpysal.examples.get_path("stl_hom.txt"))
    y = pd.Series(np.array(f.by_col["HR8893"]), index=w.id_order)
    res = morans_i(y, w, permutations=0)
    assert round(res.I, 3) == 0.244
    assert pytest.approx(-0.012987012987012988, rel=1e-12) == res.EI
    assert res.p_norm == pytest.approx(0.00027147862770937614, rel=1e-9)


def test_esda_docstring_sids_example_from_polygons():
    # esda 2.9 Moran docstring, "SIDS example replicating OpenGeoda": w = sids2.gal,
    # y = SIDR74 -> round(mi.I, 3) = 0.248, mi.p_norm = 0.0001158330781489969.
    # sids2.gal is rook contiguity; building rook weights from the shipped polygons
    # (sids2.shp) must give the same statistic.
    gdf = gpd.read_file(libpysal.examples.get_path("sids2.shp"))
    res = morans_i(gdf["SIDR74"], gdf, contiguity="rook", permutations=0)
    assert round(res.I, 3) == 0.248
    assert res.p_norm == pytest.approx(0.0001158330781489969, rel=1e-9)
    assert res.n == 100 and res.islands_attached == ()


def test_seed_gives_reproducible_p_sim_and_restores_global_rng():
    w = libpysal.weights.lat2W(6, 6)
    y = pd.Series(np.random.default_rng(5).normal(size=36))
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    a = morans_i(y, w, permutations=99, seed=1)
    assert np.array_equal(np.random.get_state()[1], before)
    b = morans_i(y, w, permutations=99, seed=1)
    assert a == b
    assert w.transform == "O"  # the caller's weights were not row-standardised in place


def _squares_with_island() -> gpd.GeoDataFrame:
    # Three adjacent unit squares and one far away (an archipelago such as Zhoushan).
    geoms = [box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1), box(10, 0, 11, 1)]
    return gpd.GeoDataFrame({"v": [1.0, 2.0, 4.0, 3.0]}, geometry=geoms, index=["a", "b", "c", "island"])


def test_islands_attached_raised_or_kept():
    gdf = _squares_with_island()
    res = morans_i(gdf["v"], gdf, permutations=0)
    assert res.islands_attached == ("island",)
    # Attached to its nearest unit "c": a-b, b-c, c-island chain, row-standardised.
    w = libpysal.weights.W({"a": ["b"], "b": ["a", "c"], "c": ["b", "island"], "island": ["c"]})
    assert pytest.approx(esda.Moran(gdf["v"].to_numpy(), w, permutations=0).I, rel=1e-12) == res.I
    with pytest.raises(ValueError, match="islands"):
        morans_i(gdf["v"], gdf, islands="raise")
    kept = morans_i(gdf["v"], gdf, islands="keep", permutations=0)
    assert kept.islands_attached == () and np.isfinite(kept.I)


def test_bad_inputs():
    w = libpysal.weights.lat2W(3, 3)
    y = pd.Series(np.arange(9.0))
    with pytest.raises(ValueError, match="lacks regions"):
        morans_i(y.iloc[:8], w)
    with pytest.raises(ValueError, match="absent from the weights"):
        morans_i(pd.concat([y, pd.Series([1.0], index=[99])]), w)
    with pytest.raises(ValueError, match="constant"):
        morans_i(pd.Series(np.ones(9)), w)
    with pytest.raises(ValueError, match="missing"):
        morans_i(y.where(y != 3), w)
    with pytest.raises(TypeError):
        morans_i(y, np.eye(9))
