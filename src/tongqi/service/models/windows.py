"""Service windows (示范窗口创建): halls and windows, weighted criteria, periodic scores."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import PeriodKind, WindowKind


class ServiceWindow(models.Model):
    """A business hall or counter window of an org unit."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=WindowKind.choices)
    org_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("organisation unit"),
        on_delete=models.PROTECT,
        related_name="service_windows",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("service phone"), max_length=32, blank=True)
    demonstration = models.BooleanField(
        _("demonstration window"), default=False, help_text=_("Awarded the 示范窗口 title.")
    )
    active = models.BooleanField(_("in service"), default=True)

    class Meta:
        verbose_name = _("service window")
        verbose_name_plural = _("service windows")
        ordering = ["org_unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="window_name_per_unit")
        ]

    def __str__(self) -> str:
        return self.name


class WindowCriterion(models.Model):
    """An evaluation criterion with its weight; the active criteria's weights sum to 100."""

    name = models.CharField(_("criterion"), max_length=100, unique=True)
    description = models.CharField(_("what is assessed"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class WindowEvaluation(models.Model):
    """A window's evaluation for one period (month or quarter); the total is the weighted sum."""

    window = models.ForeignKey(ServiceWindow, on_delete=models.CASCADE, related_name="evaluations")
    period_kind = models.CharField(_("period type"), max_length=8, choices=PeriodKind.choices)
    period = models.CharField(_("period"), max_length=7, help_text=_("2026-11 or 2026-Q4"))
    total = models.DecimalField(_("total score"), max_digits=5, decimal_places=2)
    note = models.TextField(_("remarks"), blank=True)
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), default=timezone.now)

    class Meta:
        verbose_name = _("window evaluation")
        verbose_name_plural = _("window evaluations")
        constraints = [
            models.UniqueConstraint(fields=["window", "period"], name="one_evaluation_per_period")
        ]
        indexes = [models.Index(fields=["period", "total"], name="evaluation_period_total")]
        ordering = ["-period", "-total"]

    def __str__(self) -> str:
        return f"{self.window} {self.period}"


class WindowScore(models.Model):
    """The score (0–100) on one criterion, with the weight it had at the time."""

    evaluation = models.ForeignKey(
        WindowEvaluation, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(WindowCriterion, on_delete=models.PROTECT, related_name="scores")
    weight = models.PositiveSmallIntegerField(_("weight"))
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "criterion"], name="one_score_each")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
