"""Demo organisation: the company, its departments, subsidiaries, grids and staff of every role."""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .choices import DistrictKind, Role, UnitKind
from .models import District, Grid, OrgUnit, User

DATA = Path(__file__).with_name("data") / "wuhan-districts.csv"

# Functional zones have no GB/T 2260 code of their own; we give them stable local codes.
ZONE_CODES = {
    "东湖新技术开发区（光谷）": "ZONE-GUANGGU",
    "武汉经济技术开发区（车都）": "ZONE-CHEDU",
    "东湖生态旅游风景区": "ZONE-DONGHU",
}

DEPARTMENTS = [
    ("marketing", "市场营销部"),
    ("engineering", "工程管理部"),
    ("service", "服务管理部"),
    ("it", "信息化管理部"),
    ("comms", "企业传讯组"),
]

# subsidiary code, name, [(grid code, grid name, district name, streets)]
SUBSIDIARIES = [
    (
        "chedu",
        "车都公司",
        [
            ("chedu1", "车都一网格", "武汉经济技术开发区（车都）", []),
            ("chedu2", "车都二网格", "蔡甸区", []),
            ("chedu3", "车都三网格", "汉南区", []),
        ],
    ),
    (
        "hanning",
        "汉宁公司",
        [
            ("hanning1", "汉宁一网格", "汉阳区", ["四新街道", "江堤街道", "洲头街道", "永丰街道"]),
            ("hanning2", "汉宁二网格", "汉阳区", []),
        ],
    ),
    (
        "guanggu",
        "光谷公司",
        [
            (
                "guanggu1",
                "光谷一网格",
                "东湖新技术开发区（光谷）",
                ["关东街道", "佛祖岭街道", "花山街道"],
            ),
            ("guanggu2", "光谷二网格", "东湖新技术开发区（光谷）", []),
            ("guanggu3", "光谷三网格", "江夏区", []),
        ],
    ),
    (
        "hankou",
        "汉口分公司",
        [
            ("hankou1", "汉口一网格", "江岸区", []),
            ("hankou2", "汉口二网格", "江汉区", []),
            ("hankou3", "汉口三网格", "硚口区", []),
            ("hankou4", "汉口四网格", "黄陂区", []),
        ],
    ),
    (
        "dongxihu",
        "东西湖分公司",
        [
            ("dongxihu1", "东西湖一网格", "东西湖区", []),
        ],
    ),
    (
        "zhiguan",
        "总公司直管区域",
        [
            ("zhiguan1", "武昌网格", "武昌区", []),
            ("zhiguan2", "青山网格", "青山区", []),
            ("zhiguan3", "洪山网格", "洪山区", []),
            ("zhiguan4", "新洲网格", "新洲区", []),
            ("zhiguan5", "东湖风景区网格", "东湖生态旅游风景区", []),
        ],
    ),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "海燕",
    "志强",
    "丽娟",
]

# (role label, user name, note) — printed by `tongqi demo`.
DEMO_LOGINS = [
    (_("Customer"), "13800000001", "武汉示例餐饮有限公司"),
    (_("Account manager"), "am_guanggu1", "光谷一网格"),
    (_("Engineering staff"), "eng_guanggu", "光谷公司"),
    (_("Counter clerk"), "counter_guanggu", "光谷公司"),
    (_("Service management"), "service_hq", "服务管理部 (company-wide)"),
    (_("Marketing"), "marketing_hq", "市场营销部 (company-wide)"),
    (_("Meter reader"), "reader_guanggu1", "光谷一网格"),
    (_("Safety inspector"), "inspector_guanggu1", "光谷一网格"),
    (_("Manager / leader"), "leader_hq", "company-wide"),
    (_("Manager / leader"), "leader_guanggu", "光谷公司"),
    (_("System administrator"), "admin", "second factor: see below"),
    (_("Security auditor"), "auditor", "second factor: see below"),
]

# Fixed demo TOTP keys (hex) so the printed key works after a restart; never used in production.
DEMO_TOTP_KEYS = {
    "admin": "3132333435363738393031323334353637383930",
    "auditor": "3031323334353637383930313233343536373839",
}


def _person(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def _mobile(i: int) -> str:
    return f"139{i:08d}"


def seed(ctx) -> None:
    for row in csv.DictReader(DATA.open(encoding="utf-8")):
        District.objects.create(
            code=row["code"] or ZONE_CODES[row["name"]],
            name=row["name"],
            kind=DistrictKind.DISTRICT
            if row["kind"] == "district"
            else DistrictKind.FUNCTIONAL_ZONE,
        )
    districts = {d.name: d for d in District.objects.all()}

    company = OrgUnit.objects.create(
        name="武汉市天然气有限公司", code="company", kind=UnitKind.COMPANY, phone="027-96577"
    )
    ctx.units["company"] = company
    for code, name in DEPARTMENTS:
        ctx.units[code] = OrgUnit.objects.create(
            name=name, code=code, kind=UnitKind.DEPARTMENT, parent=company
        )
    n = 0

    def user(username, role, unit, full_name=None, mobile=None):
        nonlocal n
        n += 1
        u = User(
            username=username,
            role=role,
            org_unit=unit,
            full_name=full_name or _person(n),
            mobile=mobile or _mobile(n),
            password=ctx.password_hash,
            is_staff=(role == Role.SYSADMIN),
        )
        u.save()
        ctx.users[username] = u
        return u

    leader_hq = user("leader_hq", Role.LEADER, company, "周建国")
    company.escalation_to = leader_hq
    company.save(update_fields=["escalation_to"])
    user("service_hq", Role.SERVICE_MANAGER, ctx.units["service"], "胡晓燕")
    user("marketing_hq", Role.MARKETING, ctx.units["marketing"], "罗文斌")
    user("eng_hq", Role.ENGINEER, ctx.units["engineering"], "郑志刚")
    user("admin", Role.SYSADMIN, ctx.units["it"], "系统管理员")
    user("auditor", Role.AUDITOR, ctx.units["it"], "安全审计员")
    user("13800000001", Role.CUSTOMER, None, "陈晓峰", "13800000001")

    for sub_code, sub_name, grids in SUBSIDIARIES:
        sub = OrgUnit.objects.create(
            name=sub_name,
            code=sub_code,
            kind=UnitKind.SUBSIDIARY,
            parent=company,
            phone="027-96577",
        )
        ctx.units[sub_code] = sub
        sub_leader = user(f"leader_{sub_code}", Role.LEADER, sub)
        sub.escalation_to = sub_leader
        sub.save(update_fields=["escalation_to"])
        user(f"eng_{sub_code}", Role.ENGINEER, sub)
        user(f"counter_{sub_code}", Role.COUNTER_CLERK, sub)
        for grid_code, grid_name, district_name, streets in grids:
            unit = OrgUnit.objects.create(
                name=grid_name,
                code=grid_code,
                kind=UnitKind.GRID,
                parent=sub,
                escalation_to=sub_leader,
            )
            am1 = user(f"am_{grid_code}", Role.ACCOUNT_MANAGER, unit)
            am2 = user(f"am_{grid_code}b", Role.ACCOUNT_MANAGER, unit)
            am1.cover = am2
            am1.save(update_fields=["cover"])
            am2.cover = am1
            am2.save(update_fields=["cover"])
            reader = user(f"reader_{grid_code}", Role.METER_READER, unit)
            inspector = user(f"inspector_{grid_code}", Role.SAFETY_INSPECTOR, unit)
            ctx.grids[grid_code] = Grid.objects.create(
                unit=unit,
                district=districts[district_name],
                streets=streets,
                meter_reader=reader,
                safety_inspector=inspector,
            )
    # Rename the first account manager of 光谷一网格 so the demo login reads naturally.
    am = ctx.users["am_guanggu1"]
    am.full_name = "李明"
    am.mobile = "13971000001"
    am.save(update_fields=["full_name", "mobile"])

    from django_otp.plugins.otp_totp.models import TOTPDevice

    for username, key in DEMO_TOTP_KEYS.items():
        TOTPDevice.objects.create(user=ctx.users[username], name="demo", key=key, confirmed=True)
    ctx.logins.extend(DEMO_LOGINS)
