"""How close the synthetic world comes to real aggregates (synthetic runs only).

Two moments, by year, written by rule ``calibration`` to ``results/<run>/validation/calibration.csv``
with their fit in ``calibration_fit.csv``:

* ``province_output_share`` (an **outcome** of the firms' decisions): each province's share, in
  percent, of the four provinces' manufacturing output. Simulated: gross output (employment x
  productivity, thousand yuan) of the synthetic firms in the ASIF sample (``truth/panel.parquet``),
  by the province of their county. Real: DOSE v2.11 (Wenz et al. 2023, Scientific Data 10, 425,
  doi:10.1038/s41597-023-02323-8; CC BY 4.0), manufacturing (industry) gross value added
  ``man_grp_pc_lcu x pop`` of the province, current yuan. Output rather than employment because
  DOSE measures output; the sample firms because the ASIF (firms with sales of 5 million yuan and
  more, 20 million from 2011, and state-owned firms) covers most of industrial output, and only
  they carry output in the truth. Shares cancel the price level of each year. The concepts still
  differ: gross output against value added, manufacturing against DOSE's industry sector.
* ``industry_employment_share`` (**matched by construction** for new firms): each GB/T 4754-2002
  division's share, in percent, of the employment of all synthetic firms (``truth/population``),
  against its share of China's manufacturing employment in the same year (ionet;
  :func:`yrd.industry.national_division_employment`). New firms draw their industry from the
  national shares of their year, so the YRD's mix differs only through the age of the firm stock,
  exit (which depends on a location's attractiveness for the firm's class) and chance.

The effective distances are matched by construction too (the real road travel times at one speed,
:mod:`yrd.synthetic.places`); there is nothing to compare them with.

Fit (:func:`fit_statistics`), by moment, overall (``key`` ``all``) and by province:
``rmse_pp = sqrt(mean((simulated - real)^2))`` in percentage points, the Pearson correlation of
simulated and real shares, and the mean difference (simulated - real) in percentage points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from yrd.study_area import PROVINCE_NAMES

#: Region names of the provinces in DOSE (column ``region``), by province code.
DOSE_REGIONS = {code: en for code, (_, en) in PROVINCE_NAMES.items()}  # DOSE's English names of all 31

MOMENTS = {
    "province_output_share": False,  # -> matched by construction?
    "industry_employment_share": True,
}
COLUMNS = ["moment", "key", "year", "simulated", "real", "difference_pp", "matched_by_construction"]


def dose_manufacturing_shares(dose: pd.DataFrame, provinces: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
    """``year``, ``key`` (province code), ``real``: the province's share (percent) of the
    provinces' manufacturing gross value added ``man_grp_pc_lcu * pop`` in DOSE. Raises
    ``ValueError`` for a province without a DOSE name here or a province-year without data."""
    unknown = sorted(set(provinces) - set(DOSE_REGIONS))
    if unknown:
        raise ValueError(f"no DOSE region known for provinces {unknown} (known: {sorted(DOSE_REGIONS)})")
    names = {DOSE_REGIONS[p]: p for p in provinces}
    d = dose[(dose["GID_0"] == "CHN") & dose["region"].isin(names) & dose["year"].isin(list(years))].copy()
    d["value"] = pd.to_numeric(d["man_grp_pc_lcu"], errors="coerce") * pd.to_numeric(d["pop"], errors="coerce")
    d["key"] = d["region"].map(names)
    wide = d.pivot_table(index="year", columns="key", values="value", aggfunc="sum")
    wide = wide.reindex(index=list(years), columns=list(provinces))
    if wide.isna().any().any():
        gaps = [f"{p} {y}" for y in wide.index for p in wide.columns if np.isnan(wide.loc[y, p])]
        raise ValueError(f"DOSE: no manufacturing value added for {gaps[:8]}")
    share = wide.div(wide.sum(axis=1), axis=0) * 100
    return share.rename_axis(columns="key").stack().rename("real").reset_index()


def simulated_province_shares(panel: pd.DataFrame, provinces: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
    """``year``, ``key`` (province code), ``simulated``: the province's share (percent) of the
    output of the firms in ``panel`` (``year``, ``county``, ``output``) located in ``provinces``."""
    p = panel.assign(key=panel["county"].astype(str).str[:2])
    p = p[p["key"].isin(list(provinces)) & p["year"].isin(list(years))]
    wide = p.pivot_table(index="year", columns="key", values="output", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(index=list(years), columns=list(provinces), fill_value=0.0)
    share = wide.div(wide.sum(axis=1).replace(0.0, np.nan), axis=0) * 100
    return share.rename_axis(columns="key").stack().rename("simulated").reset_index()


def industry_mix(population: pd.DataFrame, national: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """``year``, ``key`` (2002 division), ``simulated`` (percent of the synthetic firms' employment,
    ``population``: ``year``, ``industry``, ``employment``), ``real`` (percent of China's
    manufacturing employment, ``national`` of :func:`yrd.industry.national_division_employment`)."""
    pop = population[population["year"].isin(list(years))]
    sim = pop.groupby(["year", "industry"])["employment"].sum()
    sim = sim / sim.groupby(level="year").transform("sum") * 100
    sim = sim.rename_axis(["year", "key"]).rename("simulated").reset_index()
    real = national[national["year"].isin(list(years))].rename(columns={"code": "key"})
    real = real.assign(real=real["share"] * 100)[["year", "key", "real"]]
    out = real.merge(sim.astype({"year": real["year"].dtype}), on=["year", "key"], how="left")
    return out.fillna({"simulated": 0.0})


def calibration_table(
    panel: pd.DataFrame,
    population: pd.DataFrame,
    dose: pd.DataFrame,
    national: pd.DataFrame,
    provinces: Sequence[str],
    years: Sequence[int],
) -> pd.DataFrame:
    """Both moments in one long table (columns :data:`COLUMNS`; shares in percent)."""
    prov = simulated_province_shares(panel, provinces, years).merge(
        dose_manufacturing_shares(dose, provinces, years), on=["year", "key"], how="outer"
    )
    parts = [
        prov.assign(moment="province_output_share"),
        industry_mix(population, national, years).assign(moment="industry_employment_share"),
    ]
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    out["key"] = out["key"].astype(str)
    out["difference_pp"] = out["simulated"] - out["real"]
    out["matched_by_construction"] = out["moment"].map(MOMENTS)
    return out[COLUMNS].sort_values(["moment", "key", "year"], kind="stable").reset_index(drop=True)


def _fit(g: pd.DataFrame) -> pd.Series:
    g = g.dropna(subset=["simulated", "real"])
    diff = g["simulated"] - g["real"]
    corr = g["simulated"].corr(g["real"]) if len(g) > 2 and g["simulated"].std() > 0 and g["real"].std() > 0 else np.nan
    return pd.Series(
        {
            "n": len(g),
            "rmse_pp": float(np.sqrt(np.mean(diff**2))) if len(g) else np.nan,
            "correlation": corr,
            "mean_difference_pp": float(diff.mean()) if len(g) else np.nan,
        }
    )


def fit_statistics(table: pd.DataFrame) -> pd.DataFrame:
    """Fit of each moment of :func:`calibration_table`: ``moment``, ``key`` (``all``, or a
    province for the provincial shares), ``n``, ``rmse_pp``, ``correlation`` (Pearson, over the
    years for one province), ``mean_difference_pp`` and ``matched_by_construction``."""
    rows = []
    for moment, g in table.groupby("moment", sort=True):
        rows.append({"moment": moment, "key": "all", **_fit(g)})
        if moment == "province_output_share":
            for key, h in g.groupby("key", sort=True):
                rows.append({"moment": moment, "key": key, **_fit(h)})
    out = pd.DataFrame(rows)
    out["n"] = out["n"].astype("int64")
    stats = ["rmse_pp", "correlation", "mean_difference_pp"]
    out[stats] = out[stats].astype(float).round(10) + 0.0  # a mean difference of shares is 0 up to rounding
    out["matched_by_construction"] = out["moment"].map(MOMENTS)
    return out
