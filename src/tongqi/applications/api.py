"""Applications over the REST API: customers do what the portal does, staff what the workbench
does (same services, same permissions and scoping), and the government portal (一网通办)
submits, attaches documents and reads status and timeline through signed requests."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tongqi.accounts.roles import Cap
from tongqi.api.errors import errors
from tongqi.api.gov import gov_router
from tongqi.api.idempotency import idempotent
from tongqi.api.pagination import LimitOffset, paginate
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.core.masking import mask_mobile
from tongqi.integration.errors import ApiError

from . import selectors
from . import services as svc
from .choices import (
    CUSTOMER_STEP,
    AttachmentKind,
    Category,
    Channel,
    CustomerStep,
    UsageType,
    VisitKind,
)
from .choices import Status as Stage
from .models import Application, ApplicationEvent, Attachment
from .services.submit import (
    ApplianceInput,
    ApplicationInput,
    EnterpriseInput,
    application_create_and_submit,
)
from .services.transitions import TRANSITIONS, allowed_actions

router = Router(tags=["Applications"])
ROUTER_PREFIX = "/applications"

MAX_UPLOAD = 20 * 1024 * 1024


# --- schemas --------------------------------------------------------------------------------


class EnterpriseIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    uscc: str = Field(..., min_length=1, max_length=30, description="统一社会信用代码 (GB 32100)")
    legal_representative: str = Field(..., min_length=1, max_length=60)
    contact_name: str = Field(..., min_length=1, max_length=60)
    contact_mobile: str = Field(..., min_length=1, max_length=20)
    id_number: str = Field("", max_length=20, description="Optional resident ID (GB 11643)")
    registered_address: str = Field("", max_length=300)


class ApplianceIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    rated_flow: Decimal = Field(..., gt=0, le=5000, description="m³/h")
    count: int = Field(1, ge=1, le=500)


class ApplicationIn(Schema):
    enterprise: EnterpriseIn
    district_code: str = Field(..., min_length=1, max_length=16)
    street: str = Field(..., min_length=1, max_length=60)
    address_detail: str = Field(..., min_length=1, max_length=200)
    usage_type: UsageType
    annual_consumption: Decimal = Field(..., ge=0, le=1_000_000_000, description="m³ per year")
    appliances: list[ApplianceIn] = Field(..., min_length=1, max_length=200)
    desired_gas_on_date: date | None = None
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    coord_system: Literal["", "wgs84", "gcj02"] = ""
    note: str = Field("", max_length=2000)
    privacy_notice_accepted: bool = Field(
        ..., description="The applicant read and accepted the personal-information notice"
    )


class CustomerApplicationIn(ApplicationIn):
    channel: Literal["web", "mobile", "kiosk"] = "web"


class ClockOut(Schema):
    used_days: Decimal = Field(..., description="Working days used, 2 decimals")
    limit_days: int
    percent: float
    level: str = Field(..., description="none / warn50 / warn80 / overdue")
    deadline: datetime | None
    paused: bool
    pause_reason: str
    provisional: bool
    stopped_at: datetime | None
    on_time: bool | None


class ContactOut(Schema):
    role: str
    name: str
    phone: str


class ApplicationSummaryOut(Schema):
    id: int
    number: str | None
    status: str
    status_label: str
    customer_step: int
    enterprise_name: str
    channel: str
    category: str
    submitted_at: datetime | None
    account_manager: str | None
    clock: ClockOut | None


class EventOut(Schema):
    at: datetime
    action: str
    action_label: str
    from_status: str
    to_status: str
    actor: str
    channel: str
    reason: str


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime


class ApplicationOut(ApplicationSummaryOut):
    version: int
    customer_step_label: str
    uscc: str
    contact_name: str
    contact_mobile: str = Field(..., description="Masked unless the viewer may see it")
    district: str
    street: str
    address_detail: str
    usage_type: str
    peak_load: Decimal
    annual_consumption: Decimal
    desired_gas_on_date: date | None
    limit_days: int | None
    accepted_at: datetime | None
    gas_on_at: datetime | None
    outcome_reason: str
    contacts: list[ContactOut]
    allowed_actions: list[str]
    open_commitments: list[str]
    in_person_visits: int


class ApplicationFilter(Schema):
    status: Stage | None = None
    category: Category | None = None
    channel: Channel | None = None
    q: str | None = Field(None, max_length=100, description="Number, enterprise, USCC or phone")
    queue: (
        Literal["new", "mine", "due_soon", "overdue", "waiting_customer", "commitments", "all"]
        | None
    ) = Field(None, description="Staff work queues")
    submitted_from: date | None = None
    submitted_to: date | None = None


class VersionIn(Schema):
    expected_version: int | None = Field(
        None, ge=1, description="The version you saw; a different one is a 409 conflict"
    )


class AcceptIn(VersionIn):
    category: Category = Category.STANDARD_PACKAGE
    missing_items: list[str] = Field(default_factory=list, max_length=20)
    commitment_text: str = Field("", max_length=2000)
    commitment_due: date | None = None


class ReasonIn(VersionIn):
    reason: str = Field(..., min_length=1, max_length=2000)


class OptionalReasonIn(VersionIn):
    reason: str = Field("", max_length=2000)


class SurveyIn(VersionIn):
    category: Category
    pipe_length_m: Decimal = Field(Decimal("0"), ge=0, le=100000)
    external_length_m: Decimal = Field(Decimal("0"), ge=0, le=100000)
    meter_rating: str = Field("", max_length=20)
    gas_source_available: bool = True
    findings: str = Field("", max_length=4000)
    safety_conditions_ok: bool = True


class PauseIn(ReasonIn):
    reason_code: Literal["customer_documents", "customer_works", "customer_delay", "admin_approval"]


class AcceptanceRequestIn(VersionIn):
    preferred_date: date | None = None
    note: str = Field("", max_length=500)


class AcceptanceRecordIn(VersionIn):
    passed: bool
    pressure_test_ok: bool = True
    leak_test_ok: bool = True
    appliances_ok: bool = True
    meter_number: str = Field("", max_length=40)
    meter_reading: Decimal | None = Field(None, ge=0, le=10**9)
    ignited: bool = False
    rectification_items: str = Field("", max_length=4000)
    note: str = Field("", max_length=4000)


class AssignIn(VersionIn):
    manager_id: int
    reason: str = Field("", max_length=500)


class VisitIn(Schema):
    kind: VisitKind
    note: str = Field("", max_length=200)


class PiiOut(Schema):
    contact_mobile: str
    id_number: str


class PiiIn(Schema):
    reason: str = Field(..., min_length=2, max_length=500)


# --- helpers --------------------------------------------------------------------------------


def _clock(app: Application, *, full: bool = False) -> ClockOut | None:
    view = selectors.clock_view(app, full=full)
    if view is None:
        return None
    return ClockOut(
        used_days=view.used_days,
        limit_days=view.limit_days,
        percent=round(view.percent, 1),
        level=view.level,
        deadline=view.deadline,
        paused=view.paused,
        pause_reason=view.pause_reason,
        provisional=view.provisional,
        stopped_at=view.stopped_at,
        on_time=view.on_time,
    )


def _summary(app: Application) -> dict:
    return {
        "id": app.pk,
        "number": app.number,
        "status": app.status,
        "status_label": str(app.get_status_display()),
        "customer_step": int(CUSTOMER_STEP[Stage(app.status)]),
        "enterprise_name": app.enterprise.name,
        "channel": app.channel,
        "category": app.category,
        "submitted_at": app.submitted_at,
        "account_manager": app.account_manager.display_name if app.account_manager else None,
        "clock": _clock(app),
    }


def _contacts(app: Application) -> list[ContactOut]:
    out = []
    for role, person in (
        ("account_manager", app.account_manager),
        ("meter_reader", app.meter_reader),
        ("safety_inspector", app.safety_inspector),
    ):
        if person is not None:
            out.append(ContactOut(role=role, name=person.display_name, phone=person.mobile))
    return out


def _detail(app: Application, user, *, new: bool = False) -> dict:
    ent = app.enterprise
    step = CUSTOMER_STEP[Stage(app.status)]
    return {
        **_summary(app),
        "clock": _clock(app, full=True),
        "version": app.version,
        "customer_step_label": str(CustomerStep(step).label),
        "uscc": ent.uscc,
        "contact_name": ent.contact_name,
        "contact_mobile": ent.contact_mobile
        if user is not None and user.is_customer
        else mask_mobile(ent.contact_mobile),
        "district": app.district.name,
        "street": app.street,
        "address_detail": app.address_detail,
        "usage_type": app.usage_type,
        "peak_load": app.peak_load,
        "annual_consumption": app.annual_consumption,
        "desired_gas_on_date": app.desired_gas_on_date,
        "limit_days": app.limit_days,
        "accepted_at": app.accepted_at,
        "gas_on_at": app.gas_on_at,
        "outcome_reason": app.outcome_reason,
        "contacts": _contacts(app),
        "allowed_actions": allowed_actions(user, app) if user is not None else [],
        # a just-submitted application has neither commitments nor visits yet
        "open_commitments": []
        if new
        else ["、".join(c.missing_items) for c in selectors.open_commitments(app)],
        "in_person_visits": 0 if new else selectors.in_person_visits(app),
    }


def _events(app: Application, *, public_only: bool) -> QuerySet[ApplicationEvent]:
    qs = app.events.order_by("at", "id")
    return qs.filter(public=True) if public_only else qs


def _event_out(e: ApplicationEvent) -> dict:
    rule = TRANSITIONS.get(e.action)
    return {
        "at": e.at,
        "action": e.action,
        "action_label": str(rule.label) if rule else e.action,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "actor": e.actor_label,
        "channel": e.channel,
        "reason": e.reason,
    }


DETAIL_RELATED = ("meter_reader", "safety_inspector")


def _get(request, pk: int, *, detail: bool = False) -> Application:
    return selectors.application_for(request.auth, pk, related=DETAIL_RELATED if detail else ())


def _to_input(payload: ApplicationIn) -> tuple[EnterpriseInput, ApplicationInput]:
    e = payload.enterprise
    ent = EnterpriseInput(
        name=e.name,
        uscc=e.uscc,
        legal_representative=e.legal_representative,
        contact_name=e.contact_name,
        contact_mobile=e.contact_mobile,
        id_number=e.id_number,
        registered_address=e.registered_address,
    )
    data = ApplicationInput(
        district_code=payload.district_code,
        street=payload.street,
        address_detail=payload.address_detail,
        usage_type=payload.usage_type,
        annual_consumption=payload.annual_consumption,
        appliances=[ApplianceInput(a.name, a.rated_flow, a.count) for a in payload.appliances],
        desired_gas_on_date=payload.desired_gas_on_date,
        latitude=payload.latitude,
        longitude=payload.longitude,
        coord_system=payload.coord_system,
        note=payload.note,
        privacy_notice_accepted=payload.privacy_notice_accepted,
    )
    return ent, data


def _reload(app: Application) -> Application:
    """The application again after an action changed it, with what a detail shows."""
    return Application.objects.select_related(*selectors.LIST_RELATED, *DETAIL_RELATED).get(
        pk=app.pk
    )


ACTION_ERRORS = errors(404, 409)


# --- customers and staff --------------------------------------------------------------------


@router.get(
    "",
    response={200: list[ApplicationSummaryOut], **errors()},
    summary="List the applications you may see",
)
@paginate(LimitOffset)
def application_list(request, filters: Query[ApplicationFilter]):
    """Customers: their enterprises' applications. Staff: their org unit's (a queue when asked)."""
    user = request.auth
    if filters.queue and user.is_customer:
        raise ApiError("permission_denied")
    qs = (
        selectors.queue(user, filters.queue)
        if filters.queue
        else selectors.visible_applications(user).select_related(*selectors.LIST_RELATED)
    )
    qs = selectors.search(
        qs,
        q=filters.q or "",
        status=filters.status or "",
        category=filters.category or "",
        channel=filters.channel or "",
        date_from=filters.submitted_from,
        date_to=filters.submitted_to,
    )
    return _LazySummaries(qs.order_by("-id"))


class _LazySummaries:
    """A queryset the paginator slices first, then turns into summaries (no N+1)."""

    def __init__(self, qs):
        self.qs = qs

    def __getitem__(self, item):
        return [_summary(a) for a in self.qs[item]]

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()


@router.post(
    "",
    response={201: ApplicationOut, **errors(409)},
    summary="Submit an application (customer: portal; counter clerk: walk-in)",
)
@idempotent
def application_create(request, payload: CustomerApplicationIn):
    user = request.auth
    if user.is_customer:
        channel = payload.channel
    elif user.can(Cap.APP_COUNTER):
        channel = Channel.COUNTER
    else:
        raise ApiError("permission_denied")
    ent, data = _to_input(payload)
    app = application_create_and_submit(actor=user, enterprise_data=ent, data=data, channel=channel)
    # The service hands back the row it wrote with its enterprise, district, grid and manager;
    # reading it again would cost a many-join query for nothing.
    return Status(201, _detail(app, user, new=True))


@router.get(
    "/{application_id}",
    response={200: ApplicationOut, **errors(404)},
    summary="One application: stage, the two customer steps, the clock, contacts",
)
def application_detail(request, application_id: int):
    return _detail(_get(request, application_id, detail=True), request.auth)


@router.get(
    "/{application_id}/events",
    response={200: list[EventOut], **errors(404)},
    summary="The timeline (customers see the public events)",
)
def application_events(request, application_id: int):
    app = _get(request, application_id)
    return [_event_out(e) for e in _events(app, public_only=request.auth.is_customer)]


@router.get("/{application_id}/attachments", response={200: list[AttachmentOut], **errors(404)})
def attachment_list(request, application_id: int):
    app = _get(request, application_id)
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
            "uploaded_at": a.uploaded_at,
        }
        for a in app.attachments.order_by("id")
    ]


def _attach(app: Application, actor, kind: str, file: UploadedFile) -> Attachment:
    if file.size is not None and file.size > MAX_UPLOAD:
        raise svc.InvalidInput(fields={"file": ["too large"]})
    return svc.attachment_add(
        actor=actor,
        application=app,
        kind=kind,
        name=file.name or "upload",
        content=file.read(MAX_UPLOAD + 1),
    )


@router.post(
    "/{application_id}/attachments",
    response={201: AttachmentOut, **errors(404, 409, 413)},
    summary="Add a document (PDF, JPEG or PNG, checked from its content)",
)
@idempotent
def attachment_create(
    request, application_id: int, kind: Form[AttachmentKind], file: File[UploadedFile]
):
    app = _get(request, application_id)
    user = request.auth
    if not (user.is_customer or user.can(Cap.APP_COUNTER) or user.can(Cap.APP_ACCEPT)):
        raise ApiError("permission_denied")
    att = _attach(app, user, kind, file)
    return Status(
        201,
        {
            "id": att.pk,
            "kind": att.kind,
            "name": att.original_name,
            "content_type": att.content_type,
            "size": att.size,
            "sha256": att.sha256,
            "uploaded_at": att.uploaded_at,
        },
    )


@router.post(
    "/{application_id}/pii",
    response={200: PiiOut, **errors(404)},
    summary="Reveal the full contact mobile and ID number (audited)",
)
def application_pii(request, application_id: int, payload: PiiIn):
    app = _get(request, application_id)
    user = request.auth
    if not user.can(Cap.PII_FULL):
        raise ApiError("permission_denied")
    audit_record(
        action=AuditAction.VIEW_PII,
        obj=app.enterprise,
        reason=payload.reason,
        actor=user,
        changes={"fields": [None, "contact_mobile,id_number"]},
    )
    ent = app.enterprise
    return {"contact_mobile": ent.contact_mobile, "id_number": ent.id_number}


def _action(request, application_id: int, fn, **kwargs) -> dict:
    app = _get(request, application_id)
    fn(application=app, actor=request.auth, **kwargs)
    return _detail(_reload(app), request.auth)


@router.post(
    "/{application_id}/accept",
    response={200: ApplicationOut, **ACTION_ERRORS},
    summary="受理 (or 容缺受理 with missing items and a commitment)",
)
def application_accept(request, application_id: int, payload: AcceptIn):
    return _action(
        request,
        application_id,
        svc.application_accept,
        category=payload.category,
        missing_items=payload.missing_items,
        commitment_text=payload.commitment_text,
        commitment_due=payload.commitment_due,
        expected_version=payload.expected_version,
    )


@router.post("/{application_id}/reject", response={200: ApplicationOut, **ACTION_ERRORS})
def application_reject(request, application_id: int, payload: ReasonIn):
    return _action(
        request,
        application_id,
        svc.application_reject,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post(
    "/{application_id}/survey",
    response={200: ApplicationOut, **ACTION_ERRORS},
    summary="Record the site survey and set the project category",
)
def application_survey(request, application_id: int, payload: SurveyIn):
    data = payload.dict()
    version = data.pop("expected_version")
    return _action(
        request, application_id, svc.application_survey, expected_version=version, **data
    )


@router.post("/{application_id}/pause", response={200: ApplicationOut, **ACTION_ERRORS})
def application_pause(request, application_id: int, payload: PauseIn):
    return _action(
        request,
        application_id,
        svc.application_pause,
        reason_code=payload.reason_code,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/{application_id}/resume", response={200: ApplicationOut, **ACTION_ERRORS})
def application_resume(request, application_id: int, payload: OptionalReasonIn):
    return _action(
        request,
        application_id,
        svc.application_resume,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post(
    "/{application_id}/confirm-quote",
    response={200: ApplicationOut, **ACTION_ERRORS},
    summary="图纸报价确认 by the customer",
)
def application_confirm_quote(request, application_id: int, payload: VersionIn):
    return _action(
        request,
        application_id,
        svc.application_confirm_quote,
        expected_version=payload.expected_version,
    )


@router.post(
    "/{application_id}/request-acceptance", response={200: ApplicationOut, **ACTION_ERRORS}
)
def application_request_acceptance(request, application_id: int, payload: AcceptanceRequestIn):
    return _action(
        request,
        application_id,
        svc.application_request_acceptance,
        preferred_date=payload.preferred_date,
        note=payload.note,
        expected_version=payload.expected_version,
    )


@router.post(
    "/{application_id}/acceptance",
    response={200: ApplicationOut, **ACTION_ERRORS},
    summary="验收点火碰头送气: pass → gas on; fail → rectification",
)
def application_acceptance(request, application_id: int, payload: AcceptanceRecordIn):
    data = payload.dict()
    version = data.pop("expected_version")
    return _action(
        request, application_id, svc.application_record_acceptance, expected_version=version, **data
    )


@router.post("/{application_id}/cancel", response={200: ApplicationOut, **ACTION_ERRORS})
def application_cancel(request, application_id: int, payload: ReasonIn):
    return _action(
        request,
        application_id,
        svc.application_cancel,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/{application_id}/reopen", response={200: ApplicationOut, **ACTION_ERRORS})
def application_reopen(request, application_id: int, payload: ReasonIn):
    return _action(
        request,
        application_id,
        svc.application_reopen,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/{application_id}/assign", response={200: ApplicationOut, **ACTION_ERRORS})
def application_assign(request, application_id: int, payload: AssignIn):
    from tongqi.accounts.models import User

    manager = User.objects.filter(pk=payload.manager_id).first()
    if manager is None:
        raise svc.InvalidInput(fields={"manager_id": ["unknown user"]})
    return _action(
        request,
        application_id,
        svc.application_assign,
        manager=manager,
        reason=payload.reason,
        expected_version=payload.expected_version,
    )


@router.post("/{application_id}/visits", response={201: ApplicationOut, **ACTION_ERRORS})
def application_visit(request, application_id: int, payload: VisitIn):
    app = _get(request, application_id)
    svc.visit_record(application=app, actor=request.auth, kind=payload.kind, note=payload.note)
    return Status(201, _detail(_reload(app), request.auth))


# --- government portal (一网通办) ------------------------------------------------------------


class GovApplicationOut(Schema):
    number: str
    status: str
    status_label: str
    customer_step: int
    customer_step_label: str
    submitted_at: datetime | None
    limit_days: int | None
    clock: ClockOut | None
    account_manager: ContactOut | None


def _gov_out(app: Application) -> dict:
    step = CUSTOMER_STEP[Stage(app.status)]
    am = app.account_manager
    return {
        "number": app.number,
        "status": app.status,
        "status_label": str(app.get_status_display()),
        "customer_step": int(step),
        "customer_step_label": str(CustomerStep(step).label),
        "submitted_at": app.submitted_at,
        "limit_days": app.limit_days,
        "clock": _clock(app, full=True),
        "account_manager": ContactOut(role="account_manager", name=am.display_name, phone=am.mobile)
        if am
        else None,
    }


def _gov_get(request, number: str) -> Application:
    app = (
        Application.objects.select_related(*selectors.LIST_RELATED)
        .filter(number=number, api_client=request.auth)
        .first()
    )
    if app is None:
        raise Http404
    return app


@gov_router.post(
    "/applications",
    response={201: GovApplicationOut, **errors(409)},
    summary="Submit an application from the government portal",
)
@idempotent(required=True)
def gov_application_submit(request, payload: ApplicationIn):
    """channel = 一网通办; the same validation, routing and clock as every other front door.
    An ``Idempotency-Key`` is required: a retried submission never creates a second one."""
    ent, data = _to_input(payload)
    app = application_create_and_submit(
        actor=None, enterprise_data=ent, data=data, channel=Channel.GOV, api_client=request.auth
    )
    return Status(201, _gov_out(app))


@gov_router.get(
    "/applications/{number}",
    response={200: GovApplicationOut, **errors(404)},
    summary="Status of an application this client submitted",
)
def gov_application_status(request, number: str):
    return _gov_out(_gov_get(request, number))


@gov_router.get(
    "/applications/{number}/timeline",
    response={200: list[EventOut], **errors(404)},
    summary="Public timeline of an application this client submitted",
)
def gov_application_timeline(request, number: str):
    return [_event_out(e) for e in _events(_gov_get(request, number), public_only=True)]


@gov_router.post(
    "/applications/{number}/attachments",
    response={201: AttachmentOut, **errors(404, 409, 413)},
    summary="Attach a document (PDF, JPEG or PNG)",
)
@idempotent(required=True)
def gov_attachment_create(
    request, number: str, kind: Form[AttachmentKind], file: File[UploadedFile]
):
    att = _attach(_gov_get(request, number), None, kind, file)
    return Status(
        201,
        {
            "id": att.pk,
            "kind": att.kind,
            "name": att.original_name,
            "content_type": att.content_type,
            "size": att.size,
            "sha256": att.sha256,
            "uploaded_at": att.uploaded_at,
        },
    )
