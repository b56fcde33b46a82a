"""``@idempotent``: the ``Idempotency-Key`` header on a ninja operation (every create takes one).

    @router.post("/applications", response={201: ApplicationOut, **errors(404, 409)})
    @idempotent                      # or @idempotent(required=True) for the portal channel
    def application_create(request, payload: ApplicationIn):
        return Status(201, services.application_submit(...))

What the client sees (docs/adr/0007-idempotency.md):

- no key: the operation runs as usual (``required=True``: 400 ``idempotency_key_missing``);
- first use of a key: the operation runs; its answer is stored with the key for 24 hours;
- the same key and the same request again (method, path and body): the stored answer, byte for
  byte, with the header ``Idempotent-Replayed: true`` — the work is not done twice;
- the same key with a different request: 422 ``idempotency_key_reused``;
- the same key while the first request is still running: 409 ``idempotency_key_in_use``;
- a 5xx, 408, 409, 423, 425 or 429 answer is not stored: the key stays free, retry with it.

Keys are scoped to the caller (a user, whichever way they sign in, or a portal client). The key
is claimed, the handler runs and its answer is stored in one transaction, so a crash can never
leave the work done and the key unanswered (which would let a retry do it twice), and costs no
transaction of its own (ADR 0018).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from ninja import Header
from ninja.utils import contribute_operation_args, contribute_operation_callback

from tongqi.audit.services import deferred as audit_deferred
from tongqi.integration import idempotency as store
from tongqi.integration.errors import ApiError

from .auth import principal
from .errors import ErrorBody

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


class _Release(Exception):
    def __init__(self, response):
        self.response = response


def _remember_operation(run):
    """Run decorator: give the handler wrapper its (bound) operation, and read the body before
    ninja parses a multipart form, so the fingerprint can hash it."""
    op = run.__self__

    @wraps(run)
    def wrapped(request, *args, **kwargs):
        request._tq_operation = op
        try:
            request.body  # noqa: B018 - cache the raw body for the fingerprint
        except (RawPostDataException, RequestDataTooBig):
            pass  # too big: ninja reads it again and answers 400 in the API's format
        return run(request, *args, **kwargs)

    return wrapped


def _setup_operation(op) -> None:
    for status in (400, 409, 422):
        op.response_models.setdefault(status, op._create_response_model(ErrorBody))
    op.run = _remember_operation(op.run)
    op._run_decorators = [*getattr(op, "_run_decorators", []), _remember_operation]


def _stored(response) -> tuple[int, str, str]:
    return (
        response.status_code,
        response.content.decode("utf-8"),
        response.get("Content-Type", "application/json"),
    )


def idempotent(view=None, *, required: bool = False):
    """Make a ninja operation honour ``Idempotency-Key`` (see the module docstring)."""

    def decorate(func):
        @wraps(func)
        def handler(request, *args, idempotency_key: str | None = None, **kwargs):
            op = request._tq_operation
            key = store.normalise_key(idempotency_key)
            owner = principal(getattr(request, "auth", None))
            if key is None:
                if required:
                    raise ApiError("idempotency_key_missing")
                return func(request, *args, **kwargs)
            if owner is None:
                return func(request, *args, **kwargs)
            try:
                body = request.body
            except RawPostDataException:  # pragma: no cover - _remember_operation reads it first
                body = b""
            claim = None
            try:
                with transaction.atomic(), audit_deferred():
                    found = store.claim(
                        owner=owner,
                        key=key,
                        method=request.method,
                        path=request.get_full_path(),
                        body=body,
                    )
                    if isinstance(found, store.Replay):
                        response = HttpResponse(
                            found.body, status=found.status, content_type=found.content_type
                        )
                        response[REPLAYED_HEADER] = "true"
                        return response
                    claim = found
                    result = func(request, *args, **kwargs)
                    temporal = op.api.create_temporal_response(request)
                    response = op._result_to_response(request, result, temporal)
                    status, text, ctype = _stored(response)
                    if not store.should_store(status):
                        raise _Release(response)  # roll the work back; the key stays free
                    store.record(claim, status=status, body=text, content_type=ctype)
                return response
            except _Release as release:
                return release.response
            except Exception as exc:
                if claim is None:  # the key's own answer (409 in use, 422 reused, 503 …)
                    raise
                # the work rolled back; answer as ninja would, and keep a client error's answer
                response = op.api.on_exception(request, exc)
                status, text, ctype = _stored(response)
                if store.should_store(status):
                    store.record_after(claim, status=status, body=text, content_type=ctype)
                return response

        contribute_operation_args(
            handler,
            "idempotency_key",
            str | None,
            Header(
                None,
                alias=HEADER,
                description=(
                    "1-255 printable ASCII characters, unique per request you mean to make "
                    "once (e.g. a UUID). A retry with the same key and body gets the first "
                    "answer; kept 24 hours."
                ),
                max_length=257,
            ),
        )
        contribute_operation_callback(handler, _setup_operation)
        handler._tq_idempotent = {"required": required}
        return handler

    return decorate(view) if view is not None else decorate
