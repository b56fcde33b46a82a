"""Packages and effective-dated prices, quotes (versioned snapshots), contractors of the
customer's choice, receivables after gas-on (先通气、后缴费) and their payments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .calc import PackageSpec
from .choices import (
    ContractorRole,
    LineKind,
    PaymentMethod,
    QuoteKind,
    QuoteStatus,
    ReceivableStatus,
    Section,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class Package(models.Model):
    """A standard package (新定型套餐) such as 4+N: a base configuration at a fixed price plus N
    extra units. What the number means is configuration, not code: see docs/guides/pricing.md."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    meter_rating = models.CharField(
        _("meter rating"), max_length=10, help_text=_("The gas meter included, e.g. G4.")
    )
    max_load = models.DecimalField(
        _("maximum peak load (m³/h)"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("The package applies up to this peak load (the meter's maximum flow)."),
    )
    included_length_m = models.DecimalField(
        _("included pipe length (m)"),
        max_digits=8,
        decimal_places=1,
        validators=[MinValueValidator(ZERO)],
    )
    extra_unit_m = models.DecimalField(
        _("length of one extra unit (m)"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("N counts started units of this length beyond the included length."),
    )
    max_length_m = models.DecimalField(
        _("maximum pipe length (m)"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("The package applies up to this in-red-line pipe length; empty = no limit."),
    )
    usage_types = models.JSONField(
        _("usage types"),
        default=list,
        blank=True,
        help_text=_("The usage types the package applies to; none ticked = every usage type."),
    )
    included_items = models.TextField(
        _("included items"), blank=True, help_text=_("One item a line.")
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("offered"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("standard package")
        verbose_name_plural = _("standard packages")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name or self.code

    @property
    def spec(self) -> PackageSpec:
        return PackageSpec(
            code=self.code,
            max_load=self.max_load,
            included_length_m=self.included_length_m,
            extra_unit_m=self.extra_unit_m,
            max_length_m=self.max_length_m,
            usage_types=tuple(self.usage_types or ()),
        )

    @property
    def item_list(self) -> list[str]:
        return [line.strip() for line in self.included_items.splitlines() if line.strip()]


class PriceList(models.Model):
    """The package prices in force from a date (effective-dated). A price cut is a new list:
    quotes issued before it keep the prices they were issued with."""

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(_("effective from"), unique=True)
    document = models.CharField(_("source document"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"

    @property
    def is_future(self) -> bool:
        return self.effective_from > timezone.localdate()


class PackagePrice(models.Model):
    """A package's base price and price per extra unit in one price list."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="prices"
    )
    package = models.ForeignKey(
        Package, verbose_name=_("package"), on_delete=models.PROTECT, related_name="prices"
    )
    base_price = models.DecimalField(
        _("base price (yuan)"), **MONEY, validators=[MinValueValidator(ZERO)]
    )
    extra_unit_price = models.DecimalField(
        _("price per extra unit (yuan)"), **MONEY, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        verbose_name = _("package price")
        verbose_name_plural = _("package prices")
        constraints = [
            models.UniqueConstraint(fields=["price_list", "package"], name="one_price_per_list")
        ]

    def __str__(self) -> str:
        return f"{self.package.code} {self.base_price}"


class Policy(models.Model):
    """Rules in force from a date: the 零审批 threshold and its document, the payment term of
    先通气、后缴费, and the utility's own cost per metre of gas-source pipe (internal)."""

    effective_from = models.DateField(_("effective from"), unique=True)
    approval_threshold = models.DecimalField(
        _("zero-approval threshold (yuan)"),
        **MONEY,
        default=Decimal("300000.00"),
        validators=[MinValueValidator(ZERO)],
        help_text=_(
            "Works of at most this amount need no quality supervision registration "
            "and no construction permit."
        ),
    )
    approval_document = models.CharField(
        _("zero-approval document"), max_length=200, default="武城管办〔2019〕15号"
    )
    payment_days = models.PositiveSmallIntegerField(
        _("payment term (days after gas-on)"),
        default=30,
        validators=[MinValueValidator(1)],
    )
    gas_source_cost_per_m = models.DecimalField(
        _("utility's cost per metre of gas-source pipe (yuan)"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(ZERO)],
        help_text=_("Internal: the investment the utility records for out-of-red-line works."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("pricing policy")
        verbose_name_plural = _("pricing policies")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from}"


class Quote(models.Model):
    """One version of the plan and quote of an application. Issued versions are snapshots:
    their lines and prices never change; a change is a new version the customer confirms."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("quote number"), max_length=30, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    kind = models.CharField(_("kind"), max_length=10, choices=QuoteKind.choices)
    package = models.ForeignKey(
        Package,
        verbose_name=_("package"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    price_list = models.ForeignKey(
        PriceList,
        verbose_name=_("price list used"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    priced_on = models.DateField(_("prices of"))
    # the site as quoted (from the survey, editable by the account manager)
    peak_load = models.DecimalField(_("peak load (m³/h)"), max_digits=10, decimal_places=3)
    usage_type = models.CharField(_("usage type"), max_length=20)
    pipe_length_m = models.DecimalField(
        _("in-red-line pipe length (m)"), max_digits=8, decimal_places=1, default=ZERO
    )
    external_length_m = models.DecimalField(
        _("gas-source pipe length (m)"), max_digits=8, decimal_places=1, default=ZERO
    )
    included_length_m = models.DecimalField(
        _("included pipe length (m)"), max_digits=8, decimal_places=1, default=ZERO
    )
    extra_unit_m = models.DecimalField(
        _("length of one extra unit (m)"), max_digits=6, decimal_places=1, default=Decimal("1")
    )
    extra_units = models.PositiveIntegerField(_("extra units (N)"), default=0)
    own_works_estimate = models.DecimalField(
        _("customer's own works (yuan)"),
        **MONEY,
        default=ZERO,
        help_text=_(
            "Investment in works the customer has built by contractors of its choice, "
            "for the zero-approval assessment."
        ),
    )
    customer_total = models.DecimalField(_("customer's total (yuan)"), **MONEY, default=ZERO)
    utility_investment = models.DecimalField(
        _("utility's own investment (yuan)"), **MONEY, default=ZERO
    )
    # 零审批, fixed when the quote is issued
    approval_exempt = models.BooleanField(_("zero approval"), null=True, blank=True)
    approval_needs = models.JSONField(_("approvals still needed"), default=list, blank=True)
    approval_threshold = models.DecimalField(
        _("zero-approval threshold (yuan)"), **MONEY, null=True, blank=True
    )
    approval_document = models.CharField(_("zero-approval document"), max_length=200, blank=True)
    note = models.TextField(_("note to the customer"), blank=True)
    change_request = models.TextField(_("customer's request for changes"), blank=True)
    lock_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drawn up by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["application_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="quote_version"),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="draft"),
                name="one_draft_quote_per_application",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "issued_at"], name="quote_status_issued"),
            models.Index(fields=["kind", "issued_at"], name="quote_kind_issued"),
            models.Index(fields=["package", "issued_at"], name="quote_package_issued"),
            models.Index(fields=["approval_exempt", "issued_at"], name="quote_approval_issued"),
            models.Index(fields=["issued_at"], name="quote_issued"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    @property
    def is_current(self) -> bool:
        return self.status in (QuoteStatus.ISSUED, QuoteStatus.CONFIRMED)


class QuoteLine(models.Model):
    """A line of a quote. Gas-source lines show 0 to the customer (零费用); the utility's own
    cost is kept beside them for internal reports."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=LineKind.choices)
    description = models.CharField(_("description"), max_length=200)
    unit = models.CharField(_("unit"), max_length=10)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price (yuan)"), **MONEY, default=ZERO)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY, default=ZERO)
    unit_cost = models.DecimalField(_("utility's unit cost (yuan)"), **MONEY, default=ZERO)
    cost = models.DecimalField(_("utility's cost (yuan)"), **MONEY, default=ZERO)

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote_id", "position", "id"]

    def __str__(self) -> str:
        return self.description


def drawing_path(instance, filename: str) -> str:
    ext = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(instance.content_type, "")
    now = timezone.localtime()
    return f"quotes/{now:%Y/%m}/{instance.sha256[:24]}{ext}"


class QuoteDrawing(models.Model):
    """A plan drawing attached to a quote version (图纸报价确认): PDF, PNG or JPEG, by content."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="drawings")
    title = models.CharField(_("title"), max_length=100)
    file = models.FileField(_("file"), upload_to=drawing_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("drawing")
        verbose_name_plural = _("drawings")
        ordering = ["quote_id", "id"]

    def __str__(self) -> str:
        return self.title


class Contractor(models.Model):
    """A design, construction or supervision unit a customer may choose for its own works.
    The utility's own units are listed like any other and never preselected."""

    name = models.CharField(_("name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_utility = models.BooleanField(
        _("the utility's own unit"),
        default=False,
        help_text=_("A unit of the gas company or its subsidiaries: one choice among others."),
    )
    listed = models.BooleanField(
        _("listed for customers"),
        default=True,
        help_text=_("Entered by a customer for its own application: not listed for others."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("contractor")
        verbose_name_plural = _("contractors")
        ordering = ["name"]
        indexes = [models.Index(fields=["listed", "active", "name"], name="contractor_listed")]

    def __str__(self) -> str:
        return self.name


class Qualification(models.Model):
    """A qualification certificate (资质证书) that lets a contractor act in one role."""

    contractor = models.ForeignKey(
        Contractor,
        verbose_name=_("contractor"),
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    role = models.CharField(_("role"), max_length=12, choices=ContractorRole.choices)
    name = models.CharField(_("qualification"), max_length=100)
    level = models.CharField(_("level"), max_length=20)
    certificate_number = models.CharField(_("certificate number"), max_length=60)
    valid_until = models.DateField(_("valid until"))

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["contractor_id", "role", "-valid_until"]
        indexes = [models.Index(fields=["role", "valid_until"], name="qualification_role")]

    def __str__(self) -> str:
        return f"{self.name}（{self.level}）{self.certificate_number}"

    @property
    def expired(self) -> bool:
        return self.valid_until < timezone.localdate()


class ContractorChoice(models.Model):
    """The customer's free choice of designer, builder and supervisor for one application."""

    application = models.ForeignKey(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="contractor_choices",
    )
    role = models.CharField(_("role"), max_length=12, choices=ContractorRole.choices)
    contractor = models.ForeignKey(
        Contractor, verbose_name=_("contractor"), on_delete=models.PROTECT, related_name="+"
    )
    qualification = models.ForeignKey(
        Qualification,
        verbose_name=_("qualification"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(_("chosen"), default=timezone.now)

    class Meta:
        verbose_name = _("contractor chosen")
        verbose_name_plural = _("contractors chosen")
        constraints = [
            models.UniqueConstraint(fields=["application", "role"], name="one_contractor_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.contractor}"


class Receivable(models.Model):
    """先通气、后缴费: what the customer owes for its works, due a term after gas-on.
    Created by the gas-on event; nothing about it ever blocks gas-on."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="receivable",
    )
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), on_delete=models.PROTECT, related_name="receivables"
    )
    amount = models.DecimalField(_("amount due (yuan)"), **MONEY)
    paid_amount = models.DecimalField(_("paid (yuan)"), **MONEY, default=ZERO)
    status = models.CharField(
        _("status"), max_length=10, choices=ReceivableStatus.choices, default=ReceivableStatus.OPEN
    )
    gas_on_at = models.DateTimeField(_("gas on"))
    due_date = models.DateField(_("due date"))
    reminded_soon_at = models.DateTimeField(
        _("reminded before the due date"), null=True, blank=True
    )
    reminded_overdue_at = models.DateTimeField(_("reminded when overdue"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    settled_at = models.DateTimeField(_("paid in full"), null=True, blank=True)

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="receivable_status_due"),
            models.Index(fields=["due_date"], name="receivable_due"),
            models.Index(fields=["gas_on_at"], name="receivable_gas_on"),
        ]

    def __str__(self) -> str:
        return f"{self.quote.number}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid_amount

    @property
    def is_overdue(self) -> bool:
        return self.status != ReceivableStatus.PAID and self.due_date < timezone.localdate()


class Payment(models.Model):
    """A payment against a receivable (partial payments allowed, never more than is owed)."""

    receivable = models.ForeignKey(
        Receivable, verbose_name=_("receivable"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["receivable_id", "paid_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=~Q(reference=""),
                name="payment_reference_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.get_method_display()}"
