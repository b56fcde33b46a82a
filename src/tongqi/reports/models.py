"""Indicators, dashboards and exports: models.

``ApplicationIndicator`` is a derived table (docs/adr/0013-indicator-table.md): one narrow row per
submitted application holding its getting-gas indicators, recomputable at any time from the
applications, the SLA clock ledger, pricing and service records. Dashboards aggregate it with
GROUP BY; they never read the raw events.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Sla


class ApplicationIndicator(models.Model):
    """The getting-gas indicators of one application (获得用气指标), kept up to date incrementally."""

    application = models.OneToOneField(
        "applications.Application",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="indicator",
    )
    # dimensions (copied from the application so that aggregation reads one table)
    month = models.DateField(_("month of submission"))
    submitted_at = models.DateTimeField(_("submitted"))
    category = models.CharField(_("project category"), max_length=24, blank=True)
    limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ind_unit_month leads with it
    )
    subsidiary = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("subsidiary"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ind_subsidiary_month leads with it
    )
    grid = models.ForeignKey(
        "accounts.Grid",
        verbose_name=_("grid"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # ind_grid_month leads with it
    )
    channel = models.CharField(_("channel"), max_length=10)
    online = models.BooleanField(_("handled online"))
    status = models.CharField(_("stage"), max_length=24)
    is_open = models.BooleanField(_("open"))
    gas_on = models.BooleanField(_("gas on"))
    # the getting-gas indicators
    customer_steps = models.PositiveSmallIntegerField(_("customer-facing steps"), default=0)
    elapsed_seconds = models.BigIntegerField(
        _("working seconds used, net of customer-side pauses"), default=0
    )
    elapsed_days = models.DecimalField(
        _("working days used"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    within_limit = models.BooleanField(_("within the time limit"), null=True)
    customer_cost = models.DecimalField(
        _("customer's cost outside the red line (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
    )
    customer_total = models.DecimalField(
        _("customer's total inside the red line (yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
    )
    materials = models.PositiveSmallIntegerField(_("application materials"), default=0)
    visits = models.PositiveSmallIntegerField(_("in-person visits"), default=0)
    sla = models.CharField(_("time-limit compliance"), max_length=8, choices=Sla.choices)
    pauses = models.PositiveSmallIntegerField(_("pauses"), default=0)
    paused_seconds = models.BigIntegerField(_("working seconds in customer-side pauses"), default=0)
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True)
    open_commitments = models.PositiveSmallIntegerField(_("open commitments (容缺)"), default=0)
    receivable = models.DecimalField(
        _("outstanding receivable (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        verbose_name = _("application indicator")
        verbose_name_plural = _("application indicators")
        indexes = [
            models.Index(fields=["org_unit", "month"], name="ind_unit_month"),
            models.Index(fields=["subsidiary", "month"], name="ind_subsidiary_month"),
            models.Index(fields=["grid", "month"], name="ind_grid_month"),
            models.Index(fields=["month", "category"], name="ind_month_category"),
            models.Index(fields=["channel", "month"], name="ind_channel_month"),
            models.Index(fields=["sla", "month"], name="ind_sla_month"),
            models.Index(fields=["submitted_at", "application"], name="ind_submitted"),
            models.Index(fields=["is_open", "month"], name="ind_open_month"),
        ]

    def __str__(self) -> str:
        return f"indicator {self.application_id}"


def _count(label):
    return models.BigIntegerField(label, default=0)


def _money(label):
    return models.DecimalField(label, max_digits=18, decimal_places=2, default=Decimal("0"))


class IndicatorSummary(models.Model):
    """Sums of the indicator rows per (month, org unit, grid, channel, category): what the
    dashboard aggregates, a few ten thousand rows for a million applications (ADR 0013).

    Kept equal to the GROUP BY of ``ApplicationIndicator`` by every write of indicator rows:
    the groups a write touched are recomputed in the same transaction."""

    month = models.DateField(_("month of submission"))
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subsidiary = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("subsidiary"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    grid = models.ForeignKey(
        "accounts.Grid",
        verbose_name=_("grid"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=10)
    category = models.CharField(_("project category"), max_length=24, blank=True)
    n = _count(_("applications"))
    open = _count(_("open"))
    done = _count(_("gas on"))
    done_seconds = _count(_("working seconds to gas-on"))
    within = _count(_("gas on within the time limit"))
    late = _count(_("gas on beyond the time limit"))
    on_time = _count(_("on time"))
    warned = _count(_("warned"))
    overdue = _count(_("overdue"))
    online = _count(_("handled online"))
    done_steps = _count(_("customer-facing steps (gas on)"))
    extra_steps = _count(_("more than two steps"))
    materials = _count(_("application materials"))
    extra_materials = _count(_("more than one material"))
    visits = _count(_("in-person visits"))
    visited = _count(_("customer came in person"))
    cost_sum = _money(_("customer's cost outside the red line (yuan)"))
    cost = _count(_("charged outside the red line"))
    sat_sum = _count(_("sum of satisfaction scores"))
    rated = _count(_("surveys answered"))
    commitments_sum = _count(_("open commitments (容缺)"))
    commitments = _count(_("applications with open commitments"))
    receivable_sum = _money(_("outstanding receivable (yuan)"))
    receivable = _count(_("applications with a receivable"))

    class Meta:
        verbose_name = _("indicator summary")
        verbose_name_plural = _("indicator summaries")
        indexes = [
            models.Index(fields=["month", "org_unit"], name="indsum_month_unit"),
            models.Index(fields=["org_unit", "month"], name="indsum_unit_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_id} {self.channel} {self.category}"
