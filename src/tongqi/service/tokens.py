"""The signed survey link: ``/service/s/<token>/``, answerable without signing in.

The token names the application (not a survey row), so a link can be printed on the acceptance
certificate's QR code before the callback task exists; it carries the time it was signed and is
refused after the survey's validity (``ServiceSettings.survey_valid_days``). Forging one needs
the secret key; answering twice is refused by the database (``SurveyResponse`` has the survey
as its primary key).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "tongqi.service.survey"


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def make_token(application_id: int) -> str:
    return signing.dumps({"a": int(application_id)}, salt=SALT)


def read_token(token: str, *, valid_days: int) -> int:
    """The application id of a genuine, unexpired token; TokenExpired / TokenInvalid otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=timedelta(days=valid_days))
    except signing.SignatureExpired:
        raise TokenExpired from None
    except signing.BadSignature:
        raise TokenInvalid from None
    try:
        return int(data["a"])
    except (KeyError, TypeError, ValueError):
        raise TokenInvalid from None


def survey_path(token: str) -> str:
    return reverse("service:survey_public", args=[token])


def survey_absolute_url(token: str) -> str:
    return settings.TONGQI_PUBLIC_URL.rstrip("/") + survey_path(token)
