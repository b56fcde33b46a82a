"""Demo data: three old communities in Wuhan at different stages, with households in every
state, an issue log and notices, all made through the services (so events and audit exist)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tongqi.accounts.models import District

from . import services
from .choices import Body, DeliveryMethod, HouseholdStatus, Stage

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "桂英",
    "建华",
    "秀兰",
    "志强",
    "玉珍",
    "国庆",
    "淑芬",
    "德明",
    "凤英",
    "爱华",
    "春生",
    "丽",
]


def _name(i: int) -> str:
    return SURNAMES[(i * 7) % len(SURNAMES)] + GIVEN[(i * 5) % len(GIVEN)]


def _phone(i: int) -> str:
    return f"135{(27000000 + i * 7919) % 100000000:08d}"


def _households(project, actor, buildings, units, floors, per_floor, seed: int, limit: int):
    """Register flats 101…(floors)0(per_floor) of each building and unit, up to ``limit``."""
    made = []
    i = seed
    for b in buildings:
        for u in units:
            for f in range(1, floors + 1):
                for r in range(1, per_floor + 1):
                    if len(made) >= limit:
                        return made
                    i += 1
                    made.append(
                        services.household_create(
                            project=project,
                            actor=actor,
                            building=str(b),
                            unit=str(u),
                            room=f"{f}0{r}",
                            contact_name=_name(i),
                            phone=_phone(i),
                        )
                    )
    return made


def _move(households, actor, fn, on, every: int = 1, **kwargs):
    out = []
    for n, h in enumerate(households):
        if n % every == 0:
            out.append(fn(household=h, actor=actor, expected_version=None, on_date=on, **kwargs))
    return out


def seed(ctx) -> None:
    today = ctx.today
    if today > timezone.localdate():  # a demo seeded "in the future" would break date checks
        today = timezone.localdate()
    districts = {d.name: d for d in District.objects.filter(name__in=["江岸区", "武昌区"])}
    eng_hankou = ctx.users["eng_hankou"]
    eng_wuchang = ctx.users["eng_zhiguan"]

    # 1. 江岸区: in construction, a blocking issue with the street office open. -----------------
    p1 = services.project_create(
        actor=eng_hankou,
        started_on=today - timedelta(days=150),
        name="球场路铁路宿舍",
        address="武汉市江岸区球场路铁路宿舍 1–4 栋",
        district=districts["江岸区"],
        street_office="球场街道办事处",
        community_committee="球场路社区居委会",
        org_unit=ctx.units["hankou"],
        team_lead=eng_hankou,
        households_total=128,
        buildings=4,
        built_year=1988,
        note="老旧小区综合改造同步实施；楼道狭窄，立管沿外墙敷设。",
    )
    services.contact_add(
        project=p1,
        actor=eng_hankou,
        body=Body.STREET_OFFICE,
        organisation="球场街道办事处",
        name="余海波",
        post="城管科科长",
        phone="027-82830000",
    )
    services.contact_add(
        project=p1,
        actor=eng_hankou,
        body=Body.COMMUNITY,
        organisation="球场路社区居委会",
        name="方丽萍",
        post="社区书记",
        phone="13507100001",
    )
    hh1 = _households(p1, eng_hankou, [1, 2, 3, 4], [1, 2], 6, 2, seed=0, limit=96)
    willing = _move(hh1[:80], eng_hankou, services.household_sign_up, today - timedelta(days=120))
    for h in hh1[80:86]:
        services.household_decline(
            household=h, actor=eng_hankou, expected_version=None, note="家中老人不同意"
        )
    p1 = services.project_advance(
        project=p1, actor=eng_hankou, expected_version=None, on_date=today - timedelta(days=130)
    )
    issue = services.issue_create(
        project=p1,
        actor=eng_hankou,
        stage=Stage.COORDINATION,
        title="3 栋部分住户担心外墙立管影响采光",
        responsible_body=Body.COMMUNITY,
        responsible_name="球场路社区居委会",
        description="社区组织楼栋会议，专班现场说明立管走向。",
    )
    services.issue_resolve(
        issue=issue,
        actor=eng_hankou,
        expected_version=None,
        resolution="召开两次楼栋会议，调整立管至北侧，住户签字同意。",
    )
    p1 = services.project_advance(
        project=p1, actor=eng_hankou, expected_version=None, on_date=today - timedelta(days=110)
    )
    p1 = services.project_advance(
        project=p1,
        actor=eng_hankou,
        expected_version=None,
        on_date=today - timedelta(days=80),
        note="小区内道路开挖许可已取得（区城管局）",
    )
    services.issue_create(
        project=p1,
        actor=eng_hankou,
        stage=Stage.DEMOLITION,
        title="2 栋东侧违建棚屋压占管位",
        responsible_body=Body.STREET_OFFICE,
        responsible_name="球场街道办事处",
        description="街道已下达限期拆除通知。",
    )
    p1 = services.project_advance(
        project=p1, actor=eng_hankou, expected_version=None, on_date=today - timedelta(days=60)
    )
    services.issue_create(
        project=p1,
        actor=eng_hankou,
        stage=Stage.CONSTRUCTION,
        title="4 栋 1 单元楼道堆放杂物，影响立管施工",
        responsible_body=Body.PROPERTY,
        responsible_name="小区物业服务中心",
        blocking=True,
        due_date=today - timedelta(days=3),
    )
    _move(willing[:30], eng_hankou, services.household_install, today - timedelta(days=20))
    services.household_withdraw(
        household=willing[40], actor=eng_hankou, expected_version=None, reason="房屋出售"
    )
    services.stage_update(
        record=p1.stages.get(stage=Stage.CONSTRUCTION),
        actor=eng_hankou,
        expected_version=None,
        planned_start=today - timedelta(days=60),
        planned_end=today + timedelta(days=20),
        responsible_body=Body.CONTRACTOR,
        responsible_name="武汉市燃气工程有限公司第三项目部",
    )
    notices = services.notices_generate_batch(project=p1, actor=eng_hankou, building="1")
    for n in notices[:18]:
        services.notice_deliver(
            notice=n,
            actor=eng_hankou,
            expected_version=None,
            delivered_at=None,
            method=DeliveryMethod.IN_PERSON,
            receipt_signed=True,
            recipient=n.addressee,
        )
    for n in notices[18:22]:
        services.notice_deliver(
            notice=n,
            actor=eng_hankou,
            expected_version=None,
            delivered_at=None,
            method=DeliveryMethod.COMMUNITY,
            receipt_signed=False,
            note="住户长期不在家，由社区代为转交",
        )

    # 2. 武昌区: waiting for the road-breaking permit, an overdue issue with city management. -----
    p2 = services.project_create(
        actor=eng_wuchang,
        started_on=today - timedelta(days=70),
        name="民主路粮道街片区",
        address="武汉市武昌区民主路 52–60 号院",
        district=districts["武昌区"],
        street_office="粮道街道办事处",
        community_committee="民主路社区居委会",
        org_unit=ctx.units["zhiguan"],
        team_lead=eng_wuchang,
        households_total=64,
        buildings=3,
        built_year=1982,
    )
    services.contact_add(
        project=p2,
        actor=eng_wuchang,
        body=Body.COMMUNITY,
        organisation="民主路社区居委会",
        name="蔡晓燕",
        post="社区主任",
        phone="13507100002",
    )
    hh2 = _households(p2, eng_wuchang, [52, 56, 60], [""], 4, 4, seed=200, limit=40)
    _move(hh2[:26], eng_wuchang, services.household_sign_up, today - timedelta(days=40))
    for h in hh2[26:30]:
        services.household_decline(household=h, actor=eng_wuchang, expected_version=None)
    p2 = services.project_advance(
        project=p2, actor=eng_wuchang, expected_version=None, on_date=today - timedelta(days=55)
    )
    p2 = services.project_advance(
        project=p2, actor=eng_wuchang, expected_version=None, on_date=today - timedelta(days=30)
    )
    services.issue_create(
        project=p2,
        actor=eng_wuchang,
        stage=Stage.ROAD_PERMIT,
        title="民主路人行道破路许可未批复",
        responsible_body=Body.CITY_MANAGEMENT,
        responsible_name="武昌区城管执法局",
        blocking=True,
        due_date=today - timedelta(days=5),
        description="已提交占道挖掘申请，需同步办理交通导改。",
    )
    services.issue_create(
        project=p2,
        actor=eng_wuchang,
        stage=Stage.ROAD_PERMIT,
        title="56 号院住户对开挖时段有意见",
        responsible_body=Body.RESIDENTS,
        due_date=today + timedelta(days=7),
    )
    services.stage_update(
        record=p2.stages.get(stage=Stage.ROAD_PERMIT),
        actor=eng_wuchang,
        expected_version=None,
        planned_start=today - timedelta(days=30),
        planned_end=today - timedelta(days=2),
        responsible_body=Body.CITY_MANAGEMENT,
        responsible_name="武昌区城管执法局",
    )

    # 3. 武昌区: gas on, households connected; road permit not needed. ---------------------------
    p3 = services.project_create(
        actor=eng_wuchang,
        started_on=today - timedelta(days=300),
        name="积玉桥水厂宿舍",
        address="武汉市武昌区和平大道水厂宿舍",
        district=districts["武昌区"],
        street_office="积玉桥街道办事处",
        community_committee="水厂社区居委会",
        org_unit=ctx.units["zhiguan"],
        households_total=48,
        buildings=2,
        built_year=1979,
    )
    hh3 = _households(p3, eng_wuchang, [1, 2], [1, 2], 6, 2, seed=400, limit=48)
    signed3 = _move(hh3[:42], eng_wuchang, services.household_sign_up, today - timedelta(days=280))
    for on in (today - timedelta(days=270), today - timedelta(days=250)):
        p3 = services.project_advance(
            project=p3, actor=eng_wuchang, expected_version=None, on_date=on
        )
    p3 = services.project_skip_stage(
        project=p3,
        actor=eng_wuchang,
        expected_version=None,
        on_date=today - timedelta(days=240),
        reason="管线全部走小区内绿化带，无需破路",
    )
    p3 = services.project_advance(
        project=p3, actor=eng_wuchang, expected_version=None, on_date=today - timedelta(days=200)
    )
    installed = _move(
        signed3[:40], eng_wuchang, services.household_install, today - timedelta(days=160)
    )
    for on in (today - timedelta(days=120), today - timedelta(days=100)):
        p3 = services.project_advance(
            project=p3, actor=eng_wuchang, expected_version=None, on_date=on
        )
    _move(installed[:36], eng_wuchang, services.household_connect, today - timedelta(days=90))
    notices3 = services.notices_generate_batch(project=p3, actor=eng_wuchang)
    for n in notices3:
        if n.household.status != HouseholdStatus.PENDING:
            services.notice_deliver(
                notice=n,
                actor=eng_wuchang,
                expected_version=None,
                delivered_at=None,
                method=DeliveryMethod.IN_PERSON,
                receipt_signed=True,
                recipient=n.addressee,
            )
    # 4. 光谷: just started, so the printed engineering login (eng_guanggu) has one to work on. ----
    eng_guanggu = ctx.users["eng_guanggu"]
    zone = District.objects.get(code="ZONE-GUANGGU")
    p4 = services.project_create(
        actor=eng_guanggu,
        started_on=today - timedelta(days=12),
        name="关山一村",
        address="武汉市东湖新技术开发区关山一村 1–6 栋",
        district=zone,
        street_office="关东街道办事处",
        community_committee="关山一村社区居委会",
        org_unit=ctx.units["guanggu"],
        team_lead=eng_guanggu,
        households_total=180,
        buildings=6,
        built_year=1992,
    )
    hh4 = _households(p4, eng_guanggu, [1, 2], [1, 2, 3], 4, 2, seed=600, limit=30)
    _move(hh4[:9], eng_guanggu, services.household_sign_up, today - timedelta(days=3))
    p4 = services.project_advance(
        project=p4,
        actor=eng_guanggu,
        expected_version=None,
        on_date=today - timedelta(days=5),
        note="完成入户摸底，社区召开居民议事会",
    )
    services.issue_create(
        project=p4,
        actor=eng_guanggu,
        title="部分楼栋住户对表后改管费用有疑问",
        responsible_body=Body.GAS_COMPANY,
        responsible_name="光谷公司改造专班",
        description="专班准备收费明细，在社区公示栏张贴。",
        due_date=today + timedelta(days=10),
    )
    ctx.extra["retrofit_projects"] = [p1, p2, p3, p4]
