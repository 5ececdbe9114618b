"""Global spatial autocorrelation (Moran's I), a thin, reproducible wrapper around PySAL
``esda.Moran`` with ``libpysal`` contiguity weights."""

from __future__ import annotations

import copy
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

# esda, libpysal and geopandas are imported where they are used: importing esda takes about 2 s,
# which every rule importing yrd.metrics would otherwise pay (issue 19: start-up of each job).
if TYPE_CHECKING:
    import geopandas as gpd
    import libpysal


@dataclass(frozen=True)
class MoranResult:
    """Moran's I and its inference, copied from ``esda.Moran``.

    Attributes
    ----------
    I : float
        Moran's I (row-standardised weights).
    EI : float
        Expectation of I under no autocorrelation, :math:`-1/(n-1)`.
    z : float
        z-score of I under the normality assumption (``esda.Moran.z_norm``).
    p_norm : float
        Two-sided analytical p-value under normality (``esda.Moran.p_norm``).
    z_sim : float
        z-score of I against the permutation distribution (nan without permutations).
    p_sim : float
        One-sided pseudo p-value from the permutations, (larger + 1)/(permutations + 1),
        ``larger`` counting the permuted I at least as extreme in the observed direction
        (nan without permutations).
    n : int
        Number of spatial units.
    permutations : int
        Number of random permutations.
    islands_attached : tuple
        Units without contiguous neighbours that were joined to their nearest neighbour.
    """

    I: float  # noqa: E741 - the statistic's name
    EI: float
    z: float
    p_norm: float
    z_sim: float
    p_sim: float
    n: int
    permutations: int
    islands_attached: tuple = ()


@contextmanager
def _seeded_global_rng(seed: int):
    # esda 2.9 draws permutations from NumPy's legacy global RNG (np.random.permutation) and
    # takes no seed, so we seed it for the call and put the caller's state back afterwards.
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _weights_from_gdf(gdf: gpd.GeoDataFrame, contiguity: str, islands: str) -> tuple[libpysal.weights.W, tuple]:
    import libpysal

    if gdf.index.has_duplicates:
        raise ValueError("the GeoDataFrame index has duplicated labels; it must identify the regions")
    builder = {"queen": libpysal.weights.Queen, "rook": libpysal.weights.Rook}.get(contiguity)
    if builder is None:
        raise ValueError(f"contiguity must be 'queen' or 'rook', got {contiguity!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; we handle them below
        w = builder.from_dataframe(gdf, use_index=True)
    found = tuple(w.islands)
    if not found:
        return w, ()
    if islands == "raise":
        raise ValueError(f"regions without contiguous neighbours (islands): {list(found)}; pass islands='nearest'")
    if islands == "keep":
        return w, ()
    # islands == "nearest": join each island to the unit with the nearest representative point
    # (coordinates in the GeoDataFrame's CRS; enough to pick a neighbour).
    pts = gdf.geometry.representative_point()
    coords = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])
    knn = libpysal.weights.KNN.from_array(coords, k=1, ids=list(gdf.index))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = libpysal.weights.attach_islands(w, knn)
    return w, found


def morans_i(
    values: pd.Series,
    gdf_or_weights: gpd.GeoDataFrame | libpysal.weights.W,
    permutations: int = 999,
    seed: int = 20050101,
    contiguity: Literal["queen", "rook"] = "queen",
    islands: Literal["nearest", "raise", "keep"] = "nearest",
) -> MoranResult:
    r"""Global Moran's I of ``values`` with row-standardised contiguity weights.

    .. math::

        I = \frac{n}{S_0} \frac{\sum_i \sum_j w_{ij} z_i z_j}{\sum_i z_i^2},
        \qquad z_i = y_i - \bar y, \quad S_0 = \sum_{ij} w_{ij} \;(= n \text{ row-standardised})

    Computed by ``esda.Moran`` (PySAL); nothing is re-implemented here.

    Parameters
    ----------
    values : pandas.Series
        The variable, indexed by region. It is aligned to the weights' ids.
    gdf_or_weights : geopandas.GeoDataFrame or libpysal.weights.W
        Either polygons indexed by region, from which ``contiguity`` weights are built
        (``Queen``/``Rook.from_dataframe(use_index=True)``), or ready ``W`` whose ids are the
        regions. A copy is row-standardised; the caller's W is not modified.
    permutations : int
        Random permutations for the pseudo p-value (0 for none).
    seed : int
        Seed for the permutations, so reruns give identical ``p_sim``.
    contiguity : {"queen", "rook"}
        Contiguity rule when polygons are given.
    islands : {"nearest", "raise", "keep"}
        What to do with units that have no contiguous neighbour (e.g. Zhoushan, an archipelago):
        join each to its nearest unit (default; needs polygons), raise ``ValueError``, or keep
        them with no neighbours (their spatial lag is 0).

    Returns
    -------
    MoranResult
        ``I``, ``EI``, ``z`` (normality), ``p_norm``, ``z_sim``, ``p_sim``, ``n``,
        ``permutations``, ``islands_attached``.

    References
    ----------
    Moran, P. A. P. (1950) Notes on continuous stochastic phenomena. *Biometrika* 37(1/2): 17-23.
    Cliff, A. D. and Ord, J. K. (1981) *Spatial Processes: Models and Applications*. Pion, London.
    Rey, S. J. and Anselin, L. (2007) PySAL: a Python library of spatial analytical methods.
    *The Review of Regional Studies* 37(1): 5-27.
    """
    if not isinstance(values, pd.Series):
        raise TypeError("values must be a pandas Series indexed by region")
    if values.index.has_duplicates:
        raise ValueError("values has duplicated region labels")
    if islands not in ("nearest", "raise", "keep"):
        raise ValueError(f"islands must be 'nearest', 'raise' or 'keep', got {islands!r}")
    import esda
    import geopandas as gpd
    import libpysal

    attached: tuple = ()
    if isinstance(gdf_or_weights, gpd.GeoDataFrame):
        w, attached = _weights_from_gdf(gdf_or_weights, contiguity, islands)
    elif isinstance(gdf_or_weights, libpysal.weights.W):
        w = copy.deepcopy(gdf_or_weights)
        if w.islands and islands != "keep":
            raise ValueError(
                f"the weights have islands {list(w.islands)[:5]}; pass polygons to attach them "
                "to their nearest neighbour, or islands='keep'"
            )
    else:
        raise TypeError("gdf_or_weights must be a GeoDataFrame or a libpysal.weights.W")
    ids = pd.Index(w.id_order)
    missing = ids.difference(values.index)
    if len(missing):
        raise ValueError(f"values lacks regions present in the weights: {missing.tolist()[:5]}")
    extra = values.index.difference(ids)
    if len(extra):
        raise ValueError(f"values has regions absent from the weights: {extra.tolist()[:5]}")
    y = values.reindex(ids).to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(f"values has missing or infinite entries for {ids[~np.isfinite(y)].tolist()[:5]}")
    if np.allclose(y, y[0]):
        raise ValueError("values is constant: Moran's I is undefined")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands kept on purpose warn on row-standardisation
        w.transform = "r"
        with _seeded_global_rng(seed):
            mi = esda.Moran(y, w, transformation="r", permutations=permutations)
    return MoranResult(
        I=float(mi.I),
        EI=float(mi.EI),
        z=float(mi.z_norm),
        p_norm=float(mi.p_norm),
        z_sim=float(mi.z_sim) if permutations else float("nan"),
        p_sim=float(mi.p_sim) if permutations else float("nan"),
        n=int(mi.n),
        permutations=int(permutations),
        islands_attached=attached,
    )
