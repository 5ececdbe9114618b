"""Relocation and expansion events from linked business-registration records.

**Relocations** (``registration/relocation_events.parquet``): clean change events of class
``address`` (an 住所变更, or the address part of a combined 住所及名称变更) whose county before and
after differ; when an address names its prefecture but no county (a development zone), whose
prefectures differ (``origin_county`` / ``dest_county`` missing; a change within one prefecture
with a county missing cannot be told from a move within the county and gives no event). **Expansions** (``registration/expansion_events.parquet``):
investment records whose investee prefecture differs from the investor's prefecture (the
investee's county is missing, ``dest_county`` <NA>, when its address names only the prefecture). The
investor's place is the county of the linked ASIF firm (:mod:`yrd.registration.link`) in the
founding year of the investee or the nearest year it is observed (``origin_method`` ``asif``),
else the area code of the investor's key harmonised to the vintage (``key_area_code``:
the registering authority's area; ``origin_county`` only when that is a county-level code);
an investor with neither has no origin and gives no event.

One event can be written several times: under two keys (credit code in one row,
registration number in another), in two files, or with another date format. Records are the
same event when (i) their places agree (origin and destination county of a relocation, the
destination county of an investment; a prefecture for an address that names no county), (ii) their dates are at most ``duplicate_days`` apart
and (iii) they are the same firm: both linked to the same ASIF ``firm_id``, or (when not both
linked) the same key or the same normalised name (:func:`yrd.linking.normalise_name`); two
records linked to different firms are never the same event. For an investment (iii) must hold
for the investor and for the investee. Events are the connected components of this relation
(:func:`scipy.sparse.csgraph.connected_components`); an event's row is its earliest record
(then ``source_file``, ``source_row``), its firm the first linked firm among its records.

``industry`` and ``employment`` come from the linked ASIF firm: for a relocation its last
firm-year at the origin county up to the event year (else its last firm-year up to the event
year, else its first); for an expansion the parent's firm-year of the origin. An expansion's
``capital_wan`` and ``capital_currency`` are its row's in the clean investment table (capital
missing for a capital in another currency: nothing is converted; currency missing in tables of
earlier versions, which lack the column).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from yrd.geography import prefecture_of
from yrd.linking.normalise import key_codes, normalise_name
from yrd.registration.link import LinkParams, address_prefecture
from yrd.registration.link import clean_str as _s

#: Columns of ``registration/relocation_events.parquet``.
RELOCATION_COLUMNS = (
    "event_id",
    "firm_id",
    "year",
    "origin_county",
    "dest_county",
    "origin_prefecture",
    "dest_prefecture",
    "industry",
    "employment",
    "source_file",
    "source_row",
)
#: Columns of ``registration/expansion_events.parquet``.
EXPANSION_COLUMNS = (
    "event_id",
    "parent_firm_id",
    "investee_firm_id",
    "year",
    "origin_county",
    "origin_prefecture",
    "origin_method",
    "dest_county",
    "dest_prefecture",
    "industry",
    "employment",
    "capital_wan",
    "capital_currency",
    "source_file",
    "source_row",
)


def _place(county: pd.Series, prefecture: pd.Series) -> pd.Series:
    """An address's place: its county, else (it named no county) its prefecture; county and
    prefecture codes never coincide (a prefecture's code ends in 00)."""
    return county.fillna(prefecture)


def _codes(x: pd.Series) -> np.ndarray:
    """An integer per row, equal for equal values; -1 where the value is missing."""
    return np.asarray(pd.factorize(x, use_na_sentinel=True)[0], dtype=np.int64)


def _same(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Both values present and equal, from the :func:`_codes` of a column at two rows."""
    return (left >= 0) & (left == right)


def _place_pairs(place: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of rows ``i < j`` with the same place code (``place``; -1, missing, pairs with none)."""
    rows = np.flatnonzero(place >= 0)
    order = rows[np.argsort(place[rows], kind="stable")]  # rows by place, in row order within one
    p = place[order]
    bounds = np.flatnonzero(np.r_[True, p[1:] != p[:-1], True])
    end = np.repeat(bounds[1:], np.diff(bounds))  # end of each sorted row's place block
    k = np.arange(len(order))
    n_after = end - k - 1  # rows after k in its block: its partners
    left = np.repeat(k, n_after)
    right = left + 1 + np.arange(len(left)) - np.repeat(np.cumsum(n_after) - n_after, n_after)
    return order[left], order[right]


def duplicate_groups(
    frame: pd.DataFrame,
    place: list[str],
    date: str,
    identities: list[tuple[str, list[str]]],
    days: int,
) -> np.ndarray:
    """Event number (0..k-1, by position) of every row of ``frame`` (module docstring).

    ``place``: columns that must be equal; ``date``: datetime column, at most ``days`` apart
    (whole days of the absolute difference); ``identities``: one ``(firm id column, [key
    columns])`` per party that must be the same firm: equal non-missing firm ids, or (not both
    linked) an equal non-missing key column. The candidate pairs (rows with equal, non-missing
    places) are formed on integer codes of the columns."""
    n = len(frame)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    i, j = _place_pairs(key_codes(*(frame[c] for c in place)))
    when = frame[date].to_numpy()
    gap = np.abs(when[i] - when[j])
    ok = ~np.isnat(gap)
    ok[ok] = gap[ok] // np.timedelta64(1, "D") <= days
    for fid, keys in identities:
        f = _codes(frame[fid])
        lf, rf = f[i], f[j]
        both = (lf >= 0) & (rf >= 0)
        agree = both & (lf == rf)
        for k in keys:
            kc = _codes(frame[k])
            agree |= ~both & _same(kc[i], kc[j])
        ok &= agree
    graph = coo_matrix((np.ones(int(ok.sum())), (i[ok], j[ok])), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _collapse(d: pd.DataFrame, group: np.ndarray, firm_cols: list[str], date: str) -> pd.DataFrame:
    """One row per group: the earliest record, with the first linked firm of the group."""
    d = d.assign(_g=group).sort_values([date, "source_file", "source_row"], kind="stable")
    first = d.drop_duplicates("_g").set_index("_g")
    for c in firm_cols:
        linked = d[d[c].notna()].drop_duplicates("_g").set_index("_g")[c]
        first[c] = linked.reindex(first.index).astype("Int64")
    return first.reset_index(drop=True)


def _firm_rows(firm_years: pd.DataFrame, firm_ids) -> pd.DataFrame:
    """The firm-years of ``firm_ids`` (selected before their columns are converted: at ASIF scale
    the firm-years are millions of rows, the linked firms a few thousand)."""
    sel = firm_years["firm_id"].isin(pd.unique(np.asarray(firm_ids, dtype=np.int64))).to_numpy(dtype=bool)
    fy = firm_years.loc[sel, ["firm_id", "year", "county", "industry", "employment"]]
    return pd.DataFrame(
        {
            "firm_id": fy["firm_id"].astype("int64").to_numpy(),
            "fy_year": fy["year"].astype("int64").to_numpy(),
            "fy_county": fy["county"].astype("string").to_numpy(),
            "fy_industry": fy["industry"].astype("string").to_numpy(),
            "fy_employment": fy["employment"].astype("Int64").to_numpy(),
        }
    )


def _origin_rows(ev: pd.DataFrame, firm_years: pd.DataFrame) -> pd.DataFrame:
    """Per relocation (``_e``) the linked firm's last firm-year at the origin up to the year (the
    origin county, or its prefecture when the address named no county)."""
    m = ev.loc[ev["firm_id"].notna(), ["_e", "firm_id", "year", "origin_county", "origin_prefecture"]]
    m = m.astype({"firm_id": "int64"})
    m = m.merge(_firm_rows(firm_years, m["firm_id"]), on="firm_id")
    in_prefecture = m["origin_county"].isna() & (prefecture_of(m["fy_county"]) == m["origin_prefecture"])
    at = ((m["fy_county"] == m["origin_county"]) | in_prefecture).fillna(False).astype(int)
    before = (m["fy_year"] <= m["year"]).astype(int)
    # preference: at the origin and before, before, any (the first year); then latest year
    m["_p"] = np.where((at & before).astype(bool), 0, np.where(before.astype(bool), 1, 2))
    m["_y"] = np.where(m["_p"] < 2, -m["fy_year"], m["fy_year"])
    return m.sort_values(["_e", "_p", "_y"]).drop_duplicates("_e").set_index("_e")


def relocation_events(
    changes: pd.DataFrame, links: pd.DataFrame, firm_years: pd.DataFrame, params: LinkParams | None = None
) -> pd.DataFrame:
    """Relocation events (module docstring) from the clean change table, the link table of
    :func:`yrd.registration.link.link_registration` and the ASIF firm-years; columns
    :data:`RELOCATION_COLUMNS`."""
    params = params or LinkParams()
    c = changes.copy()
    c["origin_county"], c["dest_county"] = _s(c["county_before"]), _s(c["county_after"])
    c["origin_prefecture"] = address_prefecture(c["origin_county"], c["prefecture_before"])
    c["dest_prefecture"] = address_prefecture(c["dest_county"], c["prefecture_after"])
    c = c[c["change_class"].eq("address") & c["origin_prefecture"].notna() & c["dest_prefecture"].notna()]
    both = c["origin_county"].notna() & c["dest_county"].notna()
    moved = (c["origin_county"] != c["dest_county"]).where(both, c["origin_prefecture"] != c["dest_prefecture"])
    c = c[moved.fillna(False).to_numpy(dtype=bool)]
    c["origin_place"] = _place(c["origin_county"], c["origin_prefecture"])
    c["dest_place"] = _place(c["dest_county"], c["dest_prefecture"])
    lk = links.loc[links["table"].eq("change"), ["source_file", "source_row", "event", "firm_id", "key"]]
    c = c.astype({"source_file": "str"}).merge(lk, on=["source_file", "source_row", "event"], how="left")
    c["name_key"] = normalise_name(_s(c["name"]))
    c["change_date"] = pd.to_datetime(c["change_date"])
    group = duplicate_groups(
        c, ["origin_place", "dest_place"], "change_date", [("firm_id", ["key", "name_key"])], params.duplicate_days
    )
    ev = _collapse(c, group, ["firm_id"], "change_date")
    ev["year"] = ev["change_date"].dt.year.astype("int64")
    ev = ev.sort_values(["year", "source_file", "source_row"], ignore_index=True)
    ev["_e"] = np.arange(len(ev))
    o = _origin_rows(ev, firm_years).reindex(ev["_e"])
    out = pd.DataFrame(
        {
            "event_id": np.arange(len(ev), dtype=np.int64),
            "firm_id": ev["firm_id"].astype("Int64"),
            "year": ev["year"],
            "origin_county": ev["origin_county"].astype(object).where(ev["origin_county"].notna(), None),
            "dest_county": ev["dest_county"].astype(object).where(ev["dest_county"].notna(), None),
            "origin_prefecture": ev["origin_prefecture"].astype("str"),
            "dest_prefecture": ev["dest_prefecture"].astype("str"),
            "industry": o["fy_industry"].to_numpy(dtype=object),
            "employment": pd.array(o["fy_employment"].to_numpy(), dtype="Int64"),
            "source_file": ev["source_file"].astype("str"),
            "source_row": ev["source_row"].astype("int64"),
        }
    )
    out["industry"] = out["industry"].where(out["industry"].notna(), None)
    return out[list(RELOCATION_COLUMNS)]


def _parent_rows(v: pd.DataFrame, firm_years: pd.DataFrame) -> pd.DataFrame:
    """Per investment (``_e``) the parent's firm-year nearest the founding year (earlier on a tie)."""
    m = v.loc[v["parent_firm_id"].notna(), ["_e", "parent_firm_id", "year"]]
    m = m.rename(columns={"parent_firm_id": "firm_id"}).astype({"firm_id": "int64"})
    m = m.merge(_firm_rows(firm_years, m["firm_id"]), on="firm_id")
    m["_d"] = (m["fy_year"] - m["year"]).abs()
    return m.sort_values(["_e", "_d", "fy_year"]).drop_duplicates("_e").set_index("_e")


def expansion_events(
    investments: pd.DataFrame, links: pd.DataFrame, firm_years: pd.DataFrame, params: LinkParams | None = None
) -> pd.DataFrame:
    """Expansion events (module docstring) from the clean investment table, the link table of
    :func:`yrd.registration.link.link_registration` (with the investor's ``prefecture`` and
    ``key_county`` from its key) and the ASIF firm-years; columns :data:`EXPANSION_COLUMNS`."""
    params = params or LinkParams()
    on = ["source_file", "source_row"]
    v = investments.copy().astype({"source_file": "str"}).reset_index(drop=True)
    if "capital_currency" not in v:  # a clean table of an earlier version
        v["capital_currency"] = None
    lk = links[links["table"].eq("investment")]
    inv = lk[lk["party"].eq("investor")].set_index(on)
    tee = lk[lk["party"].eq("investee")].set_index(on)
    idx = pd.MultiIndex.from_frame(v[on])
    v["parent_firm_id"] = inv["firm_id"].reindex(idx).to_numpy()
    v["investee_firm_id"] = tee["firm_id"].reindex(idx).to_numpy()
    v["key_pref"] = inv["prefecture"].reindex(idx).to_numpy()
    v["key_county"] = inv["key_county"].reindex(idx).to_numpy() if "key_county" in inv else pd.NA
    v = v.astype({"parent_firm_id": "Int64", "investee_firm_id": "Int64"})
    v["year"] = pd.to_datetime(v["founding_date"]).dt.year.astype("int64")
    v["dest_county"], v["dest_prefecture"] = _s(v["investee_county"]), _s(v["investee_prefecture"])
    v["investor_name_key"] = normalise_name(_s(v["investor_name"]))
    v["investee_name_key"] = normalise_name(_s(v["investee_name"]))
    v["investor_key"], v["investee_key"] = _s(v["investor_key"]), _s(v["investee_key"])
    v["founding_date"] = pd.to_datetime(v["founding_date"])
    v["dest_place"] = _place(v["dest_county"], v["dest_prefecture"])
    group = duplicate_groups(
        v,
        ["dest_place"],
        "founding_date",
        [
            ("parent_firm_id", ["investor_key", "investor_name_key"]),
            ("investee_firm_id", ["investee_key", "investee_name_key"]),
        ],
        params.duplicate_days,
    )
    v = _collapse(v, group, ["parent_firm_id", "investee_firm_id"], "founding_date")
    v["_e"] = np.arange(len(v))
    p = _parent_rows(v, firm_years).reindex(v["_e"])
    asif = p["fy_county"].notna().to_numpy()
    key_county = _s(v["key_county"]).to_numpy(dtype=object)
    v["origin_county"] = _s(pd.Series(np.where(asif, p["fy_county"].to_numpy(dtype=object), key_county)))
    pref = np.where(
        asif, prefecture_of(p["fy_county"]).to_numpy(dtype=object), _s(v["key_pref"]).to_numpy(dtype=object)
    )
    v["origin_prefecture"] = _s(pd.Series(pref))
    v["origin_method"] = np.where(asif, "asif", "key_area_code")
    v["industry"] = p["fy_industry"].to_numpy(dtype=object)
    v["employment"] = pd.array(p["fy_employment"].to_numpy(), dtype="Int64")
    keep = v["origin_prefecture"].notna() & v["dest_prefecture"].notna()
    keep = (keep & (v["origin_prefecture"] != v["dest_prefecture"]).fillna(False)).to_numpy(dtype=bool)
    ev = v[keep].sort_values(["year", "source_file", "source_row"], ignore_index=True)
    out = ev.assign(event_id=np.arange(len(ev), dtype=np.int64))
    out = out.astype(
        {
            "origin_prefecture": "str",
            "dest_prefecture": "str",
            "origin_method": "str",
            "capital_wan": "float64",
            "source_file": "str",
            "source_row": "int64",
        }
    )
    for col in ("origin_county", "dest_county", "industry", "capital_currency"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    return out[list(EXPANSION_COLUMNS)].reset_index(drop=True)
