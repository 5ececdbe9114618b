"""C3: moves among Shanghai, Jiangsu and Zhejiang since 2000."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from yrd.claims.base import ClaimResult, _fmt, _p
from yrd.claims.stats import PoissonTrend, poisson_trend


def c3_yearly(moves: pd.DataFrame, provinces: Sequence[str], years: Sequence[int]) -> pd.DataFrame:
    """Moves between prefectures of *different* provinces among ``provinces`` (2-digit codes),
    by year (zeros kept): ``year``, ``moves``, and ``from_<code>`` (moves out of each province
    to the others)."""
    provs = [str(p)[:2] for p in provinces]
    po = moves["origin_prefecture"].astype(str).str[:2]
    pdst = moves["dest_prefecture"].astype(str).str[:2]
    m = moves[po.isin(provs) & pdst.isin(provs) & (po != pdst)].assign(op=po, dp=pdst)
    idx = pd.Index(sorted(int(y) for y in years), name="year")
    out = pd.DataFrame(index=idx)
    out["moves"] = m.groupby("year").size().reindex(idx, fill_value=0)
    for p in provs:
        out[f"from_{p}"] = m[m["op"] == p].groupby("year").size().reindex(idx, fill_value=0)
    return out.reset_index().astype("int64")


def c3_verdict(trend: PoissonTrend | None, alpha: float) -> str:
    """``supported``: Poisson trend > 0 with p < alpha; ``not supported``: < 0 with p < alpha;
    ``inconclusive``: p >= alpha; ``no data``: no trend (too few years or no moves)."""
    if trend is None:
        return "no data"
    if trend.p < alpha:
        return "supported" if trend.slope > 0 else "not supported"
    return "inconclusive"


def claim_c3(moves: pd.DataFrame, years: Sequence[int], cfg: Mapping[str, Any], alpha: float) -> ClaimResult:
    """C3. ``years``: the study years; ``cfg``: provinces, start, end (null: last year), min_years."""
    provs = [str(p) for p in cfg["provinces"]]
    end = int(cfg["end"]) if cfg.get("end") is not None else max(years)
    yrs = [y for y in years if int(cfg["start"]) <= y <= end]
    test = (
        f"Yearly moves between prefectures of different provinces among {', '.join(provs)} in "
        f"{cfg['start']}-{end}: Poisson (quasi-Poisson s.e.) trend on the year: supported if the trend "
        f"> 0 with p < {alpha}, not supported if < 0 with p < {alpha}, else inconclusive. The mean per "
        "year and the trend of moves out of Zhejiang (the paper's survey) are reported."
    )
    evidence = "figures/c3_relocations_sh_js_zj.png; relocations/moves.parquet"
    if len(yrs) < int(cfg["min_years"]):
        return ClaimResult("C3", test, f"{len(yrs)} years in the window", "no data", evidence)
    y = c3_yearly(moves, provs, yrs)
    if y["moves"].sum() == 0:
        return ClaimResult(
            "C3",
            test,
            "no moves among these provinces",
            "no data",
            evidence,
            details={"yearly": y},
        )
    tr = poisson_trend(y["moves"], y["year"])
    verdict = c3_verdict(tr, alpha)
    parts = [
        f"{int(y['moves'].sum())} moves, {y['moves'].mean():.1f}/year; trend {_fmt(tr.slope)}/year "
        f"({tr.growth:+.1%}/year, p={_p(tr.p)}, dispersion {tr.dispersion:.2f})"
    ]
    details: dict[str, Any] = {"yearly": y, "trend": tr}
    if "33" in provs and y["from_33"].sum() > 0:
        tz = poisson_trend(y["from_33"], y["year"])
        parts.append(f"out of Zhejiang: {int(y['from_33'].sum())} moves, trend {tz.growth:+.1%}/year (p={_p(tz.p)})")
        details["zhejiang_trend"] = tz
    return ClaimResult("C3", test, "; ".join(parts), verdict, evidence, details=details)
