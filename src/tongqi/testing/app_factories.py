"""Factories and helpers for applications, for every app's tests."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import factory

from tongqi.applications.choices import Channel, Status, UsageType
from tongqi.applications.models import Appliance, Application, Enterprise
from tongqi.applications.services.submit import (
    ApplianceInput,
    ApplicationInput,
    EnterpriseInput,
    application_create_and_submit,
)

# Real published USCCs pass the GB 32100 check; these are enough distinct ones for tests.
USCCS = [
    "914403001922038216",
    "91440300708461136T",
    "9144030071526726XG",
    "91330100799655058B",
    "91110108551385082Q",
    "91110000802100433B",
    "91520000214434146R",
    "91100000100003962T",
]


def uscc(n: int) -> str:
    """A valid USCC for any n (computed check character)."""
    from tongqi.core.validators import uscc_check_char

    body = f"91420100{n:09d}"[:17]
    return body + uscc_check_char(body)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"武汉测试餐饮{n}有限公司")
    uscc = factory.Sequence(uscc)
    legal_representative = "张三"
    contact_name = "李四"
    contact_mobile = factory.Sequence(lambda n: f"136{n:08d}")


def enterprise_input(n: int = 1, **kw) -> EnterpriseInput:
    data = dict(
        name=f"武汉示例餐饮{n}有限公司",
        uscc=uscc(1000 + n),
        legal_representative="王五",
        contact_name="赵六",
        contact_mobile="13812345678",
        id_number="11010519491231002X",
    )
    data.update(kw)
    return EnterpriseInput(**data)


def application_input(district_code: str, street: str = "", **kw) -> ApplicationInput:
    data = dict(
        district_code=district_code,
        street=street or "关东街道",
        address_detail="关山大道1号",
        usage_type=UsageType.RESTAURANT,
        annual_consumption=Decimal("36000"),
        appliances=[
            ApplianceInput("中餐炒灶", Decimal("4.5"), 2),
            ApplianceInput("蒸箱", Decimal("2.8"), 1),
        ],
        privacy_notice_accepted=True,
    )
    data.update(kw)
    return ApplicationInput(**data)


def submitted_application(
    org, *, customer=None, channel=Channel.WEB, n: int = 1, district=None, **kw
) -> Application:
    """An application submitted into ``org.grid_a`` (routing by district)."""
    district = district or org.grid_a.district
    app = application_create_and_submit(
        actor=customer,
        enterprise_data=enterprise_input(n),
        channel=channel,
        data=application_input(district.code, **kw),
    )
    if customer is not None:
        app.enterprise.members.add(customer)
    return app


__all__ = [
    "Appliance",
    "Application",
    "EnterpriseFactory",
    "Status",
    "datetime",
    "application_input",
    "enterprise_input",
    "submitted_application",
    "uscc",
]
