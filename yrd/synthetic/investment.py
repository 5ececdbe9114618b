"""Synthetic investment records (对外投资 / 分支机构): the world's firms open subsidiaries, with truth.

A second registration input beside the change records (:mod:`yrd.synthetic.registration`): in
every year ``t`` of the study period after the first, firms of the ASIF panel open subsidiaries
and branches in other prefectures (expansion, not relocation), and the register lists them as
investment records (columns of the ``investment`` table of ``config/registration_dialects.yaml``).

**The model** (true values in :class:`InvestmentParams`, written to ``investment_params.json``).
Every firm ``i`` of the panel present in ``t-1`` (the parent, in prefecture ``o``) opens one
subsidiary in ``t`` with probability ``rate``. The destination prefecture ``d`` (any prefecture
of the world other than ``o`` with panel firms in ``t-1``) is a conditional-logit choice
(McFadden 1974):

.. math::

    U_{iod} = w_{mass} \\log N_{d,t-1} + w_{port} \\, port_{d,t-1} + w_{urban} \\, urban_{d,t-1}
              + \\beta_{dist} \\log dist_{od,t} + \\beta_{border} \\, border_{od} + \\varepsilon_{iod},
    \\qquad P(d \\mid o, t) = \\frac{e^{V_{od t}}}{\\sum_{k \\ne o} e^{V_{okt}}}

with ``N`` the panel firms of ``d`` in ``t-1``, ``port`` and ``urban`` the prefecture's
``attractiveness_port`` / ``attractiveness_urban`` of truth ``prefecture_years.parquet`` (held
fixed within a year), ``dist`` the ``distance_km`` of truth ``distances.parquet`` in year ``t``,
``border = 1`` when ``o`` and ``d`` lie in different provinces (as in :mod:`yrd.flows.pairs`) and
``ε`` i.i.d. Gumbel. The county in ``d`` is drawn in proportion to the panel firms of each county
of ``d`` in ``t-1``; the subsidiary's industry is the parent's 2-digit division.

**Identification.** Summing the logit over parents gives expected counts
``E[n_odt] = n_ot · P(d | o, t) = exp(α_ot + γ_dt + β_dist log dist_odt + β_border border_od)``
with ``α_ot = log n_ot - log Σ_k e^{V_okt}`` and ``γ_dt`` collecting the mass, port and urban
terms: a Poisson model with origin×year and destination×year effects whose likelihood is the
conditional logit's (Guimarães, Figueiredo & Woodward 2003, REStat 85(1)). The pipeline's PPML
on OD counts with origin×class×period and destination×class×period fixed effects absorbs
``α`` and ``γ`` (the parent's industry is its class) and estimates the pair terms ``β_dist``
and ``β_border``: those are the coefficients to recover.

**Above the threshold.** A share ``above_threshold_share`` of subsidiaries is large enough for
the survey. Each is matched to an ASIF entrant of the panel (first panel year ``t``,
``founding_year >= t-1``), in the destination county if one is free, else anywhere in the
destination prefecture (then the subsidiary's county becomes the entrant's), the parent's
industry preferred, every entrant used at most once; the subsidiary then *is* that entrant:
``asif_firm_id`` is its ``true_firm_id`` and the investee's name and credit code are its ASIF
identity (truth ``identities.parquet``). With no free entrant the subsidiary stays below the
threshold (counted as ``above_threshold_unmatched``). No ASIF firm is drawn here: the ASIF world
(panel, raw files, their truth) is unchanged by this module.

**Records** (:mod:`yrd.synthetic.investment_records`): one per subsidiary, written like real
extracts - investor names with variants, credit codes / registration numbers / organisation
codes or none, a few invalid, investee names, free-text addresses (names in force in ``t``,
some vague), 认缴出资 in several text formats (a few in US dollars, kept by ingest with the
capital missing and currency ``USD``; some empty), founding dates
in the formats of :data:`yrd.synthetic.registration_text.DATE_FORMATS`, exact and near
duplicates. Draws use their own ``np.random.default_rng(seed)`` and hash salts of their own.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import History
from yrd.synthetic.investment_records import write_records
from yrd.synthetic.registration_text import ADDRESS_STYLES, DATE_FORMATS, write_extract_files

#: The investment extracts: ``(file name, format, encoding, dialect)``.
INVESTMENT_FILES: tuple[tuple[str, str, str, str], ...] = (
    ("investments_zh_utf8.csv", "csv", "utf-8", "zh"),
    ("investments_en_gbk.csv", "csv", "gbk", "en"),
    ("investments_zh.xlsx", "xlsx", "", "zh"),
    ("investments_en.xlsx", "xlsx", "", "en"),
)
#: Columns of truth ``investment_events.parquet`` (one row per true subsidiary).
EVENT_COLUMNS = (
    "subsidiary_id",
    "parent_firm_id",
    "asif_firm_id",
    "origin_county",
    "dest_county",
    "origin_prefecture",
    "dest_prefecture",
    "year",
    "industry",
    "above_threshold",
)
#: Columns of truth ``identities.parquet`` (contract of the ASIF raw writer).
IDENTITY_COLUMNS = ("true_firm_id", "org_code0", "org_code1", "reissue_year", "name0", "name1", "rename_year")
_SHARES = (
    "rate",
    "above_threshold_share",
    "branch_share",
    "exact_duplicate_share",
    "near_duplicate_share",
    "regno_share",
    "org_code_share",
    "missing_key_share",
    "invalid_key_share",
    "investee_missing_key_share",
    "name_variant_share",
    "group_suffix_share",
    "old_name_share",
    "vague_address_share",
    "bad_capital_share",
    "missing_capital_share",
)


@dataclass(frozen=True)
class InvestmentParams:
    """True coefficients and rates of the synthetic investment records (module docstring).

    Investor keys: a share ``missing_key_share`` is empty, ``regno_share`` the 15-digit
    registration number, ``org_code_share`` the organisation code, the rest the credit code;
    ``invalid_key_share`` of the written keys have a wrong check character. ``branch_share`` of
    the below-threshold subsidiaries are named as branches (分公司). ``bad_capital_share`` of the
    capitals are written in US dollars (``50万美元``): ingest keeps those records with the capital
    missing and ``capital_currency`` ``USD`` (the name is that of the configs, from when ingest
    quarantined them)."""

    rate: float = 0.01
    above_threshold_share: float = 0.4
    beta_log_distance: float = -0.9
    beta_border: float = -0.4
    w_mass: float = 1.0
    w_port: float = 0.3
    w_urban: float = 0.5
    branch_share: float = 0.4
    exact_duplicate_share: float = 0.03
    near_duplicate_share: float = 0.03
    regno_share: float = 0.07
    org_code_share: float = 0.05
    missing_key_share: float = 0.05
    invalid_key_share: float = 0.02
    investee_missing_key_share: float = 0.15
    name_variant_share: float = 0.4
    group_suffix_share: float = 0.05
    old_name_share: float = 0.3
    vague_address_share: float = 0.03
    bad_capital_share: float = 0.01
    missing_capital_share: float = 0.03
    address_style_probs: tuple[float, ...] = (0.35, 0.35, 0.2, 0.1)
    date_format_probs: tuple[float, ...] = (0.3, 0.15, 0.1, 0.15, 0.1, 0.1, 0.05, 0.05)
    files: tuple[tuple[str, str, str, str], ...] = field(default_factory=lambda: INVESTMENT_FILES)

    def __post_init__(self) -> None:
        for name in _SHARES:
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {v}")
        if self.regno_share + self.org_code_share + self.missing_key_share > 1:
            raise ValueError("regno_share + org_code_share + missing_key_share must not exceed 1")
        if self.bad_capital_share + self.missing_capital_share > 1:
            raise ValueError("bad_capital_share + missing_capital_share must not exceed 1")
        for name in ("beta_log_distance", "beta_border", "w_mass", "w_port", "w_urban"):
            if not math.isfinite(getattr(self, name)):
                raise ValueError(f"{name} must be finite")
        for name, n in (("address_style_probs", len(ADDRESS_STYLES)), ("date_format_probs", len(DATE_FORMATS))):
            p = np.asarray(getattr(self, name), dtype=float)
            if len(p) != n or (p < 0).any() or abs(p.sum() - 1) > 1e-9:
                raise ValueError(f"{name}: {n} non-negative probabilities summing to 1, got {tuple(p)}")
        if not self.files:
            raise ValueError("files must list at least one extract")

    @classmethod
    def from_config(cls, block: dict[str, Any]) -> InvestmentParams:
        """From the ``synthetic.investments`` block (``seed_offset`` is not a parameter)."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(block) - names - {"seed_offset"})
        if unknown:
            raise ValueError(f"synthetic.investments: unknown keys {unknown}")
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in block.items() if k in names}
        return cls(**kw)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["files"] = [list(f) for f in self.files]
        return d


@dataclass
class InvestmentExtract:
    """What :func:`generate_investments` returns: ``files`` (file name -> rows as written,
    canonical column names), ``records`` (truth, one row per written row), ``events`` (truth, one
    row per subsidiary), ``params`` (the true values and counts of ``investment_params.json``)
    and ``meta`` (per file: format, encoding, dialect, header of each column, rows)."""

    files: dict[str, pd.DataFrame]
    records: pd.DataFrame
    events: pd.DataFrame
    params: dict[str, Any]
    meta: dict[str, dict[str, Any]]


def _prefecture(county: pd.Series) -> pd.Series:
    return county.astype(str).str[:4] + "00"


def draw_subsidiaries(
    panel: pd.DataFrame,
    distances: pd.DataFrame,
    prefecture_years: pd.DataFrame,
    params: InvestmentParams,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The true subsidiaries of the model (module docstring), without the threshold match.

    ``panel`` needs ``true_firm_id``, ``year``, ``county`` (6-digit) and ``industry``;
    ``distances`` ``year``, ``origin``, ``dest``, ``distance_km`` (prefecture codes);
    ``prefecture_years`` ``year``, ``prefecture``, ``attractiveness_port``,
    ``attractiveness_urban``. Returns one row per subsidiary: ``subsidiary_id`` (1, 2, ... in
    year and parent order), ``parent_firm_id``, ``year``, ``origin_county``,
    ``origin_prefecture``, ``dest_prefecture``, ``dest_county``, ``industry``. Raises
    ``ValueError`` when a distance or prefecture attribute the choice needs is missing."""
    p = params
    pn = panel[["true_firm_id", "year", "county", "industry"]].copy()
    pn["year"] = pn["year"].astype(int)
    pn["county"] = pn["county"].astype(str)
    pn["prefecture"] = _prefecture(pn["county"])
    dist = distances.assign(year=distances["year"].astype(int)).set_index(["year", "origin", "dest"])["distance_km"]
    attr = prefecture_years.assign(year=prefecture_years["year"].astype(int)).set_index(["year", "prefecture"])
    out = []
    years = sorted(pn["year"].unique())
    for t in years[1:]:
        prev = pn[pn["year"] == t - 1].sort_values("true_firm_id")
        if not len(prev):
            continue
        parents = prev[rng.random(len(prev)) < p.rate]
        n_pref = prev.groupby("prefecture").size()
        n_cty = prev.groupby("county").size()
        prefs = n_pref.index.to_numpy(dtype=object)
        try:
            a = attr.loc[[(t - 1, q) for q in prefs]]
        except KeyError as e:
            raise ValueError(f"prefecture_years lacks year {t - 1} of a prefecture of the panel: {e}") from None
        base = (
            p.w_mass * np.log(n_pref.to_numpy(dtype=float))
            + p.w_port * a["attractiveness_port"].to_numpy(dtype=float)
            + p.w_urban * a["attractiveness_urban"].to_numpy(dtype=float)
        )
        for o, grp in parents.groupby("prefecture", sort=True):
            keep = prefs != o
            dests = prefs[keep]
            if not len(dests):
                continue
            try:
                km = dist.loc[[(t, o, d) for d in dests]].to_numpy(dtype=float)
            except KeyError as e:
                raise ValueError(f"distances lack year {t} pair {e}") from None
            border = np.array([d[:2] != o[:2] for d in dests], dtype=float)
            v = base[keep] + p.beta_log_distance * np.log(km) + p.beta_border * border
            prob = np.exp(v - v.max())
            chosen = dests[rng.choice(len(dests), size=len(grp), p=prob / prob.sum())]
            for row, d in zip(grp.itertuples(index=False), chosen):
                cty = n_cty[n_cty.index.str[:4] + "00" == d]
                c = cty.index[rng.choice(len(cty), p=cty.to_numpy(dtype=float) / cty.sum())]
                out.append((int(row.true_firm_id), t, row.county, o, d, str(c), str(row.industry)))
    cols = ["parent_firm_id", "year", "origin_county", "origin_prefecture", "dest_prefecture", "dest_county"]
    ev = pd.DataFrame(out, columns=[*cols, "industry"])
    ev = ev.sort_values(["year", "parent_firm_id"], kind="stable", ignore_index=True)
    ev.insert(0, "subsidiary_id", np.arange(1, len(ev) + 1, dtype=np.int64))
    return ev.astype({"parent_firm_id": "int64", "year": "int64"})


def match_entrants(
    events: pd.DataFrame, panel: pd.DataFrame, share: float, rng: np.random.Generator
) -> tuple[pd.DataFrame, int]:
    """Mark a share of subsidiaries above the threshold and match each to a free ASIF entrant
    (module docstring): adds ``asif_firm_id`` (Int64), ``above_threshold`` and ``match_level``
    (``county_industry``, ``county``, ``prefecture_industry``, ``prefecture`` or ``""``) and sets
    ``dest_county`` to the entrant's county. Returns the events and the number of candidates
    left below the threshold for want of an entrant."""
    ev = events.copy()
    first = panel.sort_values(["year", "true_firm_id"]).drop_duplicates("true_firm_id")
    first = first.assign(year=first["year"].astype(int), county=first["county"].astype(str))
    ent = first[(first["year"] > first["year"].min()) & (first["founding_year"].astype(int) >= first["year"] - 1)]
    ent = ent.assign(prefecture=_prefecture(ent["county"]), used=False)
    by_year = {int(t): g.sort_values("true_firm_id") for t, g in ent.groupby("year")}
    cand = rng.random(len(ev)) < share
    asif = np.full(len(ev), -1, dtype=np.int64)
    level = np.full(len(ev), "", dtype=object)
    county = ev["dest_county"].to_numpy(dtype=object).copy()
    for i in np.flatnonzero(cand):
        e = ev.iloc[i]
        g = by_year.get(int(e["year"]))
        if g is None:
            continue
        free = ~g["used"].to_numpy()
        same_c = (g["county"] == e["dest_county"]).to_numpy()
        same_p = (g["prefecture"] == e["dest_prefecture"]).to_numpy()
        same_i = (g["industry"].astype(str) == e["industry"]).to_numpy()
        for name, m in (
            ("county_industry", same_c & same_i),
            ("county", same_c),
            ("prefecture_industry", same_p & same_i),
            ("prefecture", same_p),
        ):
            idx = np.flatnonzero(m & free)
            if len(idx):
                j = idx[rng.integers(len(idx))]
                g.iat[j, g.columns.get_loc("used")] = True
                asif[i], level[i], county[i] = int(g["true_firm_id"].iat[j]), name, g["county"].iat[j]
                break
    ev["dest_county"] = county
    ev["asif_firm_id"] = pd.array([int(a) if a >= 0 else pd.NA for a in asif], dtype="Int64")
    ev["above_threshold"] = asif >= 0
    ev["match_level"] = level
    return ev, int((cand & (asif < 0)).sum())


def identities_frame(ctx: Any) -> pd.DataFrame:
    """Truth ``identities.parquet`` columns (:data:`IDENTITY_COLUMNS`) from a
    :class:`yrd.synthetic.raw.RawContext`: per true firm its ASIF organisation code at first
    appearance and after a reissue, and its canonical name before and after a rename (9999: no
    such event). The ASIF raw writer writes this file; this builds the same frame for tests."""
    idt = ctx.identities
    return pd.DataFrame(
        {
            "true_firm_id": np.asarray(ctx.panel.fids, dtype=np.int64),
            "org_code0": pd.Series(idt.code0, dtype=object).astype(str),
            "org_code1": pd.Series(idt.code1, dtype=object),
            "reissue_year": np.asarray(idt.reissue_year, dtype=np.int64),
            "name0": pd.Series(idt.name0, dtype=object).astype(str),
            "name1": pd.Series(idt.name1, dtype=object),
            "rename_year": np.asarray(idt.rename_year, dtype=np.int64),
        }
    )


def generate_investments(
    panel: pd.DataFrame,
    identities: pd.DataFrame,
    distances: pd.DataFrame,
    prefecture_years: pd.DataFrame,
    *,
    history: History,
    seed: int,
    params: InvestmentParams | None = None,
    vintage: int = 2021,
    provinces: list[str] | None = None,
) -> InvestmentExtract:
    """Investment-record extracts and their truth from the world's truth tables.

    ``panel``, ``distances``, ``prefecture_years`` and ``identities`` are the truth files of
    those names (``identities``: columns :data:`IDENTITY_COLUMNS`, one row per true firm of the
    panel); ``history`` the code history (``resources/areacodes/result.csv``); ``provinces`` the
    2-digit prefixes of the world (default: those of the panel). Nothing is written
    (:func:`write_investments`); the inputs are not modified."""
    p = params or InvestmentParams()
    missing = [c for c in IDENTITY_COLUMNS if c not in identities.columns]
    if missing:
        raise ValueError(f"identities lack columns {missing}")
    absent = set(panel["true_firm_id"].astype("int64")) - set(identities["true_firm_id"].astype("int64"))
    if absent:
        raise ValueError(f"identities lack {len(absent)} firms of the panel, e.g. {sorted(absent)[:3]}")
    rng = np.random.default_rng(seed)
    events = draw_subsidiaries(panel, distances, prefecture_years, p, rng)
    events, unmatched = match_entrants(events, panel, p.above_threshold_share, rng)
    files, records, meta = write_records(
        events, panel, identities, p, rng, history=history, seed=seed, vintage=vintage, provinces=provinces
    )
    cap = records[records["kind"] == "investment"].set_index("subsidiary_id")[["capital_wan", "capital_currency"]]
    events = events.assign(
        capital_wan=events["subsidiary_id"].map(cap["capital_wan"]),
        capital_currency=events["subsidiary_id"].map(cap["capital_currency"]),
    )
    info = {
        **p.to_json(),
        "seed": int(seed),
        "n_subsidiaries": len(events),
        "n_above_threshold": int(events["above_threshold"].sum()),
        "above_threshold_unmatched": unmatched,
        "n_records": len(records),
        "records_by_kind": {str(k): int(v) for k, v in records["kind"].value_counts().sort_index().items()},
        "years": [int(events["year"].min()), int(events["year"].max())] if len(events) else [],
    }
    return InvestmentExtract(files, records, events, info, meta)


def write_investments(extract: InvestmentExtract, out_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Write the extracts into ``out_dir`` (CSV in the file's encoding, GBK falling back to
    GB18030 for a character GBK lacks; xlsx via openpyxl) and the truth into ``out_dir/truth/``:
    ``investment_records.parquet``, ``investment_events.parquet`` and ``investment_params.json``
    (true values, counts and the per-file metadata under ``files_meta``). Returns the metadata."""
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    meta = json.loads(json.dumps(write_extract_files(extract.files, extract.meta, out)))
    extract.records.to_parquet(out / "truth" / "investment_records.parquet", index=False)
    extract.events.to_parquet(out / "truth" / "investment_events.parquet", index=False)
    with open(out / "truth" / "investment_params.json", "w", encoding="utf-8") as fh:
        json.dump({**extract.params, "files_meta": meta}, fh, indent=2, ensure_ascii=False, sort_keys=True)
        fh.write("\n")
    return meta
