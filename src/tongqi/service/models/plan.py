"""The action plan (行动方案): tasks with responsible departments and deadlines, progress with
evidence. The 2021 plan of 武天然气〔2021〕47号 (its annex, 21 tasks) is seeded as data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..choices import DeadlineKind, TaskStatus


class ActionPlan(models.Model):
    """A year's action plan, as issued by a company document."""

    name = models.CharField(_("name"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    document = models.CharField(_("issued by document"), max_length=200, blank=True)
    effective_from = models.DateField(_("effective from"))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Monthly tasks recur only while the plan is active.")
    )

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.name


class PlanTask(models.Model):
    """One row of the plan: main task, content, responsible departments, deadline."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    seq = models.PositiveSmallIntegerField(_("no."))
    main_task = models.CharField(_("main task"), max_length=60)
    content = models.TextField(_("content"))
    departments = models.ManyToManyField(
        "accounts.OrgUnit", verbose_name=_("responsible departments"), related_name="plan_tasks"
    )
    departments_text = models.CharField(_("responsible departments (as written)"), max_length=200)
    deadline_kind = models.CharField(_("deadline"), max_length=12, choices=DeadlineKind.choices)
    deadline_text = models.CharField(_("deadline (as written)"), max_length=40)
    deadline_date = models.DateField(_("deadline date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    last_progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["plan", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="plan_task_seq"),
            models.CheckConstraint(
                condition=Q(deadline_kind="date", deadline_date__isnull=False)
                | ~Q(deadline_kind="date"),
                name="plan_task_date_needs_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline_date"], name="plan_task_status")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.content[:40]}"


class PlanOccurrence(models.Model):
    """One deadline of a task: the single one of a dated task, one per month of a monthly task,
    one per government request of an "as required" task. Reminders run on these."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="occurrences")
    period = models.CharField(
        _("period"), max_length=7, blank=True, help_text=_("YYYY-MM for monthly tasks.")
    )
    label = models.CharField(_("what is due"), max_length=200)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    reminded_soon = models.BooleanField(default=False)
    reminded_overdue = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("plan deadline")
        verbose_name_plural = _("plan deadlines")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "period"], condition=~Q(period=""), name="plan_occurrence_period"
            )
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="plan_occurrence_due")]

    def __str__(self) -> str:
        return self.label

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status != TaskStatus.DONE and today > self.due_date


class PlanProgress(models.Model):
    """A progress update on a task (optionally for one of its deadlines), with evidence."""

    task = models.ForeignKey(PlanTask, on_delete=models.CASCADE, related_name="progress")
    occurrence = models.ForeignKey(
        PlanOccurrence,
        verbose_name=_("for the deadline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="progress",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("progress"), max_length=4000)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    status_after = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["task", "at"], name="plan_progress_task_at")]

    def __str__(self) -> str:
        return self.text[:40]


def evidence_path(instance, filename: str) -> str:
    now = timezone.localtime()
    ext = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}.get(instance.content_type, "")
    return f"service/plan/{now:%Y/%m}/{instance.sha256[:16]}{ext}"


class PlanEvidence(models.Model):
    """An evidence file (PDF, JPEG, PNG; type sniffed from the content) of a progress update."""

    progress = models.ForeignKey(PlanProgress, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=10)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name
