"""The organisation and catalogue the synthetic applications are routed to and priced with.

When the database already has an organisation (the demo seed, or a real one), it is used as it
is: applications go to its grids, their account managers, engineers and counter clerks. When it
has none, a provincial-scale group is created: the Wuhan subsidiaries of the demo seed plus one
subsidiary per other city of Hubei, each with its districts and grids and the staff of every
role (unusable passwords: nobody can sign in as a generated person).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from tongqi.accounts.choices import DistrictKind, Role, UnitKind
from tongqi.accounts.models import District, Grid, OrgUnit, User

from . import names

UNUSABLE_PASSWORD = "!synthetic"  # Django treats a leading "!" as an unusable password

# city subsidiary code, name, city prefix (GB/T 2260), [(district code, district name)]
HUBEI_CITIES = [
    (
        "huangshi",
        "黄石公司",
        "黄石",
        [
            ("420202", "黄石港区"),
            ("420203", "西塞山区"),
            ("420204", "下陆区"),
            ("420281", "大冶市"),
        ],
    ),
    (
        "shiyan",
        "十堰公司",
        "十堰",
        [("420302", "茅箭区"), ("420303", "张湾区"), ("420304", "郧阳区"), ("420381", "丹江口市")],
    ),
    (
        "yichang",
        "宜昌公司",
        "宜昌",
        [
            ("420502", "西陵区"),
            ("420503", "伍家岗区"),
            ("420504", "点军区"),
            ("420506", "夷陵区"),
            ("420581", "宜都市"),
        ],
    ),
    (
        "xiangyang",
        "襄阳公司",
        "襄阳",
        [("420602", "襄城区"), ("420606", "樊城区"), ("420607", "襄州区"), ("420683", "枣阳市")],
    ),
    (
        "ezhou",
        "鄂州公司",
        "鄂州",
        [("420702", "梁子湖区"), ("420703", "华容区"), ("420704", "鄂城区")],
    ),
    (
        "jingmen",
        "荆门公司",
        "荆门",
        [("420802", "东宝区"), ("420804", "掇刀区"), ("420881", "钟祥市"), ("420882", "京山市")],
    ),
    (
        "xiaogan",
        "孝感公司",
        "孝感",
        [("420902", "孝南区"), ("420981", "应城市"), ("420982", "安陆市"), ("420984", "汉川市")],
    ),
    (
        "jingzhou",
        "荆州公司",
        "荆州",
        [
            ("421002", "沙市区"),
            ("421003", "荆州区"),
            ("421081", "石首市"),
            ("421083", "洪湖市"),
            ("421087", "松滋市"),
        ],
    ),
    (
        "huanggang",
        "黄冈公司",
        "黄冈",
        [("421102", "黄州区"), ("421181", "麻城市"), ("421182", "武穴市")],
    ),
    (
        "xianning",
        "咸宁公司",
        "咸宁",
        [("421202", "咸安区"), ("421221", "嘉鱼县"), ("421281", "赤壁市")],
    ),
    ("suizhou", "随州公司", "随州", [("421303", "曾都区"), ("421381", "广水市")]),
    ("enshi", "恩施公司", "恩施", [("422801", "恩施市"), ("422802", "利川市")]),
    ("xiantao", "仙桃公司", "仙桃", [("429004", "仙桃市")]),
    ("qianjiang", "潜江公司", "潜江", [("429005", "潜江市")]),
    ("tianmen", "天门公司", "天门", [("429006", "天门市")]),
]

CITY_BY_PREFIX = {code[:4]: city for _s, _n, city, ds in HUBEI_CITIES for code, _d in ds}


@dataclass
class GridInfo:
    """What the generator needs of one grid, without touching the ORM per application."""

    grid_id: int
    unit_id: int
    name: str
    district_id: int
    district_code: str
    city: str
    streets: list[str]
    managers: list[tuple[int, str]]  # (user id, display name)
    reader_id: int | None
    inspector_id: int | None
    subsidiary_id: int
    weight: float = 1.0


@dataclass
class OrgInfo:
    grids: list[GridInfo]
    engineers: dict[int, list[tuple[int, str]]]  # subsidiary unit id → engineers
    clerks: dict[int, list[tuple[int, str]]]
    leaders: dict[int, list[tuple[int, str]]]
    service: dict[int, list[tuple[int, str]]]  # service managers by scope root (company too)
    company_id: int
    created: dict[str, int] = field(default_factory=dict)


def _region(code: str) -> str:
    """A 6-digit division code for identifiers (functional zones use their city's code)."""
    return code if code.isdigit() and len(code) == 6 else "420100"


def _user(username: str, role: str, unit: OrgUnit, index: int, rng) -> User:
    return User(
        username=username,
        role=role,
        org_unit=unit,
        full_name=names.person(rng),
        mobile=names.mobile(4_000_000_000 + index),
        password=UNUSABLE_PASSWORD,
    )


def ensure_organisation(rng, *, grids_per_district: int = 2) -> dict[str, int]:
    """Create the provincial organisation when there is none. Returns rows created per table."""
    if OrgUnit.objects.exists():
        return {}
    from tongqi.accounts.seed import DATA, SUBSIDIARIES, ZONE_CODES

    created = {
        "accounts.District": 0,
        "accounts.OrgUnit": 0,
        "accounts.User": 0,
        "accounts.Grid": 0,
    }
    for row in csv.DictReader(DATA.open(encoding="utf-8")):
        District.objects.create(
            code=row["code"] or ZONE_CODES[row["name"]],
            name=row["name"],
            kind=DistrictKind.DISTRICT
            if row["kind"] == "district"
            else DistrictKind.FUNCTIONAL_ZONE,
        )
        created["accounts.District"] += 1
    districts = {d.name: d for d in District.objects.all()}
    company = OrgUnit.objects.create(
        name="湖北省天然气集团有限公司", code="company", kind=UnitKind.COMPANY, phone="027-96577"
    )
    created["accounts.OrgUnit"] += 1
    users: list[User] = []
    counter = [0]

    def person(username, role, unit):
        counter[0] += 1
        u = _user(username, role, unit, counter[0], rng)
        users.append(u)
        return u

    depts = {}
    for code, name in (
        ("marketing", "市场营销部"),
        ("engineering", "工程管理部"),
        ("service", "服务管理部"),
        ("it", "信息化管理部"),
    ):
        depts[code] = OrgUnit.objects.create(
            name=name, code=code, kind=UnitKind.DEPARTMENT, parent=company
        )
        created["accounts.OrgUnit"] += 1
    person("syn_leader_hq", Role.LEADER, company)
    person("syn_service_hq", Role.SERVICE_MANAGER, depts["service"])
    person("syn_marketing_hq", Role.MARKETING, depts["marketing"])
    person("syn_eng_hq", Role.ENGINEER, depts["engineering"])

    plan: list[tuple[str, str, list[tuple[str, str, District, list[str]]]]] = []
    for sub_code, sub_name, grids in SUBSIDIARIES:
        plan.append((sub_code, sub_name, [(g, n, districts[d], s) for g, n, d, s in grids]))
    for sub_code, sub_name, _city, dists in HUBEI_CITIES:
        if not dists:
            continue
        rows = []
        for code, dname in dists:
            d = District.objects.create(code=code, name=dname, kind=DistrictKind.DISTRICT)
            created["accounts.District"] += 1
            for k in range(grids_per_district):
                rows.append(
                    (f"{sub_code}{code[-2:]}{k + 1}", f"{dname}{'一二三四五'[k % 5]}网格", d, [])
                )
        plan.append((sub_code, sub_name, rows))
    grid_rows = []
    for sub_code, sub_name, grids in plan:
        sub = OrgUnit.objects.create(
            name=sub_name,
            code=sub_code,
            kind=UnitKind.SUBSIDIARY,
            parent=company,
            phone="027-96577",
        )
        created["accounts.OrgUnit"] += 1
        for role in (
            Role.LEADER,
            Role.ENGINEER,
            Role.ENGINEER,
            Role.COUNTER_CLERK,
            Role.COUNTER_CLERK,
            Role.SERVICE_MANAGER,
        ):
            person(f"syn_{role}_{sub_code}_{counter[0]}", role, sub)
        for grid_code, grid_name, district, streets in grids:
            unit = OrgUnit.objects.create(
                name=grid_name,
                code=f"syn-{grid_code}",
                kind=UnitKind.GRID,
                parent=sub,
            )
            created["accounts.OrgUnit"] += 1
            for k in range(3):
                person(f"syn_am_{grid_code}_{k}", Role.ACCOUNT_MANAGER, unit)
            reader = person(f"syn_reader_{grid_code}", Role.METER_READER, unit)
            inspector = person(f"syn_inspector_{grid_code}", Role.SAFETY_INSPECTOR, unit)
            grid_rows.append((unit, district, streets, reader, inspector))
    User.objects.bulk_create(users, batch_size=500)
    created["accounts.User"] += len(users)
    by_name = {u.username: u for u in User.objects.filter(username__startswith="syn_")}
    Grid.objects.bulk_create(
        Grid(
            unit=unit,
            district=district,
            streets=streets,
            meter_reader=by_name[reader.username],
            safety_inspector=by_name[inspector.username],
        )
        for unit, district, streets, reader, inspector in grid_rows
    )
    created["accounts.Grid"] += len(grid_rows)
    for unit in OrgUnit.objects.filter(kind=UnitKind.SUBSIDIARY):
        leader = User.objects.filter(org_unit=unit, role=Role.LEADER).first()
        unit.escalation_to = leader
        unit.save(update_fields=["escalation_to"])
        OrgUnit.objects.filter(parent=unit, kind=UnitKind.GRID).update(escalation_to=leader)
    return created


def load_organisation(rng) -> OrgInfo:
    """Read the grids and staff once; weight grids (busy city grids get more applications)."""
    units = {u.pk: u for u in OrgUnit.objects.all()}

    def root(unit_id: int | None) -> int | None:
        u = units.get(unit_id)
        while u is not None and u.kind not in (UnitKind.SUBSIDIARY, UnitKind.COMPANY):
            u = units.get(u.parent_id)
        return u.pk if u else None

    staff: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for u in (
        User.objects.filter(is_active=True)
        .exclude(role=Role.CUSTOMER)
        .only("id", "role", "org_unit_id", "full_name", "username", "first_name", "last_name")
    ):
        key_unit = u.org_unit_id if u.role in (Role.ACCOUNT_MANAGER,) else root(u.org_unit_id)
        if key_unit is None:
            continue
        staff.setdefault((u.role, key_unit), []).append((u.pk, u.display_name[:150]))
    company = OrgUnit.objects.filter(kind=UnitKind.COMPANY).order_by("pk").first()
    company_id = company.pk if company else None
    grids = []
    for g in Grid.objects.select_related("district", "unit").order_by("pk"):
        sub = root(g.unit_id) or company_id
        managers = staff.get((Role.ACCOUNT_MANAGER, g.unit_id), [])
        if not managers:
            continue
        city = CITY_BY_PREFIX.get(g.district.code[:4], "武汉")
        grids.append(
            GridInfo(
                grid_id=g.pk,
                unit_id=g.unit_id,
                name=g.unit.name,
                district_id=g.district_id,
                district_code=_region(g.district.code),
                city=city,
                streets=list(g.streets or []),
                managers=managers,
                reader_id=g.meter_reader_id,
                inspector_id=g.safety_inspector_id,
                subsidiary_id=sub,
                weight=3.0 if city == "武汉" else rng.uniform(0.6, 1.6),
            )
        )
    if not grids:
        raise RuntimeError("no grid with an account manager: nothing to route applications to")

    def by_role(role):
        out: dict[int, list[tuple[int, str]]] = {}
        for (r, unit), people in staff.items():
            if r == role:
                out.setdefault(unit, []).extend(people)
        return out

    return OrgInfo(
        grids=grids,
        engineers=by_role(Role.ENGINEER),
        clerks=by_role(Role.COUNTER_CLERK),
        leaders=by_role(Role.LEADER),
        service=by_role(Role.SERVICE_MANAGER),
        company_id=company_id,
    )


@dataclass
class PriceInfo:
    package_id: int
    code: str
    name: str
    meter: str
    max_load: Decimal
    included_m: Decimal
    unit_m: Decimal
    max_m: Decimal | None
    usage_types: tuple[str, ...]
    items: str
    prices: list[tuple[date, int, Decimal, Decimal]]  # (effective from, list id, base, per unit)


@dataclass
class Catalogue:
    packages: list[PriceInfo]
    policies: list[tuple[date, Decimal, str, int, Decimal]]  # from, threshold, doc, days, cost/m

    def policy(self, on: date):
        found = None
        for p in self.policies:
            if p[0] <= on:
                found = p
        return found or (on, Decimal("300000.00"), "武城管办〔2019〕15号", 30, Decimal("0"))


def ensure_catalogue() -> dict[str, int]:
    """Packages, price lists and the policy of the demo seed, when marketing has none yet."""
    from tongqi.pricing.models import Package, PackagePrice, Policy, PriceList
    from tongqi.pricing.seed import PACKAGES, PRICE_LISTS

    created: dict[str, int] = {}
    if not Package.objects.exists():
        for i, (code, meter, qmax, incl, maxlen, usages, items) in enumerate(PACKAGES):
            Package.objects.create(
                code=code,
                name=f"{code} 定型套餐",
                meter_rating=meter,
                max_load=Decimal(qmax),
                included_length_m=Decimal(incl),
                max_length_m=Decimal(maxlen),
                usage_types=[str(u) for u in usages],
                included_items=items,
                sort_order=i,
            )
        created["pricing.Package"] = len(PACKAGES)
    if not PriceList.objects.exists():
        packages = {p.code: p for p in Package.objects.all()}
        for name, effective, document, prices in PRICE_LISTS:
            pl = PriceList.objects.create(name=name, effective_from=effective, document=document)
            for code, (base, extra) in prices.items():
                if code in packages:
                    PackagePrice.objects.create(
                        price_list=pl,
                        package=packages[code],
                        base_price=Decimal(base),
                        extra_unit_price=Decimal(extra),
                    )
        created["pricing.PriceList"] = len(PRICE_LISTS)
    if not Policy.objects.exists():
        Policy.objects.create(
            effective_from=date(2019, 6, 1), gas_source_cost_per_m=Decimal("680.00")
        )
        created["pricing.Policy"] = 1
    return created


def load_catalogue() -> Catalogue:
    from tongqi.pricing.models import Package, PackagePrice, Policy

    prices: dict[int, list] = {}
    for pp in PackagePrice.objects.select_related("price_list").order_by(
        "price_list__effective_from"
    ):
        prices.setdefault(pp.package_id, []).append(
            (pp.price_list.effective_from, pp.price_list_id, pp.base_price, pp.extra_unit_price)
        )
    packages = [
        PriceInfo(
            package_id=p.pk,
            code=p.code,
            name=p.name,
            meter=p.meter_rating,
            max_load=p.max_load,
            included_m=p.included_length_m,
            unit_m=p.extra_unit_m,
            max_m=p.max_length_m,
            usage_types=tuple(p.usage_types or ()),
            items="、".join(p.item_list),
            prices=prices.get(p.pk, []),
        )
        for p in Package.objects.filter(active=True).order_by("max_load")
        if prices.get(p.pk)
    ]
    policies = [
        (
            p.effective_from,
            p.approval_threshold,
            p.approval_document,
            p.payment_days,
            p.gas_source_cost_per_m,
        )
        for p in Policy.objects.order_by("effective_from")
    ]
    return Catalogue(packages=packages, policies=policies)
