"""Password rules for the two profiles (settings.TONGQI_PASSWORD_PROFILE).

- ``asvs`` (OWASP ASVS 4 §2.1): length ≥ 12 and common-password checks, no composition rules,
  no forced rotation.
- ``dengbao`` (GB/T 22239-2019 三级 身份鉴别): length ≥ 10, at least 3 of 4 character classes for
  staff, and rotation every 90 days for staff (SessionPolicyMiddleware sends them to change it).
"""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
    set(string.punctuation + " "),
)


def character_classes(password: str) -> int:
    chars = set(password)
    return sum(1 for cls in CLASSES if chars & cls)


class CharacterClassValidator:
    """等保 profile: staff passwords mix at least 3 of lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _applies(self, user) -> bool:
        if settings.TONGQI_PASSWORD_PROFILE != "dengbao":
            return False
        return user is None or getattr(user, "role", "customer") != "customer"

    def validate(self, password, user=None):
        if self._applies(user) and character_classes(password) < self.min_classes:
            raise ValidationError(
                _(
                    "The password must contain at least {n} of: lower-case letters, upper-case "
                    "letters, digits and symbols."
                ).format(n=self.min_classes),
                code="password_classes",
            )

    def get_help_text(self):
        return _(
            "Staff passwords contain at least {n} of: lower-case letters, upper-case letters, "
            "digits and symbols."
        ).format(n=self.min_classes)
