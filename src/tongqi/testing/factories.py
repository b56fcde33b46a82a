"""factory_boy factories for the organisation and people."""

from __future__ import annotations

import factory
from django.contrib.auth.hashers import make_password

from tongqi.accounts.choices import DistrictKind, Role, UnitKind
from tongqi.accounts.models import District, Grid, OrgUnit, User

PASSWORD = "Test-pass-1234"
_HASH = None


def password_hash() -> str:
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    return _HASH


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"4201{n:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = DistrictKind.DISTRICT


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"单位{n}")
    code = factory.Sequence(lambda n: f"unit{n}")
    kind = UnitKind.SUBSIDIARY
    parent = None


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    unit = factory.SubFactory(OrgUnitFactory, kind=UnitKind.GRID)
    district = factory.SubFactory(DistrictFactory)
    streets = factory.LazyFunction(list)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    mobile = factory.Sequence(lambda n: f"137{n:08d}")
    role = Role.CUSTOMER
    org_unit = None
    password = factory.LazyFunction(password_hash)
