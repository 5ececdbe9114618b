"""Identities of synthetic firms: organisation codes, names, legal representatives, phones,
addresses and postcodes, generated deterministically and vectorised.

Everything here only makes synthetic records LOOK like real Annual Survey of Industrial Firms
(ASIF) records, so that linking firms across years has to work with the same kind of fields
as on real data. None of it is used as data about the real world: the telephone area codes and
postcode prefixes of the 41 prefectures below are real (as of the 2010s), but which firm gets
which number, name, person or street is pure invention.

Determinism: every draw is a counter-based hash (SplitMix64) of ``(seed, key..., salt)``, so a
firm's attributes depend only on the seed and its ``true_firm_id`` (not on which other firms
exist or on row order), and another seed gives another world.
"""

from __future__ import annotations

import numpy as np

from yrd.geography import place_stem as _place_stem
from yrd.synthetic.name_pools import (
    _EIGHT_DIGIT,
    _FORM_WEIGHTS,
    _PAREN_SHARE,
    _PLACE_SUFFIXES,
    _TRADE_PAIRS,
    AREA_CODES,
    DEFAULT_INDUSTRY_WORD,
    GIVEN_CHARS,
    INDUSTRY_WORDS,
    LEGAL_FORMS,
    POSTCODE_PREFIX,
    ROADS,
    SURNAME_WEIGHTS,
    SURNAMES,
    TOWNS,
    TRADE_CHARS,
    TRADE_TYPOS,
    ZONES,
)

_MASK = (1 << 64) - 1


# ----------------------------------------------------------------------------- hashing
def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on a uint64 array (wrapping arithmetic)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _u64(x) -> np.ndarray:
    a = np.asarray(x)
    if a.dtype == np.uint64:
        return a
    return a.astype(np.int64).view(np.uint64) if a.ndim else np.uint64(int(a) & _MASK)


def hash64(seed: int, *keys) -> np.ndarray:
    """Deterministic 64-bit hash of ``seed`` and integer keys (scalars or arrays, broadcast)."""
    with np.errstate(over="ignore"):
        h = _mix(np.asarray(np.uint64(int(seed) & _MASK)))
        for k in keys:
            h = _mix(h ^ _u64(k))
    return h


def uniform(seed: int, *keys) -> np.ndarray:
    """Deterministic uniform numbers in [0, 1) from :func:`hash64`."""
    return (hash64(seed, *keys) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def pick(u: np.ndarray, n) -> np.ndarray:
    """Index ``floor(u * n)`` in ``0 .. n-1`` (``n`` scalar or array)."""
    n = np.asarray(n)
    return np.minimum((u * n).astype(np.int64), np.maximum(n - 1, 0))


def weighted_pick(u: np.ndarray, weights) -> np.ndarray:
    """Index into ``weights`` drawn with probability proportional to the weights."""
    cw = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cw / cw[-1], u, side="right"), len(cw) - 1)


def digits(values: np.ndarray, width: int | None = None) -> np.ndarray:
    """Non-negative integers as an object array of decimal strings (zero-padded to ``width``)."""
    s = np.asarray(values, dtype=np.int64).astype(str)
    if width is not None:
        s = np.char.zfill(s, width)
    return s.astype(object)


def _check_pools() -> None:
    assert len(SURNAMES) == len(SURNAME_WEIGHTS), (len(SURNAMES), len(SURNAME_WEIGHTS))
    assert len(set(SURNAMES)) == len(SURNAMES)
    assert all(len(p) == 2 for p in _TRADE_PAIRS), [p for p in _TRADE_PAIRS if len(p) != 2]
    assert len(set(TRADE_CHARS)) == len(TRADE_CHARS)
    assert all(a != b for a, b in zip(TRADE_CHARS, TRADE_TYPOS))


_check_pools()


def place_stem(name: str) -> str:
    """Place name without its unit suffix: 江阴市 -> 江阴, 浦东新区 -> 浦东, 巢湖地区 -> 巢湖."""
    return _place_stem(name, _PLACE_SUFFIXES)


def form_group(reg_type: np.ndarray) -> np.ndarray:
    """Group of 3-digit registration-type codes (登记注册类型) for the legal form of the name:
    ``state`` (110 国有, 120 集体, 130 股份合作, 14x 联营), ``limited`` (151 国有独资公司, 159 其他有限责任
    公司, 173 私营有限责任公司), ``joint_stock`` (160, 174 股份有限公司), ``foreign`` (2xx HK-Macau-
    Taiwan, 3xx foreign) and ``private`` (171/172 私营独资/合伙, 190 其他 and anything else)."""
    r = np.asarray(reg_type).astype(str).astype("U3")
    lead = r.astype("U1")
    out = np.full(r.shape, "private", dtype=object)
    out[(lead == "2") | (lead == "3")] = "foreign"
    out[np.isin(r, ["110", "120", "130", "141", "142", "143", "149"])] = "state"
    out[np.isin(r, ["151", "159", "173"])] = "limited"
    out[np.isin(r, ["160", "174"])] = "joint_stock"
    return out


# ----------------------------------------------------------------------------- generators
def check_character(body: np.ndarray) -> np.ndarray:
    """GB 11714 check character of 8-digit organisation-code bodies (``0``-``9`` or ``X``)."""
    w = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
    b = np.asarray(body, dtype=np.int64)
    ds = np.stack([(b // 10 ** (7 - i)) % 10 for i in range(8)], axis=-1)
    c = 11 - (ds @ w) % 11
    ch = np.where(c == 10, "X", np.where(c == 11, "0", c.astype(str)))
    return ch.astype("U1")


def organisation_codes(keys: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Unique 9-character organisation codes (法人代码 / 组织机构代码, GB 11714: eight digits and a
    check character), one per key. Deterministic in ``(seed, key)``; collisions are redrawn."""
    keys = np.asarray(keys, dtype=np.int64)
    body = np.empty(len(keys), dtype=np.int64)
    todo = np.arange(len(keys))
    round_ = 0
    while len(todo):
        h = hash64(seed, keys[todo], 0x0C0DE + salt, round_)
        body[todo] = 10_000_000 + (h % np.uint64(70_000_000)).astype(np.int64)  # first digit 1-7
        # duplicates: keep the first occurrence (by position), redraw the others
        order = np.argsort(body, kind="stable")
        dup_sorted = np.zeros(len(body), dtype=bool)
        dup_sorted[1:] = body[order][1:] == body[order][:-1]
        dup = np.zeros(len(body), dtype=bool)
        dup[order] = dup_sorted
        todo = np.flatnonzero(dup)
        round_ += 1
        if round_ > 50:  # pragma: no cover
            raise RuntimeError("could not draw unique organisation codes")
    return (body.astype(str).astype(object) + check_character(body).astype(object)).astype(object)


def person_names(keys: np.ndarray, seed: int, salt: int = 0) -> np.ndarray:
    """Chinese personal names (surname + one or two given-name characters)."""
    keys = np.asarray(keys, dtype=np.int64)
    sur = np.array(list(SURNAMES), dtype=object)[weighted_pick(uniform(seed, keys, 0x5A1 + salt), SURNAME_WEIGHTS)]
    g = np.array(list(GIVEN_CHARS), dtype=object)
    g1 = g[pick(uniform(seed, keys, 0x5A2 + salt), len(g))]
    g2 = g[pick(uniform(seed, keys, 0x5A3 + salt), len(g))]
    two = uniform(seed, keys, 0x5A4 + salt) < 0.72
    return sur + g1 + np.where(two, g2, "")


def trade_pairs(keys: np.ndarray, seed: int, salt: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two distinct indices into :data:`TRADE_CHARS` per key (the 2-character trade name)."""
    n = len(TRADE_CHARS)
    a = pick(uniform(seed, keys, 0x7D1 + salt), n)
    b = pick(uniform(seed, keys, 0x7D2 + salt), n - 1)
    b = np.where(b >= a, b + 1, b)
    return a, b


def legal_forms(reg_type: np.ndarray, u_form: np.ndarray, u_paren: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Legal-form suffix (index into :data:`LEGAL_FORMS`) and the parenthesised-place style flag."""
    grp = form_group(reg_type)
    form = np.zeros(len(grp), dtype=np.int64)
    paren = np.zeros(len(grp), dtype=bool)
    for g, w in _FORM_WEIGHTS.items():
        m = grp == g
        form[m] = weighted_pick(u_form[m], w)
        paren[m] = u_paren[m] < _PAREN_SHARE[g]
    paren &= form < 3  # 厂 / 总厂 never take the parenthesised place
    return form, paren


def phone_numbers(keys: np.ndarray, epochs: np.ndarray, area_codes: np.ndarray, seed: int) -> np.ndarray:
    """Local telephone numbers (7 or 8 digits, first digit 2-8) for ``(key, epoch)``."""
    u = uniform(seed, keys, epochs, 0x9E0)
    eight = np.isin(np.asarray(area_codes, dtype=object).astype(str), list(_EIGHT_DIGIT))
    lo = np.where(eight, 20_000_000, 2_000_000)
    span = np.where(eight, 70_000_000, 7_000_000)
    return digits(lo + (u * span).astype(np.int64))


#: The generators and, re-exported, the pools they draw from (:mod:`yrd.synthetic.name_pools`).
__all__ = [
    "AREA_CODES",
    "DEFAULT_INDUSTRY_WORD",
    "GIVEN_CHARS",
    "INDUSTRY_WORDS",
    "LEGAL_FORMS",
    "POSTCODE_PREFIX",
    "ROADS",
    "SURNAMES",
    "SURNAME_WEIGHTS",
    "TOWNS",
    "TRADE_CHARS",
    "TRADE_TYPOS",
    "ZONES",
    "check_character",
    "digits",
    "form_group",
    "hash64",
    "legal_forms",
    "organisation_codes",
    "person_names",
    "phone_numbers",
    "pick",
    "place_stem",
    "trade_pairs",
    "uniform",
    "weighted_pick",
]
