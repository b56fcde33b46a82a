"""Old-community retrofit (民现户专项): one project per community (小区), its stages, households,
issue log, notices of rights and duties (权益告知书) and publicity materials.

The street office (街道办事处) and community committee (社区居委会) are outside bodies the
special team (专班) works with; they are recorded as data, not as users.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    HOUSEHOLD_STATUS_COLOURS,
    ISSUE_STATUS_COLOURS,
    NOTICE_STATUS_COLOURS,
    PROJECT_STATUS_COLOURS,
    SIGNED_UP_STATUSES,
    Body,
    DeliveryMethod,
    HouseholdAction,
    HouseholdStatus,
    IssueStatus,
    MaterialKind,
    NoticeStatus,
    ProjectAction,
    ProjectStatus,
    Stage,
)


class Project(models.Model):
    """A retrofit project: one old community (小区) brought onto piped gas."""

    number = models.CharField(_("project number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("community"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="retrofit_projects",
    )
    street_office = models.CharField(_("street office"), max_length=100)
    community_committee = models.CharField(_("community committee"), max_length=100)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="retrofit_projects",
    )
    team_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("special-team lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="retrofit_projects_led",
    )
    households_total = models.PositiveIntegerField(
        _("households in the community"),
        help_text=_("All households of the community, signed up or not (from the survey)."),
    )
    buildings = models.PositiveIntegerField(_("buildings"), null=True, blank=True)
    built_year = models.PositiveIntegerField(_("year built"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SURVEY)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    notice_seq = models.PositiveIntegerField(_("notices issued"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("retrofit project")
        verbose_name_plural = _("retrofit projects")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["org_unit", "status", "stage"], name="retrofit_proj_unit_idx"),
            models.Index(fields=["district", "status"], name="retrofit_proj_district_idx"),
            models.Index(fields=["stage", "status"], name="retrofit_proj_stage_idx"),
            models.Index(fields=["status", "created_at"], name="retrofit_proj_status_idx"),
            models.Index(fields=["created_at"], name="retrofit_proj_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def is_open(self) -> bool:
        return self.status in (ProjectStatus.ACTIVE, ProjectStatus.SUSPENDED)

    @property
    def status_colour(self) -> str:
        return PROJECT_STATUS_COLOURS.get(self.status, "grey")


class ProjectContact(models.Model):
    """A contact person at the street office, community committee, property company, …"""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="contacts"
    )
    body = models.CharField(_("body"), max_length=20, choices=Body.choices)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["body", "id"]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.name}"


class StageRecord(models.Model):
    """One stage of one project: planned and actual dates, who is responsible."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("started"), null=True, blank=True)
    actual_end = models.DateField(_("finished"), null=True, blank=True)
    responsible_body = models.CharField(
        _("responsible body"), max_length=20, choices=Body.choices, default=Body.GAS_COMPANY
    )
    responsible_name = models.CharField(
        _("responsible organisation"),
        max_length=100,
        blank=True,
        help_text=_("e.g. 后湖街道办事处, the contractor's name"),
    )
    skipped = models.BooleanField(_("not needed"), default=False)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            models.UniqueConstraint(fields=["project", "stage"], name="retrofit_stage_once")
        ]
        indexes = [models.Index(fields=["stage", "planned_end"], name="retrofit_stage_due_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.stage}"

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.planned_end
            and not self.actual_end
            and not self.skipped
            and self.planned_end < today
        )


class ProjectEvent(models.Model):
    """An entry of the project's log: who moved it, when, from where to where, and why."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=ProjectAction.choices)
    from_stage = models.CharField(_("from stage"), max_length=20, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, blank=True)
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, blank=True)
    on_date = models.DateField(_("date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("project event")
        verbose_name_plural = _("project events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["project", "at"], name="retrofit_pevent_idx")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.action}"

    def _label(self, choices, value: str) -> str:
        return str(dict(choices.choices).get(value, value))

    @property
    def stage_change(self) -> str:
        if not self.from_stage or self.from_stage == self.to_stage:
            return ""
        return f"{self._label(Stage, self.from_stage)} → {self._label(Stage, self.to_stage)}"

    @property
    def status_change(self) -> str:
        if not self.from_status or self.from_status == self.to_status:
            return ""
        return (
            f"{self._label(ProjectStatus, self.from_status)} → "
            f"{self._label(ProjectStatus, self.to_status)}"
        )


class Household(models.Model):
    """A household of the community: where it is, whom to call, and how far it has come."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="households"
    )
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    contact_name = models.CharField(_("contact"), max_length=50)
    phone = models.CharField(_("contact phone"), max_length=11)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.PENDING,
    )
    signed_up_on = models.DateField(_("signed up on"), null=True, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    connected_on = models.DateField(_("gas on since"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "building", "unit", "room"], name="retrofit_household_once"
            )
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="retrofit_hh_status_idx"),
            models.Index(fields=["project", "building", "unit"], name="retrofit_hh_building_idx"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """``3栋2单元502`` — how the community names a flat."""
        return household_label(self.building, self.unit, self.room)

    @property
    def signed_up(self) -> bool:
        return self.status in SIGNED_UP_STATUSES

    @property
    def status_colour(self) -> str:
        return HOUSEHOLD_STATUS_COLOURS.get(self.status, "grey")


def household_label(building: str, unit: str, room: str) -> str:
    def part(value: str, suffix: str) -> str:
        if not value:
            return ""
        return value if value.endswith(suffix) or not value[-1].isdigit() else value + suffix

    return f"{part(building, '栋')}{part(unit, '单元')}{room}"


class HouseholdEvent(models.Model):
    """An entry of a household's log (sign-up, withdrawal, installation, gas-on)."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=HouseholdAction.choices)
    from_status = models.CharField(_("from status"), max_length=12, blank=True)
    to_status = models.CharField(_("to status"), max_length=12, blank=True)
    on_date = models.DateField(_("date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("household event")
        verbose_name_plural = _("household events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["household", "at"], name="retrofit_hevent_idx")]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.action}"

    @property
    def status_change(self) -> str:
        labels = dict(HouseholdStatus.choices)
        if not self.from_status:
            return str(labels.get(self.to_status, self.to_status))
        return f"{labels.get(self.from_status, self.from_status)} → {labels.get(self.to_status, self.to_status)}"


class Issue(models.Model):
    """A problem in the way (居民协调、小区破路、违章拆除 …), the body that must solve it, and how
    it was solved. A blocking issue keeps its stage from being completed."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="issues"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    title = models.CharField(_("problem"), max_length=200)
    description = models.TextField(_("details"), blank=True)
    responsible_body = models.CharField(_("responsible body"), max_length=20, choices=Body.choices)
    responsible_name = models.CharField(_("responsible organisation"), max_length=100, blank=True)
    blocking = models.BooleanField(
        _("blocks the stage"),
        default=False,
        help_text=_("The stage cannot be completed while this issue is open."),
    )
    due_date = models.DateField(_("to be solved by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True)
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["status", "responsible_body"], name="retrofit_issue_body_idx"),
            models.Index(fields=["project", "status"], name="retrofit_issue_proj_idx"),
            models.Index(fields=["status", "due_date"], name="retrofit_issue_due_idx"),
            models.Index(fields=["responsible_body", "status"], name="retrofit_issue_body2_idx"),
            models.Index(fields=["stage", "status"], name="retrofit_issue_stage_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status_colour(self) -> str:
        return ISSUE_STATUS_COLOURS.get(self.status, "grey")

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return bool(self.status == IssueStatus.OPEN and self.due_date and self.due_date < today)


class RightsNotice(models.Model):
    """A notice of rights and duties (权益告知书) issued to one household, and its delivery.

    The text is stored as issued (``sections``), so the PDF printed today reads exactly like the
    paper the household received, even after the template text is revised.
    """

    number = models.CharField(_("notice number"), max_length=24, unique=True, editable=False)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="notices"
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="notices"
    )
    edition = models.CharField(_("text edition"), max_length=20)
    household_label = models.CharField(_("household"), max_length=80)
    addressee = models.CharField(_("addressee"), max_length=50)
    sections = models.JSONField(_("text"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.GENERATED
    )
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("delivered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delivery_method = models.CharField(
        _("delivery method"), max_length=12, choices=DeliveryMethod.choices, blank=True
    )
    receipt_signed = models.BooleanField(_("signed receipt"), default=False)
    recipient = models.CharField(_("received by"), max_length=50, blank=True)
    delivery_note = models.CharField(_("delivery note"), max_length=200, blank=True)
    void_reason = models.CharField(_("reason void"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("notice of rights and duties")
        verbose_name_plural = _("notices of rights and duties")
        ordering = ["-generated_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status"], name="retrofit_notice_proj_idx"),
            models.Index(fields=["household", "status"], name="retrofit_notice_hh_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status_colour(self) -> str:
        return NOTICE_STATUS_COLOURS.get(self.status, "grey")


def material_path(instance: Material, filename: str) -> str:
    now = timezone.localtime()
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"retrofit/materials/{now:%Y/%m}/{instance.project_id}-{now:%d%H%M%S%f}.{ext}"


class Material(models.Model):
    """A publicity material (宣传资料) or record attached to a project."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="materials"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MaterialKind.choices)
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to=material_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=8)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("publicity material")
        verbose_name_plural = _("publicity materials")
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["project", "kind"], name="retrofit_material_idx")]

    def __str__(self) -> str:
        return self.title
