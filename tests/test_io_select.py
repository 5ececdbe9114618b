"""yrd.io.select_rows: a boolean selection that does not copy a national panel when it keeps every row."""

import pandas as pd

from yrd.io import select_rows


def test_select_rows_returns_the_frame_itself_when_every_row_is_kept():
    df = pd.DataFrame({"level": ["prefecture", "prefecture", "county"], "x": [1, 2, 3]})
    whole = df.iloc[:2]
    assert select_rows(whole, whole["level"] == "prefecture") is whole
    part = select_rows(df, df["level"] == "prefecture")
    assert part["x"].tolist() == [1, 2]
    part.loc[0, "x"] = 9  # copy on write: the original is unchanged
    assert df.loc[0, "x"] == 1


def test_sort_positions_and_take_rows_equal_sort_values():
    import numpy as np

    from yrd.io import sort_positions, take_rows

    rng = np.random.default_rng(3)
    n = 2_000
    df = pd.DataFrame(
        {
            "firm_id": rng.integers(0, 50, n),
            "year": pd.array(rng.integers(1998, 2008, n), dtype="Int64"),
            "source_file": pd.Series(rng.choice(["b.csv", "a.dta", None], n), dtype="str"),
            "source_row": rng.integers(0, 10, n),
            "name": pd.Series(rng.choice(["甲厂", "乙厂", None], n), dtype="str"),
            "output": np.where(rng.random(n) < 0.1, np.nan, rng.random(n)),
            "cat": pd.Categorical(rng.choice(["x", "y"], n)),
        },
        index=pd.RangeIndex(10, 10 + n),
    )
    df["flag"] = rng.random(n) < 0.5
    df["label"] = df["name"].astype(object)
    # numbered keys (numeric with missing, non-ASCII strings with missing, booleans) and pandas'
    # own sort for the others (categorical, object)
    for keys in (["name", "output", "firm_id"], ["flag", "year", "output"], ["cat", "year"], ["label", "source_row"]):
        np.testing.assert_array_equal(
            sort_positions(df, keys), df.reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
        )
    assert len(sort_positions(df.iloc[:0], ["firm_id", "year"])) == 0
    df = df.drop(columns=["flag", "label"])
    by = ["firm_id", "year", "source_file", "source_row"]
    expected = df.sort_values(by, kind="stable")
    order = sort_positions(df, by)
    for workers in (1, 2):
        pd.testing.assert_frame_equal(take_rows(df, order, workers), expected)
