"""Enterprises and their getting-gas applications, with everything recorded along the way."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    AttachmentKind,
    Category,
    Channel,
    CommitmentStatus,
    CoordSystem,
    Status,
    UsageType,
    VisitKind,
)


class Enterprise(models.Model):
    """A commercial or industrial customer (用气企业), identified by its USCC."""

    name = models.CharField(_("enterprise name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    legal_representative = models.CharField(_("legal representative"), max_length=60)
    registered_address = models.CharField(_("registered address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60)
    contact_mobile = models.CharField(_("contact mobile number"), max_length=11)
    id_number = models.CharField(
        _("resident ID number of the legal representative"), max_length=18, blank=True
    )
    licence_source = models.CharField(
        _("source of the licence data"),
        max_length=20,
        blank=True,
        help_text=_("licence_sharing when filled from the government's licence sharing."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer accounts"),
        blank=True,
        related_name="enterprises",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [models.Index(fields=["name"]), models.Index(fields=["contact_mobile"])]

    def __str__(self) -> str:
        return self.name


class CategoryLimit(models.Model):
    """The time limit of a project category, effective from a date (configurable per company)."""

    category = models.CharField(_("project category"), max_length=24, choices=Category.choices)
    days = models.PositiveSmallIntegerField(_("working days"), validators=[MinValueValidator(1)])
    effective_from = models.DateField(_("effective from"))
    document = models.CharField(_("source document"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("category time limit")
        verbose_name_plural = _("category time limits")
        constraints = [
            models.UniqueConstraint(fields=["category", "effective_from"], name="one_limit_per_day")
        ]
        ordering = ["category", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.days} ({self.effective_from})"


def _label(choices, value):
    """The (lazily translated) label of ``value``, or the value itself when it is not a choice,
    as Django's ``get_FOO_display`` answers."""
    member = choices._value2member_map_.get(value)
    return member.label if member is not None else value


class Application(models.Model):
    """One getting-gas application (用气报装申请) from submission to gas-on."""

    number = models.CharField(_("application number"), max_length=20, unique=True, null=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,  # app_enterprise_status leads with it
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applications",
        db_index=False,  # app_applicant leads with it
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    api_client = models.ForeignKey(
        "integration.ApiClient",
        verbose_name=_("submitted by portal client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("stage"), max_length=24, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    # address
    district = models.ForeignKey(
        "accounts.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    street = models.CharField(_("street (街道)"), max_length=60)
    address_detail = models.CharField(_("detailed address"), max_length=200)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    coord_system = models.CharField(
        _("coordinate system"), max_length=6, choices=CoordSystem.choices, blank=True
    )

    usage_type = models.CharField(_("usage type"), max_length=20, choices=UsageType.choices)
    peak_load = models.DecimalField(
        _("peak load (m³/h)"), max_digits=10, decimal_places=3, default=Decimal("0")
    )
    annual_consumption = models.DecimalField(
        _("estimated annual consumption (m³)"), max_digits=14, decimal_places=3
    )
    desired_gas_on_date = models.DateField(_("desired gas-on date"), null=True, blank=True)
    note = models.TextField(_("remarks"), blank=True)

    # routing and the butler (管家)
    grid = models.ForeignKey(
        "accounts.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,  # app_grid_submitted leads with it
    )
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
        db_index=False,  # app_unit_status leads with it
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_applications",
        db_index=False,  # app_manager_status leads with it
    )
    meter_reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("meter reader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    safety_inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("safety inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # plan and time limit
    category = models.CharField(
        _("project category"), max_length=24, choices=Category.choices, blank=True
    )
    limit_days = models.PositiveSmallIntegerField(
        _("time limit (working days)"), null=True, blank=True
    )
    clock = models.OneToOneField(
        "sla.Clock",
        verbose_name=_("time-limit clock"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application",
    )

    privacy_notice_version = models.CharField(
        _("personal-information notice version"), max_length=20, blank=True
    )
    outcome_reason = models.TextField(_("reason given to the customer"), blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    gas_on_at = models.DateTimeField(_("gas on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["org_unit", "status", "submitted_at"], name="app_unit_status"),
            models.Index(fields=["account_manager", "status"], name="app_manager_status"),
            models.Index(fields=["enterprise", "status"], name="app_enterprise_status"),
            models.Index(fields=["status", "submitted_at"], name="app_status_submitted"),
            models.Index(fields=["channel", "submitted_at"], name="app_channel_submitted"),
            models.Index(fields=["category", "submitted_at"], name="app_category_submitted"),
            models.Index(fields=["grid", "submitted_at"], name="app_grid_submitted"),
            models.Index(fields=["applicant", "created_at"], name="app_applicant"),
            models.Index(fields=["latitude", "longitude"], name="app_location"),
        ]

    def __str__(self) -> str:
        return self.number or f"draft #{self.pk}"

    # Lists show these on every row. Django's own get_FOO_display builds a dict of the field's
    # choices on each call, hashing every lazily translated label (a translation look-up each):
    # 7 % of a 20-row queue list's CPU. The label of the one value is enough.
    def get_status_display(self):
        return _label(Status, self.status)

    def get_category_display(self):
        return _label(Category, self.category)

    def get_channel_display(self):
        return _label(Channel, self.channel)

    @property
    def is_open(self) -> bool:
        from .choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class Appliance(models.Model):
    """A gas appliance with its rated flow; their sum (× count) is the peak load."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="appliances"
    )
    name = models.CharField(_("appliance"), max_length=60)
    rated_flow = models.DecimalField(_("rated flow (m³/h)"), max_digits=9, decimal_places=3)
    count = models.PositiveSmallIntegerField(_("count"), default=1)

    class Meta:
        verbose_name = _("appliance")
        verbose_name_plural = _("appliances")

    def __str__(self) -> str:
        return f"{self.name} × {self.count}"


def attachment_path(instance, filename: str) -> str:
    now = timezone.localtime()
    return f"applications/{now:%Y/%m}/{instance.application_id}/{instance.sha256[:16]}{instance.extension}"


class Attachment(models.Model):
    """A file of the one merged application material (申请材料1项), type sniffed from content."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name

    @property
    def extension(self) -> str:
        return {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(self.content_type, "")


class Commitment(models.Model):
    """容缺受理: accepted with named non-key documents missing, against a written commitment."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="commitments"
    )
    missing_items = models.JSONField(_("missing items"), default=list)
    text = models.TextField(_("commitment"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    reminded_soon = models.BooleanField(default=False)
    reminded_overdue = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("commitment (容缺)")
        verbose_name_plural = _("commitments (容缺)")
        indexes = [models.Index(fields=["status", "due_date"], name="commitment_due")]

    def __str__(self) -> str:
        return "、".join(self.missing_items)

    @property
    def is_overdue(self) -> bool:
        return self.status == CommitmentStatus.OPEN and self.due_date < timezone.localdate()


class Survey(models.Model):
    """The site survey (现场踏勘) and the plan decision that sets the project category."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="survey")
    surveyed_at = models.DateTimeField(_("surveyed at"))
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("surveyor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(_("project category"), max_length=24, choices=Category.choices)
    pipe_length_m = models.DecimalField(
        _("pipe length inside the boundary (m)"),
        max_digits=8,
        decimal_places=1,
        default=Decimal("0"),
    )
    external_length_m = models.DecimalField(
        _("external (gas-source) pipe length (m)"),
        max_digits=8,
        decimal_places=1,
        default=Decimal("0"),
    )
    meter_rating = models.CharField(_("meter rating"), max_length=20, blank=True)
    gas_source_available = models.BooleanField(_("gas main at the boundary"), default=True)
    findings = models.TextField(_("findings"), blank=True)
    safety_conditions_ok = models.BooleanField(
        _("the site meets safe-use conditions"), default=True
    )

    class Meta:
        verbose_name = _("site survey")
        verbose_name_plural = _("site surveys")

    def __str__(self) -> str:
        return f"{self.application} {self.surveyed_at:%Y-%m-%d}"


class Visit(models.Model):
    """An in-person contact, so that 零上门 (zero visits by the customer) can be counted."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(_("kind"), max_length=10, choices=VisitKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class AcceptanceRecord(models.Model):
    """验收点火碰头送气一体化: acceptance, connection and ignition recorded as one visit."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="acceptance_records"
    )
    at = models.DateTimeField(_("time"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    passed = models.BooleanField(_("passed"))
    pressure_test_ok = models.BooleanField(_("pressure test passed"), default=True)
    leak_test_ok = models.BooleanField(_("leak test passed"), default=True)
    appliances_ok = models.BooleanField(_("appliances and ventilation meet the code"), default=True)
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    meter_reading = models.DecimalField(
        _("initial meter reading (m³)"), max_digits=12, decimal_places=3, null=True, blank=True
    )
    ignited = models.BooleanField(_("connected and ignited"), default=False)
    rectification_items = models.TextField(_("rectification required"), blank=True)
    note = models.TextField(_("remarks"), blank=True)

    class Meta:
        verbose_name = _("acceptance and ignition record")
        verbose_name_plural = _("acceptance and ignition records")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.application} {self.at:%Y-%m-%d}"


class ManagerLoad(models.Model):
    """How many open applications an account manager has, kept by every transition that opens,
    closes or moves one (``transitions.transition``), so that routing a submission reads one row
    a manager instead of counting their applications (``routing.choose_manager``).
    ``routing.manager_load_rebuild`` counts them again from the applications."""

    manager = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("account manager"),
    )
    open_applications = models.IntegerField(_("open applications"), default=0)

    class Meta:
        verbose_name = _("account manager's open applications")
        verbose_name_plural = _("account managers' open applications")

    def __str__(self) -> str:
        return f"{self.manager_id}: {self.open_applications}"


class ApplicationEvent(models.Model):
    """The timeline: every action on an application — who, when, from which channel, why."""

    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="events",
        db_index=False,  # event_app_at leads with it
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=32)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    public = models.BooleanField(_("shown to the customer"), default=True)

    class Meta:
        verbose_name = _("application event")
        verbose_name_plural = _("application events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["application", "at"], name="event_app_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"
