"""Settings shared by every environment. Values from outside come only through ``env.Env``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from tongqi.env import Env

ENV = Env.read()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = ENV.data_dir

SECRET_KEY = ENV.secret_key
DEBUG = ENV.debug
ALLOWED_HOSTS = ENV.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENV.csrf_trusted_origins
TONGQI_PUBLIC_URL = ENV.public_url

# Our apps, lowest layer first. Each app is shaped alike (models, services, selectors, views...).
TONGQI_APPS = [
    "tongqi.web",
    "tongqi.accounts",
    "tongqi.audit",
    "tongqi.integration",
    "tongqi.sla",
    "tongqi.applications",
    "tongqi.pricing",
    "tongqi.works",
    "tongqi.service",
    "tongqi.retrofit",
    "tongqi.reports",
]

# Our apps first: their translations take precedence over Django's and the libraries' (a msgid
# such as "Filter" must read 筛选 on our pages, not the admin's 过滤器), and so do their templates.
INSTALLED_APPS = [
    *TONGQI_APPS,
    "tongqi.web.admin_apps.TongqiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "ninja",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongqi.web.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tongqi.web.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongqi.accounts.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongqi.web.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongqi.urls"
FORM_RENDERER = "tongqi.web.forms.TongqiFormRenderer"
WSGI_APPLICATION = "tongqi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tongqi.web.context.navigation",
            ],
        },
    }
]


def _databases() -> dict:
    if ENV.database_url:
        cfg = dj_database_url.parse(ENV.database_url, conn_max_age=60, conn_health_checks=True)
        if cfg["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend, and writes nobody waits for sent with the next round trip
            # (tongqi/db/postgresql/base.py, ADR 0021)
            cfg["ENGINE"] = "tongqi.db.postgresql"
        cfg.setdefault("OPTIONS", {})
        cfg["OPTIONS"].setdefault("connect_timeout", 5)
        if ENV.db_prepared:
            # Parameters bound by the server, and each connection keeps the plan of a statement
            # it has run twice: parsing and planning were half of PostgreSQL's work per
            # submission (ADR 0019). TONGQI_DB_PREPARED=0 behind a pooler that cannot keep them.
            cfg["OPTIONS"].setdefault("server_side_binding", True)
            cfg["OPTIONS"].setdefault("prepare_threshold", 2)
        cfg["TEST"] = {"NAME": (cfg.get("NAME") or "tongqi") + "_test"}
        return {"default": cfg}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "tongqi.sqlite3",
            # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
            # BEGIN, so concurrent writers queue on busy_timeout instead of failing mid-way with
            # "database is locked" when a read transaction tries to upgrade.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }


DATABASES = _databases()
if not ENV.database_url:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tongqi.accounts.backends.UsernameOrMobileBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
TONGQI_PASSWORD_PROFILE = ENV.password_profile
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10 if ENV.password_profile == "dengbao" else 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "tongqi.accounts.passwords.CharacterClassValidator"},
]
# 等保 profile: staff passwords expire after this many days (ASVS profile: never).
TONGQI_STAFF_PASSWORD_MAX_AGE_DAYS = 90 if ENV.password_profile == "dengbao" else 0

# Lock-out (django-axes): 5 failures -> 15 minutes, per user name (and IP), logged to the audit log.
AXES_FAILURE_LIMIT = ENV.lockout_failures
AXES_COOLOFF_TIME = timedelta(minutes=ENV.lockout_minutes)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongqi.accounts.views.locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = 1 if ENV.behind_tls_proxy else None

# Sessions: server-side rows, so logout and disabling a user end them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = ENV.staff_max_hours * 3600
TONGQI_STAFF_IDLE_SECONDS = ENV.staff_idle_minutes * 60
TONGQI_STAFF_MAX_SECONDS = ENV.staff_max_hours * 3600
TONGQI_CUSTOMER_IDLE_SECONDS = ENV.customer_idle_minutes * 60
TONGQI_REQUIRE_2FA = ENV.require_2fa
OTP_TOTP_ISSUER = "TongQi 通气"

CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy: everything from our own origin, no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "tongqi_language"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
TONGQI_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "noreply@tongqi.local"
if ENV.email:  # TONGQI_EMAIL_URL=smtp://user:password@host:587?tls=1
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = ENV.email["host"]
    EMAIL_PORT = ENV.email["port"]
    EMAIL_HOST_USER = ENV.email["user"]
    EMAIL_HOST_PASSWORD = ENV.email["password"]
    EMAIL_USE_SSL = ENV.email["ssl"]
    EMAIL_USE_TLS = ENV.email["tls"] and not ENV.email["ssl"]
    EMAIL_TIMEOUT = ENV.notify_timeout
    DEFAULT_FROM_EMAIL = ENV.email["from"] or DEFAULT_FROM_EMAIL

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Audit chain key: separate from SECRET_KEY when given, so rotating one does not break the other.
TONGQI_AUDIT_KEY = ENV.audit_key or ("audit:" + SECRET_KEY)

TONGQI_COMPANY_NAME = "武汉市天然气有限公司"

# Integration (SPEC §10, tongqi.integration). Portal-client secrets are encrypted at rest with a
# key derived from TONGQI_SECRETS_KEY (docs/adr/0006); rotating a client's secret keeps the old one
# valid for the grace period; idempotency keys are kept at least 24 hours.
TONGQI_SECRETS_KEY = ENV.secrets_key or ("secrets:" + SECRET_KEY)
TONGQI_API_SECRET_GRACE = timedelta(hours=24)
TONGQI_API_MAX_SKEW = 300  # seconds; nonces are remembered for twice this
TONGQI_IDEMPOTENCY_TTL = timedelta(hours=24)
TONGQI_API_RATES = {"user": ENV.api_rate, "client": ENV.api_rate, "anon": "60/m"}
# Only for `bench/run submit`: a baseline operation that inserts one row (never in production).
TONGQI_BENCH_ENDPOINTS = ENV.bench_endpoints
TONGQI_WEBHOOK_TIMEOUT = 10.0
TONGQI_LICENCE_PROVIDER = ENV.licence_provider  # fake | http | none | a dotted class path
TONGQI_LICENCE_HTTP = {
    "url": ENV.licence_url,  # e.g. https://licence.example.gov.cn/api/enterprises/{uscc}
    "token": ENV.licence_token,
    "timeout": ENV.licence_timeout,
}
TONGQI_LICENCE_CACHE_SECONDS = 3600
# channel -> backend; unset channels write to the log (the console backend).
TONGQI_NOTIFY_BACKENDS: dict = {}
if ENV.sms_url:
    TONGQI_NOTIFY_BACKENDS["sms"] = {
        "class": "tongqi.integration.backends.SmsBackend",
        "options": {"url": ENV.sms_url, "token": ENV.sms_token, "timeout": ENV.notify_timeout},
    }
if ENV.wechat_url:
    TONGQI_NOTIFY_BACKENDS["wechat"] = {
        "class": "tongqi.integration.backends.WechatTemplateBackend",
        "options": {
            "url": ENV.wechat_url,
            "token": ENV.wechat_token,
            "template_id": ENV.wechat_template,
            "timeout": ENV.notify_timeout,
        },
    }
if ENV.email:
    TONGQI_NOTIFY_BACKENDS["email"] = "tongqi.integration.backends.EmailBackend"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
