"""The calendar in force (built-in data + administrator overrides) and the SLA clocks.

A clock's truth is its ledger (``ClockEvent``); the columns on ``Clock`` are a checkpoint of
that ledger and cached results, recomputable at any time (``sla.services.clock_refresh``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import EventKind, Level, PauseCode


class CalendarOverride(models.Model):
    """An administrator's ruling on one date (e.g. next year's State Council notice)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("source notice"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'}"


class ConfirmedYear(models.Model):
    """A year whose official schedule an administrator has confirmed (no longer provisional)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.CharField(_("source notice"), max_length=300)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmed year")
        verbose_name_plural = _("confirmed years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarState(models.Model):
    """One row: bumped on every calendar change so every process rebuilds its cached calendar."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.PositiveIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar state")

    def __str__(self) -> str:
        return f"calendar v{self.version}"


class PauseReason(models.Model):
    """Whether a pause reason stops the clock (SPEC §3: configurable; default all do)."""

    code = models.CharField(_("reason"), max_length=24, choices=PauseCode.choices, unique=True)
    stops_clock = models.BooleanField(_("stops the clock"), default=True)
    customer_side = models.BooleanField(
        _("customer-side"),
        default=True,
        help_text=_("Customer-side pauses are netted out of the getting-gas indicator."),
    )

    class Meta:
        verbose_name = _("pause reason")
        verbose_name_plural = _("pause reasons")

    def __str__(self) -> str:
        return self.get_code_display()


class Clock(models.Model):
    """A time-limit clock: a budget in working days plus the ledger in ``events``."""

    budget_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    started_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    pause_reason = models.CharField(
        _("pause reason"), max_length=24, blank=True, choices=PauseCode.choices
    )
    # checkpoint of the ledger (tongqi.core.clock.Checkpoint)
    origin = models.DateTimeField(null=True, blank=True)
    anchor = models.DateTimeField(null=True, blank=True)
    accrued_seconds = models.BigIntegerField(default=0)
    running = models.BooleanField(default=False)
    crossed_at = models.DateTimeField(null=True, blank=True)
    # cached results, for sorting and filtering lists; recomputed on every event and calendar change
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    level = models.CharField(
        _("time-limit status"), max_length=8, choices=Level.choices, default=Level.NONE
    )
    provisional = models.BooleanField(_("provisional deadline"), default=False)
    calendar_version = models.PositiveIntegerField(default=0)
    warned_level = models.CharField(max_length=8, choices=Level.choices, default=Level.NONE)
    is_open = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        indexes = [
            models.Index(fields=["is_open", "deadline"], name="clock_open_deadline"),
            models.Index(fields=["is_open", "level"], name="clock_open_level"),
        ]

    def __str__(self) -> str:
        return f"clock #{self.pk} ({self.budget_days}d)"


class ClockEvent(models.Model):
    """One ledger entry. Append-only: a correction is a new event, never an edit."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("event"), max_length=8, choices=EventKind.choices)
    at = models.DateTimeField(_("time"))
    reason = models.CharField(_("reason"), max_length=24, blank=True, choices=PauseCode.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("clock event")
        verbose_name_plural = _("clock events")
        ordering = ["clock", "seq"]
        constraints = [models.UniqueConstraint(fields=["clock", "seq"], name="clock_event_seq")]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"
