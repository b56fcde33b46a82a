"""Money (SPEC §4): ``Decimal`` yuan with 2 decimals, one rounding rule, no floats anywhere.

All amounts pass through :func:`yuan`, the only place that rounds. The rule is
``ROUND_HALF_UP`` (四舍五入), the rounding Chinese bookkeeping and invoicing apply to 分 and
the one a customer's accountant uses to re-check a quote by hand. Python's decimal default,
``ROUND_HALF_EVEN`` (banker's rounding), would print 0.125 as 0.12 where everyone else
writes 0.13, so it is never left implicit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

__all__ = ["CENT", "format_yuan", "line_total", "sum_yuan", "upper_case_rmb", "yuan"]

CENT = Decimal("0.01")
_QTY = Decimal("0.001")

Amount = Decimal | int | str


def _exact(value: object, what: str) -> Decimal:
    """A finite Decimal from Decimal/int/str; float and bool are refused with TypeError."""
    if isinstance(value, float):
        raise TypeError(f"{what}: pass a Decimal, int or str, never a float ({value!r})")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{what}: expected Decimal, int or str, got {type(value).__name__}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"{what}: not a number: {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{what}: not a finite number: {value!r}")
    return number


def yuan(value: Amount) -> Decimal:
    """Quantize an amount to 0.01 yuan with ROUND_HALF_UP (四舍五入); the one rounding point.

    Accepts Decimal, int or str; a float raises TypeError so a binary approximation can
    never enter a ledger. Negative zero comes back as ``0.00``.
    """
    number = _exact(value, "amount")
    with localcontext() as ctx:
        ctx.prec = 50  # quantize must not fail on large but legitimate amounts
        result = number.quantize(CENT, rounding=ROUND_HALF_UP)
    if result.is_zero():
        result = result.copy_abs()
    return result


def format_yuan(value: Amount) -> str:
    """``Decimal("1234")`` → ``"¥1,234.00"``; negative → ``"-¥1,234.00"``."""
    amount = yuan(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def line_total(unit_price: Amount, quantity: Amount) -> Decimal:
    """Unit price × quantity, rounded once (never round the price first).

    ``quantity`` (metres of pipe, units, m³) has at most 3 decimals and is not negative;
    ``unit_price`` is taken exactly as given, so a price of 12.345 yuan/m is allowed.
    """
    price = _exact(unit_price, "unit price")
    qty = _exact(quantity, "quantity")
    if qty < 0:
        raise ValueError(f"quantity must not be negative: {quantity!r}")
    if qty != qty.quantize(_QTY):
        raise ValueError(f"quantity has more than 3 decimals: {quantity!r}")
    with localcontext() as ctx:
        ctx.prec = 50
        product = price * qty
    return yuan(product)


def sum_yuan(amounts: Iterable[Amount]) -> Decimal:
    """Sum of amounts, each brought to 0.01 first (an amount is what was printed)."""
    total = Decimal("0.00")
    for amount in amounts:
        total += yuan(amount)
    return yuan(total)


# --------------------------------------------------------------------------------------------
# 人民币大写金额

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")  # within a 4-digit group
_GROUP_UNITS = ("", "万", "亿")  # groups of 4 digits
_LIMIT = Decimal(10) ** 12  # below 1 万亿


def _group_words(group: int) -> str:
    """0 < group < 10000 → words inside the group; inner zero runs become one 零, trailing
    zeros are silent (1010 → 壹仟零壹拾, 1100 → 壹仟壹佰). 拾 is always written with its
    digit (壹拾), as the payment rules require, so nothing can be prefixed later."""
    digits = f"{group:04d}"
    words: list[str] = []
    pending_zero = False
    for pos, ch in enumerate(digits):
        d = int(ch)
        if d == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words.append("零")
            pending_zero = False
        words.append(_DIGITS[d] + _SMALL_UNITS[3 - pos])
    return "".join(words)


def _integer_words(n: int) -> str:
    """Words for 0 < n < 10^12, grouped by 万 and 亿.

    A 零 joins two groups when the lower group is below 1000 (1 0700 → 壹万零柒佰) or an
    entire group between them is zero (1 0000 1000 → 壹亿零壹仟); a zero only at the end of
    the higher group is silent (10 7000 → 壹拾万柒仟), which is the first form given for
    ¥107,000.53 in the rules quoted in :func:`upper_case_rmb`.
    """
    groups = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    words: list[str] = []
    skipped_group = False
    for index in range(len(groups) - 1, -1, -1):
        g = groups[index]
        if g == 0:
            skipped_group = bool(words)
            continue
        if words and (skipped_group or g < 1000):
            words.append("零")
        words.append(_group_words(g) + _GROUP_UNITS[index])
        skipped_group = False
    return "".join(words)


def upper_case_rmb(value: Amount) -> str:
    """人民币大写金额 for receipts, quotes and contracts (the caller prints "人民币" before it).

    Follows 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》:

    * 整 after 元 when there is neither 角 nor 分 (``300000`` → 叁拾万元整, ``0`` → 零元整);
      "在角之后可以不写整": we do not (``1234.50`` → 壹仟贰佰叁拾肆元伍角, like the rules'
      own example ¥1,409.50 → 壹仟肆佰零玖元伍角); never 整 after 分.
    * A zero between digits is written 零, a run of zeros once (¥6,007.14 → 陆仟零柒元壹角肆分;
      ``1004.07`` → 壹仟零肆元零柒分).
    * 角 is 0 but 分 is not → 零 after 元 (¥16,409.02 → 壹万陆仟肆佰零玖元零贰分).
    * 元 digit (or 万 digit) is 0 but 角 (or 仟) is not: the rules allow one 零 or none; we
      take the forms the rules list first — ¥1,680.32 → 壹仟陆佰捌拾元零叁角贰分 and
      ¥107,000.53 → 壹拾万柒仟元零伍角叁分.
    * 拾 always carries its digit: ``10`` → 壹拾元整.

    Amounts under one yuan have no 元 part (``0.5`` → 伍角, ``0.05`` → 伍分). A negative
    amount (a refund, a red-letter invoice) is prefixed with 负. The value is rounded with
    :func:`yuan` first; amounts of 1 万亿 or more raise ValueError.
    """
    amount = yuan(value)
    if abs(amount) >= _LIMIT:
        raise ValueError(f"amount too large for 大写: {amount}")
    sign = "负" if amount < 0 else ""
    cents = int(abs(amount) * 100)
    integer, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)

    if integer == 0 and fraction == 0:
        return "零元整"
    parts: list[str] = []
    if integer:
        parts.append(_integer_words(integer) + "元")
    if fraction == 0:
        parts.append("整")
        return sign + "".join(parts)
    if jiao:
        if integer and integer % 10 == 0:
            parts.append("零")  # the 元 digit is 0: ¥1,680.32 → …捌拾元零叁角贰分
        parts.append(_DIGITS[jiao] + "角")
    elif integer:
        parts.append("零")  # 角 is 0, 分 is not: ¥16,409.02 → …零玖元零贰分
    if fen:
        parts.append(_DIGITS[fen] + "分")
    return sign + "".join(parts)
