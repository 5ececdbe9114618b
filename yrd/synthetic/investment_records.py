"""Text of the synthetic investment records (:mod:`yrd.synthetic.investment`): one record per
true subsidiary, written the way registration extracts look, plus duplicates and the truth.

Per record (rates in :class:`yrd.synthetic.investment.InvestmentParams`):

* **investor name**: the parent's ASIF name in force in the founding year ``t`` (truth
  ``identities.parquet``: ``name1`` from ``rename_year`` on, else ``name0``), sometimes the old
  name of a renamed parent (``old_name_share``), a 集团 inserted before the legal form
  (``group_suffix_share``), or a variant (``name_variant_share``: 有限公司 / 有限责任公司
  swapped, ASCII brackets, an inserted space);
* **investor code**: mostly the current unified social credit code
  ``9 1 <area code in force in 2015 of the parent's county in its last panel year> <ASIF
  organisation code: org_code1 if reissued else org_code0> <check>`` (extracts are drawn
  today), else the 15-digit registration number ``<area code in force in the first panel year>
  <8 digits> <MOD 11,10 check>`` (``regno_share``), the organisation code itself, as
  ``12345678-9`` or plain (``org_code_share``), or nothing (``missing_key_share``); a share of
  the credit codes has a wrong check character (``invalid_key_share``, flagged in the truth);
* **investee**: above the threshold the matched entrant's ASIF name (in force in ``t``) and its
  credit code; else a composed name (:func:`yrd.synthetic.raw.identities.compose_names`: place
  of the destination prefecture, trade characters, the parent's industry word) or, for branches
  (``branch_share``), the parent's name + destination place + 分公司, and a credit code of a new
  organisation code; no code for ``investee_missing_key_share``;
* **address**: free text in the destination county with the names in force in ``t``
  (:func:`yrd.synthetic.registration_text.address`), a share naming only the prefecture and a
  zone (``vague_address_share``: ingest keeps them with the county missing and the prefecture given);
* **capital** (认缴出资, 万元): ``500``, ``500万``, ``500.00万元`` or ``1,200``; a few in US
  dollars (``bad_capital_share``, ``50万美元``, truth ``capital_format`` ``usd``: ingest keeps
  them with the capital missing and ``capital_currency`` ``USD``, as the truth has them), some
  empty (``missing_capital_share``, and most branches, which have no capital of their own);
  truth ``capital_currency`` is ``CNY``, ``USD`` or missing;
* **founding date**: a day of ``t`` in one of :data:`~yrd.synthetic.registration_text.DATE_FORMATS`.

Duplicates, in the original's file: exact copies (``exact_duplicate_share``), and near copies of
records ingest keeps (key with separators or full-width digits, another day format of the
date, capital in another format, a trailing space): ingest removes both kinds. Near copies are
drawn among the records with a yuan or empty capital and a non-vague address only (those
ingest once quarantined), so that the drawn world stayed the same when ingest began keeping the
others.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from yrd.geography import History
from yrd.registration.keys import USCC_ALPHABET, regno_check_digit, uscc_check_char
from yrd.synthetic import identity as ident
from yrd.synthetic.raw.identities import compose_names
from yrd.synthetic.registration_text import (
    ADDRESS_STYLES,
    DATE_FORMATS,
    DAY_FORMATS,
    Gazetteer,
    address,
    date_text,
    random_date,
)

#: Canonical investment-record columns and some of their headers in each dialect (names of
#: ``config/registration_dialects.yaml``).
HEADERS = {
    "zh": {
        "investor_name": ("投资方", "投资方名称", "股东名称"),
        "investor_code": ("投资方信用代码", "投资方统一社会信用代码"),
        "investee_name": ("被投资企业", "被投资企业名称", "被投资单位"),
        "investee_code": ("被投资企业信用代码", "被投资企业统一社会信用代码"),
        "investee_address": ("被投资企业住所", "被投资企业地址"),
        "capital": ("认缴出资（万元）", "认缴出资额（万元）", "认缴出资"),
        "founding_date": ("成立日期", "成立时间", "设立日期"),
    },
    "en": {
        "investor_name": ("investor", "investor_name", "parent_name"),
        "investor_code": ("investor_code", "investor_credit_code"),
        "investee_name": ("investee", "investee_name", "subsidiary_name"),
        "investee_code": ("investee_code", "investee_credit_code"),
        "investee_address": ("investee_address", "subsidiary_address"),
        "capital": ("capital", "subscribed_capital", "capital_wan"),
        "founding_date": ("founding_date", "established", "date_founded"),
    },
}
#: Hash salts of this module (:func:`yrd.synthetic.identity.hash64`), distinct from the raw
#: layer's (:mod:`yrd.synthetic.raw.salts`) and the change records'.
SALT_ORG, SALT_TRADE, SALT_REGNO = 0x1A700, 0x1A710, 0x1A720
CAPITAL_FORMATS = ("plain", "wan", "wanyuan", "comma")
_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_FORMS = ("股份有限公司", "有限责任公司", "有限公司")


def _split_form(name: str) -> tuple[str, str]:
    for f in _FORMS:
        if name.endswith(f):
            return name[: -len(f)], f
    return name, ""


def _variant(name: str, rng: np.random.Generator) -> tuple[str, str]:
    """A name as a register writes it: legal form swapped, ASCII brackets or a space."""
    k = int(rng.integers(3))
    stem, form = _split_form(name)
    if k == 0 and form in ("有限公司", "有限责任公司"):
        return stem + ("有限责任公司" if form == "有限公司" else "有限公司"), "legal_form_swap"
    if k == 1 and "（" in name:
        return name.replace("（", "(").replace("）", ")"), "ascii_brackets"
    return name[:2] + " " + name[2:], "space"


class _Codes:
    """Credit codes and registration numbers of ASIF firms (module docstring)."""

    def __init__(self, panel: pd.DataFrame, identities: pd.DataFrame, gaz: Gazetteer, seed: int):
        pn = panel.sort_values(["year", "true_firm_id"])
        self.first = pn.drop_duplicates("true_firm_id").set_index("true_firm_id")[["year", "county"]]
        self.last = pn.drop_duplicates("true_firm_id", keep="last").set_index("true_firm_id")[["year", "county"]]
        idt = identities.set_index("true_firm_id")
        self.idt = idt
        self.gaz, self.seed = gaz, seed
        self._cache: dict[int, tuple[str, str, str]] = {}

    def org(self, fid: int) -> str:
        r = self.idt.loc[fid]
        return (
            str(r["org_code1"])
            if int(r["reissue_year"]) < 9999 and isinstance(r["org_code1"], str)
            else str(r["org_code0"])
        )

    def codes(self, fid: int) -> tuple[str, str, str]:
        """``(credit code, registration number, organisation code)`` of an ASIF firm."""
        if fid not in self._cache:
            org = self.org(fid)
            y1, c1 = self.last.loc[fid]
            area1 = self.gaz.place(str(c1), max(int(y1), 2015), 0.0)[0]
            y0, c0 = self.first.loc[fid]
            area0 = self.gaz.place(str(c0), int(y0), 0.0)[0]
            seq = int(ident.hash64(self.seed, np.array([fid], dtype=np.int64), SALT_REGNO)[0] % np.uint64(10**8))
            body = area0 + f"{seq:08d}"
            self._cache[fid] = (credit_code(area1, org), body + regno_check_digit(body), org)
        return self._cache[fid]

    def name(self, fid: int, year: int) -> tuple[str, str]:
        """``(name in force in year, original name)``."""
        r = self.idt.loc[fid]
        now = r["name1"] if int(r["rename_year"]) <= year and isinstance(r["name1"], str) else r["name0"]
        return str(now), str(r["name0"])


def credit_code(area: str, org: str) -> str:
    """Unified social credit code ``91 <area> <organisation code> <check>`` (GB 32100-2015)."""
    body = "91" + area + org
    return body + uscc_check_char(body)


def _corrupt(key: str, rng: np.random.Generator) -> str:
    a = USCC_ALPHABET
    return key[:-1] + a[(a.index(key[-1]) + 1 + int(rng.integers(len(a) - 1))) % len(a)]


def _capital_text(value: float, fmt: str) -> str:
    if fmt == "missing":
        return ""
    if fmt == "usd":
        return f"{max(1, round(value / 7))}万美元"
    if fmt == "wan":
        return f"{value:g}万"
    if fmt == "wanyuan":
        return f"{value:.2f}万元"
    if fmt == "comma" and value >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def write_records(
    events: pd.DataFrame,
    panel: pd.DataFrame,
    identities: pd.DataFrame,
    p: Any,
    rng: np.random.Generator,
    *,
    history: History,
    seed: int,
    vintage: int,
    provinces: list[str] | None,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, dict[str, Any]]]:
    """The files (name -> rows as written), the records truth and the file metadata of the
    subsidiaries ``events`` (:func:`yrd.synthetic.investment.match_entrants` output) with the
    rates ``p`` (:class:`~yrd.synthetic.investment.InvestmentParams`)."""
    provinces = provinces or sorted({str(c)[:2] for c in panel["county"]})
    y0, y1 = int(panel["year"].min()), int(panel["year"].max())
    gaz = Gazetteer(history, sorted({*range(y0, y1 + 1), 2015, vintage}), vintage, provinces)
    codes = _Codes(panel, identities, gaz, seed)
    sids = events["subsidiary_id"].to_numpy(dtype=np.int64)
    new_org = dict(zip(sids, ident.organisation_codes(sids, seed, salt=SALT_ORG)))
    ta, tb = ident.trade_pairs(sids, seed, SALT_TRADE)
    trade = dict(zip(sids, zip(ta, tb)))
    n_files = len(p.files)
    recs: list[dict[str, Any]] = []
    for e in events.itertuples(index=False):
        t, sid, parent = int(e.year), int(e.subsidiary_id), int(e.parent_firm_id)
        # --- investor
        now, old = codes.name(parent, t)
        name, nkind = now, ""
        if now != old and rng.random() < p.old_name_share:
            name, nkind = old, "old_name"
        elif rng.random() < p.group_suffix_share and _split_form(now)[1]:
            stem, form = _split_form(now)
            name, nkind = stem + "集团" + form, "group"
        elif rng.random() < p.name_variant_share:
            name, nkind = _variant(now, rng)
        credit, regno, org = codes.codes(parent)
        u = rng.random()
        if u < p.missing_key_share:
            inv_key, inv_kind = "", "none"
        elif u < p.missing_key_share + p.regno_share:
            inv_key, inv_kind = regno, "registration_number"
        elif u < p.missing_key_share + p.regno_share + p.org_code_share:
            inv_key = org[:8] + "-" + org[8] if rng.random() < 0.5 else org
            inv_kind = "organisation_code"
        else:
            inv_key, inv_kind = credit, "credit_code"
        inv_bad = inv_kind == "credit_code" and rng.random() < p.invalid_key_share
        if inv_bad:
            inv_key = _corrupt(inv_key, rng)
        # --- investee
        _, _, pref_name, _ = gaz.place(e.dest_county, t, 0.0)
        place = ident.place_stem(pref_name)
        branch = False
        if e.above_threshold:
            fid = int(e.asif_firm_id)
            tee_name = codes.name(fid, t)[0]
            tee_credit, tee_regno, _ = codes.codes(fid)
        else:
            branch = bool(rng.random() < p.branch_share)
            if branch:
                tee_name = now + place + "分公司"
            else:
                a, b = trade[sid]
                words = ident.INDUSTRY_WORDS.get(str(e.industry), (ident.DEFAULT_INDUSTRY_WORD,))
                word = words[int(rng.integers(len(words)))]
                one = lambda v: np.array([v], dtype=object)  # noqa: E731
                tee_name = str(
                    compose_names(
                        one(place),
                        np.array([a]),
                        np.array([b]),
                        one(word),
                        np.array([int(rng.random() < 0.4)]),
                        np.array([bool(rng.random() < 0.2)]),
                    )[0]
                )
            area = gaz.place(e.dest_county, max(t, 2015), 0.0)[0]
            tee_credit = credit_code(area, new_org[sid])
            body = gaz.place(e.dest_county, t, 0.0)[0] + f"{int(rng.integers(10**8)):08d}"
            tee_regno = body + regno_check_digit(body)
        u = rng.random()
        if u < p.investee_missing_key_share:
            tee_key, tee_kind = "", "none"
        elif u < p.investee_missing_key_share + p.regno_share:
            tee_key, tee_kind = tee_regno, "registration_number"
        else:
            tee_key, tee_kind = tee_credit, "credit_code"
        # --- address, capital, date
        style = ADDRESS_STYLES[rng.choice(len(ADDRESS_STYLES), p=p.address_style_probs)]
        vague = bool(rng.random() < p.vague_address_share)
        addr = address(gaz, e.dest_county, t, style, vague, rng)
        mu = np.log(2000.0 if e.above_threshold else 300.0)
        value = float(np.exp(rng.normal(mu, 1.0)))
        value = float(round(value)) if value < 100 else float(round(value, -1))
        value = max(value, 1.0)
        u = rng.random()
        if u < p.bad_capital_share:
            cfmt = "usd"
        elif u < p.bad_capital_share + p.missing_capital_share or (branch and rng.random() < 0.7):
            cfmt, value = "missing", float("nan")
        else:
            cfmt = CAPITAL_FORMATS[int(rng.integers(len(CAPITAL_FORMATS)))]
        d = random_date(t, rng)
        dfmt = DATE_FORMATS[rng.choice(len(DATE_FORMATS), p=p.date_format_probs)]
        recs.append(
            {
                "investor_name": name,
                "investor_code": inv_key,
                "investee_name": tee_name,
                "investee_code": tee_key,
                "investee_address": addr,
                "capital": _capital_text(value, cfmt),
                "founding_date": date_text(d, dfmt),
                "_file": int(rng.integers(n_files)),
                "_truth": {
                    "kind": "investment",
                    **{c: getattr(e, c) for c in events.columns if c != "match_level"},
                    "match_level": e.match_level,
                    "branch": branch,
                    "investor_name_true": now,
                    "investor_name_kind": nkind,
                    "investor_key_written": inv_kind,
                    "investor_key_invalid": bool(inv_bad),
                    "investee_name_true": tee_name,
                    "investee_key_written": tee_kind,
                    "address_style": style + ("_vague" if vague else ""),
                    "capital_wan": value if cfmt != "usd" else float("nan"),
                    "capital_currency": {"usd": "USD", "missing": None}.get(cfmt, "CNY"),
                    "capital_format": cfmt,
                    "founding_date": d,
                    "date_format": dfmt,
                },
            }
        )
    recs = _duplicates(recs, p, rng)
    return _assemble(recs, p, rng)


def _duplicates(recs: list[dict[str, Any]], p: Any, rng: np.random.Generator) -> list[dict[str, Any]]:
    """Exact copies of any record; near copies of records ingest keeps (module docstring)."""
    base = list(recs)
    out = list(recs)
    for i in np.flatnonzero(rng.random(len(base)) < p.exact_duplicate_share):
        out.append({**base[i], "_truth": {**base[i]["_truth"], "kind": "exact_duplicate", "duplicate_of": int(i)}})
    ok = [
        i
        for i, r in enumerate(base)
        if r["_truth"]["capital_format"] != "usd" and not r["_truth"]["address_style"].endswith("_vague")
    ]
    share = p.near_duplicate_share * len(base) / max(len(ok), 1)
    for i in [j for j in ok if rng.random() < share]:
        r, t = dict(base[i]), base[i]["_truth"]
        for col in ("investor_code", "investee_code"):
            k = r[col]
            if k and len(k) >= 15:
                r[col] = k[:6] + "-" + k[6:] if rng.random() < 0.5 else k.translate(_FULL)
        if t["date_format"] in DAY_FORMATS:
            r["founding_date"] = date_text(t["founding_date"], DAY_FORMATS[int(rng.integers(len(DAY_FORMATS)))])
        if t["capital_format"] in CAPITAL_FORMATS:
            r["capital"] = _capital_text(t["capital_wan"], CAPITAL_FORMATS[int(rng.integers(3))])
        r["investor_name"] = r["investor_name"] + " "
        out.append({**r, "_truth": {**t, "kind": "near_duplicate", "duplicate_of": int(i)}})
    return out


def _assemble(
    recs: list[dict[str, Any]], p: Any, rng: np.random.Generator
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict[str, dict[str, Any]]]:
    """Shuffle the records within their files, number them and build the records truth."""
    order = rng.permutation(len(recs))
    files: dict[str, pd.DataFrame] = {}
    meta: dict[str, dict[str, Any]] = {}
    rows = []
    cols = list(HEADERS["zh"])
    for f, (fname, fmt, enc, dialect) in enumerate(p.files):
        idx = [int(i) for i in order if recs[i]["_file"] == f]
        files[fname] = pd.DataFrame([{c: recs[i][c] for c in cols} for i in idx], columns=cols, dtype=object)
        headers = {c: str(HEADERS[dialect][c][rng.integers(len(HEADERS[dialect][c]))]) for c in cols}
        meta[fname] = {"format": fmt, "encoding": enc, "dialect": dialect, "columns": headers, "rows": len(idx)}
        for row, i in enumerate(idx):
            rows.append({"record_id": i, "source_file": fname, "source_row": row, **recs[i]["_truth"]})
    truth = pd.DataFrame(rows).sort_values("record_id", ignore_index=True)
    if "duplicate_of" not in truth:
        truth["duplicate_of"] = pd.NA
    truth["duplicate_of"] = truth["duplicate_of"].astype("Int64")
    truth["asif_firm_id"] = truth["asif_firm_id"].astype("Int64")
    truth["founding_date"] = pd.to_datetime(truth["founding_date"])
    for c in ("origin_county", "dest_county", "origin_prefecture", "dest_prefecture", "industry"):
        truth[c] = truth[c].astype(str)
    return files, truth, meta
