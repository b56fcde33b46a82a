"""The pure arithmetic: N, applicability, line amounts with the one rounding rule, 零审批."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tongqi.pricing import calc

D = Decimal


@pytest.mark.parametrize(
    ("length", "included", "unit", "n"),
    [
        ("0", "15", "1", 0),
        ("15", "15", "1", 0),  # exactly the included length: no extra unit
        ("15.1", "15", "1", 1),  # a started unit counts
        ("17.3", "15", "1", 3),
        ("31.2", "25", "1", 7),
        ("40", "20", "5", 4),
        ("40.1", "20", "5", 5),
        ("12", "15", "1", 0),
    ],
)
def test_extra_units(length, included, unit, n):
    assert calc.extra_units(D(length), D(included), D(unit)) == n


@settings(deadline=None)  # pure arithmetic; a loaded CI machine must not make it flaky
@given(
    length=st.decimals(min_value=0, max_value=5000, places=1),
    included=st.decimals(min_value=0, max_value=200, places=1),
    unit=st.decimals(min_value=D("0.1"), max_value=50, places=1),
)
def test_extra_units_cover_the_excess_and_no_more(length, included, unit):
    n = calc.extra_units(length, included, unit)
    excess = max(length - included, D(0))
    assert n * unit >= excess  # every metre beyond the included length is paid for
    assert n == 0 or (n - 1) * unit < excess  # ...but not one unit more


def test_extra_unit_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        calc.extra_units(D("10"), D("5"), D("0"))


def test_misfits_name_every_rule_broken():
    spec = calc.PackageSpec(
        code="4+N",
        max_load=D("6"),
        included_length_m=D("15"),
        max_length_m=D("60"),
        usage_types=("restaurant",),
    )
    assert calc.misfits(spec, peak_load=D("6"), usage_type="restaurant", length_m=D("60")) == []
    bad = calc.misfits(spec, peak_load=D("6.001"), usage_type="boiler", length_m=D("60.1"))
    assert [m.code for m in bad] == ["load", "usage", "length"]
    assert bad[0].limit == "6" and bad[0].actual == "6.001"


def test_gas_source_lines_cost_the_customer_nothing():
    line = calc.Line("gas_source", "gas_source", "气源管", "m", D("120"), D("0"), D("850"))
    assert line.amount == D("0.00") and line.cost == D("102000.00")
    inside = calc.Line("customer", "item", "管道", "m", D("3"), D("180"), D("999"))
    assert inside.amount == D("540.00") and inside.cost == D("0.00")
    t = calc.totals([line, inside])
    assert t.customer_total == D("540.00")
    assert t.utility_investment == D("102000.00")
    assert t.gas_source_customer == D("0.00")


def test_line_amount_rounds_half_up_once():
    # 12.345 yuan/m × 1 m = 12.345 → 12.35 (ROUND_HALF_UP), not banker's 12.34
    assert calc.Line("customer", "item", "x", "m", D("1"), D("12.345")).amount == D("12.35")
    # 0.125 × 1 = 0.13 (half up), rounded on the product, not on the price first
    assert calc.Line("customer", "item", "x", "m", D("3"), D("0.125")).amount == D("0.38")


@pytest.mark.parametrize(
    ("customer", "gas_source", "exempt"),
    [
        ("300000.00", "0", True),  # exactly the threshold is exempt ("不超过")
        ("300000.01", "0", False),  # one fen more is not
        ("0", "300000.00", True),
        ("0", "300000.01", False),
        ("299999.99", "299999.99", True),
    ],
)
def test_zero_approval_boundary(customer, gas_source, exempt):
    a = calc.assess_approval(
        customer_works=D(customer), gas_source_works=D(gas_source), threshold=D("300000")
    )
    assert a.exempt is exempt
    if not exempt:
        (need,) = a.needs
        assert need["needs"] == [calc.REGISTRATION, calc.PERMIT]
    else:
        assert a.needs == []


def test_cheapest_prefers_the_lower_total_then_the_first():
    assert calc.cheapest([("a", D("5")), ("b", D("3")), ("c", D("3"))]) == "b"
    assert calc.cheapest([]) is None
