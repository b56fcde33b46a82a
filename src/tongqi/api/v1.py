"""The REST API under /api/v1/: one NinjaAPI collecting each app's ``api.router``.

An app exposes ``router`` (a ninja ``Router``) and ``ROUTER_PREFIX`` in its ``api.py``; portal
operations go on the shared ``tongqi.api.gov.gov_router`` (mounted at /gov after every app's
``api`` module is imported). The rules every operation keeps:

- authentication: a bearer token or the browser session (``auth.USER_AUTH``, the default), or
  the portal's signature (the gov router);
- every error answers ``{"code", "message", "fields"}`` and is declared with ``errors(...)``;
- lists use ``pagination.LimitOffset``; creates take an ``Idempotency-Key`` (``@idempotent``);
- handlers call the same services and selectors as the pages, with the same checks and scoping.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.urls import re_path
from ninja import NinjaAPI

from . import core, errors
from .auth import USER_AUTH, default_throttles

GOV_HEADERS = [
    ("X-TQ-Timestamp", True, {"type": "string", "pattern": "^[0-9]{1,12}$"}, "Unix seconds."),
    (
        "X-TQ-Nonce",
        True,
        {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$"},
        "Fresh per request; never reused within 10 minutes.",
    ),
    (
        "X-TQ-Signature",
        True,
        {"type": "string", "pattern": "^[0-9a-fA-F]{64}$"},
        "Hex signature of the canonical request (docs/guides/integration.md).",
    ),
    (
        "X-TQ-Signature-Method",
        False,
        {"type": "string", "enum": ["HMAC-SHA256", "HMAC-SM3"]},
        "Optional; must equal the algorithm configured for the app key.",
    ),
]


class TongqiAPI(NinjaAPI):
    """Lists the portal's signature headers as parameters of every /gov/ operation (the
    security scheme carries only the app key), so the OpenAPI document names every input."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for path, item in schema.get("paths", {}).items():
            if "/gov/" not in path:
                continue
            for operation in item.values():
                params = operation.setdefault("parameters", [])
                names = {p.get("name") for p in params}
                for name, required, spec, description in GOV_HEADERS:
                    if name not in names:
                        params.append(
                            {
                                "in": "header",
                                "name": name,
                                "required": required,
                                "schema": spec,
                                "description": description,
                            }
                        )
        return schema


api = TongqiAPI(
    title="TongQi API",
    version="1.0.0",
    description=(
        "获得用气服务平台 REST API (TongQi getting-gas platform). Customers and staff use a "
        "bearer token (created on /integration/tokens/) or the browser session; the government "
        "portal (一网通办) signs each request (see docs/guides/integration.md). Every error is "
        '`{"code", "message", "fields"}`.'
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=USER_AUTH,
    throttle=default_throttles(),
)
errors.install(api)
api.add_router("/", core.router)

for _app in settings.TONGQI_APPS:
    try:
        _module = importlib.import_module(f"{_app}.api")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"{_app}.api":
            raise
        continue
    _router = getattr(_module, "router", None)
    if _router is not None:
        api.add_router(getattr(_module, "ROUTER_PREFIX", "/" + _app.rsplit(".", 1)[-1]), _router)

from .gov import gov_router  # noqa: E402 - after the apps have added their portal operations

api.add_router("/gov", gov_router)


def _not_found(request, *args, **kwargs):
    """Unknown paths under /api/v1/ answer in the API's error format, not an HTML page."""
    return api.create_response(request, errors.body("not_found"), status=404)


def urls():
    """``path("api/v1/", include(urls()))``-ready patterns: the API plus a JSON 404."""
    patterns, app_name, namespace = api.urls
    return [*patterns, re_path(r"^.*$", _not_found)], app_name, namespace
