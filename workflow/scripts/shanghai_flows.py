"""Rule shanghai_flows: out-, in- and net flows of the focus prefecture (Shanghai) by class and
partner region group, and with the provinces outside the study area (yrd.flows.shanghai)."""

import pandas as pd

from yrd.flows import focus_flows
from yrd.flows.shanghai import read_focus_panel
from yrd.logs import configure_logging
from yrd.study_area import region_groups

smk = snakemake  # noqa: F821
log = configure_logging(smk)
# the focus's rows of the prefecture-level panel, and the panel's prefectures, years and groups
od, panel = read_focus_panel(smk.input.od, smk.params.focus)
outside = pd.read_parquet(smk.input.outside)
groups = region_groups(panel.codes, smk.input.prefectures)  # code -> region group (province_<code> outside the YRD)
out = focus_flows(od, groups, focus=smk.params.focus, outside=outside, panel=panel)
out.to_parquet(smk.output[0], index=False)
tot = out[(out["group"] == "total")].groupby("partner")[["outflow", "inflow", "net_outflow"]].sum()
log.info("focus %s, all years, all classes:\n%s", smk.params.focus, tot.to_string())
