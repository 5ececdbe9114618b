"""Synthetic business-registration change records (工商登记变更记录) with truth.

From the synthetic world's truth (``moves.parquet``: every true relocation; ``panel.parquet``:
the firm panel) this module writes change-record extracts in the format that
:mod:`yrd.registration.ingest` reads (columns 统一社会信用代码 / 注册号 / 组织机构代码, 企业名称,
变更事项, 变更前, 变更后, 变更日期 in the ``zh`` or ``en`` header dialect of
``config/registration_dialects.yaml``), and a truth table saying which true event each row is.

Draws come from their own :class:`numpy.random.Generator` (``np.random.default_rng(seed)``) and
from the counter-based hashes of :mod:`yrd.synthetic.identity` under their own salts, so the
world's own draws (:mod:`yrd.synthetic.model`, the ASIF raw layer) are untouched.

What is planted (rates in :class:`RegistrationParams`):

* every true relocation between counties is an address change (住所变更) registered with a delay
  of 0, 1, 2, ... years (``delay_probs``) in a random day of that year, or never registered
  (``gap_share``); a share is a combined 住所及名称变更 (``combined_share``) whose before and after
  texts carry the name and the address (labelled ``名称：…；住所：…`` or unlabelled ``…；…``) and
  whose new name carries the destination's place;
* unrelated records (``noise_per_move`` per registered move): 经营范围变更, 法定代表人变更,
  注册资本变更 and name changes (名称变更) of moving and non-moving firms;
* exact duplicates (identical rows, ``exact_duplicate_share``) and near duplicates of records
  without addresses (same event, key written with separators or full-width digits, another day
  format of the date, a trailing space; ``near_duplicate_share``), always in the original's file;
* keys of both generations (:mod:`yrd.registration.keys`): the unified social credit code
  ``9 1 <area code of the registering authority> <organisation code> <check>`` for events from
  ``key_switch_year`` on and for a share of earlier ones (``backfill_credit_share``: firms
  re-registered, extract drawn later), the 15-digit registration number
  ``<area code at founding> <8-digit sequence> <MOD 11,10 check>`` otherwise; sometimes the
  organisation code too (``org_code_share``), sometimes no key (``missing_key_share``), a few
  with a wrong check character (``invalid_key_share``, flagged in the truth);
* free-text addresses before and after written from the true counties with the names in force in
  that year (code history ``resources/areacodes/result.csv``, via
  :func:`yrd.synthetic.raw.vintages.county_code_candidates`, so old names such as 南汇区 or
  吴县市 appear) in the styles of :data:`~yrd.synthetic.registration_text.ADDRESS_STYLES`, with
  street noise (road, number, town, development zone); a share name only the prefecture and a
  zone (``vague_address_share``: the county cannot be recovered); the county is never coded;
* dates in the formats of :data:`yrd.synthetic.registration_text.DATE_FORMATS` (all read by
  :func:`yrd.registration.parse.parse_date`); addresses and dates are written by
  :mod:`yrd.synthetic.registration_text`;
* firm names that differ from the true name in force (``true_name`` in the truth):
  有限公司 / 有限责任公司 swapped, ASCII brackets, inserted spaces (``name_variant_share``).

Identities (:mod:`yrd.synthetic.registration_ids`): given the raw layer's
``truth/identities.parquet``, a firm of the ASIF panel is registered under its ASIF identity:
its credit code embeds the ASIF organisation code in force when the credit code was issued, an
organisation code written beside a registration number is the ASIF code in force in the
record's year, and its name is the ASIF name in force in the event year (then written with the
variants above; combined and name changes write a new name). Firms never in the panel (movers
below the survey threshold) keep codes of their own (distinct from every ASIF code) and names
composed from the raw layer's pools (:func:`yrd.synthetic.raw.identities.compose_names`) under
this module's seed. Registration numbers are always this module's draws. The truth says which
records belong to ASIF firms (``in_asif``) and whose credit code embeds the ASIF code
(``credit_code_asif``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import History
from yrd.synthetic import identity as ident
from yrd.synthetic.registration_ids import (
    FirmKeys,
    FirmNames,
    check_identities,
    own_names,
    renamed,
    variant,
)
from yrd.synthetic.registration_text import (
    ADDRESS_STYLES,
    DATE_FORMATS,
    DAY_FORMATS,
    Gazetteer,
    address,
    date_text,
    random_date,
    write_extract_files,
)

#: Canonical change-record columns and their headers in each dialect (names of
#: ``config/registration_dialects.yaml``).
HEADERS = {
    "zh": {
        "credit_code": ("统一社会信用代码", "信用代码"),
        "reg_number": ("注册号", "工商注册号"),
        "org_code": ("组织机构代码",),
        "name": ("企业名称", "公司名称"),
        "change_item": ("变更事项", "变更项目"),
        "before": ("变更前", "变更前内容"),
        "after": ("变更后", "变更后内容"),
        "change_date": ("变更日期", "核准日期"),
    },
    "en": {
        "credit_code": ("credit_code", "uscc"),
        "reg_number": ("reg_number", "registration_number"),
        "org_code": ("org_code",),
        "name": ("name", "firm_name"),
        "change_item": ("change_item", "change_type"),
        "before": ("before", "content_before"),
        "after": ("after", "content_after"),
        "change_date": ("change_date", "approval_date"),
    },
}
_ITEMS = {
    "address": ("住所变更", "地址变更", "住所变更（迁址）", "经营场所变更"),
    "combined": ("住所及名称变更", "名称及住所变更"),
    "name": ("名称变更", "企业名称变更"),
    "other": ("经营范围变更", "法定代表人变更", "注册资本变更", "投资人(股权)变更"),
}
_ITEMS_EN = {"address": ("address change",), "combined": ("name and address change",), "name": ("name change",)}
_SCOPES = (
    "纺织品制造、销售",
    "机械设备加工",
    "电子元器件生产",
    "金属制品加工、销售",
    "化工原料（除危险品）销售",
    "塑料制品制造",
)

#: The change-record extracts: ``(file name, format, encoding, dialect)``; format ``csv`` or
#: ``xlsx``, encoding ``utf-8``, ``utf-8-sig`` or ``gbk`` (empty for xlsx), dialect of
#: ``config/registration_dialects.yaml``.
CHANGE_FILES: tuple[tuple[str, str, str, str], ...] = (
    ("changes_zh_utf8.csv", "csv", "utf-8", "zh"),
    ("changes_en_gbk.csv", "csv", "gbk", "en"),
    ("changes_zh_gbk.csv", "csv", "gbk", "zh"),
    ("changes_en.xlsx", "xlsx", "", "en"),
    ("changes_zh.xlsx", "xlsx", "", "zh"),
)


@dataclass(frozen=True)
class RegistrationParams:
    """Rates of the synthetic change-record extracts (module docstring says what each plants).

    ``delay_probs[k]`` is the probability that a relocation is registered ``k`` years after the
    true move year (the first year at the new place); ``files`` lists the extracts as
    ``(file name, format, encoding, dialect)`` with format ``csv`` or ``xlsx`` and encoding
    ``utf-8``, ``utf-8-sig`` or ``gbk`` (ignored for xlsx)."""

    delay_probs: tuple[float, ...] = (0.55, 0.30, 0.15)
    gap_share: float = 0.15
    combined_share: float = 0.15
    noise_per_move: float = 0.6
    exact_duplicate_share: float = 0.03
    near_duplicate_share: float = 0.03
    key_switch_year: int = 2015
    backfill_credit_share: float = 0.3
    org_code_share: float = 0.2
    missing_key_share: float = 0.08
    invalid_key_share: float = 0.02
    vague_address_share: float = 0.02
    address_style_probs: tuple[float, ...] = (0.35, 0.35, 0.2, 0.1)
    date_format_probs: tuple[float, ...] = (0.3, 0.15, 0.1, 0.15, 0.1, 0.1, 0.05, 0.05)
    name_variant_share: float = 0.4
    files: tuple[tuple[str, str, str, str], ...] = CHANGE_FILES

    def __post_init__(self) -> None:
        for name in ("delay_probs", "address_style_probs", "date_format_probs"):
            p = np.asarray(getattr(self, name), dtype=float)
            if (p < 0).any() or abs(p.sum() - 1) > 1e-9:
                raise ValueError(f"{name} must be non-negative and sum to 1, got {tuple(p)}")
        if len(self.address_style_probs) != len(ADDRESS_STYLES) or len(self.date_format_probs) != len(DATE_FORMATS):
            raise ValueError("address_style_probs / date_format_probs: one probability per style / format")


#: Keys of the ``synthetic.registration`` configuration block that are not rates of
#: :class:`RegistrationParams`.
CONFIG_ONLY_KEYS = ("seed_offset",)


def params_from_config(cfg: Mapping[str, Any]) -> RegistrationParams:
    """:class:`RegistrationParams` from the ``synthetic.registration`` configuration block (lists
    as tuples; :data:`CONFIG_ONLY_KEYS` left out; keys not given keep the dataclass defaults).
    Raises ``ValueError`` for an unknown key or probabilities that do not sum to 1."""
    known = set(RegistrationParams.__dataclass_fields__) - {"files"}
    unknown = sorted(set(cfg) - known - set(CONFIG_ONLY_KEYS))
    if unknown:
        raise ValueError(f"synthetic.registration: unknown keys {unknown}")
    kw = {k: tuple(v) if isinstance(v, list | tuple) else v for k, v in cfg.items() if k in known}
    return RegistrationParams(**kw)


@dataclass
class RegistrationExtract:
    """What :func:`generate_registration` returns: ``files`` (file name -> the rows as written,
    canonical column names), ``truth`` (one row per written row), ``moves`` (the true moves
    between counties, with ``registered``, ``delay`` and ``record_id``), ``meta`` (per file
    format, encoding, dialect and header of each column)."""

    files: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    moves: pd.DataFrame
    meta: dict[str, dict[str, Any]]


def _firms(moves: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """One row per firm of the moves and the panel: first county (origin of the first move, else
    first panel county), industry and founding year (panel; else the first move year - 1)."""
    first_move = moves.sort_values(["year", "true_firm_id"]).drop_duplicates("true_firm_id")
    f_m = first_move.set_index("true_firm_id")[["origin_county", "industry", "year"]]
    f_m = f_m.rename(columns={"origin_county": "county"}).assign(founding_year=lambda d: d["year"] - 1)
    pf = panel.sort_values(["year", "true_firm_id"]).drop_duplicates("true_firm_id").set_index("true_firm_id")
    f_p = pf[["county", "industry", "founding_year"]].assign(year=pf["year"])
    out = pd.concat([f_p, f_m[~f_m.index.isin(f_p.index)]]).sort_index()
    out["founding_year"] = out["founding_year"].astype(int)
    return out


def generate_registration(
    moves: pd.DataFrame,
    panel: pd.DataFrame,
    *,
    history: History,
    seed: int,
    identities: pd.DataFrame | None = None,
    params: RegistrationParams | None = None,
    vintage: int = 2021,
    provinces: list[str] | None = None,
) -> RegistrationExtract:
    """Change-record extracts and their truth from the world's truth tables.

    ``moves`` and ``panel`` are ``truth/moves.parquet`` and ``truth/panel.parquet``; ``history``
    the code history (``resources/areacodes/result.csv``); ``provinces`` the 2-digit province
    prefixes of the world (default: those of the moves and the panel). ``identities`` is the raw
    layer's ``truth/identities.parquet`` (columns
    :data:`~yrd.synthetic.registration_ids.IDENTITY_COLUMNS`): firms in it are registered under
    their ASIF organisation codes and names (:mod:`yrd.synthetic.registration_ids`); without it
    every firm gets codes and names of its own. The random stream does not depend on
    ``identities``: the same records (kinds, years, files, addresses, dates) are planted with or
    without it, only keys and names differ. Nothing is written (see :func:`write_registration`);
    the inputs are not modified. Raises ``ValueError`` for identities without the columns or
    with a repeated firm."""
    p = params or RegistrationParams()
    rng = np.random.default_rng(seed)
    mv = moves[moves["origin_county"] != moves["dest_county"]].sort_values(["year", "true_firm_id"]).copy()
    mv = mv.reset_index(drop=True)
    provinces = provinces or sorted({str(c)[:2] for c in pd.concat([panel["county"], mv["dest_county"]])})
    y0 = int(min(panel["year"].min(), mv["year"].min() if len(mv) else 9999)) - 1
    y1 = int(max(panel["year"].max(), mv["year"].max() if len(mv) else 0)) + len(p.delay_probs)
    gaz = Gazetteer(history, [*range(min(y0, 1982), y1 + 1), vintage], vintage, provinces)
    firms = _firms(mv, panel)
    ids = check_identities(identities) if identities is not None else None
    keys = FirmKeys(firms, gaz, p, seed, rng, ids)
    names = FirmNames(own_names(firms, gaz, seed, rng), ids)
    n_files = len(p.files)
    recs: list[dict[str, Any]] = []

    def record(fid: int, year: int, kind: str, item_kind: str, before: str, after: str, **truth) -> dict:
        f = int(rng.integers(n_files))
        dialect = p.files[f][3]
        d = random_date(year, rng)
        fmt = DATE_FORMATS[rng.choice(len(DATE_FORMATS), p=p.date_format_probs)]
        kcols, kkind, kbad = keys.columns(fid, year, p, rng)
        items = _ITEMS_EN.get(item_kind) if dialect == "en" and rng.random() < 0.5 else None
        items = items or _ITEMS[item_kind]
        name = truth.pop("name_now", names.at(fid, year))
        rec = {
            **kcols,
            "name": variant(name, rng, p.name_variant_share),
            "change_item": items[rng.integers(len(items))],
            "before": before,
            "after": after,
            "change_date": date_text(d, fmt),
            "_file": f,
            "_truth": {
                "true_firm_id": int(fid),
                "kind": kind,
                "event_year": year,
                "change_date": d,
                "date_format": fmt,
                "key_written": kkind,
                "key_invalid": kbad,
                "true_name": names.at(fid, year),
                "in_asif": fid in names.asif,
                "credit_code_asif": fid in keys.embeds_asif,
                **truth,
            },
        }
        recs.append(rec)
        return rec

    # --- true relocations
    delay = rng.choice(len(p.delay_probs), size=len(mv), p=p.delay_probs)
    gap = rng.random(len(mv)) < p.gap_share
    mv["registered"], mv["delay"], mv["record_id"] = ~gap, np.where(gap, -1, delay), -1
    for i, m in enumerate(mv.itertuples(index=False)):
        if gap[i]:
            continue
        fid, year = int(m.true_firm_id), int(m.year) + int(delay[i])
        styles = rng.choice(len(ADDRESS_STYLES), size=2, p=p.address_style_probs)
        vague = rng.random(2) < p.vague_address_share
        a0 = address(gaz, m.origin_county, int(m.year) - 1, ADDRESS_STYLES[styles[0]], vague[0], rng)
        a1 = address(gaz, m.dest_county, year, ADDRESS_STYLES[styles[1]], vague[1], rng)
        info = dict(
            origin_county=m.origin_county,
            dest_county=m.dest_county,
            move_year=int(m.year),
            address_before=a0,
            address_after=a1,
            style_before=ADDRESS_STYLES[styles[0]] + ("_vague" if vague[0] else ""),
            style_after=ADDRESS_STYLES[styles[1]] + ("_vague" if vague[1] else ""),
            move_index=i,
        )
        if rng.random() < p.combined_share:
            _, county, pref, _ = gaz.place(m.dest_county, year, 0.0)
            places = (
                ident.place_stem(pref),
                ident.place_stem(county),
                ident.place_stem(pref) + ident.place_stem(county),
            )
            cur = names.at(fid, year)
            new = renamed(cur, places, rng)
            lab = rng.random() < 0.7
            b = f"名称：{cur}；住所：{a0}" if lab else f"{cur}；{a0}"
            a = f"名称：{new}；住所：{a1}" if lab else f"{a1}；{new}"
            record(fid, year, "combined", "combined", b, a, name_now=new, new_name=new, **info)
        else:
            record(fid, year, "address", "address", a0, a1, **info)
    n_moves = len(recs)

    # --- unrelated records: other changes and renamings of moving and non-moving firms
    fids = firms.index.to_numpy()
    for _ in range(int(round(p.noise_per_move * n_moves))):
        fid = int(fids[rng.integers(len(fids))])
        year = int(rng.integers(max(int(firms.at[fid, "founding_year"]), y0) + 1, y1 + 1))
        if rng.random() < 0.3:
            cur = names.at(fid, year)
            new = renamed(cur, (), rng)
            record(fid, year, "name", "name", cur, new, name_now=new, new_name=new)
        else:
            s0, s1 = rng.choice(len(_SCOPES), size=2, replace=False)
            record(fid, year, "other", "other", _SCOPES[s0], _SCOPES[s0] + "；" + _SCOPES[s1])

    # --- duplicates in the original's file: exact copies of any record, near copies of records without addresses
    base = list(recs)
    for i in np.flatnonzero(rng.random(len(base)) < p.exact_duplicate_share):
        recs.append({**base[i], "_truth": {**base[i]["_truth"], "kind": "exact_duplicate", "duplicate_of": int(i)}})
    plain = [i for i, r in enumerate(base) if r["_truth"]["kind"] in ("name", "other")]
    for i in [j for j in plain if rng.random() < p.near_duplicate_share * len(base) / max(len(plain), 1)]:
        r, t = dict(base[i]), base[i]["_truth"]
        for col in ("credit_code", "reg_number"):
            if r[col]:
                k = r[col]
                r[col] = (
                    k[:6] + "-" + k[6:]
                    if rng.random() < 0.5
                    else k.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
                )
        if t["date_format"] in DAY_FORMATS:
            r["change_date"] = date_text(t["change_date"], DAY_FORMATS[rng.integers(len(DAY_FORMATS))])
        r["name"] = r["name"] + " "
        recs.append({**r, "_truth": {**t, "kind": "near_duplicate", "duplicate_of": int(i)}})
    return _assemble(recs, mv, p, rng)


def _assemble(recs: list[dict], mv: pd.DataFrame, p: RegistrationParams, rng) -> RegistrationExtract:
    """Shuffle the records within their files, number them and build the truth tables."""
    order = rng.permutation(len(recs))
    files: dict[str, pd.DataFrame] = {}
    meta: dict[str, dict[str, Any]] = {}
    truth_rows = []
    cols = list(HEADERS["zh"])
    for f, (fname, fmt, enc, dialect) in enumerate(p.files):
        idx = [int(i) for i in order if recs[i]["_file"] == f]
        files[fname] = pd.DataFrame([{c: recs[i][c] for c in cols} for i in idx], columns=cols, dtype=object)
        headers = {c: str(HEADERS[dialect][c][rng.integers(len(HEADERS[dialect][c]))]) for c in cols}
        meta[fname] = {"format": fmt, "encoding": enc, "dialect": dialect, "columns": headers, "rows": len(idx)}
        for row, i in enumerate(idx):
            truth_rows.append({"record_id": i, "source_file": fname, "source_row": row, **recs[i]["_truth"]})
    truth = pd.DataFrame(truth_rows).sort_values("record_id", ignore_index=True)
    truth["change_date"] = pd.to_datetime(truth["change_date"])
    for c in ("move_index", "duplicate_of", "move_year"):
        truth[c] = truth[c].astype("Int64") if c in truth else pd.Series(pd.NA, index=truth.index, dtype="Int64")
    moved = truth[truth["kind"].isin(["address", "combined"])]
    mv = mv.copy()
    mv.loc[moved["move_index"].to_numpy(dtype=int), "record_id"] = moved["record_id"].to_numpy()
    return RegistrationExtract(files, truth.drop(columns="move_index"), mv, meta)


def write_registration(extract: RegistrationExtract, out_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """Write the extracts into ``out_dir`` (CSV in the file's encoding, GBK falling back to
    GB18030 for a character GBK lacks; xlsx via openpyxl) and the truth into
    ``out_dir/truth/``: ``registration_records.parquet``, ``registration_moves.parquet`` and
    ``registration_files.json`` (the per-file metadata, returned)."""
    out = Path(out_dir)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    meta = json.loads(json.dumps(write_extract_files(extract.files, extract.meta, out)))
    extract.truth.to_parquet(out / "truth" / "registration_records.parquet", index=False)
    extract.moves.to_parquet(out / "truth" / "registration_moves.parquet", index=False)
    with open(out / "truth" / "registration_files.json", "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2, ensure_ascii=False, sort_keys=True)
        fh.write("\n")
    return meta
