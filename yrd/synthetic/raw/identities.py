"""Firm identities that linking has to cope with (:mod:`yrd.synthetic.identity` for the look-real
parts): organisation codes (法人代码) that are reissued or reused by another firm after the first
one exits, names written differently from year to year and firms renamed for good, legal
representatives that change, and location spells and phone epochs (phones, addresses and
postcodes change with moves)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from yrd.synthetic import identity as ident
from yrd.synthetic.national import synthetic_place_codes
from yrd.synthetic.raw import salts
from yrd.synthetic.raw.panel import FirmOrder, Panel

#: Ways a firm-year's name is written differently from the firm's current name.
NAME_VARIANTS = ("legal_form_swap", "ascii_parentheses", "inserted_space", "typo", "place_dropped")


def place_strings(county_name: np.ndarray, parent: np.ndarray, shanghai: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Place part of a firm name from the county (name in force) and prefecture (parent name in
    force) of its location, with a per-firm choice ``u``: mostly the prefecture (苏州), else
    prefecture + county (杭州萧山), prefecture + 市, or the county alone; county-level cities and
    counties often use their own name (江阴市, 长兴县). Shanghai firms: 上海 or 上海 + district."""
    cn = pd.Series(county_name, dtype=object)
    pa = pd.Series(parent, dtype=object)
    stems = {n: ident.place_stem(n) for n in set(cn) | set(pa)}
    c_stem = cn.map(stems).to_numpy(dtype=object)
    p_stem = np.where(shanghai, "上海", pa.map(stems).to_numpy(dtype=object))
    district = cn.str.endswith("区").to_numpy() | shanghai
    full = cn.to_numpy(dtype=object)
    out = np.where(u < 0.62, p_stem, np.where(u < 0.80, p_stem + c_stem, np.where(u < 0.90, p_stem + "市", c_stem)))
    out = np.where(shanghai & (u >= 0.9), p_stem, out)
    out = np.where(~district & (u < 0.45), full, out)
    out = np.where(~district & (u >= 0.45) & (u < 0.62), c_stem, out)
    return out.astype(object)


def compose_names(
    place: np.ndarray,
    ta: np.ndarray,
    tb: np.ndarray,
    word: np.ndarray,
    form: np.ndarray,
    paren: np.ndarray,
    *,
    space: np.ndarray | None = None,
    ascii_paren: np.ndarray | None = None,
    drop_place: np.ndarray | None = None,
) -> np.ndarray:
    """Firm names from components: place, trade characters (indices into
    :data:`~yrd.synthetic.identity.TRADE_CHARS` or strings), industry word, legal form (index
    into :data:`~yrd.synthetic.identity.LEGAL_FORMS`) and the parenthesised-place flag:
    ``苏州华盛纺织有限公司`` or ``华盛（苏州）纺织有限公司``. The keyword flags (per name) insert a
    space, use ASCII parentheses or drop the place."""
    chars = np.array(list(ident.TRADE_CHARS), dtype=object)
    trade = (chars[ta] if ta.dtype != object else ta) + (chars[tb] if tb.dtype != object else tb)
    n = len(place)
    sp = np.where(space, " ", "") if space is not None else np.full(n, "", dtype=object)
    op = np.where(ascii_paren, "(", "（") if ascii_paren is not None else np.full(n, "（", dtype=object)
    cl = np.where(ascii_paren, ")", "）") if ascii_paren is not None else np.full(n, "）", dtype=object)
    pl = np.where(drop_place, "", place) if drop_place is not None else place
    sfx = np.array(ident.LEGAL_FORMS, dtype=object)[form]
    prefix_style = pl + sp + trade + word + sfx
    paren_pl = np.where(pl == "", "", op + pl + cl)
    paren_style = trade + sp + paren_pl + word + sfx
    return np.where(paren, paren_style, prefix_style).astype(object)


class Identities:
    """Firm-level identity draws (codes, names, people, events), indexed by firm position.

    From the panel ``p`` and its rows by firm ``fo``, the county code candidates ``cand`` and
    the candidate of every row ``cty_idx`` (names carry the place in force), the rates of the
    resolved ``synthetic.raw`` configuration ``cfg`` and the ``seed``."""

    def __init__(
        self, *, p: Panel, fo: FirmOrder, cand: pd.DataFrame, cty_idx: np.ndarray, cfg: Mapping[str, float], seed: int
    ):
        fids = p.fids
        n = len(fids)
        first_row = fo.order[fo.start]  # row of each firm's first year
        first_year = fo.year[fo.start]
        last_year = fo.year[fo.start + fo.n - 1]
        u = lambda salt: ident.uniform(seed, fids, salt)  # noqa: E731

        # --- events (9999: none)
        self.reissue_year = fo.event_year(u(salts.REISSUE_YEAR), u(salts.REISSUE) < cfg["id_reissue_rate"])
        self.rename_year = fo.event_year(u(salts.RENAME_YEAR), u(salts.RENAME) < cfg["rename_rate"])
        self.rep_year = fo.event_year(u(salts.REP_YEAR), u(salts.REP) < cfg["legal_rep_change_rate"])
        self.phone_year = fo.event_year(u(salts.PHONE_YEAR), u(salts.PHONE) < cfg["phone_change_rate"])

        # --- organisation codes: original and reissued, all distinct; then reuse of exited firms' codes
        reissued = np.flatnonzero(self.reissue_year < 9999)
        codes = ident.organisation_codes(np.concatenate([fids * 2, fids[reissued] * 2 + 1]), seed)
        self.code0 = codes[:n].copy()
        self.code1 = np.full(n, None, dtype=object)
        self.code1[reissued] = codes[n:]
        self.reused = np.zeros(n, dtype=bool)
        recipient = (u(salts.REUSE) < cfg["id_reuse_rate"]) & (first_year > first_year.min())
        final = np.where(self.reissue_year < 9999, self.code1, self.code0)
        used = np.zeros(n, dtype=bool)
        h_donor = ident.hash64(seed, fids, salts.REUSE + 100)
        for t in np.unique(first_year[recipient]):
            rec = np.flatnonzero(recipient & (first_year == t))
            pool = np.flatnonzero((last_year < t) & ~used)
            k = min(len(rec), len(pool))
            if k == 0:
                continue
            rec, pool = rec[:k], pool[np.argsort(h_donor[pool], kind="stable")][:k]
            self.code0[rec] = final[pool]
            used[pool] = True
            self.reused[rec] = True
            final[rec] = np.where(self.reissue_year[rec] < 9999, self.code1[rec], self.code0[rec])

        # --- legal representatives
        self.rep0 = ident.person_names(fids, seed, 0)
        self.rep1 = np.full(n, None, dtype=object)
        changed = np.flatnonzero(self.rep_year < 9999)
        self.rep1[changed] = ident.person_names(fids[changed], seed, 1)

        # --- names: place at founding (first row) and at the rename year
        self.form0, self.paren = ident.legal_forms(p.reg_u[p.reg[first_row]], u(salts.FORM), u(salts.PAREN))
        div_first = p.div_u[p.k4[first_row]]
        self.word = np.empty(n, dtype=object)
        u_word = u(salts.WORD)
        for d in np.unique(div_first):
            m = div_first == d
            pool_w = np.array(ident.INDUSTRY_WORDS.get(d, (ident.DEFAULT_INDUSTRY_WORD,)), dtype=object)
            self.word[m] = pool_w[ident.pick(u_word[m], len(pool_w))]
        u_place = u(salts.PLACE)
        cname, cparent = cand["name"].to_numpy(dtype=object), cand["parent"].to_numpy(dtype=object)
        shanghai = p.county // 10_000 == 31
        ci = cty_idx[first_row]
        self.place0 = place_strings(cname[ci], cparent[ci], shanghai[first_row], u_place)
        ridx = np.flatnonzero(self.rename_year < 9999)
        self.place1 = self.place0.copy()
        if len(ridx):
            pos = fo.order[fo.row_of(ridx, self.rename_year[ridx])]
            self.place1[ridx] = place_strings(cname[cty_idx[pos]], cparent[cty_idx[pos]], shanghai[pos], u_place[ridx])
        self.form1 = self.form0.copy()
        factory = self.form0 >= 3  # 厂 / 总厂 become companies when renamed (企业改制)
        self.form1[factory] = np.where(u(salts.FORM + 100)[factory] < 0.7, 0, 1)
        # trade names, redrawn until every canonical name (original and renamed) is unique
        self.ta0, self.tb0 = ident.trade_pairs(fids, seed, salts.TRADE)
        self.ta1, self.tb1 = ident.trade_pairs(fids, seed, salts.TRADE + 1)
        for round_ in range(1, 60):
            name0 = compose_names(self.place0, self.ta0, self.tb0, self.word, self.form0, self.paren)
            name1 = compose_names(
                self.place1[ridx], self.ta1[ridx], self.tb1[ridx], self.word[ridx], self.form1[ridx], self.paren[ridx]
            )
            dup = pd.Series(np.concatenate([name0, name1]), dtype=object).duplicated().to_numpy()
            d0, d1 = np.flatnonzero(dup[:n]), ridx[dup[n:]]
            if len(d0) == 0 and len(d1) == 0:
                break
            self.ta0[d0], self.tb0[d0] = ident.trade_pairs(fids[d0], seed, salts.TRADE + 10 * round_)
            self.ta1[d1], self.tb1[d1] = ident.trade_pairs(fids[d1], seed, salts.TRADE + 10 * round_ + 1)
        else:  # pragma: no cover
            raise RuntimeError("could not draw unique firm names")
        self.name0 = name0
        self.name1 = np.full(n, None, dtype=object)
        self.name1[ridx] = name1

    def table(self, fids: np.ndarray) -> pd.DataFrame:
        """The identities as ``truth/identities.parquet`` holds them, one row per firm (``fids``: the
        true firm ids by firm position, :attr:`Panel.fids`): ``true_firm_id``, ``org_code0`` (the
        9-character organisation code of the firm's first ASIF year, possibly reused from an
        exited firm), ``org_code1`` (the reissued code, None if never reissued), ``reissue_year``
        (first year of ``org_code1``; 9999 = none), ``name0`` (canonical name), ``name1`` (name
        after the permanent rename, None if never renamed), ``rename_year`` (9999 = none). No
        draw: the values the rows of the raw files are written from."""
        return pd.DataFrame(
            {
                "true_firm_id": np.asarray(fids, dtype=np.int64),
                "org_code0": pd.array(self.code0, dtype=object),
                "org_code1": pd.array(self.code1, dtype=object),
                "reissue_year": np.asarray(self.reissue_year, dtype=np.int64),
                "name0": pd.array(self.name0, dtype=object),
                "name1": pd.array(self.name1, dtype=object),
                "rename_year": np.asarray(self.rename_year, dtype=np.int64),
            }
        )

    def variant_names(self, fi: np.ndarray, renamed: np.ndarray, fid: np.ndarray, t: int, seed: int) -> np.ndarray:
        """Names of the selected firm-years (firm positions ``fi``, ids ``fid``, year ``t``) written
        differently (one of :data:`NAME_VARIANTS`): a swap of 有限公司 / 有限责任公司 (else a typo),
        ASCII parentheses (only names with a parenthesised place, else an inserted space), an
        inserted space, a typo of one trade-name character, or the place prefix dropped."""
        kind = ident.pick(ident.uniform(seed, fid, t, salts.VARIANT_KIND), len(NAME_VARIANTS))
        place = np.where(renamed, self.place1[fi], self.place0[fi])
        ta = np.where(renamed, self.ta1[fi], self.ta0[fi])
        tb = np.where(renamed, self.tb1[fi], self.tb0[fi])
        form = np.where(renamed, self.form1[fi], self.form0[fi])
        paren = self.paren[fi]
        swappable = form <= 1
        kind = np.where((kind == 0) & ~swappable, 3, kind)
        kind = np.where((kind == 1) & ~paren, 2, kind)
        form = np.where(kind == 0, 1 - np.minimum(form, 1), form)
        chars = np.array(list(ident.TRADE_CHARS), dtype=object)
        typos = np.array(list(ident.TRADE_TYPOS), dtype=object)
        first = ident.uniform(seed, fid, t, salts.VARIANT_KIND + 1000) < 0.5
        a = np.where((kind == 3) & first, typos[ta], chars[ta])
        b = np.where((kind == 3) & ~first, typos[tb], chars[tb])
        return compose_names(
            place,
            a.astype(object),
            b.astype(object),
            self.word[fi],
            form,
            paren,
            space=kind == 2,
            ascii_paren=kind == 1,
            drop_place=kind == 4,
        )


@dataclass(frozen=True)
class Locations:
    """Per row (panel order): the firm's location spell (a new one with every move), its phone
    epoch (a new phone with every move to another prefecture, half the moves within one and the
    firm's phone change) and the look-real tables of its place: telephone area code, postcode
    prefix and a county digit of the postcode."""

    spell: np.ndarray
    epoch: np.ndarray
    area: np.ndarray
    post: np.ndarray
    digit: np.ndarray

    @classmethod
    def draw(cls, *, p: Panel, fo: FirmOrder, phone_year: np.ndarray, seed: int) -> Locations:
        """Spells and epochs of the panel ``p`` (rows by firm ``fo``), with each firm's phone change
        year ``phone_year`` (:attr:`Identities.phone_year`), drawn with ``seed``.
        Prefectures outside the YRD get synthetic area codes and postcode prefixes
        (:func:`yrd.synthetic.national.synthetic_place_codes`)."""
        cty_sorted, pref_sorted = p.county[fo.order], p.pref[fo.order]
        new_spell = np.zeros(p.n, dtype=bool)
        new_spell[1:] = (cty_sorted[1:] != cty_sorted[:-1]) & (fo.f[1:] == fo.f[:-1])
        cross = np.zeros(p.n, dtype=bool)
        cross[1:] = new_spell[1:] & (pref_sorted[1:] != pref_sorted[:-1])
        spell_sorted = fo.cumulative(new_spell.astype(np.int64))
        inc = cross | (new_spell & (ident.uniform(seed, p.fids[fo.f], spell_sorted, salts.MOVE_PHONE) < 0.5))
        inc |= fo.year == phone_year[fo.f]
        epoch = fo.cumulative(inc.astype(np.int64))[fo.inverse]
        spell = spell_sorted[fo.inverse]

        pref_u, pref_i = np.unique(p.pref, return_inverse=True)
        pref_codes = [f"{q}00" for q in pref_u]
        area_x, post_x = synthetic_place_codes(pref_codes, set(ident.AREA_CODES))
        area_u = np.array([ident.AREA_CODES.get(q, area_x.get(q)) for q in pref_codes], dtype=object)
        post_u = np.array([ident.POSTCODE_PREFIX.get(q, post_x.get(q)) for q in pref_codes], dtype=object)
        cty_u, cty_i = np.unique(p.county, return_inverse=True)
        digit_u = (pd.Series(cty_u).groupby(cty_u // 100).cumcount().to_numpy() % 10).astype(str).astype(object)
        return cls(spell=spell, epoch=epoch, area=area_u[pref_i], post=post_u[pref_i], digit=digit_u[cty_i])
