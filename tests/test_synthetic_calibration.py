"""The synthetic world against real aggregates (yrd.synthetic.calibration): DOSE shares, the
simulated shares, the industry mix and the fit statistics on hand-made frames and the shipped
DOSE file, and the figure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.resources import DOSE_CHINA_CSV, industries
from yrd.figures.calibration import calibration_figure
from yrd.figures.common import SYNTHETIC_EN, industry_labels, save
from yrd.synthetic.calibration import (
    DOSE_REGIONS,
    calibration_table,
    dose_manufacturing_shares,
    fit_statistics,
    simulated_province_shares,
)

DOSE = pd.read_csv(DOSE_CHINA_CSV, low_memory=False)
PROV = ["31", "32", "33", "34"]


def test_dose_shares_are_manufacturing_value_added_shares():
    s = dose_manufacturing_shares(DOSE, PROV, [2005]).set_index("key")["real"]
    d = DOSE[(DOSE["year"] == 2005) & DOSE["region"].isin(["Shanghai", "Jiangsu", "Zhejiang", "Anhui"])]
    man = (d["man_grp_pc_lcu"] * d["pop"]).to_numpy()
    assert s["31"] == pytest.approx(100 * man[d["region"].to_numpy() == "Shanghai"][0] / man.sum())
    assert s.sum() == pytest.approx(100)
    assert 15 < s["31"] < 20 and s["32"] > s["33"] > s["34"]  # 2005: 18.0, 43.3, 29.5, 9.2
    with pytest.raises(ValueError, match="no DOSE region known for provinces"):
        dose_manufacturing_shares(DOSE, ["31", "71"], [2005])  # Taiwan: not in the survey, nor in DOSE's China
    # a national world: all 31 mainland provinces are DOSE regions; Guangdong's 2005 share is its own
    everywhere = dose_manufacturing_shares(DOSE, sorted(DOSE_REGIONS), [2005]).set_index("key")["real"]
    assert len(everywhere) == 31 and everywhere.sum() == pytest.approx(100)
    d = DOSE[(DOSE["year"] == 2005) & (DOSE["GID_0"] == "CHN")]
    man = d["man_grp_pc_lcu"] * d["pop"]
    assert everywhere["44"] == pytest.approx(100 * man[d["region"] == "Guangdong"].sum() / man.sum())
    with pytest.raises(ValueError, match="no manufacturing value added"):
        dose_manufacturing_shares(DOSE, PROV, [2030])


def _frames():
    panel = pd.DataFrame(
        {
            "year": [2000, 2000, 2000, 2001, 2001, 2001],
            "county": ["310101", "320501", "330102", "310101", "320501", "340102"],
            "output": [30.0, 50.0, 20.0, 10.0, 60.0, 30.0],
        }
    )
    population = pd.DataFrame(
        {"year": [2000, 2000, 2001, 2001], "industry": ["13", "14", "13", "14"], "employment": [3, 1, 1, 1]}
    )
    national = pd.DataFrame(
        {"year": [2000, 2000, 2001, 2001], "code": ["13", "14", "13", "14"], "share": [0.5, 0.5, 0.5, 0.5]}
    )
    return panel, population, national


def test_simulated_shares_and_the_table():
    panel, population, national = _frames()
    s = simulated_province_shares(panel, PROV, [2000, 2001]).set_index(["year", "key"])["simulated"]
    assert s[2000, "31"] == pytest.approx(30) and s[2000, "34"] == 0 and s[2001, "34"] == pytest.approx(30)
    t = calibration_table(panel, population, DOSE, national, PROV, [2000, 2001])
    assert set(t["moment"]) == {"province_output_share", "industry_employment_share"}
    mix = t[t["moment"] == "industry_employment_share"].set_index(["year", "key"])
    assert mix.loc[(2000, "13"), "simulated"] == pytest.approx(75) and mix.loc[(2000, "13"), "real"] == 50
    assert mix["matched_by_construction"].all()
    assert not t.loc[t["moment"] == "province_output_share", "matched_by_construction"].any()
    np.testing.assert_allclose(t["difference_pp"], t["simulated"] - t["real"])


def test_fit_statistics_by_hand():
    t = pd.DataFrame(
        {
            "moment": "province_output_share",
            "key": ["31", "31", "31", "32", "32", "32"],
            "year": [1, 2, 3, 1, 2, 3],
            "simulated": [10.0, 20.0, 30.0, 50.0, 50.0, 50.0],
            "real": [12.0, 18.0, 30.0, 48.0, 52.0, 50.0],
        }
    )
    f = fit_statistics(t).set_index("key")
    assert f.loc["31", "rmse_pp"] == pytest.approx(np.sqrt(8 / 3))
    assert f.loc["31", "correlation"] == pytest.approx(np.corrcoef([10, 20, 30], [12, 18, 30])[0, 1])
    assert np.isnan(f.loc["32", "correlation"])  # no variation in the simulated series
    assert f.loc["all", "n"] == 6 and f.loc["all", "mean_difference_pp"] == pytest.approx(0)


def test_calibration_figure_is_marked_synthetic(tmp_path):
    years = list(range(2000, 2004))
    rows = []
    for k, base in zip(PROV, [20, 40, 30, 10], strict=True):
        for i, y in enumerate(years):
            rows.append(("province_output_share", k, y, base + i, base - i))
    for k, share in [("13", 10.0), ("40", 60.0), ("17", 30.0)]:
        rows.append(("industry_employment_share", k, 2003, share + 1, share))
    t = pd.DataFrame(rows, columns=["moment", "key", "year", "simulated", "real"])
    t["matched_by_construction"] = t["moment"] == "industry_employment_share"
    fig = calibration_figure(
        t, fit_statistics(t), industry_labels(False, industries()), cjk=False, source="Source: test."
    )
    texts = [x.get_text() for x in fig.texts]
    assert any(SYNTHETIC_EN in x for x in texts)
    assert any("SYNTHETIC" in x.get_text() for x in fig.axes[0].get_legend().get_texts())
    assert save(fig, tmp_path / "c.png", 50).stat().st_size > 10_000
