"""The calendar page: a year at a glance, overrides, import, year confirmation."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tongqi.accounts.roles import Cap
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response

from . import services
from .calendar import current_calendar
from .forms import ConfirmYearForm, ImportForm, OverrideForm
from .models import CalendarOverride, PauseReason
from .selectors import confirmed_years, provisional_open_clocks, year_at_a_glance


def _year(request) -> int:
    try:
        y = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        y = timezone.localdate().year
    return min(max(y, 2000), 2040)


@capability_required(Cap.CALENDAR_MANAGE, Cap.REPORTS_VIEW)
def calendar_page(request):
    year = _year(request)
    if request.GET.get("export") == "1":
        return _overrides_export(request, year)
    cal = current_calendar()
    months = year_at_a_glance(year)
    return render(
        request,
        "sla/calendar.html",
        {
            "year": year,
            "months": months,
            "provisional": cal.is_provisional(date(year, 1, 1)),
            "provisional_clocks": provisional_open_clocks(),
            "overrides": CalendarOverride.objects.filter(date__year=year).select_related(
                "created_by"
            ),
            "confirmed": confirmed_years(),
            "pause_reasons": PauseReason.objects.order_by("code"),
            "override_form": OverrideForm(),
            "import_form": ImportForm(),
            "confirm_form": ConfirmYearForm(initial={"year": year}),
            "can_manage": request.user.can(Cap.CALENDAR_MANAGE),
            "workdays": sum(1 for _m, weeks in months for w in weeks for c in w if c and c.workday),
        },
    )


def _overrides_export(request, year: int):
    """The year's overrides as Excel (the same columns as the import file, plus who and when)."""
    audit_record(
        action=AuditAction.EXPORT, object_type="sla.calendaroverride", reason=f"year={year}"
    )
    headers = [_("Date"), _("Working day"), _("Source notice"), _("Entered by"), _("Entered at")]
    rows = (
        (
            o.date,
            _("Yes") if o.is_workday else _("No"),
            o.note,
            o.created_by.display_name if o.created_by_id else "",
            o.created_at,
        )
        for o in CalendarOverride.objects.filter(date__year=year)
        .select_related("created_by")
        .order_by("date")
        .iterator(chunk_size=1000)
    )
    return xlsx_response(
        _("calendar-overrides-{year}").format(year=year) + ".xlsx",
        headers,
        rows,
        title=str(year),
    )


def _back(year: int):
    return redirect(reverse("sla:calendar") + f"?year={year}")


@capability_required(Cap.CALENDAR_MANAGE)
@require_POST
def override_add(request):
    form = OverrideForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errs)}",
            )
        return _back(_year(request))
    d = form.cleaned_data
    report = services.calendar_set_overrides(
        rows=[(d["date"], d["is_workday"], d["note"])], actor=request.user
    )
    messages.success(
        request,
        _("Saved. {n} open deadlines recomputed, {m} changed.").format(
            n=report.clocks, m=report.moved
        ),
    )
    return _back(d["date"].year)


@capability_required(Cap.CALENDAR_MANAGE)
@require_POST
def override_remove(request, day: str):
    try:
        d = date.fromisoformat(day)
    except ValueError:
        messages.error(request, _("Not a date."))
        return _back(_year(request))
    report = services.calendar_remove_override(day=d, actor=request.user)
    messages.success(
        request, _("Override removed. {n} open deadlines recomputed.").format(n=report.clocks)
    )
    return _back(d.year)


@capability_required(Cap.CALENDAR_MANAGE)
@require_POST
def import_csv(request):
    form = ImportForm(request.POST, request.FILES)
    year = _year(request)
    if not form.is_valid():
        messages.error(request, _("Choose a CSV file."))
        return _back(year)
    upload = form.cleaned_data["file"]
    if upload.size > 1024 * 1024:
        messages.error(request, _("The file is too large for a calendar (at most 1 MB)."))
        return _back(year)
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text."))
        return _back(year)
    try:
        count, report = services.calendar_import_csv(
            text=text, actor=request.user, filename=upload.name
        )
    except services.CalendarImportError as exc:
        return render(
            request,
            "sla/import_errors.html",
            {"errors": exc.errors, "filename": upload.name, "year": year},
            status=422,
        )
    messages.success(
        request,
        _("{count} overrides imported; {n} open deadlines recomputed.").format(
            count=count, n=report.clocks
        ),
    )
    return _back(year)


@capability_required(Cap.CALENDAR_MANAGE)
@require_POST
def confirm_year(request):
    form = ConfirmYearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the year and the notice that confirms it."))
        return _back(_year(request))
    d = form.cleaned_data
    services.calendar_confirm_year(year=d["year"], notice=d["notice"], actor=request.user)
    messages.success(
        request,
        _("{year} confirmed: its deadlines are no longer provisional.").format(year=d["year"]),
    )
    return _back(d["year"])
