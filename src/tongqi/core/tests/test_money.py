"""Tests for tongqi.core.money (pure: run with ``-p no:django``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongqi.core.money import format_yuan, line_total, sum_yuan, upper_case_rmb, yuan

# ============================================================================================
# yuan(): the one rounding point


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (Decimal("0.125"), Decimal("0.13")),  # half up, where half-even would give 0.12
        (Decimal("0.135"), Decimal("0.14")),
        (Decimal("2.675"), Decimal("2.68")),  # the classic float trap, exact here
        (Decimal("-0.125"), Decimal("-0.13")),  # half away from zero on the negative side
        (Decimal("0.124999"), Decimal("0.12")),
        (5, Decimal("5.00")),
        ("1234.5", Decimal("1234.50")),
        (" 7.005 ", Decimal("7.01")),
        ("1E+3", Decimal("1000.00")),
        (Decimal("-0.001"), Decimal("0.00")),
        ("99999999999999999999.995", Decimal("100000000000000000000.00")),
    ],
)
def test_yuan(raw, expected):
    result = yuan(raw)
    assert result == expected
    assert result.as_tuple().exponent == -2


def test_yuan_has_no_negative_zero():
    assert str(yuan("-0.004")) == "0.00"
    assert format_yuan("-0.004") == "¥0.00"


@pytest.mark.parametrize("raw", [0.1, 1.0, float("nan"), True, None, [1], b"1"])
def test_yuan_refuses_non_decimal_types(raw):
    with pytest.raises(TypeError):
        yuan(raw)


@pytest.mark.parametrize("raw", ["", "abc", "1,000", "¥5", "NaN", "Infinity", "-inf"])
def test_yuan_refuses_bad_strings(raw):
    with pytest.raises(ValueError, match="number"):
        yuan(raw)


@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**15), max_value=10**15))
def test_yuan_is_idempotent(d):
    once = yuan(d)
    assert yuan(once) == once
    assert yuan(str(once)) == once
    assert abs(once - d) <= Decimal("0.005")


two_decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=2)


@given(st.lists(two_decimals, max_size=50))
def test_sum_of_rounded_lines_is_yuan_of_sum_for_two_decimal_inputs(amounts):
    assert sum_yuan(amounts) == yuan(sum(amounts, Decimal(0)))


def test_sum_yuan_rounds_each_amount_first():
    # three lines printed as 0.01 each must add up to what was printed: 0.03, not 0.02
    assert sum_yuan([Decimal("0.005")] * 3) == Decimal("0.03")
    assert sum_yuan([]) == Decimal("0.00")
    with pytest.raises(TypeError):
        sum_yuan([Decimal(1), 0.5])


# ============================================================================================
# format_yuan


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (Decimal("1234"), "¥1,234.00"),
        (Decimal("-1234"), "-¥1,234.00"),
        (Decimal("0"), "¥0.00"),
        (Decimal("0.5"), "¥0.50"),
        (Decimal("999.995"), "¥1,000.00"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        ("-0.01", "-¥0.01"),
        (300000, "¥300,000.00"),
    ],
)
def test_format_yuan(raw, text):
    assert format_yuan(raw) == text


# ============================================================================================
# line_total


def test_line_total_rounds_once():
    # 12.345/m × 3 m = 37.035 → 37.04 (rounding the price first would give 37.05)
    assert line_total(Decimal("12.345"), Decimal("3")) == Decimal("37.04")
    assert line_total("0.335", "1.5") == Decimal("0.50")  # 0.5025
    assert line_total(Decimal("4680"), 1) == Decimal("4680.00")
    assert line_total(Decimal("85.50"), Decimal("12.125")) == Decimal("1036.69")  # 1036.6875
    assert line_total(Decimal("0"), Decimal("0")) == Decimal("0.00")


def test_line_total_refuses_bad_quantities():
    with pytest.raises(ValueError, match="3 decimals"):
        line_total(Decimal("10"), Decimal("1.0001"))
    with pytest.raises(ValueError, match="negative"):
        line_total(Decimal("10"), Decimal("-1"))
    with pytest.raises(TypeError):
        line_total(10.5, 1)
    with pytest.raises(TypeError):
        line_total(Decimal(10), 1.5)


@given(
    st.decimals(min_value=0, max_value=10**6, places=2),
    st.decimals(min_value=0, max_value=10**4, places=3),
)
def test_line_total_matches_exact_product(price, qty):
    assert line_total(price, qty) == yuan(price * qty)


# ============================================================================================
# 人民币大写金额


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # the brief's cases
        ("1234.50", "壹仟贰佰叁拾肆元伍角"),
        ("300000", "叁拾万元整"),
        ("1004.07", "壹仟零肆元零柒分"),
        ("0", "零元整"),
        ("10", "壹拾元整"),
        # the examples in 《正确填写票据和结算凭证的基本规定》 (first form where two are allowed)
        ("1409.50", "壹仟肆佰零玖元伍角"),
        ("6007.14", "陆仟零柒元壹角肆分"),
        ("1680.32", "壹仟陆佰捌拾元零叁角贰分"),
        ("107000.53", "壹拾万柒仟元零伍角叁分"),
        ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "叁佰贰拾伍元零肆分"),
        # zeros in the middle
        ("1010", "壹仟零壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("100700", "壹拾万零柒佰元整"),
        ("10000001", "壹仟万零壹元整"),
        ("20030405.06", "贰仟零叁万零肆佰零伍元零陆分"),
        # 万 and 亿 boundaries
        ("9999", "玖仟玖佰玖拾玖元整"),
        ("10000", "壹万元整"),
        ("10001", "壹万零壹元整"),
        ("11000", "壹万壹仟元整"),
        ("99999999", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元整"),
        ("100000000", "壹亿元整"),
        ("100010000", "壹亿零壹万元整"),
        ("100001000", "壹亿零壹仟元整"),
        ("110000000", "壹亿壹仟万元整"),
        ("1000000000", "壹拾亿元整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰元叁角肆分"),
        # 拾 always with its digit
        ("110", "壹佰壹拾元整"),
        ("15", "壹拾伍元整"),
        ("100000", "壹拾万元整"),
        # fractions
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("0.56", "伍角陆分"),
        ("1.1", "壹元壹角"),
        ("1.01", "壹元零壹分"),
        ("10.5", "壹拾元零伍角"),
        ("10.05", "壹拾元零伍分"),
        ("3.99", "叁元玖角玖分"),
        ("0.005", "壹分"),  # rounded half up first
        ("4680.004", "肆仟陆佰捌拾元整"),
        # refunds
        ("-12.3", "负壹拾贰元叁角"),
        ("-0.001", "零元整"),
    ],
)
def test_upper_case_rmb(amount, words):
    assert upper_case_rmb(Decimal(amount)) == words


def test_upper_case_rmb_limits():
    assert upper_case_rmb("999999999999.99").startswith("玖仟玖佰玖拾玖亿")
    with pytest.raises(ValueError, match="too large"):
        upper_case_rmb("1000000000000")
    with pytest.raises(TypeError):
        upper_case_rmb(1.5)


_DIGIT_WORDS = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_upper(words: str) -> Decimal:
    """An independent reader of the 大写 text, for the round-trip property."""
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负")
    integer_words, _, fraction_words = words.rpartition("元") if "元" in words else ("", "", words)
    total, section, digit = 0, 0, 0
    for ch in integer_words:
        if ch in _DIGIT_WORDS:
            digit = _DIGIT_WORDS[ch]
        elif ch in _UNIT_VALUES:
            section += digit * _UNIT_VALUES[ch]
            digit = 0
        elif ch == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        elif ch == "亿":
            total = (total + section + digit) * 100_000_000
            section = digit = 0
    total += section + digit
    cents = 0
    digit = 0
    for ch in fraction_words:
        if ch in _DIGIT_WORDS:
            digit = _DIGIT_WORDS[ch]
        elif ch == "角":
            cents += digit * 10
        elif ch == "分":
            cents += digit
    return sign * (Decimal(total) + Decimal(cents) / 100)


@given(st.decimals(min_value=-(10**12) + 1, max_value=10**12 - 1, places=2))
def test_upper_case_rmb_round_trips(amount):
    words = upper_case_rmb(amount)
    assert _parse_upper(words) == amount
    assert "零零" not in words
    assert not words.endswith("零")
    assert words.endswith(("整", "角", "分"))
    assert not words.endswith("分整")
    assert ("整" in words) == (amount == amount.to_integral_value())
