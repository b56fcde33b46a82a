"""Secrets at rest (Fernet under a key derived from settings, rotation of that key) and the
integration settings read from the environment."""

from __future__ import annotations

import pytest

from tongqi.env import ConfigError, Env
from tongqi.integration import crypto


def test_round_trip_and_no_plaintext(settings):
    settings.TONGQI_SECRETS_KEY = "k1-" + "x" * 40
    token = crypto.encrypt("demo-secret-0123456789abcdef")
    assert "demo-secret" not in token
    assert crypto.decrypt(token) == "demo-secret-0123456789abcdef"
    assert crypto.encrypt("same") != crypto.encrypt("same")  # random IV each time


def test_another_key_cannot_read_it(settings):
    settings.TONGQI_SECRETS_KEY = "k1-" + "x" * 40
    token = crypto.encrypt("s3cret")
    settings.TONGQI_SECRETS_KEY = "k2-" + "y" * 40
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)


def test_key_rotation_with_a_key_list(settings):
    settings.TONGQI_SECRETS_KEY = "old-" + "x" * 40
    token = crypto.encrypt("s3cret")
    settings.TONGQI_SECRETS_KEY = "new-" + "y" * 40 + ",old-" + "x" * 40
    assert crypto.decrypt(token) == "s3cret"
    rotated = crypto.reencrypt(token)
    settings.TONGQI_SECRETS_KEY = "new-" + "y" * 40
    assert crypto.decrypt(rotated) == "s3cret"


def test_new_secret_is_long_and_random():
    a, b = crypto.new_secret(), crypto.new_secret("whsec_")
    assert len(a) >= 43 and b.startswith("whsec_") and a != b[6:]


@pytest.mark.parametrize(
    ("environ", "fragment"),
    [
        ({"TONGQI_LICENCE_PROVIDER": "magic"}, "TONGQI_LICENCE_PROVIDER must be"),
        ({"TONGQI_LICENCE_PROVIDER": "http"}, "TONGQI_LICENCE_URL is required"),
        ({"TONGQI_LICENCE_URL": "ftp://x"}, "TONGQI_LICENCE_URL must be an http"),
        ({"TONGQI_LICENCE_TIMEOUT": "fast"}, "TONGQI_LICENCE_TIMEOUT must be a number"),
        ({"TONGQI_NOTIFY_TIMEOUT": "0"}, "TONGQI_NOTIFY_TIMEOUT must be between"),
        ({"TONGQI_SMS_URL": "sms.example"}, "TONGQI_SMS_URL must be an http"),
        ({"TONGQI_EMAIL_URL": "mail.example.com"}, "TONGQI_EMAIL_URL must look like"),
    ],
)
def test_bad_integration_settings_give_one_clear_line(environ, fragment):
    with pytest.raises(ConfigError) as exc:
        Env.read(environ)
    assert fragment in str(exc.value) and "\n" not in str(exc.value)


def test_integration_settings_parse():
    env = Env.read(
        {
            "TONGQI_LICENCE_PROVIDER": "http",
            "TONGQI_LICENCE_URL": "https://licence.example/api/{uscc}",
            "TONGQI_LICENCE_TIMEOUT": "2.5",
            "TONGQI_EMAIL_URL": "smtp://noreply%40gas.example:p%40ss@smtp.example:587?tls=1&from=noreply@gas.example",
        }
    )
    assert env.licence_provider == "http" and env.licence_timeout == 2.5
    assert env.email == {
        "host": "smtp.example",
        "port": 587,
        "user": "noreply@gas.example",
        "password": "p@ss",
        "ssl": False,
        "tls": True,
        "from": "noreply@gas.example",
    }


def test_licence_provider_defaults():
    assert Env.read({}).licence_provider == "fake"
    strong = "s" * 30 + "t" * 30 + "uvwxyz"
    prod = Env.read(
        {
            "TONGQI_ENV": "production",
            "TONGQI_SECRET_KEY": strong,
            "TONGQI_ALLOWED_HOSTS": "gas.example",
        }
    )
    assert prod.licence_provider == "none"  # invented demo data never reaches real applicants
