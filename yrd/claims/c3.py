"""C3: Zhejiang firms' migration since 2000, and mutual migration among SH/JS/ZJ, as rates.

The paper: 苏、浙、沪企业的互迁互移活动频繁，自 2000 年以来浙江企业的迁移呈扩大态势 (migration among
Jiangsu, Zhejiang and Shanghai is frequent; the migration of Zhejiang firms has been expanding
since 2000).

Expanding (the verdict)
-----------------------
For each year ``t`` from ``claims.c3.start``: moves of Zhejiang firms out of their prefecture
(origin in province 33, any other prefecture) and out of the province (destination outside 33),
per Zhejiang firm at risk (observed in Zhejiang in t-1 or t, :func:`yrd.claims.rates.firms_at_risk`).
Trend: ``log E[moves_t] = log(at_risk_t) + b0 + b1 (t - start) + b2 post_break_t`` (pyfixest
``fepois``, robust s.e.); ``exp(b1) - 1`` is the yearly growth of the rate, with the ASIF
sampling break (``claims.c3.break_year``) held apart by ``b2``.
*Supported*: b1 > 0 with p < alpha for moves out of the prefecture; *not supported*: b1 < 0 with
p < alpha; *inconclusive*: otherwise; *no data*: fewer than ``min_years`` years or no moves.

Frequent (reported beside it)
-----------------------------
Moves between prefectures of different provinces among ``claims.c3.provinces`` per firm at risk
in those provinces, against the benchmark of moves between prefectures of one province (same
firms at risk): the ratio of the two rates is the ratio of the counts, with an exact interval
from the conditional binomial (share ``k / n`` with its Clopper-Pearson interval, ratio
``p / (1 - p)``). The paper gives no threshold for "frequent", so this part is reported, not
scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from yrd.claims.base import ClaimResult, _p
from yrd.claims.rates import RateFit, clopper_pearson, firms_at_risk, poisson_rate, rate_intervals

ZHEJIANG = "33"


def _prov(codes: pd.Series) -> pd.Series:
    return codes.astype(str).str[:2]


def c3_yearly(
    moves: pd.DataFrame, firm_years: pd.DataFrame, provinces: Sequence[str], years: Sequence[int], break_year: int
) -> pd.DataFrame:
    """One row per year: ``year``, ``zj_at_risk``, ``zj_out_prefecture``, ``zj_out_province``
    (moves of Zhejiang firms), ``at_risk`` (firms at risk in ``provinces``), ``between_provinces``
    and ``within_province`` (moves between prefectures among ``provinces``), ``trend`` (years
    since the first year) and ``post_break`` (1 for years >= ``break_year``)."""
    provs = [str(p)[:2] for p in provinces]
    yrs = sorted(int(y) for y in years)
    pref = firm_years["prefecture"].dropna().astype(str).unique()
    zj = firms_at_risk(firm_years, pd.Series("zj", index=[c for c in pref if c[:2] == ZHEJIANG]), yrs)
    three = firms_at_risk(firm_years, pd.Series("three", index=[c for c in pref if c[:2] in provs]), yrs)
    mv = moves[moves["origin_prefecture"].astype(str) != moves["dest_prefecture"].astype(str)]
    po, pdst = _prov(mv["origin_prefecture"]), _prov(mv["dest_prefecture"])
    idx = pd.Index(yrs, name="year")

    def count(sel: pd.Series) -> pd.Series:
        return mv[sel].groupby("year").size().reindex(idx, fill_value=0)

    inside = po.isin(provs) & pdst.isin(provs)
    out = pd.DataFrame(
        {
            "zj_at_risk": zj.set_index("year")["at_risk"].reindex(idx, fill_value=0),
            "zj_out_prefecture": count(po == ZHEJIANG),
            "zj_out_province": count((po == ZHEJIANG) & (pdst != ZHEJIANG)),
            "at_risk": three.set_index("year")["at_risk"].reindex(idx, fill_value=0),
            "between_provinces": count(inside & (po != pdst)),
            "within_province": count(inside & (po == pdst)),
        },
        index=idx,
    ).reset_index()
    out["trend"] = out["year"] - (yrs[0] if yrs else 0)
    out["post_break"] = (out["year"] >= int(break_year)).astype("int64")
    return out.astype("int64")


def c3_trend(yearly: pd.DataFrame, series: str) -> RateFit | None:
    """Poisson trend of ``series`` per Zhejiang firm at risk with the break dummy (module docstring)."""
    t = yearly[[series, "zj_at_risk", "trend", "post_break"]]
    return poisson_rate(t, ["trend", "post_break"], count=series, exposure="zj_at_risk")


def c3_frequency(yearly: pd.DataFrame, alpha: float) -> dict[str, float]:
    """Rates per 1,000 firm-years at risk of moves between and within provinces and their ratio
    with its exact interval (module docstring): ``between``, ``within``, ``risk``, ``rate_between``,
    ``rate_within``, ``ratio``, ``lo``, ``hi``."""
    k, m, risk = (int(yearly[c].sum()) for c in ("between_provinces", "within_province", "at_risk"))
    lo, hi = clopper_pearson(k, k + m, alpha)

    def odds(p: float) -> float:
        return p / (1 - p) if p < 1 else float("inf")

    return {
        "between": k,
        "within": m,
        "risk": risk,
        "rate_between": 1000 * k / risk if risk else float("nan"),
        "rate_within": 1000 * m / risk if risk else float("nan"),
        "ratio": k / m if m else float("inf"),
        "lo": odds(lo),
        "hi": odds(hi),
    }


def c3_verdict(trend: RateFit | None, alpha: float) -> str:
    """Verdict from the trend of moves out of the prefecture (module docstring)."""
    if trend is None or "trend" not in trend.coef:
        return "no data"
    if trend.p["trend"] < alpha:
        return "supported" if trend.coef["trend"] > 0 else "not supported"
    return "inconclusive"


def c3_trend_text(label: str, fit: RateFit | Mapping[str, Any] | None, moves: int, risk: int) -> str:
    """One series' numbers as printed in the claims table and in the C3 figure (``fit``: a
    :class:`RateFit` or its ``to_dict()`` from the claim document)."""
    f = fit.to_dict() if isinstance(fit, RateFit) else fit
    if f is None or "trend" not in f["coef"]:
        return f"{label}: {moves} moves / {risk} firm-years, trend not estimable (too few moves, or none on one side of the break)"
    g = f["growth"]["trend"]
    brk = f", break {f['rate_ratios']['post_break'][0]:.2f}x" if "post_break" in f["coef"] else ", no break dummy"
    return (
        f"{label}: {moves} moves / {risk} firm-years ({1000 * moves / max(risk, 1):.2f} per 1,000), "
        f"trend {g:+.1%}/year (p={_p(f['p']['trend'])}){brk}"
    )


def claim_c3(
    moves: pd.DataFrame, firm_years: pd.DataFrame, years: Sequence[int], cfg: Mapping[str, Any], alpha: float
) -> ClaimResult:
    """C3. ``years``: the study years; ``cfg``: provinces, start, end (null: last year), min_years,
    break_year."""
    provs = [str(p) for p in cfg["provinces"]]
    end = int(cfg["end"]) if cfg.get("end") is not None else max(years)
    yrs = [y for y in years if int(cfg["start"]) <= y <= end]
    b = cfg["break_year"]
    test = (
        f"Moves of Zhejiang firms out of their prefecture per Zhejiang firm at risk (observed in Zhejiang in "
        f"t-1 or t), {cfg['start']}-{end}: Poisson trend on the year with log firms at risk as offset and a "
        f"post-{b} dummy (ASIF threshold), robust s.e.: supported if the trend > 0 with p < {alpha}, not "
        f"supported if < 0 with p < {alpha}, else inconclusive. Reported beside it: the trend out of the "
        f"province, and 'frequent': moves between provinces among {', '.join(provs)} per firm at risk against "
        "the benchmark of moves between prefectures within one province (rate ratio, exact interval; the "
        "paper gives no threshold, so it is not scored)."
    )
    evidence = "figures/c3_relocations_sh_js_zj.png; relocations/moves.parquet; clean/firm_years.parquet"
    if len(yrs) < int(cfg["min_years"]):
        return ClaimResult(
            "C3", test, f"{len(yrs)} years in the window", "no data", evidence, details={"config": dict(cfg)}
        )
    y = c3_yearly(moves, firm_years, provs, yrs, b)
    if y["zj_out_prefecture"].sum() == 0:
        return ClaimResult(
            "C3", test, "no moves of Zhejiang firms", "no data", evidence, details={"yearly": y, "config": dict(cfg)}
        )
    tr = c3_trend(y, "zj_out_prefecture")
    tp = c3_trend(y, "zj_out_province")
    fr = c3_frequency(y, alpha)
    verdict = c3_verdict(tr, alpha)
    risk = int(y["zj_at_risk"].sum())
    parts = [
        c3_trend_text("Zhejiang out of prefecture", tr, int(y["zj_out_prefecture"].sum()), risk),
        c3_trend_text("out of province", tp, int(y["zj_out_province"].sum()), risk),
        c3_frequency_text(fr, alpha),
    ]
    y = c3_drawing(y, {"zj_out_prefecture": tr, "zj_out_province": tp}, alpha)
    details: dict[str, Any] = {
        "yearly": y,
        "trend": tr,
        "trend_province": tp,
        "frequency": fr,
        "alpha": alpha,
        "config": dict(cfg),
        "confidence": 1 - alpha,
        "totals": {"zj_at_risk": risk, **{c: int(y[c].sum()) for c in ("zj_out_prefecture", "zj_out_province")}},
    }
    for c in ("zj_out_prefecture", "zj_out_province"):
        details["totals"][f"{c}_per_1000"] = 1000 * details["totals"][c] / max(risk, 1)
    return ClaimResult("C3", test, "; ".join(parts), verdict, evidence, details=details)


def c3_frequency_text(fr: Mapping[str, float], alpha: float) -> str:
    """The 'frequent' numbers as printed in the claims table and in the C3 figure."""

    def f2(x: float | None) -> str:  # the claim document stores inf and NaN as null
        return "NA" if x is None or not math.isfinite(x) else f"{x:.2f}"

    return (
        f"between provinces {fr['between']} moves ({f2(fr['rate_between'])} per 1,000 firm-years) vs within "
        f"provinces {fr['within']} ({f2(fr['rate_within'])}): ratio {f2(fr['ratio'])} "
        f"[{f2(fr['lo'])}, {f2(fr['hi'])}] ({1 - alpha:.0%} exact)"
    )


RATE_SERIES = {
    "zj_out_prefecture": "zj_at_risk",
    "zj_out_province": "zj_at_risk",
    "between_provinces": "at_risk",
    "within_province": "at_risk",
}


def c3_drawing(yearly: pd.DataFrame, fits: Mapping[str, RateFit | None], alpha: float) -> pd.DataFrame:
    """``yearly`` with what the C3 figure draws: for each series of :data:`RATE_SERIES` its rate
    per firm at risk (``<series>_rate``) and exact ``1 - alpha`` Poisson interval (``_low``,
    ``_high``, :func:`yrd.claims.rates.rate_intervals`), and for each fitted series the fitted
    rate of its Poisson trend (``<series>_fit``, :meth:`RateFit.fitted_rate`)."""
    y = yearly.copy()
    for series, risk in RATE_SERIES.items():
        r = y[risk].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            y[f"{series}_rate"] = np.where(r > 0, y[series].to_numpy(dtype=float) / r, np.nan)
        y[f"{series}_low"], y[f"{series}_high"] = rate_intervals(y[series], y[risk], alpha)
    for series, fit in fits.items():
        if fit is not None and "trend" in fit.coef:
            y[f"{series}_fit"] = fit.fitted_rate(y)
    return y
