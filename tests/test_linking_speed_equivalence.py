"""Known answers for the speed-ups of rule link_firms: each fast path gives what the plain
formulation gives (yrd.linking, yrd.io.take_rows)."""

import numpy as np
import pandas as pd


def test_row_groups_all_distinct_after_renumbering():
    """_row_groups stops when a re-numbering leaves every row in a group of its own; the
    numbers are still those of the groupby over every column, and rows that are not all
    distinct still go through every column."""
    from yrd.linking.candidates import _row_groups

    rng = np.random.default_rng(2)
    n = 5_000
    big = rng.permutation(n) * 2**30  # forces a re-numbering before the next column
    order = rng.permutation(n)
    for first in (big, big // 2**30 % 7):  # all distinct / repeated values
        cols = [first, rng.integers(0, 2**40, n), rng.integers(0, 3, n)]
        expected = pd.DataFrame(dict(enumerate(cols))).iloc[order].groupby([0, 1, 2], sort=False).ngroup()
        for workers in (1, 2):
            np.testing.assert_array_equal(_row_groups(cols, order, workers), expected.to_numpy())


def test_phone_parts_equal_pandas_extract():
    """_phone_parts (RE2 on ASCII values, pandas elsewhere) equals p.str.extract(_PHONE_RE)."""
    from yrd.linking.normalise import _PHONE_RE, _nfkc, _phone_parts

    raw = ["0512-65231234", "(0512)65231234", "(0512) 6523", "0512\x0b123456", "0512\x1c123456",
           "0512 \n 12345", "0512-", "0512–123456", "0512—123", "０５１２-123456", "0١٢٣-123456",
           "051\u3000123456", "(05121234", "0512)-1", "05-123", "012345-6", None, "", "(", "0",
           "(0512)--", "0512 - 123 \t", "65231234"]  # fmt: skip
    p = _nfkc(pd.Series(raw, dtype="string")).str.strip()
    may = (p.str.startswith("0") | p.str.startswith("(")).astype("boolean").fillna(False).to_numpy(dtype=bool)
    expected = p[may].str.extract(_PHONE_RE).reindex(p.index)
    area, local = _phone_parts(p)
    pd.testing.assert_series_equal(area, expected[0].astype("string"), check_names=False)
    pd.testing.assert_series_equal(local, expected[1].astype("string"), check_names=False)
    assert area[0] == "0512" and local[0] == "65231234" and pd.isna(area[1])


def test_take_rows_through_codes_keeps_values_and_arrow_type():
    """Few-valued Arrow string columns taken through their codes (missing values, large_string
    as read from Parquet) equal the plain take, and many-valued ones take the plain path."""
    import pyarrow as pa

    from yrd.io import take_rows

    rng = np.random.default_rng(4)
    n = 3_000
    few = pa.array(rng.choice(["320500", "320100", None], n).tolist(), type=pa.large_string())
    df = pd.DataFrame(
        {
            "county": pd.array(few, dtype="str"),
            "name": pd.Series([f"厂{i}" for i in range(n)], dtype="str"),
            "x": np.arange(n),
        }
    )
    pos = rng.permutation(n)
    for workers in (1, 2):
        got = take_rows(df, pos, workers)
        pd.testing.assert_frame_equal(got, df.take(pos))
        assert got["county"].array._pa_array.type == pa.large_string()


def test_prepared_names_with_missing_names_and_core_names():
    """Prepared.name and Prepared.core: the normalised name (None if missing) and the core name,
    else the normalised name, per node."""
    from yrd.linking.core import prepare
    from yrd.linking.normalise import core_name, normalise_name

    names = ["江苏华盛纺织有限公司", None, "苏州", "华盛纺织厂", "", "江苏华盛纺织有限公司"]
    df = pd.DataFrame({"year": [2000, 2000, 2001, 2001, 2002, 2002], "name": names})
    p = prepare(df, ["江苏", "苏州"])
    s = pd.Series(names, dtype="string")
    nm = normalise_name(s).iloc[p.rep_row]
    core = core_name(s, ["江苏", "苏州"]).iloc[p.rep_row].fillna(nm)
    assert list(p.name) == [None if pd.isna(v) else v for v in nm]
    assert list(p.core) == [None if pd.isna(v) else v for v in core]
    assert p.name[1] is None and p.core[1] is None
