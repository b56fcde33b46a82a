"""Complaints and requests (诉求 / 工单), closed the day they arrive (日清日结)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    COMPLAINT_EVENT_LABELS,
    OPEN_COMPLAINT_STATUSES,
    ComplaintKind,
    ComplaintStatus,
    Feedback,
    ReplyStatus,
    Source,
    Topic,
)


class Complaint(models.Model):
    """One complaint or request, from any channel, through register → close.

    ``arrival_date`` is the date of ``received_at`` in Asia/Shanghai; ``due_date`` is the working
    day by whose end it must be closed (日清日结): the arrival date itself when it is a working day
    and the complaint came in before the end-of-day cut-off, otherwise the next working day
    (docs/adr/0011-complaint-due-day.md).
    """

    number = models.CharField(_("number"), max_length=20, unique=True, null=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    external_id = models.CharField(
        _("ticket number on the source platform"), max_length=64, blank=True
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=ComplaintKind.choices, default=ComplaintKind.COMPLAINT
    )
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices, blank=True)
    title = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), max_length=5000)
    complainant_name = models.CharField(_("complainant"), max_length=60, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    enterprise = models.ForeignKey(
        "applications.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by (customer account)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="raised_complaints",
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_complaints",
    )
    status = models.CharField(
        _("status"), max_length=14, choices=ComplaintStatus.choices, default=ComplaintStatus.NEW
    )
    version = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(_("received at"))
    arrival_date = models.DateField(_("arrival date"))
    due_date = models.DateField(_("to be closed by the end of"))
    findings = models.TextField(_("investigation findings"), blank=True)
    reply = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reply_status = models.CharField(
        _("answer to the source platform"),
        max_length=8,
        choices=ReplyStatus.choices,
        blank=True,
        default=ReplyStatus.NONE,
    )
    reply_sent_at = models.DateTimeField(_("answer delivered"), null=True, blank=True)
    feedback = models.CharField(
        _("complainant's feedback"), max_length=14, choices=Feedback.choices, blank=True
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("complaint or request")
        verbose_name_plural = _("complaints and requests")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="complaint_source_ticket_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="complaint_status_due"),
            models.Index(fields=["org_unit", "status", "due_date"], name="complaint_unit_status"),
            models.Index(fields=["arrival_date", "source"], name="complaint_arrival_source"),
            models.Index(fields=["received_at"], name="complaint_received"),
            models.Index(fields=["assignee", "status"], name="complaint_assignee"),
            models.Index(fields=["raised_by", "received_at"], name="complaint_raised_by"),
            models.Index(fields=["kind", "arrival_date"], name="complaint_kind_arrival"),
            models.Index(fields=["topic", "arrival_date"], name="complaint_topic_arrival"),
        ]

    def __str__(self) -> str:
        return self.number or f"complaint #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_COMPLAINT_STATUSES

    @property
    def closed_same_day(self) -> bool:
        """日清日结: closed by the end of its due day (``closed_on`` is the local date)."""
        return self.closed_on is not None and self.closed_on <= self.due_date

    def is_late(self, today=None) -> bool:
        """Still open after its due day, or closed after it."""
        today = today or timezone.localdate()
        if self.closed_on is not None:
            return self.closed_on > self.due_date
        return today > self.due_date


class ComplaintEvent(models.Model):
    """The timeline of a complaint: who did what, when, with which note."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="complaint_event_at")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action}"

    @property
    def label(self):
        return COMPLAINT_EVENT_LABELS.get(self.action, self.action)


class ComplaintEscalation(models.Model):
    """The end-of-day check found this complaint still open on ``day`` and escalated it.

    One row per complaint per day (a unique constraint), so a job run twice escalates once.
    """

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="escalations")
    day = models.DateField(_("day"))
    days_late = models.PositiveSmallIntegerField(_("working days past the due day"), default=0)
    notified = models.JSONField(_("notified"), default=list)
    created_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        verbose_name = _("end-of-day escalation")
        verbose_name_plural = _("end-of-day escalations")
        constraints = [
            models.UniqueConstraint(fields=["complaint", "day"], name="escalate_once_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="escalation_day")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.day}"
