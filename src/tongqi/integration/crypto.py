"""Secrets at rest: the shared secrets of portal clients and callback subscriptions.

HMAC verification needs the secret itself on the server, so a one-way hash (as for API tokens)
is impossible; the secret is encrypted instead (docs/adr/0006-api-client-secrets.md). The key is
derived with HKDF-SHA256 from ``TONGQI_SECRETS_KEY`` (default: derived from the secret key).
``TONGQI_SECRETS_KEY`` may list several keys separated by commas: the first encrypts, every one
decrypts, so the operator can rotate the key and re-encrypt at leisure (``reencrypt``).
"""

from __future__ import annotations

import base64
import secrets
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"tongqi integration secrets v1"


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted (the key changed): reissue the secret."""


def _derive(material: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        material.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


@cache
def _fernet(material: str) -> MultiFernet:
    parts = [p.strip() for p in material.split(",") if p.strip()] or [material]
    return MultiFernet([_derive(p) for p in parts])


def _current() -> MultiFernet:
    return _fernet(settings.TONGQI_SECRETS_KEY)


def encrypt(secret: str) -> str:
    """Encrypt a secret for storage (a Fernet token, ASCII)."""
    return _current().encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The stored secret in clear; :class:`SecretUnreadable` when no configured key opens it."""
    try:
        return _current().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with TONGQI_SECRETS_KEY"
        ) from exc


def reencrypt(token: str) -> str:
    """The same secret encrypted under the first (current) key."""
    try:
        return _current().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable(
            "the stored secret cannot be decrypted with TONGQI_SECRETS_KEY"
        ) from exc


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits, URL-safe)."""
    return prefix + secrets.token_urlsafe(32)
