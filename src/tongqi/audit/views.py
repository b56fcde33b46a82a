"""The auditor's pages: search, export and chain verification. Read-only by construction."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import paginate

from .choices import AuditAction
from .forms import AuditFilterForm
from .selectors import audit_search, audit_verify
from .services import audit_record


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_search(**{k: v for k, v in filters.items() if v})


@capability_required(Cap.AUDIT_VIEW)
def audit_list(request):
    form, qs = _filtered(request)
    page = paginate(request, qs.select_related(None), per_page=50)
    return render(request, "audit/list.html", {"form": form, "page": page})


@capability_required(Cap.AUDIT_VIEW)
def audit_export(request):
    form, qs = _filtered(request)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="audit.auditrecord",
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("Sequence"),
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Changes"),
        _("Reason"),
        _("IP address"),
        _("Channel"),
        _("Hash"),
    ]
    labels = dict(AuditAction.choices)
    rows = (
        (
            r.seq,
            r.at,
            r.actor_label,
            str(labels.get(r.action, r.action)),
            r.object_type,
            r.object_id,
            r.object_repr,
            r.changes,
            r.reason,
            r.ip,
            r.channel,
            r.hash,
        )
        for r in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(_("audit-log") + ".xlsx", headers, rows, title=_("Audit log"))


@capability_required(Cap.AUDIT_VIEW)
@require_http_methods(["GET", "POST"])
def audit_verify_view(request):
    report = None
    if request.method == "POST":
        report = audit_verify()
    return render(request, "audit/verify.html", {"report": report})


def _no_edit(request, *args, **kwargs):  # pragma: no cover - documented refusal
    raise PermissionDenied
