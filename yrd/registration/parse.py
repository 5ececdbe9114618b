"""Values of business-registration extracts: dates, subscribed capital, change items.

Used by :mod:`yrd.registration.ingest`; every parser returns a value or a reason, never a
silent guess.

Dates (:func:`parse_date`), after Unicode NFKC (full-width ``２００５年３月１日`` is read):

================================  =====================  ==========
written                           example                precision
================================  =====================  ==========
ISO / slashes / dots              2005-03-01, 2005/3/1,  day
                                  2005.3.1
Chinese                           2005年3月1日            day
compact                           20050301               day
with a time (Excel, databases)    2005-03-01 00:00:00    day
month only                        2005.03, 2005-03,      month (day 1)
                                  2005年3月, 200503
Excel serial (1900 date system)   38412                  day
================================  =====================  ==========

An Excel serial is a whole number of 3 to 5 digits (optionally ``.0``), the days since
1899-12-30 (Excel's 1900 system, which counts the non-existent 1900-02-29; serials >= 61 are
exact). Dates outside :data:`DATE_RANGE` are refused (``implausible_date``): a 4-digit year
alone or a mistyped serial lands there.

Capital (:func:`parse_capital`): 万元 by default; ``100万元``, ``100 万``, ``1,000.5``,
``人民币100万元``, ``1.5亿元`` (x 10 000), ``500000元`` (/ 10 000). An amount in another currency
(:data:`CURRENCIES`: 美元/USD, 港币/港元/HKD, 欧元/EUR, 日元/JPY, e.g. ``50万美元``, ``HKD 20``) is
read but not converted (no exchange-rate table is shipped): no value, reason
``other_currency <ISO code>: ...``. :func:`read_capital` gives the amount in its own currency
and the currency's ISO 4217 code (``CNY`` for a yuan amount).

Change items (:func:`classify_change`): ``address`` (住所/地址/经营场所 ... 变更, 迁址, 迁入,
迁出), ``name`` (名称变更), ``both`` (both words, e.g. 住所及名称变更) and ``other``
(经营范围变更, 法定代表人变更, ...). English items (``address change``, ``name change``) too.
A ``both`` record is split by :func:`split_combined` into its name and address parts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd

#: Plausible dates of an extract: the first registrations of the reform era to the year 2100.
DATE_RANGE = (dt.date(1949, 10, 1), dt.date(2100, 12, 31))
#: Change classes of :func:`classify_change`.
CHANGE_CLASSES = ("address", "name", "both", "other")
_EXCEL_EPOCH = dt.date(1899, 12, 30)

_DAY = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_SERIAL = re.compile(r"^(\d{3,5})(?:\.0+)?$")

_ADDRESS_WORDS = ("住所", "地址", "经营场所", "营业场所", "迁址", "迁入", "迁出", "address", "domicile", "relocat")
_NAME_WORDS = ("名称", "name")
_OTHER_NAMES = ("股东名称", "投资人名称", "负责人名称")  # a shareholder's name is not the firm's name

_CAPITAL = re.compile(r"^(-?\d+(?:\.\d+)?)(亿元|亿|万元|万|元)?$")
_CAPITAL_FACTOR = {"亿元": 1e4, "亿": 1e4, "万元": 1.0, "万": 1.0, None: 1.0, "元": 1e-4}
#: Words that mark a capital in another currency (after NFKC, Latin letters upper-cased), and
#: the currency's ISO 4217 code; a capital without any is in yuan (``CNY``).
CURRENCIES = {
    "美元": "USD",
    "USD": "USD",
    "港币": "HKD",
    "港元": "HKD",
    "HKD": "HKD",
    "欧元": "EUR",
    "EUR": "EUR",
    "日元": "JPY",
    "日币": "JPY",
    "JPY": "JPY",
}


def nfkc(text: object) -> str:
    """``text`` after Unicode NFKC with surrounding whitespace removed; ``""`` for None/NaN."""
    if text is None or (isinstance(text, float) and text != text) or text is pd.NA:
        return ""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_date(text: object) -> tuple[dt.date | None, str]:
    """``(date, precision)`` of a written date (formats in the module docstring), precision
    ``"day"`` or ``"month"``; ``(None, reason)`` when it cannot be read or is outside
    :data:`DATE_RANGE` (reason starts with ``"implausible"``). Empty text gives
    ``(None, "missing")``."""
    s = nfkc(text)
    if not s:
        return None, "missing"
    try:
        if m := _DAY.match(s):
            d, prec = dt.date(int(m[1]), int(m[2]), int(m[3])), "day"
        elif m := _MONTH.match(s):
            d, prec = dt.date(int(m[1]), int(m[2]), 1), "month"
        elif m := _COMPACT.match(s):
            d = dt.date(int(m[1]), int(m[2]), int(m[3]) if m[3] else 1)
            prec = "day" if m[3] else "month"
        elif m := _SERIAL.match(s):
            d, prec = _EXCEL_EPOCH + dt.timedelta(days=int(m[1])), "day"
        else:
            return None, f"unreadable date {s!r}"
    except ValueError as e:  # 2005-02-30, month 13
        return None, f"impossible date {s!r} ({e})"
    if not DATE_RANGE[0] <= d <= DATE_RANGE[1]:
        return None, f"implausible date {s!r} (read as {d.isoformat()}, outside {DATE_RANGE[0]}..{DATE_RANGE[1]})"
    return d, prec


def read_capital(text: object) -> tuple[float | None, str | None, str]:
    """``(amount in 万 of its currency, ISO 4217 code, "")`` of a written capital: ``CNY`` for
    a yuan amount, the code of :data:`CURRENCIES` for an amount written in another currency
    (``50万美元`` and ``500000美元`` give ``(50.0, "USD", "")``; a bare number is in 万, as for
    yuan: ``HKD 20`` gives ``(20.0, "HKD", "")``); ``(None, None, "missing")`` for an empty value
    and ``(None, None, reason)`` for an unreadable or negative one (reason ``"negative ..."``
    for the last), whatever its currency."""
    s = nfkc(text)
    if not s:
        return None, None, "missing"
    t = re.sub(r"\s+", "", s).replace(",", "").replace("人民币", "").replace("(万元)", "").upper()
    codes = {code for word, code in CURRENCIES.items() if word in t}
    if len(codes) > 1:
        return None, None, f"unreadable capital {s!r} (several currencies: {', '.join(sorted(codes))})"
    # a Chinese currency word after the number is its unit, as 元 is (500000美元: 50万 dollars)
    unit = any(t.endswith(word) for word in CURRENCIES if not word.isascii())
    for word in CURRENCIES:
        t = t.replace(word, "")
    m = _CAPITAL.match(t)
    if m is None:
        return None, None, f"unreadable capital {s!r}"
    value = float(m[1]) * _CAPITAL_FACTOR["元" if unit and m[2] is None else m[2]]
    if value < 0:
        return None, None, f"negative capital {s!r}"
    return value, codes.pop() if codes else "CNY", ""


def parse_capital(text: object) -> tuple[float | None, str]:
    """``(capital in 万元, "")``, ``(None, "missing")`` for an empty value, or ``(None,
    reason)``: ``"other_currency <ISO code>: ..."`` for an amount in another currency (not
    converted: no exchange-rate table is shipped; the code is that of :func:`read_capital`),
    ``"negative ..."`` for a negative amount, ``"unreadable ..."`` otherwise."""
    value, currency, why = read_capital(text)
    if value is None:
        return None, why
    if currency != "CNY":
        return None, f"other_currency {currency}: capital {nfkc(text)!r} is not in yuan (not converted)"
    return value, ""


def classify_change(item: object) -> str:
    """Class of a change item: ``address``, ``name``, ``both`` or ``other`` (module docstring)."""
    s = nfkc(item).casefold()
    for w in _OTHER_NAMES:
        s = s.replace(w, "")
    addr = any(w in s for w in _ADDRESS_WORDS)
    name = any(w in s for w in _NAME_WORDS)
    if addr and name:
        return "both"
    if addr:
        return "address"
    return "name" if name else "other"


_LABEL = re.compile(r"(企业名称|公司名称|名称|住所|地址|经营场所|name|address)\s*[:：]", re.IGNORECASE)
_FIRM_SUFFIX = re.compile(r"(公司|厂|企业|集团|合作社|商行|中心|分公司|事务所)(\)|）)?$")


def split_combined(text: object) -> tuple[str, str] | None:
    """``(name, address)`` of the before or after text of a combined name-and-address change.

    Labelled text is read by its labels (``名称：上海甲公司；住所：上海市闸北区...``; labels 名称,
    企业名称, 公司名称, 住所, 地址, 经营场所, name, address, any order and separator).
    Unlabelled text must be two parts separated by ``；`` ``;`` ``|`` or a line break, one of
    which ends like a firm name (公司, 厂, 企业, ...): that part is the name, the other the
    address. ``None`` when neither rule gives both parts."""
    s = nfkc(text)
    if not s:
        return None
    labels = list(_LABEL.finditer(s))
    if labels:
        parts: dict[str, str] = {}
        for k, m in enumerate(labels):
            end = labels[k + 1].start() if k + 1 < len(labels) else len(s)
            value = s[m.end() : end].strip(" ;；,，|\n\t")
            kind = "name" if m[1].casefold() in ("企业名称", "公司名称", "名称", "name") else "address"
            parts.setdefault(kind, value)
        if parts.get("name") and parts.get("address"):
            return parts["name"], parts["address"]
        return None
    pieces = [p.strip() for p in re.split(r"[;；|\n]", s) if p.strip()]
    if len(pieces) != 2:
        return None
    names = [p for p in pieces if _FIRM_SUFFIX.search(p)]
    if len(names) != 1:
        return None
    name = names[0]
    return name, pieces[1] if pieces[0] == name else pieces[0]
