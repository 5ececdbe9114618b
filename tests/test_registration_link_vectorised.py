"""The vectorised steps of yrd.registration.link / .events against the straightforward
formulations they replace (pandas self-join, rapidfuzz over every pair of names, grouping into lists),
on small random frames built to hit the edge cases (ties, missing values, equal-length names)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rapidfuzz import fuzz, process
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from test_registration_link import changes

from helpers.resources import AREACODES_CSV
from yrd.linking.normalise import normalise_name
from yrd.registration.events import duplicate_groups
from yrd.registration.link import LinkParams, _name_place_pass, _ratio_bound, change_parties


def _duplicate_groups_by_join(frame, place, date, identities, days):
    """The self-join formulation: every pair of rows with equal places, checked column by column."""
    n = len(frame)
    cols = list(dict.fromkeys([*place, date, *(c for fid, keys in identities for c in (fid, *keys))]))
    d = frame[cols].reset_index(drop=True).assign(_i=np.arange(n))
    d = d[d[place].notna().all(axis=1)]
    m = d.merge(d, on=place, suffixes=("_l", "_r"))
    m = m[m["_i_l"] < m["_i_r"]]

    def same(left, right):
        return (left.notna() & right.notna() & (left.astype(object) == right.astype(object))).to_numpy(dtype=bool)

    gap = (m[f"{date}_l"] - m[f"{date}_r"]).abs().dt.days
    ok = (gap <= days).fillna(False).to_numpy(dtype=bool).copy()
    for fid, keys in identities:
        lf, rf = m[f"{fid}_l"], m[f"{fid}_r"]
        both = (lf.notna() & rf.notna()).to_numpy(dtype=bool)
        agree = np.where(both, same(lf, rf), False)
        for k in keys:
            agree |= ~both & same(m[f"{k}_l"], m[f"{k}_r"])
        ok &= agree
    i, j = m["_i_l"].to_numpy()[ok], m["_i_r"].to_numpy()[ok]
    graph = coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1].astype(np.int64)


def _records(seed: int, n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(seed)

    def pick(values, p_missing):
        x = pd.Series(rng.choice(values, n), dtype="string")
        return x.mask(rng.random(n) < p_missing)

    date = pd.Series(pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"))
    date = date + pd.to_timedelta(rng.integers(0, 24, n), unit="h")  # fractions of a day
    return pd.DataFrame(
        {
            "origin": pick(["320505", "320211", "330106"], 0.05),
            "dest": pick(["320505", "320211", "330106", "310101"], 0.05),
            "date": date.mask(rng.random(n) < 0.03),
            "firm": pd.array(rng.integers(1, 12, n), dtype="Int64").astype("Int64"),
            "key": pick([f"K{i}" for i in range(15)], 0.4),
            "name": pick([f"名{i}" for i in range(10)], 0.3),
            "firm2": pd.array(rng.integers(1, 6, n), dtype="Int64"),
            "key2": pick([f"J{i}" for i in range(8)], 0.5),
        }
    ).assign(
        firm=lambda d: d["firm"].mask(rng.random(n) < 0.5),
        firm2=lambda d: d["firm2"].mask(rng.random(n) < 0.5),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_duplicate_groups_equal_the_self_join(seed):
    f = _records(seed)
    merged = []
    for place, ids, days in (
        (["origin", "dest"], [("firm", ["key", "name"])], 365),
        (["dest"], [("firm", ["key", "name"]), ("firm2", ["key2"])], 200),
        (["dest"], [("firm", ["key"])], 0),
    ):
        got = duplicate_groups(f, place, "date", ids, days)
        want = _duplicate_groups_by_join(f, place, "date", ids, days)
        np.testing.assert_array_equal(got, want)
        merged.append(len(f) - len(np.unique(got)))
    assert merged[0] > 0 and merged[1] > 0  # the frames do have duplicates
    # a float firm id (as after a merge) and an empty frame
    g = f.assign(firm=f["firm"].astype("float64"))
    np.testing.assert_array_equal(
        duplicate_groups(g, ["dest"], "date", [("firm", ["key"])], 365),
        _duplicate_groups_by_join(g, ["dest"], "date", [("firm", ["key"])], 365),
    )
    assert len(duplicate_groups(f.iloc[:0], ["dest"], "date", [("firm", ["key"])], 365)) == 0


def test_ratio_bound_bounds_the_ratio():
    rng = np.random.default_rng(3)
    alphabet = list("甲乙丙丁戊己庚辛壬癸ab")
    for _ in range(3000):
        a = "".join(rng.choice(alphabet, rng.integers(1, 25)))
        b = "".join(rng.choice(alphabet, rng.integers(1, 25)))
        if a != b:
            assert fuzz.ratio(a, b) <= _ratio_bound(len(a), np.array([len(b)]))[0] + 1e-9
    # the bound is reached: one character more, or one changed, in a long name
    assert fuzz.ratio("甲" * 19, "甲" * 20) == pytest.approx(_ratio_bound(19, np.array([20]))[0])
    assert fuzz.ratio("甲" * 19 + "乙", "甲" * 20) == pytest.approx(_ratio_bound(20, np.array([20]))[0])


def _name_place_by_all_pairs(parties, asif, params):
    """The ``name_place`` pass with rapidfuzz over every (query name, ASIF name) pair of a prefecture."""
    q = parties[["pid", "names", "year", "prefecture"]].explode("names").dropna(subset=["names"])
    q = q.rename(columns={"names": "name_key"}).dropna(subset=["prefecture", "year"])
    a = asif.loc[asif["name_key"].notna(), ["firm_id", "year", "prefecture", "name_key"]]
    pairs = []
    for pref, qn in q.groupby("prefecture")["name_key"]:
        cn = a.loc[a["prefecture"] == pref, "name_key"].unique()
        if not len(cn):
            continue
        qu, cn = np.asarray(qn.unique(), dtype=object), np.asarray(cn, dtype=object)
        sc = process.cdist(qu, cn, scorer=fuzz.ratio, score_cutoff=params.name_threshold)
        i, j = np.nonzero(sc)
        pairs.append(pd.DataFrame({"prefecture": pref, "name_key": qu[i], "name_a": cn[j], "score": sc[i, j]}))
    pr = pd.concat(pairs, ignore_index=True).astype({"score": float})
    m = q.merge(pr, on=["prefecture", "name_key"])
    m = m.merge(a.rename(columns={"name_key": "name_a", "year": "year_a"}), on=["prefecture", "name_a"])
    m["dist"] = (m["year"].astype("float") - m["year_a"]).abs()
    m = m[m["dist"] <= params.year_window]
    m = m.sort_values(["pid", "score", "dist", "firm_id"], ascending=[True, False, True, True], kind="stable")
    return m.drop_duplicates("pid")[["pid", "firm_id", "score"]]


@pytest.mark.parametrize("threshold", [95.0, 90.0, 80.0])
def test_name_place_pass_equals_all_pairs(threshold):
    rng = np.random.default_rng(int(threshold))
    alphabet = list("华盛纺织机械苏州无锡电子")
    stems = ["".join(rng.choice(alphabet, rng.integers(4, 24))) for _ in range(60)]

    def variant(s):  # the name, or with one character changed, dropped or added
        k = rng.integers(0, 4)
        at = int(rng.integers(0, len(s)))
        c = str(rng.choice(alphabet))
        return [s, s[:at] + c + s[at + 1 :], s[:at] + s[at + 1 :], s[:at] + c + s[at:]][k]

    prefs = ["320500", "320200", "330100"]
    asif = pd.DataFrame(
        {
            "firm_id": np.arange(300) // 2,
            "year": rng.integers(1998, 2014, 300),
            "prefecture": pd.Series(rng.choice(prefs, 300), dtype="str"),
            "name_key": pd.Series([variant(str(rng.choice(stems))) for _ in range(300)], dtype="str"),
        }
    )
    parties = pd.DataFrame(
        {
            "pid": np.arange(200),
            "names": [[variant(str(rng.choice(stems))) for _ in range(rng.integers(0, 3))] for _ in range(200)],
            "year": pd.array(rng.integers(1998, 2016, 200), dtype="Int64"),
            "prefecture": pd.Series(rng.choice([*prefs, None], 200), dtype="string"),
        }
    )
    params = LinkParams(name_threshold=threshold)
    got = _name_place_pass(parties, asif, params).reset_index(drop=True)
    want = _name_place_by_all_pairs(parties, asif, params).reset_index(drop=True)
    assert len(want) > 20 and (want["score"] < 100).any()
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)


def _names_by_groupby(changes: pd.DataFrame) -> pd.Series:
    """``names`` of :func:`change_parties` as a grouping of (source_file, source_row) into lists."""
    c = changes.reset_index(drop=True)
    row_id = c[["source_file", "source_row"]].astype({"source_file": "string"})
    is_name = c["change_class"].eq("name").to_numpy()
    nm = [pd.DataFrame({**row_id, "name": c["name"].to_numpy()})]
    for col in ("before", "after"):
        nm.append(pd.DataFrame({**row_id[is_name], "name": c.loc[is_name, col].to_numpy()}))
    names = pd.concat(nm, ignore_index=True)
    names["name"] = normalise_name(names["name"].astype("string").replace({"None": pd.NA, "nan": pd.NA}))
    names = names.dropna().drop_duplicates()
    names = names.groupby(["source_file", "source_row"])["name"].agg(list).rename("names").reset_index()
    return row_id.merge(names, on=["source_file", "source_row"], how="left")["names"]


def test_change_party_names_equal_the_grouping():
    ch = changes()
    renamed = ch.assign(change_class="name", before="苏州甲乙有限公司", after=ch["name"])
    renamed.loc[renamed.index[1], "before"] = None
    no_name = ch.assign(name=None)
    for c in (ch, renamed, no_name, pd.concat([renamed, ch.assign(event=1)]), ch.iloc[:0]):
        got = change_parties(c, AREACODES_CSV)["names"]
        pd.testing.assert_series_equal(got, _names_by_groupby(c), check_exact=True)
    assert change_parties(renamed, AREACODES_CSV)["names"].iloc[0] == ["无锡宏远电子", "苏州甲乙"]
