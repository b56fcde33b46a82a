"""The action plan: the 21 seeded tasks are the annex of 武天然气〔2021〕47号, deadlines,
monthly recurrences, progress with evidence (nothing half-saved), reminders."""

from __future__ import annotations

from datetime import date

import pytest

from tongqi.integration.models import Notification
from tongqi.service import services as svc
from tongqi.service.choices import DeadlineKind, TaskStatus
from tongqi.service.models import PlanEvidence, PlanOccurrence, PlanProgress, PlanTask
from tongqi.service.seed import parse_deadline, seed_plan

pytestmark = pytest.mark.django_db

# The annex "市天然气公司 2021 年获得用气行动", typed from the source document:
# (序号, 主要任务, 具体内容, 责任部门, 完成时限)
ANNEX = [
    (1, "宣贯动员", "制定《关于优化营商环境（获得用气）3.0 版实施方案》", "市场营销部", "5 月中旬"),
    (2, "宣贯动员", "召开优化营商环境动员部署会", "服务管理部", "5 月中旬"),
    (3, "宣贯动员", "组织第一次“优化营商环境”及“双评议”工作培训和考试", "服务管理部", "5 月中旬"),
    (4, "工作推进", "修订《工商客户报装天然气工作指引（试行）》", "市场营销部", "5 月中旬"),
    (
        5,
        "工作推进",
        "全面推广获得用气报装优化为两个环节：用气申请和验收通气",
        "市场营销部",
        "7 月底前",
    ),
    (
        6,
        "工作推进",
        "研究优化工项目“定型”项目，尝试降低“定型”项目报装成本",
        "市场营销部",
        "8 月底前",
    ),
    (7, "工作推进", "进一步优化验收点火碰头送气一体化方案", "工程管理部", "7 月底前"),
    (
        8,
        "工作推进",
        "推进工程报表体系，制作市政配套气源工程项目报表，方便监管统计",
        "工程管理部",
        "7 月底前",
    ),
    (9, "工作推进", "制发《服务示范窗口创建工作（3.0 版）》", "服务管理部", "5 月中旬"),
    (
        10,
        "工作推进",
        "了解政策动态，跟进政府最新工作指示",
        "市场营销部 工程管理部 服务管理部",
        "每月",
    ),
    (11, "工作推进", "组织召开“优化营商环境”及“双评议”年终总结大会", "服务管理部", "12 月底之前"),
    (12, "监督回访", "用户报装信息化平台监管及回访。", "服务管理部", "每月"),
    (13, "监督回访", "开展项目线上满意度调查及线下回访。", "服务管理部", "每月"),
    (14, "宣传报导", "修订“权益告知书”、宣传展板等宣传资料", "市场营销部", "5 月中旬"),
    (15, "宣传报导", "“优化营商环境”及“双评议”工作简报。", "服务管理部", "每月"),
    (16, "宣传报导", "优化营商环境新闻报导。", "企业传讯组", "每月"),
    (
        17,
        "其他",
        "依照上级要求，做好营商环境相关信息报送及回复工作",
        "市场营销部 服务管理部",
        "根据政府要求",
    ),
    (
        18,
        "其他",
        "推行“一网通办”、“联合审批”，实现用气报装与政务服务网络系统对接",
        "信息化管理部",
        "10 月底前",
    ),
    (19, "其他", "优化现有报装流程，提升系统数据处理能力", "信息化管理部", "10 月底前"),
    (
        20,
        "其他",
        "在新一代客服系统实施项目建设中实现报装全过程管理，并在公司范围试运行",
        "信息化管理部",
        "10 月底前",
    ),
    (21, "其他", "积极与政府部门沟通，实现证照共享，满足精简资料要求", "信息化管理部", "10 月底前"),
]


@pytest.fixture
def plan(org):
    return seed_plan(org.company)


def test_the_21_seeded_tasks_match_the_annex(plan):
    tasks = list(plan.tasks.prefetch_related("departments").order_by("seq"))
    assert len(tasks) == 21
    got = [(t.seq, t.main_task, t.content, t.departments_text, t.deadline_text) for t in tasks]
    assert got == ANNEX
    for t, row in zip(tasks, ANNEX, strict=True):
        assert sorted(d.name for d in t.departments.all()) == sorted(row[3].split())
    assert plan.document.startswith("武天然气（2021）47号")


def test_deadlines_are_a_date_monthly_or_as_the_government_requires(plan):
    by_seq = {t.seq: t for t in plan.tasks.all()}
    assert (by_seq[1].deadline_kind, by_seq[1].deadline_date) == (
        DeadlineKind.DATE,
        date(2021, 5, 20),
    )
    assert by_seq[5].deadline_date == date(2021, 7, 31)
    assert by_seq[6].deadline_date == date(2021, 8, 31)
    assert by_seq[11].deadline_date == date(2021, 12, 31)
    assert by_seq[18].deadline_date == date(2021, 10, 31)
    assert {t.seq for t in by_seq.values() if t.deadline_kind == DeadlineKind.MONTHLY} == {
        10,
        12,
        13,
        15,
        16,
    }
    assert [t.seq for t in by_seq.values() if t.deadline_kind == DeadlineKind.GOVERNMENT] == [17]
    # every dated task has its one deadline
    dated = [t for t in by_seq.values() if t.deadline_kind == DeadlineKind.DATE]
    assert all(t.occurrences.get().due_date == t.deadline_date for t in dated)
    with pytest.raises(ValueError, match="unknown deadline"):
        parse_deadline("尽快")


def test_monthly_tasks_recur_once_a_month_on_the_last_working_day(plan):
    made = svc.plan_monthly_occurrences(month=date(2025, 5, 1))
    assert len(made) == 5
    assert {o.due_date for o in made} == {date(2025, 5, 30)}  # 31 May 2025 is a Saturday
    assert svc.plan_monthly_occurrences(month=date(2025, 5, 1)) == []
    assert {o.due_date for o in svc.plan_monthly_occurrences(month=date(2025, 9, 1))} == {
        date(2025, 9, 30)
    }


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_progress_with_evidence_updates_the_task(plan, people):
    task = plan.tasks.get(seq=2)
    p = svc.plan_progress_add(
        actor=people.service,
        task=task,
        text="动员会已召开",
        status=TaskStatus.DONE,
        files=[("会议纪要.pdf", PDF), ("现场照片.png", PNG)],
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.percent == 100 and task.completed_at
    assert task.occurrences.get().status == TaskStatus.DONE
    ev = list(p.evidence.order_by("id"))
    assert [(e.original_name, e.content_type) for e in ev] == [
        ("会议纪要.pdf", "pdf"),
        ("现场照片.png", "png"),
    ]
    assert ev[0].file.read() == PDF


def test_a_bad_file_refuses_the_whole_update(plan, people):
    task = plan.tasks.get(seq=2)
    with pytest.raises(svc.InvalidInput) as exc:
        svc.plan_progress_add(
            actor=people.service,
            task=task,
            text="动员会已召开",
            status=TaskStatus.DONE,
            files=[("会议纪要.pdf", PDF), ("伪装.pdf", PNG)],
        )
    assert "files" in exc.value.fields and "伪装.pdf" in exc.value.fields["files"][0]
    assert not PlanProgress.objects.exists() and not PlanEvidence.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.NOT_STARTED


def test_a_monthly_deadline_is_done_while_the_task_goes_on(plan, people):
    task = plan.tasks.get(seq=15)
    occ = svc.plan_monthly_occurrences(month=date(2026, 10, 1))[3]
    assert occ.task == task
    svc.plan_progress_add(
        actor=people.service,
        task=task,
        occurrence=occ,
        text="10月简报已印发",
        status=TaskStatus.DONE,
    )
    occ.refresh_from_db()
    task.refresh_from_db()
    assert occ.status == TaskStatus.DONE and occ.completed_at
    assert task.status == TaskStatus.IN_PROGRESS


def test_who_may_report_progress(plan, people):
    marketing_task = plan.tasks.get(seq=1)
    it_task = plan.tasks.get(seq=18)
    people.marketing.org_unit = marketing_task.departments.get()
    people.marketing.save()
    assert svc.plan.may_report(people.marketing, marketing_task)
    assert not svc.plan.may_report(people.marketing, it_task)
    assert svc.plan.may_report(people.service, it_task)
    assert not svc.plan.may_report(people.customer, marketing_task)
    with pytest.raises(svc.Forbidden):
        svc.plan_progress_add(actor=people.am_a, task=it_task, text="x", status=TaskStatus.DONE)


def test_government_requests_add_deadlines(plan, people):
    task = plan.tasks.get(seq=17)
    occ = svc.plan_request_add(
        actor=people.service, task=task, label="报送季度材料", due_date=date(2026, 12, 5)
    )
    assert occ.task == task and occ.period == ""
    with pytest.raises(svc.InvalidInput):
        svc.plan_request_add(
            actor=people.service, task=plan.tasks.get(seq=1), label="x", due_date=date(2026, 12, 5)
        )


def test_reminders_before_and_after_deadlines_each_once(plan, people, org):
    svc_dept = PlanTask.objects.get(plan=plan, seq=12).departments.get()
    people.service.org_unit = svc_dept
    people.service.save()
    svc.plan_monthly_occurrences(month=date(2026, 11, 1))  # due Mon 30 Nov 2026
    Notification.objects.all().delete()
    # dated 2021 tasks are long overdue; the November deadlines are 3 days away on the 27th
    sent = svc.plan_reminders(today=date(2026, 11, 27))
    overdue = PlanOccurrence.objects.filter(due_date__lt=date(2026, 11, 27)).count()
    assert sent == overdue + 5
    assert (
        Notification.objects.filter(user=people.service, topic="service.plan.due_soon").count() == 5
    )
    assert svc.plan_reminders(today=date(2026, 11, 27)) == 0
