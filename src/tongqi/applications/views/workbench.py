"""The staff workbench: scoped queues with the clock on every row, the application page with
one button per allowed action, the action forms, the audited view of full personal data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from tongqi.accounts.choices import Role, UnitKind
from tongqi.accounts.models import Grid, User
from tongqi.accounts.roles import Cap
from tongqi.accounts.scoping import can_see_unit, restrict_units
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.masking import mask_id_number, mask_mobile
from tongqi.sla.choices import Level
from tongqi.sla.selectors import last_event_at
from tongqi.web.decorators import capability_required
from tongqi.web.exports import xlsx_response
from tongqi.web.listing import CappedCount, capped_count, paginate, sort_from_request

from .. import services as svc
from ..choices import CommitmentStatus, Status
from ..forms import (
    AcceptanceForm,
    AcceptForm,
    AssignForm,
    CancelForm,
    CommitmentFulfilForm,
    PauseForm,
    PiiRevealForm,
    QueueFilterForm,
    RejectForm,
    ReopenForm,
    RequestAcceptanceForm,
    ResumeForm,
    SurveyForm,
    VisitForm,
)
from ..models import Commitment
from ..selectors import (
    QUEUES,
    application_for,
    clock_view,
    in_person_visits,
    last_event_id,
    queue,
    search,
)
from ..services.transitions import TRANSITIONS, can_act
from .common import (
    attachment_response,
    error_status,
    form_resolver,
    full_clock,
    page_error,
    pending_stages,
    place_errors,
    render_panels,
    steps_for,
    timeline,
)

view_required = capability_required(Cap.APP_VIEW)

QUEUE_LABELS = {
    "new": gettext_lazy("New"),
    "mine": gettext_lazy("Mine"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "waiting_customer": gettext_lazy("Waiting for the customer"),
    "commitments": gettext_lazy("容缺 items due"),
    "acceptance": gettext_lazy("To accept and ignite"),
    "all": gettext_lazy("All"),
}
SORTS = {
    "number": "number",
    "enterprise": "enterprise__name",
    "submitted": "submitted_at",
    "status": "status",
    "category": "category",
    "grid": "grid__unit__code",
    "manager": "account_manager__full_name",
    "deadline": "clock__deadline",
}
DEFAULT_SORT = {
    "new": "submitted",
    "mine": "deadline",
    "due_soon": "deadline",
    "overdue": "deadline",
    "waiting_customer": "deadline",
    "commitments": "deadline",
    "acceptance": "deadline",
    "all": "-submitted",
}


ACCEPTANCE_QUEUE = "acceptance"


def queues_for(user) -> list[str]:
    """The queue tabs of this user: "mine" for account managers, "to accept" for engineers."""
    names = [q for q in QUEUES if q != "mine" or user.role == Role.ACCOUNT_MANAGER]
    if user.can(Cap.APP_ACCEPTANCE):
        names.insert(1, ACCEPTANCE_QUEUE)
    return names


def default_queue(user) -> str:
    if user.role == Role.ACCOUNT_MANAGER:
        return "mine"
    if user.can(Cap.APP_ACCEPTANCE):
        return ACCEPTANCE_QUEUE
    return "all"


def _queue_name(request) -> str:
    name = request.GET.get("queue") or default_queue(request.user)
    return name if name in queues_for(request.user) else "all"


def _queue(user, name: str):
    """The selector's queues, plus the engineers' acceptance visits to make."""
    if name == ACCEPTANCE_QUEUE:
        return queue(user, "all").filter(status=Status.ACCEPTANCE_REQUESTED)
    return queue(user, name)


def _grid_choices(user) -> list[tuple[str, str]]:
    grids = restrict_units(Grid.objects.select_related("unit"), user, "unit").order_by("unit__code")
    return [(g.unit.code, g.unit.name) for g in grids]


def _filtered(request):
    """The queue, the filters and the sort of a workbench list (shared with the export)."""
    name = _queue_name(request)
    form = QueueFilterForm(request.GET or None, grids=_grid_choices(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = search(_queue(request.user, name), **{k: v for k, v in filters.items() if v})
    sort = sort_from_request(request, SORTS, DEFAULT_SORT[name])
    field = F(sort.field)
    order = field.desc(nulls_last=True) if sort.descending else field.asc(nulls_last=True)
    qs = qs.order_by(order, "-pk")
    return name, form, qs, sort


@view_required
@require_GET
def workbench(request):
    """My queues: new / mine / due soon / overdue / waiting / 容缺 / all, the clock on each row."""
    name, form, qs, sort = _filtered(request)
    page = paginate(request, qs)
    now = timezone.now()
    rows = [(a, clock_view(a, now=now)) for a in page.object_list]
    counts = _tab_counts(request.user, compute=False)
    return render(
        request,
        "applications/workbench/list.html",
        {
            "queue": name,
            "tabs": _tabs(request.user, counts),
            "counts_pending": counts is None,
            "form": form,
            "page": page,
            "rows": rows,
            "sort": sort,
            "filtered": bool(form.is_bound and any(form.data.get(k) for k in form.fields)),
            "advanced": bool(
                form.is_bound and any(form.data.get(k) for k in form.fields if k != "q")
            ),
            "perms_counter": request.user.can(Cap.APP_COUNTER),
        },
    )


# How long a user's tab counts are kept at most. Any transition invalidates them at once (the key
# holds the newest event's id); the time bound covers what moves without an event: the periodic
# SLA job turning rows "due soon" or "overdue", and commitments reaching their due date.
COUNTS_TTL = 60


def _tab_counts(user, *, compute: bool) -> dict[str, CappedCount] | None:
    """The count on each queue tab, from the cache; computed (and kept) only when ``compute``.

    The list page does not compute them: at a million applications the counts of all the tabs
    cost more than the page itself, so the page asks for them afterwards (``tab_counts``).
    """
    key = f"workbench:counts:{user.pk}:{last_event_id()}"
    kept = cache.get(key)
    if kept is None and compute:
        # capped: a tab says "999+" rather than counting a million rows
        counts = {q: capped_count(_queue(user, q)) for q in queues_for(user) if q != "all"}
        kept = {q: (int(n), n.capped) for q, n in counts.items()}
        cache.set(key, kept, COUNTS_TTL)
    if kept is None:
        return None
    return {q: CappedCount.of(n, capped) for q, (n, capped) in kept.items()}


def _tabs(user, counts: dict[str, CappedCount] | None) -> list[tuple[str, Any, Any]]:
    counts = counts or {}
    return [(q, QUEUE_LABELS[q], counts.get(q)) for q in queues_for(user)]


@view_required
@require_GET
def tab_counts(request):
    """The queue tabs with their counts: fetched by the list page once it is shown (htmx)."""
    return render(
        request,
        "applications/workbench/_tabs.html",
        {
            "queue": _queue_name(request),
            "tabs": _tabs(request.user, _tab_counts(request.user, compute=True)),
            "counts_pending": False,
        },
    )


@view_required
@require_GET
def export(request):
    """The same list as an Excel file; phone numbers masked (PIPL)."""
    name, form, qs, sort = _filtered(request)
    audit_record(
        action=AuditAction.EXPORT,
        object_type="applications.application",
        reason=request.GET.urlencode()[:500],
    )
    headers = [
        _("Application number"),
        _("Enterprise"),
        _("USCC"),
        _("Contact person"),
        _("Contact mobile number"),
        _("District"),
        _("Address"),
        _("Grid"),
        _("Account manager"),
        _("Channel"),
        _("Stage"),
        _("Project category"),
        _("Submitted on"),
        _("Accepted on"),
        _("Time limit (working days)"),
        _("Working days used"),
        _("Deadline"),
        _("Time-limit status"),
        _("Gas on at"),
    ]
    levels = dict(Level.choices)
    now = timezone.now()

    def rows():
        for a in qs.iterator(chunk_size=1000):
            cv = clock_view(a, now=now)
            yield (
                a.number,
                a.enterprise.name,
                a.enterprise.uscc,
                a.enterprise.contact_name,
                mask_mobile(a.enterprise.contact_mobile),
                a.district.name,
                f"{a.street}{a.address_detail}",
                a.grid.unit.name if a.grid_id else "",
                a.account_manager.display_name if a.account_manager_id else "",
                a.get_channel_display(),
                a.get_status_display(),
                a.get_category_display() if a.category else "",
                a.submitted_at,
                a.accepted_at,
                a.limit_days,
                cv.used_days if cv else None,
                cv.deadline if cv else None,
                str(levels.get(cv.level, "")) if cv else "",
                a.gas_on_at,
            )

    filename = _("applications-{queue}-{date}.xlsx").format(
        queue=name, date=timezone.localdate().isoformat()
    )
    return xlsx_response(filename, headers, rows(), title=_("Applications"))


# --- the application page ----------------------------------------------------------------------


@dataclass(frozen=True)
class ActionSpec:
    """A button on the application page and the form behind it."""

    key: str
    label: Any
    transitions: tuple[str, ...]
    form: type
    run: Callable
    success: Any
    title: Any
    confirm: Any = ""
    style: str = ""
    intro: Any = ""
    available: Callable | None = None  # extra condition (e.g. the clock is running)
    submit: Any = ""  # the form's button, when it should say more than the label

    def caps(self) -> set[str]:
        return {c for t in self.transitions for c in TRANSITIONS[t].caps}

    def allowed(self, user, app) -> bool:
        if not any(can_act(user, app, t) for t in self.transitions):
            return False
        return self.available is None or self.available(app)


def _run_accept(app, user, d):
    return svc.application_accept(
        application=app,
        actor=user,
        category=d["category"],
        missing_items=d["_items"],
        commitment_text=d["commitment_text"],
        commitment_due=d["commitment_due"],
        expected_version=d["version"],
    )


def _run_survey(app, user, d):
    return svc.application_survey(
        application=app,
        actor=user,
        category=d["category"],
        surveyed_at=d["surveyed_at"],
        pipe_length_m=d["pipe_length_m"],
        external_length_m=d["external_length_m"],
        meter_rating=d["meter_rating"],
        gas_source_available=d["gas_source_available"],
        findings=d["findings"],
        safety_conditions_ok=d["safety_conditions_ok"],
        expected_version=d["version"],
    )


def _run_acceptance(app, user, d):
    return svc.application_record_acceptance(
        application=app,
        actor=user,
        passed=d["passed"],
        at=d["at"],
        pressure_test_ok=d["pressure_test_ok"],
        leak_test_ok=d["leak_test_ok"],
        appliances_ok=d["appliances_ok"],
        meter_number=d["meter_number"],
        meter_reading=d["meter_reading"],
        ignited=d["ignited"],
        rectification_items=d["rectification_items"],
        note=d["note"],
        expected_version=d["version"],
    )


def _run_visit(app, user, d):
    if d["version"] != app.version:  # no version in the service: a stale page still conflicts
        raise svc.Conflict()
    return svc.visit_record(application=app, actor=user, kind=d["kind"], note=d["note"], at=d["at"])


def _clock_running(app) -> bool:
    return app.clock_id is not None and app.clock.is_open and not app.clock.paused


def _clock_paused(app) -> bool:
    return app.clock_id is not None and app.clock.is_open and app.clock.paused


ACTIONS: dict[str, ActionSpec] = {
    a.key: a
    for a in [
        ActionSpec(
            "accept",
            gettext_lazy("Accept"),
            ("accept",),
            AcceptForm,
            _run_accept,
            gettext_lazy("Accepted. The time limit has started."),
            gettext_lazy("Accept the application (受理)"),
            confirm=gettext_lazy("Accept this application? The time limit starts now."),
            style="btn-primary",
            intro=gettext_lazy(
                "Accept when the application is complete. If non-key documents are missing, name "
                "them: the application is accepted now (容缺受理) against the customer's written "
                "commitment to supply them by the due date."
            ),
        ),
        ActionSpec(
            "reject",
            gettext_lazy("Reject"),
            ("reject",),
            RejectForm,
            lambda app, user, d: svc.application_reject(
                application=app, actor=user, reason=d["reason"], expected_version=d["version"]
            ),
            gettext_lazy("The application was not accepted; the customer was told why."),
            gettext_lazy("Do not accept the application"),
            confirm=gettext_lazy("Reject this application? The customer sees the reason."),
            style="btn-danger",
        ),
        ActionSpec(
            "survey",
            gettext_lazy("Survey and category"),
            ("survey",),
            SurveyForm,
            _run_survey,
            gettext_lazy("The survey was recorded and the category set."),
            gettext_lazy("Site survey (现场踏勘) and project category"),
            style="btn-primary",
            submit=gettext_lazy("Save the survey"),
            intro=gettext_lazy(
                "The project category sets the time limit: standard package 3, without external "
                "works 8, with external works 16 working days."
            ),
        ),
        ActionSpec(
            "request_acceptance",
            gettext_lazy("Request acceptance"),
            ("request_acceptance",),
            RequestAcceptanceForm,
            lambda app, user, d: svc.application_request_acceptance(
                application=app,
                actor=user,
                preferred_date=d["preferred_date"],
                note=d["note"],
                expected_version=d["version"],
            ),
            gettext_lazy("Acceptance requested for the customer."),
            gettext_lazy("Request acceptance on the customer's behalf"),
        ),
        ActionSpec(
            "acceptance",
            gettext_lazy("Acceptance and ignition"),
            ("acceptance_passed", "acceptance_failed"),
            AcceptanceForm,
            _run_acceptance,
            gettext_lazy("The acceptance and ignition record was saved."),
            gettext_lazy("Acceptance, connection and ignition record (验收点火碰头送气)"),
            confirm=gettext_lazy(
                "Save this acceptance record? When passed, gas goes on and the time limit stops."
            ),
            style="btn-primary",
            submit=gettext_lazy("Save the record"),
        ),
        ActionSpec(
            "pause",
            gettext_lazy("Pause the clock"),
            ("pause",),
            PauseForm,
            lambda app, user, d: svc.application_pause(
                application=app,
                actor=user,
                reason_code=d["reason_code"],
                reason=d["reason"],
                expected_version=d["version"],
            ),
            gettext_lazy("The time limit is paused; the customer sees the reason."),
            gettext_lazy("Pause the time limit"),
            available=_clock_running,
            intro=gettext_lazy(
                "Pause only for a reason on the customer's side or an outside approval. The "
                "customer sees the pause and its reason."
            ),
        ),
        ActionSpec(
            "resume",
            gettext_lazy("Resume the clock"),
            ("resume",),
            ResumeForm,
            lambda app, user, d: svc.application_resume(
                application=app, actor=user, reason=d["reason"], expected_version=d["version"]
            ),
            gettext_lazy("The time limit runs again."),
            gettext_lazy("Resume the time limit"),
            available=_clock_paused,
        ),
        ActionSpec(
            "assign",
            gettext_lazy("Assign"),
            ("assign",),
            AssignForm,
            lambda app, user, d: svc.application_assign(
                application=app,
                actor=user,
                manager=d["manager"],
                reason=d["reason"],
                expected_version=d["version"],
            ),
            gettext_lazy("The application was assigned."),
            gettext_lazy("Assign to another account manager"),
        ),
        ActionSpec(
            "visit",
            gettext_lazy("Record a visit"),
            ("visit",),
            VisitForm,
            _run_visit,
            gettext_lazy("The visit was recorded."),
            gettext_lazy("Record an in-person contact"),
            submit=gettext_lazy("Save the record"),
            intro=gettext_lazy(
                "Only the customer's trips to a service counter count against “zero visits” "
                "(零上门)."
            ),
        ),
        ActionSpec(
            "cancel",
            gettext_lazy("Cancel the application"),
            ("cancel",),
            CancelForm,
            lambda app, user, d: svc.application_cancel(
                application=app, actor=user, reason=d["reason"], expected_version=d["version"]
            ),
            gettext_lazy("The application was cancelled."),
            gettext_lazy("Cancel the application for the customer"),
            confirm=gettext_lazy("Cancel this application? This cannot be undone."),
            style="btn-danger",
        ),
        ActionSpec(
            "reopen",
            gettext_lazy("Reopen"),
            ("reopen",),
            ReopenForm,
            lambda app, user, d: svc.application_reopen(
                application=app, actor=user, reason=d["reason"], expected_version=d["version"]
            ),
            gettext_lazy("The application was reopened and awaits acceptance again."),
            gettext_lazy("Reopen the application"),
            confirm=gettext_lazy("Reopen this application? It returns to the acceptance queue."),
        ),
    ]
}


def _managers_for(app):
    """Account managers who work in the application's grid (the service checks again)."""
    if not app.org_unit_id:
        return User.objects.none()
    # who can see a unit: people of the unit or an ancestor, or of a department under one
    ancestors = [int(p) for p in app.org_unit.path.strip("/").split("/") if p]
    candidates = list(
        User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True)
        .filter(
            Q(org_unit_id__in=ancestors)
            | Q(org_unit__parent_id__in=ancestors, org_unit__kind=UnitKind.DEPARTMENT)
        )
        .select_related("org_unit")
    )
    ids = [u.pk for u in candidates if can_see_unit(u, app.org_unit_id)]
    return User.objects.filter(pk__in=ids).select_related("org_unit").order_by("full_name")


def _initial(spec: ActionSpec, app) -> dict:
    now = timezone.localtime().replace(second=0, microsecond=0)
    if spec.key == "accept":
        return {"category": app.category or "standard_package"}
    if spec.key == "survey":
        try:
            s = app.survey
        except ObjectDoesNotExist:
            return {"surveyed_at": now, "category": app.category or "standard_package"}
        return {
            "surveyed_at": now,
            "category": s.category,
            "pipe_length_m": s.pipe_length_m,
            "external_length_m": s.external_length_m,
            "meter_rating": s.meter_rating,
            "gas_source_available": s.gas_source_available,
            "findings": s.findings,
            "safety_conditions_ok": s.safety_conditions_ok,
        }
    if spec.key in ("acceptance", "visit"):
        return {"at": now}
    if spec.key == "assign":
        return {"manager": app.account_manager_id}
    return {}


def _precise(value, last: datetime | None = None):
    """Read a time typed to the minute the way the person meant it; the ledger keeps seconds.

    This minute is now. A minute that holds the ledger's last event (the form was opened in the
    minute the previous step was recorded) is that event's instant, not the minute's start."""
    if not isinstance(value, datetime):
        return value
    now = timezone.now()
    if timedelta(0) <= now - value < timedelta(minutes=1):
        return now
    minute = timedelta(minutes=1)
    if last is not None and value <= last < value + minute and not value.second:
        return min(last, now)
    return value


@view_required
@require_http_methods(["GET", "POST"])
def act(request, pk, action):
    """One action's form: GET shows it, POST runs the service; errors stay on the page."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    app = application_for(request.user, pk)
    if not any(request.user.can(c) for c in spec.caps()):
        raise PermissionDenied
    kwargs = {"application": app}
    if spec.key == "assign":
        kwargs["managers"] = _managers_for(app)
    status = 200
    if request.method == "GET":
        if not spec.allowed(request.user, app):
            messages.error(request, _("This is not possible at the application's current stage."))
            return redirect("applications:detail", pk=app.pk)
        form = spec.form(initial=_initial(spec, app), **kwargs)
    else:
        form = spec.form(request.POST, **kwargs)
        if form.is_valid():
            last = last_event_at(app.clock_id)
            data = {k: _precise(v, last) for k, v in form.cleaned_data.items()}
            if spec.key == "accept":
                data["_items"] = form.items()
            try:
                spec.run(app, request.user, data)
            except svc.ApplicationError as exc:
                if isinstance(exc, svc.InvalidInput):
                    for m in place_errors(exc.fields, form_resolver(form)):
                        form.add_error(None, m)
                elif exc.code == "clock_out_of_order" and "at" in form.fields:
                    form.add_error("at", _("The time is before the last recorded step."))
                else:
                    form.add_error(None, page_error(exc))
                status = error_status(exc)
            else:
                messages.success(request, str(spec.success))
                return redirect("applications:detail", pk=app.pk)
    return render(
        request,
        "applications/workbench/action.html",
        {"app": app, "form": form, "spec": spec, "clock": clock_view(app)},
        status=status,
    )


@view_required
@require_http_methods(["GET", "POST"])
def fulfil(request, pk, commitment_pk):
    """容缺: the promised items arrived by another way (paper, courier…); close the commitment."""
    app = application_for(request.user, pk)
    if not any(request.user.can(c) for c in TRANSITIONS["commitment_fulfilled"].caps):
        raise PermissionDenied
    commitment = Commitment.objects.filter(application=app, pk=commitment_pk).first()
    if commitment is None:
        raise Http404
    if commitment.status != CommitmentStatus.OPEN or not can_act(
        request.user, app, "commitment_fulfilled"
    ):
        messages.error(request, _("This commitment cannot be closed now."))
        return redirect("applications:detail", pk=app.pk)
    form = CommitmentFulfilForm(request.POST or None, application=app)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["version"] != app.version:
                raise svc.Conflict()
            svc.commitment_fulfil(
                commitment=commitment, actor=request.user, note=form.cleaned_data["note"]
            )
        except svc.ApplicationError as exc:
            form.add_error(None, page_error(exc))
            status = error_status(exc)
        else:
            messages.success(request, _("The commitment is closed: the items were received."))
            return redirect("applications:detail", pk=app.pk)
    spec = ActionSpec(
        "fulfil",
        _("Items received"),
        ("commitment_fulfilled",),
        CommitmentFulfilForm,
        lambda *a: None,
        "",
        _("Missing items received (容缺)"),
        intro=_("Promised: {items}, due {date}. {text}").format(
            items="、".join(commitment.missing_items),
            date=commitment.due_date.isoformat(),
            text=commitment.text,
        ),
    )
    return render(
        request,
        "applications/workbench/action.html",
        {"app": app, "form": form, "spec": spec, "clock": clock_view(app)},
        status=status,
    )


@view_required
@require_GET
def detail(request, pk):
    """The application page: header with the clock; 基本信息 / 进度 / 材料 / 报价 / 记录."""
    app = application_for(request.user, pk)
    view, pauses = full_clock(app)
    user = request.user
    actions = [a for a in ACTIONS.values() if a.allowed(user, app)]
    try:
        survey = app.survey
    except ObjectDoesNotExist:
        survey = None
    ctx = {
        "app": app,
        "clock": view,
        "pauses": pauses,
        "steps": steps_for(app),
        "events": timeline(app, public_only=False),
        "pending": pending_stages(app),
        "commitments": list(app.commitments.order_by("status", "due_date")),
        "can_fulfil": can_act(user, app, "commitment_fulfilled"),
        "attachments": app.attachments.select_related("uploaded_by").order_by("uploaded_at"),
        "appliances": [(a, a.rated_flow * a.count) for a in app.appliances.all()],
        "survey": survey,
        "acceptance_records": app.acceptance_records.select_related("inspector"),
        "visits": app.visits.select_related("recorded_by").order_by("-at"),
        "customer_trips": in_person_visits(app),
        "panels": render_panels(request, app, customer=False),
        "actions": actions,
        "can_pii": user.can(Cap.PII_FULL),
        "masked_mobile": mask_mobile(app.enterprise.contact_mobile),
        "masked_id": mask_id_number(app.enterprise.id_number),
    }
    return render(request, "applications/workbench/detail.html", ctx)


@capability_required(Cap.PII_FULL)
@require_http_methods(["GET", "POST"])
def reveal_pii(request, pk):
    """The full contact mobile and ID number, after a reason is given and audited."""
    app = application_for(request.user, pk)
    form = PiiRevealForm(request.POST or None)
    revealed = None
    if request.method == "POST" and form.is_valid():
        ent = app.enterprise
        audit_record(
            action=AuditAction.VIEW_PII,
            obj=ent,
            reason=form.cleaned_data["reason"],
            changes={
                "application": [None, app.number],
                "fields": [None, ["contact_mobile", "id_number"]],
            },
        )
        revealed = {
            "contact_name": ent.contact_name,
            "contact_mobile": ent.contact_mobile,
            "id_number": ent.id_number,
            "legal_representative": ent.legal_representative,
            "applicant_mobile": app.applicant.mobile if app.applicant_id else "",
        }
    return render(
        request,
        "applications/workbench/pii.html",
        {"app": app, "form": form, "revealed": revealed},
    )


@view_required
@require_GET
def attachment(request, pk, attachment_pk):
    app = application_for(request.user, pk)
    return attachment_response(app, attachment_pk)
