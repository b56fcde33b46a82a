"""What the shared web layer stores: the record of synthetic-data runs (``tongqi generate``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SyntheticRun(models.Model):
    """One run of ``tongqi generate``: what it made, with which seed, so that generated data can
    be told from real data (the command refuses to mix them unless told to) and a run repeated."""

    seed = models.BigIntegerField(_("seed"))
    requested = models.PositiveIntegerField(_("applications requested"))
    applications = models.PositiveIntegerField(_("applications created"), default=0)
    first_application_id = models.BigIntegerField(null=True, blank=True)
    last_application_id = models.BigIntegerField(null=True, blank=True)
    rows = models.JSONField(_("rows per table"), default=dict, blank=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"), default=0)

    class Meta:
        verbose_name = _("synthetic data run")
        verbose_name_plural = _("synthetic data runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} seed={self.seed} n={self.applications}"
