"""The paper's claims C1-C7 (docs: /work/shared/DESIGN.md), each tested on the pipeline's tables.

Zhang Erzhen and Fang Yong, *长三角一体化与苏南竞争力*. For each claim a function
``claim_cN(...)`` takes plain tables and the claim's config block and returns a
:class:`ClaimResult`: the statement (English and the paper's Chinese words), the stated test in
words (with the thresholds of the config), the numbers behind it, the verdict and the evidence
files. :func:`claims_table` stacks them into ``results/claims.csv``.

Verdicts (:data:`VERDICTS`) come only from the tests below, computed on the data:

``supported``       every condition of the test holds;
``not supported``   the test's conditions fail as defined per claim;
``inconclusive``    part of the test holds, or the estimate is not significant;
``no data``         the data needed for the test are absent (the default for C4 and for the
                    parts of C6/C7 the pipeline has no data for, listed in ``notes``).

Statistics: OLS with classical or Newey-West (HAC) standard errors and a Poisson trend
(quasi-Poisson: Pearson dispersion, never below 1) are implemented here with NumPy/SciPy, so
the claims need no statsmodels; p-values are two-sided from Student's t with n - k degrees of
freedom (conservative with 10-20 annual points).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

VERDICTS = ("supported", "not supported", "inconclusive", "no data")
COLUMNS = ["claim", "statement", "statement_zh", "test", "value", "verdict", "evidence", "notes"]

#: The paper's words (quoted from /work/shared/paper) and an English statement.
STATEMENTS: dict[str, tuple[str, str]] = {
    "C1": (
        "New economic geography's inverted U: regional concentration of industry rises as integration "
        "goes from low to medium and falls from medium to high; regional specialisation rises with "
        "integration.",
        "一体化水平从低级阶段向中级阶段挺进时，产业的地区集中率是上升的；而一体化从中级阶段向高级阶段挺进时，"
        "产业的地区集中率是下降的，即新经济地理学中所谓的，倒“U”字型曲线。同时，随着一体化水平的提升，"
        "地区专业化水平和单个产业的集中率将会上升。",
    ),
    "C2": (
        "In the four years before the paper Shanghai moved labour- and capital-intensive industries to "
        "Jiangsu and Zhejiang and took in port-type and urban-type industry from them.",
        "在过去的四年内长三角内部发生了激烈的制造业区域结构调整，上海将部分劳动密集型和资本密集型产业转移到了"
        "江苏和浙江，而从江苏和浙江吸收的是港口型和都市型工业。",
    ),
    "C3": (
        "Firm migration among Jiangsu, Zhejiang and Shanghai is frequent and has grown since 2000.",
        "苏、浙、沪企业的互迁互移活动频繁，自 2000 年以来浙江企业的迁移呈扩大态势。",
    ),
    "C4": (
        "Integration is highest in transport, then information and ecology; market, industry and "
        "institutional integration lag most.",
        "以常用的六个指标（市场、产业、交通、信息、制度、生态）来度量，长三角一体化的现状是：交通一体化水平最高、"
        "发展速度最快；信息一体化和生态一体化水平次之；市场一体化、产业一体化和制度一体化最为落后。",
    ),
    "C5": (
        "Low-level convergence of industrial structures (产业同构) among the regions of the YRD.",
        "区域间的低水平产业同构现象……产业结构低水平趋同现象严重。",
    ),
    "C6": (
        "EU 2002: Germany's GDP 14% above the EU average, Portugal's and Greece's 46% below; "
        "Italy's regional per-capita GDP differs by 70%.",
        "2002 年德国的 GDP 高于欧盟平均水平 14%，而葡萄牙和希腊的 GDP 则低于欧盟平均水平 46%。此外，"
        "成员国内部也存在着程度不同的地区差距，意大利不同地区人均 GDP 高低相差 70%。",
    ),
    "C7": (
        "Sunan's future is as an international manufacturing base; its clusters are foreign-led and "
        "weakly rooted (thin local supplier networks).",
        "苏南的战略定位应是国际制造业基地……外资带动型产业集聚，是苏南产业集聚中发展最快的类型……"
        "产业集群的植根性弱。",
    ),
}


@dataclass
class ClaimResult:
    """One row of the claims table (``details`` holds the numbers for figures and tests)."""

    claim: str
    test: str
    value: str
    verdict: str
    evidence: str
    notes: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict {self.verdict!r} not in {VERDICTS}")

    def row(self) -> dict[str, str]:
        en, zh = STATEMENTS[self.claim]
        return {
            "claim": self.claim,
            "statement": en,
            "statement_zh": zh,
            "test": self.test,
            "value": self.value,
            "verdict": self.verdict,
            "evidence": self.evidence,
            "notes": self.notes,
        }


def claims_table(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """Rows C1.. in claim order with the columns of :data:`COLUMNS`."""
    rows = sorted((r.row() for r in results), key=lambda r: int(r["claim"][1:]))
    return pd.DataFrame(rows, columns=COLUMNS)


def _fmt(x: float, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "NA"
    return f"{x:.{digits}g}"


def _p(p: float) -> str:
    if p is None or not math.isfinite(p):
        return "NA"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def read_table(path) -> pd.DataFrame:
    """Read a ``.csv`` or ``.parquet`` table (for configured inputs: integration, indicators)."""
    path = str(path)
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


# --------------------------------------------------------------------------------- statistics
@dataclass
class OLSResult:
    """OLS estimates: ``coef``, ``se``, ``t``, ``p`` (two-sided, t with ``df`` = n - k), ``cov``."""

    coef: np.ndarray
    se: np.ndarray
    t: np.ndarray
    p: np.ndarray
    cov: np.ndarray
    df: int
    n: int
    se_type: str


def newey_west_lags(n: int) -> int:
    """Newey and West (1994) rule of thumb: floor(4 (n/100)^(2/9))."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def ols(y, X, se: str = "hac", lags: int | None = None) -> OLSResult:
    """Least squares of ``y`` on the columns of ``X`` (include the constant yourself).

    ``se``: ``classical`` (s^2 (X'X)^-1) or ``hac`` (Newey-West with Bartlett weights and
    ``lags`` lags, default :func:`newey_west_lags`, times n/(n-k)); time order is the row order.
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if n <= k:
        raise ValueError(f"OLS needs more observations ({n}) than coefficients ({k})")
    xtx_inv = np.linalg.pinv(X.T @ X)
    coef = xtx_inv @ X.T @ y
    e = y - X @ coef
    df = n - k
    if se == "classical":
        cov = xtx_inv * (e @ e / df)
    elif se == "hac":
        L = newey_west_lags(n) if lags is None else int(lags)
        u = X * e[:, None]
        S = u.T @ u
        for lag in range(1, min(L, n - 1) + 1):
            w = 1 - lag / (L + 1)
            G = u[lag:].T @ u[:-lag]
            S += w * (G + G.T)
        cov = xtx_inv @ S @ xtx_inv * n / df
    else:
        raise ValueError(f"se must be 'classical' or 'hac', got {se!r}")
    sd = np.sqrt(np.clip(np.diag(cov), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, coef / sd, np.where(coef == 0, 0.0, np.inf * np.sign(coef)))
    p = 2 * stats.t.sf(np.abs(t), df)
    return OLSResult(coef, sd, t, p, cov, df, n, se)


@dataclass
class QuadraticFit:
    """y = b0 + b1 x + b2 x^2 with the turning point -b1 / (2 b2) and the observed x range."""

    b0: float
    b1: float
    b2: float
    p_b2: float
    turning_point: float
    x_min: float
    x_max: float
    n: int
    ols: OLSResult

    @property
    def inside(self) -> bool:
        """Turning point strictly inside the observed range of x."""
        return bool(math.isfinite(self.turning_point) and self.x_min < self.turning_point < self.x_max)

    def shape(self, alpha: float) -> str:
        """``inverted_u`` (b2 < 0, p < alpha, turning point inside the range), ``concave``
        (b2 < 0, p < alpha, turning point outside), ``u`` (b2 > 0, p < alpha) or ``none``."""
        if self.p_b2 < alpha and self.b2 < 0:
            return "inverted_u" if self.inside else "concave"
        if self.p_b2 < alpha and self.b2 > 0:
            return "u"
        return "none"

    def predict(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return self.b0 + self.b1 * x + self.b2 * x**2


def quadratic_fit(x, y, se: str = "hac", lags: int | None = None) -> QuadraticFit:
    """Fit y on x and x^2 (see :class:`QuadraticFit`)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    res = ols(y, np.column_stack([np.ones_like(x), x, x**2]), se=se, lags=lags)
    b0, b1, b2 = res.coef
    tp = -b1 / (2 * b2) if b2 != 0 else float("nan")
    return QuadraticFit(b0, b1, b2, float(res.p[2]), float(tp), float(x.min()), float(x.max()), len(x), res)


@dataclass
class LinearTrend:
    intercept: float
    slope: float
    p: float
    n: int


def linear_trend(x, y, se: str = "hac", lags: int | None = None) -> LinearTrend:
    """OLS slope of y on x with its two-sided p-value."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    res = ols(y[ok], np.column_stack([np.ones(ok.sum()), x[ok]]), se=se, lags=lags)
    return LinearTrend(float(res.coef[0]), float(res.coef[1]), float(res.p[1]), int(ok.sum()))


@dataclass
class PoissonTrend:
    """log E[count_t] = a + b t, quasi-Poisson standard errors."""

    intercept: float
    slope: float
    se: float
    p: float
    dispersion: float
    n: int

    @property
    def growth(self) -> float:
        """Yearly growth rate exp(b) - 1."""
        return math.exp(self.slope) - 1

    def predict(self, t) -> np.ndarray:
        return np.exp(self.intercept + self.slope * np.asarray(t, dtype=float))


def poisson_trend(counts, t, max_iter: int = 100, tol: float = 1e-10) -> PoissonTrend:
    """Poisson regression of ``counts`` on a constant and ``t`` by iteratively reweighted least
    squares; the covariance is scaled by the Pearson dispersion chi2/(n - 2) when it exceeds 1
    (quasi-Poisson); p-value two-sided from t with n - 2 degrees of freedom."""
    y = np.asarray(counts, dtype=float)
    t = np.asarray(t, dtype=float)
    if len(y) < 3:
        raise ValueError("a Poisson trend needs at least three periods")
    if y.sum() <= 0:
        raise ValueError("a Poisson trend needs at least one count > 0")
    tc = t - t.mean()
    X = np.column_stack([np.ones_like(tc), tc])
    b = np.array([math.log(y.mean()), 0.0])
    for _ in range(max_iter):
        eta = X @ b
        mu = np.exp(eta)
        z = eta + (y - mu) / mu
        W = mu
        b_new = np.linalg.solve(X.T @ (X * W[:, None]), X.T @ (W * z))
        if np.max(np.abs(b_new - b)) < tol:
            b = b_new
            break
        b = b_new
    mu = np.exp(X @ b)
    n, k = X.shape
    disp = float(np.sum((y - mu) ** 2 / mu) / (n - k))
    cov = np.linalg.inv(X.T @ (X * mu[:, None])) * max(1.0, disp)
    se = float(math.sqrt(cov[1, 1]))
    p = float(2 * stats.t.sf(abs(b[1] / se), n - k)) if se > 0 else 0.0
    return PoissonTrend(float(b[0] - b[1] * t.mean()), float(b[1]), se, p, disp, n)


# ------------------------------------------------------------------------------------- C1
def integration_path(years: Sequence[int], table: pd.DataFrame | None = None, source: str = "") -> pd.DataFrame:
    """Integration measure by year: ``year``, ``integration``, ``source``.

    ``table``: columns ``year`` and ``integration``, several rows per year allowed (averaged):
    a user's integration index, or the synthetic world's ``prefecture_years`` (lambda(t), the
    same in every prefecture). Without a table the measure is the year itself.
    """
    years = sorted(int(y) for y in years)
    if table is not None:
        d = table.groupby("year", as_index=False)["integration"].mean()
        d = d.astype({"year": "int64", "integration": "float64"})
        src = source or "integration table"
    else:
        d = pd.DataFrame({"year": years, "integration": np.asarray(years, dtype=float)})
        src = "year (no integration measure configured)"
    d = d[d["year"].isin(years)].sort_values("year").reset_index(drop=True)
    d["source"] = src
    return d


def c1_series(
    concentration: pd.DataFrame,
    specialisation: pd.DataFrame,
    integration: pd.DataFrame,
    *,
    level: str,
    metrics: Sequence[str],
    specialisation_metric: str,
) -> pd.DataFrame:
    """One row per year: ``integration`` and the mean across industries of each concentration
    metric, and the mean across regions of the specialisation metric, at ``level``."""
    c = concentration[(concentration["level"] == level) & concentration["metric"].isin(metrics)]
    wide = c.groupby(["year", "metric"])["value"].mean().unstack("metric")
    s = specialisation[(specialisation["level"] == level) & (specialisation["metric"] == specialisation_metric)]
    wide["specialisation"] = s.groupby("year")["value"].mean()
    wide = wide.reset_index()
    wide["year"] = wide["year"].astype("int64")
    out = integration[["year", "integration"]].merge(wide, on="year", how="inner")
    for m in metrics:
        if m not in out:
            out[m] = np.nan
    return out[["year", "integration", *metrics, "specialisation"]]


def c1_verdict(fits: Mapping[str, QuadraticFit], alpha: float) -> str:
    """``supported``: every metric's quadratic term is negative with p < alpha and its turning
    point lies strictly inside the observed integration range (an inverted U within the data);
    ``not supported``: no metric has a negative quadratic term with p < alpha (flat, linear or
    U-shaped); ``inconclusive``: otherwise (negative and significant for some metric but the
    turning point outside the range, i.e. concave but monotone over the data, or metrics
    disagree); ``no data``: no fit."""
    if not fits:
        return "no data"
    shapes = [f.shape(alpha) for f in fits.values()]
    if all(s == "inverted_u" for s in shapes):
        return "supported"
    if not any(s in ("inverted_u", "concave") for s in shapes):
        return "not supported"
    return "inconclusive"


def claim_c1(series: pd.DataFrame, cfg: Mapping[str, Any], alpha: float, source: str = "") -> ClaimResult:
    """C1 from :func:`c1_series` output. ``cfg``: ``metrics``, ``se``, ``hac_lags``, ``min_years``."""
    metrics = list(cfg["metrics"])
    test = (
        f"OLS of the yearly mean across industries of each of {', '.join(metrics)} ({cfg['level']} level) "
        f"on integration and its square ({cfg['se']} s.e.): supported if for every metric the square term "
        f"is negative with p < {alpha} and the turning point lies inside the observed integration range; "
        f"not supported if no metric has a negative square term with p < {alpha}; else inconclusive. "
        f"Specialisation ({cfg['specialisation']}, mean across regions) rising: OLS slope on integration "
        "> 0 with p < alpha (reported, not part of the verdict)."
    )
    evidence = "figures/c1_concentration_integration.png; metrics/concentration.parquet; metrics/specialisation.parquet"
    d = series.dropna(subset=["integration"])
    if len(d) < int(cfg.get("min_years", 5)):
        return ClaimResult("C1", test, f"{len(d)} years with data", "no data", evidence)
    if d["integration"].nunique() < 3:
        return ClaimResult(
            "C1", test, f"integration takes {d['integration'].nunique()} value(s) ({source}): no curve to fit",
            "no data", evidence)
    fits = {}
    for m in metrics:
        dm = d.dropna(subset=[m])
        if len(dm) >= int(cfg.get("min_years", 5)):
            fits[m] = quadratic_fit(dm["integration"], dm[m], se=cfg["se"], lags=cfg.get("hac_lags"))
    verdict = c1_verdict(fits, alpha)
    parts = [
        f"{m}: b2={_fmt(f.b2)} (p={_p(f.p_b2)}), turning point {_fmt(f.turning_point)} "
        f"{'inside' if f.inside else 'outside'} [{_fmt(f.x_min)}, {_fmt(f.x_max)}] -> {f.shape(alpha)}"
        for m, f in fits.items()
    ]
    spec = d.dropna(subset=["specialisation"])
    details: dict[str, Any] = {"fits": fits}
    if len(spec) >= 3:
        tr = linear_trend(spec["integration"], spec["specialisation"], se=cfg["se"], lags=cfg.get("hac_lags"))
        rising = tr.slope > 0 and tr.p < alpha
        parts.append(
            f"specialisation slope={_fmt(tr.slope)} (p={_p(tr.p)}): {'rises' if rising else 'no significant rise'}"
        )
        details["specialisation"] = tr
    parts.append(f"integration measure: {source or 'see caption'}; n={len(d)} years")
    return ClaimResult("C1", test, "; ".join(parts), verdict, evidence, details=details)


# ------------------------------------------------------------------------------------- C2
def c2_window_flows(shanghai: pd.DataFrame, window: Sequence[int], partners: Sequence[str]) -> pd.DataFrame:
    """Shanghai's moves summed over ``window`` (inclusive years) and ``partners`` (region
    groups) by class: ``group``, ``outflow``, ``inflow``, ``net_outflow``.

    ``shanghai``: ``results/flows/shanghai.parquet`` (year, group, partner, outflow, inflow, ...)."""
    y0, y1 = int(window[0]), int(window[1])
    d = shanghai[(shanghai["year"] >= y0) & (shanghai["year"] <= y1) & shanghai["partner"].isin(list(partners))]
    g = d.groupby("group", sort=False)[["outflow", "inflow"]].sum()
    g["net_outflow"] = g["outflow"] - g["inflow"]
    return g.reset_index().astype({"group": "str"})


def c2_conditions(
    window_flows: pd.DataFrame,
    out_classes: Sequence[str],
    in_classes: Sequence[str],
    alpha: float,
    significance: bool = True,
) -> pd.DataFrame:
    """Status of each expected direction: ``group``, ``expected`` (out or in), ``outflow``,
    ``inflow``, ``net_outflow``, ``p`` (exact two-sided binomial test of outflow against
    inflow with probability 1/2) and ``status``: ``holds`` (right sign, and p < alpha when
    ``significance``), ``contradicted`` (wrong sign, and p < alpha when ``significance``) or
    ``undetermined``."""
    w = window_flows.set_index("group")
    rows = []
    for expected, classes in (("out", out_classes), ("in", in_classes)):
        for g in classes:
            o = int(w["outflow"].get(g, 0))
            i = int(w["inflow"].get(g, 0))
            p = float(stats.binomtest(o, o + i, 0.5).pvalue) if o + i > 0 else 1.0
            sign = np.sign(o - i) * (1 if expected == "out" else -1)
            sig = (p < alpha) or not significance
            status = "holds" if sign > 0 and sig else "contradicted" if sign < 0 and sig else "undetermined"
            rows.append((g, expected, o, i, o - i, p, status))
    return pd.DataFrame(rows, columns=["group", "expected", "outflow", "inflow", "net_outflow", "p", "status"])


def c2_verdict(conditions: pd.DataFrame) -> str:
    """``supported``: every condition holds; ``not supported``: none holds and at least one is
    contradicted; ``inconclusive``: the rest (some hold, or none is determined); ``no data``: no
    move of the listed classes in the window."""
    if conditions.empty or (conditions["outflow"] + conditions["inflow"]).sum() == 0:
        return "no data"
    st = conditions["status"]
    if (st == "holds").all():
        return "supported"
    if not (st == "holds").any() and (st == "contradicted").any():
        return "not supported"
    return "inconclusive"


def claim_c2(shanghai: pd.DataFrame | None, cfg: Mapping[str, Any], alpha: float) -> ClaimResult:
    """C2 from Shanghai's flows. ``cfg``: window, partners, outflow_classes, inflow_classes, significance."""
    w = cfg["window"]
    sig = bool(cfg["significance"])
    test = (
        f"Moves between Shanghai and {', '.join(cfg['partners'])} summed over {w[0]}-{w[1]} by class: "
        f"net outflow > 0 for {', '.join(cfg['outflow_classes'])} and net inflow > 0 for "
        f"{', '.join(cfg['inflow_classes'])}"
        + (f", each with an exact binomial test of out- against inflow (p < {alpha})" if sig else " (signs only)")
        + ": supported if all hold; not supported if none holds and one is contradicted; else inconclusive."
    )
    evidence = "figures/c2_shanghai_net_outflows.png; flows/shanghai.parquet"
    if shanghai is None:
        return ClaimResult("C2", test, "no flow table", "no data", evidence)
    wf = c2_window_flows(shanghai, w, cfg["partners"])
    cond = c2_conditions(wf, cfg["outflow_classes"], cfg["inflow_classes"], alpha, sig)
    verdict = c2_verdict(cond)
    value = "; ".join(
        f"{r.group}: out {r.outflow}, in {r.inflow}, net out {r.net_outflow:+d} (p={_p(r.p)}) -> {r.status}"
        for r in cond.itertuples()
    )
    return ClaimResult("C2", test, value, verdict, evidence, details={"conditions": cond, "window_flows": wf})


# ------------------------------------------------------------------------------------- C3
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
        return ClaimResult("C3", test, "no moves among these provinces", "no data", evidence, details={"yearly": y})
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


# ------------------------------------------------------------------------------------- C4
DIMENSIONS = ("market", "industry", "transport", "information", "institution", "ecology")


def c4_tier_check(indicators: pd.DataFrame, tiers: Sequence[Sequence[str]], year: int | None = None) -> pd.DataFrame:
    """Rank the dimensions by their index in ``year`` (default: the last year) and compare with
    the paper's tiers (list of lists, highest first): ``dimension``, ``value``, ``rank``,
    ``tier`` (expected, 1 = highest), ``rank_tier`` (the tier its rank falls in) and ``match``."""
    y = int(indicators["year"].max()) if year is None else int(year)
    d = indicators[indicators["year"] == y].groupby("dimension")["value"].mean().sort_values(ascending=False)
    expected = {dim: i + 1 for i, tier in enumerate(tiers) for dim in tier}
    bounds, start = [], 0
    for tier in tiers:
        bounds.append((start, start + len(tier)))
        start += len(tier)
    rows = []
    for rank, (dim, v) in enumerate(d.items(), start=1):
        rt = next((i + 1 for i, (a, b) in enumerate(bounds) if a < rank <= b), len(tiers) + 1)
        rows.append((dim, float(v), rank, expected.get(dim), rt, expected.get(dim) == rt))
    return pd.DataFrame(rows, columns=["dimension", "value", "rank", "tier", "rank_tier", "match"]).assign(year=y)


def c4_verdict(check: pd.DataFrame | None, tiers: Sequence[Sequence[str]]) -> str:
    """``supported``: every dimension ranks in its stated tier; ``not supported``: some does not;
    ``inconclusive``: a stated dimension is missing from the table; ``no data``: no indicator table."""
    if check is None or check.empty:
        return "no data"
    stated = {d for t in tiers for d in t}
    if not stated <= set(check["dimension"]):
        return "inconclusive"
    return "supported" if check.loc[check["dimension"].isin(stated), "match"].all() else "not supported"


def claim_c4(
    segmentation: pd.DataFrame | None, indicators: pd.DataFrame | None, cfg: Mapping[str, Any], alpha: float
) -> ClaimResult:
    """C4: ranking of the six dimensions from a configured indicator table (year, dimension,
    value: higher = more integrated); market segmentation's trend (relative price method) is
    reported when configured, but alone cannot rank the dimensions (-> inconclusive)."""
    tiers = [list(cfg["tiers"][k]) for k in ("top", "middle", "bottom")]
    test = (
        "Rank of the six integration dimensions in the last year of the configured indicator table against "
        f"the paper's tiers (top {tiers[0]}, then {tiers[1]}, lowest {tiers[2]}): supported if every "
        "dimension ranks in its tier, not supported otherwise. Market segmentation (relative price method), "
        f"when configured: OLS trend on the year (p < {alpha}) reported; alone it cannot rank dimensions."
    )
    evidence = []
    parts = []
    details: dict[str, Any] = {}
    if segmentation is not None and not segmentation.empty:
        s = segmentation.dropna(subset=["segmentation"]).sort_values("year")
        evidence += ["figures/c4_market_segmentation.png", "metrics/segmentation_overall.parquet"]
        if len(s) >= 3:
            tr = linear_trend(s["year"], s["segmentation"], se="classical")
            parts.append(f"market segmentation trend {_fmt(tr.slope)}/year (p={_p(tr.p)}), {len(s)} years")
            details["segmentation_trend"] = tr
    check = None
    if indicators is not None and not indicators.empty:
        check = c4_tier_check(indicators, tiers)
        evidence += ["figures/c4_integration_profile.png"]
        parts.append(
            f"{int(check['year'].iloc[0])} ranking: "
            + ", ".join(f"{r.dimension} {_fmt(r.value)}" for r in check.itertuples())
        )
        details["tiers"] = check
        verdict = c4_verdict(check, tiers)
    elif details:
        verdict = "inconclusive"
    else:
        verdict = "no data"
        parts.append("no price panel (metrics.segmentation.prices) and no indicator table (claims.c4.indicators)")
    return ClaimResult("C4", test, "; ".join(parts), verdict, "; ".join(evidence) or "-", details=details)


# ------------------------------------------------------------------------------------- C5
def mean_pairwise(similarity: pd.DataFrame, members: Sequence[str], metric: str, level: str) -> pd.DataFrame:
    """Mean over pairs of distinct ``members`` of ``metric`` by year: ``year``, ``mean``, ``n_pairs``."""
    mem = {str(m) for m in members}
    d = similarity[
        (similarity["level"] == level)
        & (similarity["metric"] == metric)
        & similarity["region_a"].astype(str).isin(mem)
        & similarity["region_b"].astype(str).isin(mem)
        & (similarity["region_a"].astype(str) != similarity["region_b"].astype(str))
    ]
    g = d.groupby("year")["value"]
    return pd.DataFrame({"mean": g.mean(), "n_pairs": g.size()}).reset_index().astype({"year": "int64"})


def c5_verdict(level_value: float | None, threshold: float) -> str:
    """``supported`` if the mean pairwise similarity >= threshold, ``not supported`` if below,
    ``no data`` without a value."""
    if level_value is None or not math.isfinite(level_value):
        return "no data"
    return "supported" if level_value >= threshold else "not supported"


def claim_c5(
    similarity: pd.DataFrame, members: Sequence[str], cfg: Mapping[str, Any], alpha: float
) -> ClaimResult:
    """C5. ``members``: prefectures of ``cfg['region_set']``; cfg: metric, level, year, threshold."""
    test = (
        f"Mean pairwise {cfg['metric']} (UNIDO cosine of industry employment shares) among the "
        f"{cfg['region_set']} {cfg['level']}s in {cfg['year'] or 'the last year'}: supported ('structures "
        f"converge') if >= {cfg['threshold']}, else not supported. The trend over years is reported (OLS, "
        f"p < {alpha}). 'Low-level' (low value added) is not measured."
    )
    evidence = "figures/c5_similarity_heatmaps.png; figures/c5_similarity_trend.png; metrics/similarity.parquet"
    mp = mean_pairwise(similarity, members, cfg["metric"], cfg["level"])
    present = set(similarity["region_a"].astype(str)) | set(similarity["region_b"].astype(str))
    covered = len(set(map(str, members)) & present)
    if covered < len(members):
        return ClaimResult(
            "C5", test, f"only {covered} of the {len(members)} {cfg['region_set']} regions are in the similarity table "
            "(choose claims.c5.region_set within geography.region_set)", "no data", evidence)
    if mp.empty:
        return ClaimResult("C5", test, "no pairs of the region set in the similarity table", "no data", evidence)
    year = int(cfg["year"]) if cfg.get("year") is not None else int(mp["year"].max())
    row = mp[mp["year"] == year]
    lv = float(row["mean"].iloc[0]) if len(row) else None
    verdict = c5_verdict(lv, float(cfg["threshold"]))
    parts = [f"{year}: mean {_fmt(lv)} over {int(row['n_pairs'].iloc[0]) if len(row) else 0} pairs"]
    details: dict[str, Any] = {"mean_pairwise": mp}
    first = mp.iloc[0]
    parts.append(f"{int(first['year'])}: {_fmt(float(first['mean']))}")
    if len(mp) >= 3:
        tr = linear_trend(mp["year"], mp["mean"], se="hac")
        parts.append(f"trend {_fmt(tr.slope)}/year (p={_p(tr.p)})")
        details["trend"] = tr
    return ClaimResult("C5", test, "; ".join(parts), verdict, evidence, details=details)


# ------------------------------------------------------------------------------------- C6
def eu_gaps(gapminder: pd.DataFrame, year: int, countries: Sequence[str]) -> pd.DataFrame:
    """Gap of each country's GDP per capita to the population-weighted average of ``countries``
    in ``year`` (Gapminder: PPP, constant 2005 international dollars): ``country``, ``pop``,
    ``gdp_pc``, ``gap_pct`` = 100 (gdp_pc / average - 1); ``attrs['average']``. Raises when a
    country or the year is missing."""
    d = gapminder[(gapminder["year"] == int(year)) & gapminder["country"].isin(list(countries))]
    missing = sorted(set(countries) - set(d["country"]))
    if missing:
        raise ValueError(f"Gapminder has no {year} row for {missing}")
    avg = float((d["gdpPercap"] * d["pop"]).sum() / d["pop"].sum())
    out = pd.DataFrame(
        {
            "country": d["country"].astype(str).to_numpy(),
            "pop": d["pop"].to_numpy(dtype=float),
            "gdp_pc": d["gdpPercap"].to_numpy(dtype=float),
        }
    )
    out["gap_pct"] = 100 * (out["gdp_pc"] / avg - 1)
    out = out.sort_values("gap_pct", ascending=False).reset_index(drop=True)
    out.attrs["average"] = avg
    return out


def c6_verdict(gaps: pd.DataFrame, paper: Mapping[str, float], tolerance_pp: float) -> str:
    """``supported`` if every paper figure is reproduced within ``tolerance_pp`` percentage
    points, ``not supported`` otherwise, ``no data`` if a country is missing."""
    g = gaps.set_index("country")["gap_pct"]
    if not set(paper) <= set(g.index):
        return "no data"
    return "supported" if all(abs(g[c] - v) <= tolerance_pp for c, v in paper.items()) else "not supported"


def claim_c6(gapminder: pd.DataFrame | None, cfg: Mapping[str, Any]) -> ClaimResult:
    """C6 from Gapminder. ``cfg``: year, countries, paper ({country: gap in %}), tolerance_pp."""
    paper = {str(k): float(v) for k, v in cfg["paper"].items()}
    test = (
        f"GDP per capita (Gapminder, PPP, constant 2005 USD) of each country in {cfg['year']} relative to "
        f"the population-weighted average of {len(cfg['countries'])} EU members ({', '.join(cfg['countries'])}): "
        f"supported if every figure of the paper ({', '.join(f'{k} {v:+g}%' for k, v in paper.items())}) is "
        f"reproduced within {cfg['tolerance_pp']} percentage points, else not supported."
    )
    evidence = "figures/c6_eu_disparities.png; resources/gapminder/gapminder.csv"
    notes = "Italy's regional per-capita GDP gap (70%): no data (no regional GDP shipped)."
    if gapminder is None:
        return ClaimResult("C6", test, "no Gapminder table", "no data", evidence, notes)
    try:
        gaps = eu_gaps(gapminder, cfg["year"], cfg["countries"])
    except ValueError as err:
        return ClaimResult("C6", test, str(err), "no data", evidence, notes)
    verdict = c6_verdict(gaps, paper, float(cfg["tolerance_pp"]))
    g = gaps.set_index("country")["gap_pct"]
    value = "; ".join(
        f"{c}: {g.get(c, float('nan')):+.1f}% (paper {v:+g}%, diff {g.get(c, float('nan')) - v:+.1f} pp)"
        for c, v in paper.items()
    ) + f"; average {gaps.attrs['average']:,.0f} USD"
    return ClaimResult("C6", test, value, verdict, evidence, notes, details={"gaps": gaps})


# ------------------------------------------------------------------------------------- C7
def lq_table(firm_years: pd.DataFrame, regions: pd.Series, year: int, measure: str = "employment") -> pd.DataFrame:
    """Location quotients of each region x industry in ``year``.

    ``regions``: maps each firm-year row (same index) to its region (NaN rows are dropped, so
    this also restricts the study area). Returns ``region``, ``industry``, ``size`` (the
    measure summed), ``lq`` (:func:`yrd.metrics.location.location_quotient`)."""
    from yrd.metrics.location import location_quotient

    d = firm_years.assign(_region=regions)
    d = d[(d["year"] == year) & d["_region"].notna()]
    X = d.groupby(["_region", "industry"])[measure].sum().astype(float).unstack(fill_value=0.0)
    lq = location_quotient(X)
    out = X.stack().rename("size").to_frame().join(lq.stack().rename("lq"))
    out.index.names = ["region", "industry"]
    return out.reset_index().astype({"region": "str", "industry": "str"})


def sunan_leading(
    firm_years: pd.DataFrame, groups: pd.Series, year: int, n: int, focus: str = "sunan", measure: str = "employment"
) -> pd.DataFrame:
    """Leading industries of the ``focus`` group in ``year``: location quotient of the group as
    one region against the study area (all rows with a group), LQ > 1, ranked by LQ x the
    group's size in the industry; the top ``n``: ``industry``, ``lq``, ``size``, ``score``."""
    reg = groups.where(groups == focus, "rest").where(groups.notna())
    t = lq_table(firm_years, reg, year, measure)
    t = t[(t["region"] == focus) & (t["lq"] > 1)].copy()
    t["score"] = t["lq"] * t["size"]
    return t.sort_values(["score", "industry"], ascending=[False, True]).head(n)[["industry", "lq", "size", "score"]]


def foreign_share(
    firm_years: pd.DataFrame, mask: pd.Series, industries: Sequence[str], prefixes: Sequence[str], measure: str
) -> float:
    """Share of ``measure`` in firms whose ``reg_type`` starts with one of ``prefixes``
    (registration types 2xx: HK/Macao/Taiwan-invested, 3xx: foreign-invested), among rows
    selected by ``mask`` in ``industries``."""
    d = firm_years[mask & firm_years["industry"].astype(str).isin(list(industries))]
    tot = float(d[measure].sum())
    if tot <= 0:
        return float("nan")
    foreign = d["reg_type"].astype(str).str[:1].isin([str(p) for p in prefixes])
    return float(d.loc[foreign, measure].sum()) / tot


def c7_verdict(diff_pp: float | None, margin_pp: float) -> str:
    """``supported`` if Sunan's foreign share exceeds the study area's by more than
    ``margin_pp`` points, ``not supported`` if it is lower by more than that, else
    ``inconclusive``; ``no data`` without shares."""
    if diff_pp is None or not math.isfinite(diff_pp):
        return "no data"
    if diff_pp > margin_pp:
        return "supported"
    if diff_pp < -margin_pp:
        return "not supported"
    return "inconclusive"


def claim_c7(firm_years: pd.DataFrame, groups: pd.Series, cfg: Mapping[str, Any], labels=None) -> ClaimResult:
    """C7. ``groups``: region group of each firm-year row (NaN outside the study area);
    ``cfg``: year (null: last), n_leading, measure, foreign_prefixes, margin_pp."""
    measure = cfg["measure"]
    year = int(cfg["year"]) if cfg.get("year") is not None else int(firm_years["year"].max())
    test = (
        f"Sunan's leading industries in {year}: location quotient > 1 against the study area, top "
        f"{cfg['n_leading']} by LQ x {measure}. Foreign-invested share of their {measure} (registration types "
        f"{'xx, '.join(cfg['foreign_prefixes'])}xx) in Sunan against the same industries in the whole study "
        f"area: supported if higher by more than {cfg['margin_pp']} points, not supported if lower by more, "
        "else inconclusive."
    )
    evidence = "figures/c7_lq_sunan.png; figures/c7_kdensity.png; clean/firm_years.parquet"
    notes = "Rootedness / local supplier depth (植根性): no data (needs input-output or supplier links)."
    lead = sunan_leading(firm_years, groups, year, int(cfg["n_leading"]), measure=measure)
    if lead.empty:
        return ClaimResult("C7", test, f"no Sunan industry with LQ > 1 in {year}", "no data", evidence, notes)
    inds = lead["industry"].tolist()
    in_year = (firm_years["year"] == year) & groups.notna()
    s = foreign_share(firm_years, in_year & (groups == "sunan"), inds, cfg["foreign_prefixes"], measure)
    a = foreign_share(firm_years, in_year, inds, cfg["foreign_prefixes"], measure)
    diff = 100 * (s - a)
    verdict = c7_verdict(diff, float(cfg["margin_pp"]))
    lab = labels or {}
    value = (
        "leading: "
        + ", ".join(f"{lab.get(r.industry, r.industry)} (LQ {r.lq:.2f})" for r in lead.itertuples())
        + f"; foreign share Sunan {s:.1%} vs study area {a:.1%} ({diff:+.1f} pp)"
    )
    return ClaimResult(
        "C7", test, value, verdict, evidence, notes, details={"leading": lead, "sunan_share": s, "area_share": a}
    )


def render_html(table: pd.DataFrame, title: str, synthetic: bool) -> str:
    """A self-contained HTML page of the claims table with coloured verdicts (for the report)."""
    import html

    colours = {"supported": "#1a9641", "not supported": "#d7191c", "inconclusive": "#fdae61", "no data": "#999999"}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    rows = []
    for r in table.itertuples(index=False):
        cells = []
        for c, v in zip(table.columns, r, strict=True):
            style = ""
            if c == "verdict":
                style = f' style="background:{colours.get(v, "#fff")};color:white;font-weight:bold"'
            cells.append(f"<td{style}>{html.escape(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    banner = (
        '<p style="color:#B2182B;font-weight:bold">SYNTHETIC DATA (合成数据): verdicts on the embedded synthetic '
        "world show what the pipeline does, not facts about the YRD.</p>"
        if synthetic
        else ""
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        + html.escape(title)
        + "</title><style>body{font-family:sans-serif;font-size:13px}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px;vertical-align:top}th{background:#eee}</style></head><body>"
        + f"<h2>{html.escape(title)}</h2>{banner}<table><tr>{head}</tr>{''.join(rows)}</table></body></html>"
    )
