"""A small, fast, fake ASIF-like panel with known truth, for testing linking and relocation
detection (a test helper, independent of the full synthetic world of :mod:`yrd.synthetic`,
whose pools of names it draws from: :mod:`yrd.synthetic.identity`).

:func:`fake_asif_panel` simulates firms on the real 2021 county codes of the Yangtze River
Delta (yearly exit, entry, moves between and within prefectures, a sample threshold that
makes firms leave and re-enter the sample without moving) and writes the records the way the
ingestion stage delivers them (one row per accepted raw record, columns of the clean
firm-year table) with the messiness linking has to cope with:

* 法人代码 reissued once from some year (``reissue_rate`` of firms), reused by a new firm
  entering the year after the original holder left the sample (``reuse_rate`` of entrants,
  the hardest case), missing in some records, written with a hyphen in one year;
* name variants in single records (有限公司 / 有限责任公司 swapped, ASCII parentheses, a
  space, a one-character typo, the place prefix dropped) and permanent renames;
* legal representatives and phones that change once; a move to another prefecture brings a
  new phone, area code, postcode and address; a move within a prefecture a new address and,
  half the time, a new phone;
* exact duplicate rows (``duplicate_rate``), and raw county codes that differ from the
  harmonised county in early years for some counties (column ``county_raw``).

Truth: ``records`` (``source_file``, ``source_row``, ``true_firm_id``) and ``moves``
(``true_firm_id``, ``year``, ``origin_county``, ``dest_county``, ``industry``, ``kind``,
``observable``) in the layout of ``resources/raw/<world>/truth/``.
All draws come from one seeded generator: same arguments, same panel. Surnames, given-name
and trade-name characters with their one-character typos, industry words, legal forms, roads
and telephone area codes are those of :mod:`yrd.synthetic.identity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from yrd.synthetic.identity import (
    AREA_CODES,
    GIVEN_CHARS,
    INDUSTRY_WORDS,
    LEGAL_FORMS,
    ROADS,
    SURNAMES,
    TRADE_CHARS,
    TRADE_TYPOS,
    place_stem,
)

YRD = ["31", "32", "33", "34"]
#: 2-digit industries (GB/T 4754-2002 divisions 13-43): those with name words.
INDUSTRIES = list(INDUSTRY_WORDS)
#: Legal forms drawn (with probabilities 0.55, 0.2, 0.05, 0.2); 总厂 is left to the full world.
FORMS = LEGAL_FORMS[:4]


@dataclass
class FakeWorld:
    """Records as delivered by ingestion plus their truth."""

    records: pd.DataFrame
    truth_records: pd.DataFrame
    truth_moves: pd.DataFrame


@lru_cache(maxsize=1)
def _geography() -> pd.DataFrame:
    from helpers.resources import AREACODES_CSV
    from yrd.geography import codes_in_force

    c = codes_in_force(2021, "county", YRD, history=AREACODES_CSV)
    c = c.assign(prefecture=c["code"].str[:4] + "00").reset_index(drop=True)
    c["parent"] = np.where(c["parent"] == "直辖", "上海市", c["parent"])
    return c


def fake_asif_panel(
    n_firms: int = 3000,
    years: tuple[int, int] = (1998, 2013),
    seed: int = 0,
    *,
    exit_rate: float = 0.07,
    growth: float = 0.03,
    move_between_rate: float = 0.012,
    move_within_rate: float = 0.010,
    stay_in_sample: float = 0.93,
    reenter_sample: float = 0.45,
    reissue_rate: float = 0.02,
    reuse_rate: float = 0.003,
    name_variant_rate: float = 0.03,
    rename_rate: float = 0.03,
    rep_change_rate: float = 0.03,
    phone_change_rate: float = 0.05,
    missing_code_rate: float = 0.001,
    duplicate_rate: float = 0.002,
    hyphen_year: int | None = 2004,
) -> FakeWorld:
    """Simulate ``n_firms`` initial firms over ``years`` (inclusive) and return the messy
    records and the truth (module docstring). Rates are yearly probabilities per firm except
    the identity rates, which are per firm (or per record for name variants, missing codes and
    duplicates)."""
    rng = np.random.default_rng(seed)
    geo = _geography()
    n_cty = len(geo)
    cty_w = rng.lognormal(0.0, 0.8, n_cty)
    cty_p = cty_w / cty_w.sum()
    pref_codes, cty_pref = np.unique(geo["prefecture"].to_numpy(), return_inverse=True)
    pref_counties = [np.flatnonzero(cty_pref == k) for k in range(len(pref_codes))]
    pref_w = np.bincount(cty_pref, weights=cty_p)
    y0, y1 = years

    # ---------------------------------------------------------------- firm dynamics
    cap = int(n_firms * (1 + (exit_rate + growth) * (y1 - y0 + 1)) * 1.3) + 100
    county = np.full(cap, -1, dtype=np.int64)
    industry = np.zeros(cap, dtype=np.int64)
    founding = np.zeros(cap, dtype=np.int64)
    alive = np.zeros(cap, dtype=bool)
    in_sample = np.zeros(cap, dtype=bool)
    n = 0
    rows_f, rows_y, rows_c, rows_s = [], [], [], []
    moves = []
    target = float(n_firms)

    def add(k: int, t: int) -> None:
        nonlocal n
        if n + k > cap:
            raise RuntimeError("fake panel capacity exceeded")
        idx = np.arange(n, n + k)
        county[idx] = rng.choice(n_cty, size=k, p=cty_p)
        industry[idx] = rng.integers(0, len(INDUSTRIES), k)
        age = np.where(rng.random(k) < 0.5, 0, rng.geometric(0.08, k))
        founding[idx] = np.maximum(t - age, 1949)
        alive[idx] = True
        in_sample[idx] = rng.random(k) < 0.85
        n += k

    for t in range(y0, y1 + 1):
        if t == y0:
            add(n_firms, t)
        else:
            ids = np.flatnonzero(alive[:n])
            dead = ids[rng.random(len(ids)) < exit_rate]
            alive[dead] = False
            ids = np.flatnonzero(alive[:n])
            u = rng.random(len(ids))
            between = ids[u < move_between_rate]
            within = ids[(u >= move_between_rate) & (u < move_between_rate + move_within_rate)]
            prev_sample = in_sample.copy()
            # sample membership of incumbents (threshold): persistence, re-entry
            stay = rng.random(len(ids))
            in_sample[ids] = np.where(in_sample[ids], stay < stay_in_sample, stay < reenter_sample)
            if len(between):
                origin = county[between].copy()
                op = cty_pref[origin]
                w = np.tile(pref_w, (len(between), 1))
                w[np.arange(len(between)), op] = 0
                w /= w.sum(axis=1, keepdims=True)
                dp = (w.cumsum(axis=1) > rng.random(len(between))[:, None]).argmax(axis=1)
                dest = np.array(
                    [
                        rng.choice(pref_counties[p], p=cty_p[pref_counties[p]] / cty_p[pref_counties[p]].sum())
                        for p in dp
                    ],
                    dtype=np.int64,
                )
                county[between] = dest
                moves.append(
                    pd.DataFrame(
                        {
                            "fid": between,
                            "year": t,
                            "o": origin,
                            "d": dest,
                            "obs": prev_sample[between] & in_sample[between],
                        }
                    )
                )
            if len(within):
                origin = county[within].copy()
                sizes = np.array([len(pref_counties[p]) for p in cty_pref[origin]])
                ok = sizes > 1
                within, origin = within[ok], origin[ok]
                pick = rng.integers(0, 1 << 30, len(within))
                dest = np.array(
                    [
                        np.setdiff1d(pref_counties[p], [o])[k % (len(pref_counties[p]) - 1)]
                        for p, o, k in zip(cty_pref[origin], origin, pick)
                    ],
                    dtype=np.int64,
                )
                county[within] = dest
                moves.append(
                    pd.DataFrame(
                        {
                            "fid": within,
                            "year": t,
                            "o": origin,
                            "d": dest,
                            "obs": prev_sample[within] & in_sample[within],
                        }
                    )
                )
            target *= 1 + growth
            add(max(int(round(target - alive[:n].sum())), 0), t)
        ids = np.flatnonzero(alive[:n])
        rows_f.append(ids)
        rows_y.append(np.full(len(ids), t))
        rows_c.append(county[ids].copy())
        rows_s.append(in_sample[ids].copy())

    full = pd.DataFrame(
        {
            "fid": np.concatenate(rows_f),
            "year": np.concatenate(rows_y),
            "cty": np.concatenate(rows_c),
            "s": np.concatenate(rows_s),
        }
    )
    mv = (
        pd.concat(moves, ignore_index=True)
        if moves
        else pd.DataFrame({"fid": [], "year": [], "o": [], "d": [], "obs": []})
    )
    full = full.sort_values(["fid", "year"], kind="stable").reset_index(drop=True)
    nf = n

    # phone epochs: a new phone after a move between prefectures, after half the moves within
    mv_key = mv["fid"].to_numpy(np.int64) * 10000 + mv["year"].to_numpy(np.int64)
    cross = (
        cty_pref[mv["o"].to_numpy(np.int64)] != cty_pref[mv["d"].to_numpy(np.int64)] if len(mv) else np.zeros(0, bool)
    )
    new_phone_mv = cross | (rng.random(len(mv)) < 0.5)
    fk = full["fid"].to_numpy() * 10000 + full["year"].to_numpy()
    phone_inc = pd.Series(fk).isin(mv_key[new_phone_mv]).to_numpy().astype(np.int64)
    # a per-firm phone change year without a move
    first_y = full.groupby("fid")["year"].transform("min").to_numpy()
    last_y = full.groupby("fid")["year"].transform("max").to_numpy()
    f_all = full["fid"].to_numpy()
    fy = full["year"].to_numpy()

    def event_year(rate: float) -> np.ndarray:
        chosen = rng.random(nf) < rate
        fmin = np.full(nf, 9999)
        fmax = np.full(nf, 0)
        np.minimum.at(fmin, f_all, fy)
        np.maximum.at(fmax, f_all, fy)
        yr = fmin + 1 + (rng.random(nf) * np.maximum(fmax - fmin, 1)).astype(np.int64)
        return np.where(chosen & (fmax > fmin), yr, 9999)

    phone_year = event_year(phone_change_rate)
    phone_inc = phone_inc + (fy == phone_year[f_all]).astype(np.int64)
    full["epoch"] = pd.Series(phone_inc).groupby(full["fid"]).cumsum().to_numpy()
    addr_inc = pd.Series(fk).isin(mv_key).to_numpy().astype(np.int64)
    full["spell"] = pd.Series(addr_inc).groupby(full["fid"]).cumsum().to_numpy()
    del first_y, last_y

    rec = full[full["s"]].reset_index(drop=True)
    f = rec["fid"].to_numpy()
    yr = rec["year"].to_numpy()
    cty = rec["cty"].to_numpy()

    # ---------------------------------------------------------------- identities
    # firm codes: unique 8 digits + check character; the reissued code too
    bodies = np.unique(rng.integers(10_000_000, 80_000_000, int(nf * 2.2)))
    rng.shuffle(bodies)
    if len(bodies) < 2 * nf:  # pragma: no cover - practically impossible
        raise RuntimeError("not enough distinct firm codes")
    check = np.array(list("0123456789X"))[bodies[: 2 * nf] % 11]
    codes = np.char.add(bodies[: 2 * nf].astype(str), check).astype(object)
    code0, code1 = codes[:nf].copy(), codes[nf:]
    reissue_year = event_year(reissue_rate)
    # samples' first / last years per firm
    s_first = np.full(nf, 9999)
    s_last = np.full(nf, 0)
    np.minimum.at(s_first, f, yr)
    np.maximum.at(s_last, f, yr)
    final_code = np.where(reissue_year < 9999, code1, code0)
    reused = np.zeros(nf, dtype=bool)
    for t in range(y0 + 1, y1 + 1):
        rec_ids = np.flatnonzero((s_first == t) & (rng.random(nf) < reuse_rate))
        pool = np.flatnonzero((s_last == t - 1) & (s_first < 9999))
        k = min(len(rec_ids), len(pool))
        if k:
            donors = rng.choice(pool, size=k, replace=False)
            code0[rec_ids[:k]] = final_code[donors]
            reused[rec_ids[:k]] = True
    firm_code = np.where(yr >= reissue_year[f], code1[f], code0[f]).astype(object)

    # names: place (prefecture or county stem of the founding location) + trade + word + form
    first_cty = np.full(nf, -1)
    first_rows = np.flatnonzero(np.r_[True, f[1:] != f[:-1]])
    first_cty[f[first_rows]] = cty[first_rows]
    cname = geo["name"].to_numpy(dtype=object)
    pname = geo["parent"].to_numpy(dtype=object)
    c_stem = np.array([place_stem(x) for x in cname], dtype=object)
    p_stem = np.array([place_stem(x) for x in pname], dtype=object)
    ch = np.array(list(TRADE_CHARS), dtype=object)
    typo = np.array(list(TRADE_TYPOS), dtype=object)
    words = [np.array(INDUSTRY_WORDS[d], dtype=object) for d in INDUSTRIES]

    def names_for(cty_idx: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
        u = rng.random(size)
        ci = np.maximum(cty_idx, 0)
        place = np.where(u < 0.6, p_stem[ci], np.where(u < 0.8, p_stem[ci] + c_stem[ci], c_stem[ci]))
        a = rng.integers(0, len(ch), size)
        b = (a + 1 + rng.integers(0, len(ch) - 1, size)) % len(ch)
        ind = industry[:size]
        draw = rng.integers(0, 1 << 30, size)
        word = np.array([words[k][w % len(words[k])] for k, w in zip(ind, draw)], dtype=object)
        form = rng.choice(len(FORMS), size=size, p=[0.55, 0.2, 0.05, 0.2])
        paren = rng.random(size) < 0.08
        return place.astype(object), a, b, word, form, paren

    place0, a0, b0, word0, form0, paren0 = names_for(first_cty, nf)
    rename_year = event_year(rename_rate)
    place1, a1, b1, word1, form1, _ = names_for(first_cty, nf)
    word1 = word0  # a renamed firm keeps its trade
    renamed = yr >= rename_year[f]
    place = np.where(renamed, place1[f], place0[f])
    ta = np.where(renamed, a1[f], a0[f])
    tb = np.where(renamed, b1[f], b0[f])
    word = np.where(renamed, word1[f], word0[f])
    form = np.where(renamed, form1[f], form0[f])
    paren = paren0[f]
    # per-record variants
    m = len(rec)
    variant = rng.random(m) < name_variant_rate
    vkind = rng.integers(0, 5, m)
    form = np.where(variant & (vkind == 0) & (form <= 1), 1 - form, form)
    trade_a = np.where(variant & (vkind == 3), typo[ta], ch[ta])
    sp = np.where(variant & (vkind == 2), " ", "")
    op = np.where(variant & (vkind == 1), "(", "（")
    cp = np.where(variant & (vkind == 1), ")", "）")
    pl = np.where(variant & (vkind == 4), "", place)
    forms = np.array(FORMS, dtype=object)[form]
    trade = trade_a + ch[tb]
    prefix_style = pl + sp + trade + word + forms
    paren_style = trade + sp + np.where(pl == "", "", op + pl + cp) + word + forms
    name = np.where(paren, paren_style, prefix_style).astype(object)

    sur = np.array(list(SURNAMES), dtype=object)
    giv = np.array(list(GIVEN_CHARS), dtype=object)

    def people(size: int) -> np.ndarray:
        two = rng.random(size) < 0.72
        return (
            sur[rng.integers(0, len(sur), size)]
            + giv[rng.integers(0, len(giv), size)]
            + np.where(two, giv[rng.integers(0, len(giv), size)], "")
        ).astype(object)

    rep0, rep1 = people(nf), people(nf)
    rep_year = event_year(rep_change_rate)
    legal_rep = np.where(yr >= rep_year[f], rep1[f], rep0[f])

    pref_of = cty_pref[cty]
    area_tab = np.array([AREA_CODES[p] for p in pref_codes], dtype=object)
    area = area_tab[pref_of]
    ph = (rng.integers(0, 1 << 62, nf)[f] + rec["epoch"].to_numpy() * 7_919_993) % 70_000_000 + 20_000_000
    phone = ph.astype(str).astype(object)
    road = np.array(ROADS, dtype=object)[(f * 7 + rec["spell"].to_numpy() * 3) % len(ROADS)]
    address = cname[cty] + road + ((f * 13 + rec["spell"].to_numpy() * 31) % 500 + 1).astype(str) + "号"
    postcode = (210000 + pref_of * 1000 + (cty % 10) * 100).astype(str)

    # harmonised county vs raw code: counties of one prefecture had other codes before 2001
    county_code = geo["code"].to_numpy(dtype=object)[cty]
    county_raw = county_code.copy()
    renamed_cty = (pref_of == 3) & (yr < 2001)
    county_raw[renamed_cty] = pd.Series(county_raw[renamed_cty]).str[:4].add("81").to_numpy(dtype=object)

    missing_code = rng.random(m) < missing_code_rate
    firm_code = firm_code.copy()
    firm_code[missing_code] = None
    if hyphen_year is not None:
        h = (yr == hyphen_year) & ~missing_code
        fc = pd.Series(firm_code[h], dtype=object)
        firm_code[h] = (fc.str[:8] + "-" + fc.str[8:]).to_numpy(dtype=object)

    out = pd.DataFrame(
        {
            "year": yr.astype(np.int64),
            "firm_code": pd.array(firm_code, dtype="string"),
            "name": pd.array(name, dtype="string"),
            "legal_rep": pd.array(legal_rep, dtype="string"),
            "phone": pd.array(phone, dtype="string"),
            "area_code": pd.array(area, dtype="string"),
            "postcode": pd.array(postcode, dtype="string"),
            "address": pd.array(address, dtype="string"),
            "founding_year": pd.array(founding[f], dtype="Int64"),
            "reg_type": pd.array(np.where(rng.random(m) < 0.5, "173", "159"), dtype="string"),
            "county_raw": pd.array(county_raw, dtype="string"),
            "county": pd.array(county_code, dtype="string"),
            "prefecture": pd.array(pref_codes[pref_of], dtype="string"),
            "province": pd.array(pd.Series(county_code).str[:2].add("0000").to_numpy(dtype=object), dtype="string"),
            "industry": pd.array(np.array(INDUSTRIES, dtype=object)[industry[f]], dtype="string"),
            "employment": rng.lognormal(5, 1, m).round().astype(np.int64) + 8,
            "output": rng.lognormal(10, 1, m).round(1),
            "sales": rng.lognormal(10, 1, m).round(1),
            "true_firm_id": f.astype(np.int64),
        }
    )
    # exact duplicates, then shuffle within year and number the rows of each year's file
    dup = rng.random(m) < duplicate_rate
    out = pd.concat([out, out[dup]], ignore_index=True)
    out = out.iloc[rng.permutation(len(out))]
    out = out.sort_values("year", kind="stable").reset_index(drop=True)
    out["source_file"] = pd.array("asif_" + out["year"].astype(str) + ".csv", dtype="string")
    out["source_row"] = out.groupby("year").cumcount().astype(np.int64)
    truth_records = out[["source_file", "source_row", "true_firm_id"]].copy()
    truth_records["duplicate"] = out.duplicated(
        [c for c in out.columns if c not in ("source_row", "employment", "output", "sales")]
    ).to_numpy()
    records = out.drop(columns="true_firm_id")

    t_moves = (
        pd.DataFrame(
            {
                "true_firm_id": mv["fid"].to_numpy(np.int64),
                "year": mv["year"].to_numpy(np.int64),
                "origin_county": geo["code"].to_numpy(dtype=object)[mv["o"].to_numpy(np.int64)],
                "dest_county": geo["code"].to_numpy(dtype=object)[mv["d"].to_numpy(np.int64)],
                "industry": np.array(INDUSTRIES, dtype=object)[industry[mv["fid"].to_numpy(np.int64)]],
                "kind": np.where(cross, "between_prefectures", "within_prefecture"),
                "observable": mv["obs"].to_numpy(bool),
            }
        )
        .sort_values(["true_firm_id", "year"])
        .reset_index(drop=True)
    )
    return FakeWorld(records, truth_records, t_moves)
