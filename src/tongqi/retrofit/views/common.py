"""What the retrofit views share: the project context, error mapping, exports."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect

from tongqi.accounts.roles import Cap
from tongqi.core.masking import mask_mobile
from tongqi.web.exports import xlsx_response

from ..errors import RetrofitError
from ..selectors import project_get, stage_steps


def version_of(form) -> int | None:
    return form.cleaned_data.get("version")


def apply_error(form, exc: RetrofitError) -> None:
    """A domain error as a field-level error when it names a field the form has."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def refuse(request, exc: RetrofitError, to: str):
    messages.error(request, exc.message)
    return redirect(to)


def project_context(request, pk: int, tab: str) -> dict:
    project = project_get(request.user, pk)
    return {
        "project": project,
        "steps": stage_steps(project),
        "tab": tab,
        "can_manage": request.user.can(Cap.RETROFIT_MANAGE),
    }


def export(filename: str, title: str, headers, rows):
    return xlsx_response(filename, [str(h) for h in headers], rows, title=title)


def masked(phone: str) -> str:
    return mask_mobile(phone)
