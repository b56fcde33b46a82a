"""Gas-source projects (市政配套气源工程), their approvals, linked applications and the monthly
snapshots of the municipal report."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ACTIVE_STATUSES,
    ApprovalKind,
    ApprovalState,
    PressureLevel,
    ProjectStatus,
    ReasonKind,
    SnapshotTrigger,
)

COORD = dict(max_digits=9, decimal_places=6)


class Project(models.Model):
    """A gas-source project: out-of-red-line works the utility builds and pays for (零费用)."""

    number = models.CharField(_("project number"), max_length=20, unique=True, null=True)
    name = models.CharField(_("project name"), max_length=120)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("subsidiary"),
        on_delete=models.PROTECT,
        related_name="gas_source_projects",
    )
    district = models.ForeignKey(
        "accounts.District", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        "accounts.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gas_source_projects",
    )
    location_desc = models.CharField(_("location"), max_length=200)
    geometry_wkt = models.TextField(_("route or site (WKT, WGS-84)"))
    # A representative point of the geometry and its envelope, for sorting and for the
    # bounding-box prefilter of the radius queries (see ADR 0006).
    latitude = models.DecimalField(_("latitude"), **COORD)
    longitude = models.DecimalField(_("longitude"), **COORD)
    min_lat = models.DecimalField(**COORD)
    max_lat = models.DecimalField(**COORD)
    min_lng = models.DecimalField(**COORD)
    max_lng = models.DecimalField(**COORD)

    reason_kind = models.CharField(
        _("reason for the works"), max_length=20, choices=ReasonKind.choices
    )
    reason = models.TextField(_("reason in detail"), blank=True)
    pressure_level = models.CharField(
        _("pressure level"),
        max_length=10,
        choices=PressureLevel.choices,
        default=PressureLevel.MEDIUM,
    )
    length_m = models.DecimalField(
        _("pipe length (m)"), max_digits=9, decimal_places=1, default=Decimal("0")
    )
    forecast_load = models.DecimalField(
        _("forecast peak load (m³/h)"), max_digits=12, decimal_places=3, default=Decimal("0")
    )
    forecast_annual_volume = models.DecimalField(
        _("forecast annual volume (m³)"), max_digits=16, decimal_places=3, default=Decimal("0")
    )
    planned_start = models.DateField(_("planned start of works"))
    actual_start = models.DateField(_("works started"), null=True, blank=True)
    expected_gas_on = models.DateField(_("expected gas-on"))
    actual_gas_on = models.DateField(_("gas available since"), null=True, blank=True)
    investment = models.DecimalField(
        _("investment (yuan, utility-funded)"), max_digits=14, decimal_places=2
    )
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer in charge"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="gas_source_projects",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("gas-source project")
        verbose_name_plural = _("gas-source projects")
        indexes = [
            models.Index(fields=["org_unit", "status"], name="works_unit_status"),
            models.Index(fields=["status", "expected_gas_on"], name="works_status_gas_on"),
            models.Index(fields=["engineer", "status"], name="works_engineer_status"),
            models.Index(fields=["grid", "status"], name="works_grid_status"),
            models.Index(fields=["reason_kind"], name="works_reason"),
            models.Index(fields=["planned_start"], name="works_planned_start"),
            models.Index(fields=["min_lat", "min_lng"], name="works_env_min"),
            models.Index(fields=["max_lat", "max_lng"], name="works_env_max"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_late(self, today=None) -> bool:
        """Works still ahead although the expected gas-on date has passed."""
        today = today or timezone.localdate()
        return self.is_active and self.expected_gas_on < today

    @property
    def implementation_start(self):
        return self.actual_start or self.planned_start


class ProjectApproval(models.Model):
    """One administrative approval of a project, with its applied and granted dates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("approval"), max_length=24, choices=ApprovalKind.choices)
    authority = models.CharField(_("approving authority"), max_length=100, blank=True)
    applied_on = models.DateField(_("applied on"), null=True, blank=True)
    expected_on = models.DateField(_("decision expected by"), null=True, blank=True)
    granted_on = models.DateField(_("granted on"), null=True, blank=True)
    reference = models.CharField(_("permit number"), max_length=80, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("project approval")
        verbose_name_plural = _("project approvals")
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="works_one_approval_per_kind")
        ]
        indexes = [models.Index(fields=["granted_on", "applied_on"], name="works_approval_wait")]
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def state(self) -> str:
        if self.granted_on:
            return ApprovalState.GRANTED
        if self.applied_on:
            return ApprovalState.PENDING
        return ApprovalState.NOT_APPLIED

    def get_state_display(self) -> str:
        return ApprovalState(self.state).label


class ProjectLink(models.Model):
    """An application with external works linked to the project that supplies it.

    One project supplies many applications; an application is supplied by exactly one project
    (the OneToOne on ``application``). ``paused_by_works`` remembers that this app paused the
    application's clock for pending approvals, so only that pause is ever resumed here.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links")
    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="works_link",
    )
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paused_by_works = models.BooleanField(_("clock paused for the approvals"), default=False)

    class Meta:
        verbose_name = _("linked application")
        verbose_name_plural = _("linked applications")
        ordering = ["project", "linked_at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id} ← {self.application_id}"


class ProjectEvent(models.Model):
    """The project's record: every change, approval step, link and progress note."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=150, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "at"], name="works_event_project_at")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.action}"


class ReportSnapshot(models.Model):
    """The municipal report (市政配套气源工程项目报表) of one month, as it stood when taken.

    ``rows`` keeps every project row company-wide (scoping applies when it is shown), so a past
    month renders exactly as it was reported whatever has changed since.
    """

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    trigger = models.CharField(_("trigger"), max_length=8, choices=SnapshotTrigger.choices)
    final = models.BooleanField(
        _("final"),
        default=False,
        help_text=_("Taken after the month ended; a final snapshot never changes."),
    )
    row_count = models.PositiveIntegerField(_("projects"), default=0)
    rows = models.JSONField(_("report rows"), default=list)

    class Meta:
        verbose_name = _("municipal report snapshot")
        verbose_name_plural = _("municipal report snapshots")
        ordering = ["-month"]

    def __str__(self) -> str:
        return self.month.strftime("%Y-%m")
