"""What every retrofit action shares: the permission and scope check, row locks, versions."""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit

from ..errors import ConflictError, RetrofitError


def require_manager(actor, org_unit_id: int | None) -> None:
    """Writes need RETROFIT_MANAGE and the project's unit in the actor's scope.

    Views check the same first; services check again because the API and commands call them.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    if not actor.can(Cap.RETROFIT_MANAGE) or not can_see_unit(actor, org_unit_id):
        raise PermissionDenied


def lock(model: type[models.Model], pk: int) -> models.Model:
    """The row, locked for the rest of the transaction (``SELECT … FOR UPDATE``)."""
    return model.objects.select_for_update().get(pk=pk)


def check_version(obj, expected: int | None) -> None:
    """Refuse a change made from a stale page: the second of two concurrent actors loses."""
    if expected is not None and int(expected) != obj.version:
        raise ConflictError


def bump(obj) -> None:
    obj.version += 1


def check_past_date(on: date | None) -> date:
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise RetrofitError("date_in_future", field="on_date")
    return on


def require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RetrofitError("reason_required", field="reason")
    return reason


def clean_text(value) -> str:
    """NFKC (full-width digits from Chinese IMEs → ASCII) and trimmed."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


_SUFFIXES = {
    "building": ("号楼", "栋", "幢", "楼"),
    "unit": ("单元",),
    "room": ("室", "号"),
}


def normalise_place(kind: str, value) -> str:
    """``3栋`` → ``3``, ``2单元`` → ``2``, ``502室`` → ``502``: one key per flat however it was
    typed (labels add the suffix back). A name such as ``A座`` stays as it is."""
    text = clean_text(value).replace(" ", "")
    for suffix in _SUFFIXES[kind]:
        if text.endswith(suffix) and text[: -len(suffix)].isdigit():
            return text[: -len(suffix)]
    return text
