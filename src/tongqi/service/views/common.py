"""Helpers of the service pages: running a service with its errors on the form, periods."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record

from ..forms import apply_errors
from ..services.errors import Forbidden, ServiceError


def staff_required(view):
    """Any signed-in staff member (the owner of a rectification may be a counter clerk)."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff_member or not user.is_active or not user.caps:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def run(request, form, fn: Callable[[], object], success: str = ""):
    """Call a service; on a domain error put its messages on ``form`` and return None."""
    try:
        result = fn()
    except Forbidden:
        raise PermissionDenied from None
    except ServiceError as exc:
        if form is not None:
            apply_errors(form, exc)
        else:
            messages.error(request, str(exc.message))
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


def parse_month(raw: str | None, default: date | None = None) -> date:
    """``2026-11`` → date(2026, 11, 1); anything else → this month."""
    default = (default or timezone.localdate()).replace(day=1)
    try:
        y, m = (raw or "").split("-")
        d = date(int(y), int(m), 1)
    except (TypeError, ValueError):
        return default
    if not 2000 <= d.year <= 2100:
        return default
    return d


def audit_export(request, object_type: str) -> None:
    audit_record(
        action=AuditAction.EXPORT, object_type=object_type, reason=request.GET.urlencode()[:500]
    )
