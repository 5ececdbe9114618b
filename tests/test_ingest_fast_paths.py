"""The fast paths of ingestion give exactly what the straightforward formulations gave
(yrd.ingest.core.exact_duplicates and _sort, yrd.ingest.validation.parse_numbers,
normalise_firm_codes and _harmonise_counties, yrd.ingest.readers.as_strings, the control-character
check of yrd.ingest.text.decode_text and the UTF-8 bytes given to pyarrow)."""

import codecs
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from yrd.geography import harmonisation_table
from yrd.ingest.core import _in_order, _sort, exact_duplicates
from yrd.ingest.errors import RawFileError
from yrd.ingest.readers import as_strings
from yrd.ingest.text import _utf8, decode_text
from yrd.ingest.validation import (
    _FIRM_CODE_JUNK,
    _THOUSANDS,
    _harmonise_counties,
    _nfkc,
    normalise_firm_codes,
    parse_numbers,
)

HISTORY = Path(__file__).resolve().parents[1] / "resources" / "areacodes" / "result.csv"

NUMBER_TEXTS = [
    "12,345", "1,234.5", "１２,３４５", "+1,000", "1,23", "a,b", " 3.5e2 ", "1.5E-3", "inf", "-inf", "nan",
    "٣,٤٥٦", "٣٤", "12\n", "-0", "+0", "-0.0", "5.", ".5", "-.5", "+.5", "1e400", "1_000", "0x10", "1" * 400,
    "+542736571129404.2806057811", "542736571129404.2806057811", "--5", "-", ".", "1.2.3", "", None, "abc",
]  # fmt: skip


def _old_parse_numbers(s: pd.Series) -> pd.Series:
    t = _nfkc(s.astype("str")).str.strip()
    commas = t.str.fullmatch(_THOUSANDS.pattern).fillna(False).astype(bool)
    if commas.any():
        t = t.where(~commas, t.str.replace(",", "", regex=False))
    v = pd.to_numeric(t, errors="coerce").astype("float64")
    return v.where(np.isfinite(v))


def _old_firm_codes(s: pd.Series) -> pd.Series:
    t = _nfkc(s.astype("str")).str.upper().str.replace(_FIRM_CODE_JUNK.pattern, "", regex=True)
    return t.mask(t == "")


def _old_sort(df: pd.DataFrame, order: dict[str, int], by: list[str]) -> pd.DataFrame:
    key = df["source_file"].map(order).astype("int64")
    return df.assign(_file=key).sort_values(["_file", *by], kind="stable").drop(columns="_file").reset_index(drop=True)


def test_parse_numbers_as_pandas_to_numeric():
    rng = np.random.default_rng(3)
    texts = NUMBER_TEXTS + [f"{x:.{rng.integers(0, 13)}f}" for x in rng.normal(0, 1e6, 5000)]
    texts += [
        "-" * int(rng.random() < 0.3) + str(rng.integers(0, 10**18)) + f".{rng.integers(0, 10**9)}" for _ in range(2000)
    ]
    s = pd.Series(texts, dtype="str", index=np.arange(len(texts))[::-1] + 5, name="output")
    new, old = parse_numbers(s), _old_parse_numbers(s)
    pd.testing.assert_series_equal(new, old, check_exact=True)
    assert (np.signbit(new.to_numpy()) == np.signbit(old.to_numpy())).all()  # -0 stays -0
    assert parse_numbers(pd.Series(["1,234.5", "-0", "+1,000", "x"], dtype="str")).tolist()[:3] == [
        1234.5,
        -0.0,
        1000.0,
    ]
    assert parse_numbers(pd.Series([], dtype="str")).empty


def test_normalise_firm_codes_as_python_regex():
    texts = [
        "70321456-x",
        " 7032 1456\tX ",
        "a\x1cb\x1fc\x0bd",
        "ＡＢ－12",
        "甲 乙\u3000丙-1",
        "x\u2003y",
        "",
        None,
        "--",
        " - ",
    ]
    s = pd.Series(texts, dtype="str", index=range(10, 20))
    pd.testing.assert_series_equal(normalise_firm_codes(s), _old_firm_codes(s))
    assert normalise_firm_codes(s).tolist()[:6] == ["70321456X", "70321456X", "ABCD", "AB12", "甲乙丙1", "XY"]


@pytest.mark.parametrize("rows", [slice(None), [1, 6], []])
def test_harmonise_counties_as_map(rows):
    codes = pd.Series(["330102", None, "330102", "999999", "abc", "110000", None], dtype="str").iloc[rows]
    uniq = pd.Series(codes.dropna().unique(), dtype="str")
    tab = harmonisation_table(uniq, 2005, 2021, tolerance=0, history=str(HISTORY))
    old_county = codes.map(pd.Series(tab["code_vintage"].to_numpy(), index=uniq.to_numpy())).astype("str")
    old_rule = codes.map(pd.Series(tab["rule"].to_numpy(), index=uniq.to_numpy())).astype("str").fillna("invalid")
    county, rule = _harmonise_counties(codes, 2005, 2021, 0, str(HISTORY))
    pd.testing.assert_series_equal(county, old_county)
    pd.testing.assert_series_equal(rule, old_rule)


def test_exact_duplicates_as_duplicated():
    rng = np.random.default_rng(0)
    for _ in range(50):
        n = int(rng.integers(1, 30))
        raw = pd.DataFrame({i: pd.Series(rng.choice(["a", "b", None], n), dtype="str") for i in range(3)}).set_axis(
            ["x", "y", "x"], axis=1
        )  # duplicate headers are allowed
        expected = raw.set_axis(range(3), axis=1).duplicated(keep="first").to_numpy()
        assert (exact_duplicates(raw) == expected).all()
        assert (exact_duplicates(raw, raw.iloc[:, 1]) == expected).all()


def test_sort_as_stable_sort():
    rng = np.random.default_rng(1)
    order = {"b.csv": 0, "a.csv": 1, "c.csv": 2}
    for trial in range(100):
        n = int(rng.integers(1, 15))
        df = pd.DataFrame(
            {
                "source_file": pd.Series(rng.choice(list(order), n), dtype="str"),
                "source_row": rng.integers(0, 4, n).astype("int64"),
                "column": pd.Series(rng.choice(["x", "y"], n), dtype="str"),
                "value": np.arange(n),
            }
        )
        if trial % 2:  # already in order: the fast path
            df = _old_sort(df, order, ["source_row"])
        for by in (["source_row"], ["source_row", "column"]):
            pd.testing.assert_frame_equal(_sort(df, order, by), _old_sort(df, order, by))
    assert _in_order([pd.Series([0, 0, 1]), pd.Series([2, 3, 0])])
    assert not _in_order([pd.Series([0, 0, 1]), pd.Series([3, 2, 0])])
    assert not _in_order([pd.Series(["a", "b"])])


@pytest.mark.parametrize("dtype", ["str", "string"])
def test_as_strings_of_strings_unchanged(dtype):
    s = pd.Series(["320121", "", None, "甲"], dtype=dtype)
    old = pd.Series(s.astype(object).map(str, na_action="ignore"), index=s.index).astype("str")
    pd.testing.assert_series_equal(as_strings(s), old.mask(old == ""))


@pytest.mark.parametrize(
    "data,encoding",
    [
        ("\r\n企业,名称\n1,杭州\n".encode(), None),
        (codecs.BOM_UTF8 + "\n企业,名称\n1,杭州\n".encode(), None),
        ("企业,名称\n1,杭州\n".encode(), "utf-8-sig"),
        (codecs.BOM_UTF8 + "企业,名称\n".encode(), "utf-8"),
        ("\n企业,名称\n1,杭州\n".encode("gbk"), None),
        ("企业,名称\n1,杭州\n".encode("gbk"), "gbk"),
    ],
)
def test_utf8_bytes_as_encoded_text(data, encoding):
    text, used = decode_text(data, "f.csv", encoding)
    text = text.lstrip("\r\n")
    assert _utf8(data, text, used) == text.encode("utf-8")


def test_control_characters_found_by_the_quick_check_too():
    with pytest.raises(RawFileError, match=r"control character '\\x01' at character 5"):
        decode_text("杭州,名称\x01\n".encode("gbk"), "f.csv")
    with pytest.raises(RawFileError, match=r"control character '\\x7f'"):
        decode_text(b"a,b\n1,\x7f\n", "f.csv", "utf-8")
    assert decode_text(b"a,b\t\r\n1,2\n", "f.csv") == ("a,b\t\r\n1,2\n", "utf-8")  # tab, CR, LF are no controls
    with pytest.raises(RawFileError, match=r"control character '\\x0c'"):
        decode_text(b"a,b\n1,\x0c\n", "f.csv")
