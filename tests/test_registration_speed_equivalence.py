"""Known answers of the functions added to speed up rule ``ingest_registration``: one set of
workers for both kinds of extract (:func:`yrd.registration.ingest.ingest_registration_kinds`)
gives each kind's tables as :func:`~yrd.registration.ingest.ingest_registration_files` does,
and the address parser that stops reading at the county (and reads ahead only when a name
that is both a prefecture and a county needs it) resolves as the full token scan does."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from helpers.resources import AREACODES_CSV
from helpers.workflow import ROOT
from yrd.ingest import RawFileError
from yrd.registration.address import AddressParser, address_parser
from yrd.registration.dialects import load_registration_dialects
from yrd.registration.ingest import ingest_registration_files, ingest_registration_kinds

DIALECTS = ROOT / "config" / "registration_dialects.yaml"
SCHEMA = ROOT / "config" / "schemas" / "header_dialects.schema.yaml"
USCC_A = "91320506123456788P"
CH_EN = "credit_code,reg_number,org_code,name,change_item,before,after,change_date"
INV_EN = "investor,investor_code,investee,investee_code,investee_address,capital,founding_date"


def _csv(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dialects():
    return load_registration_dialects(DIALECTS, SCHEMA)


@pytest.mark.parametrize("workers", [1, 2])
def test_kinds_on_one_pool_equal_each_kind_alone(tmp_path, dialects, workers):
    files = {
        "change": [
            _csv(
                tmp_path / "a.csv",
                [CH_EN, f"{USCC_A},,,甲,住所变更,苏州市吴中区东吴路1号,上海市浦东新区张江路2号,2005-03-01"],
            ),
            _csv(tmp_path / "b.csv", [CH_EN, ",,,丙,名称变更,丙,丁,bad", ",,,丙,名称变更,丙,丁,2001-01-01"]),
        ],
        "investment": [_csv(tmp_path / "i.csv", [INV_EN, "甲公司,,乙公司,,南京市鼓楼区中山路3号,100万元,2008-05-01"])],
    }
    names = {k: [p.name for p in v] for k, v in files.items()}
    both = ingest_registration_kinds(
        files, dialects, history=AREACODES_CSV, provinces=["31", "32"], source_files=names, workers=workers
    )
    assert list(both) == ["change", "investment"]
    for kind, kind_files in files.items():
        alone = ingest_registration_files(
            kind_files, kind, dialects, history=AREACODES_CSV, provinces=["31", "32"], source_files=names[kind]
        )
        for got, want in zip(both[kind], alone):
            pd.testing.assert_frame_equal(
                got.drop(columns="seconds", errors="ignore"), want.drop(columns="seconds", errors="ignore")
            )
    assert both["change"][0]["county_after"].tolist()[:1] == ["310115"]
    assert both["investment"][0]["investee_county"].tolist() == ["320106"]


def test_kinds_raise_the_first_kind_with_bad_files(tmp_path, dialects):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    good = _csv(tmp_path / "i.csv", [INV_EN, "甲公司,,乙公司,,南京市鼓楼区中山路3号,100万元,2008-05-01"])
    with pytest.raises(RawFileError, match="empty.csv"):
        ingest_registration_kinds({"change": [empty], "investment": [good]}, dialects, history=AREACODES_CSV)


def test_parser_reads_ahead_only_as_far_as_needed():
    p = AddressParser(AREACODES_CSV, 2021, ["31", "32", "34"])
    # a prefecture that was a county-level city before (泰州市) and a county after it: the county
    r = p.parse("江苏省泰州市姜堰区人民路1号鼓楼区")
    assert (r.county, r.resolution, r.matched) == ("321204", "county", "江苏省|泰州市|姜堰区")
    # the prefecture and former county-level city alone: ambiguous, as the full scan gives it
    r = p.parse("镇江市高新区某路1号")
    assert (r.county, r.prefecture, r.resolution) == (None, "321100", "ambiguous")
    # the tokens are still those of the whole text
    assert [name for name, _ in p.tokens("苏州市吴中区金山路1号")] == ["苏州市", "吴中区"]
    assert address_parser(AREACODES_CSV, 2021, ["31"]) is address_parser(str(AREACODES_CSV), 2021, ["31"])
