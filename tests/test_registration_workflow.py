"""Business-registration records in the workflow (issue 16): the address score against a
hand-made truth, the config checks of the extract lists, and rule ingest_registration end to
end on a user's extracts (tables written, reconciliation balanced, a broken file named)."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from helpers.resources import AREACODES_CSV, CONFIG_SCHEMA
from helpers.workflow import ROOT, copy_workflow, snakemake
from yrd.config import ConfigError, deep_update, normalise_keys, validate_config
from yrd.registration.ingest import INVESTMENT_COLUMNS, reconciliation_with_totals
from yrd.registration.rows import CHANGE_COLUMNS
from yrd.registration.validation import address_accuracy, address_outcomes
from yrd.synthetic.registration import generate_registration, write_registration

DEFAULT = normalise_keys(yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8")))


# --- the address score on a hand-made truth -------------------------------------------------
def _frame(rows: list[dict], columns) -> pd.DataFrame:
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))


def _hand_made():
    """Eleven written addresses (the duplicates and the name record do not count): 5 resolved (4
    correct, 1 wrong county in the true prefecture; 2 read from the exact copy ingestion kept),
    1 investee kept with its prefecture only (right prefecture), 2 quarantined (a change's vague
    address read as a prefecture, an ambiguous investee address), 3 not observed (the other side
    of a quarantined record, a record quarantined for its date)."""
    change_truth = pd.DataFrame(
        {
            "record_id": [0, 1, 2, 3, 4, 5, 6],
            "source_file": ["c.csv"] * 7,
            "source_row": [0, 1, 2, 3, 4, 5, 6],
            "kind": ["address", "combined", "name", "exact_duplicate", "address", "address", "exact_duplicate"],
            "duplicate_of": [None, None, None, 0, None, None, 5],
            "origin_county": ["320505", "330102", None, "320505", "340102", "320115", "320115"],
            "dest_county": ["310115", "330106", None, "310115", "340103", "330782", "330782"],
            "style_before": ["full", "county_only", None, "full", "short", "full", "full"],
            "style_after": ["short", "no_province_vague", None, "short", "full", "full", "full"],
        }
    ).astype({"duplicate_of": "Int64"})
    changes = _frame(
        [
            {"source_file": "c.csv", "source_row": 0, "event": 0, "change_class": "address"}
            | {"county_before": "320505", "county_after": "310104"}
            | {"resolution_before": "county", "resolution_after": "county"},
            {"source_file": "c.csv", "source_row": 2, "event": 0, "change_class": "name"},
            {"source_file": "c.csv", "source_row": 6, "event": 0, "change_class": "address"}
            | {"county_before": "320115", "county_after": "330782"}
            | {"resolution_before": "county", "resolution_after": "county_old_name"},
        ],
        CHANGE_COLUMNS,
    )
    investment_truth = pd.DataFrame(
        {
            "source_file": ["i.csv"] * 4,
            "source_row": [0, 1, 2, 3],
            "kind": ["investment", "investment", "near_duplicate", "investment"],
            "dest_county": ["320583", "330782", "320583", "330106"],
        }
    )
    investments = _frame(
        [
            {"source_file": "i.csv", "source_row": 0, "investee_county": "320583"}
            | {"investee_prefecture": "320500", "resolution": "county"},
            {"source_file": "i.csv", "source_row": 3, "investee_county": None}
            | {"investee_prefecture": "330100", "resolution": "prefecture"},
        ],
        INVESTMENT_COLUMNS,
    )
    quarantine = pd.DataFrame(
        {
            "kind": ["change", "change", "investment"],
            "source_file": ["c.csv", "c.csv", "i.csv"],
            "source_row": [1, 4, 1],
            "column": ["after", "change_date", "investee_address"],
            "reason": [
                "address_no_county: '杭州市高新技术产业开发区…' resolves to no county (resolution prefecture)",
                "bad_date: unreadable date 'x'",
                "address_no_prefecture: '鼓楼区…' resolves to no prefecture (resolution ambiguous)",
            ],
        }
    )
    return changes, investments, quarantine, change_truth, investment_truth


def test_address_accuracy_on_a_hand_made_truth():
    outcomes = address_outcomes(*_hand_made())
    assert len(outcomes) == 11
    assert outcomes["status"].value_counts().to_dict() == {
        "resolved": 5,
        "not_observed": 3,
        "quarantined": 2,
        "prefecture_only": 1,
    }
    doc = address_accuracy(outcomes)
    overall = doc["overall"]
    assert (overall["n_written"], overall["n_observed"], overall["n_resolved"], overall["n_correct"]) == (11, 8, 5, 4)
    assert (overall["n_prefecture_only"], overall["n_prefecture_only_correct"], overall["n_quarantined"]) == (1, 1, 2)
    assert overall["n_wrong_same_prefecture"] == 1  # 徐汇区 for 浦东新区: both in Shanghai
    assert overall["coverage"] == pytest.approx(5 / 8)
    assert overall["precision"] == pytest.approx(4 / 5)
    assert overall["accuracy"] == pytest.approx(4 / 8)
    # right prefecture: the 5 resolved (the wrong county is in the true prefecture) and the kept one
    assert overall["prefecture_accuracy"] == pytest.approx(6 / 8)
    assert doc["by_table"]["change_after"]["precision"] == pytest.approx(1 / 2)
    assert doc["by_table"]["change_before"]["n_not_observed"] == 2
    assert doc["by_table"]["investment_investee"]["coverage"] == pytest.approx(1 / 3)
    assert doc["by_style"]["unknown"]["n_written"] == 3  # investment truth without a style column
    assert doc["by_resolution"]["county"] == {"n": 4, "n_correct": 3, "share": pytest.approx(4 / 8)}
    assert doc["by_resolution"]["county_old_name"] == {"n": 1, "n_correct": 1, "share": pytest.approx(1 / 8)}
    assert doc["by_resolution"]["prefecture"]["n"] == 2 and doc["by_resolution"]["ambiguous"]["n"] == 1
    assert doc["by_resolution"]["none"]["n"] == 0
    vague = doc["vague_addresses"]
    assert (vague["n_written"], vague["n_quarantined"], vague["quarantined_share"]) == (1, 1, 1.0)
    assert vague["n_prefecture_only"] == 0


def test_address_accuracy_without_investments():
    changes, _, quarantine, change_truth, _ = _hand_made()
    doc = address_accuracy(address_outcomes(changes, changes.iloc[:0], quarantine, change_truth, None))
    assert doc["overall"]["n_written"] == 8 and "investment_investee" not in doc["by_table"]


def test_reconciliation_totals_balance_and_name_the_file_that_does_not():
    row = {"source_file": "a.csv", "kind": "change", "rows_read": 10, "rows_clean": 7, "rows_quarantined": 2}
    row |= {"exact_duplicates_removed": 1, "quarantine_reasons": "bad_date=1; missing_value=1", "seconds": 0.1}
    t = pd.DataFrame([row, row | {"source_file": "b.csv", "quarantine_reasons": "bad_date=2"}])
    out = reconciliation_with_totals({"change": t})
    total = out[out["source_file"] == "total"].iloc[0]
    assert (total["rows_read"], total["rows_clean"], total["rows_quarantined"]) == (20, 14, 4)
    assert total["quarantine_reasons"] == "bad_date=3; missing_value=1"
    assert out["balanced"].all()
    with pytest.raises(Exception, match="b.csv"):
        reconciliation_with_totals({"change": t.assign(rows_read=[10, 11])})


# --- config checks ----------------------------------------------------------------------------
def _config(override: dict) -> dict:
    return deep_update(copy.deepcopy(DEFAULT), normalise_keys(copy.deepcopy(override)))


def test_a_missing_extract_names_its_key():
    user = {
        "run": {"name": "u", "synthetic": False},
        "ingest": {"files": {"1998": "tests/data/malformed/ok_gbk_zh.csv"}},
    }
    user["ingest"]["money_unit"] = {"1998": "qian"}
    ok = "tests/data/malformed/ok_gbk_zh.csv"
    validate_config(_config(user | {"registration": {"changes": [ok]}}), CONFIG_SCHEMA, base=ROOT)
    with pytest.raises(ConfigError) as info:
        bad = {"registration": {"changes": [ok, "data/changes.csv"], "investments": ["data/inv.xlsx", ok]}}
        validate_config(_config(user | bad), CONFIG_SCHEMA, base=ROOT)
    msg = str(info.value)
    assert "'registration.changes[1]': file not found: data/changes.csv" in msg
    assert "'registration.investments[0]': file not found: data/inv.xlsx" in msg
    assert "'registration.investments[1]'" in msg and "already listed as 'registration.changes[0]'" in msg
    with pytest.raises(ConfigError, match=r"'registration.changes': run.synthetic is true"):
        validate_config(_config({"registration": {"changes": [ok]}}), CONFIG_SCHEMA, base=ROOT)


# --- end to end on a user's extracts ----------------------------------------------------------
COUNTIES = ["310115", "310104", "320505", "320583", "320115", "330106", "330782", "340104"]

USER_CONFIG = """\
run: {{name: {name}, synthetic: false}}
period: {{start: 1998, end: 1999}}
ingest:
  files: {{"1998": "{asif}"}}
  money_unit: {{"1998": qian}}
registration:
  changes: {changes}
  investments: {investments}
claims:
  c2: {{window: [1998, 1999]}}
  c3: {{start: 1998}}
flows:
  scenarios: []
"""

INVESTMENTS = """\
投资方,投资方信用代码,被投资企业,被投资企业信用代码,被投资企业住所,认缴出资（万元）,成立日期
苏州甲机械有限公司,,昆山甲机械有限公司,,江苏省苏州市昆山市前进路1号,500,2005-03-01
苏州甲机械有限公司,,昆山甲机械有限公司,,江苏省苏州市昆山市前进路1号,500,2005-03-01
上海乙电子有限公司,,合肥乙电子有限公司,,安徽省合肥市蜀山区长江路9号,1.5亿元,2008年7月1日
上海乙电子有限公司,,义乌乙电子有限公司,,浙江省义乌市稠州路8号,-5,2009-01-01
上海乙电子有限公司,,杭州乙电子有限公司,,杭州市高新技术产业开发区东风路893号,200,2010-02-30
"""


def _extracts(folder: Path) -> list[str]:
    """Change-record extracts of a hand-made world (40 firms, 20 moves between counties)."""
    rng = np.random.default_rng(16)
    firms = np.arange(1, 41)
    county = rng.choice(COUNTIES, size=len(firms))
    panel = pd.DataFrame(
        [
            {"true_firm_id": f, "year": y, "county": c, "industry": "13", "founding_year": 1995}
            for f, c in zip(firms, county)
            for y in range(2000, 2006)
        ]
    )
    dest = [next(c for c in rng.permutation(COUNTIES) if c != o) for o in county[:20]]
    moves = pd.DataFrame(
        {"true_firm_id": firms[:20], "year": 2003, "origin_county": county[:20], "dest_county": dest, "industry": "13"}
    )
    ex = generate_registration(moves, panel, history=AREACODES_CSV, seed=16, provinces=["31", "32", "33", "34"])
    write_registration(ex, folder)
    return sorted(ex.files)


@pytest.mark.workflow
def test_ingest_registration_end_to_end_on_user_extracts(tmp_path):
    work = copy_workflow(tmp_path / "work")
    data = work / "data"
    names = _extracts(data)
    (data / "investments.csv").write_text(INVESTMENTS, encoding="utf-8")
    changes = [f"data/{n}" for n in names]
    asif = (ROOT / "tests" / "data" / "malformed" / "ok_gbk_zh.csv").as_posix()
    cfg = USER_CONFIG.format(name="user", asif=asif, changes=changes, investments=["data/investments.csv"])
    (work / "config" / "user.yaml").write_text(cfg, encoding="utf-8")
    out_dir = work / "results" / "user" / "registration"
    targets = [str(Path("results/user/registration") / f) for f in ("changes.parquet", "reconciliation.csv")]

    # rule all of a user run with registration extracts requests the registration tables
    dry = snakemake(work, "-n", "--configfile", "config/user.yaml")
    assert dry.returncode == 0, (dry.stdout + dry.stderr)[-4000:]
    assert "ingest_registration" in dry.stdout

    res = snakemake(work, "--cores", "1", "--configfile", "config/user.yaml", "--", *targets)
    assert res.returncode == 0, (res.stdout + res.stderr)[-4000:]
    for f in ("changes.parquet", "investments.parquet", "quarantine.parquet", "reconciliation.csv"):
        assert (out_dir / f).exists(), f
    rec = pd.read_csv(out_dir / "reconciliation.csv")
    assert list(rec["source_file"]) == [*names, "total", "investments.csv", "total"]
    assert (rec["rows_read"] == rec["rows_clean"] + rec["rows_quarantined"] + rec["exact_duplicates_removed"]).all()
    assert rec["balanced"].all()
    files = rec[rec["source_file"] != "total"]
    totals = rec[rec["source_file"] == "total"].set_index("kind")
    assert totals.loc["change", "rows_read"] == files.loc[files["kind"] == "change", "rows_read"].sum()
    inv = totals.loc["investment"]
    # 5 rows: 2 clean, 1 exact duplicate, negative capital and an impossible date quarantined
    counts = inv[["rows_read", "rows_clean", "rows_quarantined", "exact_duplicates_removed"]].tolist()
    assert counts == [5, 2, 2, 1]
    changes_t = pd.read_parquet(out_dir / "changes.parquet")
    assert list(changes_t.columns) == list(CHANGE_COLUMNS) and len(changes_t) > 20
    assert set(changes_t["source_file"]) <= set(names)
    investments_t = pd.read_parquet(out_dir / "investments.parquet")
    assert sorted(investments_t["investee_county"]) == ["320583", "340104"]
    assert investments_t["capital_wan"].tolist() == [500.0, 15000.0]
    quarantine = pd.read_parquet(out_dir / "quarantine.parquet")
    assert set(quarantine["kind"]) <= {"change", "investment"}
    assert set(quarantine.loc[quarantine["kind"] == "investment", "reason"].str.split(":").str[0]) == {
        "negative_capital",
        "bad_date",
    }
    log = (work / "results" / "user" / "logs" / "ingest_registration.log").read_text(encoding="utf-8")
    assert "investments.csv (investment): 5 rows read, 2 clean" in log

    # an extract without a required column stops the run with one message naming the file
    (data / "bad_investments.csv").write_text(INVESTMENTS.replace(",成立日期", ",备注"), encoding="utf-8")
    cfg = USER_CONFIG.format(name="broken", asif=asif, changes=changes, investments=["data/bad_investments.csv"])
    (work / "config" / "broken.yaml").write_text(cfg, encoding="utf-8")
    res = snakemake(
        work, "--cores", "1", "--configfile", "config/broken.yaml", "--", "results/broken/registration/changes.parquet"
    )
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-4000:]
    assert "Error in rule ingest_registration: raw file 'bad_investments.csv'" in out, out[-4000:]
    assert "founding_date" in out and "Traceback" not in out
    assert not (work / "results" / "broken" / "registration" / "changes.parquet").exists()
