"""The one place where TongQi reads its environment.

Every setting that comes from outside the code is parsed here into a frozen ``Env`` so that a
missing or malformed value is reported once, in one line, at start-up (``ConfigError``), rather
than as a traceback from deep inside Django.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for the operator."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}")


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(environ: Mapping[str, str], name: str, default: float, minimum: float = 0.1) -> float:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value >= minimum or value > 600:
        raise ConfigError(f"{name} must be between {minimum} and 600 seconds, not {raw!r}")
    return value


def _http_url(environ: Mapping[str, str], name: str) -> str:
    raw = (environ.get(name) or "").strip()
    if raw and (not raw.startswith(("http://", "https://")) or not urlparse(raw).netloc):
        raise ConfigError(f"{name} must be an http:// or https:// address, not {raw!r}")
    return raw


def _email_url(raw: str) -> dict:
    """``smtp://user:password@host:587?tls=1`` (or ``smtps://`` for implicit TLS) → EMAIL_*."""
    parsed = urlparse(raw)
    if parsed.scheme not in {"smtp", "smtps"} or not parsed.hostname:
        raise ConfigError(
            f"TONGQI_EMAIL_URL must look like smtp://user:password@host:587?tls=1, not {raw!r}"
        )
    try:
        port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigError(f"TONGQI_EMAIL_URL has a bad port: {raw!r}") from None
    query = dict(p.split("=", 1) for p in parsed.query.split("&") if "=" in p)
    return {
        "host": parsed.hostname,
        "port": port,
        "user": unquote(parsed.username or ""),
        "password": unquote(parsed.password or ""),
        "ssl": parsed.scheme == "smtps",
        "tls": query.get("tls", "0").lower() in _TRUE,
        "from": unquote(query.get("from", "")),
    }


def _database_url(raw: str) -> str:
    parsed = urlparse(raw)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            "DATABASE_URL must start with postgres:// (or sqlite://), "
            f"e.g. postgres://postgres@127.0.0.1:5432/tongqi, not {raw!r}"
        )
    if parsed.scheme != "sqlite" and not (parsed.path.strip("/")):
        raise ConfigError(f"DATABASE_URL must name a database, e.g. .../tongqi (got {raw!r})")
    return raw


def _rate(environ: Mapping[str, str], name: str, default: str) -> str:
    raw = (environ.get(name) or default).strip()
    number, _, unit = raw.partition("/")
    if not number.isdigit() or int(number) < 1 or unit not in {"s", "m", "h", "d"}:
        raise ConfigError(f"{name} must look like 600/m (requests per s, m, h or d), not {raw!r}")
    return raw


@dataclass(frozen=True)
class Env:
    """Parsed environment. Build it with ``Env.read()``."""

    production: bool
    data_dir: Path
    secret_key: str
    allowed_hosts: list[str]
    database_url: str | None
    debug: bool
    password_profile: str
    lockout_failures: int
    lockout_minutes: int
    staff_idle_minutes: int
    staff_max_hours: int
    customer_idle_minutes: int
    require_2fa: bool
    hsts_seconds: int
    ssl_redirect: bool
    behind_tls_proxy: bool
    csrf_trusted_origins: list[str] = field(default_factory=list)
    public_url: str = "http://127.0.0.1:8000"
    audit_key: str = ""
    # Integration (SPEC §10): secrets at rest, licence sharing, notification gateways.
    secrets_key: str = ""
    licence_provider: str = "fake"
    licence_url: str = ""
    licence_token: str = ""
    licence_timeout: float = 5.0
    sms_url: str = ""
    sms_token: str = ""
    wechat_url: str = ""
    wechat_token: str = ""
    wechat_template: str = ""
    notify_timeout: float = 5.0
    email: dict = field(default_factory=dict)
    # API rate limit per user or portal client and process ("600/m"), benchmark-only endpoints.
    api_rate: str = "600/m"
    bench_endpoints: bool = False
    # PostgreSQL: bind parameters on the server and keep plans of repeated statements (ADR 0019).
    db_prepared: bool = True

    @classmethod
    def read(cls, environ: Mapping[str, str] | None = None) -> Env:
        e = os.environ if environ is None else environ
        mode = e.get("TONGQI_ENV", "development").strip().lower() or "development"
        if mode not in {"development", "production", "test"}:
            raise ConfigError(f"TONGQI_ENV must be 'production' or 'development', not {mode!r}")
        production = mode == "production"

        data_dir = Path(e.get("TONGQI_DATA_DIR") or "./var").expanduser().resolve()

        secret = e.get("TONGQI_SECRET_KEY", "")
        if production:
            if not secret:
                raise ConfigError("TONGQI_SECRET_KEY is required when TONGQI_ENV=production")
            if len(secret) < 50 or len(set(secret)) < 5:
                raise ConfigError(
                    "TONGQI_SECRET_KEY must be at least 50 characters with at least 5 distinct "
                    "ones (try: python3 -c 'import secrets; print(secrets.token_urlsafe(64))')"
                )
        elif not secret:
            secret = "tongqi-development-only-not-secret-" + "x" * 32

        hosts_raw = e.get("TONGQI_ALLOWED_HOSTS", "")
        hosts = [h.strip() for h in hosts_raw.split(",") if h.strip()]
        if production and not hosts:
            raise ConfigError(
                "TONGQI_ALLOWED_HOSTS is required when TONGQI_ENV=production "
                "(comma-separated host names, e.g. gas.example.com)"
            )
        if not production and not hosts:
            hosts = ["127.0.0.1", "localhost", "[::1]", "testserver"]

        db = e.get("DATABASE_URL", "").strip() or None
        if db is not None:
            db = _database_url(db)

        profile = e.get("TONGQI_PASSWORD_PROFILE", "dengbao").strip().lower()
        if profile not in {"dengbao", "asvs"}:
            raise ConfigError(
                f"TONGQI_PASSWORD_PROFILE must be 'dengbao' or 'asvs', not {profile!r}"
            )

        origins = [
            o.strip() for o in e.get("TONGQI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
        ]
        for origin in origins:
            if not origin.startswith(("http://", "https://")):
                raise ConfigError(
                    f"TONGQI_CSRF_TRUSTED_ORIGINS entries must start with https://, not {origin!r}"
                )

        public_url = (e.get("TONGQI_PUBLIC_URL") or "").rstrip("/")
        if public_url and not public_url.startswith(("http://", "https://")):
            raise ConfigError(
                f"TONGQI_PUBLIC_URL must start with http:// or https://, not {public_url!r}"
            )
        if not public_url:
            public_url = f"https://{hosts[0]}" if production else "http://127.0.0.1:8000"

        # The fake provider invents demo data: never the default where real customers apply.
        licence_default = "none" if production else "fake"
        licence_provider = (e.get("TONGQI_LICENCE_PROVIDER") or licence_default).strip().lower()
        if licence_provider not in {"fake", "http", "none"}:
            raise ConfigError(
                f"TONGQI_LICENCE_PROVIDER must be 'fake', 'http' or 'none', not {licence_provider!r}"
            )
        licence_url = _http_url(e, "TONGQI_LICENCE_URL")
        if licence_provider == "http" and not licence_url:
            raise ConfigError("TONGQI_LICENCE_URL is required when TONGQI_LICENCE_PROVIDER=http")
        email_raw = (e.get("TONGQI_EMAIL_URL") or "").strip()

        return cls(
            production=production,
            data_dir=data_dir,
            secret_key=secret,
            allowed_hosts=hosts,
            database_url=db,
            debug=_bool(e, "TONGQI_DEBUG", False) and not production,
            password_profile=profile,
            lockout_failures=_int(e, "TONGQI_LOCKOUT_FAILURES", 5, minimum=1),
            lockout_minutes=_int(e, "TONGQI_LOCKOUT_MINUTES", 15, minimum=1),
            staff_idle_minutes=_int(e, "TONGQI_STAFF_IDLE_MINUTES", 30, minimum=1),
            staff_max_hours=_int(e, "TONGQI_STAFF_MAX_HOURS", 12, minimum=1),
            customer_idle_minutes=_int(e, "TONGQI_CUSTOMER_IDLE_MINUTES", 120, minimum=1),
            require_2fa=_bool(e, "TONGQI_REQUIRE_2FA", True),
            hsts_seconds=_int(e, "TONGQI_HSTS_SECONDS", 31536000),
            ssl_redirect=_bool(e, "TONGQI_SSL_REDIRECT", True),
            behind_tls_proxy=_bool(e, "TONGQI_BEHIND_TLS_PROXY", False),
            csrf_trusted_origins=origins,
            public_url=public_url,
            audit_key=e.get("TONGQI_AUDIT_KEY", ""),
            secrets_key=e.get("TONGQI_SECRETS_KEY", ""),
            licence_provider=licence_provider,
            licence_url=licence_url,
            licence_token=e.get("TONGQI_LICENCE_TOKEN", ""),
            licence_timeout=_float(e, "TONGQI_LICENCE_TIMEOUT", 5.0),
            sms_url=_http_url(e, "TONGQI_SMS_URL"),
            sms_token=e.get("TONGQI_SMS_TOKEN", ""),
            wechat_url=_http_url(e, "TONGQI_WECHAT_URL"),
            wechat_token=e.get("TONGQI_WECHAT_TOKEN", ""),
            wechat_template=e.get("TONGQI_WECHAT_TEMPLATE", ""),
            notify_timeout=_float(e, "TONGQI_NOTIFY_TIMEOUT", 5.0),
            email=_email_url(email_raw) if email_raw else {},
            api_rate=_rate(e, "TONGQI_API_RATE", "600/m"),
            bench_endpoints=_bool(e, "TONGQI_BENCH_ENDPOINTS", False),
            db_prepared=_bool(e, "TONGQI_DB_PREPARED", True),
        )
