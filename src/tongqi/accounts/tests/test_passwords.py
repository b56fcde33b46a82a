import pytest
from django.core.exceptions import ValidationError

from tongqi.accounts.choices import Role
from tongqi.accounts.models import User
from tongqi.accounts.passwords import CharacterClassValidator, character_classes


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefgh", 1),
        ("abcDEF", 2),
        ("abc123DEF", 3),
        ("abc 123DEF!", 4),
        ("", 0),
    ],
)
def test_character_classes(password, classes):
    assert character_classes(password) == classes


def test_dengbao_profile_requires_three_classes_for_staff(settings):
    settings.TONGQI_PASSWORD_PROFILE = "dengbao"
    v = CharacterClassValidator()
    with pytest.raises(ValidationError):
        v.validate("onlylowercaseletters", User(role=Role.ACCOUNT_MANAGER))
    v.validate("Mixed-case-123", User(role=Role.ACCOUNT_MANAGER))
    v.validate("onlylowercaseletters", User(role=Role.CUSTOMER))  # customers: ASVS rules


def test_asvs_profile_has_no_composition_rule(settings):
    settings.TONGQI_PASSWORD_PROFILE = "asvs"
    CharacterClassValidator().validate("onlylowercaseletters", User(role=Role.ACCOUNT_MANAGER))
