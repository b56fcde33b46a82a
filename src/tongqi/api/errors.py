"""One error body for every API error: ``{"code": str, "message": str, "fields": {name: [str]}}``.

``install(api)`` replaces ninja's default handlers so that validation (422), authentication (401),
permission (403), not found (404), conflicts (409), rate limits (429), an unreachable database
(503 ``service_unavailable`` with Retry-After) and unexpected failures (500, logged, nothing
leaked) all answer with that body. ``errors(401, 404, ...)`` declares the
same statuses on an operation so the OpenAPI document lists them::

    @router.get("/things/{pk}", response={200: ThingOut, **errors(404)})

(``errors`` always adds 400, 401, 403, 422, 429 and 500; pass the others the operation can answer.)

Domain errors of other apps: an exception with ``code``, ``message`` and an integer ``status``
(or ``http_status``) attribute — like ``applications.services.errors.ApplicationError`` — is
answered with that status and code (and its ``fields``); an exception without a status can be
registered once with ``register(SomeError, 409)``. Django's ``ValidationError`` becomes 422
with ``fields`` from its ``message_dict``; ``PermissionDenied`` 403; ``Http404`` and
``ObjectDoesNotExist`` 404.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field

from tongqi.core.validators import ValidationFailure
from tongqi.integration.errors import FIELD_MESSAGES, MESSAGES, STATUS, ApiError

log = logging.getLogger("tongqi.api")

__all__ = ["ApiError", "ErrorBody", "errors", "install", "register"]


class ErrorBody(Schema):
    """Every error answer has this shape; ``code`` is stable, ``message`` is translated."""

    code: str = Field(..., examples=["invalid"])
    message: str = Field(..., examples=["Some fields are not valid."])
    fields: dict[str, list[str]] = Field(
        default_factory=dict, examples=[{"enterprise_name": ["This field is required."]}]
    )


ALWAYS = (400, 401, 403, 422, 429, 500)


def errors(*statuses: int) -> dict[int, type[ErrorBody]]:
    """Response declarations for an operation: the given statuses plus 400/401/403/422/429/500."""
    return {status: ErrorBody for status in sorted({*ALWAYS, *statuses})}


_REGISTERED: list[tuple[type[BaseException], int]] = []


def register(exc_type: type[BaseException], status: int) -> None:
    """Answer ``exc_type`` (which has ``code`` and ``message``) with ``status``."""
    _REGISTERED.append((exc_type, status))


def body(code: str, message: str | None = None, fields: dict | None = None) -> dict:
    return {
        "code": code,
        "message": str(message if message is not None else MESSAGES.get(code, code)),
        "fields": {k: [str(m) for m in v] for k, v in (fields or {}).items()},
    }


# pydantic error types → translated field messages (pydantic's own text is English only)
_KINDS = {
    "missing": "required",
    "string_too_long": "max_length",
    "too_long": "max_length",
    "string_too_short": "min_length",
    "too_short": "min_length",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "decimal_parsing": "number",
    "decimal_type": "number",
    "greater_than_equal": "min_value",
    "greater_than": "min_value",
    "less_than_equal": "max_value",
    "less_than": "max_value",
    "bool_parsing": "boolean",
    "bool_type": "boolean",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_type": "date",
    "datetime_parsing": "datetime",
    "datetime_type": "datetime",
    "datetime_from_date_parsing": "datetime",
    "enum": "choice",
    "literal_error": "choice",
    "string_pattern_mismatch": "pattern",
    "json_invalid": "json",
    "json_type": "json",
    "string_type": "type",
    "model_type": "type",
    "dict_type": "type",
    "list_type": "type",
    "model_attributes_type": "type",
}


def _pydantic_message(err: dict) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error") or err.get("msg", ""))
    key = _KINDS.get(kind)
    if key is None:
        return str(err.get("msg", ""))
    bound = {
        "max_length": ctx.get("max_length"),
        "min_length": ctx.get("min_length"),
        "min_value": ctx.get("ge", ctx.get("gt")),
        "max_value": ctx.get("le", ctx.get("lt")),
    }.get(key)
    return str(FIELD_MESSAGES[key]).format(n="" if bound is None else bound)


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
        # ninja nests a body under the parameter's name: ("body", "payload", "name")
        if len(parts) > 1 and loc[0] in {"body", "form"}:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def validation_fields(exc: NinjaValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        fields.setdefault(_field_name(err.get("loc", ())), []).append(_pydantic_message(err))
    return fields


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    def respond(request: HttpRequest, status: int, payload: dict) -> HttpResponse:
        return api.create_response(request, payload, status=status)

    def on_api_error(request, exc: ApiError):
        return respond(request, exc.status, body(exc.code, exc.message, exc.fields))

    def on_validation(request, exc: NinjaValidationError):
        fields = validation_fields(exc)
        code = "invalid"
        if any(err.get("type") in {"json_invalid", "json_type"} for err in exc.errors):
            code = "bad_request"
            return respond(request, 400, body(code, str(FIELD_MESSAGES["json"]), fields))
        return respond(request, 422, body(code, fields=fields))

    def on_django_validation(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            fields = {k: list(v) for k, v in exc.message_dict.items()}
        else:
            fields = {"__all__": list(exc.messages)}
        message = fields["__all__"][0] if list(fields) == ["__all__"] else None
        return respond(request, 422, body("invalid", message, fields))

    def on_validation_failure(request, exc: ValidationFailure):
        field = str(exc.params.get("field", "")) if getattr(exc, "params", None) else ""
        fields = {field: [exc.message]} if field else {}
        return respond(request, 422, body(exc.code, exc.message, fields))

    def on_http_error(request, exc: HttpError):
        status = exc.status_code
        if isinstance(exc, Throttled):
            return respond(request, 429, body("rate_limited"))
        if isinstance(exc, AuthenticationError) or status == 401:
            return respond(request, 401, body("not_authenticated"))
        if isinstance(exc, AuthorizationError) or status == 403:
            return respond(request, 403, body("permission_denied"))
        code = {404: "not_found", 405: "method_not_allowed", 409: "conflict"}.get(
            status, "bad_request"
        )
        return respond(request, status, body(code))  # ninja's own texts are English only

    def on_permission(request, exc):
        return respond(request, 403, body("permission_denied"))

    def on_not_found(request, exc):
        return respond(request, 404, body("not_found"))

    def on_suspicious(request, exc):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        log.warning("refused %s %s: %s", request.method, request.path, type(exc).__name__)
        return respond(request, 400, body("bad_request"))

    def on_exception(request, exc: Exception):
        for exc_type, status in _REGISTERED:
            if isinstance(exc, exc_type):
                return respond(
                    request,
                    status,
                    body(
                        str(getattr(exc, "code", "error")),
                        getattr(exc, "message", None),
                        getattr(exc, "fields", None),
                    ),
                )
        status = getattr(exc, "http_status", None) or getattr(exc, "status", None)
        if isinstance(status, int) and 400 <= status < 600 and hasattr(exc, "code"):
            return respond(
                request,
                status,
                body(str(exc.code), getattr(exc, "message", None), getattr(exc, "fields", None)),
            )
        if isinstance(exc, (OperationalError, InterfaceError)):
            # the database is unreachable (restarting, failing over): nothing was saved, the
            # client should retry — with the same Idempotency-Key
            log.warning("database unavailable on %s %s: %s", request.method, request.path, exc)
            response = respond(request, 503, body("service_unavailable"))
            response["Retry-After"] = "5"
            return response
        log.exception("unhandled API error on %s %s", request.method, request.path)
        return respond(request, 500, body("internal_error"))

    api.add_exception_handler(ApiError, on_api_error)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(ValidationFailure, on_validation_failure)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(ObjectDoesNotExist, on_not_found)
    api.add_exception_handler(SuspiciousOperation, on_suspicious)
    api.add_exception_handler(MultiPartParserError, on_suspicious)  # a malformed upload body
    api.add_exception_handler(Exception, on_exception)


def status_for(code: str) -> int:
    return STATUS.get(code, 400)
