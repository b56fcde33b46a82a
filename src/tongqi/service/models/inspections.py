"""Four-level inspections (四级检查): findings, rectification tasks, accountability records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import (
    InspectionForm,
    InspectionLevel,
    InspectionStatus,
    Measure,
    RectificationStatus,
    Severity,
)


class Inspection(models.Model):
    """An inspection of a unit (武天然气〔2021〕47号 六(三): 集团级、公司级、部门级、班组级)."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True)
    level = models.CharField(_("level"), max_length=12, choices=InspectionLevel.choices)
    form = models.CharField(_("form"), max_length=12, choices=InspectionForm.choices)
    title = models.CharField(_("subject"), max_length=200)
    target_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit inspected"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    window = models.ForeignKey(
        "service.ServiceWindow",
        verbose_name=_("service window inspected"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    inspected_on = models.DateField(_("inspected on"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=8,
        choices=InspectionStatus.choices,
        default=InspectionStatus.OPEN,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["target_unit", "inspected_on"], name="inspection_unit_date"),
            models.Index(fields=["level", "inspected_on"], name="inspection_level_date"),
            models.Index(fields=["form", "inspected_on"], name="inspection_form_date"),
            models.Index(fields=["status", "inspected_on"], name="inspection_status_date"),
        ]
        ordering = ["-inspected_on", "-id"]

    def __str__(self) -> str:
        return self.number or self.title


class Finding(models.Model):
    """A problem the inspection found."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    description = models.TextField(_("finding"), max_length=2000)
    severity = models.CharField(
        _("severity"), max_length=8, choices=Severity.choices, default=Severity.MINOR
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description[:40]


class Rectification(models.Model):
    """A rectification task (整改) for a finding: an owner, a due date, then verification."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    task = models.TextField(_("what must be done"), max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("owner's unit"),
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    version = models.PositiveIntegerField(default=1)
    completion_note = models.TextField(_("what was done"), blank=True)
    completed_at = models.DateTimeField(_("reported done at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)
    rejections = models.PositiveSmallIntegerField(_("times sent back"), default=0)
    reminded_soon = models.BooleanField(default=False)
    reminded_overdue = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("rectification task")
        verbose_name_plural = _("rectification tasks")
        indexes = [
            models.Index(fields=["status", "due_date"], name="rectification_status_due"),
            models.Index(fields=["owner_unit", "status"], name="rectification_unit_status"),
            models.Index(fields=["owner", "status"], name="rectification_owner_status"),
        ]
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.task[:40]

    def is_overdue(self, today=None) -> bool:
        """Not reported done by the end of the due date (a task sent back counts as not done)."""
        today = today or timezone.localdate()
        return self.status == RectificationStatus.OPEN and today > self.due_date

    @property
    def completed_late(self) -> bool:
        return (
            self.completed_at is not None and timezone.localdate(self.completed_at) > self.due_date
        )


class Accountability(models.Model):
    """An accountability record (问责): who, which measure, on what basis."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="accountabilities"
    )
    finding = models.ForeignKey(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person held accountable"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("unit held accountable"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices)
    basis = models.CharField(_("basis"), max_length=300)
    description = models.TextField(_("details"), blank=True)
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("accountability record")
        verbose_name_plural = _("accountability records")
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.decided_on}"
