"""The four standard packages (定型套餐) with a price list and a pricing policy, for tests that
need a quote: the same figures as the demo (4+N, 6+N, 10+N, 16+N)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

# code, meter, max load, included m, max m, base, per extra metre
PACKAGES = [
    ("4+N", "G4", "6", "15", "60", "9800.00", "180.00"),
    ("6+N", "G6", "10", "20", "80", "14800.00", "200.00"),
    ("10+N", "G10", "16", "25", "100", "23800.00", "220.00"),
    ("16+N", "G16", "25", "30", "120", "36800.00", "240.00"),
]


def price_catalogue(marketing) -> SimpleNamespace:
    """Packages, a price list in force since 2021-05-15 and a policy, saved by ``marketing``."""
    from tongqi.pricing import services as svc

    pkgs = {}
    for i, (code, meter, load, inc, mx, _b, _e) in enumerate(PACKAGES):
        pkgs[code] = svc.package_save(
            actor=marketing,
            code=code,
            name=f"{code} 定型套餐",
            meter_rating=meter,
            max_load=Decimal(load),
            included_length_m=Decimal(inc),
            extra_unit_m=Decimal("1"),
            max_length_m=Decimal(mx),
            usage_types=[],
            included_items="燃气表\n调压箱\n紧急切断阀",
            sort_order=i,
        )
    price_list = svc.price_list_create(
        actor=marketing,
        name="2021 年定型套餐价格",
        effective_from=date(2021, 5, 15),
        document="武天然气〔2021〕47号",
        prices=[svc.PriceInput(pkgs[c].pk, b, e) for c, *_rest, b, e in PACKAGES],
        allow_past=True,
    )
    policy = svc.policy_save(
        actor=marketing,
        effective_from=date(2021, 5, 15),
        approval_threshold=Decimal("300000.00"),
        approval_document="武城管办〔2019〕15号",
        payment_days=30,
        gas_source_cost_per_m=Decimal("850.00"),
        allow_past=True,
    )
    return SimpleNamespace(packages=pkgs, price_list=price_list, policy=policy)
