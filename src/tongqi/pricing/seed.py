"""Demo data of the pricing app: the four 新定型套餐 with a price history (the 2021 price cut and
one scheduled list), the policy of 武城管办〔2019〕15号, a contractor directory, and for the demo
applications already quoted, confirmed or gas-on: their quotes, contractor choices, receivables
and payments. Runs after the applications seed (it finds those applications by stage)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from tongqi.applications.choices import Status, UsageType
from tongqi.applications.models import Application, ApplicationEvent

from . import services as svc
from .choices import ContractorRole, PaymentMethod, QuoteStatus
from .models import ContractorChoice, Quote, Receivable
from .services.quotes import _write

CATERING = [
    UsageType.RESTAURANT,
    UsageType.CANTEEN,
    UsageType.HOTEL,
    UsageType.BAKERY,
    UsageType.COMMERCIAL,
]

# code, meter (GB/T 6968 size), Qmax m³/h, included m, max m, usage types, items
PACKAGES = [
    (
        "4+N",
        "G4",
        "6",
        "15",
        "60",
        CATERING,
        "G4 膜式燃气表 1 台\n表前阀、表后阀各 1 只\n燃气泄漏报警器及紧急切断阀 1 套\n"
        "户内调压器 1 台\n红线内管道 15 米（含安装、吹扫、试压）",
    ),
    (
        "6+N",
        "G6",
        "10",
        "20",
        "80",
        CATERING,
        "G6 膜式燃气表 1 台\n表前阀、表后阀各 1 只\n燃气泄漏报警器及紧急切断阀 1 套\n"
        "调压箱 1 台\n红线内管道 20 米（含安装、吹扫、试压）",
    ),
    (
        "10+N",
        "G10",
        "16",
        "25",
        "100",
        [],
        "G10 膜式燃气表 1 台\n表前阀、表后阀各 1 只\n燃气泄漏报警器及紧急切断阀 1 套\n"
        "调压箱 1 台\n红线内管道 25 米（含安装、吹扫、试压）",
    ),
    (
        "16+N",
        "G16",
        "25",
        "30",
        "120",
        [],
        "G16 膜式燃气表 1 台\n表前阀、表后阀各 1 只\n燃气泄漏报警器及紧急切断阀 1 套\n"
        "调压箱 1 台（带超压切断）\n红线内管道 30 米（含安装、吹扫、试压）",
    ),
]

# (name, effective from, document, {code: (base, per extra metre)})
PRICE_LISTS = [
    (
        "2020 年新定型套餐价格",
        date(2020, 7, 1),
        "市天然气公司 2020 年新定型套餐推行方案",
        {
            "4+N": ("12800.00", "200.00"),
            "6+N": ("16800.00", "220.00"),
            "10+N": ("26800.00", "240.00"),
            "16+N": ("39800.00", "260.00"),
        },
    ),
    (
        "2021 年定型套餐降价",
        date(2021, 8, 31),
        "国办函〔2020〕129号；武天然气〔2021〕47号",
        {
            "4+N": ("9800.00", "180.00"),
            "6+N": ("13800.00", "200.00"),
            "10+N": ("22800.00", "220.00"),
            "16+N": ("34800.00", "240.00"),
        },
    ),
]

# The scheduled list of the demo: a further cut, a month from the day the demo is seeded.
SCHEDULED = (
    "定型套餐价格再降（拟）",
    "市场营销部定型套餐成本分析",
    {
        "4+N": ("8800.00", "170.00"),
        "6+N": ("12800.00", "190.00"),
        "10+N": ("21800.00", "210.00"),
        "16+N": ("32800.00", "230.00"),
    },
)

# (name, is utility, uscc body, [(role, qualification, level, certificate, days valid from today)])
CONTRACTORS = [
    (
        "武汉市燃气热力规划设计院有限公司",
        True,
        [
            (
                ContractorRole.DESIGNER,
                "市政行业（燃气工程、轨道交通工程除外）专业",
                "甲级",
                "A142000101",
                900,
            )
        ],
    ),
    (
        "武汉天然气工程建设有限公司",
        True,
        [
            (ContractorRole.BUILDER, "市政公用工程施工总承包", "一级", "D142000102", 700),
            (ContractorRole.BUILDER, "压力管道安装许可（GB1）", "GB1 级", "TS3842001-2027", 500),
        ],
    ),
    (
        "湖北华瑞燃气工程设计有限公司",
        False,
        [(ContractorRole.DESIGNER, "市政行业（燃气工程）专业", "乙级", "A242000103", 420)],
    ),
    (
        "武汉江城管道安装工程有限公司",
        False,
        [(ContractorRole.BUILDER, "市政公用工程施工总承包", "二级", "D242000104", 380)],
    ),
    (
        "湖北楚天建设集团有限公司",
        False,
        [
            (ContractorRole.BUILDER, "建筑机电安装工程专业承包", "一级", "D142000105", 260),
            (ContractorRole.DESIGNER, "建筑行业（建筑工程）", "乙级", "A242000106", -20),
        ],
    ),
    (
        "湖北正信工程监理有限公司",
        False,
        [(ContractorRole.SUPERVISOR, "市政公用工程监理", "甲级", "E142000107", 640)],
    ),
    (
        "武汉诚达建设监理有限公司",
        False,
        [(ContractorRole.SUPERVISOR, "市政公用工程监理", "乙级", "E242000108", -45)],
    ),
]


def seed(ctx) -> None:
    marketing = ctx.users["marketing_hq"]
    today = ctx.today
    packages = {}
    for i, (code, meter, qmax, inc, mx, usage, items) in enumerate(PACKAGES):
        packages[code] = svc.package_save(
            actor=marketing,
            code=code,
            name=f"{code} 新定型套餐",
            meter_rating=meter,
            max_load=Decimal(qmax),
            included_length_m=Decimal(inc),
            extra_unit_m=Decimal("1"),
            max_length_m=Decimal(mx),
            usage_types=[str(u) for u in usage],
            included_items=items,
            description=f"适用于峰值负荷不超过 {qmax} m³/h（{meter} 表最大流量）的项目；"
            f"红线内管道超出 {inc} 米的部分按每米计 N。",
            sort_order=i,
        )
    for name, effective, document, prices in PRICE_LISTS:
        svc.price_list_create(
            actor=marketing,
            name=name,
            effective_from=effective,
            document=document,
            prices=[svc.PriceInput(packages[c].pk, b, e) for c, (b, e) in prices.items()],
            allow_past=True,
        )
    name, document, prices = SCHEDULED
    svc.price_list_create(
        actor=marketing,
        name=name,
        effective_from=today + timedelta(days=30),
        document=document,
        prices=[svc.PriceInput(packages[c].pk, b, e) for c, (b, e) in prices.items()],
    )
    svc.policy_save(
        actor=marketing,
        effective_from=date(2021, 5, 15),
        approval_threshold=Decimal("300000.00"),
        approval_document="武城管办〔2019〕15号",
        payment_days=30,
        gas_source_cost_per_m=Decimal("850.00"),
        note="武天然气〔2021〕47号：零费用、零审批、先通气后缴费。",
        allow_past=True,
    )
    quals = _contractors(marketing, today)
    _quotes(ctx, quals)


def _contractors(actor, today) -> dict:
    out = {}
    from tongqi.core.validators import uscc_check_char

    for n, (name, utility, quals) in enumerate(CONTRACTORS):
        body = f"914201{500 + n:011d}"
        c = svc.contractor_save(
            actor=actor,
            name=name,
            uscc=body + uscc_check_char(body),
            contact_name="业务部",
            contact_phone=f"027-8{n:03d}6577",
            is_utility=utility,
            listed=True,
            active=True,
        )
        for role, qual, level, cert, days in quals:
            out[cert] = svc.qualification_save(
                actor=actor,
                contractor=c,
                role=role,
                name=qual,
                level=level,
                certificate_number=cert,
                valid_until=today + timedelta(days=days),
            )
    return out


def _event_at(app, action):
    ev = ApplicationEvent.objects.filter(application=app, action=action).order_by("-at").first()
    return ev.at if ev else timezone.now()


def _quotes(ctx, quals) -> None:
    """Quotes "as they were" for the demo applications past the quote stage: the applications
    seed moved them with quote_ref="demo"; here the matching versions are recorded."""
    stages = [
        Status.QUOTED,
        Status.CONFIRMED,
        Status.ACCEPTANCE_REQUESTED,
        Status.RECTIFYING,
        Status.GAS_ON,
    ]
    apps = (
        Application.objects.filter(status__in=stages)
        .select_related("enterprise", "account_manager", "survey")
        .order_by("pk")
    )
    for i, app in enumerate(apps):
        data = svc.quote_input_for(app)
        if data.kind == "custom" and not data.items:
            data.items = _custom_items(app)
        elif i % 4 == 3:
            data.items.append(
                svc.ItemInput("customer", "厨房燃气管道支管延伸及阀门", "项", "1", "1600.00", "0")
            )
        issued_at = _event_at(app, "quote")
        computed = svc.quote_compute(application=app, data=data, on=timezone.localdate(issued_at))
        q = Quote(
            application=app,
            version=1,
            number=f"{app.number}-01",
            status=QuoteStatus.DRAFT,
            created_by=app.account_manager,
            priced_on=computed.on,
            peak_load=app.peak_load,
            usage_type=app.usage_type,
        )
        _write(q, computed)
        q.status = QuoteStatus.ISSUED
        q.issued_by = app.account_manager
        q.issued_at = issued_at
        q.created_at = issued_at
        q.approval_exempt = computed.approval.exempt
        q.approval_needs = computed.approval.needs
        q.approval_threshold = computed.approval.threshold
        q.approval_document = computed.approval_document
        if app.status != Status.QUOTED:
            q.status = QuoteStatus.CONFIRMED
            q.confirmed_at = _event_at(app, "confirm_quote")
            q.confirmed_by = app.applicant or app.enterprise.members.first()
        q.save()
        if app.status != Status.QUOTED:
            _choices(app, quals, i)
    for n, app in enumerate(Application.objects.filter(status=Status.GAS_ON).order_by("pk")):
        rec = svc.receivable_create_for_gas_on(application_id=app.pk)
        if rec is None:
            continue
        finance = ctx.users["marketing_hq"]
        if n == 0:  # paid in full by bank transfer
            svc.payment_record(
                receivable=rec,
                actor=finance,
                data=svc.PaymentInput(
                    amount=rec.amount,
                    method=PaymentMethod.BANK_TRANSFER,
                    reference=f"HB{rec.pk:06d}2026",
                    paid_on=timezone.localdate(),
                ),
            )
        elif n == 1:  # a first instalment by WeChat Pay
            svc.payment_record(
                receivable=rec,
                actor=finance,
                data=svc.PaymentInput(
                    amount=(rec.amount / 2).quantize(Decimal("0.01")),
                    method=PaymentMethod.WECHAT,
                    reference=f"420000{rec.pk:06d}",
                    paid_on=timezone.localdate(),
                ),
            )
        elif n == 2:
            # Demo only: the seeded gas-on dates are today, so nothing would be overdue yet;
            # one receivable is given yesterday's due date so the overdue list and the
            # reminder job have something to show.
            Receivable.objects.filter(pk=rec.pk).update(
                due_date=timezone.localdate() - timedelta(days=1)
            )


def _custom_items(app) -> list:
    """A custom plan for the loads no package covers (boilers, industrial furnaces)."""
    survey = getattr(app, "survey", None)
    pipe = survey.pipe_length_m if survey else Decimal("30")
    big = app.peak_load > Decimal("60")
    return [
        svc.ItemInput(
            "customer",
            "罗茨流量计及调压计量撬（含过滤、超压切断）" if big else "罗茨流量计 G40 及调压箱",
            "套",
            "1",
            "268000.00" if big else "46000.00",
        ),
        svc.ItemInput(
            "customer", "红线内中压燃气管道 DN100（含焊接、防腐）", "米", str(pipe), "460.00"
        ),
        svc.ItemInput("customer", "燃气泄漏报警及紧急切断系统", "套", "1", "12800.00"),
        svc.ItemInput("customer", "吹扫、强度及严密性试验、置换", "项", "1", "6500.00"),
    ]


def _choices(app, quals, i) -> None:
    """Free choice: independent designers and supervisors, the utility's builder for some,
    and one supervisor whose qualification has expired (flagged in the UI)."""
    designer = quals["A242000103"] if i % 2 else quals["A142000101"]
    builder = quals["D142000102"] if i % 3 == 0 else quals["D242000104"]
    supervisor = quals["E242000108"] if i % 5 == 1 else quals["E142000107"]
    for role, q in (
        (ContractorRole.DESIGNER, designer),
        (ContractorRole.BUILDER, builder),
        (ContractorRole.SUPERVISOR, supervisor),
    ):
        ContractorChoice.objects.create(
            application=app,
            role=role,
            contractor=q.contractor,
            qualification=q,
            chosen_by=app.applicant or app.enterprise.members.first(),
            chosen_at=_event_at(app, "confirm_quote"),
        )
