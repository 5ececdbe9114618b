"""The column-wise change_rows / investment_rows (yrd.registration.rows) against the row-by-row
formulation they replaced (copied below as the reference): same clean table (values, types, row
order), same quarantine reasons, same counts."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from yrd.registration.keys import classify_key, org_check_char, regno_check_digit, uscc_check_char
from yrd.registration.parse import classify_change, nfkc, parse_date, read_capital, split_combined
from yrd.registration.rows import (
    _KEY_COLUMN,
    CHANGE_COLUMNS,
    INVESTMENT_COLUMNS,
    AddressParse,
    Problems,
    _text,
    change_rows,
    investment_rows,
)

# ---- reference: the row-by-row formulation (yrd/registration/rows.py before vectorising) ----

_KIND_OF_COLUMN = {v: k for k, v in _KEY_COLUMN.items()}


def _ref_key(raw: Any) -> tuple[str | None, str | None, str]:
    """``(key, kind, reason)`` of a raw key value; ``(None, None, "")`` when empty."""
    if not nfkc(raw):
        return None, None, ""
    chk = classify_key(raw)
    return (chk.key, chk.kind, "") if chk.valid else (None, None, f"{chk.key!r}: {chk.reason}")


def _ref_date(row: int, column: str, raw: Any, problems: Problems) -> tuple[Any, str]:
    d, how = parse_date(raw)
    if d is None:
        if how == "missing":
            problems.append((row, column, f"missing_value: {column} is empty"))
        else:
            problems.append((row, column, f"bad_date: {how}"))
    return d, how


def _ref_resolve(texts: list[str], addresses: AddressParse) -> dict[str, tuple[str | None, str]]:
    """{text: (county, resolution)} of the distinct address texts."""
    uniq = pd.Series(sorted(set(texts)), dtype="object")
    if not len(uniq):
        return {}
    parsed = addresses(uniq)
    return {
        t: (None if pd.isna(c) else str(c), str(r)) for t, c, r in zip(uniq, parsed["county"], parsed["resolution"])
    }


def _ref_prefectures(texts: list[str], addresses: AddressParse) -> dict[str, str | None]:
    """{text: prefecture} of the distinct address texts."""
    uniq = pd.Series(sorted(set(texts)), dtype="object")
    if not len(uniq):
        return {}
    return {t: None if pd.isna(p) else str(p) for t, p in zip(uniq, addresses(uniq)["prefecture"])}


def _ref_no_prefecture(row: int, column: str, text: str, resolution: str, problems: Problems) -> None:
    reason = f"address_no_prefecture: {text!r} resolves to no prefecture (resolution {resolution})"
    problems.append((row, column, reason))


def ref_change_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
    """Validate change records (module docstring); ``addresses`` parses a Series of addresses
    (columns ``county``, ``resolution``)."""
    problems: Problems = []
    stats = {"keys_invalid": 0, "event_duplicates": 0}
    staged: list[tuple[int, dict[str, Any], list[tuple[str, str, str]]]] = []
    need: list[str] = []
    for row, rec in zip(canon.index, canon.to_dict("records")):
        row = int(row)
        n0 = len(problems)
        keys: dict[str, str] = {}
        bad_keys: list[str] = []
        for col in ("credit_code", "reg_number", "org_code"):
            key, kind, why = _ref_key(rec.get(col))
            if why:
                bad_keys.append(f"{col} {why}")
            elif key is not None:
                keys.setdefault(_KEY_COLUMN[kind], key)
        name = _text(rec.get("name"))
        stats["keys_invalid"] += len(bad_keys)
        if not keys and not name:
            if bad_keys:
                problems.append((row, "name", f"no_firm_identity: no valid key ({'; '.join(bad_keys)}) and no name"))
            else:
                problems.append((row, "name", "missing_value: no firm key and no name"))
        item = _text(rec.get("change_item"))
        if not item:
            problems.append((row, "change_item", "missing_value: change_item is empty"))
        d, prec = _ref_date(row, "change_date", rec.get("change_date"), problems)
        cls = classify_change(item)
        before, after = _text(rec.get("before")), _text(rec.get("after"))
        events: list[tuple[str, str, str]] = []  # (class, before, after)
        if cls in ("address", "name"):
            for col, v in (("before", before), ("after", after)):
                if not v:
                    problems.append((row, col, f"missing_value: {col} of the {cls} change is empty"))
            events.append((cls, before, after))
        elif cls == "both":
            parts = {}
            for col, v in (("before", before), ("after", after)):
                parts[col] = split_combined(v)
                if parts[col] is None:
                    problems.append(
                        (
                            row,
                            col,
                            f"combined_unsplittable: {v!r} is not a name and an address (label them 名称：…；住所：…)",
                        )
                    )
            if parts["before"] and parts["after"]:
                events += [("name", parts["before"][0], parts["after"][0])]
                events += [("address", parts["before"][1], parts["after"][1])]
        else:
            events.append(("other", before, after))
        if len(problems) > n0:
            continue
        first = next(iter(keys.items()), (None, None))
        base = {
            "source_row": row,
            "firm_key": first[1],
            "key_kind": _KIND_OF_COLUMN.get(first[0] or ""),
            "credit_code": keys.get("credit_code"),
            "reg_number": keys.get("reg_number"),
            "org_code": keys.get("org_code"),
            "name": name or None,
            "change_item": item,
            "change_class": cls,
            "change_date": pd.Timestamp(d),
            "date_precision": prec,
        }
        staged.append((row, base, events))
        need += [t for c, b, a in events if c == "address" for t in (b, a)]

    resolved = _ref_resolve(need, addresses)
    prefectures = _ref_prefectures(need, addresses)
    seen: set[tuple] = set()
    out: list[dict[str, Any]] = []
    for row, base, events in staged:
        bad = False
        for c, b, a in events:
            if c != "address":
                continue
            for col, t in (("before", b), ("after", a)):
                county, how = resolved[t]
                if prefectures[t] is None:  # an address naming the prefecture but no county is kept
                    _ref_no_prefecture(row, col, t, how, problems)
                    bad = True
        if bad:
            continue
        ident = (base["firm_key"], base["name"], base["change_class"], tuple(events), base["change_date"])
        if ident in seen:
            stats["event_duplicates"] += 1
            continue
        seen.add(ident)
        for k, (c, b, a) in enumerate(events):
            ev = dict(base, event=k, change_class=c, before=b, after=a)
            if c == "address":
                ev["county_before"], ev["resolution_before"] = resolved[b]
                ev["county_after"], ev["resolution_after"] = resolved[a]
                ev["prefecture_before"], ev["prefecture_after"] = prefectures[b], prefectures[a]
            out.append(ev)
    clean = pd.DataFrame(out, columns=[c for c in CHANGE_COLUMNS if c != "source_file"])
    typed = {"source_row": "int64", "event": "int64", "change_date": "datetime64[ns]"}
    clean = clean.astype(typed | {c: "str" for c in clean.columns if c not in typed})
    return clean, problems, stats


def _ref_party(row: int, rec: dict[str, Any], who: str, problems: Problems, stats: dict[str, int]) -> tuple[Any, ...]:
    """``(name, key, kind)`` of the investor or investee; a quarantine reason when neither a
    valid key nor a name is given."""
    name = _text(rec.get(f"{who}_name"))
    key, kind, why = _ref_key(rec.get(f"{who}_code"))
    if why:
        stats["keys_invalid"] += 1
    if key is None and not name:
        col = f"{who}_name"
        if why:
            problems.append((row, col, f"no_firm_identity: {who} key {why} and no {who} name"))
        else:
            problems.append((row, col, f"missing_value: no {who} key and no {who} name"))
    return name or None, key, kind


def ref_investment_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
    """Validate investment records (module docstring of :mod:`yrd.registration.ingest`)."""
    problems: Problems = []
    stats = {"keys_invalid": 0, "event_duplicates": 0, "capital_missing": 0, "capital_other_currency": 0}
    staged: list[dict[str, Any]] = []
    for row, rec in zip(canon.index, canon.to_dict("records")):
        row = int(row)
        n0 = len(problems)
        inv_name, inv_key, inv_kind = _ref_party(row, rec, "investor", problems, stats)
        tee_name, tee_key, tee_kind = _ref_party(row, rec, "investee", problems, stats)
        address = _text(rec.get("investee_address"))
        if not address:
            problems.append((row, "investee_address", "missing_value: investee_address is empty"))
        amount, currency, why = read_capital(rec.get("capital"))
        if amount is None and why != "missing":
            code = "negative_capital" if why.startswith("negative") else "bad_capital"
            problems.append((row, "capital", f"{code}: {why}"))
        # a capital in another currency keeps the row, not converted: no capital in 万元
        capital = amount if currency == "CNY" else None
        d, prec = _ref_date(row, "founding_date", rec.get("founding_date"), problems)
        if len(problems) > n0:
            continue
        staged.append(
            {
                "source_row": row,
                "investor_name": inv_name,
                "investor_key": inv_key,
                "investor_key_kind": inv_kind,
                "investee_name": tee_name,
                "investee_key": tee_key,
                "investee_key_kind": tee_kind,
                "investee_address": address,
                "capital_wan": capital,
                "capital_currency": currency,
                "founding_date": pd.Timestamp(d),
                "date_precision": prec,
                "_amount": amount,  # compared, not written
            }
        )
    resolved = _ref_resolve([s["investee_address"] for s in staged], addresses)
    prefectures = _ref_prefectures([s["investee_address"] for s in staged], addresses)
    seen: set[tuple] = set()
    out = []
    for s in staged:
        county, how = resolved[s["investee_address"]]
        prefecture = prefectures[s["investee_address"]]
        if prefecture is None:  # an address naming the prefecture but no county is kept
            _ref_no_prefecture(s["source_row"], "investee_address", s["investee_address"], how, problems)
            continue
        ident = tuple(v for k, v in s.items() if k != "source_row")
        if ident in seen:
            stats["event_duplicates"] += 1
            continue
        seen.add(ident)
        stats["capital_missing"] += s["capital_currency"] is None
        stats["capital_other_currency"] += s["capital_currency"] not in (None, "CNY")
        s = {k: v for k, v in s.items() if k != "_amount"}
        out.append(s | {"investee_county": county, "investee_prefecture": prefecture, "resolution": how})
    clean = pd.DataFrame(out, columns=[c for c in INVESTMENT_COLUMNS if c != "source_file"])
    typed = {"source_row": "int64", "capital_wan": "float64", "founding_date": "datetime64[ns]"}
    clean = clean.astype(typed | {c: "str" for c in clean.columns if c not in typed})
    return clean, problems, stats


# ---- hand-built extracts ----------------------------------------------------------------------

_USCC_BODY = "91310000" + "MA1FL0A1"
_ORG = "MA1FL0A1" + org_check_char("MA1FL0A1")
USCC = _USCC_BODY[:8] + _ORG + uscc_check_char(_USCC_BODY[:8] + _ORG)
REGNO = "31010600012345" + regno_check_digit("31010600012345")
ORG = "12345678" + org_check_char("12345678")
BAD_USCC = USCC[:17] + ("0" if USCC[17] != "0" else "1")
BAD_REGNO = REGNO[:14] + str((int(REGNO[14]) + 1) % 10)
NA = float("nan")

ADDRESSES = {  # text: (county, prefecture, resolution), as yrd.registration.address parses them
    "上海市闸北区共和新路100号": ("310108", "310100", "county"),
    "上海市浦东新区张江路1号": ("310115", "310100", "county"),
    "江苏省苏州市": (None, "320500", "prefecture"),
    "某地某路1号": (None, None, "none"),
    "静安区 南京西路 1 号": ("310106", "310100", "county_old_name"),
    "合肥": (None, "340100", "ambiguous"),
    "鼓楼区中山路1号": (None, None, "ambiguous"),
}


def fake_addresses(texts: pd.Series) -> pd.DataFrame:
    """County, prefecture and resolution of the address texts above (the rest: none)."""
    got = [ADDRESSES.get(t, (None, None, "none")) for t in texts]
    return pd.DataFrame(
        {"county": [c for c, _, _ in got], "prefecture": [p for _, p, _ in got], "resolution": [r for _, _, r in got]},
        index=texts.index,
    ).astype("string")


def _frame(records: list[dict[str, Any]], columns: list[str], first_row: int = 2) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=columns)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame) * 3, 3)  # rows need not be contiguous
    return frame.astype("str").where(frame.notna())


CHANGE_RECORDS = [
    # the three key generations, in their own columns and in others, full-width, with separators
    dict(
        credit_code=USCC,
        name="上海甲公司",
        change_item="住所变更",
        before="上海市闸北区共和新路100号",
        after="上海市浦东新区张江路1号",
        change_date="2016-03-01",
    ),
    dict(
        reg_number=REGNO,
        name="上海乙公司",
        change_item="名称变更",
        before="上海乙公司",
        after="上海丙公司",
        change_date="2005年3月1日",
    ),
    dict(org_code=ORG[:8] + "-" + ORG[8], change_item="经营范围变更", before="a", after="b", change_date="20050301"),
    dict(
        credit_code=REGNO,
        reg_number=USCC,
        org_code=ORG,
        name="x",
        change_item="迁址",
        before="上海市闸北区共和新路100号",
        after="静安区 南京西路 1 号",
        change_date="2005.03",
    ),
    dict(
        credit_code="".join(chr(ord(c) + 0xFEE0) for c in USCC),
        change_item="名称变更",
        before="甲",
        after="乙",
        change_date="38412",
    ),
    dict(
        reg_number=REGNO,
        org_code=REGNO,
        change_item="other thing",
        before=" a  b ",
        after="c\u3000d",
        change_date="2005-03-01 00:00:00",
    ),
    # invalid keys: kept with a name, quarantined without
    dict(credit_code=BAD_USCC, name="丁公司", change_item="经营范围变更", before="x", after="y", change_date="200503"),
    dict(
        credit_code=BAD_USCC,
        reg_number=BAD_REGNO,
        org_code="12",
        change_item="住所变更",
        before="a",
        after="b",
        change_date="2005-03-01",
    ),
    dict(
        credit_code="  ",
        reg_number=None,
        name=" ",
        change_item="住所变更",
        before="a",
        after="b",
        change_date="2005-03-01",
    ),
    dict(credit_code="-", name="", change_item="经营范围变更", before="a", after="b", change_date="2005-03-01"),
    # missing and bad values
    dict(credit_code=USCC, change_item="", before="a", after="b", change_date=""),
    dict(
        credit_code=USCC, change_item="住所变更", before="", after="上海市闸北区共和新路100号", change_date="2005-02-30"
    ),
    dict(credit_code=USCC, change_item="名称变更", before="甲公司", after=None, change_date="1800-01-01"),
    dict(credit_code=USCC, change_item="名称变更", before="甲公司", after="乙公司", change_date="yesterday"),
    dict(credit_code=USCC, change_item="名称变更", before="甲公司", after="乙公司", change_date="2005-13-01"),
    dict(credit_code=USCC, change_item="名称变更", before="甲公司", after="乙公司", change_date=None),
    # addresses resolving to no county: kept when they give the prefecture, not otherwise
    dict(
        credit_code=USCC, change_item="住所变更", before="江苏省苏州市", after="某地某路1号", change_date="2010-01-01"
    ),
    dict(
        credit_code=USCC,
        change_item="住所变更",
        before="江苏省苏州市",
        after="鼓楼区中山路1号",
        change_date="2010-01-02",
    ),
    dict(
        credit_code=USCC,
        change_item="住所变更",
        before="上海市闸北区共和新路100号",
        after="合肥",
        change_date="2010-01-01",
    ),
    # combined changes: labelled, unlabelled, unsplittable, with a bad address
    dict(
        reg_number=REGNO,
        name="上海甲公司",
        change_item="住所及名称变更",
        before="名称：上海甲公司；住所：上海市闸北区共和新路100号",
        after="名称：上海乙公司；住所：上海市浦东新区张江路1号",
        change_date="2012-05-06",
    ),
    dict(
        reg_number=REGNO,
        name="上海甲公司",
        change_item="名称、住所变更",
        before="上海甲公司;上海市闸北区共和新路100号",
        after="上海乙公司|上海市浦东新区张江路1号",
        change_date="2012-05-06",
    ),
    dict(
        reg_number=REGNO,
        name="上海甲公司",
        change_item="住所及名称变更",
        before="上海甲公司",
        after="乱七八糟",
        change_date="2012-05-06",
    ),
    dict(
        reg_number=REGNO,
        name="上海甲公司",
        change_item="住所及名称变更",
        before="名称：上海甲公司；住所：某地某路1号",
        after="名称：上海乙公司；住所：上海市浦东新区张江路1号",
        change_date="2012-05-06",
    ),
    # event duplicates: the same event again (also written differently), and near-duplicates
    dict(
        credit_code=USCC,
        name="上海甲公司",
        change_item="住所变更",
        before="上海市闸北区共和新路100号",
        after="上海市浦东新区张江路1号",
        change_date="2016-03-01",
    ),
    dict(
        credit_code=USCC.lower(),
        name="上海甲公司 ",
        change_item="住所变更 ",
        before="上海市闸北区共和新路100号",
        after="上海市浦东新区张江路1号",
        change_date="2016/3/1",
    ),
    dict(
        credit_code=USCC,
        name="上海甲公司",
        change_item="住所变更",
        before="上海市闸北区共和新路100号",
        after="上海市浦东新区张江路1号",
        change_date="2016-03-02",
    ),
    dict(
        reg_number=REGNO,
        name="上海甲公司",
        change_item="名称及住所变更",
        before="住所：上海市闸北区共和新路100号；名称：上海甲公司",
        after="名称：上海乙公司；住所：上海市浦东新区张江路1号",
        change_date="2012-05-06",
    ),
    dict(change_item="名称变更", name="无键公司", before="甲", after="乙", change_date="2001-01-01"),
    dict(change_item="名称变更", name="无键公司", before="甲", after="乙", change_date="2001-01-01"),
    dict(credit_code=USCC, name="", change_item="名称变更", before="甲", after="乙", change_date="2001-01-01"),
    dict(org_code=USCC, name=None, change_item="名称变更", before="甲", after="乙", change_date="2001-01-01"),
]
CHANGE_INPUT = ["credit_code", "reg_number", "org_code", "name", "change_item", "before", "after", "change_date"]

INVESTMENT_RECORDS = [
    dict(
        investor_name="上海甲公司",
        investor_code=USCC,
        investee_name="乙公司",
        investee_code=REGNO,
        investee_address="上海市闸北区共和新路100号",
        capital="100万元",
        founding_date="2010-01-01",
    ),
    dict(
        investor_name="",
        investor_code=ORG,
        investee_name="丙公司",
        investee_code=None,
        investee_address="静安区 南京西路 1 号",
        capital="1.5亿元",
        founding_date="2010.1",
    ),
    dict(
        investor_name="",
        investor_code=BAD_USCC,
        investee_name="丙公司",
        investee_code="",
        investee_address="上海市闸北区共和新路100号",
        capital="",
        founding_date="2010-01-01",
    ),
    dict(
        investor_name="丁",
        investor_code=None,
        investee_name=None,
        investee_code=BAD_REGNO,
        investee_address="上海市闸北区共和新路100号",
        capital="1,000.5",
        founding_date="2010-01-01",
    ),
    dict(investor_name="丁", investee_name="戊", investee_address="", capital="-5", founding_date=""),
    dict(
        investor_name="丁",
        investee_name="戊",
        investee_address="上海市闸北区共和新路100号",
        capital="100美元",
        founding_date="2010-02-30",
    ),
    dict(
        investor_name="丁",
        investee_name="戊",
        investee_address="上海市闸北区共和新路100号",
        capital="abc",
        founding_date="19000101",
    ),
    dict(
        investor_name="丁",
        investee_name="戊",
        investee_address="江苏省苏州市",
        capital="10",
        founding_date="2010-01-01",
    ),
    dict(
        investor_name="丁", investee_name="戊", investee_address="某地某路1号", capital=None, founding_date="2010-01-01"
    ),
    dict(
        investor_name="丁",
        investee_name="己",
        investee_address="鼓楼区中山路1号",
        capital="3",
        founding_date="2010-01-01",
    ),
    # duplicates: repeated, repeated with another spelling, missing capital repeated, -0 and 0
    dict(
        investor_name="上海甲公司",
        investor_code=USCC,
        investee_name="乙公司",
        investee_code=REGNO,
        investee_address="上海市闸北区共和新路100号",
        capital="100万元",
        founding_date="2010-01-01",
    ),
    dict(
        investor_name="上海甲公司 ",
        investor_code=USCC.lower(),
        investee_name="乙公司",
        investee_code=REGNO,
        investee_address="上海市闸北区共和新路100号",
        capital="1000000元",
        founding_date="2010/1/1",
    ),
    dict(
        investor_name="己",
        investee_name="庚",
        investee_address="上海市浦东新区张江路1号",
        capital=None,
        founding_date="2011-01-01",
    ),
    dict(
        investor_name="己",
        investee_name="庚",
        investee_address="上海市浦东新区张江路1号",
        capital="",
        founding_date="2011-01-01",
    ),
    dict(
        investor_name="己",
        investee_name="庚",
        investee_address="上海市浦东新区张江路1号",
        capital="0",
        founding_date="2011-01-01",
    ),
    dict(
        investor_name="己",
        investee_name="庚",
        investee_address="上海市浦东新区张江路1号",
        capital="-0",
        founding_date="2011-01-01",
    ),
    dict(
        investor_name="己",
        investee_name="庚",
        investee_address="上海市浦东新区张江路1号",
        capital="0",
        founding_date="2011-01",
    ),
    # capitals in other currencies: kept, not converted; the same amount and currency repeated is
    # a duplicate, another amount, currency, a yuan amount or an empty capital is not
    *[
        dict(
            investor_name="辛",
            investee_name="壬",
            investee_address="上海市浦东新区张江路1号",
            capital=capital,
            founding_date="2012-01-01",
        )
        for capital in ("50万美元", "500000美元", "USD 50", "60万美元", "", "50万港币", "50", "50万元")
    ],
]
INVESTMENT_INPUT = [
    "investor_name",
    "investor_code",
    "investee_name",
    "investee_code",
    "investee_address",
    "capital",
    "founding_date",
]


def _same(new: tuple, ref: tuple) -> None:
    clean, problems, stats = new
    ref_clean, ref_problems, ref_stats = ref
    pd.testing.assert_frame_equal(clean, ref_clean, check_exact=True)
    assert list(clean.dtypes.astype(str)) == list(ref_clean.dtypes.astype(str))
    assert sorted(problems) == sorted(ref_problems)
    assert stats == ref_stats


@pytest.mark.parametrize("drop", [None, "org_code", "name"])
def test_change_rows_as_row_by_row(drop):
    columns = [c for c in CHANGE_INPUT if c != drop]
    canon = _frame(CHANGE_RECORDS, columns)
    new, ref = change_rows(canon, fake_addresses), ref_change_rows(canon, fake_addresses)
    _same(new, ref)
    if drop is None:  # the hand-built rows reach every branch
        assert len(new[0]) and new[2]["event_duplicates"] >= 3 and new[2]["keys_invalid"] >= 4
        codes = {r.split(":")[0] for _, _, r in new[1]}
        assert codes == {
            "missing_value",
            "bad_date",
            "no_firm_identity",
            "address_no_prefecture",
            "combined_unsplittable",
        }
        assert set(new[0]["change_class"]) == {"address", "name", "other"} and set(new[0]["event"]) == {0, 1}
        hefei = new[0][new[0]["after"] == "合肥"]  # the prefecture and no county: kept
        assert len(hefei) == 1 and hefei["county_after"].isna().all()
        assert (hefei["prefecture_after"].tolist(), hefei["county_before"].tolist()) == (["340100"], ["310108"])
        unplaced = {(c, r.split(" ")[1]) for _, c, r in new[1] if r.startswith("address_no_prefecture")}
        assert {("after", "'某地某路1号'"), ("after", "'鼓楼区中山路1号'")} <= unplaced
        assert {t for _, t in unplaced} == {"'某地某路1号'", "'鼓楼区中山路1号'"}


def test_investment_rows_as_row_by_row():
    canon = _frame(INVESTMENT_RECORDS, INVESTMENT_INPUT)
    new, ref = investment_rows(canon, fake_addresses), ref_investment_rows(canon, fake_addresses)
    _same(new, ref)
    codes = {r.split(":")[0] for _, _, r in new[1]}
    assert codes == {
        "missing_value",
        "bad_date",
        "no_firm_identity",
        "address_no_prefecture",
        "negative_capital",
        "bad_capital",
    }
    assert new[2]["event_duplicates"] >= 3 and new[2]["capital_missing"] >= 1
    # capitals in other currencies keep their rows, capital missing, with the currency's code
    other = new[0][new[0]["investor_name"] == "辛"]
    assert other["capital_currency"].fillna("-").tolist() == ["USD", "USD", "-", "HKD", "CNY"]
    assert other["capital_wan"].isna().tolist() == [True, True, True, True, False]
    assert new[2]["capital_other_currency"] == 3
    # the two counts are disjoint: together the clean rows without a capital in 万元
    assert new[2]["capital_missing"] + new[2]["capital_other_currency"] == new[0]["capital_wan"].isna().sum()
    assert not any("100美元" in r and r.startswith("bad_capital") for _, _, r in new[1])
    # an address naming the prefecture but no county keeps its row, without a county
    kept = new[0][new[0]["investee_address"] == "江苏省苏州市"]
    assert len(kept) == 1 and kept["investee_prefecture"].tolist() == ["320500"]
    assert kept["investee_county"].isna().all() and kept["resolution"].tolist() == ["prefecture"]


@pytest.mark.parametrize("kind", ["change", "investment"])
def test_no_rows(kind):
    columns = CHANGE_INPUT if kind == "change" else INVESTMENT_INPUT
    canon = _frame([], columns)
    build, ref = (change_rows, ref_change_rows) if kind == "change" else (investment_rows, ref_investment_rows)
    _same(build(canon, fake_addresses), ref(canon, fake_addresses))
