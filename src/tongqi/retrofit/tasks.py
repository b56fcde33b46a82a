"""Background jobs of the retrofit area: the morning reminder of what is overdue."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from tongqi.integration import outbox
from tongqi.integration.choices import Channel
from tongqi.integration.models import Notification
from tongqi.integration.notify import notify

from .choices import IssueStatus, ProjectStatus
from .models import Issue, Project, StageRecord

TOPIC = "retrofit.overdue"


def overdue_reminders(today=None) -> int:
    """Tell each project's special-team lead (or its creator) about issues past their due date
    and a current stage past its planned end. One in-app message per project per day."""
    today = today or timezone.localdate()
    issues: dict[int, int] = defaultdict(int)
    for project_id in Issue.objects.filter(
        status=IssueStatus.OPEN,
        due_date__lt=today,
        project__status=ProjectStatus.ACTIVE,
    ).values_list("project_id", flat=True):
        issues[project_id] += 1
    behind = set(
        StageRecord.objects.filter(
            project__status=ProjectStatus.ACTIVE,
            stage=F("project__stage"),
            planned_end__lt=today,
            actual_end__isnull=True,
            skipped=False,
        ).values_list("project_id", flat=True)
    )
    start_of_day = timezone.make_aware(datetime.combine(today, time.min))
    already = set(
        Notification.objects.filter(topic=TOPIC, created_at__gte=start_of_day).values_list(
            "user_id", "link"
        )
    )
    sent = 0
    projects = Project.objects.filter(pk__in=set(issues) | behind).select_related(
        "team_lead", "created_by"
    )
    with transaction.atomic():
        for p in projects:
            who = p.team_lead or p.created_by
            link = reverse("retrofit:detail", args=[p.pk])
            if who is None or not who.is_active or (who.pk, link) in already:
                continue
            parts = []
            if issues.get(p.pk):
                parts.append(f"{issues[p.pk]} 个问题已过要求解决日期")
            if p.pk in behind:
                parts.append(f"“{p.get_stage_display()}”阶段已过计划完成日期")
            notify(
                users=[who],
                title=f"民现户项目 {p.name}：" + "，".join(parts),
                body="请在问题台账中跟进责任主体，或更新阶段计划。",
                link=link,
                topic=TOPIC,
                channels=(Channel.INAPP,),
            )
            sent += 1
    return sent


@outbox.periodic("retrofit.overdue", daily_at=time(8, 30))
def overdue_job(message) -> None:
    overdue_reminders()
