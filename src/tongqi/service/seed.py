"""Demo data of service supervision: the 2021 action plan (the annex of 武天然气〔2021〕47号,
21 tasks, exactly), complaints from every source (open today, closed the same day, late), two
inspections with rectifications (one overdue), three windows with scores, callbacks and surveys
for the demo's gas-on applications."""

from __future__ import annotations

import calendar as pycal
import csv
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from tongqi.accounts.choices import UnitKind
from tongqi.accounts.models import OrgUnit
from tongqi.applications.choices import Status
from tongqi.applications.models import Application
from tongqi.sla.calendar import current_calendar

from . import services as svc
from .choices import (
    DeadlineKind,
    Feedback,
    InspectionForm,
    InspectionLevel,
    Measure,
    Severity,
    Source,
    TaskStatus,
    Topic,
    WindowKind,
)
from .models import ActionPlan, PlanOccurrence, PlanTask, ServiceSettings
from .services.common import is_workday

ANNEX = Path(__file__).with_name("data") / "action-plan-2021.tsv"
PLAN_NAME = "市天然气公司2021年获得用气行动方案"
PLAN_DOCUMENT = "武天然气（2021）47号《市天然气公司关于优化营商环境（获得用气）3.0版工作方案》附件"
PLAN_YEAR = 2021


@dataclass(frozen=True)
class AnnexRow:
    seq: int
    main_task: str
    content: str
    departments: tuple[str, ...]
    departments_text: str
    deadline_text: str


def read_annex(path: Path = ANNEX) -> list[AnnexRow]:
    """The annex table; a blank 主要任务 continues the one above (merged cells in the original)."""
    rows, current = [], ""
    with path.open(encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            current = rec["主要任务"].strip() or current
            depts = rec["责任部门"].strip()
            rows.append(
                AnnexRow(
                    seq=int(rec["序号"]),
                    main_task=current,
                    content=rec["具体内容"].strip(),
                    departments=tuple(depts.split()),
                    departments_text=depts,
                    deadline_text=rec["完成时限"].strip(),
                )
            )
    return rows


def parse_deadline(text: str, year: int = PLAN_YEAR) -> tuple[str, date | None]:
    """``5 月中旬`` → the 20th (the end of 中旬); ``7 月底前`` / ``12 月底之前`` → the month's last
    day; ``每月`` → monthly; ``根据政府要求`` → as the government requires."""
    t = text.replace(" ", "")
    if t == "每月":
        return DeadlineKind.MONTHLY, None
    if "政府要求" in t:
        return DeadlineKind.GOVERNMENT, None
    m = re.fullmatch(r"(\d{1,2})月(上旬|中旬|下旬|底前|底之前|底)", t)
    if not m:
        raise ValueError(f"unknown deadline {text!r}")
    month, part = int(m.group(1)), m.group(2)
    last = pycal.monthrange(year, month)[1]
    day = {"上旬": 10, "中旬": 20}.get(part, last)
    return DeadlineKind.DATE, date(year, month, day)


def seed_plan(company: OrgUnit | None = None) -> ActionPlan:
    """The 2021 action plan from the annex (also used by the tests)."""
    company = company or OrgUnit.objects.filter(parent__isnull=True).order_by("id").first()
    plan = ActionPlan.objects.create(
        name=PLAN_NAME, year=PLAN_YEAR, document=PLAN_DOCUMENT, effective_from=date(2021, 5, 15)
    )
    for row in read_annex():
        kind, deadline = parse_deadline(row.deadline_text)
        task = PlanTask.objects.create(
            plan=plan,
            seq=row.seq,
            main_task=row.main_task,
            content=row.content,
            departments_text=row.departments_text,
            deadline_kind=kind,
            deadline_text=row.deadline_text,
            deadline_date=deadline,
        )
        units = []
        for name in row.departments:
            unit = OrgUnit.objects.filter(name=name, kind=UnitKind.DEPARTMENT).first()
            if unit is None and company is not None:
                code = f"dept-{abs(hash(name)) % 10**8}"
                unit = OrgUnit.objects.create(
                    name=name, code=code, kind=UnitKind.DEPARTMENT, parent=company
                )
            if unit is not None:
                units.append(unit)
        task.departments.set(units)
        if kind == DeadlineKind.DATE:
            PlanOccurrence.objects.create(task=task, label=row.content[:200], due_date=deadline)
    return plan


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _workdays_back(day: date, n: int) -> date:
    cal = current_calendar()
    d, left = day, n
    while left:
        d -= timedelta(days=1)
        if is_workday(cal, d):
            left -= 1
    return d


def _seed_plan_progress(plan: ActionPlan, ctx) -> None:
    svc_user = ctx.users["service_hq"]
    marketing = ctx.users["marketing_hq"]
    eng = ctx.users["eng_hq"]
    done_2021 = {
        1: (
            marketing,
            date(2021, 5, 14),
            "方案已经公司办公会审议通过，以武天然气〔2021〕47号印发。",
        ),
        2: (svc_user, date(2021, 5, 18), "5月18日召开动员部署会，各权属公司、各部门负责人参会。"),
        3: (svc_user, date(2021, 5, 20), "完成第一次培训和考试，参训186人，合格率100%。"),
        4: (marketing, date(2021, 5, 19), "《工商客户报装天然气工作指引（试行）》修订稿已印发。"),
        5: (marketing, date(2021, 7, 26), "全公司报装已统一为用气申请、验收通气两个环节。"),
        6: (marketing, date(2021, 8, 30), "完成定型项目数据分析，4+N等套餐价格下调。"),
        7: (eng, date(2021, 7, 28), "验收点火碰头送气一体化方案已修订并在各子公司执行。"),
        8: (eng, date(2021, 7, 30), "市政配套气源工程项目报表上线，按月报送监管部门。"),
        9: (svc_user, date(2021, 5, 20), "《服务示范窗口创建工作（3.0版）》已制发。"),
        11: (svc_user, date(2021, 12, 28), "年终总结大会于12月28日召开。"),
        14: (marketing, date(2021, 5, 20), "权益告知书和宣传展板已修订并发放至各营业厅。"),
        18: (svc_user, date(2021, 10, 29), "与政务服务网完成对接，一网通办上线。"),
        19: (svc_user, date(2021, 10, 27), "报装流程优化完成，数据处理能力提升。"),
    }
    tasks = {t.seq: t for t in plan.tasks.all()}
    for seq, (who, day, text) in done_2021.items():
        svc.plan_progress_add(
            actor=who if who.can("service.view") else svc_user,
            task=tasks[seq],
            text=text,
            status=TaskStatus.DONE,
            now=_at(day, 16),
        )
    for seq, pct, text in (
        (20, 80, "新一代客服系统报装全过程管理模块在光谷、车都公司试运行，其余子公司推广中。"),
        (21, 60, "已与市场监管部门完成营业执照共享接口联调，其他证照仍在协调。"),
    ):
        svc.plan_progress_add(
            actor=svc_user,
            task=tasks[seq],
            text=text,
            status=TaskStatus.IN_PROGRESS,
            percent=pct,
            now=_at(ctx.today - timedelta(days=20), 10),
        )
    # monthly tasks: the last two months done, this month under way
    this_month = ctx.today.replace(day=1)
    months = [this_month]
    for _i in range(2):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    for m in reversed(months):
        svc.plan_monthly_occurrences(month=m)
    for occ in PlanOccurrence.objects.filter(
        task__plan=plan, period__in=[f"{m:%Y-%m}" for m in months[1:]]
    ):
        svc.plan_progress_add(
            actor=svc_user,
            task=occ.task,
            occurrence=occ,
            text=f"{occ.period} 已完成：{occ.task.content[:30]}",
            status=TaskStatus.DONE,
            now=timezone.make_aware(datetime.combine(occ.due_date, time(15))),
        )
    gov = tasks[17]
    occ = svc.plan_request_add(
        actor=svc_user,
        task=gov,
        label="报送本季度优化营商环境（获得用气）工作进展及典型案例",
        due_date=ctx.today + timedelta(days=5),
    )
    svc.plan_progress_add(
        actor=svc_user,
        task=gov,
        occurrence=occ,
        text="已收集各权属公司材料，正在汇总。",
        status=TaskStatus.IN_PROGRESS,
        percent=50,
        now=_at(ctx.today, 9),
    )


COMPLAINTS = [
    # source, ticket prefix, kind, topic, title, content, scenario
    (
        Source.HOTLINE_12345,
        "WH12345",
        "complaint",
        Topic.INSTALLATION,
        "餐馆报装进度咨询与催办",
        "市民反映其经营的餐馆已提交用气申请，希望尽快安排踏勘。",
        "today_open",
    ),
    (
        Source.HOTLINE_12345,
        "WH12345",
        "complaint",
        Topic.FEES,
        "反映报装被要求承担外线费用",
        "企业反映工作人员口头告知需承担红线外管道费用，要求核实。",
        "same_day",
    ),
    (
        Source.HOTLINE_12345,
        "WH12345",
        "request",
        Topic.SUPPLY,
        "商铺燃气压力不足",
        "商户反映近两日中午高峰时段灶具火力小。",
        "late_open",
    ),
    (
        Source.HOTLINE_12319,
        "WH12319",
        "complaint",
        Topic.WORKS,
        "燃气管道施工占道未恢复",
        "市民反映某路段燃气施工结束后路面未及时恢复。",
        "today_open",
    ),
    (
        Source.HOTLINE_12319,
        "WH12319",
        "complaint",
        Topic.WORKS,
        "施工夜间噪音扰民",
        "居民反映夜间22点后仍有管道施工噪音。",
        "closed_late",
    ),
    (
        Source.CHANGJIANG,
        "CJW",
        "enquiry",
        Topic.INSTALLATION,
        "网友询问工商户报装所需材料",
        "长江网网友留言询问工商户报装需准备哪些材料。",
        "same_day",
    ),
    (
        Source.CHANGJIANG,
        "CJW",
        "complaint",
        Topic.ATTITUDE,
        "网友反映营业厅等候时间长",
        "网友反映周一上午营业厅排队等候超过40分钟。",
        "today_open",
    ),
    (
        Source.MESSAGE_BOARD,
        "LYB",
        "suggestion",
        Topic.INSTALLATION,
        "建议开通微信报装进度查询",
        "城市留言板网友建议在公众号上查看报装进度。",
        "same_day",
    ),
    (
        Source.MESSAGE_BOARD,
        "LYB",
        "complaint",
        Topic.METER,
        "燃气表读数异常",
        "商户反映本月用气量比上月翻倍，怀疑表具故障。",
        "late_open",
    ),
    (
        Source.WECHAT,
        "WX",
        "enquiry",
        Topic.FEES,
        "咨询先通气后缴费政策",
        "企业通过公众号咨询先通气、后缴费的具体办理方式。",
        "same_day",
    ),
    (
        Source.WECHAT,
        "WX",
        "complaint",
        Topic.INSTALLATION,
        "验收预约时间无人联系",
        "企业反映已预约验收两天无人联系。",
        "today_open",
    ),
    (
        Source.PHONE,
        "",
        "complaint",
        Topic.SAFETY,
        "商户闻到燃气异味",
        "商户来电反映后厨有轻微燃气味，已指导关闭阀门并开窗。",
        "same_day",
    ),
    (
        Source.PHONE,
        "",
        "request",
        Topic.INSTALLATION,
        "申请延后验收时间",
        "企业来电申请将验收时间顺延至下周。",
        "today_open",
    ),
    (
        Source.COUNTER,
        "",
        "enquiry",
        Topic.INSTALLATION,
        "窗口咨询容缺受理",
        "客户在营业厅咨询缺少租赁合同能否先受理。",
        "same_day",
    ),
    (
        Source.COUNTER,
        "",
        "complaint",
        Topic.ATTITUDE,
        "窗口人员解释不耐心",
        "客户反映窗口人员解释报装流程时态度生硬。",
        "closed_late",
    ),
]


def _seed_complaints(ctx) -> None:
    manager = ctx.users["service_hq"]
    staff = [
        ctx.users[u]
        for u in ("am_guanggu1", "am_hankou1", "eng_guanggu", "am_chedu1", "am_hanning1")
    ]
    today = ctx.today
    now = timezone.now()
    counters: dict[str, int] = {}
    for i, (source, prefix, kind, topic, title, content, scenario) in enumerate(COMPLAINTS):
        counters[prefix] = counters.get(prefix, 0) + 1
        ticket = f"{prefix}{today:%Y%m%d}{counters[prefix]:04d}" if prefix else ""
        assignee = staff[i % len(staff)]
        if scenario in ("today_open",):
            received = min(_at(today, 9 + i % 6, 10 * (i % 5)), now - timedelta(minutes=30))
        elif scenario == "same_day":
            received = _at(_workdays_back(today, 1 + i % 3), 9, 15)
        elif scenario == "late_open":
            received = _at(_workdays_back(today, 2 + i % 2), 10, 30)
        else:  # closed_late
            received = _at(_workdays_back(today, 4), 16, 45)
        c, _created = svc.complaint_register(
            actor=manager,
            now=received,
            data=svc.ComplaintInput(
                source=source,
                external_id=ticket,
                kind=kind,
                topic=topic,
                title=title,
                content=content,
                complainant_name=["王先生", "李女士", "张经理", "刘先生", "陈女士"][i % 5],
                complainant_phone=f"1387100{i:04d}",
                received_at=received,
                assignee=assignee,
            ),
        )
        if scenario == "today_open":
            if i % 2:
                svc.complaint_investigate(
                    complaint=c,
                    actor=assignee,
                    findings="已联系诉求人，正在现场核实。",
                    now=min(received + timedelta(hours=1), now),
                )
            continue
        if scenario == "late_open":
            svc.complaint_investigate(
                complaint=c,
                actor=assignee,
                findings="需协调工程部门上门检测，尚未完成。",
                now=received + timedelta(hours=3),
            )
            continue
        answered = (
            received + timedelta(hours=3)
            if scenario == "same_day"
            else _at(_workdays_back(today, 2), 11)
        )
        svc.complaint_answer(
            complaint=c,
            actor=assignee,
            reply="已核实情况并向诉求人说明处理结果，诉求人表示认可。",
            now=answered,
        )
        svc.complaint_close(
            complaint=c,
            actor=manager,
            feedback=Feedback.SATISFIED if scenario == "same_day" else Feedback.BASICALLY,
            now=answered + timedelta(minutes=30),
        )
    # the end-of-day checks of the past working days (what the job would have done)
    for back in (3, 2, 1):
        svc.complaints_end_of_day(day=_workdays_back(today, back), now=now)


def _seed_inspections(ctx, windows) -> None:
    manager = ctx.users["service_hq"]
    today = ctx.today
    insp = svc.inspection_create(
        actor=manager,
        level=InspectionLevel.COMPANY,
        form=InspectionForm.UNANNOUNCED,
        title="光谷公司营业厅“四不两直”突击检查",
        target_unit=ctx.units["guanggu"],
        window=windows["guanggu"],
        inspected_on=today - timedelta(days=12),
        inspectors="胡晓燕、周建国",
        summary="不发通知、不打招呼，直奔营业厅检查窗口服务和报装受理。",
    )
    f1 = svc.finding_add(
        actor=manager,
        inspection=insp,
        description="两名窗口人员未佩戴工牌，服务用语不规范。",
        severity=Severity.MINOR,
    )
    f2 = svc.finding_add(
        actor=manager,
        inspection=insp,
        description="自助服务终端故障三天未报修。",
        severity=Severity.MAJOR,
    )
    svc.rectification_add(
        actor=manager,
        finding=f1,
        task="组织窗口人员服务规范再培训，每日班前检查工牌。",
        owner=ctx.users["counter_guanggu"],
        due_date=today - timedelta(days=4),
    )  # overdue: not reported done
    r2 = svc.rectification_add(
        actor=manager,
        finding=f2,
        task="联系厂家修复自助终端，建立设备日巡检记录。",
        owner=ctx.users["eng_guanggu"],
        due_date=today + timedelta(days=5),
    )
    svc.rectification_submit(
        actor=ctx.users["eng_guanggu"], rectification=r2, note="终端已修复，巡检表已上墙。"
    )
    svc.accountability_add(
        actor=manager,
        inspection=insp,
        unit=ctx.units["guanggu"],
        person=ctx.users["counter_guanggu"],
        finding=f1,
        measure=Measure.EDUCATION,
        basis="《市天然气公司优化营商环境和“双评议”服务管理办法》",
        decided_on=today - timedelta(days=10),
        description="对当班窗口人员进行批评教育。",
    )
    insp2 = svc.inspection_create(
        actor=manager,
        level=InspectionLevel.GROUP,
        form=InspectionForm.MYSTERY,
        title="集团第三方暗访：汉口分公司报装服务",
        target_unit=ctx.units["hankou"],
        window=windows["hankou"],
        inspected_on=today - timedelta(days=25),
        inspectors="第三方测评机构",
        summary="暗访人员以餐饮企业身份咨询报装。",
    )
    f3 = svc.finding_add(
        actor=manager,
        inspection=insp2,
        description="客户经理未一次性告知报装所需材料。",
        severity=Severity.MAJOR,
    )
    r3 = svc.rectification_add(
        actor=manager,
        finding=f3,
        task="制作一次性告知单，窗口和客户经理统一使用。",
        owner=ctx.users["am_hankou1"],
        due_date=today - timedelta(days=15),
    )
    svc.rectification_submit(
        actor=ctx.users["am_hankou1"],
        rectification=r3,
        note="一次性告知单已印制并在营业厅使用。",
        now=_at(today - timedelta(days=17), 15),
    )
    svc.rectification_verify(
        actor=manager, rectification=r3, passed=True, note="复查时已规范使用。"
    )
    svc.accountability_add(
        actor=manager,
        inspection=insp2,
        unit=ctx.units["hankou"],
        person=ctx.users["am_hankou1"],
        finding=f3,
        measure=Measure.PERFORMANCE,
        basis="《市天然气公司优化营商环境和“双评议”服务管理办法》",
        decided_on=today - timedelta(days=20),
        description="当月服务质量考核扣2分。",
    )
    svc.inspection_close(actor=manager, inspection=insp2)


CRITERIA = [
    ("服务规范", "仪容仪表、服务用语、首问负责、一次性告知", 25),
    ("办理效率", "等候时间、办结时限、容缺受理执行情况", 25),
    ("环境设施", "功能分区、便民设施、无障碍设施", 15),
    ("智慧服务", "自助终端、线上办理引导、网上办比例", 15),
    ("客户评价", "满意度调查得分、投诉情况", 20),
]
WINDOWS = [
    (
        "guanggu",
        "光谷公司关山大道营业厅",
        WindowKind.HALL,
        "东湖新技术开发区关山大道1号",
        [92, 88, 85, 95, 90],
    ),
    (
        "hankou",
        "汉口分公司中山大道营业厅",
        WindowKind.HALL,
        "江岸区中山大道100号",
        [85, 80, 90, 78, 84],
    ),
    ("chedu", "车都公司报装服务窗口", WindowKind.WINDOW, "经开区东风大道8号", [88, 92, 80, 85, 87]),
]


def _seed_windows(ctx) -> dict:
    manager = ctx.users["service_hq"]
    svc.criteria_save(
        actor=manager,
        rows=[svc.CriterionInput(None, n, d, w, i, True) for i, (n, d, w) in enumerate(CRITERIA)],
    )
    from .models import WindowCriterion

    criteria = list(WindowCriterion.objects.order_by("order"))
    windows = {}
    this_month = ctx.today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for code, name, kind, address, scores in WINDOWS:
        w = svc.window_save(
            actor=manager,
            name=name,
            kind=kind,
            org_unit=ctx.units[code],
            address=address,
            phone="027-96577",
            demonstration=code == "guanggu",
        )
        windows[code] = w
        for month, delta in ((last_month, -2), (this_month, 0)):
            svc.evaluation_save(
                actor=manager,
                window=w,
                period=f"{month:%Y-%m}",
                scores={
                    c.pk: Decimal(max(0, min(100, s + delta)))
                    for c, s in zip(criteria, scores, strict=True)
                },
                note="月度服务示范窗口评比",
            )
    return windows


def _seed_surveys(ctx) -> None:
    manager = ctx.users["service_hq"]
    apps = list(Application.objects.filter(status=Status.GAS_ON).order_by("pk"))
    for i, app in enumerate(apps):
        cb = svc.callback_create_after_gas_on(application_id=app.pk)
        survey = svc.survey_ensure(application=app)
        if i == 0:
            svc.survey_answer(
                survey=survey,
                scores={
                    "overall": 5,
                    "speed": 5,
                    "attitude": 5,
                    "professional": 4,
                    "transparency": 5,
                    "convenience": 5,
                },
                comment="客户经理全程跟进，三天就通气了，非常满意。",
            )
        elif i == 1:
            svc.survey_answer(
                survey=survey,
                scores={
                    "overall": 4,
                    "speed": 4,
                    "attitude": 5,
                    "professional": 4,
                    "transparency": 4,
                    "convenience": 3,
                },
                comment="验收预约等了一天，其余都很顺利。",
            )
            svc.callback_record(
                callback=cb,
                actor=manager,
                reached=True,
                summary="客户对报装服务满意，建议验收预约可选时段更多。",
            )
        elif i == 3:
            svc.callback_record(callback=cb, actor=manager, reached=False)


def seed(ctx) -> None:
    ServiceSettings.objects.create(pk=1)
    plan = seed_plan(ctx.units.get("company"))
    _seed_plan_progress(plan, ctx)
    windows = _seed_windows(ctx)
    _seed_inspections(ctx, windows)
    _seed_complaints(ctx)
    _seed_surveys(ctx)
