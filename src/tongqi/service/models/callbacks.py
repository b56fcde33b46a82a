"""Callbacks (回访) and online satisfaction surveys (线上满意度调查) after gas-on."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import CallbackKind, CallbackStatus, ResponseChannel


class ServiceSettings(models.Model):
    """One row: what the service management department configures for itself."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    callback_sample_percent = models.DecimalField(
        _("monthly callback sample (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Share of last month's applications (still open, or closed without gas-on) "
            "drawn for a supervision callback on the first day of each month."
        ),
    )
    callback_due_workdays = models.PositiveSmallIntegerField(
        _("callback within (working days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    survey_valid_days = models.PositiveSmallIntegerField(
        _("survey link valid for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    plan_reminder_days = models.PositiveSmallIntegerField(
        _("remind of plan deadlines (days before)"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    rectification_reminder_days = models.PositiveSmallIntegerField(
        _("remind of rectification due dates (days before)"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("service management settings")
        verbose_name_plural = _("service management settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> ServiceSettings:
        obj = cls.objects.filter(pk=1).first()
        return obj if obj is not None else cls(pk=1)


class Callback(models.Model):
    """A callback task for service management: call the customer, record what they said."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="callbacks",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CallbackKind.choices)
    period = models.CharField(
        _("sample month"), max_length=7, blank=True, help_text=_("YYYY-MM for monthly samples.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_date = models.DateField(_("call by"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    reached = models.BooleanField(_("customer reached"), null=True)
    summary = models.TextField(_("what the customer said"), blank=True)
    issues = models.TextField(_("problems found"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    complaint = models.ForeignKey(
        "service.Complaint",
        verbose_name=_("complaint raised"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "period"], name="callback_once_per_kind_period"
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="callback_status_due"),
            models.Index(fields=["org_unit", "status"], name="callback_unit_status"),
            models.Index(fields=["kind", "period"], name="callback_kind_period"),
            models.Index(fields=["completed_at"], name="callback_completed"),
        ]
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.application_id}"

    @property
    def is_overdue(self) -> bool:
        return self.status == CallbackStatus.OPEN and self.due_date < timezone.localdate()


class Survey(models.Model):
    """The satisfaction survey of one application: one per application, sent after gas-on."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="satisfaction_survey",
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("link valid until"))
    sent_at = models.DateTimeField(_("link sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["org_unit", "created_at"], name="survey_unit_created")]

    def __str__(self) -> str:
        return f"survey {self.application_id}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


def _score(label):
    return models.PositiveSmallIntegerField(
        label, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )


class SurveyResponse(models.Model):
    """The customer's answer. One per survey: the primary key is the survey (answer once)."""

    survey = models.OneToOneField(
        Survey,
        verbose_name=_("survey"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="response",
    )
    channel = models.CharField(_("answered"), max_length=8, choices=ResponseChannel.choices)
    overall = _score(_("overall satisfaction"))
    speed = _score(_("speed of the whole process"))
    attitude = _score(_("attitude of the staff"))
    professional = _score(_("professional guidance"))
    transparency = _score(_("transparency of fees"))
    convenience = _score(_("convenience"))
    comment = models.TextField(_("comments"), blank=True, max_length=1000)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5)
                & Q(speed__gte=1, speed__lte=5)
                & Q(attitude__gte=1, attitude__lte=5)
                & Q(professional__gte=1, professional__lte=5)
                & Q(transparency__gte=1, transparency__lte=5)
                & Q(convenience__gte=1, convenience__lte=5),
                name="survey_scores_1_to_5",
            )
        ]
        indexes = [
            models.Index(fields=["answered_at"], name="survey_answered_at"),
            models.Index(fields=["overall", "answered_at"], name="survey_overall"),
        ]

    def __str__(self) -> str:
        return f"{self.overall}/5"

    ASPECT_FIELDS = ("speed", "attitude", "professional", "transparency", "convenience")
