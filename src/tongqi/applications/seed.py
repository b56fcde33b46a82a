"""Demo applications in every stage, in several grids, some overdue, some with open 容缺."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from tongqi.accounts.models import User
from tongqi.core.validators import uscc_check_char
from tongqi.sla.calendar import current_calendar
from tongqi.sla.choices import PauseCode
from tongqi.sla.services import recompute_open_clocks

from . import services as svc
from .choices import Category, Channel, UsageType
from .models import CategoryLimit
from .services.submit import (
    ApplianceInput,
    ApplicationInput,
    EnterpriseInput,
    application_create_and_submit,
)

# 武天然气〔2021〕47号 took effect on 2021-05-15 with the 3 / 8 / 16 working-day limits.
LIMITS_DOCUMENT = "武天然气〔2021〕47号《优化营商环境（获得用气）3.0版工作方案》"

NAMES = [
    "武汉示例餐饮有限公司",
    "湖北楚味酒楼有限公司",
    "武汉江城热干面餐饮管理有限公司",
    "武汉光谷软件园食堂管理有限公司",
    "武汉汉阳造食品加工有限公司",
    "武汉长江大酒店有限公司",
    "武汉东湖烘焙坊有限公司",
    "湖北荆楚精密机械有限公司",
    "武汉车都汽配热处理有限公司",
    "武汉汉口老字号餐饮有限公司",
    "武汉青山钢城食堂有限公司",
    "武汉临空港物流园餐饮有限公司",
    "武汉黄陂木兰农家菜有限公司",
    "武汉江夏纺织印染有限公司",
    "武汉洪山高校后勤服务有限公司",
    "武汉新洲农产品加工有限公司",
    "武汉东西湖食品工业园有限公司",
    "武汉蔡甸知音湖酒店有限公司",
    "武汉武昌鱼餐饮连锁有限公司",
    "武汉硚口汉正街餐饮有限公司",
    "武汉汉南锅炉供暖有限公司",
    "武汉江岸区社区食堂有限公司",
    "武汉光谷生物医药中试基地有限公司",
    "武汉沌口汽车零部件有限公司",
]

# grid code → (district name, street) for the demo addresses
PLACES = [
    ("guanggu1", "关东街道", "关山大道{n}号"),
    ("guanggu2", "九峰街道", "高新大道{n}号"),
    ("guanggu3", "纸坊街道", "文化大道{n}号"),
    ("chedu1", "沌口街道", "东风大道{n}号"),
    ("chedu2", "蔡甸街道", "汉阳大街{n}号"),
    ("hanning1", "四新街道", "四新大道{n}号"),
    ("hankou1", "大智街道", "中山大道{n}号"),
    ("hankou2", "民族街道", "解放大道{n}号"),
    ("dongxihu1", "吴家山街道", "东吴大道{n}号"),
    ("zhiguan1", "中南路街道", "武珞路{n}号"),
    ("zhiguan3", "洪山街道", "珞喻路{n}号"),
]

APPLIANCES = [
    [("中餐炒灶", "4.5", 2), ("大锅灶", "6.0", 1), ("蒸箱", "2.8", 1)],
    [("双眼灶", "0.9", 4), ("汤桶炉", "2.5", 2)],
    [("燃气锅炉 1t/h", "75", 1)],
    [("烘焙烤炉", "3.2", 2), ("蒸柜", "2.8", 1)],
    [("热处理炉", "40", 2)],
]


def _uscc(n: int) -> str:
    body = f"914201{n:011d}"
    return body + uscc_check_char(body)


def _working_days_ago(days: int, hour: int = 10) -> datetime:
    """An instant ``days`` working days before today, at ``hour`` o'clock."""
    cal = current_calendar()
    d = timezone.localdate()
    count = 0
    while count < days:
        d -= timedelta(days=1)
        if cal.is_workday(d):
            count += 1
    return timezone.make_aware(datetime.combine(d, time(hour, 0)))


def seed(ctx) -> None:
    for category, days in (
        (Category.STANDARD_PACKAGE, 3),
        (Category.NO_EXTERNAL_WORKS, 8),
        (Category.WITH_EXTERNAL_WORKS, 16),
    ):
        CategoryLimit.objects.create(
            category=category, days=days, effective_from=date(2021, 5, 15), document=LIMITS_DOCUMENT
        )
    rng = random.Random(2026)
    customer: User = ctx.users["13800000001"]
    grids = ctx.grids
    engineers = {code: ctx.users.get(f"eng_{g.unit.parent.code}") for code, g in grids.items()}
    # (stage to reach, category, working days since acceptance, channel, extras)
    plan = [
        ("submitted", None, 0, Channel.WEB, {}),
        ("submitted", None, 0, Channel.GOV, {}),
        ("submitted", None, 0, Channel.MOBILE, {}),
        ("accepted", Category.STANDARD_PACKAGE, 1, Channel.WEB, {"commitment": True}),
        ("accepted", Category.NO_EXTERNAL_WORKS, 5, Channel.COUNTER, {}),
        ("surveyed", Category.STANDARD_PACKAGE, 5, Channel.WEB, {}),  # overdue
        ("surveyed", Category.WITH_EXTERNAL_WORKS, 3, Channel.GOV, {"pause": True}),
        ("quoted", Category.NO_EXTERNAL_WORKS, 4, Channel.MOBILE, {}),
        ("quoted", Category.STANDARD_PACKAGE, 2, Channel.KIOSK, {"commitment": True}),
        ("confirmed", Category.WITH_EXTERNAL_WORKS, 9, Channel.WEB, {}),
        ("confirmed", Category.NO_EXTERNAL_WORKS, 7, Channel.WEB, {}),  # 80 %
        ("acceptance_requested", Category.STANDARD_PACKAGE, 2, Channel.MOBILE, {}),
        ("rectifying", Category.NO_EXTERNAL_WORKS, 6, Channel.WEB, {}),
        ("gas_on", Category.STANDARD_PACKAGE, 2, Channel.WEB, {}),
        ("gas_on", Category.NO_EXTERNAL_WORKS, 6, Channel.GOV, {}),
        ("gas_on", Category.WITH_EXTERNAL_WORKS, 12, Channel.MOBILE, {}),
        ("gas_on", Category.STANDARD_PACKAGE, 6, Channel.COUNTER, {}),  # late
        ("rejected", None, 0, Channel.WEB, {}),
        ("cancelled", Category.NO_EXTERNAL_WORKS, 2, Channel.WEB, {}),
        ("draft", None, 0, Channel.WEB, {}),
    ]
    for i, (stage, category, days_ago, channel, extra) in enumerate(plan):
        grid_code, street, road = PLACES[i % len(PLACES)]
        grid = grids[grid_code]
        mine = i in (0, 7, 11, 13, 19)  # the demo customer's own applications
        ent = EnterpriseInput(
            name=NAMES[0] if mine else NAMES[(i % (len(NAMES) - 1)) + 1],
            uscc=_uscc(1) if mine else _uscc(100 + i),
            legal_representative="刘建军",
            contact_name=customer.full_name if mine else f"联系人{i}",
            contact_mobile=customer.mobile if mine else f"1357100{i:04d}",
            registered_address=f"武汉市{grid.district.name}{road.format(n=i + 1)}",
        )
        appliances = [
            ApplianceInput(n, Decimal(f), c) for n, f, c in APPLIANCES[i % len(APPLIANCES)]
        ]
        data = ApplicationInput(
            district_code=grid.district.code,
            street=street or (grid.streets or [""])[0],
            address_detail=road.format(n=rng.randint(1, 399)),
            usage_type=[
                UsageType.RESTAURANT,
                UsageType.CANTEEN,
                UsageType.BOILER,
                UsageType.BAKERY,
                UsageType.INDUSTRIAL,
            ][i % 5],
            annual_consumption=Decimal(rng.choice([18000, 36000, 120000, 480000])),
            appliances=appliances,
            privacy_notice_accepted=True,
            desired_gas_on_date=timezone.localdate() + timedelta(days=rng.randint(10, 60)),
        )
        actor = customer if mine else None
        if stage == "draft":
            from .services.submit import application_save_draft, enterprise_upsert

            e = enterprise_upsert(data=ent, actor=customer)
            application_save_draft(actor=customer, enterprise=e, data=data, channel=channel)
            continue
        counter = ctx.users.get(f"counter_{grid.unit.parent.code}")
        accepted_at = _working_days_ago(days_ago + 1)
        submitted_at = (
            None if stage in ("submitted", "rejected") else accepted_at - timedelta(hours=3)
        )
        app = application_create_and_submit(
            actor=counter if channel == Channel.COUNTER else actor,
            enterprise_data=ent,
            data=data,
            channel=channel,
            at=submitted_at,
        )
        if mine:
            app.enterprise.members.add(customer)
        if channel == Channel.COUNTER:
            svc.visit_record(
                application=app,
                actor=counter,
                kind="counter",
                note="客户到窗口办理",
                at=submitted_at,
            )
        am = app.account_manager
        if stage == "submitted":
            continue
        if stage == "rejected":
            svc.application_reject(
                application=app,
                actor=am,
                reason="用气地址不在本公司特许经营范围内，请联系当地供气企业。",
            )
            continue
        commitment = extra.get("commitment")
        svc.application_accept(
            application=app,
            actor=am,
            category=category or Category.STANDARD_PACKAGE,
            at=accepted_at,
            missing_items=["房屋租赁合同"] if commitment else (),
            commitment_text="承诺于到期日前补交房屋租赁合同原件扫描件" if commitment else "",
            commitment_due=timezone.localdate() + timedelta(days=2) if commitment else None,
        )
        if stage == "cancelled":
            svc.application_cancel(
                application=app, actor=customer if mine else am, reason="企业经营计划调整，暂不用气"
            )
            continue
        if stage == "accepted":
            continue
        svc.application_survey(
            application=app,
            actor=am,
            category=category,
            surveyed_at=accepted_at + timedelta(hours=20),
            pipe_length_m=Decimal(rng.randint(8, 60)),
            external_length_m=Decimal(rng.randint(80, 400))
            if category == Category.WITH_EXTERNAL_WORKS
            else Decimal("0"),
            meter_rating=rng.choice(["G4", "G6", "G10", "G16", "G25"]),
            findings="现场具备安装条件，厨房通风良好。",
        )
        if extra.get("pause"):
            svc.application_pause(
                application=app,
                actor=am,
                reason_code=PauseCode.ADMIN_APPROVAL,
                reason="等待道路挖掘许可审批",
            )
        if stage == "surveyed":
            continue
        svc.application_mark_quoted(application=app, actor=am, quote_ref="demo")
        if stage == "quoted":
            continue
        svc.application_confirm_quote(application=app, actor=customer if mine else None)
        if stage == "confirmed":
            continue
        svc.application_request_acceptance(application=app, actor=customer if mine else None)
        if stage == "acceptance_requested":
            continue
        eng = engineers.get(grid_code)
        if stage == "rectifying":
            svc.application_record_acceptance(
                application=app,
                actor=eng,
                passed=False,
                leak_test_ok=False,
                rectification_items="燃气泄漏报警器未与切断阀联动，请整改。",
            )
            continue
        svc.application_record_acceptance(
            application=app,
            actor=eng,
            passed=True,
            ignited=True,
            meter_number=f"G{rng.randint(100000, 999999)}",
            meter_reading=Decimal("0"),
        )
    recompute_open_clocks()
