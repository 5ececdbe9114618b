"""Rule source_comparison: events of each flow source by firm size, distance, class, period and
Shanghai partner, against the synthetic world's truth when the run is synthetic
(yrd.flows.source_comparison)."""

import geopandas as gpd
import pandas as pd

from yrd.flows.pairs import prefecture_points
from yrd.flows.source_comparison import comparison_table
from yrd.flows.sources import source_events, truth_investment_events, truth_relocation_events
from yrd.industry import industry_classes, relocation_class
from yrd.logs import configure_logging
from yrd.regions import prefectures
from yrd.study_area import flow_prefectures

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
inp = smk.input
firm_years = (
    pd.read_parquet(inp.firm_years, columns=["firm_id", "year", "employment"]) if inp.get("firm_years") else None
)
# the sources of this run (rule input names): asif, changes, investments
events = {
    s: source_events(s, pd.read_parquet(inp[s]), *([firm_years] if s == "asif" else []))
    for s in ("asif", "changes", "investments")
    if inp.get(s)
}
truth = sample = None
if p.synthetic:
    moves = pd.read_parquet(smk.input.truth_moves)
    panel = pd.read_parquet(smk.input.truth_panel, columns=["true_firm_id", "year", "employment"])
    inv = pd.read_parquet(inp.truth_investments) if inp.get("truth_investments") else None
    rel, rel_sample = truth_relocation_events(moves, panel), truth_relocation_events(moves, panel, sample_only=True)
    truth = {"asif": rel, "changes": rel}
    sample = {"asif": rel_sample, "changes": rel_sample}
    if inv is not None:
        truth["investments"] = truth_investment_events(inv, panel)
        sample["investments"] = truth_investment_events(inv, panel, True)
    truth = {k: v for k, v in truth.items() if k in events}
    sample = {k: v for k, v in sample.items() if k in events}
boundaries = gpd.read_parquet(smk.input.boundaries)
codes = boundaries["code"].astype(str)
codes = flow_prefectures(codes, p.study_area, p.region_set, smk.input.prefectures)
table = comparison_table(
    events,
    truth,
    sample,
    prefectures=codes,
    years=range(p.start, p.end + 1),
    points=prefecture_points(boundaries),
    groups_map=relocation_class(industry_classes(smk.input.classes)),
    region_groups=prefectures(smk.input.prefectures).set_index("code")["group"].to_dict(),
    window=p.window,
    focus=p.focus,
    partners=p.sources["partners"],
    size_bands=p.sources["size_bands"],
    distance_bands_km=p.sources["distance_bands_km"],
)
table.to_csv(smk.output[0], index=False, float_format="%.10g")
log.info("events by source and cell:\n%s", table.to_string(index=False))
