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
