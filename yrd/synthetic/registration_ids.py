"""Keys and names of the firms of the synthetic change records (:mod:`yrd.synthetic.registration`).

A firm of the ASIF panel (a row of the raw layer's ``truth/identities.parquet``, see
:meth:`yrd.synthetic.raw.identities.Identities.table`) is registered under the identity the ASIF
files show:

* its unified social credit code (GB 32100) ``9 1 <area code> <organisation code> <check>``
  embeds the ASIF organisation code in force when the credit code was issued, in the year
  ``max(founding year, key_switch_year)``: ``org_code1`` if the code was reissued by then
  (``reissue_year`` <= issue year), else ``org_code0``;
* the organisation code written beside a registration number is the ASIF code in force in the
  record's year (``org_code1`` from ``reissue_year`` on, else ``org_code0``);
* its name in a record of year ``t`` is the ASIF name in force (``name1`` from ``rename_year``
  on, else ``name0``), which the generator then writes with the register's variants
  (:func:`variant`).

A firm outside the panel (a firm below the survey threshold that moved) keeps draws of its own:
an organisation code under the salt ``0x6E6`` (redrawn until distinct from every ASIF code) and a
name composed from the raw layer's pools (:func:`own_names`). Registration numbers are always
own draws (ASIF has none).

Credit codes are unique: where two ASIF firms would embed the same code (an organisation code
reused by a later firm after the first one left the sample, ``synthetic.raw.id_reuse_rate``),
the firm entering the panel later keeps it and the other gets an own code.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from yrd.registration.keys import USCC_ALPHABET, regno_check_digit, uscc_check_char
from yrd.synthetic import identity as ident
from yrd.synthetic.raw.identities import compose_names
from yrd.synthetic.registration_text import Gazetteer

#: Columns of ``truth/identities.parquet`` (the ASIF identities the records share).
IDENTITY_COLUMNS = ("true_firm_id", "org_code0", "org_code1", "reissue_year", "name0", "name1", "rename_year")
#: Salt of the organisation codes of firms outside the ASIF panel (:func:`ident.organisation_codes`).
OWN_CODE_SALT = 0x6E6
_FORMS = tuple(sorted(ident.LEGAL_FORMS, key=len, reverse=True))
_WORDS = tuple(
    sorted(
        {w for ws in ident.INDUSTRY_WORDS.values() for w in ws} | {ident.DEFAULT_INDUSTRY_WORD},
        key=lambda w: (-len(w), w),
    )
)


def _none(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v


def check_identities(identities: pd.DataFrame) -> pd.DataFrame:
    """The identities indexed by ``true_firm_id`` (missing reissued codes and names as None).
    Raises ``ValueError`` for a missing column or a repeated firm."""
    missing = [c for c in IDENTITY_COLUMNS if c not in identities.columns]
    if missing:
        raise ValueError(f"identities lack columns {missing}")
    if identities["true_firm_id"].duplicated().any():
        raise ValueError("identities: one row per true_firm_id expected")
    out = identities[list(IDENTITY_COLUMNS)].astype(object).set_index("true_firm_id")
    out.index = out.index.astype(np.int64)
    for c in ("org_code1", "name1"):
        out[c] = [_none(v) for v in out[c]]
    for c in ("reissue_year", "rename_year"):
        out[c] = out[c].astype(np.int64)
    return out


def _own_codes(fids: np.ndarray, asif: set[str], seed: int) -> dict[int, str]:
    """Organisation codes of ``fids`` under :data:`OWN_CODE_SALT`, distinct from each other and
    from the codes ``asif`` (colliding ones redrawn under the next salts)."""
    codes = dict(zip(fids.tolist(), ident.organisation_codes(fids, seed, salt=OWN_CODE_SALT)))
    for round_ in range(1, 50):
        seen: set[str] = set()
        bad = []
        for f in fids.tolist():
            if codes[f] in asif or codes[f] in seen:
                bad.append(f)
            seen.add(codes[f])
        if not bad:
            return codes
        bad_set = set(bad)
        taken = asif | {codes[f] for f in fids.tolist() if f not in bad_set}
        new = ident.organisation_codes(np.array(bad, dtype=np.int64), seed, salt=OWN_CODE_SALT + round_)
        for f, c in zip(bad, new):
            codes[f] = c if c not in taken else codes[f]
    raise RuntimeError("could not draw organisation codes distinct from the ASIF codes")  # pragma: no cover


class FirmKeys:
    """Organisation codes, registration numbers and credit codes of the firms (module docstring).

    ``firms`` is indexed by ``true_firm_id`` with ``county`` (first county), ``founding_year``
    and ``year`` (first panel year, else first move year; settles shared ASIF codes);
    ``identities`` the checked ASIF identities (:func:`check_identities`) or None (every firm
    gets own codes). ``org[fid]`` is the code in the credit code, ``embeds_asif`` the firms whose
    credit code embeds their ASIF code."""

    def __init__(self, firms: pd.DataFrame, gaz: Gazetteer, params, seed: int, rng, identities=None):
        fids = firms.index.to_numpy(dtype=np.int64)
        ids = identities if identities is not None else pd.DataFrame(columns=list(IDENTITY_COLUMNS[1:]))
        self.asif = {
            int(f): (str(c0), c1, int(ry))
            for f, c0, c1, ry in zip(ids.index, ids["org_code0"], ids["org_code1"], ids["reissue_year"])
        }
        codes = set(ids["org_code0"]) | {c for c in ids["org_code1"] if c is not None}
        in_ids = np.isin(fids, ids.index.to_numpy())
        self.org: dict[int, str] = _own_codes(fids[~in_ids], codes, seed)
        self.embeds_asif: set[int] = set()
        issue = np.maximum(firms["founding_year"].to_numpy(dtype=np.int64), params.key_switch_year)
        if in_ids.any():
            sub = ids.loc[fids[in_ids]]
            code = np.where(sub["reissue_year"].to_numpy() <= issue[in_ids], sub["org_code1"], sub["org_code0"])
            order = pd.DataFrame({"fid": fids[in_ids], "code": code, "first": firms["year"].to_numpy()[in_ids]})
            order = order.sort_values(["first", "fid"], ascending=[False, True])
            keep = ~order["code"].duplicated()  # the later entrant keeps a shared code
            for f, c in zip(order.loc[keep, "fid"], order.loc[keep, "code"]):
                self.org[int(f)] = str(c)
                self.embeds_asif.add(int(f))
            lost = order.loc[~keep, "fid"].to_numpy(dtype=np.int64)
            if len(lost):
                self.org.update(_own_codes(lost, codes | set(self.org.values()), seed + 1))
        self.regno: dict[int, str] = {}
        self.credit: dict[int, str] = {}
        for fid, county, founded in zip(fids, firms["county"], firms["founding_year"]):
            area0 = gaz.place(county, max(int(founded), 1982), 0.0)[0]
            body = area0 + f"{rng.integers(0, 10**8):08d}"
            self.regno[fid] = body + regno_check_digit(body)
            area1 = gaz.place(county, max(int(founded), params.key_switch_year), 0.0)[0]
            cbody = "91" + area1 + self.org[fid]
            self.credit[fid] = cbody + uscc_check_char(cbody)

    def org_at(self, fid: int, year: int) -> str:
        """The organisation code of the firm in ``year``: the ASIF code in force, else its own."""
        a = self.asif.get(int(fid))
        if a is None:
            return self.org[fid]
        return str(a[1]) if year >= a[2] and a[1] is not None else a[0]

    def columns(self, fid: int, year: int, p, rng) -> tuple[dict[str, str], str, bool]:
        """Key columns of one record, the kind written and whether it was planted invalid."""
        out = {"credit_code": "", "reg_number": "", "org_code": ""}
        if rng.random() < p.missing_key_share:
            return out, "none", False
        credit = year >= p.key_switch_year or rng.random() < p.backfill_credit_share
        col, key = ("credit_code", self.credit[fid]) if credit else ("reg_number", self.regno[fid])
        bad = rng.random() < p.invalid_key_share
        if bad:
            alphabet = USCC_ALPHABET if credit else "0123456789"
            key = key[:-1] + alphabet[(alphabet.index(key[-1]) + 1 + rng.integers(len(alphabet) - 1)) % len(alphabet)]
        out[col] = key
        if not credit and rng.random() < p.org_code_share:
            org = self.org_at(fid, year)
            out["org_code"] = org[:8] + "-" + org[8]
        return out, ("credit_code" if credit else "registration_number"), bool(bad)


class FirmNames:
    """Names of the firms in force in a year: the ASIF name for firms of ``identities`` (checked,
    :func:`check_identities`, or None), else the firm's own name (:func:`own_names`)."""

    def __init__(self, own: dict[int, str], identities=None):
        self.own = own
        ids = identities if identities is not None else pd.DataFrame(columns=list(IDENTITY_COLUMNS[1:]))
        self.asif = {
            int(f): (str(n0), n1, int(ry))
            for f, n0, n1, ry in zip(ids.index, ids["name0"], ids["name1"], ids["rename_year"])
        }

    def at(self, fid: int, year: int) -> str:
        """The firm's name in force in ``year``."""
        a = self.asif.get(int(fid))
        if a is None:
            return self.own[fid]
        return str(a[1]) if year >= a[2] and a[1] is not None else a[0]


def own_names(firms: pd.DataFrame, gaz: Gazetteer, seed: int, rng) -> dict[int, str]:
    """Canonical firm names: place of the first county (as in force at founding), trade name,
    industry word, 有限公司 or 有限责任公司 (:func:`yrd.synthetic.raw.identities.compose_names`)."""
    fids = firms.index.to_numpy(dtype=np.int64)
    place = np.array(
        [
            ident.place_stem(gaz.place(c, max(int(y), 1982), 0.0)[2])
            for c, y in zip(firms["county"], firms["founding_year"])
        ],
        dtype=object,
    )
    ta, tb = ident.trade_pairs(fids, seed, 0x6E7)
    words = np.array(
        [ident.INDUSTRY_WORDS.get(str(d), (ident.DEFAULT_INDUSTRY_WORD,))[0] for d in firms["industry"]], dtype=object
    )
    form = (rng.random(len(fids)) < 0.4).astype(int)
    paren = rng.random(len(fids)) < 0.2
    return dict(zip(fids, compose_names(place, ta, tb, words, form, paren)))


def variant(name: str, rng: np.random.Generator, share: float) -> str:
    """The name as a register writes it: 有限公司 / 有限责任公司 swapped (not 股份有限公司), ASCII
    brackets or a space after two characters (else as is); a share ``share`` is changed."""
    if rng.random() >= share:
        return name
    k = rng.integers(3)
    if k == 0 and name.endswith("有限责任公司"):
        return name[: -len("有限责任公司")] + "有限公司"
    if k == 0 and name.endswith("有限公司") and not name.endswith("股份有限公司"):
        return name[: -len("有限公司")] + "有限责任公司"
    if k == 1 and "（" in name:
        return name.replace("（", "(").replace("）", ")")
    return name[:2] + " " + name[2:]


def normalise_variant(name: str) -> str:
    """The name with the variants of :func:`variant` undone (spaces removed, ASCII brackets full
    width, 有限责任公司 written 有限公司), to compare a written name with the true one."""
    s = re.sub(r"\s+", "", str(name)).replace("(", "（").replace(")", "）")
    return s[: -len("有限责任公司")] + "有限公司" if s.endswith("有限责任公司") else s


def _parts(name: str) -> tuple[str, str, str, str, bool]:
    """``(place, trade, rest, legal form, bracketed)`` of a composed name: ``苏州`` ``华盛`` ``纺织``
    ``有限公司`` of 苏州华盛纺织有限公司 or 华盛（苏州）纺织有限公司; the trade name is the two characters
    before the industry word (the first two characters of a name without a known word)."""
    suf = next((f for f in _FORMS if name.endswith(f)), "")
    stem = name[: len(name) - len(suf)]
    m = re.fullmatch(r"(.{2})（([^）]*)）(.*)", stem)
    if m:
        return m.group(2), m.group(1), m.group(3), suf, True
    word = next((w for w in _WORDS if stem.endswith(w) and len(stem) >= len(w) + 2), None)
    if word is None:
        return "", stem[:2], stem[2:], suf, False
    head = stem[: -len(word)]
    return head[:-2], head[-2:], word, suf, False


def _compose(place: str, trade: str, rest: str, suf: str, bracketed: bool) -> str:
    return f"{trade}（{place}）{rest}{suf}" if bracketed and place else f"{place}{trade}{rest}{suf}"


def renamed(name: str, places: tuple[str, ...], rng) -> str:
    """A new name: the place replaced by the first of ``places`` that changes the name (a move;
    e.g. the prefecture, then the county), or, without places or when none changes it, the
    trade name replaced by two new trade characters (a renaming). Two draws of ``rng`` either
    way, so the random stream does not depend on the name."""
    chars = ident.TRADE_CHARS
    new_trade = chars[rng.integers(len(chars))] + chars[rng.integers(len(chars))]
    place, trade, rest, suf, bracketed = _parts(name)
    for q in places:
        new = _compose(q, trade, rest, suf, bracketed)
        if q and new != name:
            return new
    if new_trade == trade:
        new_trade = new_trade[1] + new_trade[0] if new_trade[0] != new_trade[1] else chars[0] + chars[1]
    return _compose(place, new_trade, rest, suf, bracketed)
