"""Link business-registration records to the firms of the ASIF panel.

Every clean record *party* is linked to at most one firm of ``clean/firm_years.parquet``
(its ``firm_id``): a change record (:data:`yrd.registration.rows.CHANGE_COLUMNS`, one row per
``source_file``, ``source_row``, ``event``) has one party, ``firm``; an investment record
(:data:`~yrd.registration.rows.INVESTMENT_COLUMNS`) two, ``investor`` and ``investee``.

Passes, in order; a party linked by a pass is not tried by the later ones, and the pass is
recorded in ``method``:

1. ``credit_code``: the organisation code embedded in the party's unified social credit code
   (positions 9-17, :func:`yrd.registration.keys.org_code_of`) equals an ASIF ``firm_code``
   (法人代码, normalised by :func:`yrd.linking.normalise_firm_code`);
2. ``org_code``: the party's organisation code (column ``org_code`` of a change record, or an
   investor / investee key of kind ``organisation_code``) equals an ASIF ``firm_code``.
   For both code passes one code may belong to several ASIF firms over time (codes are
   reissued, and reused after a firm exits, Brandt, Van Biesebroeck and Zhang 2012, section
   3): the candidate chosen minimises ``d - b``, with ``d`` the distance in years between
   the event year and the nearest year in which the firm holds the code and ``b`` =
   ``place_bonus_years`` when the firm is ever in the record's prefecture (else 0); ties go
   to the lower ``firm_id``. ``score`` is 100;
3. ``name_place``: the party's normalised name (:func:`yrd.linking.normalise_name`: NFKC,
   no spaces, brackets or punctuation, legal-form suffix removed, so 有限责任公司 / 有限公司 and
   ASCII / full-width brackets agree) equals, or has a ``rapidfuzz.fuzz.ratio`` of at least
   ``name_threshold`` with, the normalised name of an ASIF firm-year in the record's
   prefecture whose year is within ``year_window`` of the event year. Candidates are found
   by pandas merges (exact) and :func:`rapidfuzz.process.cdist` within each prefecture
   (fuzzy); the best (highest ratio, then nearest year, then lower ``firm_id``) is taken.
   ``score`` is the ratio;
4. ``name``: the normalised name equals the name of exactly one ASIF firm (any place, any
   year); ``score`` 100;
5. otherwise ``none`` (``firm_id`` missing, ``score`` NaN).

The record's place (its prefecture, 6-digit vintage code): for a change record the county
before the change of the record's address event (``county_before``, else
``prefecture_before`` when that address named no county; a combined record's name event takes
it from its address event), else the area code of its key; for an investor
the area code of its key (credit code positions 3-8, registration number positions 1-6,
:func:`yrd.registration.keys.area_code_of`) harmonised to the vintage
(:func:`yrd.geography.harmonise_county_codes`, nearest year in force), which is the
registering authority's area and usually the firm's prefecture; for an investee its address
(``investee_prefecture``). The event year is the year of ``change_date`` /
``founding_date``. Names tried: the record's name; for a change record with a name event
also the names before and after the change (the ASIF panel may carry either).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from rapidfuzz import fuzz, process

from yrd.geography import DEFAULT_VINTAGE, History, harmonise_county_codes, prefecture_of
from yrd.linking.normalise import normalise_firm_code, normalise_name
from yrd.registration.keys import classify_keys

#: Columns of the link table (``registration/links.parquet``).
LINK_COLUMNS = ("table", "source_file", "source_row", "event", "party", "firm_id", "method", "score")
#: Link methods in pass order (``none`` last).
METHODS = ("credit_code", "org_code", "name_place", "name", "none")
#: Key kinds of a party (the kind of its best key: credit code, then registration number,
#: then organisation code).
PARTY_KEY_KINDS = ("credit_code", "registration_number", "organisation_code", "none")
PARTY_ID = ["table", "source_file", "source_row", "event", "party"]
_MUNICIPALITIES = ("11", "12", "31", "50")
_STR_NA = {"None": pd.NA, "nan": pd.NA, "": pd.NA}


def clean_str(x: pd.Series) -> pd.Series:
    """Nullable string column with the ``"None"`` (also ``"nan"``, ``""``) of a str-typed clean
    table as missing."""
    return x.astype("string").replace(_STR_NA)


def address_prefecture(county: pd.Series, prefecture: pd.Series) -> pd.Series:
    """An address's prefecture, from a clean table's county column and its prefecture column
    (``prefecture_before`` / ``prefecture_after`` / ``investee_prefecture``): the county's
    :func:`yrd.geography.prefecture_of` where the county is given, else the prefecture (an
    address naming no county); missing values ``pd.NA``, dtype ``string``."""
    return prefecture_of(clean_str(county)).fillna(clean_str(prefecture))


@dataclass(frozen=True)
class LinkParams:
    """Thresholds of :func:`link_registration` (config ``registration.linking``).

    ``name_threshold``: minimum ``rapidfuzz.fuzz.ratio`` (0-100) of normalised names in the
    ``name_place`` pass; ``year_window``: largest distance in years between the event year and
    an ASIF firm-year in the ``name_place`` pass; ``place_bonus_years``: years of distance a
    code candidate in the record's prefecture is preferred by; ``duplicate_days``: largest
    distance in days between two records of one event (:mod:`yrd.registration.events`)."""

    name_threshold: float = 95.0
    year_window: int = 3
    place_bonus_years: int = 2
    duplicate_days: int = 365

    @classmethod
    def from_config(cls, cfg: dict | None) -> LinkParams:
        return cls(**dict(cfg or {}))


def area_prefectures(area_codes: pd.Series, years: pd.Series, history: History, vintage: int = DEFAULT_VINTAGE):
    """``(county, prefecture)`` of the vintage for key area codes (6-digit, registering
    authority): the code harmonised from the nearest year it was in force (tolerance 40
    years); a county-level code gives both, a prefecture-level code (``xxxx00``) the
    prefecture only, a municipality's province code (``310000``) its prefecture ``310100``."""
    codes = area_codes.astype("string")
    yrs = pd.to_numeric(years, errors="coerce").fillna(vintage).astype(int)
    muni = codes.str.fullmatch(r"(?:11|12|31|50)0000").fillna(False)
    codes = codes.where(~muni, codes.str[:2] + "0100")
    h = pd.Series(pd.NA, index=codes.index, dtype="string")
    ok = codes.notna()
    if ok.any():
        # each distinct (code, year) harmonised once (parties of one authority and year repeat)
        pair, uniq = pd.MultiIndex.from_arrays([codes[ok], yrs[ok]]).factorize()
        hu = harmonise_county_codes(
            pd.Series(uniq.get_level_values(0), dtype="string"),
            pd.Series(uniq.get_level_values(1), dtype="int64"),
            vintage,
            tolerance=40,
            history=history,
        )
        h[ok] = hu.array.take(pair)
    county = h.where(~h.str.endswith("00").fillna(True), pd.NA)
    pref = prefecture_of(h).where(h.notna(), pd.NA)
    pref = pref.where(~pref.str.endswith("0000").fillna(False), pd.NA)
    return county.astype("string"), pref.astype("string")


def _key_parts(keys: pd.Series) -> pd.DataFrame:
    """Kind, organisation code and area code of normalised keys (None-safe)."""
    k = keys.astype("string").fillna("")
    return classify_keys(k)


def change_parties(changes: pd.DataFrame, history: History, vintage: int = DEFAULT_VINTAGE) -> pd.DataFrame:
    """One party (``firm``) per clean change event: identity columns :data:`PARTY_ID`, ``year``,
    ``credit_org`` (organisation code of the credit code), ``org_code``, ``key`` (best key),
    ``key_kind``, ``prefecture`` (the record's place), ``names`` (list of names to try)."""
    c = changes.reset_index(drop=True)
    out = pd.DataFrame(
        {
            "table": "change",
            "source_file": c["source_file"].astype("string"),
            "source_row": c["source_row"].astype("int64"),
            "event": c["event"].astype("int64"),
            "party": "firm",
            "year": pd.to_datetime(c["change_date"]).dt.year.astype("Int64"),
        }
    )
    cc = _key_parts(c["credit_code"])
    out["credit_org"] = cc["org_code"].where(cc["kind"].eq("credit_code"), pd.NA)
    org = _key_parts(c["org_code"])
    out["org_code"] = org["org_code"].where(org["kind"].eq("organisation_code"), pd.NA)
    reg = _key_parts(c["reg_number"])
    kind = np.select(
        [cc["kind"].eq("credit_code"), reg["kind"].eq("registration_number"), org["kind"].eq("organisation_code")],
        list(PARTY_KEY_KINDS[:3]),
        "none",
    )
    out["key_kind"] = kind
    out["key"] = cc["key"].where(kind == "credit_code", reg["key"].where(kind == "registration_number", org["key"]))
    out.loc[kind == "none", "key"] = pd.NA
    area = cc["area_code"].where(cc["kind"].eq("credit_code"), reg["area_code"])
    _, key_pref = area_prefectures(area, out["year"], history, vintage)
    # place: prefecture before the change of the row's address event (of its county, else the
    # prefecture an address naming no county gave), else the key's area
    place = address_prefecture(c["county_before"], c["prefecture_before"])
    addr = c["change_class"].eq("address") & place.notna()
    before = pd.DataFrame({"source_file": out["source_file"], "source_row": out["source_row"]})[addr.to_numpy()]
    before["place"] = place[addr].to_numpy()
    before = before.drop_duplicates(["source_file", "source_row"])
    out = out.merge(before, on=["source_file", "source_row"], how="left")
    out["prefecture"] = out["place"].astype("string").fillna(key_pref.reset_index(drop=True))
    # names: the record's name, plus before / after of the row's name events; one list per
    # (source_file, source_row), its distinct names in that order (row names first)
    row = out.groupby(["source_file", "source_row"], sort=False).ngroup().to_numpy()  # -1: missing key
    is_name = c["change_class"].eq("name").to_numpy()
    group = np.concatenate([row, row[is_name], row[is_name]])
    raw = pd.concat([c["name"], c.loc[is_name, "before"], c.loc[is_name, "after"]], ignore_index=True)
    name = normalise_name(clean_str(raw))
    keep = name.notna().to_numpy() & (group >= 0)
    d = pd.DataFrame({"g": group[keep], "name": name[keep].to_numpy(dtype=object)}).drop_duplicates()
    d = d.sort_values("g", kind="stable")
    g = d["g"].to_numpy()
    if len(g):
        # one Arrow list per group (offsets where the group changes), taken for each row (missing
        # when its record has no name): a list<string> column, as a grouping into lists gives
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        lists = pa.ListArray.from_arrays(
            np.r_[starts, len(g)].astype(np.int32), pa.array(d["name"].to_numpy(dtype=object), type=pa.string())
        )
        at = np.full(row.max() + 1, -1, dtype=np.int64)
        at[g[starts]] = np.arange(len(starts))
        at = np.where(row >= 0, at[np.maximum(row, 0)], -1)
        out["names"] = pd.array(lists.take(pa.array(at, mask=at < 0)), dtype=pd.ArrowDtype(lists.type))
    else:  # no names at all: all missing (typed as a grouping of no names leaves them)
        out["names"] = pd.Series(pd.NA, index=out.index, dtype="string")
    return out.drop(columns="place")


def investment_parties(investments: pd.DataFrame, history: History, vintage: int = DEFAULT_VINTAGE) -> pd.DataFrame:
    """Two parties (``investor``, ``investee``) per clean investment record; columns as
    :func:`change_parties` (``event`` is 0) and, for the investor, ``key_county`` (the county
    of its key's area code when that is a county-level code)."""
    v = investments.reset_index(drop=True)
    year = pd.to_datetime(v["founding_date"]).dt.year.astype("Int64")
    frames = []
    for who in ("investor", "investee"):
        k = _key_parts(v[f"{who}_key"])
        kind = k["kind"].where(k["kind"].ne("invalid"), "none").fillna("none").astype(str)
        d = pd.DataFrame(
            {
                "table": "investment",
                "source_file": v["source_file"].astype("string"),
                "source_row": v["source_row"].astype("int64"),
                "event": np.int64(0),
                "party": who,
                "year": year,
                "credit_org": k["org_code"].where(kind.eq("credit_code"), pd.NA),
                "org_code": k["org_code"].where(kind.eq("organisation_code"), pd.NA),
                "key_kind": kind.to_numpy(),
                "key": k["key"].where(kind.ne("none"), pd.NA),
            }
        )
        if who == "investor":
            kc, kp = area_prefectures(k["area_code"], year, history, vintage)
            d["prefecture"], d["key_county"] = kp.to_numpy(), kc.to_numpy()
        else:
            d["prefecture"] = clean_str(v["investee_prefecture"]).to_numpy()
        name = normalise_name(clean_str(v[f"{who}_name"]))
        d["names"] = [[n] if isinstance(n, str) else [] for n in name.astype(object).where(name.notna(), None)]
        frames.append(d)
    return pd.concat(frames, ignore_index=True)


def asif_firms(firm_years: pd.DataFrame) -> pd.DataFrame:
    """The ASIF firm-years the passes look up: ``firm_id``, ``year``, ``county``,
    ``prefecture``, ``code`` (normalised firm code), ``name_key`` (normalised name)."""
    fy = firm_years

    def text(x: pd.Series):  # a ``str`` column (missing NaN), converted within Arrow
        return x.astype("string").astype("str").array

    return pd.DataFrame(
        {
            "firm_id": fy["firm_id"].astype("int64").to_numpy(),
            "year": fy["year"].astype("int64").to_numpy(),
            "county": text(fy["county"]),
            "prefecture": text(fy["prefecture"]),
            "code": text(normalise_firm_code(fy["firm_code"].astype("string"))),
            "name_key": text(normalise_name(fy["name"].astype("string"))),
        }
    )


def _isin(col: pd.Series, values) -> np.ndarray:
    """``col.isin(values)`` (missing: False) for a string column and many distinct string values,
    by one Arrow lookup (pandas converts each value to an Arrow scalar in Python)."""
    vals = pd.Series(np.asarray(values, dtype=object)).dropna().astype("string")
    found = pc.is_in(
        pa.chunked_array(col.astype("string").array.__arrow_array__()),
        value_set=pa.chunked_array(vals.array.__arrow_array__()).combine_chunks(),
    )
    return found.fill_null(False).to_numpy(zero_copy_only=False).astype(bool)


def _best(cand: pd.DataFrame, order: list[str], ascending: list[bool]) -> pd.DataFrame:
    """The first candidate per party (column ``pid``) in the given order."""
    return cand.sort_values(["pid", *order], ascending=[True, *ascending], kind="stable").drop_duplicates("pid")


def _code_pass(parties: pd.DataFrame, asif: pd.DataFrame, col: str, bonus: int) -> pd.DataFrame:
    """Candidates of a code pass and the chosen firm per party: ``pid``, ``firm_id``, ``score``."""
    p = parties.loc[parties[col].notna(), ["pid", col, "year", "prefecture"]].rename(columns={col: "code"})
    # the ASIF firm-years of the parties' codes only (selected before the merge: the same rows in
    # the same order as a join with all of them, without carrying millions of firm-years)
    a = asif.loc[_isin(asif["code"], p["code"].unique()), ["firm_id", "year", "prefecture", "code"]]
    m = p.merge(a, on="code", suffixes=("", "_a"))
    if m.empty:
        return pd.DataFrame({"pid": [], "firm_id": [], "score": []})
    m["dist"] = (m["year"].astype("float") - m["year_a"]).abs().fillna(0)
    m["here"] = (m["prefecture"] == m["prefecture_a"]).fillna(False).astype(bool)
    per = m.groupby(["pid", "firm_id"], as_index=False).agg(dist=("dist", "min"), here=("here", "any"))
    per["rank"] = per["dist"] - bonus * per["here"]
    best = _best(per, ["rank", "firm_id"], [True, True])
    return best.assign(score=100.0)[["pid", "firm_id", "score"]]


def _names_long(parties: pd.DataFrame) -> pd.DataFrame:
    """``pid``, ``name_key``, ``year``, ``prefecture`` for every name a party tries."""
    p = parties[["pid", "names", "year", "prefecture"]].explode("names").dropna(subset=["names"])
    return p.rename(columns={"names": "name_key"})


def _ratio_bound(len_q: int, len_c: np.ndarray) -> np.ndarray:
    """Upper bound of ``rapidfuzz.fuzz.ratio`` (``100 * (1 - d / (len_q + len_c))``, ``d`` the Indel
    distance) of two *different* strings of lengths ``len_q`` and ``len_c``: ``d`` is at least
    ``|len_q - len_c|``, and at least 2 when the lengths are equal."""
    total = len_q + len_c
    d = np.where(len_c == len_q, 2, np.abs(len_c - len_q))
    return 100.0 * (total - d) / np.maximum(total, 1)


def _name_place_pass(parties: pd.DataFrame, asif: pd.DataFrame, params: LinkParams, workers: int = 1) -> pd.DataFrame:
    """The ``name_place`` pass (module docstring): ``pid``, ``firm_id``, ``score``; ``workers``:
    threads of :func:`rapidfuzz.process.cdist` (the scores do not depend on it).

    Equal names are matched by lookup; :func:`rapidfuzz.process.cdist` compares a query name
    only with the prefecture's names whose length allows a ratio of ``name_threshold``
    (:func:`_ratio_bound`; at the default 95 two different names need 20 characters together),
    which gives the same pairs and scores as comparing every pair."""
    q = _names_long(parties).dropna(subset=["prefecture", "year"])
    cutoff = params.name_threshold - 1e-6  # the bound is exact; a margin against rounding only
    # the ASIF firm-years that can match at all, selected before any column is taken (at ASIF
    # scale millions of firm-years): in a prefecture of the queries, with a query's name or a
    # name whose length allows the threshold with the length of some query name
    len_q = np.unique(q["name_key"].str.len().to_numpy(dtype=np.int64))
    len_a = asif["name_key"].str.len()
    lengths = np.flatnonzero(np.bincount(len_a.dropna().to_numpy(dtype=np.int64)))
    fuzzy_len = [n for n in lengths if (_ratio_bound(n, len_q) >= cutoff).any()]
    keep = (
        asif["name_key"].notna()
        & asif["prefecture"].isin(q["prefecture"].unique())
        & (_isin(asif["name_key"], q["name_key"].unique()) | len_a.isin(fuzzy_len).fillna(False))
    )
    a = asif.loc[keep.to_numpy(dtype=bool), ["firm_id", "year", "prefecture", "name_key"]]
    # distinct (prefecture, query name) x (prefecture, ASIF name) pairs with their ratio
    pairs: list[tuple] = []
    # each prefecture's distinct ASIF names, in order of first appearance, from one grouping
    names_in = a.groupby("prefecture", sort=False)["name_key"].unique()
    for pref, qn in q.groupby("prefecture")["name_key"]:
        cn = names_in.get(pref)
        if cn is None or not len(cn):
            continue
        cn = np.asarray(cn, dtype=object)
        qu = np.asarray(qn.unique(), dtype=object)
        exact = pd.Index(cn).get_indexer(qu) >= 0  # a ratio of 100 is kept even if cdist rounds
        pairs.append((pref, qu[exact], qu[exact], np.full(exact.sum(), 100.0)))
        len_qu = np.fromiter(map(len, qu), dtype=np.int64, count=len(qu))
        len_cn = np.fromiter(map(len, cn), dtype=np.int64, count=len(cn))
        for n in np.unique(len_qu):
            cj = np.flatnonzero(_ratio_bound(n, len_cn) >= cutoff)
            if not len(cj):
                continue
            qi = np.flatnonzero(len_qu == n)
            sc = process.cdist(qu[qi], cn[cj], scorer=fuzz.ratio, score_cutoff=params.name_threshold, workers=workers)
            i, j = np.nonzero(sc)
            pairs.append((pref, qu[qi[i]], cn[cj[j]], sc[i, j].astype(float)))
    if not pairs:
        return pd.DataFrame({"pid": [], "firm_id": [], "score": []})
    pr = pd.DataFrame(
        {
            "prefecture": np.repeat([x[0] for x in pairs], [len(x[1]) for x in pairs]),
            "name_key": np.concatenate([x[1] for x in pairs]),
            "name_a": np.concatenate([x[2] for x in pairs]),
            "score": np.concatenate([x[3] for x in pairs]),
        }
    ).drop_duplicates(["prefecture", "name_key", "name_a"])
    m = q.merge(pr, on=["prefecture", "name_key"])
    # the ASIF firm-years of the matched names only (an inner join keeps the same rows in the
    # same order; at ASIF scale ``a`` is millions of firm-years, the matched names a few thousand)
    a = a[_isin(a["name_key"], pr["name_a"].unique())]
    m = m.merge(a.rename(columns={"name_key": "name_a", "year": "year_a"}), on=["prefecture", "name_a"], how="inner")
    m["dist"] = (m["year"].astype("float") - m["year_a"]).abs()
    m = m[m["dist"] <= params.year_window]
    if m.empty:
        return pd.DataFrame({"pid": [], "firm_id": [], "score": []})
    return _best(m, ["score", "dist", "firm_id"], [False, True, True])[["pid", "firm_id", "score"]]


def _name_pass(parties: pd.DataFrame, asif: pd.DataFrame) -> pd.DataFrame:
    """The ``name`` pass: a normalised name held by exactly one ASIF firm."""
    q = _names_long(parties)
    # the firm-years of the parties' names only: all those of a name, so its firms are all there
    a = asif.loc[_isin(asif["name_key"], q["name_key"].unique()), ["firm_id", "name_key"]]
    a = a.dropna().drop_duplicates()
    uniq = a[~a["name_key"].duplicated(keep=False)]
    m = q.merge(uniq, on="name_key")
    # a party whose names point to two different firms is left unlinked
    n = m.groupby("pid")["firm_id"].transform("nunique")
    m = m[n == 1].drop_duplicates("pid")
    return m.assign(score=100.0)[["pid", "firm_id", "score"]]


def link_parties(
    parties: pd.DataFrame, firm_years: pd.DataFrame, params: LinkParams | None = None, workers: int = 1
) -> pd.DataFrame:
    """Run the passes of the module docstring over ``parties`` (:func:`change_parties` /
    :func:`investment_parties`) against ``firm_years``; returns ``parties`` with ``firm_id``
    (Int64), ``method`` and ``score``. ``workers``: threads of the name comparisons."""
    params = params or LinkParams()
    p = parties.reset_index(drop=True).assign(pid=lambda d: np.arange(len(d)))
    asif = asif_firms(firm_years)
    firm = pd.Series(pd.NA, index=p.index, dtype="Int64")
    method = pd.Series("none", index=p.index, dtype=object)
    score = pd.Series(np.nan, index=p.index, dtype=float)
    passes = (
        ("credit_code", lambda r: _code_pass(r, asif, "credit_org", params.place_bonus_years)),
        ("org_code", lambda r: _code_pass(r, asif, "org_code", params.place_bonus_years)),
        ("name_place", lambda r: _name_place_pass(r, asif, params, workers)),
        ("name", lambda r: _name_pass(r, asif)),
    )
    for name, fn in passes:
        rest = p[firm.isna().to_numpy()]
        if rest.empty:
            break
        got = fn(rest)
        if len(got):
            idx = got["pid"].to_numpy(dtype=np.int64)
            firm.iloc[idx] = got["firm_id"].to_numpy(dtype=np.int64)
            method.iloc[idx] = name
            score.iloc[idx] = got["score"].to_numpy(dtype=float)
    return p.drop(columns="pid").assign(firm_id=firm, method=method.astype(str), score=score)


def empty_firm_years() -> pd.DataFrame:
    """A typed empty ``clean/firm_years.parquet`` (the columns linking and the events read), for a
    run without the ASIF survey: every party is then unlinked."""
    return pd.DataFrame(
        {
            "firm_id": pd.Series(dtype="int64"),
            "year": pd.Series(dtype="Int64"),
            "county": pd.Series(dtype="str"),
            "prefecture": pd.Series(dtype="str"),
            "province": pd.Series(dtype="str"),
            "industry": pd.Series(dtype="str"),
            "employment": pd.Series(dtype="Int64"),
            "firm_code": pd.Series(dtype="str"),
            "name": pd.Series(dtype="str"),
        }
    )


def link_registration(
    changes: pd.DataFrame,
    investments: pd.DataFrame,
    firm_years: pd.DataFrame,
    *,
    history: History,
    vintage: int = DEFAULT_VINTAGE,
    params: LinkParams | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """Link every party of the clean change and investment tables to an ASIF firm
    (``workers``: threads of the name comparisons; the links do not depend on it).

    Returns the parties (:func:`change_parties`, :func:`investment_parties`) with the link
    columns; ``links[list(LINK_COLUMNS)]`` is ``registration/links.parquet``."""
    parties = pd.concat(
        [change_parties(changes, history, vintage), investment_parties(investments, history, vintage)],
        ignore_index=True,
    )
    out = link_parties(parties, firm_years, params, workers)
    return out.astype({"source_file": "str", "source_row": "int64", "event": "int64", "table": "str", "party": "str"})
