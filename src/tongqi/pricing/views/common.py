"""Helpers the pricing views share: service errors onto forms, and the error pages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ..services import ApplicationError, Forbidden, InvalidInput, NotFound


def apply_errors(exc: InvalidInput, *forms) -> None:
    """Put a service's field errors on the form that has the field (else the first form)."""
    for name, msgs in exc.fields.items():
        target = next((f for f in forms if f is not None and name in f.fields), None)
        for msg in msgs:
            if target is not None:
                target.add_error(name, msg)
            elif forms and forms[0] is not None:
                forms[0].add_error(None, msg)


def report(request, exc: ApplicationError) -> None:
    """A domain refusal the user should read (conflict, wrong stage) as a message; 403/404
    become the error pages."""
    if isinstance(exc, Forbidden):
        raise PermissionDenied
    if isinstance(exc, NotFound):
        raise Http404
    messages.error(request, str(exc.message))
