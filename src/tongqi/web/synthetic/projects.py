"""Gas-source projects (气源工程) for the applications with external works, simulated.

An application in the "with external works" category needs a piece of network the utility builds
and pays for. The engineer opens a project when the customer has confirmed the quote, links the
application to it, applies for the permits and builds; the application's gas-on waits for the
project's gas. The rows follow what ``works.services`` would have written: the project, its
approvals, the link (``paused_by_works`` while the approvals hold the application's clock) and
the project's events through its transitions (planned → approvals → construction → gas
available → closed, or cancelled with its application).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tongqi.applications.choices import Status
from tongqi.core.workdays import SHANGHAI
from tongqi.works.choices import (
    DEFAULT_AUTHORITY,
    PERMITS_ABOVE_LIMIT,
    ZERO_APPROVAL_LIMIT,
    ApprovalKind,
    PressureLevel,
    ProjectStatus,
    ReasonKind,
)

P = ProjectStatus
Q1 = Decimal("0.1")
METRES_PER_DEGREE = 111_000  # of latitude; near enough for a route of a few hundred metres


@dataclass
class ProjectPlan:
    """What the application's simulation knows of its project while it runs."""

    project_id: int
    application_id: int
    number: str
    opened: datetime  # when the engineer opened the project and linked the application
    engineer: tuple[int, str]
    application_number: str
    grid_name: str
    unit_id: int
    district_id: int
    grid_id: int
    lat: Decimal
    lng: Decimal
    length_m: Decimal
    load: Decimal
    annual: Decimal
    investment: Decimal
    paused_at: datetime | None = None  # the application's clock paused for the approvals
    resumed_at: datetime | None = None
    kinds: list[str] = field(default_factory=list)


def plan(
    rng: random.Random,
    *,
    project_id: int,
    application_id: int,
    opened: datetime,
    engineer,
    application_number: str,
    grid,
    lat,
    lng,
    length_m: Decimal,
    load: Decimal,
    annual: Decimal,
    investment: Decimal,
) -> ProjectPlan:
    if lat is None or lng is None:  # the customer gave no map point: somewhere in the city
        lat = Decimal(f"{30.35 + rng.random() * 0.9:.6f}")
        lng = Decimal(f"{113.9 + rng.random() * 1.1:.6f}")
    kinds = [ApprovalKind.ROAD_EXCAVATION]
    if rng.random() < 0.5:
        kinds.append(ApprovalKind.ROAD_OCCUPATION)
    if investment > ZERO_APPROVAL_LIMIT:  # 零审批 only up to the limit
        kinds.extend(PERMITS_ABOVE_LIMIT)
    year = opened.astimezone(SHANGHAI).year
    return ProjectPlan(
        project_id=project_id,
        application_id=application_id,
        number=f"QY{year}-{project_id:05d}",
        opened=opened,
        engineer=engineer,
        application_number=application_number,
        grid_name=grid.name,
        unit_id=grid.subsidiary_id,
        district_id=grid.district_id,
        grid_id=grid.grid_id,
        lat=lat,
        lng=lng,
        length_m=length_m.quantize(Q1),
        load=load,
        annual=annual,
        investment=investment,
        kinds=[str(k) for k in kinds],
    )


def _at(d: date, rng: random.Random, now: datetime) -> datetime:
    """An office-hours moment of day ``d`` (never after now)."""
    moment = datetime.combine(d, time(9), tzinfo=SHANGHAI) + timedelta(
        minutes=rng.randint(0, 7 * 60)
    )
    return min(moment, now)


def write(
    rng: random.Random,
    out: dict[str, list],
    p: ProjectPlan,
    *,
    app_status: str,
    app_gas_on: datetime | None,
    app_closed: datetime | None,
    now: datetime,
) -> None:
    """The project's rows, given how its application ended up (as of ``now``)."""
    today = now.astimezone(SHANGHAI).date()
    opened_on = p.opened.astimezone(SHANGHAI).date()
    gas_on_day = app_gas_on.astimezone(SHANGHAI).date() if app_gas_on else None
    events: list[tuple] = []
    engineer = p.engineer

    def event(at, action, frm="", to="", note="", data=None):
        events.append(
            (p.project_id, at, action, frm, to, engineer[0], engineer[1][:150], note, data or {})
        )

    # the approvals: the ones the application's clock waited for, or on the project's own pace
    if p.paused_at is not None:
        applied = p.paused_at.astimezone(SHANGHAI).date()
        granted = p.resumed_at.astimezone(SHANGHAI).date() if p.resumed_at else None
    else:
        applied = opened_on + timedelta(days=rng.randint(0, 3))
        granted = applied + timedelta(days=rng.randint(3, 15))
        if gas_on_day is not None:  # the gas came, so the permits did before it
            applied = min(applied, gas_on_day)
            granted = min(granted, gas_on_day)
    if applied > today:
        applied = granted = None
    elif granted is not None and granted > today:
        granted = None
    if app_status == Status.CANCELLED and app_closed is not None:
        stop_day = app_closed.astimezone(SHANGHAI).date()
        if applied is not None and applied > stop_day:
            applied = granted = None
        elif granted is not None and granted > stop_day:
            granted = None

    status = P.PLANNED
    event(p.opened, "created", "", P.PLANNED)
    event(p.opened, "link", data={"application": p.application_number})
    approvals = []
    for kind in p.kinds:
        approvals.append(
            (
                p.project_id,
                kind,
                DEFAULT_AUTHORITY.get(kind, ""),
                applied,
                applied + timedelta(days=20) if applied else None,
                granted,
                f"{p.number}-{kind[:4].upper()}" if granted else "",
                engineer[0],
            )
        )
    if applied is not None:
        at = max(_at(applied, rng, now), p.opened)
        for kind in p.kinds:
            event(at, "approval", data={"kind": kind, "from": "not_applied", "to": "pending"})
        event(at, "submit_approvals", P.PLANNED, P.APPROVALS)
        status = P.APPROVALS
    if granted is not None:
        at = max(_at(granted, rng, now), events[-1][1])
        for kind in p.kinds:
            event(at, "approval", data={"kind": kind, "from": "pending", "to": "granted"})

    actual_start = actual_gas_on = closed_at = None
    if app_status == Status.CANCELLED:
        at = max(app_closed or now, events[-1][1])
        event(at, "cancel", status, P.CANCELLED, note="用户已撤回报装申请，配套工程取消。")
        status, closed_at = P.CANCELLED, at
    elif granted is not None:
        # the works start after the last permit; gas is there before the application's gas-on
        start = granted + timedelta(days=rng.randint(1, 6))
        if gas_on_day is not None:
            start = max(min(start, gas_on_day), granted)
        if start <= today:
            actual_start = start
            at = max(_at(start, rng, now), events[-1][1])
            event(at, "start_construction", status, P.CONSTRUCTION, data={"on": start.isoformat()})
            status = P.CONSTRUCTION
            if gas_on_day is not None:
                ready = max(gas_on_day - timedelta(days=rng.randint(1, 5)), start)
                actual_gas_on = ready
                at = max(_at(ready, rng, now), events[-1][1])
                event(
                    at,
                    "gas_available",
                    P.CONSTRUCTION,
                    P.GAS_AVAILABLE,
                    data={"on": ready.isoformat()},
                )
                status = P.GAS_AVAILABLE
                filed = gas_on_day + timedelta(days=rng.randint(15, 45))
                if filed <= today:
                    at = max(_at(filed, rng, now), events[-1][1])
                    event(at, "close", P.GAS_AVAILABLE, P.CLOSED)
                    status, closed_at = P.CLOSED, at

    planned_start = opened_on + timedelta(days=rng.randint(5, 15))
    expected = planned_start + timedelta(days=rng.randint(20, 60))
    if actual_gas_on is not None:
        expected = max(expected, actual_gas_on - timedelta(days=rng.randint(0, 10)))
    half = p.length_m / 2 / METRES_PER_DEGREE
    if rng.random() < 0.5:  # along a street running east–west or north–south
        a = (p.lng - half, p.lat)
        b = (p.lng + half, p.lat)
    else:
        a = (p.lng, p.lat - half)
        b = (p.lng, p.lat + half)
    a = tuple(x.quantize(Decimal("0.000001")) for x in a)
    b = tuple(x.quantize(Decimal("0.000001")) for x in b)
    out["project"].append(
        (
            p.project_id,
            p.number,
            f"{p.grid_name}{p.application_number[-5:]}报装配套中压管道工程",
            p.unit_id,
            p.district_id,
            p.grid_id,
            f"{p.grid_name}，自市政中压干管接至用户红线",
            f"LINESTRING ({a[0]} {a[1]}, {b[0]} {b[1]})",
            p.lat,
            p.lng,
            min(a[1], b[1]),
            max(a[1], b[1]),
            min(a[0], b[0]),
            max(a[0], b[0]),
            ReasonKind.NEW_CUSTOMERS,
            f"为 {p.application_number} 报装用户配套建设气源管线。",
            PressureLevel.MEDIUM if p.length_m >= 100 else PressureLevel.LOW,
            p.length_m,
            p.load,
            p.annual,
            planned_start,
            actual_start,
            expected,
            actual_gas_on,
            p.investment,
            engineer[0],
            status,
            len(events),
            engineer[0],
            p.opened,
            closed_at,
        )
    )
    out["project_approval"].extend(approvals)
    # the link holds the application's clock while the approvals are pending (and only then)
    holding = p.paused_at is not None and p.resumed_at is None and status == P.APPROVALS
    out["project_link"].append((p.project_id, p.application_id, p.opened, engineer[0], holding))
    out["project_event"].extend(events)
