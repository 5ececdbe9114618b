"""Rule calibration: the synthetic world against real aggregates (yrd.synthetic.calibration)."""

import pandas as pd

from yrd.industry import load_crosswalks, national_division_employment
from yrd.logs import configure_logging
from yrd.synthetic.calibration import calibration_table, fit_statistics

smk = snakemake  # noqa: F821
log = configure_logging(smk)
inp, p = smk.input, smk.params
national = national_division_employment(
    inp.employment, inp.employment_map, load_crosswalks(inp.names_2002, inp.gb_1994_2002, inp.gb_2002_2011)
)
table = calibration_table(
    pd.read_parquet(inp.panel, columns=["year", "county", "output"]),
    pd.read_parquet(inp.population, columns=["year", "industry", "employment"]),
    pd.read_csv(inp.dose, low_memory=False),
    national,
    provinces=list(p.provinces),
    years=list(range(p.start, p.end + 1)),
)
fit = fit_statistics(table)
table.to_csv(smk.output.table, index=False, float_format="%.6g")
fit.to_csv(smk.output.fit, index=False, float_format="%.6g")
log.info("calibration fit:\n%s", fit.to_string(index=False))
