"""ingest_file / ingest_files: units, reconciliation, several files, generated files with known defects."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from helpers.resources import AREACODES_CSV, ingest_references
from helpers.resources import dialects as repository_dialects
from yrd.geography import codes_in_force, harmonise_county_codes
from yrd.ingest import (
    CLEAN_COLUMNS,
    QUARANTINE_COLUMNS,
    RawFileError,
    RawFilesError,
    ReconciliationError,
    check_tables,
    ingest_file,
    ingest_files,
    money_factor,
    parse_numbers,
    reconcile,
)
from yrd.ingest.reconcile import check_balance
from yrd.ingest.validation import row_schema

CORPUS = Path(__file__).resolve().parent / "data" / "malformed"
EN = [
    "firm",
    "name",
    "legal",
    "dq",
    "cic",
    "setup",
    "type",
    "employ",
    "output",
    "sales",
    "phone",
    "areacode",
    "postcode",
    "address",
    "year",
]


@pytest.fixture(scope="module")
def dialects():
    return repository_dialects()


# --------------------------------------------------------------------------- numbers and units
def test_parse_numbers_is_explicit():
    s = pd.Series(
        ["12", "12.0", "1,234", "1,234.5", "12,34", "abc", None, "-5", "1e3", "inf", "１２", " 7 ", "1,2345"],
        dtype="str",
    )
    v = parse_numbers(s)
    assert v.dtype == "float64"
    expected = [12, 12, 1234, 1234.5, np.nan, np.nan, np.nan, -5, 1000, np.nan, 12, 7, np.nan]
    np.testing.assert_array_equal(v.to_numpy(), np.array(expected, dtype=float))


def test_money_units():
    assert money_factor("qian") == 1 and money_factor("wan") == 10
    assert money_factor("万元") == 10 and money_factor(" WAN ") == 10
    with pytest.raises(ValueError, match=r"money unit for asif_2004\.csv must be 'qian' \(千元\) or 'wan'"):
        money_factor("yuan", "asif_2004.csv")


def test_ingest_file_checks_its_arguments(dialects):
    with pytest.raises(ValueError, match="money unit for .*ok_gbk_zh.csv must be"):
        ingest_file(CORPUS / "ok_gbk_zh.csv", 1998, "yuan", dialects, **ingest_references())
    with pytest.raises(ValueError, match="year of .*ok_gbk_zh.csv must be an integer"):
        ingest_file(CORPUS / "ok_gbk_zh.csv", "late nineties", "qian", dialects, **ingest_references())


def test_the_schema_is_pandera():
    schema, rules = row_schema(1998)
    assert isinstance(schema, pa.DataFrameSchema)
    codes = {r.code for r in rules.values()}
    assert {
        "missing_county_code",
        "county_code_not_in_force",
        "unknown_industry_code",
        "not_manufacturing",
        "negative_employment",
        "absurd_output",
        "founding_year_impossible",
        "year_mismatch",
        "duplicate_firm_code",
        "non_numeric_employment",
    } <= codes


# --------------------------------------------------------------------------- several files
def test_ingest_files_concatenates_sorts_and_reconciles(dialects):
    files = {
        1998: [str(CORPUS / "duplicates.csv"), str(CORPUS / "bad_numbers.csv")],
        "2004": str(CORPUS / "ok_excel_wan_zh.xlsx"),
        1999: str(CORPUS / "ok_stata_en.dta"),
    }
    units = {1998: "qian", 1999: "qian", 2004: "wan"}
    clean, quar, rec = ingest_files(files, units, dialects, **ingest_references())
    assert list(clean.columns) == list(CLEAN_COLUMNS) and list(quar.columns) == list(QUARANTINE_COLUMNS)
    assert list(rec["year"]) == [1998, 1998, 1999, 2004]
    assert [Path(f).name for f in rec["source_file"]] == [
        "bad_numbers.csv",
        "duplicates.csv",
        "ok_stata_en.dta",
        "ok_excel_wan_zh.xlsx",
    ]
    assert rec["balanced"].all()
    assert (rec["rows_read"] == rec["rows_clean"] + rec["rows_quarantined"] + rec["exact_duplicates_removed"]).all()
    assert (
        rec["rows_clean"].sum() == len(clean)
        and rec["rows_quarantined"].sum() == quar.drop_duplicates(["source_file", "source_row"]).shape[0]
    )
    # sorted by year, then file, then row
    order = clean["source_file"].map({f: i for i, f in enumerate(rec["source_file"])})
    assert (order.diff().dropna() >= 0).all()
    assert clean.groupby("source_file")["source_row"].apply(lambda s: s.is_monotonic_increasing).all()
    assert list(clean["year"].unique()) == [1998, 1999, 2004]
    bn = quar[quar["source_file"].str.endswith("bad_numbers.csv")]
    assert len(bn) == 10 and bn["source_row"].nunique() == 8
    assert clean.loc[clean["year"] == 2004, "output"].tolist() == [15234.5, 48000.0]  # wan -> thousand yuan
    assert (
        rec.set_index(rec["source_file"].map(lambda f: Path(f).name)).loc["duplicates.csv", "exact_duplicates_removed"]
        == 2
    )
    check_tables(clean, quar, rec)
    _, _, rec2 = ingest_files(files, units, dialects, **ingest_references(), relative_to=CORPUS)
    assert list(rec2["source_file"]) == ["bad_numbers.csv", "duplicates.csv", "ok_stata_en.dta", "ok_excel_wan_zh.xlsx"]
    with pytest.raises(ValueError, match="is not inside"):
        ingest_files(files, units, dialects, **ingest_references(), relative_to=CORPUS / "sub")


def test_ingest_files_reports_every_bad_file_at_once(dialects):
    files = {
        1998: str(CORPUS / "empty.csv"),
        1999: str(CORPUS / "ok_stata_en.dta"),
        2000: str(CORPUS / "corrupt.parquet"),
    }
    with pytest.raises(RawFilesError) as ei:
        ingest_files(files, "qian", dialects, **ingest_references())
    msg = str(ei.value)
    assert msg.startswith("2 raw files cannot be ingested:")
    assert "empty.csv': empty file" in msg and "corrupt.parquet': cannot be read as a Parquet file" in msg
    assert [e.file for e in ei.value.errors] == [files[1998], files[2000]]
    with pytest.raises(RawFileError, match="empty.csv': empty file"):
        ingest_files({1998: str(CORPUS / "empty.csv")}, "qian", dialects, **ingest_references())


def test_a_bad_file_is_raised_once_and_not_logged_as_an_error_before(dialects, caplog):
    # the caller shows the raised error (the workflow: one line on the terminal); logging it at
    # ERROR level as well printed the same sentence twice
    with caplog.at_level("DEBUG", logger="yrd.ingest"), pytest.raises(RawFileError, match="truncated file"):
        ingest_files({1998: str(CORPUS / "truncated_utf8_char.csv")}, "qian", dialects, **ingest_references())
    assert not [r for r in caplog.records if r.levelno >= 30]


def test_names_relative_to_a_root_folder_are_the_paths_as_given(dialects, tmp_path):
    # files in unrelated places share only "/": names keep their leading slash
    bad = tmp_path / "asif_1999.csv"
    bad.write_bytes((CORPUS / "truncated_utf8_char.csv").read_bytes())
    good = str(CORPUS / "ok_gbk_zh.csv")
    root = Path(os.path.abspath(os.sep))
    with pytest.raises(RawFileError) as ei:
        ingest_files({1998: good, 1999: str(bad)}, "qian", dialects, **ingest_references(), relative_to=root)
    assert ei.value.file == str(bad)
    assert str(ei.value).startswith(f"raw file '{bad}': truncated file")
    clean, _, _ = ingest_files({1998: good}, "qian", dialects, **ingest_references(), relative_to=root)
    assert set(clean["source_file"]) == {good}


def test_every_year_needs_a_money_unit(dialects):
    with pytest.raises(ValueError, match=r"no money unit declared for year 2004"):
        ingest_files(
            {1998: str(CORPUS / "ok_gbk_zh.csv"), 2004: str(CORPUS / "ok_excel_wan_zh.xlsx")},
            {1998: "qian"},
            dialects,
            **ingest_references(),
        )


def test_reconciliation_catches_unbalanced_counts():
    good = {
        "source_file": "a.csv",
        "year": 1998,
        "rows_read": 10,
        "rows_clean": 7,
        "rows_quarantined": 2,
        "exact_duplicates_removed": 1,
    }
    check_balance(good)
    with pytest.raises(ReconciliationError, match=r"a\.csv: rows_read 10 != rows_clean 7 \+ rows_quarantined 3"):
        check_balance({**good, "rows_quarantined": 3})
    with pytest.raises(ReconciliationError):
        reconcile([good, {**good, "source_file": "b.csv", "rows_clean": 8}])
    rec = reconcile([{**good, "source_file": "b.csv", "year": 1999}, good])
    assert list(rec["source_file"]) == ["a.csv", "b.csv"]


def test_check_tables_catches_lost_or_double_rows(dialects):
    res = ingest_file(
        CORPUS / "bad_numbers.csv", 1998, "qian", dialects, **ingest_references(), source_file="bad_numbers.csv"
    )
    rec = reconcile([res.counts])
    check_tables(res.clean, res.quarantine, rec)
    with pytest.raises(ReconciliationError, match="disagree"):
        check_tables(res.clean.iloc[1:], res.quarantine, rec)
    q = pd.concat([res.quarantine, res.clean[["source_file", "source_row"]].assign(column="x", reason="y")])
    with pytest.raises(ReconciliationError):
        check_tables(res.clean, q, rec)


def test_reruns_are_identical(dialects):
    a = ingest_file(CORPUS / "duplicates.csv", 1998, "qian", dialects, **ingest_references())
    b = ingest_file(CORPUS / "duplicates.csv", 1998, "qian", dialects, **ingest_references())
    pd.testing.assert_frame_equal(a.clean, b.clean)
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine)


# --------------------------------------------------------------------------- generated files
def generated(n: int, year: int, seed: int = 0) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A raw frame of ``n`` rows (English headers, strings) with defects at known rows."""
    rng = np.random.default_rng(seed)
    codes = codes_in_force(year, "county", ["31", "32", "33"], history=AREACODES_CSV)["code"]
    codes = codes[harmonise_county_codes(codes, year, history=AREACODES_CSV).notna().to_numpy()].to_numpy()
    df = pd.DataFrame(
        {
            "firm": pd.Series(np.arange(n) * 7 + 10_000_000).astype(str) + "X",
            "name": pd.Series(np.arange(n)).astype(str) + "号机械厂",
            "legal": "王某",
            "dq": rng.choice(codes, n),
            "cic": rng.choice(["3411", "4011", "1810", "1310", "2610"], n),
            "setup": rng.integers(1950, year + 1, n).astype(str),
            "type": "110",
            "employ": rng.integers(8, 5000, n).astype(str),
            "output": np.round(rng.lognormal(9, 1, n), 1).astype(str),
            "sales": np.round(rng.lognormal(9, 1, n), 1).astype(str),
            "phone": rng.integers(10**7, 10**8, n).astype(str),
            "areacode": "0512",
            "postcode": "215000",
            "address": "人民路1号",
            "year": str(year),
        }
    )
    kinds = [
        "missing_county_code",
        "county_code_not_in_force",
        "unknown_industry_code",
        "negative_employment",
        "non_numeric_employment",
        "founding_year_impossible",
        "negative_output",
    ]
    bad = rng.choice(n, size=n // 20, replace=False)
    kind = rng.integers(0, len(kinds), len(bad))
    truth = {k: np.sort(bad[kind == i]) for i, k in enumerate(kinds)}
    df.loc[truth["missing_county_code"], "dq"] = ""
    df.loc[truth["county_code_not_in_force"], "dq"] = "320115"  # 江宁区: only from 2000
    df.loc[truth["unknown_industry_code"], "cic"] = "9999"
    df.loc[truth["negative_employment"], "employ"] = "-12"
    df.loc[truth["non_numeric_employment"], "employ"] = "abc"
    df.loc[truth["founding_year_impossible"], "setup"] = str(year + 3)
    df.loc[truth["negative_output"], "output"] = "-1.5"
    dup_src = rng.choice(np.setdiff1d(np.arange(n), bad), size=n // 100, replace=False)
    df = pd.concat([df, df.loc[dup_src]], ignore_index=True)  # exact copies at the end
    truth["exact_duplicates"] = np.arange(n, n + len(dup_src))
    return df, truth


@pytest.mark.parametrize("fmt", ["csv_gbk", "csv_utf8", "dta", "parquet"])
def test_generated_file_with_known_defects_is_accounted_exactly(tmp_path, dialects, fmt):
    year = 1998
    df, truth = generated(4000, year)
    if fmt == "csv_gbk":
        path = tmp_path / "a.csv"
        df.to_csv(path, index=False, encoding="gbk", lineterminator="\r\n")
    elif fmt == "csv_utf8":
        path = tmp_path / "a.csv"
        df.to_csv(path, index=False, encoding="utf-8")
    elif fmt == "dta":
        path = tmp_path / "a.dta"
        d = df.copy()
        d["cic"] = d["cic"].astype(int)
        d["output"] = d["output"].astype(float)
        d.to_stata(path, write_index=False, version=118)
    else:
        path = tmp_path / "a.parquet"
        d = df.copy()
        d["output"] = d["output"].astype(float)
        d.to_parquet(path, index=False)
    res = ingest_file(path, year, "qian", dialects, **ingest_references())
    c = res.counts
    assert c["rows_read"] == len(df)
    assert c["exact_duplicates_removed"] == len(truth["exact_duplicates"])
    q = res.quarantine
    for kind, rows in truth.items():
        if kind == "exact_duplicates":
            continue
        got = np.sort(q.loc[q["reason"].str.startswith(kind + ":"), "source_row"].to_numpy())
        np.testing.assert_array_equal(got, rows, err_msg=kind)
    n_bad = sum(len(v) for k, v in truth.items() if k != "exact_duplicates")
    assert c["rows_quarantined"] == n_bad and len(q) == n_bad
    assert c["rows_clean"] == len(df) - n_bad - len(truth["exact_duplicates"])
    clean = res.clean.set_index("source_row")
    src = df.loc[clean.index]
    np.testing.assert_allclose(clean["output"].to_numpy(), src["output"].astype(float).to_numpy())
    assert (clean["employment"].astype(int).astype(str).to_numpy() == src["employ"].to_numpy()).all()
    assert (clean["county_code_raw"].to_numpy() == src["dq"].to_numpy()).all()


@pytest.mark.skipif(not os.environ.get("YRD_INGEST_BENCH"), reason="benchmark: set YRD_INGEST_BENCH=1")
def test_speed_at_asif_scale(tmp_path, dialects):  # pragma: no cover - opt-in benchmark
    df, _ = generated(275_000, 1998, seed=1)
    path = tmp_path / "asif_1998.csv"
    df.to_csv(path, index=False, encoding="gbk", lineterminator="\r\n")
    for engine in ("pyarrow", "c"):
        t = time.perf_counter()
        res = ingest_file(path, 1998, "qian", dialects, **ingest_references(), engine=engine)
        total = time.perf_counter() - t
        print(f"{engine}: read {res.counts['seconds_read']:.2f}s, total {total:.2f}s for {len(df)} rows")
        assert total < 60
