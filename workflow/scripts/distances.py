"""Great-circle distances between polygon centroids (see yrd.boundaries.distance_matrix)."""

import geopandas as gpd

from yrd.boundaries import centroids, distance_long, distance_matrix
from yrd.logs import configure_logging

smk = snakemake  # noqa: F821
log = configure_logging(smk)
layer = gpd.read_parquet(smk.input[0])
dist = distance_long(distance_matrix(centroids(layer)))
dist.to_parquet(smk.output[0], index=False)
log.info("%d units, %d ordered pairs, max %.1f km", len(layer), len(dist), dist["distance_km"].max())
