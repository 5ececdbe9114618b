"""Verdicts, the claims table's columns, the paper's statements and :class:`ClaimResult`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from yrd.sample import SAMPLES

VERDICTS = ("supported", "partly supported", "not supported", "inconclusive", "not comparable", "no data", "off")
COLUMNS = [
    "claim",
    "statement",
    "statement_zh",
    "test",
    "value",
    "verdict",
    "evidence",
    "notes",
]

#: The paper's words (quoted from the paper (CITATION.cff)) and an English statement.
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
        "苏南的战略定位应是国际制造业基地……外资带动型产业集聚，是苏南产业集聚中发展最快的类型……产业集群的植根性弱。",
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


def skipped_claim(claim: str) -> ClaimResult:
    """The row of a claim the study switched off with ``claims.skip`` (not tested)."""
    return ClaimResult(
        claim,
        test="not run",
        value="",
        verdict="off",
        evidence="",
        notes=f"switched off by the configuration (claims.skip includes {claim})",
    )


#: Claims whose tests need the ASIF survey's tables (panel, moves, metrics).
SURVEY_CLAIMS = ("C1", "C2", "C3", "C5", "C7")
NO_SURVEY = "no ASIF survey data in this run (run.asif: false, a records-only run)"


def no_survey_claim(claim: str, config: Mapping[str, Any] | None = None) -> ClaimResult:
    """The row of a claim whose test needs the ASIF survey, in a run without it (``config``: the
    claim's config block, kept in its document for the figures' labels)."""
    return ClaimResult(
        claim,
        test="not run: the test needs the ASIF survey",
        value=NO_SURVEY,
        verdict="no data",
        evidence="",
        notes=NO_SURVEY,
        details={"reason": NO_SURVEY, "config": dict(config or {})},
    )


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


#: Columns of the headline table: the claim's row on the main sample, the sample's name and the
#: verdict on each analysis sample (yrd.sample.SAMPLES).
COMBINED_COLUMNS = [*COLUMNS[:6], "sample", *(f"verdict_{s}" for s in SAMPLES), *COLUMNS[6:]]


def combine_samples(tables: dict[str, pd.DataFrame], main: str) -> pd.DataFrame:
    """The headline claims table: each claim's row on the ``main`` sample, with the verdict on
    every sample beside it (``verdict_consistent``, ``verdict_full``).

    ``tables``: the claims table (:data:`COLUMNS`) of each sample, keyed by sample name. Where
    the verdicts differ, the notes say so and give the other sample's value, so a verdict never
    changes with the sample without the reason being visible."""
    if main not in tables:
        raise KeyError(f"main sample {main!r} not among {sorted(tables)}")
    out = tables[main].copy().reset_index(drop=True)
    out["sample"] = main
    for name in SAMPLES:
        other = tables.get(name)
        out[f"verdict_{name}"] = (
            out["claim"].map(other.set_index("claim")["verdict"]).fillna("not run") if other is not None else "not run"
        )
    for name, other in tables.items():
        if name == main:
            continue
        o = other.set_index("claim")
        for i, row in out.iterrows():
            if row["claim"] in o.index and o.at[row["claim"], "verdict"] != row["verdict"]:
                note = (
                    f"On the {name} sample the verdict is '{o.at[row['claim'], 'verdict']}' "
                    f"({o.at[row['claim'], 'value']})."
                )
                out.at[i, "notes"] = f"{row['notes']} {note}".strip()
    return out[COMBINED_COLUMNS]
