"""Demo gas-source projects in several states, linked to the demo applications with external
works; illustrative grid polygons and locations so the planning map has something to draw.

The grid rectangles are rough boxes around the Wuhan districts the demo grids serve, drawn so
they do not overlap. They are illustrative only — a utility draws its real grid areas.
"""

from __future__ import annotations

import math
import random
from datetime import timedelta
from decimal import Decimal

from shapely import wkt as shapely_wkt
from shapely.geometry import Point

from tongqi.accounts.models import Grid
from tongqi.applications.choices import Category, CoordSystem, Status
from tongqi.applications.models import Application
from tongqi.core.geo import LocalProjection

from .choices import ApprovalKind, PressureLevel, ReasonKind
from .services import (
    ProjectInput,
    approval_save,
    project_create,
    project_link_application,
    project_note,
    project_transition,
    snapshot_close_month,
)

# grid code → (min lng, min lat, max lng, max lat), WGS-84, illustrative
GRID_BOXES = {
    "chedu1": (114.08, 30.44, 114.20, 30.50),  # 经开区（沌口）
    "chedu2": (113.85, 30.45, 114.08, 30.65),  # 蔡甸
    "chedu3": (113.90, 30.25, 114.15, 30.44),  # 汉南
    "hanning1": (114.14, 30.50, 114.22, 30.57),  # 汉阳 四新、江堤、洲头、永丰
    "hanning2": (114.22, 30.50, 114.27, 30.57),  # 汉阳 其余
    "guanggu1": (114.40, 30.47, 114.62, 30.52),  # 光谷 关东、佛祖岭、花山
    "guanggu2": (114.40, 30.40, 114.62, 30.47),  # 光谷 其余
    "guanggu3": (114.20, 30.20, 114.45, 30.40),  # 江夏
    "hankou1": (114.275, 30.58, 114.36, 30.66),  # 江岸
    "hankou2": (114.22, 30.57, 114.275, 30.63),  # 江汉
    "hankou3": (114.16, 30.57, 114.22, 30.64),  # 硚口
    "hankou4": (114.20, 30.72, 114.50, 31.00),  # 黄陂
    "dongxihu1": (114.00, 30.64, 114.20, 30.78),  # 东西湖
    "zhiguan1": (114.29, 30.52, 114.36, 30.58),  # 武昌
    "zhiguan2": (114.36, 30.60, 114.48, 30.66),  # 青山
    "zhiguan3": (114.29, 30.46, 114.40, 30.52),  # 洪山
    "zhiguan4": (114.70, 30.70, 115.00, 30.95),  # 新洲
    "zhiguan5": (114.36, 30.55, 114.45, 30.60),  # 东湖风景区
}


def _box_wkt(b) -> str:
    x0, y0, x1, y1 = b
    return f"POLYGON (({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0}))"


def _route(*points) -> str:
    return "\n".join(f"{lng}, {lat}" for lng, lat in points)


# (key, subsidiary, grid, district name, name, location, route, reason kind, reason, pressure,
#  length m, forecast load, forecast annual, investment, planned start (days from today),
#  expected gas-on (days), plan of states)
PROJECTS = [
    dict(
        key="guanggu",
        sub="guanggu",
        grid="guanggu1",
        name="光谷大道（关山大道—高新大道）中压管线延伸工程",
        location="光谷大道 关山大道至高新大道段 东侧人行道下",
        route=_route((114.4105, 30.5050), (114.4162, 30.4930), (114.4215, 30.4815)),
        reason_kind=ReasonKind.NEW_CUSTOMERS,
        reason="光谷大道沿线新增餐饮、食堂用户报装配套；现状DN160管网末端压力不足，需延伸DN200中压管。",
        pressure=PressureLevel.MEDIUM,
        length="2860",
        load="420",
        annual="1500000",
        investment="1280000",
        start=-20,
        gas_on=45,
        approvals=[
            (ApprovalKind.PLANNING, -40, None, -25, "武自规（东新）建字〔2026〕017号"),
            (ApprovalKind.ROAD_EXCAVATION, -12, 5, None, ""),
            (ApprovalKind.ROAD_OCCUPATION, -12, 5, None, ""),
        ],
        states=["submit_approvals"],
        notes=["规划许可已取得；道路挖掘、占道许可已报区城管执法局，正在审查。"],
    ),
    dict(
        key="chedu",
        sub="chedu",
        grid="chedu1",
        name="车都工业园（沌口）配套中压管线工程",
        location="沌口 东风大道—车城南路 工业园区道路",
        route=_route((114.0620, 30.4785), (114.0950, 30.4720), (114.1300, 30.4680)),
        reason_kind=ReasonKind.AREA_DEVELOPMENT,
        reason="汽车零部件产业园新入驻企业热处理、喷涂工艺用气，园区道路同步敷设。",
        pressure=PressureLevel.MEDIUM,
        length="6900",
        load="1800",
        annual="9600000",
        investment="2350000",
        start=-150,
        gas_on=-30,
        approvals=[
            (ApprovalKind.PLANNING, -200, None, -180, "武自规（经开）建字〔2025〕102号"),
            (ApprovalKind.ROAD_EXCAVATION, -175, None, -160, "经开城管挖字〔2025〕088号"),
            (ApprovalKind.ROAD_OCCUPATION, -175, None, -160, "经开城管占字〔2025〕091号"),
            (ApprovalKind.QUALITY_SUPERVISION, -170, None, -158, "武燃质监〔2025〕213号"),
            (ApprovalKind.CONSTRUCTION_PERMIT, -170, None, -155, "武城管燃施〔2025〕047号"),
        ],
        states=["submit_approvals", ("start_construction", -150), ("gas_available", -35)],
        notes=["主管线已贯通，完成吹扫、强度及严密性试验，具备供气条件。"],
    ),
    dict(
        key="hankou",
        sub="hankou",
        grid="hankou1",
        name="江岸区三阳路配套气源工程",
        location="三阳路（中山大道—解放大道段）",
        route=_route((114.3000, 30.5985), (114.3065, 30.6040)),
        reason_kind=ReasonKind.NEW_CUSTOMERS,
        reason="三阳路沿线酒楼报装，需新敷设DE110中压支管约900米。",
        pressure=PressureLevel.MEDIUM,
        length="900",
        load="95",
        annual="260000",
        investment="186000",
        start=-5,
        gas_on=25,
        approvals=[
            (ApprovalKind.ROAD_EXCAVATION, -8, 4, None, ""),
            (ApprovalKind.TRAFFIC, -8, 2, None, ""),
        ],
        states=["submit_approvals"],
        notes=["投资额不超过30万元，按零审批办理，无需质监登记和施工许可。"],
    ),
    dict(
        key="zhiguan",
        sub="zhiguan",
        grid="zhiguan1",
        name="武昌中南路商圈配套气源工程",
        location="中南路—武珞路路口至洪山广场",
        route=_route((114.3290, 30.5440), (114.3345, 30.5418), (114.3395, 30.5402)),
        reason_kind=ReasonKind.NEW_CUSTOMERS,
        reason="商圈餐饮集中报装，现状低压管网能力不足。",
        pressure=PressureLevel.LOW,
        length="1250",
        load="160",
        annual="480000",
        investment="268000",
        start=-15,
        gas_on=6,
        approvals=[
            (ApprovalKind.ROAD_EXCAVATION, -30, None, -18, "武昌城管挖字〔2026〕031号"),
            (ApprovalKind.ROAD_OCCUPATION, -30, None, -18, "武昌城管占字〔2026〕029号"),
        ],
        states=["submit_approvals", ("start_construction", -15)],
        notes=["已完成管沟开挖70%，计划下周完成碰头。"],
    ),
    dict(
        key="dongxihu",
        sub="dongxihu",
        grid="dongxihu1",
        name="东西湖食品工业园配套中压管线工程",
        location="东吴大道—走马岭 食品工业园 园区三路",
        route=_route((114.0800, 30.6900), (114.1050, 30.6950), (114.1300, 30.6990)),
        reason_kind=ReasonKind.AREA_DEVELOPMENT,
        reason="食品工业园蒸汽锅炉“煤改气”及新入驻企业用气。",
        pressure=PressureLevel.MEDIUM,
        length="5400",
        load="2400",
        annual="12000000",
        investment="1650000",
        start=-95,
        gas_on=-10,
        approvals=[
            (ApprovalKind.PLANNING, -130, None, -110, "武自规（东西湖）建字〔2026〕006号"),
            (ApprovalKind.ROAD_EXCAVATION, -110, None, -98, "东西湖城管挖字〔2026〕012号"),
            (ApprovalKind.QUALITY_SUPERVISION, -105, None, -97, "武燃质监〔2026〕019号"),
            (ApprovalKind.CONSTRUCTION_PERMIT, -105, None, -96, "武城管燃施〔2026〕004号"),
        ],
        states=["submit_approvals", ("start_construction", -95)],
        notes=["穿越走马岭河段需定向钻，受汛期影响工期延后，预计延期约三周。"],
    ),
    dict(
        key="hanning",
        sub="hanning",
        grid="hanning1",
        name="汉阳四新片区气源工程（规划）",
        location="四新大道—连通港路 片区规划道路",
        route=_route((114.1920, 30.5230), (114.2050, 30.5180)),
        reason_kind=ReasonKind.ROAD_WORKS,
        reason="四新片区新建道路同步敷设中压管，为片区商业综合体预留气源。",
        pressure=PressureLevel.MEDIUM,
        length="1500",
        load="300",
        annual="900000",
        investment="420000",
        start=40,
        gas_on=150,
        approvals=[],
        extra_kinds=[ApprovalKind.PLANNING, ApprovalKind.ROAD_EXCAVATION],
        states=[],
        notes=["已与区建设局对接道路施工计划，拟同步敷设。"],
    ),
]


def _random_in(poly, rng, near=None, spread_m=1200.0):
    """A point inside ``poly``: near a point of a route when given, else anywhere inside."""
    minx, miny, maxx, maxy = poly.bounds
    for _ in range(200):
        if near is not None:
            proj = LocalProjection(lat0=near[1], lng0=near[0])
            r = rng.uniform(120.0, spread_m)
            a = rng.uniform(0, 2 * math.pi)
            lng, lat = proj.to_lnglat(r * math.cos(a), r * math.sin(a))
        else:
            lng = rng.uniform(minx + (maxx - minx) * 0.1, maxx - (maxx - minx) * 0.1)
            lat = rng.uniform(miny + (maxy - miny) * 0.1, maxy - (maxy - miny) * 0.1)
        if poly.contains(Point(lng, lat)):
            return lng, lat
    return poly.representative_point().x, poly.representative_point().y


def seed(ctx) -> None:
    rng = random.Random(7)
    grids = {g.unit.code: g for g in Grid.objects.select_related("unit__parent")}
    for code, box in GRID_BOXES.items():
        g = grids.get(code)
        if g is not None and not g.polygon_wkt:
            g.polygon_wkt = _box_wkt(box)
            g.save(update_fields=["polygon_wkt"])
    today = ctx.today
    projects = {}
    for spec in PROJECTS:
        engineer = ctx.users.get(f"eng_{spec['sub']}")
        grid = grids[spec["grid"]]
        project = project_create(
            actor=engineer,
            data=ProjectInput(
                name=spec["name"],
                org_unit=ctx.units[spec["sub"]],
                district=grid.district,
                grid=grid,
                location_desc=spec["location"],
                location=spec["route"],
                reason_kind=spec["reason_kind"],
                reason=spec["reason"],
                pressure_level=spec["pressure"],
                length_m=spec["length"],
                forecast_load=spec["load"],
                forecast_annual_volume=spec["annual"],
                planned_start=today + timedelta(days=spec["start"]),
                expected_gas_on=today + timedelta(days=spec["gas_on"]),
                investment=spec["investment"],
                engineer=engineer,
                approvals_needed=list(spec.get("extra_kinds", [])),
            ),
        )
        for kind, applied, expected, granted, ref in spec["approvals"]:
            approval_save(
                project=project,
                actor=engineer,
                kind=kind,
                applied_on=today + timedelta(days=applied) if applied is not None else None,
                expected_on=today + timedelta(days=expected) if expected is not None else None,
                granted_on=today + timedelta(days=granted) if granted is not None else None,
                reference=ref,
            )
        for state in spec["states"]:
            action, on = (state, None) if isinstance(state, str) else state
            project_transition(
                project=project,
                action=action,
                actor=engineer,
                on=today + timedelta(days=on) if on is not None else None,
            )
        for text in spec["notes"]:
            project_note(project=project, actor=engineer, text=text)
        projects[spec["sub"]] = project
    _locate_applications(grids, projects, rng)
    _link_applications(ctx, projects)
    snapshot_close_month()


def _locate_applications(grids, projects, rng) -> None:
    """Give the demo applications coordinates consistent with their grid (demo data only)."""
    from .geometry import coords_of

    polys = {code: shapely_wkt.loads(g.polygon_wkt) for code, g in grids.items() if g.polygon_wkt}
    apps = Application.objects.filter(latitude__isnull=True, grid__isnull=False).select_related(
        "grid__unit__parent"
    )
    for app in apps.order_by("pk"):
        code = app.grid.unit.code
        poly = polys.get(code)
        if poly is None:
            continue
        project = projects.get(app.grid.unit.parent.code if app.grid.unit.parent_id else "")
        near = None
        if project is not None:
            route = coords_of(project.geometry_wkt)
            near = route[rng.randrange(len(route))]
            if not poly.buffer(0.02).contains(Point(near)):
                near = None
        lng, lat = _random_in(poly, rng, near=near)
        Application.objects.filter(pk=app.pk).update(
            longitude=Decimal(f"{lng:.6f}"),
            latitude=Decimal(f"{lat:.6f}"),
            coord_system=CoordSystem.WGS84,
        )


def _link_applications(ctx, projects) -> None:
    apps = (
        Application.objects.filter(category=Category.WITH_EXTERNAL_WORKS)
        .exclude(status__in=[Status.DRAFT, Status.REJECTED, Status.CANCELLED])
        .select_related("org_unit__parent", "clock")
        .order_by("pk")
    )
    for app in apps:
        unit = app.org_unit
        sub = unit.parent.code if unit is not None and unit.parent_id else ""
        project = projects.get(sub)
        if project is None:
            continue
        project_link_application(
            project=project, application=app, actor=ctx.users.get(f"eng_{sub}")
        )
