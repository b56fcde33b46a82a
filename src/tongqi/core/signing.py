"""Request signing for the government-portal API (一网通办, SPEC §10). Pure: no Django.

A client signs each request with the secret shared for its app key. The signed message is
the canonical request, six lines joined by ``\\n`` (no trailing newline)::

    METHOD              upper-case, e.g. POST
    PATH                the URI path, percent-decoded then re-encoded per RFC 3986
                        (unreserved characters and "/" kept), so /a%20b and "/a b" agree
    SORTED_QUERY        k=v pairs joined by &; keys and values UTF-8 percent-encoded per
                        RFC 3986 (A-Z a-z 0-9 - . _ ~ kept, space → %20, never +), sorted
                        by encoded key then encoded value; repeated keys keep every value;
                        empty when there is no query
    TIMESTAMP           Unix seconds as a decimal string, e.g. 1767225600
    NONCE               16–64 characters of [A-Za-z0-9_-], fresh per request
    SHA256_HEX(BODY)    lower-case hex SHA-256 of the raw body bytes (of b"" for a GET)

The body digest is SHA-256 whichever signer is used, SM3 included: the body hash only
binds the body into a short line, the keyed primitive that carries the security is the
signer's, and every client stack (Java, .NET, PHP, a shell with openssl) has SHA-256 while
SM3 is often missing from the body-streaming layer — one rule is easier to get right.

The signature is the signer's output in lower-case hex. ``verify_request`` checks the
shapes of timestamp and nonce, the clock skew (|now − ts| ≤ 300 s by default) and then the
signature in constant time. Nonce *replay* needs storage, so the Django layer checks it
(remember each (app key, nonce) for at least 2 × max_skew) — not this module.

Signers follow the :class:`Signer` protocol and are looked up by name in :data:`SIGNERS`:
``HMAC-SHA256`` (RFC 2104 over SHA-256) and ``HMAC-SM3`` (RFC 2104 over SM3, GB/T 32905,
through OpenSSL via hashlib). An SM2 signature (GB/T 32918) can be added later as one more
class implementing the protocol — ``sign`` taking the private key as ``secret`` and
``verify`` the public key — registered under its own name, without touching this module's
callers.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Protocol, runtime_checkable
from urllib.parse import quote, unquote

from tongqi.core.validators import ValidationFailure

__all__ = [
    "DEFAULT_ALGORITHM",
    "MAX_SKEW_SECONDS",
    "SIGNERS",
    "HmacSha256Signer",
    "HmacSm3Signer",
    "SignatureRejected",
    "Signer",
    "SignerUnavailable",
    "body_digest",
    "canonical_query",
    "canonical_request",
    "get_signer",
    "sign_request",
    "verify_request",
]

DEFAULT_ALGORITHM = "HMAC-SHA256"
MAX_SKEW_SECONDS = 300

_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_HEX = re.compile(r"[0-9a-fA-F]+")

_MESSAGES = {
    "bad_timestamp": "The timestamp must be Unix seconds as a decimal string.",
    "bad_nonce": "The nonce must be 16-64 characters of A-Z, a-z, 0-9, '_' and '-'.",
    "stale": "The request timestamp is too far from the server's clock.",
    "bad_signature": "The signature does not match the request.",
    "bad_algorithm": "Unknown signature algorithm.",
}


class SignatureRejected(ValidationFailure):
    """A signed request was refused; ``code`` is one of ``bad_timestamp``, ``bad_nonce``,
    ``stale``, ``bad_signature``, ``bad_algorithm``."""

    def __init__(self, code: str, message: str | None = None, **params: object) -> None:
        super().__init__(code, message or _MESSAGES.get(code, code), **params)


class SignerUnavailable(RuntimeError):
    """The signer's primitive is not provided by this Python/OpenSSL build."""


# --------------------------------------------------------------------------------------------
# Canonical request

QueryInput = Mapping[str, str | list[str]] | Iterable[tuple[str, str]]


def _encode(text: str) -> str:
    """RFC 3986 percent-encoding of UTF-8: only unreserved characters stay literal."""
    if not isinstance(text, str):
        raise TypeError(f"query keys and values must be str, got {type(text).__name__}")
    return quote(text, safe="", encoding="utf-8", errors="strict")


def _query_pairs(query: QueryInput | None) -> list[tuple[str, str]]:
    if query is None:
        return []
    lists = getattr(query, "lists", None)
    if callable(lists):  # Django's QueryDict: q[k] would give only the last value
        return [(k, v) for k, values in lists() for v in values]
    if isinstance(query, Mapping):
        pairs: list[tuple[str, str]] = []
        for key, value in query.items():
            if isinstance(value, list | tuple):
                pairs.extend((key, v) for v in value)
            else:
                pairs.append((key, value))
        return pairs
    return [(k, v) for k, v in query]


def canonical_query(query: QueryInput | None) -> str:
    """``{"b": "2", "a": ["y z", "x"]}`` → ``a=x&a=y%20z&b=2``."""
    encoded = sorted((_encode(k), _encode(v)) for k, v in _query_pairs(query))
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_path(path: str) -> str:
    if not path:
        return "/"
    # surrogateescape: a %FF that is not UTF-8 round-trips as %FF instead of raising
    raw = unquote(path, encoding="utf-8", errors="surrogateescape")
    return quote(raw, safe="/", encoding="utf-8", errors="surrogateescape")


def body_digest(body: bytes) -> str:
    """Lower-case hex SHA-256 of the body (the last canonical line)."""
    if not isinstance(body, bytes | bytearray | memoryview):
        raise TypeError("body must be bytes")
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: QueryInput | None,
    timestamp: str,
    nonce: str,
    body: bytes,
) -> str:
    """The string that is signed (see the module docstring for each line)."""
    return "\n".join(
        (
            method.upper(),
            _canonical_path(path),
            canonical_query(query),
            timestamp,
            nonce,
            body_digest(body),
        )
    )


# --------------------------------------------------------------------------------------------
# Signers


@runtime_checkable
class Signer(Protocol):
    """A keyed signature over bytes, rendered as lower-case hex."""

    name: str

    def sign(self, secret: bytes, message: bytes) -> str: ...

    def verify(self, secret: bytes, message: bytes, signature: str) -> bool: ...


def _same_hex(expected: str, given: object) -> bool:
    """Constant-time comparison of hex strings, case-insensitive; junk is simply False."""
    if not isinstance(given, str) or not given.isascii() or not _HEX.fullmatch(given):
        return False
    return hmac.compare_digest(expected.encode("ascii"), given.lower().encode("ascii"))


class _HmacSigner:
    name: str
    digest: str

    def sign(self, secret: bytes, message: bytes) -> str:
        return hmac.new(secret, message, self.digest).hexdigest()

    def verify(self, secret: bytes, message: bytes, signature: str) -> bool:
        return _same_hex(self.sign(secret, message), signature)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class HmacSha256Signer(_HmacSigner):
    """HMAC-SHA256 (RFC 2104, FIPS 180-4): the default every client can produce."""

    name = "HMAC-SHA256"
    digest = "sha256"


class HmacSm3Signer(_HmacSigner):
    """HMAC-SM3 (RFC 2104 over SM3, GB/T 32905-2016) for clients on 商用密码 stacks.

    ``hmac.new(key, msg, "sm3")`` goes through hashlib to OpenSSL (1.1.1+ ships SM3); some
    builds (FIPS mode, LibreSSL, trimmed distributions) leave it out, so the constructor
    checks and raises :class:`SignerUnavailable` instead of failing on the first request.
    """

    name = "HMAC-SM3"
    digest = "sm3"

    def __init__(self) -> None:
        if "sm3" not in hashlib.algorithms_available:
            raise SignerUnavailable(
                "HMAC-SM3 needs SM3 from OpenSSL through hashlib, and this Python's "
                "hashlib.algorithms_available has no 'sm3'"
            )


SIGNERS: dict[str, Callable[[], Signer]] = {
    HmacSha256Signer.name: HmacSha256Signer,
    HmacSm3Signer.name: HmacSm3Signer,
}


def get_signer(name: str) -> Signer:
    """The signer registered under ``name`` (``bad_algorithm`` if there is none; an
    unavailable primitive raises :class:`SignerUnavailable`)."""
    factory = SIGNERS.get(name)
    if factory is None:
        raise SignatureRejected("bad_algorithm", algorithm=name)
    return factory()


# --------------------------------------------------------------------------------------------
# Sign and verify


def _secret_bytes(secret: bytes | str) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else bytes(secret)


def _check_shapes(timestamp: object, nonce: object) -> int:
    if not isinstance(timestamp, str) or not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureRejected("bad_timestamp")
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise SignatureRejected("bad_nonce")
    return int(timestamp)


def sign_request(
    *,
    secret: bytes | str,
    method: str,
    path: str,
    query: QueryInput | None,
    timestamp: str,
    nonce: str,
    body: bytes,
    algorithm: str = DEFAULT_ALGORITHM,
) -> str:
    """Signature (lower-case hex) of a request; a client-side helper and the test oracle."""
    _check_shapes(timestamp, nonce)
    message = canonical_request(method, path, query, timestamp, nonce, body)
    return get_signer(algorithm).sign(_secret_bytes(secret), message.encode("utf-8"))


def verify_request(
    *,
    secret: bytes | str,
    method: str,
    path: str,
    query: QueryInput | None,
    timestamp: str,
    nonce: str,
    body: bytes,
    signature: str,
    now: datetime,
    max_skew: int = MAX_SKEW_SECONDS,
    algorithm: str = DEFAULT_ALGORITHM,
) -> None:
    """Return None if the request is authentic and fresh, else raise SignatureRejected.

    Order: ``bad_timestamp`` → ``bad_nonce`` → ``stale`` (|now − ts| > max_skew, either
    direction: a clock far ahead is as suspicious as a replay) → ``bad_algorithm`` →
    ``bad_signature``. ``now`` must be timezone-aware.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    ts = _check_shapes(timestamp, nonce)
    skew = abs(now.timestamp() - ts)
    if skew > max_skew:
        raise SignatureRejected("stale", skew_seconds=int(skew), max_skew=max_skew)
    signer = get_signer(algorithm)
    try:
        message = canonical_request(method, path, query, timestamp, nonce, body)
    except UnicodeError:  # e.g. a lone surrogate in a query value: nothing could sign it
        raise SignatureRejected("bad_signature") from None
    if not signer.verify(_secret_bytes(secret), message.encode("utf-8"), signature):
        raise SignatureRejected("bad_signature")
