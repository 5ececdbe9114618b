"""C4 on the measured dimensions (yrd.claims.c4_measured): indicators from the shipped real data,
the speed regression against statsmodels, and the verdict rule on series with known ranking."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from yrd.claims import claim_c4
from yrd.claims.c4_measured import (
    dose_dispersion,
    measured_indicators,
    measured_ranking,
    progress_speed,
    speed_difference,
)

ROOT = Path(__file__).resolve().parents[1]
DOSE = pd.read_csv(ROOT / "resources" / "dose" / "dose_china.csv")
TIERS = [["transport"], ["information", "ecology"], ["market", "industry", "institution", "economic"]]
CFG = {"tiers": {"top": TIERS[0], "middle": TIERS[1], "bottom": TIERS[2]}}


def test_dose_dispersion_by_hand_from_the_shipped_rows():
    # DOSE v2.11 grp_pc_lcu of Anhui, Jiangsu, Shanghai, Zhejiang in 1998 (rows of dose_china.csv)
    gdp = np.array([4131.199619, 10017.54117, 29100.54196, 11333.89156])
    got = dose_dispersion(DOSE, [1998, 2013]).set_index(["year", "indicator"])["value"]
    assert got.loc[(1998, "gdp_per_capita_dispersion")] == pytest.approx(gdp.std() / gdp.mean(), rel=1e-9)
    share = np.array([0.360721, 0.505785, 0.492461, 0.547845])  # man_grp_pc_lcu / grp_pc_lcu, 1998
    assert got.loc[(1998, "manufacturing_share_dispersion")] == pytest.approx(share.std() / share.mean(), rel=1e-5)
    # sigma-convergence of GDP per capita across the four provinces: 0.683 -> 0.323
    assert got.loc[(2013, "gdp_per_capita_dispersion")] == pytest.approx(0.3230, abs=5e-4)


def _progress(speeds, noise=0.004, years=range(1998, 2014), seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for dim, s in speeds.items():
        for y in years:
            rows.append((y, dim, float(np.exp(s * (y - years[0]) + rng.normal(0, noise)))))
    return pd.DataFrame(rows, columns=["year", "dimension", "progress"])


def test_speed_matches_statsmodels_newey_west():
    prog = _progress({"transport": 0.02})
    got = progress_speed(prog, lags=2).iloc[0]
    g = prog.assign(t=prog["year"] - prog["year"].mean())
    # pyfixest's NW equals statsmodels' HAC with the small-sample correction n/(n-k)
    ref = sm.OLS(np.log(g["progress"]), sm.add_constant(g["t"])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2, "use_correction": True}
    )
    assert got["speed"] == pytest.approx(ref.params["t"], rel=1e-10)
    assert got["se"] == pytest.approx(ref.bse["t"], rel=1e-6)


def test_speed_difference_is_the_difference_of_slopes():
    prog = _progress({"transport": 0.03, "economic": 0.01})
    d = speed_difference(prog, "transport", "economic")
    sp = progress_speed(prog).set_index("dimension")["speed"]
    assert d["diff"] == pytest.approx(sp["transport"] - sp["economic"], rel=1e-9)
    assert d["p"] < 0.001


def _indicators(prog):
    return prog.assign(indicator=prog["dimension"] + "_x", value=1 / prog["progress"], base_year=1998)


@pytest.mark.parametrize(
    ("speeds", "noise", "expected"),
    [
        ({"transport": 0.03, "economic": 0.01}, 0.004, "supported"),
        ({"transport": 0.01, "economic": 0.03}, 0.004, "not supported"),
        ({"transport": 0.010, "economic": 0.0095}, 0.05, "inconclusive"),
    ],
)
def test_verdict_on_known_rankings(speeds, noise, expected):
    verdict, table, _ = measured_ranking(_indicators(_progress(speeds, noise)), TIERS, 0.05)
    assert verdict == expected, table


def test_claim_on_shipped_data_names_what_it_could_not_test():
    idx = []
    from yrd.integration import integration_index, read_cities, read_road_times

    times = read_road_times(ROOT / "resources" / "transport_times" / "yrd_travel_time_road.csv", range(1998, 2014))
    w = read_cities(ROOT / "resources" / "transport_times" / "cityinfo_yrd.csv").set_index("code")["weight"]
    prefs = pd.read_csv(ROOT / "resources" / "regions" / "prefectures.csv", dtype={"code": str})
    idx = integration_index(times, w, {"yrd41_2019": prefs["code"].tolist()}, base_year=1998)
    measured = measured_indicators(idx, DOSE, "yrd41_2019", range(1998, 2014))
    assert set(measured["indicator"]) == {
        "mean_travel_time",
        "gdp_per_capita_dispersion",
        "manufacturing_share_dispersion",
    }
    r = claim_c4(None, None, CFG, 0.05, measured)
    # On these real numbers GDP per capita converges faster (0.683 -> 0.323) than travel time
    # falls (5.86 h -> 4.35 h): the paper's ranking is not supported among the measured dimensions.
    assert r.verdict == "not supported"
    assert r.value.startswith("transport: progress 1.347")
    for dim in ("information", "ecology", "institution", "market"):
        assert dim in r.notes
    # a user's indicator table still takes precedence
    user = pd.DataFrame(
        {
            "year": [2000] * 6,
            "dimension": list(CFG["tiers"]["top"]) + ["information", "ecology", "market", "industry", "institution"],
            "value": [6, 5, 4, 3, 2, 1],
        }
    )
    assert (
        claim_c4(
            None,
            user,
            {
                "tiers": {
                    "top": ["transport"],
                    "middle": ["information", "ecology"],
                    "bottom": ["market", "industry", "institution"],
                }
            },
            0.05,
            measured,
        ).verdict
        == "supported"
    )
