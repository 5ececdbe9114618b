"""Firm keys of business registers: credit code (GB 32100-2015), organisation code
(GB 11714-1997), registration number (GS15-2006, ISO 7064 MOD 11,10)."""

from __future__ import annotations

import pandas as pd
import pytest

from yrd.registration.keys import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    area_code_of,
    classify_key,
    classify_keys,
    is_valid_org_code,
    is_valid_regno,
    is_valid_uscc,
    normalise_key,
    org_check_char,
    org_code_of,
    regno_check_digit,
    uscc_check_char,
)

# Worked example of GB 32100-2015 (its check-character example): 91350100M000100Y4Z is
# invalid, the check character of 91350100M000100Y4 is 3 (sum 1640, 1640 mod 31 = 28).
STANDARD_EXAMPLE = "91350100M000100Y43"
# Credit codes printed on published business licences (Huawei Technologies Co., Ltd.;
# Alibaba (China) Co., Ltd.; Shenzhen Tencent Computer Systems Co., Ltd.). Each passes two
# independent checks (GB 32100 and the embedded GB 11714 code) and python-stdnum 2.2's
# stdnum.cn.uscc.
PUBLISHED = ["914403001922038216", "91330100716105852F", "91440300708461136T"]
# Registration number used as the valid example in published GS15-2006 validators.
REGNO = "110108000000016"


def test_weights_are_the_standard_table():
    assert USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(USCC_ALPHABET) == 31 and not set("IOZSV") & set(USCC_ALPHABET)


def test_standard_worked_example():
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert classify_key("91350100M000100Y4Z").kind == "invalid"
    chk = classify_key(STANDARD_EXAMPLE)
    assert chk.kind == "credit_code" and chk.area_code == "350100" and chk.org_code == "M000100Y4"


@pytest.mark.parametrize("code", PUBLISHED + [STANDARD_EXAMPLE])
def test_published_codes_valid_and_org_code_embedded(code):
    assert is_valid_uscc(code)
    assert is_valid_org_code(org_code_of(code))
    assert area_code_of(code) == code[2:8]


@pytest.mark.parametrize("code", PUBLISHED + [STANDARD_EXAMPLE])
def test_one_flipped_character_is_invalid(code):
    for pos in range(18):
        for repl in "0A1":
            if code[pos] == repl:
                continue
            bad = code[:pos] + repl + code[pos + 1 :]
            assert not is_valid_uscc(bad), bad


def test_transposition_detected():
    code = PUBLISHED[0]
    swapped = code[:3] + code[4] + code[3] + code[5:]
    assert code[3] != code[4] and not is_valid_uscc(swapped)


def test_organisation_code():
    assert org_check_char("71610585") == "2"
    assert is_valid_org_code("71610585-2") and is_valid_org_code("716105852")
    assert not is_valid_org_code("716105853")
    # 10 is written X, 11 is written 0 (GB 11714-1997, 2.1.2)
    bodies = [f"{i:08d}" for i in range(200)]
    checks = {org_check_char(b) for b in bodies}
    assert "X" in checks and "0" in checks
    for b in bodies[:50]:
        assert is_valid_org_code(b + org_check_char(b))


def test_registration_number():
    assert regno_check_digit(REGNO[:14]) == REGNO[14]
    chk = classify_key(REGNO)
    assert chk.kind == "registration_number" and chk.area_code == "110108" and chk.org_code == ""
    for pos in range(15):
        d = str((int(REGNO[pos]) + 1) % 10)
        assert not is_valid_regno(REGNO[:pos] + d + REGNO[pos + 1 :])
    # ISO 7064 MOD 11,10 catches every single-digit error: exactly one check digit fits
    body = "32050540000012"
    good = [d for d in "0123456789" if is_valid_regno(body + d)]
    assert good == [regno_check_digit(body)]


def test_normalisation():
    assert normalise_key("９１３３０１００７１６１０５８５２ｆ") == "91330100716105852F"
    assert normalise_key(" 9133 0100-7161 0585 2f ") == "91330100716105852F"
    assert normalise_key(None) == "" and normalise_key(float("nan")) == ""
    assert is_valid_uscc("91330100716105852f")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("12345", "length 5"),
        ("91350100M000100Y4Z", "not in the GB 32100 alphabet"),
        ("91350100M000100Y44", "check character"),
        ("9135010AM000100Y43", "area code"),
        ("一二三", "characters other than"),
        ("110108000000017", "ISO 7064"),
        ("71610585-3", "GB 11714"),
    ],
)
def test_invalid_with_reason(text, reason):
    chk = classify_key(text)
    assert chk.kind == "invalid" and not chk.valid
    assert reason in chk.reason


def test_embedded_org_code_must_check():
    # a credit code whose own check is right but whose positions 9-17 fail GB 11714
    body = "91330100716105853"
    code = body + uscc_check_char(body)
    chk = classify_key(code)
    assert chk.kind == "invalid" and "organisation code" in chk.reason


def test_classify_keys_series():
    s = pd.Series([PUBLISHED[1], REGNO, "71610585-2", "junk", PUBLISHED[1]], index=list("abcde"))
    out = classify_keys(s)
    assert list(out.index) == list("abcde")
    assert list(out["kind"]) == [
        "credit_code",
        "registration_number",
        "organisation_code",
        "invalid",
        "credit_code",
    ]
    assert out.loc["a", "org_code"] == out.loc["c", "org_code"] == "716105852"
    assert pd.isna(out.loc["d", "area_code"])


def test_classify_keys_array_checks_agree_with_classify_key_on_every_value():
    """classify_keys verifies canonical keys in NumPy (_valid_canonical) and sends the rest to
    classify_key: the two must agree on valid keys, on keys with one character changed (most
    then fail a check; some stay valid), on keys needing normalisation and on missing values."""
    import random

    rng = random.Random(7)
    valid = [*PUBLISHED, STANDARD_EXAMPLE, REGNO, "716105852"]
    for _ in range(300):  # valid keys of each kind, built with the scalar check functions
        body = "9" + rng.choice("123") + "".join(rng.choice("0123456789") for _ in range(6))
        org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
        org += org_check_char(org)
        valid.append(body + org + uscc_check_char(body + org))
        reg = "".join(rng.choice("0123456789") for _ in range(14))
        valid.append(reg + regno_check_digit(reg))
        o = "".join(rng.choice("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8))
        valid.append(o + org_check_char(o))
    mutated = []
    for v in valid:
        i = rng.randrange(len(v))
        mutated.append(v[:i] + rng.choice("0123456789XIOZSVaz-") + v[i + 1 :])
    others = [None, float("nan"), "", "９１３３０１００７１６１０５８５２Ｆ", "71610585-2", "abc", "9" * 17, "x" * 18]
    keys = pd.Series(valid + mutated + others, dtype=object)
    out = classify_keys(keys)
    expected = [classify_key(v) for v in keys]
    assert out["kind"].tolist() == [e.kind for e in expected]
    assert out["key"].tolist() == [e.key for e in expected]
    assert out["reason"].tolist() == [e.reason for e in expected]
    assert out["area_code"].fillna("").tolist() == [e.area_code for e in expected]
    assert out["org_code"].fillna("").tolist() == [e.org_code for e in expected]
    assert set(out["kind"][: len(valid)]) == {"credit_code", "registration_number", "organisation_code"}
    assert (out["kind"][len(valid) : len(valid) + len(mutated)] == "invalid").mean() > 0.5
