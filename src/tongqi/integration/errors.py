"""Stable error codes of the REST API and the portal channel, with their translated messages.

Every API error body is ``{"code": ..., "message": ..., "fields": {...}}``; ``code`` is one of
the keys below (or a domain error's own code) and never changes, ``message`` is in the
request's language (Chinese by default). The messages live here, in an app, so they are in a
translation catalogue; ``tongqi.api.errors`` renders them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    # generic
    "bad_request": _("The request is malformed."),
    "invalid": _("Some fields are not valid."),
    "not_authenticated": _("Sign in or send a valid credential."),
    "permission_denied": _("You do not have permission to do this."),
    "not_found": _("Not found."),
    "method_not_allowed": _("This method is not allowed here."),
    "conflict": _("The record was changed by someone else; reload and try again."),
    "rate_limited": _("Too many requests; wait a moment and try again."),
    "internal_error": _(
        "Something went wrong on our side. It has been logged; please try again later."
    ),
    "service_unavailable": _(
        "The service is briefly unavailable; nothing was saved. Try again in a moment."
    ),
    # browser sessions and personal tokens
    "csrf_failed": _("The CSRF check failed; reload the page and try again."),
    "session_expired": _("Your session has ended. Please sign in again."),
    "second_factor_required": _("Confirm your second factor in the browser before using the API."),
    "token_invalid": _("The API token is unknown, expired or revoked."),
    "token_not_allowed": _("API tokens are not available to this role."),
    # the signed portal channel
    "missing_headers": _(
        "A signed request needs the headers X-TQ-AppKey, X-TQ-Timestamp, X-TQ-Nonce and X-TQ-Signature."
    ),
    "unknown_app_key": _("The app key is unknown or has been revoked."),
    "ip_not_allowed": _("Requests for this app key are not accepted from this address."),
    "bad_timestamp": _("The timestamp must be Unix seconds as a decimal string."),
    "bad_nonce": _("The nonce must be 16-64 characters of A-Z, a-z, 0-9, '_' and '-'."),
    "stale": _("The request timestamp is more than 300 seconds from the server's clock."),
    "nonce_reused": _("This nonce was already used; sign each request with a fresh nonce."),
    "bad_signature": _("The signature does not match the request."),
    "bad_algorithm": _("This signature method is not the one configured for the app key."),
    # Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header)
    "idempotency_key_missing": _("This operation needs an Idempotency-Key header."),
    "idempotency_key_invalid": _("An Idempotency-Key is 1-255 printable ASCII characters."),
    "idempotency_key_reused": _("This Idempotency-Key was already used with a different request."),
    "idempotency_key_in_use": _(
        "A request with this Idempotency-Key is still being processed; retry later."
    ),
    # licence sharing
    "uscc_invalid": _("This is not a valid unified social credit code."),
    "licence_unavailable": _(
        "Licence sharing is not answering right now; please type the enterprise data."
    ),
}

# Field-level messages for request validation (pydantic's own texts are English only).
FIELD_MESSAGES = {
    "required": _("This field is required."),
    "max_length": _("Ensure this value has at most {n} characters."),
    "min_length": _("Ensure this value has at least {n} characters."),
    "integer": _("Enter a whole number."),
    "number": _("Enter a number."),
    "min_value": _("Ensure this value is at least {n}."),
    "max_value": _("Ensure this value is at most {n}."),
    "boolean": _("Enter true or false."),
    "date": _("Enter a date as YYYY-MM-DD."),
    "datetime": _("Enter a date and time as ISO 8601."),
    "choice": _("Select a valid choice."),
    "pattern": _("Enter a value in the required format."),
    "json": _("The body is not valid JSON."),
    "type": _("This value has the wrong type."),
}

STATUS = {
    "bad_request": 400,
    "invalid": 422,
    "not_authenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "rate_limited": 429,
    "internal_error": 500,
    "service_unavailable": 503,
    "csrf_failed": 403,
    "session_expired": 401,
    "second_factor_required": 403,
    "token_invalid": 401,
    "token_not_allowed": 403,
    "missing_headers": 401,
    "unknown_app_key": 401,
    "ip_not_allowed": 403,
    "bad_timestamp": 401,
    "bad_nonce": 401,
    "stale": 401,
    "nonce_reused": 401,
    "bad_signature": 401,
    "bad_algorithm": 401,
    "idempotency_key_missing": 400,
    "idempotency_key_invalid": 400,
    "idempotency_key_reused": 422,
    "idempotency_key_in_use": 409,
    "uscc_invalid": 422,
    "licence_unavailable": 503,
}


class ApiError(Exception):
    """An error with a stable ``code`` answered as ``{"code", "message", "fields"}``.

    ``ApiError("nonce_reused")`` takes status and message from the tables above; domain code may
    pass its own ``status`` and ``message``. ``fields`` maps a field name to its messages.
    """

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.code = code
        self.status = status or STATUS.get(code, 400)
        self.message = str(message if message is not None else MESSAGES.get(code, code))
        self.fields = {k: [str(m) for m in v] for k, v in (fields or {}).items()}
        super().__init__(code, self.message)
