"""Concentration, specialisation, similarity and inequality metrics.

Plain functions over a region x industry table ``X`` (index regions, columns industries,
non-negative employment or output), a plant table (``region``, ``industry``,
``employment``), or site distances and plant counts. Each docstring gives the formula, the
range, the literature reference and how the result relates to the R package EconGeo
(Balland), whose documented examples the tests reproduce.

Modules (one family each)
-------------------------
location                 location_quotient
concentration            hoover, locational_gini, herfindahl
specialisation           krugman_specialisation, krugman_dissimilarity, structural_similarity
inequality               gini, theil (TheilResult)
plant_concentration      ellison_glaeser, maurel_sedillot
spatial_autocorrelation  morans_i (MoranResult), via PySAL esda/libpysal
kdensity                 k_density, silverman_bandwidth, k_density_bands (KDensityBands),
                         localisation_index, dispersion_index (Duranton-Overman 2005)
kdensity_points          k_density_points, k_density_points_bands: the same on plant points
                         (imported as yrd.metrics.kdensity_points)
binning                  the reflected Gaussian kernel and linear binning of pair distances
                         (both K-density versions; yrd.metrics.binning)
kdensity_rows            columns, seeds, config options and rows shared by the K-density tables
                         (yrd.metrics.kdensity_rows)
segmentation             market_segmentation (SegmentationResult), relative price method
registry                 register, get, available: metrics chosen in the config by name
apply                    concentration, specialisation, similarity and K-density tables
                         from firm-year data (imported as yrd.metrics.apply)
kdensity_tables          the county K-density table of every industry-year (re-exported by
                         apply; imported as yrd.metrics.kdensity_tables)
apply_points             K-density tables on plant points and their comparison with the
                         county-centroid ones (imported as yrd.metrics.apply_points)

Conventions against EconGeo 2.0
-------------------------------
* ``location_quotient`` = ``location_quotient`` (0/0 -> 0; binary: LQ >= 1 -> 1).
* ``hoover`` is a fraction: ``100 * hoover(X, reference=pop)`` = ``hoover_index(X, pop)``;
  EconGeo's default reference is uniform, ours the regions' totals.
* ``locational_gini`` = ``2 * locational_gini`` of EconGeo (EconGeo reports the area, max 0.5).
* ``gini`` = ``gini`` (no n/(n-1) correction).
* ``herfindahl(X, by="region")`` = ``herfindahl``.
* ``krugman_specialisation(X, reference="total")`` = ``krugman_index``; ``spec_coeff`` is half
  of it; ``reference="rest"`` compares each region with all other regions.
"""

from yrd.metrics.concentration import herfindahl, hoover, locational_gini
from yrd.metrics.inequality import TheilResult, gini, theil
from yrd.metrics.kdensity import (
    DEFAULT_GRID,
    KDensityBands,
    dispersion_index,
    k_density,
    k_density_bands,
    localisation_index,
    silverman_bandwidth,
)
from yrd.metrics.location import location_quotient
from yrd.metrics.plant_concentration import ellison_glaeser, maurel_sedillot
from yrd.metrics.segmentation import SegmentationResult, market_segmentation
from yrd.metrics.spatial_autocorrelation import MoranResult, morans_i
from yrd.metrics.specialisation import krugman_dissimilarity, krugman_specialisation, structural_similarity

__all__ = [
    "DEFAULT_GRID",
    "KDensityBands",
    "MoranResult",
    "SegmentationResult",
    "TheilResult",
    "dispersion_index",
    "ellison_glaeser",
    "gini",
    "herfindahl",
    "hoover",
    "k_density",
    "k_density_bands",
    "krugman_dissimilarity",
    "krugman_specialisation",
    "localisation_index",
    "locational_gini",
    "location_quotient",
    "market_segmentation",
    "maurel_sedillot",
    "morans_i",
    "silverman_bandwidth",
    "structural_similarity",
    "theil",
]
