"""Row validation of business-registration extracts (used by :mod:`yrd.registration.ingest`).

:func:`change_rows` and :func:`investment_rows` take the canonical frame of one file (index =
``source_row``, values raw strings) and return ``(clean, problems, stats)``: the clean events,
the quarantine rows ``(source_row, column, "<code>: <text>")`` and counts (``keys_invalid``,
``event_duplicates``, ``capital_missing``). Rules and reason codes: the docstring of
:mod:`yrd.registration.ingest`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from yrd.registration.keys import classify_key
from yrd.registration.parse import classify_change, nfkc, parse_capital, parse_date, split_combined

#: Columns of the clean change table.
CHANGE_COLUMNS = (
    "source_file",
    "source_row",
    "event",
    "firm_key",
    "key_kind",
    "credit_code",
    "reg_number",
    "org_code",
    "name",
    "change_item",
    "change_class",
    "before",
    "after",
    "change_date",
    "date_precision",
    "county_before",
    "county_after",
    "resolution_before",
    "resolution_after",
)
#: Columns of the clean investment table.
INVESTMENT_COLUMNS = (
    "source_file",
    "source_row",
    "investor_name",
    "investor_key",
    "investor_key_kind",
    "investee_name",
    "investee_key",
    "investee_key_kind",
    "investee_address",
    "investee_county",
    "investee_prefecture",
    "resolution",
    "capital_wan",
    "founding_date",
    "date_precision",
)
#: Address resolutions that give a county code (:data:`yrd.registration.address.RESOLUTIONS`).
COUNTY_RESOLUTIONS = ("county", "county_old_name")
_KEY_COLUMN = {"credit_code": "credit_code", "registration_number": "reg_number", "organisation_code": "org_code"}
_KIND_OF_COLUMN = {v: k for k, v in _KEY_COLUMN.items()}

Problems = list[tuple[int, str, str]]
AddressParse = Callable[[pd.Series], pd.DataFrame]


def _text(v: Any) -> str:
    """Value as text: NFKC, inner whitespace runs collapsed to one space, stripped."""
    return re.sub(r"\s+", " ", nfkc(v))


def _key(raw: Any) -> tuple[str | None, str | None, str]:
    """``(key, kind, reason)`` of a raw key value; ``(None, None, "")`` when empty."""
    if not nfkc(raw):
        return None, None, ""
    chk = classify_key(raw)
    return (chk.key, chk.kind, "") if chk.valid else (None, None, f"{chk.key!r}: {chk.reason}")


def _date(row: int, column: str, raw: Any, problems: Problems) -> tuple[Any, str]:
    d, how = parse_date(raw)
    if d is None:
        if how == "missing":
            problems.append((row, column, f"missing_value: {column} is empty"))
        else:
            problems.append((row, column, f"bad_date: {how}"))
    return d, how


def _resolve(texts: list[str], addresses: AddressParse) -> dict[str, tuple[str | None, str]]:
    """{text: (county, resolution)} of the distinct address texts."""
    uniq = pd.Series(sorted(set(texts)), dtype="object")
    if not len(uniq):
        return {}
    parsed = addresses(uniq)
    return {
        t: (None if pd.isna(c) else str(c), str(r)) for t, c, r in zip(uniq, parsed["county"], parsed["resolution"])
    }


def _no_county(row: int, column: str, text: str, resolution: str, problems: Problems) -> None:
    problems.append((row, column, f"address_no_county: {text!r} resolves to no county (resolution {resolution})"))


def change_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
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
            key, kind, why = _key(rec.get(col))
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
        d, prec = _date(row, "change_date", rec.get("change_date"), problems)
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

    resolved = _resolve(need, addresses)
    seen: set[tuple] = set()
    out: list[dict[str, Any]] = []
    for row, base, events in staged:
        bad = False
        for c, b, a in events:
            if c != "address":
                continue
            for col, t in (("before", b), ("after", a)):
                county, how = resolved[t]
                if how not in COUNTY_RESOLUTIONS:
                    _no_county(row, col, t, how, problems)
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
            out.append(ev)
    clean = pd.DataFrame(out, columns=[c for c in CHANGE_COLUMNS if c != "source_file"])
    typed = {"source_row": "int64", "event": "int64", "change_date": "datetime64[ns]"}
    clean = clean.astype(typed | {c: "str" for c in clean.columns if c not in typed})
    return clean, problems, stats


def _party(row: int, rec: dict[str, Any], who: str, problems: Problems, stats: dict[str, int]) -> tuple[Any, ...]:
    """``(name, key, kind)`` of the investor or investee; a quarantine reason when neither a
    valid key nor a name is given."""
    name = _text(rec.get(f"{who}_name"))
    key, kind, why = _key(rec.get(f"{who}_code"))
    if why:
        stats["keys_invalid"] += 1
    if key is None and not name:
        col = f"{who}_name"
        if why:
            problems.append((row, col, f"no_firm_identity: {who} key {why} and no {who} name"))
        else:
            problems.append((row, col, f"missing_value: no {who} key and no {who} name"))
    return name or None, key, kind


def investment_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
    """Validate investment records (module docstring of :mod:`yrd.registration.ingest`)."""
    problems: Problems = []
    stats = {"keys_invalid": 0, "event_duplicates": 0, "capital_missing": 0}
    staged: list[dict[str, Any]] = []
    for row, rec in zip(canon.index, canon.to_dict("records")):
        row = int(row)
        n0 = len(problems)
        inv_name, inv_key, inv_kind = _party(row, rec, "investor", problems, stats)
        tee_name, tee_key, tee_kind = _party(row, rec, "investee", problems, stats)
        address = _text(rec.get("investee_address"))
        if not address:
            problems.append((row, "investee_address", "missing_value: investee_address is empty"))
        capital, why = parse_capital(rec.get("capital"))
        if capital is None and why != "missing":
            code = "negative_capital" if why.startswith("negative") else "bad_capital"
            problems.append((row, "capital", f"{code}: {why}"))
        d, prec = _date(row, "founding_date", rec.get("founding_date"), problems)
        if len(problems) > n0:
            continue
        stats["capital_missing"] += capital is None
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
                "founding_date": pd.Timestamp(d),
                "date_precision": prec,
            }
        )
    resolved = _resolve([s["investee_address"] for s in staged], addresses)
    seen: set[tuple] = set()
    out = []
    for s in staged:
        county, how = resolved[s["investee_address"]]
        if how not in COUNTY_RESOLUTIONS:
            _no_county(s["source_row"], "investee_address", s["investee_address"], how, problems)
            stats["capital_missing"] -= s["capital_wan"] is None
            continue
        ident = tuple(v for k, v in s.items() if k != "source_row")
        if ident in seen:
            stats["event_duplicates"] += 1
            stats["capital_missing"] -= s["capital_wan"] is None
            continue
        seen.add(ident)
        out.append(s | {"investee_county": county, "investee_prefecture": county[:4] + "00", "resolution": how})
    clean = pd.DataFrame(out, columns=[c for c in INVESTMENT_COLUMNS if c != "source_file"])
    typed = {"source_row": "int64", "capital_wan": "float64", "founding_date": "datetime64[ns]"}
    clean = clean.astype(typed | {c: "str" for c in clean.columns if c not in typed})
    return clean, problems, stats
