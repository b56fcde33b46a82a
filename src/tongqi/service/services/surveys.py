"""Callbacks (回访) and satisfaction surveys (线上满意度调查).

After gas-on (the ``application.acceptance_passed`` event) a callback task is created for
service management and the survey link goes to the customer's accounts by SMS and in-app.
Each month a configurable share of last month's other applications is drawn for a supervision
callback (用户报装信息化平台监管及回访, annex task 12).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Status
from tongqi.applications.events import figures_changed
from tongqi.applications.models import Application
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify
from tongqi.sla.calendar import current_calendar

from .. import tokens
from ..choices import (
    CALLBACK_MAX_ATTEMPTS,
    CallbackKind,
    CallbackStatus,
    ResponseChannel,
    Source,
)
from ..models import Callback, ServiceSettings, Survey, SurveyResponse
from .common import (
    add_error,
    clean_text,
    customer_recipients,
    nth_workday_after,
    raise_if,
    require,
    service_managers_for,
)
from .errors import Conflict, IllegalTransition, InvalidInput, SurveyClosed

SCORE_FIELDS = ("overall", *SurveyResponse.ASPECT_FIELDS)
LOW_SCORE = 2  # an overall score at or below this alerts service management at once


# --- settings ----------------------------------------------------------------------------------


def settings_update(*, actor, values: Mapping[str, object]) -> ServiceSettings:
    """Change the service management settings (sample share, validity, reminder lead times)."""
    require(actor, Cap.SERVICE_MANAGE)
    fields = (
        "callback_sample_percent",
        "callback_due_workdays",
        "survey_valid_days",
        "plan_reminder_days",
        "rectification_reminder_days",
    )
    with transaction.atomic():
        obj, _created = ServiceSettings.objects.select_for_update().get_or_create(pk=1)
        before = {f: getattr(obj, f) for f in fields}
        for f in fields:
            if f in values:
                setattr(obj, f, values[f])
        from django.core.exceptions import ValidationError

        try:
            obj.full_clean(exclude=["updated_by"])
        except ValidationError as exc:
            raise InvalidInput(
                fields={k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            ) from None
        obj.updated_by = actor
        obj.updated_at = timezone.now()
        obj.save()
        audit_record(
            action=AuditAction.CONFIG,
            obj=obj,
            actor=actor,
            changes={
                f: [before[f], getattr(obj, f)] for f in fields if before[f] != getattr(obj, f)
            },
        )
    return obj


# --- surveys -----------------------------------------------------------------------------------


def _survey_expiry(application: Application, conf: ServiceSettings) -> datetime:
    start = application.gas_on_at or timezone.now()
    return start + timedelta(days=conf.survey_valid_days)


def survey_ensure(*, application: Application) -> Survey | None:
    """The application's survey, created on first need (only after gas-on). Idempotent."""
    if application.status != Status.GAS_ON:
        return None
    existing = Survey.objects.filter(application=application).first()
    if existing is not None:
        return existing
    conf = ServiceSettings.current()
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                application=application,
                org_unit_id=application.org_unit_id,
                account_manager_id=application.account_manager_id,
                expires_at=_survey_expiry(application, conf),
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=survey,
                changes={"application": [None, application.pk]},
            )
    except IntegrityError:  # created by a concurrent caller: theirs is ours
        return Survey.objects.get(application=application)
    return survey


def survey_send_link(*, survey: Survey, actor=None, extend: bool = False) -> Survey:
    """Send (or resend) the survey link to the customer's accounts by SMS and in-app.

    ``extend`` (a staff resend) moves the expiry to ``survey_valid_days`` from now.
    """
    if actor is not None:
        require(actor, Cap.SERVICE_MANAGE)
    app = Application.objects.select_related("enterprise", "applicant").get(
        pk=survey.application_id
    )
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if hasattr(locked, "response"):
            raise SurveyClosed(_("The customer has already answered this survey."))
        conf = ServiceSettings.current()
        now = timezone.now()
        if extend:
            locked.expires_at = now + timedelta(days=conf.survey_valid_days)
        elif locked.is_expired(now):
            raise SurveyClosed(_("The survey link has expired. Resend it to extend it."))
        url = tokens.survey_absolute_url(tokens.make_token(app.pk))
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Please rate our service for {number}").format(number=app.number)
            body = _(
                "Gas is on at {enterprise}. Please take one minute to rate our service "
                "(valid until {date}): {url}"
            ).format(
                enterprise=app.enterprise.name,
                date=timezone.localtime(locked.expires_at).strftime("%Y-%m-%d"),
                url=url,
            )
        sends = str(int(now.timestamp())) if extend else "first"
        notify(
            users=customer_recipients(app),
            title=title,
            body=body,
            link=url,
            topic="service.survey",
            channels=(Channel.INAPP, Channel.SMS),
            dedupe_key=f"survey:{locked.pk}:{sends}",
        )
        locked.sent_at = now
        locked.save(update_fields=["sent_at", "expires_at"])
        audit_record(
            action=AuditAction.UPDATE,
            obj=locked,
            actor=actor,
            changes={"sent_at": [None, now], "expires_at": [None, locked.expires_at]},
        )
    survey.sent_at, survey.expires_at = locked.sent_at, locked.expires_at
    return survey


@dataclass(frozen=True)
class SurveyLink:
    """What a survey token leads to."""

    state: str  # "open", "answered", "expired", "invalid"
    survey: Survey | None = None
    application: Application | None = None


def survey_resolve(token: str, *, now: datetime | None = None) -> SurveyLink:
    """Read a survey token: the survey it opens and whether it can still be answered."""
    now = now or timezone.now()
    conf = ServiceSettings.current()
    try:
        app_id = tokens.read_token(token, valid_days=conf.survey_valid_days)
    except tokens.TokenExpired:
        return SurveyLink("expired")
    except tokens.TokenInvalid:
        return SurveyLink("invalid")
    app = (
        Application.objects.select_related("enterprise", "account_manager")
        .filter(pk=app_id)
        .first()
    )
    if app is None or app.status != Status.GAS_ON:
        return SurveyLink("invalid")
    survey = survey_ensure(application=app)
    if SurveyResponse.objects.filter(survey=survey).exists():
        return SurveyLink("answered", survey, app)
    if survey.is_expired(now):
        return SurveyLink("expired", survey, app)
    return SurveyLink("open", survey, app)


def _clean_scores(scores: Mapping[str, object]) -> dict[str, int]:
    errors: dict[str, list[str]] = {}
    clean = {}
    for f in SCORE_FIELDS:
        raw = scores.get(f)
        try:
            value = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            add_error(errors, f, _("Choose a score from 1 to 5."))
        clean[f] = value
    raise_if(errors)
    return clean


def survey_answer(
    *,
    survey: Survey,
    scores: Mapping[str, object],
    comment: str = "",
    channel: str = ResponseChannel.LINK,
    recorded_by=None,
    now: datetime | None = None,
) -> SurveyResponse:
    """Record the customer's answer, once. A second answer (even at the same instant, from
    another connection) hits the primary key of ``SurveyResponse`` and is refused."""
    now = now or timezone.now()
    if channel == ResponseChannel.PHONE:
        require(recorded_by, Cap.SERVICE_MANAGE)
    elif survey.is_expired(now):
        raise SurveyClosed(_("This survey link has expired."), code="survey_expired")
    errors: dict[str, list[str]] = {}
    clean = _clean_scores(scores)
    comment = clean_text(errors, "comment", comment, required=False, max_length=1000)
    raise_if(errors)
    try:
        with transaction.atomic():
            resp = SurveyResponse.objects.create(
                survey=survey,
                channel=channel,
                comment=comment,
                answered_at=now,
                recorded_by=recorded_by,
                **clean,
            )
            audit_record(
                action=AuditAction.CREATE,
                obj=survey,
                actor=recorded_by,
                changes={"response": [None, {**clean, "channel": channel}]},
            )
            if clean["overall"] <= LOW_SCORE:
                _alert_low_score(survey, clean["overall"], comment)
            figures_changed(survey.application_id)  # the satisfaction figure
    except IntegrityError:
        raise SurveyClosed(
            _("This survey has already been answered. Thank you."), code="survey_answered"
        ) from None
    return resp


def _alert_low_score(survey: Survey, overall: int, comment: str) -> None:
    from django.urls import reverse

    app = Application.objects.select_related("enterprise").get(pk=survey.application_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Low satisfaction score {score}/5 for {number}").format(
            score=overall, number=app.number
        )
    notify(
        users=service_managers_for(app.org_unit_id),
        title=title,
        body=comment[:300],
        link=reverse("service:callbacks") + f"?q={app.number}",
        topic="service.low_score",
        channels=(Channel.INAPP,),
        dedupe_key=f"survey:{survey.pk}:low",
    )


# --- callbacks ---------------------------------------------------------------------------------


def callback_create_after_gas_on(*, application_id: int) -> Callback | None:
    """The subscriber of ``application.acceptance_passed``: callback task + survey link."""
    app = (
        Application.objects.select_related("enterprise", "applicant", "org_unit")
        .filter(pk=application_id)
        .first()
    )
    if app is None or app.status != Status.GAS_ON:
        return None
    conf = ServiceSettings.current()
    gas_on_day = timezone.localdate(app.gas_on_at or timezone.now())
    with transaction.atomic():
        callback, created = Callback.objects.get_or_create(
            application=app,
            kind=CallbackKind.AFTER_GAS_ON,
            period="",
            defaults={
                "org_unit_id": app.org_unit_id,
                "account_manager_id": app.account_manager_id,
                "due_date": nth_workday_after(
                    current_calendar(), gas_on_day, conf.callback_due_workdays
                ),
            },
        )
        if created:
            audit_record(
                action=AuditAction.CREATE,
                obj=callback,
                changes={"application": [None, app.pk], "kind": [None, callback.kind]},
            )
        survey = survey_ensure(application=app)
        if survey is not None and survey.sent_at is None and not survey.is_expired():
            survey_send_link(survey=survey)
    return callback


def callback_record(
    *,
    callback: Callback,
    actor,
    reached: bool,
    summary: str = "",
    issues: str = "",
    scores: Mapping[str, object] | None = None,
    comment: str = "",
    raise_complaint: bool = False,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Callback:
    """Record a call: not reached (three tries, then closed as unreachable) or the result,
    optionally the customer's scores by phone and a complaint for a problem found."""
    require(actor, Cap.SERVICE_MANAGE, unit_id=callback.org_unit_id, check_unit=True)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    summary = clean_text(errors, "summary", summary, required=reached, max_length=4000)
    issues = clean_text(errors, "issues", issues, required=raise_complaint, max_length=4000)
    raise_if(errors)
    with transaction.atomic():
        locked = (
            Callback.objects.select_for_update().select_related("application").get(pk=callback.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise Conflict()
        if locked.status != CallbackStatus.OPEN:
            raise IllegalTransition(_("This callback has already been completed."))
        before = locked.status
        locked.attempts += 1
        locked.last_attempt_at = now
        if not reached:
            locked.reached = False
            if locked.attempts >= CALLBACK_MAX_ATTEMPTS:
                locked.status = CallbackStatus.UNREACHABLE
                locked.completed_at, locked.completed_by = now, actor
        else:
            locked.reached = True
            locked.summary, locked.issues = summary, issues
            locked.status = CallbackStatus.DONE
            locked.completed_at, locked.completed_by = now, actor
            if scores and any(scores.get(f) for f in SCORE_FIELDS):
                survey = survey_ensure(application=locked.application)
                if survey is not None and not SurveyResponse.objects.filter(survey=survey).exists():
                    survey_answer(
                        survey=survey,
                        scores=scores,
                        comment=comment,
                        channel=ResponseChannel.PHONE,
                        recorded_by=actor,
                        now=now,
                    )
            if raise_complaint:
                from .complaints import ComplaintInput, complaint_register

                app = locked.application
                complaint, _c = complaint_register(
                    actor=actor,
                    data=ComplaintInput(
                        source=Source.CALLBACK,
                        title=_("Problem found in the callback of {number}").format(
                            number=app.number
                        ),
                        content=issues,
                        complainant_name=app.enterprise.contact_name,
                        complainant_phone=app.enterprise.contact_mobile,
                        application_number=app.number or "",
                        received_at=now,
                    ),
                )
                locked.complaint = complaint
        locked.version += 1
        locked.save()
        audit_record(
            action=AuditAction.TRANSITION,
            obj=locked,
            actor=actor,
            changes={
                "status": [before, locked.status],
                "attempts": [locked.attempts - 1, locked.attempts],
            },
        )
    callback.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return callback


def month_bounds(period: str) -> tuple[datetime, datetime]:
    """Local midnight of the month's first day and of the next month's first day."""
    year, month = (int(x) for x in period.split("-"))
    start = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, datetime.min.time(), tz),
        datetime.combine(nxt, datetime.min.time(), tz),
    )


def sample_population(period: str):
    """Last month's applications that get no gas-on callback: submitted before the month ended,
    not closed before it began, and not gas-on within it."""
    start, end = month_bounds(period)
    return (
        Application.objects.exclude(status=Status.DRAFT)
        .filter(submitted_at__lt=end)
        .exclude(closed_at__lt=start)
        .exclude(status=Status.GAS_ON, gas_on_at__gte=start, gas_on_at__lt=end)
    )


def callbacks_sample_month(*, period: str, today: date | None = None) -> list[Callback]:
    """Draw the monthly supervision sample for ``period`` (YYYY-MM), once.

    The draw is reproducible (seeded by the period) and its size is ``ceil(N × percent / 100)``.
    """
    if Callback.objects.filter(kind=CallbackKind.MONTHLY_SAMPLE, period=period).exists():
        return []
    conf = ServiceSettings.current()
    ids = sorted(sample_population(period).values_list("pk", flat=True))
    k = math.ceil(len(ids) * Decimal(conf.callback_sample_percent) / 100)
    chosen = random.Random(f"tongqi-callback-sample-{period}").sample(ids, min(k, len(ids)))
    today = today or timezone.localdate()
    due = nth_workday_after(current_calendar(), today, conf.callback_due_workdays)
    created = []
    with transaction.atomic():
        for app in Application.objects.filter(pk__in=chosen).order_by("pk"):
            cb, made = Callback.objects.get_or_create(
                application=app,
                kind=CallbackKind.MONTHLY_SAMPLE,
                period=period,
                defaults={
                    "org_unit_id": app.org_unit_id,
                    "account_manager_id": app.account_manager_id,
                    "due_date": due,
                },
            )
            if made:
                created.append(cb)
        if created:
            audit_record(
                action=AuditAction.CREATE,
                object_type="service.callback",
                object_repr=f"monthly sample {period}",
                changes={
                    "period": [None, period],
                    "population": [None, len(ids)],
                    "sampled": [None, [c.application_id for c in created]],
                },
            )
    return created
