"""Linking firm records across years: normalisation, each pass on hand-made cases, one-to-one
matching, gap bridging, the reused-code rule, stable ids, and a property test on the fake
panel generator."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from helpers.fake_firms import fake_asif_panel
from helpers.resources import place_names
from yrd.linking import (
    EXACT_PASSES,
    compare_linkers,
    core_name,
    link_records,
    normalise_firm_code,
    normalise_name,
    normalise_phone,
)
from yrd.validation import score_linking

COLS = ["year", "firm_code", "name", "legal_rep", "phone", "area_code", "county", "industry", "founding_year"]


def records(rows: list[tuple]) -> pd.DataFrame:
    """Records from (year, firm_code, name, legal_rep, phone, area_code, county, industry,
    founding_year) tuples; source_file per year, source_row in order of appearance."""
    df = pd.DataFrame(rows, columns=COLS)
    for c in ("firm_code", "name", "legal_rep", "phone", "area_code", "county", "industry"):
        df[c] = df[c].astype("string")
    df["founding_year"] = df["founding_year"].astype("Int64")
    df["prefecture"] = (df["county"].str[:4] + "00").astype("string")
    df["source_file"] = ("asif_" + df["year"].astype(str) + ".csv").astype("string")
    df["source_row"] = df.groupby("year").cumcount().astype("int64")
    return df


# a firm that stays put, and fields of other, unrelated firms
A = dict(
    code="123456789",
    name="苏州华盛纺织有限公司",
    rep="张建国",
    phone="65231234",
    area="0512",
    county="320505",
    ind="17",
    found=1995,
)


def row(
    year,
    code=A["code"],
    name=A["name"],
    rep=A["rep"],
    phone=A["phone"],
    area=A["area"],
    county=A["county"],
    ind=A["ind"],
    found=A["found"],
):
    return (year, code, name, rep, phone, area, county, ind, found)


def groups(fid: pd.Series) -> list[list[int]]:
    """Partition of row positions by firm id (sorted, for comparisons)."""
    return sorted(sorted(int(i) for i in g) for g in fid.reset_index(drop=True).groupby(fid.to_numpy()).groups.values())


def firm_ids(df: pd.DataFrame, **kwargs) -> pd.Series:
    """The ``firm_id`` of every record (:func:`yrd.linking.link_records`, second result)."""
    return link_records(df, places=place_names(), **kwargs)[1]


def pass_of(links: pd.DataFrame, a: int, b: int) -> str:
    m = links[(links["row_from"] == a) & (links["row_to"] == b)]
    assert len(m) == 1, links
    return str(m["pass"].iloc[0])


# ------------------------------------------------------------------ normalisation
def test_normalise_name_variants_agree():
    names = pd.Series(
        ["华盛（苏州）纺织有限责任公司", "华盛 (苏州)纺织有限公司", "华盛(苏州)纺织股份有限公司", "华盛（苏州）纺织厂"]
    )
    assert normalise_name(names).nunique() == 1
    assert normalise_name(pd.Series(["苏州华盛纺织有限公司"])).iloc[0] == "苏州华盛纺织"
    assert normalise_name(pd.Series(["ＡＢＣ机械有限公司"])).iloc[0] == "ABC机械"  # full-width -> ASCII


def test_core_name_drops_places_but_keeps_a_trade_name():
    got = core_name(
        pd.Series(
            ["江苏省苏州市吴江华盛纺织有限公司", "华盛（苏州）纺织有限公司", "华盛纺织厂", "杭州泰和制药有限公司"]
        ),
        place_names(),
    )
    assert got.tolist() == ["华盛纺织", "华盛纺织", "华盛纺织", "泰和制药"]  # 泰和 is also a county: kept


def test_normalise_firm_code_and_phone():
    assert normalise_firm_code(pd.Series(["70321456-x", "70321456X ", "000000000", None])).tolist()[:2] == [
        "70321456X",
        "70321456X",
    ]
    assert normalise_firm_code(pd.Series(["000000000", None])).isna().all()
    ph = normalise_phone(
        pd.Series(["0512-65231234", "65231234", "051265231234", "12"]), pd.Series([None, "0512", "0512", "0512"])
    )
    assert ph.tolist()[:3] == ["0512-65231234"] * 3
    assert pd.isna(ph.iloc[3])


# ------------------------------------------------------------------ the passes
def test_same_code_links_and_ids_follow_first_record():
    df = records([row(2000), row(2001), row(2002)])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1 and fid.iloc[0] == 0
    assert pass_of(links, 0, 1) == "code" and pass_of(links, 1, 2) == "code"


def test_reissued_code_linked_by_name():
    df = records([row(2000), row(2001, code="987654321"), row(2002, code="987654321")])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1
    assert pass_of(links, 0, 1) == "name"


def test_reused_code_after_exit_is_not_merged():
    other = dict(
        name="杭州鑫达机械有限公司", rep="李明", phone="88771234", area="0571", county="330106", ind="35", found=2002
    )
    # the holder leaves after 2001; a new firm gets its code in 2002 (and, in a second world, in 2003)
    for entry in (2002, 2003):
        df = records([row(2000), row(2001), row(entry, **other)])
        links, fid = link_records(df, places=place_names())
        assert fid.iloc[0] == fid.iloc[1]
        assert fid.iloc[2] != fid.iloc[1], f"reused code merged two firms (entry {entry})"
    # the same code with a renamed firm that keeps its founding year and industry is linked
    df = records([row(2000), row(2001, name="苏州永昌纺织有限公司", rep="王芳", phone="61112222")])
    assert firm_ids(df).nunique() == 1


def test_name_variants_are_linked_when_codes_fail():
    df = records(
        [
            row(2000, code=None, name="华盛（苏州）纺织有限责任公司"),
            row(2001, code=None, name="华盛(苏州) 纺织有限公司"),
            row(2002, code=None, name="华盛（苏州）纺织厂"),
        ]
    )
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1
    assert pass_of(links, 0, 1) == "name" and pass_of(links, 1, 2) == "name"


def test_one_to_one_ambiguous_key_links_nobody():
    # two 2001 records share the 2000 record's name and founding year: the name pass must not choose
    df = records(
        [
            row(2000, code=None),
            row(2001, code=None, rep="李明", phone="70000001", county="320506"),
            row(2001, code=None, rep="赵强", phone="70000002", county="320507"),
        ]
    )
    fid = firm_ids(df)
    assert fid.nunique() == 3
    # with one candidate only, the same pass links
    assert firm_ids(df.iloc[:2]).nunique() == 1


def test_core_name_pass_place_dropped():
    df = records([row(2000), row(2001, code="987654321", name="华盛纺织有限公司", rep="李明", phone="70000001")])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1 and pass_of(links, 0, 1) == "core_name"


def test_legal_rep_pass():
    df = records([row(2000), row(2001, code="987654321", name="苏州永昌纺织有限公司", phone="70000001")])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1 and pass_of(links, 0, 1) == "legal_rep"
    # another prefecture: not this pass (and nothing else links)
    df2 = records(
        [
            row(2000),
            row(2001, code="987654321", name="苏州永昌纺织有限公司", phone="70000001", county="320205", found=1996),
        ]
    )
    assert firm_ids(df2).nunique() == 2


def test_phone_pass():
    df = records([row(2000), row(2001, code="987654321", name="苏州永昌纺织有限公司", rep="李明")])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1 and pass_of(links, 0, 1) == "phone"


def test_founding_pass_needs_a_near_identical_name():
    # new code, rep and phone; a one-character typo in a long name (core names 90 similar)
    near = row(2001, code="987654321", name="苏州华胜纺织印染机械设备有限公司", rep="李明", phone="70000001")
    df = records([row(2000, name="苏州华盛纺织印染机械设备有限公司"), near])
    links, fid = link_records(df, places=place_names(), passes=("code", "name", "legal_rep", "phone", "founding"))
    assert fid.nunique() == 1 and pass_of(links, 0, 1) == "founding"
    far = row(2001, code="987654321", name="苏州永昌纺织有限公司", rep="李明", phone="70000001")
    assert firm_ids(records([row(2000), far])).nunique() == 2


def test_fuzzy_pass_typo_mutual_best():
    a = "苏州华盛精密纺织机械有限公司"
    typo = "苏州华胜精密纺织机械有限公司"  # fuzz.ratio of core names 87.5
    other = dict(code="987654321", rep="李明", phone="70000001", county="320506")
    df = records([row(2000, name=a), row(2001, name=typo, **other)])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1 and pass_of(links, 0, 1) == "fuzzy"
    # two equally good candidates: no link (ties link nobody)
    other2 = dict(code="987654322", rep="赵强", phone="70000002", county="320507")
    df2 = records(
        [row(2000, name=a), row(2001, name=typo, **other), row(2001, name="苏州华晟精密纺织机械有限公司", **other2)]
    )
    assert firm_ids(df2).nunique() == 3
    # a stricter threshold: no link
    assert firm_ids(df, name_threshold=95).nunique() == 2


def test_gap_bridging():
    df = records([row(2000), row(2002), row(2003)])
    assert firm_ids(df).nunique() == 1
    assert firm_ids(df, max_gap=1).nunique() == 2
    df3 = records([row(2000), row(2003)])  # two missing years
    assert firm_ids(df3).nunique() == 2
    assert firm_ids(df3, max_gap=3).nunique() == 1


def test_consecutive_links_take_precedence_over_gaps():
    # 2000 code X; 2001 code missing and a name variant, same person; 2002 code X again
    df = records([row(2000), row(2001, code=None, name="华盛纺织有限公司"), row(2002)])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1
    assert set(links["year_to"] - links["year_from"]) == {1}


def test_duplicate_rows_share_a_firm():
    df = records([row(2000), row(2000), row(2001)])
    links, fid = link_records(df, places=place_names())
    assert fid.nunique() == 1
    assert (links["pass"] == "duplicate").sum() == 1


def test_ids_are_stable_under_row_order():
    w = fake_asif_panel(300, years=(2000, 2006), seed=3)
    df = w.records
    fid = firm_ids(df)
    shuffled = df.sample(frac=1.0, random_state=1)
    fid2 = firm_ids(shuffled)
    assert fid2.reindex(df.index).equals(fid)
    assert fid.dtype == "int64" and fid.index.equals(df.index)
    # id 0 is the firm of the first record in (year, source_file, source_row) order
    first = df.sort_values(["year", "source_file", "source_row"]).index[0]
    assert fid.loc[first] == 0


def test_missing_columns_and_bad_input():
    df = records([row(2000), row(2001)])[["year", "name", "source_file", "source_row"]]
    assert firm_ids(df).nunique() == 1  # name only
    with pytest.raises(ValueError, match="max_gap"):
        firm_ids(df, max_gap=0)
    with pytest.raises(ValueError, match="unknown passes"):
        firm_ids(df, passes=("code", "nope"))
    with pytest.raises(ValueError, match="year"):
        firm_ids(df.drop(columns="year"))


# ------------------------------------------------------------------ property test on fake panels
@pytest.mark.parametrize("seed", [11, 12])
def test_fake_panel_precision_recall(seed):
    w = fake_asif_panel(1500, seed=seed)
    fid = firm_ids(w.records)
    sc = score_linking(w.records.assign(firm_id=fid), w.truth_records)
    assert sc["precision"] >= 0.998, sc
    # every true link the linker can reach (at most one missing year) is found, nearly
    reachable = sc["n_true_links"] - sc["n_true_links_gap_gt2"]
    assert sc["n_correct_links"] / reachable >= 0.997, sc
    assert sc["recall"] >= 0.95, sc
    # exact passes alone miss links that the other passes find, or at least never do better
    exact = firm_ids(w.records, passes=EXACT_PASSES)
    sc_e = score_linking(w.records.assign(firm_id=exact), w.truth_records)
    assert sc_e["n_correct_links"] <= sc["n_correct_links"]


def test_compare_linkers_bvz_only():
    w = fake_asif_panel(400, years=(2000, 2008), seed=5)
    out = compare_linkers(w.records, w.truth_records, places=place_names(), methods=("bvz",))
    assert list(out["method"]) == ["bvz"]
    r = out.iloc[0]
    assert r["precision"] >= 0.99 and r["recall"] >= 0.9
    assert 0 <= r["residual_precision"] <= 1 and r["n_true_links"] > r["n_residual_true"]
    with pytest.raises(ValueError, match="unknown methods"):
        compare_linkers(w.records, w.truth_records, places=place_names(), methods=("magic",))


def test_fake_generator_is_deterministic_and_messy():
    a = fake_asif_panel(300, years=(2000, 2005), seed=9)
    b = fake_asif_panel(300, years=(2000, 2005), seed=9)
    pd.testing.assert_frame_equal(a.records, b.records)
    r = a.records
    assert r["firm_code"].str.contains("-").any()  # hyphenated codes in 2004
    assert set(a.truth_moves["kind"]) <= {"between_prefectures", "within_prefecture"}
    assert (r.groupby("year").size() > 0).all()
    assert np.array_equal(r["source_row"].to_numpy(), r.groupby("year").cumcount().to_numpy())


def test_normalise_doctests():
    import doctest

    import yrd.linking.normalise as mod

    assert doctest.testmod(mod).failed == 0


def test_punctuation_pattern_spells_out_pythons_whitespace_and_runs_on_arrow():
    # the pattern lists every character Python's \s matches (str.isspace), so pandas can hand
    # it to Arrow's RE2; names with odd whitespace normalise as with \s
    from yrd.linking.normalise import _PUNCT_RE, _WHITESPACE, normalise_name, normalise_phone

    assert "".join(c for c in map(chr, range(0x110000)) if c.isspace()) == _WHITESPACE
    assert not pd.Series(["a"], dtype="string").array._needs_python_regex(_PUNCT_RE)
    names = pd.Series(
        ["华盛\u3000纺织\x0b有限公司", "华盛\u2003纺织 有限公司", "华盛纺织有限公司", None], dtype="string"
    )
    assert normalise_name(names).tolist() == ["华盛纺织", "华盛纺织", "华盛纺织", pd.NA]
    # phone keys are computed once per distinct (phone, area code) pair and spread back
    phone = pd.Series(["65231234", "65231234", "65231234", None, "0512-65231234"], dtype="string")
    area = pd.Series(["0512", "0571", "0512", "0512", None], dtype="string")
    assert normalise_phone(phone, area).tolist() == [
        "0512-65231234",
        "0571-65231234",
        "0512-65231234",
        pd.NA,
        "0512-65231234",
    ]


def test_row_groups_equal_the_groupby_of_every_column():
    """yrd.linking.core._row_groups (integer codes) numbers the nodes as the groupby over the
    identifying columns did: identical values (missing equals missing), first appearance in the
    given order."""
    from yrd.linking.core import _row_groups

    rng = np.random.default_rng(11)
    n = 3_000
    cols = {
        "y": rng.integers(1998, 2001, n),
        "nm": pd.Series(rng.choice(["甲", "乙", None], n), dtype="str"),
        "f": pd.array(np.where(rng.random(n) < 0.2, None, rng.integers(1990, 1993, n)), dtype="Int64"),
        "c": pd.Series(rng.choice(["320500", None], n), dtype="string"),
    }
    order = rng.permutation(n)
    expected = pd.DataFrame(cols).iloc[order].groupby(list(cols), sort=False, dropna=False).ngroup().to_numpy()
    for workers in (1, 2):
        np.testing.assert_array_equal(_row_groups(list(cols.values()), order, workers), expected)


def _strip_places_reference(s: pd.Series, places: frozenset[str], rounds: int = 3, min_rest: int = 4) -> pd.Series:
    """The former formulation of yrd.linking.normalise._strip_places: every round on every
    name, pandas assignments and Python's re for the unit character."""
    by_len: dict[int, list[str]] = {}
    for pl in places:
        by_len.setdefault(len(pl), []).append(pl)
    lengths = sorted(by_len, reverse=True)
    for _ in range(rounds):
        stripped = np.zeros(len(s), dtype=bool)
        out = s.copy()
        for n in lengths:
            known = s.str[:n].isin(by_len[n]).fillna(False).to_numpy(dtype=bool)
            hit = known & ~stripped & (s.str.len().fillna(0).to_numpy() >= n + min_rest)
            if hit.any():
                out[hit] = s[hit].str[n:]
                stripped |= hit
        if not stripped.any():
            break
        out[stripped] = out[stripped].map(lambda x: re.sub(r"^(?:市|县|区|省)(?=....)", "", x))
        s = out
    return s


def test_strip_places_equals_the_former_formulation():
    """_strip_places (Arrow kernels, later rounds on the names stripped before) drops the same
    places as the former per-round pandas formulation: nested places, unit characters left
    over, names too short to lose a place, line breaks before the lookahead's four characters."""
    from yrd.linking.normalise import _strip_places

    places = frozenset(["江苏省", "江苏", "苏州市", "苏州", "吴江", "吴江区", "泰和", "上海", "上海市"])
    names = pd.Series(
        [
            "江苏省苏州市吴江华盛纺织",
            "江苏苏州吴江区华盛纺织",
            "苏州市华盛纺",
            "苏州市华盛纺织",
            "苏州市市华盛纺织",
            "苏州区\n华盛纺织",
            "苏州区华\n盛纺织厂",
            "泰和制药",
            "泰和制药器械",
            "上海上海上海上海华盛",
            "华盛纺织",
            "",
            None,
        ],
        dtype="string",
    )
    expected = _strip_places_reference(names, places)
    got = _strip_places(names, places)
    assert got.tolist() == expected.tolist()
    assert got.tolist()[:4] == ["华盛纺织", "华盛纺织", "市华盛纺", "华盛纺织"]


def test_exact_candidates_equal_the_intersection_of_unique_keys():
    """exact_candidates (one stable sort) gives the pairs, in the order, of the former
    formulation: keys unique among the free nodes of each side, intersected with np.intersect1d."""
    from yrd.linking.core import _YEAR_SPAN, Prepared, exact_candidates

    rng = np.random.default_rng(5)
    n = 4_000
    year = np.sort(rng.integers(2000, 2005, n))
    p = Prepared(n_rows=n, index=pd.RangeIndex(n), node_of_row=np.arange(n), rep_row=np.arange(n), year=year,
                 name=np.full(n, None, dtype=object), core=np.full(n, None, dtype=object),
                 founding=np.full(n, -1))  # fmt: skip
    key = np.where(rng.random(n) < 0.1, -1, rng.integers(0, 600, n))
    fwd = np.where(rng.random(n) < 0.3, 0, -1)
    bwd = np.where(rng.random(n) < 0.3, 0, -1)

    def unique(pos, k):
        dup = pd.Series(k).duplicated(keep=False).to_numpy()
        return pos[~dup], k[~dup]

    for gap in (1, 2):
        left = np.flatnonzero((fwd < 0) & (key >= 0))
        right = np.flatnonzero((bwd < 0) & (key >= 0))
        left, kl = unique(left, key[left] * _YEAR_SPAN + (year[left] + gap - 2000))
        right, kr = unique(right, key[right] * _YEAR_SPAN + (year[right] - 2000))
        _, il, ir = np.intersect1d(kl, kr, assume_unique=True, return_indices=True)
        i, j = exact_candidates(p, key, fwd, bwd, gap)
        assert len(i) > 20
        np.testing.assert_array_equal(i, left[il])
        np.testing.assert_array_equal(j, right[ir])


def test_codes_equal_the_factorised_strings():
    """The integer-code pieces of prepare give what the string formulation gave: the Coded
    columns partition rows as the public normalisations do, _node_codes is pd.factorize of the
    values, combined_codes is key_codes of the columns, and _block_key numbers the code
    combinations as key_codes of the codes as Python integers."""
    from yrd.linking.core import Prepared, _block_key, _node_codes
    from yrd.linking.normalise import (
        _nfkc,
        combined_codes,
        firm_code_codes,
        key_codes,
        name_codes,
        normalise_person,
        person_codes,
        phone_codes,
    )

    rng = np.random.default_rng(3)
    n = 2_000
    names = pd.Series(
        rng.choice(
            ["江苏省苏州市华盛纺织有限公司", "华盛（苏州）纺织厂", "华盛纺织", "ＡＢＣ电子 科技", "（苏州）", None], n
        ),
        dtype="string",
    )
    places = ["江苏省", "江苏", "苏州市", "苏州"]
    for coded, expected in zip(name_codes(names, places), (normalise_name(names), core_name(names, places))):
        np.testing.assert_array_equal(coded.codes >= 0, expected.notna().to_numpy())
        assert pd.Series(coded.values[coded.codes[coded.codes >= 0]]).tolist() == expected.dropna().tolist()
    fc = pd.Series(rng.choice(["70321456-x", " 70321456X", "000000000", "１２３４５６７８９", None], n), dtype="string")
    rep = pd.Series(rng.choice(["张 三", "张三", "Ｌｉ Ｓｉ", None], n), dtype="string")
    phone = pd.Series(
        rng.choice(["0512-65231234", "65231234", "(0512)６５２３１２３４", "0512", None], n), dtype="string"
    )
    area = pd.Series(rng.choice(["0512", "0571", None], n), dtype="string")
    for coded, expected in (
        (firm_code_codes(fc), normalise_firm_code(fc)),
        (person_codes(rep), normalise_person(rep)),
        (phone_codes(phone, area), normalise_phone(phone, area)),
        (phone_codes(phone), normalise_phone(phone)),
    ):
        np.testing.assert_array_equal(coded.codes >= 0, expected.notna().to_numpy())
        assert pd.Series(coded.values[coded.codes[coded.codes >= 0]]).tolist() == expected.dropna().tolist()
        np.testing.assert_array_equal(_node_codes(coded.codes), pd.factorize(expected)[0])
    # NFKC of non-ASCII values only: ASCII is its own NFKC
    ascii_chars = "".join(map(chr, range(128)))
    assert unicodedata.normalize("NFKC", ascii_chars) == ascii_chars
    mixed = pd.Series(["abc", "ＡＢＣ", "e\u0301", "①", "", None, "ﬁ"], dtype="string")
    assert _nfkc(mixed).tolist() == mixed.str.normalize("NFKC").tolist()
    # combined codes and block keys
    cols = [pd.Series(rng.choice(["a", "b", None], n), dtype="string") for _ in range(3)]
    codes = [pd.factorize(c)[0] for c in cols]
    np.testing.assert_array_equal(combined_codes(*codes), key_codes(*cols))
    p = Prepared(n_rows=n, index=pd.RangeIndex(n), node_of_row=np.arange(n), rep_row=np.arange(n),
                 year=np.zeros(n, np.int64), name=np.full(n, None, dtype=object), core=np.full(n, None, dtype=object),
                 founding=np.full(n, -1), cols=dict(zip("xyz", codes)))  # fmt: skip
    np.testing.assert_array_equal(_block_key(p, ["x", "y", "z"]), key_codes(*codes))
