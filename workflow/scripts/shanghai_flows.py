"""Rule shanghai_flows: out-, in- and net flows of the focus prefecture (Shanghai) by class and
partner region group, and with the provinces outside the study area (yrd.flows.shanghai)."""

import pandas as pd

from yrd.flows import focus_flows
from yrd.io import distinct
from yrd.logs import configure_logging
from yrd.study_area import region_groups

smk = snakemake  # noqa: F821
log = configure_logging(smk)
od = pd.read_parquet(smk.input.od)
outside = pd.read_parquet(smk.input.outside)
codes = distinct(od["origin"], od["dest"], as_str=True)
groups = region_groups(codes, smk.input.prefectures)  # code -> region group (province_<code> outside the YRD)
out = focus_flows(od, groups, focus=smk.params.focus, outside=outside)
out.to_parquet(smk.output[0], index=False)
tot = out[(out["group"] == "total")].groupby("partner")[["outflow", "inflow", "net_outflow"]].sum()
log.info("focus %s, all years, all classes:\n%s", smk.params.focus, tot.to_string())
