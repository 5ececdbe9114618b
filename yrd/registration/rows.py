"""Row validation of business-registration extracts (used by :mod:`yrd.registration.ingest`).

:func:`change_rows` and :func:`investment_rows` take the canonical frame of one file (index =
``source_row``, values raw strings) and return ``(clean, problems, stats)``: the clean events,
the quarantine rows ``(source_row, column, "<code>: <text>")`` and counts (``keys_invalid``,
``event_duplicates``, ``capital_missing``, ``capital_other_currency``). Rules and reason codes:
the docstring of :mod:`yrd.registration.ingest`.

The rows are validated column by column: each parser of :mod:`yrd.registration.parse` and
:mod:`yrd.registration.keys` runs once per distinct value of a column (:func:`_each`; keys
through :func:`yrd.registration.keys.classify_keys`), problems are collected as row masks
(:class:`_Problems`) and repeated events are found with :meth:`pandas.DataFrame.duplicated`.
The result is that of checking the rows one by one (tested against that formulation in
``tests/test_registration_rows_vectorised.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from yrd.registration.keys import classify_keys
from yrd.registration.parse import classify_change, nfkc, parse_date, read_capital, split_combined

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
    "prefecture_before",
    "prefecture_after",
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
    "capital_currency",
    "founding_date",
    "date_precision",
)
#: Address resolutions that give a county code (:data:`yrd.registration.address.RESOLUTIONS`).
COUNTY_RESOLUTIONS = ("county", "county_old_name")
#: Clean-table column of each key kind.
_KEY_COLUMN = {"credit_code": "credit_code", "registration_number": "reg_number", "organisation_code": "org_code"}

Problems = list[tuple[int, str, str]]
AddressParse = Callable[[pd.Series], pd.DataFrame]
Resolved = dict[str, tuple[str | None, str | None, str]]


_SPACES = re.compile(r"\s+")


def _text(v: Any) -> str:
    """Value as text: NFKC, inner whitespace runs collapsed to one space, stripped."""
    return _SPACES.sub(" ", nfkc(v))


def _objects(n: int, fill: Any = None) -> np.ndarray:
    """An object array of ``n`` times ``fill`` (a scalar: None, NaN or a text)."""
    return np.full(n, fill, dtype=object)


def _each(values: pd.Series | np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """``fn`` of each value, computed once per distinct value: an object array aligned with
    ``values`` (missing values are one distinct value, passed to ``fn`` as they are)."""
    codes, uniq = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=False)
    out = _objects(len(uniq))
    out[:] = [fn(v) for v in uniq]
    return out[codes]


def _part(values: np.ndarray, k: int) -> np.ndarray:
    """Element ``k`` of each tuple in an object array of tuples (``None`` stays ``None``)."""
    out = _objects(len(values))
    out[:] = [None if v is None else v[k] for v in values]
    return out


def _column(canon: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` of the canonical frame as objects (all missing when the file lacks it)."""
    return canon[col].to_numpy(dtype=object) if col in canon else _objects(len(canon), np.nan)


class _Problems:
    """Quarantine reasons collected column-wise: :meth:`add` records a reason for each row of a
    mask; :attr:`bad` marks the rows with at least one."""

    def __init__(self, rows: np.ndarray):
        self.rows = rows
        self.bad = np.zeros(len(rows), dtype=bool)
        self.items: Problems = []

    def add(self, mask: np.ndarray, column: str, reasons: str | np.ndarray) -> None:
        """A problem in ``column`` for each row where ``mask`` holds; ``reasons`` is one text or
        an array of texts aligned with the rows."""
        if not mask.any():
            return
        self.bad |= mask
        texts = [reasons] * int(mask.sum()) if isinstance(reasons, str) else list(reasons[mask])
        self.items += [(int(r), column, t) for r, t in zip(self.rows[mask], texts)]


def _keys(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(key, kind, why)`` arrays of a raw key column: the normalised key and its kind
    (:data:`yrd.registration.keys.KEY_KINDS`) when valid, else ``None``; ``why`` is
    ``"'<key>': <reason>"`` for a key failing its check, else ``""``. An empty value (after
    NFKC) is no key and no reason."""
    n = len(raw)
    key, kind, why = _objects(n), _objects(n), _objects(n, "")
    given = np.flatnonzero(_each(raw, nfkc) != "")
    if len(given):
        chk = classify_keys(pd.Series(raw[given], dtype=object))
        ok = (chk["kind"] != "invalid").to_numpy(dtype=bool)
        keys = chk["key"].to_numpy(dtype=object)
        key[given[ok]] = keys[ok]
        kind[given[ok]] = chk["kind"].to_numpy(dtype=object)[ok]
        why[given[~ok]] = [f"{k!r}: {r}" for k, r in zip(keys[~ok], chk["reason"].to_numpy(dtype=object)[~ok])]
    return key, kind, why


def _parse_date(raw: Any, column: str) -> tuple[pd.Timestamp | None, str, str]:
    """``(date, precision, problem)`` of one value (:func:`parse_date`); ``problem`` is empty
    for a readable date."""
    d, how = parse_date(raw)
    if d is not None:
        return pd.Timestamp(d), how, ""
    if how == "missing":
        return None, how, f"missing_value: {column} is empty"
    return None, how, f"bad_date: {how}"


def _dates(raw: np.ndarray, column: str, problems: _Problems) -> tuple[np.ndarray, np.ndarray]:
    """``(date, precision)`` arrays of a date column, problems recorded for the unreadable."""
    parsed = _each(raw, lambda v: _parse_date(v, column))
    why = _part(parsed, 2)
    problems.add(why != "", column, why)
    return _part(parsed, 0), _part(parsed, 1)


def _resolve(texts: Iterable[str], addresses: AddressParse) -> Resolved:
    """{text: (county, prefecture, resolution)} of the distinct address texts (``None`` for a
    code the text does not give); ``addresses`` gives columns ``county``, ``prefecture`` and
    ``resolution``, as :func:`yrd.registration.address.parse_addresses` does."""
    uniq = pd.Series(sorted(set(texts)), dtype="object")
    if not len(uniq):
        return {}
    parsed = addresses(uniq)
    county = [None if pd.isna(c) else str(c) for c in parsed["county"]]
    prefecture = [None if pd.isna(p) else str(p) for p in parsed["prefecture"]]
    return {t: (c, p, str(r)) for t, c, p, r in zip(uniq, county, prefecture, parsed["resolution"])}


def _no_prefecture(
    mask: np.ndarray, column: str, texts: np.ndarray, resolved: Resolved, problems: _Problems
) -> np.ndarray:
    """Which rows of ``mask`` have an address text that resolves to no prefecture code (with or
    without a county), with an ``address_no_prefecture`` problem recorded for each."""
    reasons = _each(
        texts,
        lambda t: (
            ""
            if t not in resolved or resolved[t][1] is not None
            else f"address_no_prefecture: {t!r} resolves to no prefecture (resolution {resolved[t][2]})"
        ),
    )
    failing = mask & (reasons != "")
    problems.add(failing, column, reasons)
    return failing


def _lookup(texts: np.ndarray, mask: np.ndarray, resolved: Resolved) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(county, prefecture, resolution)`` arrays of the address texts where ``mask`` holds,
    else ``None``."""
    county, prefecture, how = _objects(len(texts)), _objects(len(texts)), _objects(len(texts))
    found = _each(texts[mask], resolved.__getitem__)
    county[mask], prefecture[mask], how[mask] = _part(found, 0), _part(found, 1), _part(found, 2)
    return county, prefecture, how


def _typed(columns: dict[str, Any], typed: dict[str, str]) -> pd.DataFrame:
    """The clean table: ``typed`` columns as given, the others ``str`` (``None`` missing)."""
    clean = pd.DataFrame(columns)
    return clean.astype(typed | {c: "str" for c in clean.columns if c not in typed})


def change_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
    """Validate change records (module docstring); ``addresses`` parses a Series of addresses
    (columns ``county``, ``resolution``).

    A row's keys: the first valid key of each kind over the columns ``credit_code``,
    ``reg_number``, ``org_code`` in that order, put in the column of its kind; the firm key is
    the first valid key. A combined change (class ``both``) gives a name event (``event`` 0)
    and an address event (``event`` 1). A row with any problem is quarantined with all its
    problems; the address texts of the other rows are then resolved, and a row with one that
    resolves to no prefecture is quarantined too (``address_no_prefecture``). An address naming
    the prefecture but no county (a development zone) keeps its row with the county missing and
    the prefecture in ``prefecture_before`` / ``prefecture_after``. Among the rest, a row repeating an earlier row's
    firm key, name, change class, events and date is an event duplicate."""
    rows = canon.index.to_numpy(dtype="int64")
    n = len(rows)
    problems = _Problems(rows)
    stats = {"keys_invalid": 0, "event_duplicates": 0}

    key_of = {c: _objects(n) for c in _KEY_COLUMN.values()}  # the first key of each kind
    firm_key, key_kind = _objects(n), _objects(n)
    bad_keys = _objects(n, "")  # "<column> '<key>': <reason>; ..." of the keys failing their check
    for col in ("credit_code", "reg_number", "org_code"):
        key, kind, why = _keys(_column(canon, col))
        first = pd.isna(firm_key) & pd.notna(kind)
        firm_key[first], key_kind[first] = key[first], kind[first]
        for k, c in _KEY_COLUMN.items():
            take = (kind == k) & pd.isna(key_of[c])
            key_of[c][take] = key[take]
        invalid = why != ""
        stats["keys_invalid"] += int(invalid.sum())
        bad_keys[invalid] = [f"{b}; {col} {w}" if b else f"{col} {w}" for b, w in zip(bad_keys[invalid], why[invalid])]
    name = _each(_column(canon, "name"), _text)
    anonymous = pd.isna(firm_key) & (name == "")
    no_identity = _objects(n, "missing_value: no firm key and no name")
    no_identity[bad_keys != ""] = [
        f"no_firm_identity: no valid key ({b}) and no name" for b in bad_keys[bad_keys != ""]
    ]
    problems.add(anonymous, "name", no_identity)

    item = _each(_column(canon, "change_item"), _text)
    problems.add(item == "", "change_item", "missing_value: change_item is empty")
    date, precision = _dates(_column(canon, "change_date"), "change_date", problems)
    cls = _each(item, classify_change)
    before, after = _each(_column(canon, "before"), _text), _each(_column(canon, "after"), _text)

    # events: (class, before, after) of event 0, and of event 1 for a combined change
    single, both = (cls == "address") | (cls == "name"), cls == "both"
    for col, v in (("before", before), ("after", after)):
        for c in ("address", "name"):
            problems.add(single & (cls == c) & (v == ""), col, f"missing_value: {col} of the {c} change is empty")
    split = {}
    for col, v in (("before", before), ("after", after)):
        split[col] = _objects(n)
        split[col][both] = _each(v[both], split_combined)
        unsplittable = both & pd.isna(split[col])
        reasons = _objects(n)
        reasons[unsplittable] = [
            f"combined_unsplittable: {t!r} is not a name and an address (label them 名称：…；住所：…)"
            for t in v[unsplittable]
        ]
        problems.add(unsplittable, col, reasons)
    ev0_class = np.where(both, "name", cls).astype(object)
    ev0_before = np.where(both, _part(split["before"], 0), before)
    ev0_after = np.where(both, _part(split["after"], 0), after)
    ev1_before, ev1_after = _part(split["before"], 1), _part(split["after"], 1)

    # address events of the rows without problems: their texts must resolve to a county
    ok = ~problems.bad
    moved = ok & (cls == "address")  # the address is event 0; event 1 of a combined change
    combined = ok & both
    addr_before, addr_after = np.where(moved, before, ev1_before), np.where(moved, after, ev1_after)
    has_address = moved | combined
    resolved = _resolve(np.concatenate([addr_before[has_address], addr_after[has_address]]), addresses)
    unplaced = _no_prefecture(has_address, "before", addr_before, resolved, problems)
    unplaced |= _no_prefecture(has_address, "after", addr_after, resolved, problems)
    ok &= ~unplaced

    ident = pd.DataFrame(
        {
            "firm_key": firm_key,
            "name": np.where(name == "", None, name),
            "class": cls,
            "b0": ev0_before,
            "a0": ev0_after,
            "b1": ev1_before,
            "a1": ev1_after,
            "date": date,
        }
    )[ok]
    repeat = ident.duplicated(keep="first").to_numpy()
    stats["event_duplicates"] = int(repeat.sum())
    keep = np.flatnonzero(ok)[~repeat]

    # one output row per event: event 0 of every kept row, event 1 of the combined ones
    n_events = np.where(both[keep], 2, 1)
    at = np.repeat(keep, n_events)
    event = np.arange(len(at)) - np.repeat(np.cumsum(n_events) - n_events, n_events)
    second = event == 1
    ev_class = np.where(second, "address", ev0_class[at]).astype(object)
    ev_before = np.where(second, ev1_before[at], ev0_before[at])
    ev_after = np.where(second, ev1_after[at], ev0_after[at])
    is_address = ev_class == "address"
    county_before, prefecture_before, resolution_before = _lookup(ev_before, is_address, resolved)
    county_after, prefecture_after, resolution_after = _lookup(ev_after, is_address, resolved)
    clean = _typed(
        {
            "source_row": rows[at],
            "event": event,
            "firm_key": firm_key[at],
            "key_kind": key_kind[at],
            "credit_code": key_of["credit_code"][at],
            "reg_number": key_of["reg_number"][at],
            "org_code": key_of["org_code"][at],
            "name": np.where(name[at] == "", None, name[at]),
            "change_item": item[at],
            "change_class": ev_class,
            "before": ev_before,
            "after": ev_after,
            "change_date": date[at],
            "date_precision": precision[at],
            "county_before": county_before,
            "county_after": county_after,
            "prefecture_before": prefecture_before,
            "prefecture_after": prefecture_after,
            "resolution_before": resolution_before,
            "resolution_after": resolution_after,
        },
        {"source_row": "int64", "event": "int64", "change_date": "datetime64[ns]"},
    )
    return clean, problems.items, stats


def _party(canon: pd.DataFrame, who: str, problems: _Problems, stats: dict[str, int]) -> tuple[np.ndarray, ...]:
    """``(name, key, kind)`` arrays of the investor or investee (name ``None`` when empty); a
    problem for each row with neither a valid key nor a name."""
    name = _each(_column(canon, f"{who}_name"), _text)
    key, kind, why = _keys(_column(canon, f"{who}_code"))
    invalid = why != ""
    stats["keys_invalid"] += int(invalid.sum())
    anonymous = pd.isna(key) & (name == "")
    reasons = _objects(len(name), f"missing_value: no {who} key and no {who} name")
    reasons[invalid] = [f"no_firm_identity: {who} key {w} and no {who} name" for w in why[invalid]]
    problems.add(anonymous, f"{who}_name", reasons)
    return np.where(name == "", None, name), key, kind


def _parse_capital(raw: Any) -> tuple[float, str | None, str]:
    """``(amount, currency, problem)`` of one value (:func:`read_capital`): the amount in 万 of
    its currency (ISO code ``currency``; NaN and ``None`` when missing or unreadable);
    ``problem`` is empty for a readable or missing capital."""
    amount, currency, why = read_capital(raw)
    if amount is not None:
        return amount, currency, ""
    if why == "missing":
        return np.nan, None, ""
    return np.nan, None, f"{'negative_capital' if why.startswith('negative') else 'bad_capital'}: {why}"


def investment_rows(canon: pd.DataFrame, addresses: AddressParse) -> tuple[pd.DataFrame, Problems, dict[str, int]]:
    """Validate investment records (module docstring of :mod:`yrd.registration.ingest`).

    A row with any problem is quarantined with all its problems; the investee addresses of the
    other rows are then resolved, and a row whose address resolves to no prefecture is
    quarantined too (``address_no_prefecture``). An address that names the prefecture but no
    county (a development zone, 杭州市高新技术产业开发区; resolution ``prefecture`` or
    ``ambiguous``) keeps its row with ``investee_county`` missing: the prefecture-level OD flows
    the records feed need only the prefecture. A capital in another currency (``50万美元``) keeps
    its row: ``capital_wan`` NaN (no exchange-rate table is shipped, nothing is converted) and
    ``capital_currency`` its ISO code (``CNY`` for a yuan amount, missing for an empty capital).
    Among the rest, a row repeating every value of an earlier row (but ``source_row``; a
    foreign capital compared by its amount in its currency) is an event duplicate. Of the clean
    rows, ``capital_missing`` counts those with an empty capital and ``capital_other_currency``
    those with a capital in another currency: disjoint counts, whose sum is the clean rows
    with ``capital_wan`` NaN."""
    rows = canon.index.to_numpy(dtype="int64")
    problems = _Problems(rows)
    stats = {"keys_invalid": 0, "event_duplicates": 0, "capital_missing": 0, "capital_other_currency": 0}
    inv_name, inv_key, inv_kind = _party(canon, "investor", problems, stats)
    tee_name, tee_key, tee_kind = _party(canon, "investee", problems, stats)
    address = _each(_column(canon, "investee_address"), _text)
    problems.add(address == "", "investee_address", "missing_value: investee_address is empty")
    parsed = _each(_column(canon, "capital"), _parse_capital)
    why = _part(parsed, 2)
    problems.add(why != "", "capital", why)
    amount, currency = _part(parsed, 0).astype("float64"), _part(parsed, 1)
    capital = np.where(currency == "CNY", amount, np.nan)  # in 万元: nothing is converted
    date, precision = _dates(_column(canon, "founding_date"), "founding_date", problems)

    ok = ~problems.bad
    resolved = _resolve(address[ok], addresses)
    ok &= ~_no_prefecture(ok, "investee_address", address, resolved, problems)
    columns = {
        "investor_name": inv_name,
        "investor_key": inv_key,
        "investor_key_kind": inv_kind,
        "investee_name": tee_name,
        "investee_key": tee_key,
        "investee_key_kind": tee_kind,
        "investee_address": address,
        "capital_wan": capital + 0.0,  # -0.0 and 0.0 are the same capital
        "capital_currency": currency,
        "founding_date": date,
        "date_precision": precision,
    }
    repeat = pd.DataFrame(columns | {"_amount": amount + 0.0})[ok].duplicated(keep="first").to_numpy()
    stats["event_duplicates"] = int(repeat.sum())
    keep = np.flatnonzero(ok)[~repeat]
    stats["capital_missing"] = int(pd.isna(currency[keep]).sum())
    stats["capital_other_currency"] = int((pd.notna(currency[keep]) & (currency[keep] != "CNY")).sum())
    county, prefecture, how = _lookup(address[keep], np.ones(len(keep), dtype=bool), resolved)
    clean = _typed(
        {"source_row": rows[keep]}
        | {c: v[keep] for c, v in columns.items()}
        | {
            "capital_wan": capital[keep],
            "investee_county": county,
            "investee_prefecture": prefecture,
            "resolution": how,
        },
        {"source_row": "int64", "capital_wan": "float64", "founding_date": "datetime64[ns]"},
    )
    return clean[[c for c in INVESTMENT_COLUMNS if c != "source_file"]], problems.items, stats
