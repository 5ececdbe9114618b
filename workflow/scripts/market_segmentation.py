"""Market segmentation by the relative price method (yrd.metrics.segmentation)."""

from yrd.logs import configure_logging
from yrd.metrics.segmentation import market_segmentation, read_price_panel

smk = snakemake  # noqa: F821
log = configure_logging(smk)
if not smk.input:
    raise ValueError("metrics.segmentation.prices is null: configure a price panel to compute market segmentation")
prices = read_price_panel(smk.input.prices)
result = market_segmentation(prices, index=smk.params.index, ddof=smk.params.ddof)
result.pairs.to_parquet(smk.output.pairs, index=False)
result.regions.to_parquet(smk.output.regions, index=False)
result.overall.to_parquet(smk.output.overall, index=False)
log.info(
    "%d regions, %d goods, years %s: mean segmentation %s",
    prices["region"].nunique(),
    prices["good"].nunique(),
    result.overall["year"].tolist(),
    result.overall["segmentation"].round(6).tolist(),
)
