"""One application's life, simulated: the rows the services would have written, as tuples.

The simulation walks the state machine of ``applications.services.transitions`` forward from the
submission with realistic delays (staff act in office hours on working days, customers in the
waking hours of any day) and stops at "now": what has not happened yet is not written, so the
stage of each application follows from its age, and the proportions of stages are what a steady
flow of applications gives. Every row is a tuple in the column order of ``tables.TABLES``.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from tongqi.applications.choices import DEFAULT_LIMIT_DAYS, Category, Status, UsageType
from tongqi.core import clock as core
from tongqi.core.validators import peak_load
from tongqi.core.workdays import SHANGHAI, accrual_origin
from tongqi.pricing import calc

from . import names, projects
from .org import Catalogue, GridInfo, OrgInfo

S = Status
ZERO = Decimal("0")
Q3 = Decimal("0.001")

CHANNELS = (("web", 34), ("mobile", 30), ("gov", 16), ("counter", 15), ("kiosk", 5))
# the request channel recorded on events (``tongqi.core.context``): the customer's front door
EVENT_CHANNEL = {"web": "web", "mobile": "web", "kiosk": "kiosk", "gov": "gov", "counter": "web"}
CATEGORIES = (
    (Category.STANDARD_PACKAGE, 55),
    (Category.NO_EXTERNAL_WORKS, 30),
    (Category.WITH_EXTERNAL_WORKS, 15),
)
USAGES = (
    (UsageType.RESTAURANT, 46),
    (UsageType.CANTEEN, 12),
    (UsageType.HOTEL, 8),
    (UsageType.BAKERY, 9),
    (UsageType.BOILER, 8),
    (UsageType.INDUSTRIAL, 7),
    (UsageType.COMMERCIAL, 10),
)
REJECT_REASONS = (
    "申请地址不在我公司供气范围内，请向当地燃气企业申请。",
    "用气场所不具备安全用气条件（地下室无通风），请整改后重新申请。",
    "同一地址已有在办申请，请勿重复提交。",
    "申请材料与营业执照信息不一致，请核对后重新申请。",
)
CANCEL_REASONS = (
    "店铺转让，不再需要用气。",
    "项目延期，暂不办理。",
    "改用电能厨具。",
    "租赁合同未续签。",
    "客户电话申请撤回。",
)
REOPEN_REASONS = ("客户补充说明后复核，予以重新受理。", "经核实供气范围已覆盖，重新受理。")
MISSING_ITEMS = (
    ["房屋产权证明或租赁合同"],
    ["法定代表人身份证复印件"],
    ["场地平面图"],
    ["授权委托书"],
    ["房屋产权证明或租赁合同", "场地平面图"],
)
COMMITMENT_TEXT = "本单位承诺在约定期限内补齐上述材料，逾期未补齐的，同意暂停办理。"
PAUSE_TEXT = {
    core.CUSTOMER_DOCUMENTS: ("等待客户补正用气设备清单。", "等待客户补充场地平面图。"),
    core.CUSTOMER_WORKS: ("客户红线内自建工程施工中。",),
    core.CUSTOMER_DELAY: ("客户申请延期：装修未完工。", "客户申请延期：店铺尚未交付。"),
    core.ADMIN_APPROVAL: ("等待道路挖掘许可审批。", "等待占道施工许可。"),
}
RECTIFY_ITEMS = (
    "燃气报警器未安装到位，需整改。",
    "排烟管道不符合规范，需整改。",
    "软管长度超过 2 米，需更换为金属软管。",
    "用气场所通风不良，需加装机械排风。",
)
COMPLAINT_TITLES = {
    "installation": ("报装进度咨询", "报装办理时间过长", "催办通气"),
    "fees": ("报装费用疑问", "套餐价格咨询"),
    "attitude": ("客户经理未及时回电", "服务态度问题"),
    "works": ("施工占道扰民", "施工后路面未恢复"),
    "safety": ("燃气异味报修", "安全检查预约"),
    "supply": ("燃气压力不足", "停气通知咨询"),
    "meter": ("燃气表读数异常", "账单疑问"),
    "other": ("其他诉求",),
}
COMPLAINT_SOURCES = (
    ("12345", 38),
    ("phone", 22),
    ("wechat", 12),
    ("portal", 8),
    ("12319", 6),
    ("changjiang", 5),
    ("message_board", 4),
    ("counter", 5),
)
REPLY_SOURCES = {"12345", "12319", "changjiang", "message_board", "wechat"}
COMPLAINT_KINDS = (
    ("complaint", 40),
    ("request", 30),
    ("enquiry", 22),
    ("suggestion", 5),
    ("praise", 3),
)
PAYMENT_METHODS = ("bank_transfer", "wechat", "alipay", "card", "cash")
OPENS, CLOSES = time(8, 30), time(17, 30)  # office hours of the staff
PRICED_CACHE = 20_000  # priced quotes kept for reuse (a cache: the rows do not depend on it)


def _weights(pairs):
    values = tuple(v for v, _w in pairs)
    cum, total = [], 0
    for _v, w in pairs:
        total += w
        cum.append(total)
    return values, cum, total + 0.0


def _pick(rng: random.Random, table):
    """``rng.choices(values, cum_weights=cum)[0]``, without building a list per draw (the same
    draw: one ``random()`` bisected into the cumulative weights, as ``Random.choices`` does)."""
    values, cum, total = table
    return values[bisect(cum, rng.random() * total, 0, len(values) - 1)]


CHANNEL_T = _weights(CHANNELS)
CATEGORY_T = _weights(CATEGORIES)
USAGE_T = _weights(USAGES)
SOURCE_T = _weights(COMPLAINT_SOURCES)
KIND_T = _weights(COMPLAINT_KINDS)
SCORE_T = _weights(((5, 62), (4, 27), (3, 7), (2, 3), (1, 1)))


class IdPool:
    """The primary keys of one table handed to a batch in advance (see ``batches.reserve``)."""

    def __init__(self, table: str, keys: Sequence[int]):
        self.table = table
        self._keys = keys
        self.used = 0

    def take(self) -> int:
        if self.used >= len(self._keys):
            raise RuntimeError(
                f"the batch used more {self.table} keys than were reserved for it "
                f"({len(self._keys)}): batches.KEYS_PER_APPLICATION is too small"
            )
        self.used += 1
        return self._keys[self.used - 1]

    def taken(self) -> Sequence[int]:
        return self._keys[: self.used]


@dataclass
class Buffers:
    """Rows of one batch, per table (names as in ``tables.TABLES``)."""

    rows: dict[str, list[tuple]] = field(default_factory=lambda: defaultdict(list))

    def count(self) -> int:
        return sum(len(r) for r in self.rows.values())


@dataclass
class Ledger:
    clock_id: int
    budget: int
    events: list[core.ClockEvent]
    notes: list[tuple[str, int | None]]  # (note, actor id) per event


class Simulation:
    """Makes applications one by one into ``Buffers``; deterministic for a given rng state."""

    def __init__(
        self,
        *,
        calendar,
        org: OrgInfo,
        catalogue: Catalogue,
        now: datetime,
        start: datetime,
        stopping_reasons: frozenset[str],
        calendar_version: int,
        api_client_id: int | None = None,
    ):
        self.rng = random.Random()
        self.cal = calendar
        self.org = org
        self.catalogue = catalogue
        self.pools: dict[str, IdPool] = {}
        self.index = 0
        self.now = now
        self.start = start
        self.span = (now - start).total_seconds()
        self.reasons = stopping_reasons
        self.calendar_version = calendar_version
        self.api_client_id = api_client_id
        self.grid_table = _weights([(g, g.weight) for g in org.grids])
        self.out = Buffers()
        self._priced: dict = {}
        self._lines: dict[calc.Line, tuple] = {}
        self._workdays: dict[date, bool] = {}
        self._next_workdays: dict[date, date] = {}
        self._office_hours: dict[date, tuple[datetime, datetime]] = {}
        self.gas_source_cost = catalogue.policy(now.date())[4] or Decimal("680.00")

    def begin(self, *, rng: random.Random, pools: dict[str, IdPool], index: int) -> None:
        """Start a batch: its random numbers, its keys, its first identifier index, no rows.
        (The memoised days and prices stay: they do not depend on the batch.)"""
        self.rng = rng
        self.pools = pools
        self.index = index
        self.out = Buffers()

    # --- time ---------------------------------------------------------------------------------

    def workday(self, d: date) -> bool:
        # memoised: the simulation asks about the same few hundred days millions of times
        w = self._workdays.get(d)
        if w is None:
            try:
                w = self.cal.is_workday(d)
            except ValueError:
                w = d.weekday() < 5
            self._workdays[d] = w
        return w

    def _office(self, day: date) -> tuple[datetime, datetime]:
        """Opening and closing time (08:30, 17:30 in Shanghai) of ``day``, memoised."""
        hours = self._office_hours.get(day)
        if hours is None:
            hours = self._office_hours[day] = (
                datetime.combine(day, OPENS, SHANGHAI),
                datetime.combine(day, CLOSES, SHANGHAI),
            )
        return hours

    def staff_after(self, t: datetime, hours: float) -> datetime:
        """``hours`` of office time (08:30–17:30 on working days) after ``t``."""
        t = t.astimezone(SHANGHAI)
        day = t.date()
        open_, close = self._office(day)
        if not self.workday(day) or t >= close:
            t, close = self._office(self._next_workday(day))
        elif t < open_:
            t = open_
        left = timedelta(hours=hours)
        while True:
            end = t + left
            if end <= close:
                return end
            left -= close - t
            t, close = self._office(self._next_workday(t.date()))

    def _next_workday(self, d: date) -> date:
        nxt = self._next_workdays.get(d)
        if nxt is None:
            nxt = d + timedelta(days=1)
            for _ in range(40):
                if self.workday(nxt):
                    break
                nxt += timedelta(days=1)
            self._next_workdays[d] = nxt
        return nxt

    def customer_after(self, t: datetime, hours: float) -> datetime:
        """A customer acts ``hours`` later, in waking hours (07:00–23:00) of any day."""
        t = (t + timedelta(hours=hours)).astimezone(SHANGHAI)
        if t.hour < 7:
            t = t.replace(hour=7 + self.rng.randrange(3), minute=self.rng.randrange(60))
        elif t.hour >= 23:
            t = (t + timedelta(days=1)).replace(hour=8, minute=self.rng.randrange(60))
        return t

    def submission_time(self, recent: bool) -> datetime:
        """Submissions grow over the years (about 40 % more a year) and cluster in the week."""
        rng = self.rng
        if recent:
            t = self.now - timedelta(seconds=rng.uniform(1800, 20 * 86400))
        else:
            u = rng.random()
            # density ∝ 1 + 0.8 x on [0, 1] (x: position in the span): inverse CDF
            x = (-1 + (1 + 1.6 * (u * 1.4)) ** 0.5) / 0.8
            t = self.start + timedelta(seconds=x * self.span)
        t = t.astimezone(SHANGHAI)
        if not self.workday(t.date()) and rng.random() < 0.7:
            t = datetime.combine(self._next_workday(t.date()), time(0), SHANGHAI)
        hour = rng.choice((8, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 19, 20, 21))
        return t.replace(
            hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0
        )

    # --- helpers ------------------------------------------------------------------------------

    def _id(self, table: str) -> int:
        return self.pools[table].take()

    def event(self, app_id, at, action, frm, to, actor, channel, reason="", data=None, public=True):
        self.out.rows["event"].append(
            (
                app_id,
                at,
                action,
                frm,
                to,
                actor[0] if actor else None,
                (actor[1] if actor else ("一网通办" if channel == "gov" else "系统"))[:150],
                channel,
                reason,
                data or {},
                public,
            ),
        )

    # --- one application ----------------------------------------------------------------------

    def application(self, *, force: str | None = None, enterprise=None) -> tuple[str, object]:
        """Simulate one application; returns (final status, enterprise key for reuse)."""
        if force is None:
            return self._one(force=None, enterprise=enterprise)
        rng = self.rng
        for _attempt in range(2000):
            state = rng.getstate()
            index = self.index
            mark = {k: len(v) for k, v in self.out.rows.items()}
            used = {k: p.used for k, p in self.pools.items()}
            status, ent = self._one(force=force, enterprise=enterprise)
            if status == force:
                return status, ent
            # not the wanted stage: take the rows and keys back, try again from a new random state
            for k, v in self.out.rows.items():
                del v[mark.get(k, 0) :]
            for k, p in self.pools.items():
                p.used = used[k]
            rng.setstate(state)
            rng.random()
            self.index = index
        return status, ent

    def _one(self, *, force, enterprise):
        rng = self.rng
        now = self.now
        grid = _pick(rng, self.grid_table)
        channel = _pick(rng, CHANNEL_T)
        usage = enterprise[2] if enterprise else _pick(rng, USAGE_T)
        category = _pick(rng, CATEGORY_T)
        if (
            usage in (UsageType.BOILER, UsageType.INDUSTRIAL)
            and category == Category.STANDARD_PACKAGE
        ):
            category = Category.NO_EXTERNAL_WORKS
        recent = force is not None
        draft = force == S.DRAFT or (force is None and rng.random() < 0.015)
        submitted = self.submission_time(recent or draft)
        if draft:
            submitted = self.now - timedelta(seconds=rng.uniform(600, 40 * 86400))
        created = submitted - timedelta(minutes=rng.uniform(3, 90))

        # the enterprise and the customer account
        ent_id, customer, ent_key = self._enterprise(grid, channel, usage, created, enterprise)
        app_id = self._id("app")
        number = None if draft else f"TQ{submitted.astimezone(SHANGHAI):%Y%m%d}{app_id:07d}"
        am = rng.choice(grid.managers)
        sub = grid.subsidiary_id
        engineer = self._staff(self.org.engineers, sub) or am
        clerk = self._staff(self.org.clerks, sub) if channel == "counter" else None
        leader = self._staff(self.org.leaders, sub) or self._staff(
            self.org.leaders, self.org.company_id
        )
        applicant = customer if channel in ("web", "mobile", "kiosk") else None
        creator = clerk if channel == "counter" else applicant
        ev_channel = EVENT_CHANNEL[channel]
        cust_actor = customer if customer else None

        # appliances and load
        appliances = []
        for name, flow in rng.sample(
            names.TRADES[usage][1], k=min(len(names.TRADES[usage][1]), rng.randint(1, 3))
        ):
            count = rng.randint(1, 4) if Decimal(flow) < 10 else 1
            appliances.append((name, Decimal(flow), count))
        load = peak_load([(f, c) for _n, f, c in appliances])
        annual = (load * Decimal(rng.randint(900, 2600))).quantize(Q3)
        lat = lng = None
        if rng.random() < 0.6:
            lat = Decimal(f"{30.35 + rng.random() * 0.9:.6f}")
            lng = Decimal(f"{113.9 + rng.random() * 1.1:.6f}")

        a = {
            "status": S.DRAFT,
            "version": 1,
            "category": "",
            "limit_days": None,
            "clock_id": None,
            "accepted_at": None,
            "gas_on_at": None,
            "closed_at": None,
            "outcome": "",
            "reader": None,
            "inspector": None,
        }
        rows_before = {"event": len(self.out.rows.get("event", ()))}

        def move(at, action, to, actor, reason="", data=None, public=True, channel="web"):
            frm = a["status"]
            if to is not None:
                a["status"] = to
            if a["status"] in (S.GAS_ON, S.REJECTED, S.CANCELLED) and not a["closed_at"]:
                a["closed_at"] = at
            a["version"] += 1
            a["last"] = at
            self.event(app_id, at, action, frm, a["status"], actor, channel, reason, data, public)

        ledger: Ledger | None = None
        done = draft

        def clock_event(kind, at, reason="", note="", actor=None):
            ledger.events.append(core.ClockEvent(kind=kind, at=at, reason=reason))
            ledger.notes.append((note, actor[0] if actor else None))

        def past(t):
            return t <= now

        if not draft:
            move(
                submitted,
                "submit",
                S.SUBMITTED,
                creator,
                data={"grid": grid.name, "manager": am[1]},
                channel=ev_channel,
            )
            if channel == "counter":
                self.out.rows["visit"].append(
                    (app_id, "counter", submitted, clerk[0] if clerk else None, "")
                )
                move(
                    submitted + timedelta(seconds=rng.randint(20, 300)),
                    "visit",
                    None,
                    clerk,
                    data={"kind": "counter"},
                    public=False,
                )
        t = submitted
        prelim = category
        quote_rows: list = []
        commitment = None
        project = None  # the gas-source project of an application with external works
        while not done:
            # --- acceptance or rejection
            t = self.staff_after(t, rng.uniform(0.3, 10))
            if not past(t):
                break
            if rng.random() < 0.03:
                reason = rng.choice(REJECT_REASONS)
                a["outcome"] = reason
                move(t, "reject", S.REJECTED, am, reason=reason)
                if rng.random() < 0.15:
                    t = self.staff_after(t, rng.uniform(4, 40))
                    if past(t):
                        a["outcome"] = ""
                        a["closed_at"] = None
                        move(t, "reopen", S.SUBMITTED, leader, reason=rng.choice(REOPEN_REASONS))
                        continue
                break
            if rng.random() < 0.1 and prelim == Category.STANDARD_PACKAGE:
                prelim = Category.STANDARD_PACKAGE
                category = Category.NO_EXTERNAL_WORKS  # the survey finds a longer pipe
            limit0 = DEFAULT_LIMIT_DAYS[Category(prelim)]
            ledger = Ledger(self._id("clock"), limit0, [], [])
            a["clock_id"] = ledger.clock_id
            a["accepted_at"] = t
            a["category"], a["limit_days"] = prelim, limit0
            a["outcome"] = ""
            missing = rng.choice(MISSING_ITEMS) if rng.random() < 0.1 else []
            clock_event(core.START, t, actor=am)
            move(
                t,
                "accept",
                S.ACCEPTED,
                am,
                reason="容缺受理：部分材料后补" if missing else "",
                data={"category": prelim, "limit_days": limit0, "missing_items": missing},
            )
            if missing:
                due = t.date() + timedelta(days=rng.randint(5, 12))
                commitment = [
                    app_id,
                    missing,
                    COMMITMENT_TEXT,
                    due,
                    "open",
                    am[0],
                    t,
                    None,
                    False,
                    False,
                ]
                self.out.rows.setdefault("commitment", []).append(commitment)
                fulfil_at = self.customer_after(t, rng.uniform(20, 24 * 9))
                if rng.random() < 0.85:
                    commitment.append(fulfil_at)  # resolved below, once the stage is known
            # --- documents pause
            if rng.random() < 0.08:
                p = self.staff_after(t, rng.uniform(0.5, 6))
                if past(p):
                    code = core.CUSTOMER_DOCUMENTS
                    text = rng.choice(PAUSE_TEXT[code])
                    clock_event(core.PAUSE, p, code, text, am)
                    move(p, "pause", None, am, reason=text, data={"reason_code": code})
                    t = self.staff_after(p, rng.uniform(4, 60))
                    if not past(t):
                        break
                    clock_event(core.RESUME, t, "", "", am)
                    move(t, "resume", None, am, reason="客户已补正材料")
            # --- cancellation during the works
            cancel_at_stage = (
                rng.choice((S.ACCEPTED, S.SURVEYED, S.QUOTED, S.CONFIRMED))
                if rng.random() < 0.03
                else None
            )
            if cancel_at_stage == S.ACCEPTED:
                done = self._cancel(t, a, move, clock_event, ledger, cust_actor or am)
                break
            # --- survey
            speed = {
                Category.STANDARD_PACKAGE: 1.0,
                Category.NO_EXTERNAL_WORKS: 2.2,
                Category.WITH_EXTERNAL_WORKS: 3.5,
            }[Category(category)]
            t = self.staff_after(t, rng.uniform(0.5, 6) * speed)
            if not past(t):
                break
            pipe = Decimal(rng.randint(8, 60 if category == Category.STANDARD_PACKAGE else 160))
            ext = (
                Decimal(rng.randint(30, 900)) if category == Category.WITH_EXTERNAL_WORKS else ZERO
            )
            limit = DEFAULT_LIMIT_DAYS[Category(category)]
            meter = self._meter(load)
            self.out.rows["survey"].append(
                (
                    app_id,
                    t,
                    am[0],
                    category,
                    pipe,
                    ext,
                    meter,
                    category != Category.WITH_EXTERNAL_WORKS,
                    "现场具备安装条件。",
                    True,
                ),
            )
            self.out.rows["visit"].append((app_id, "site", t, am[0], "现场踏勘"))
            move(
                t,
                "survey",
                S.SURVEYED,
                am,
                data={
                    "category": category,
                    "limit_days": limit,
                    "previous_limit_days": a["limit_days"],
                },
            )
            a["category"], a["limit_days"] = category, limit
            ledger.budget = limit
            if cancel_at_stage == S.SURVEYED:
                done = self._cancel(t, a, move, clock_event, ledger, cust_actor or am)
                break
            # --- quote (a second version now and then)
            versions = 2 if rng.random() < 0.08 else 1
            quote = None
            stop = False
            for v in range(1, versions + 1):
                t = self.staff_after(t, rng.uniform(0.2, 4) * speed)
                if not past(t):
                    stop = True
                    break
                if quote is not None:
                    quote[4] = "superseded"
                quote = self._quote(app_id, number, v, t, am, category, usage, load, pipe, ext)
                quote_rows.append(quote)
                move(t, "quote", S.QUOTED, am, data={"quote": quote[3]})
            if stop:
                break
            if cancel_at_stage == S.QUOTED:
                done = self._cancel(t, a, move, clock_event, ledger, cust_actor or am)
                break
            if rng.random() < 0.05:  # the customer asks for time before confirming
                p = self.customer_after(t, rng.uniform(1, 12))
                if past(p):
                    code = core.CUSTOMER_DELAY
                    text = rng.choice(PAUSE_TEXT[code])
                    clock_event(core.PAUSE, p, code, text, am)
                    move(p, "pause", None, am, reason=text, data={"reason_code": code})
                    t = self.staff_after(p, rng.uniform(10, 90))
                    if not past(t):
                        break
                    clock_event(core.RESUME, t, "", "", am)
                    move(t, "resume", None, am, reason="客户确认继续办理")
            # --- the customer confirms the drawings and the quote
            t = self.customer_after(t, rng.uniform(0.5, 30) * (speed**0.5))
            if not past(t):
                break
            quote[4] = "confirmed"
            quote[-2] = cust_actor[0] if cust_actor else am[0]
            quote[-1] = t
            move(t, "confirm_quote", S.CONFIRMED, cust_actor or am, data={"quote": quote[3]})
            if cancel_at_stage == S.CONFIRMED:
                done = self._cancel(t, a, move, clock_event, ledger, cust_actor or am)
                break
            # --- works: the gas-source project and its approvals, the customer's own works
            if category == Category.WITH_EXTERNAL_WORKS:
                project = projects.plan(
                    rng,
                    project_id=self._id("project"),
                    application_id=app_id,
                    opened=t,
                    engineer=engineer,
                    application_number=number,
                    grid=grid,
                    lat=lat,
                    lng=lng,
                    length_m=ext,
                    load=load,
                    annual=annual,
                    investment=quote[18],
                )
            if category == Category.WITH_EXTERNAL_WORKS and rng.random() < 0.3:
                p = self.staff_after(t, rng.uniform(1, 8))
                if past(p):
                    code = core.ADMIN_APPROVAL
                    text = rng.choice(PAUSE_TEXT[code])
                    clock_event(core.PAUSE, p, code, text, engineer)
                    move(p, "pause", None, engineer, reason=text, data={"reason_code": code})
                    project.paused_at = p
                    t = self.staff_after(p, rng.uniform(20, 150))
                    if not past(t):
                        break
                    clock_event(core.RESUME, t, "", "审批已取得", engineer)
                    move(t, "resume", None, engineer, reason="审批已取得")
                    project.resumed_at = t
            works_pause = category != Category.STANDARD_PACKAGE and rng.random() < 0.25
            if works_pause:
                p = self.staff_after(t, rng.uniform(0.5, 4))
                if past(p):
                    code = core.CUSTOMER_WORKS
                    text = rng.choice(PAUSE_TEXT[code])
                    clock_event(core.PAUSE, p, code, text, am)
                    move(p, "pause", None, am, reason=text, data={"reason_code": code})
                    t = p
                else:
                    works_pause = False
            works_h = {
                Category.STANDARD_PACKAGE: (1, 14),
                Category.NO_EXTERNAL_WORKS: (20, 120),
                Category.WITH_EXTERNAL_WORKS: (60, 260),
            }[Category(category)]
            t = self.customer_after(t, rng.uniform(*works_h) * (2.5 if works_pause else 1))
            rectified = 0
            gas_on = False
            while True:
                if not past(t):
                    break
                if (
                    ledger.events[-1].kind == core.PAUSE
                    and ledger.events[-1].reason == core.CUSTOMER_WORKS
                ):
                    clock_event(core.RESUME, t, "", "acceptance requested", cust_actor or am)
                move(
                    t,
                    "request_acceptance",
                    S.ACCEPTANCE_REQUESTED,
                    cust_actor or am,
                    data={"preferred_date": "", "note": ""},
                )
                t = self.staff_after(t, rng.uniform(1, 12) * (speed**0.5))
                if not past(t):
                    break
                passed = rectified >= 2 or rng.random() > 0.1
                meter_no = f"{rng.randrange(10**9, 10**10)}" if passed else ""
                items = "" if passed else rng.choice(RECTIFY_ITEMS)
                self.out.rows["acceptance"].append(
                    (
                        app_id,
                        t,
                        engineer[0],
                        passed,
                        True,
                        True,
                        passed,
                        meter_no,
                        Decimal("0.000") if passed else None,
                        passed,
                        items,
                        "",
                    ),
                )
                self.out.rows["visit"].append((app_id, "site", t, engineer[0], "验收点火"))
                if passed:
                    a["gas_on_at"] = t
                    a["reader"], a["inspector"] = grid.reader_id, grid.inspector_id
                    clock_event(core.STOP, t, actor=engineer)
                    move(
                        t,
                        "acceptance_passed",
                        S.GAS_ON,
                        engineer,
                        data={"passed": True, "meter_number": meter_no},
                    )
                    gas_on = True
                    break
                rectified += 1
                if ledger.events[-1].kind != core.PAUSE:
                    clock_event(core.PAUSE, t, core.CUSTOMER_WORKS, "rectification", engineer)
                move(
                    t,
                    "acceptance_failed",
                    S.RECTIFYING,
                    engineer,
                    reason=items,
                    data={"passed": False, "meter_number": ""},
                )
                t = self.customer_after(t, rng.uniform(6, 100))
            if gas_on:
                self._after_gas_on(app_id, grid, am, quote, t, cust_actor, customer, ent_id)
            done = True

        # commitment fulfilment (only while the state machine allows it)
        if commitment is not None:
            fulfil_at = commitment.pop() if len(commitment) == 11 else None
            allowed = {
                S.ACCEPTED,
                S.SURVEYED,
                S.QUOTED,
                S.CONFIRMED,
                S.ACCEPTANCE_REQUESTED,
                S.RECTIFYING,
                S.GAS_ON,
            }
            status_then = (
                self._status_at(app_id, fulfil_at, rows_before["event"]) if fulfil_at else None
            )
            if fulfil_at and past(fulfil_at) and status_then in allowed:
                commitment[4] = "fulfilled"
                commitment[7] = fulfil_at
                self._insert_event(
                    app_id,
                    rows_before["event"],
                    fulfil_at,
                    "commitment_fulfilled",
                    status_then,
                    cust_actor or am,
                    "web",
                    {"items": commitment[1]},
                )
                a["version"] += 1
            elif a["status"] in (S.CANCELLED, S.REJECTED):
                commitment[4] = "waived"
            if commitment[4] == "open" and commitment[3] < now.date():
                commitment[8] = commitment[9] = True  # reminders already sent
            elif commitment[4] == "open" and commitment[3] <= now.date() + timedelta(days=2):
                commitment[8] = True

        if project is not None:
            projects.write(
                rng,
                self.out.rows,
                project,
                app_status=a["status"],
                app_gas_on=a["gas_on_at"],
                app_closed=a["closed_at"],
                now=now,
            )

        clock_row = None
        if ledger is not None and ledger.events:
            clock_row = self._clock(ledger)
        if a["status"] == S.CANCELLED and ledger is not None and clock_row is None:
            pass

        # complaints about this application
        if not draft and rng.random() < 0.05:
            at = submitted + timedelta(
                seconds=rng.uniform(
                    3600,
                    max(7200, (a.get("last", submitted) - submitted).total_seconds() + 5 * 86400),
                )
            )
            if at < now:
                self.complaint(
                    at,
                    grid,
                    app_id=app_id,
                    ent_id=ent_id,
                    customer=customer,
                    contact=ent_key[3],
                    name=ent_key[4],
                )

        for q in quote_rows:
            self.out.rows["quote"].append(tuple(q))
        self.out.rows["app"].append(
            (
                app_id,
                number,
                ent_id,
                applicant[0] if applicant else None,
                creator[0] if creator else None,
                channel,
                self.api_client_id if channel == "gov" else None,
                a["status"],
                a["version"],
                grid.district_id,
                rng.choice(grid.streets)
                if grid.streets
                else f"{grid.city}{rng.choice(names.STREET_WORDS)}街道",
                names.street_address(rng),
                lat,
                lng,
                "gcj02" if lat is not None else "",
                usage,
                load,
                annual,
                (submitted + timedelta(days=rng.randint(10, 60))).date(),
                "",
                None if draft else grid.grid_id,
                None if draft else grid.unit_id,
                None if draft else am[0],
                a["reader"],
                a["inspector"],
                a["category"],
                a["limit_days"],
                a["clock_id"],
                "" if draft else "2026-01",
                a["outcome"],
                created,
                None if draft else submitted,
                a["accepted_at"],
                a["gas_on_at"],
                a["closed_at"],
                a.get("last", created),
            ),
        )
        for name_, flow, count in appliances:
            self.out.rows["appliance"].append((app_id, name_, flow, count))
        return a["status"], ent_key

    # --- pieces -------------------------------------------------------------------------------

    def _status_at(self, app_id, at, start_index):
        status = None
        for row in self.out.rows["event"][start_index:]:
            if row[0] == app_id and row[1] <= at:
                status = row[4]
        return status

    def _insert_event(self, app_id, start_index, at, action, status, actor, channel, data):
        events = self.out.rows["event"]
        row = (
            app_id,
            at,
            action,
            status,
            status,
            actor[0] if actor else None,
            actor[1] if actor else "系统",
            channel,
            "",
            data,
            True,
        )
        i = len(events)
        while i > start_index and events[i - 1][1] > at:
            i -= 1
        events.insert(i, row)

    def _cancel(self, t, a, move, clock_event, ledger, actor) -> bool:
        t = self.customer_after(t, self.rng.uniform(2, 72))
        if t > self.now:
            return True
        reason = self.rng.choice(CANCEL_REASONS)
        if ledger is not None and ledger.events and ledger.events[-1].kind != core.STOP:
            clock_event(core.STOP, t, note="cancelled", actor=actor)
        a["outcome"] = reason
        move(t, "cancel", S.CANCELLED, actor, reason=reason)
        return True

    def _staff(self, table, unit_id):
        people = table.get(unit_id)
        return self.rng.choice(people) if people else None

    def _meter(self, load: Decimal) -> str:
        for limit, meter in (
            (6, "G4"),
            (10, "G6"),
            (16, "G10"),
            (25, "G16"),
            (40, "G25"),
            (65, "G40"),
        ):
            if load <= limit:
                return meter
        return "G100"

    def _enterprise(self, grid: GridInfo, channel, usage, created, reuse):
        rng = self.rng
        if reuse is not None:
            return reuse[0], reuse[1], reuse
        self.index += 1
        ent_id = self._id("enterprise")
        contact = names.person(rng)
        mobile = names.mobile(self.index)
        customer = None
        if channel in ("web", "mobile", "kiosk") or rng.random() < 0.3:
            user_id = self._id("user")
            joined = created - timedelta(minutes=rng.uniform(1, 600))
            self.out.rows["user"].append(
                (user_id, mobile, "!synthetic", "customer", contact, mobile, joined, joined)
            )
            self.out.rows["member"].append((ent_id, user_id))
            customer = (user_id, contact)
        legal = names.person(rng)
        self.out.rows["enterprise"].append(
            (
                ent_id,
                names.enterprise_name(rng, grid.city, usage),
                names.uscc(self.index, grid.district_code),
                legal,
                f"{grid.city}{names.street_address(rng)}",
                contact,
                mobile,
                names.resident_id(rng, grid.district_code, created.date())
                if rng.random() < 0.5
                else "",
                "licence_sharing" if rng.random() < 0.7 else "",
                created,
            ),
        )
        return ent_id, customer, (ent_id, customer, usage, mobile, contact)

    def _quote(self, app_id, number, version, at, am, category, usage, load, pipe, ext):
        on = at.astimezone(SHANGHAI).date()
        policy = self.catalogue.policy(on)
        pkg = price = None
        if category == Category.STANDARD_PACKAGE:
            for i, p in enumerate(self.catalogue.packages):
                if (
                    load <= p.max_load
                    and (not p.usage_types or usage in p.usage_types)
                    and (p.max_m is None or pipe <= p.max_m)
                ):
                    in_force = [j for j, x in enumerate(p.prices) if x[0] <= on]
                    if in_force:
                        pkg, price = i, in_force[-1]
                        break
        custom = (
            None
            if pkg is not None
            else (
                self.rng.choice(("260.00", "280.00", "320.00")),
                self._meter(load),
                self.rng.choice(("3800.00", "5600.00", "8800.00")),
            )
        )
        key = (pkg, price, custom, pipe, ext, policy[1], policy[2], policy[4])
        priced = self._priced.get(key)
        if priced is None:
            if len(self._priced) >= PRICED_CACHE:  # most keys of custom quotes never repeat
                self._priced.clear()
            priced = self._priced[key] = self._price(pkg, price, custom, pipe, ext, policy)
        lines, n, total, investment, exempt, needs, threshold = priced
        quote_id = self._id("quote")
        for line in lines:
            self.out.rows["quote_line"].append((quote_id, *line))
        package = self.catalogue.packages[pkg] if pkg is not None else None
        created = at - timedelta(minutes=self.rng.uniform(5, 120))
        return [
            quote_id, app_id, version, f"{number}-{version:02d}", "issued",
            "package" if package else "custom", package.package_id if package else None,
            package.prices[price][1] if package else None, on, load, usage, pipe, ext,
            package.included_m if package else ZERO, package.unit_m if package else Decimal("1"),
            n, ZERO, total, investment, exempt, needs, threshold, policy[2], "", "", 2, am[0],
            created, at, am[0], at, None, None,
        ]  # fmt: skip

    def _price(self, pkg, price_index, custom, pipe, ext, policy):
        """The lines and totals of a quote, by ``pricing.calc`` (cached: most quotes repeat)."""
        lines: list[calc.Line] = []
        n = 0
        if pkg is not None:
            package = self.catalogue.packages[pkg]
            price = package.prices[price_index]
            n = calc.extra_units(pipe, package.included_m, package.unit_m)
            incl = calc._fmt(package.included_m)
            lines.append(
                calc.Line(
                    "customer",
                    "package_base",
                    f"{package.name}：{package.meter} 表，含管道 {incl} 米"[:200],
                    "套",
                    Decimal("1"),
                    price[2],
                )
            )
            if n:
                lines.append(
                    calc.Line(
                        "customer",
                        "package_extra",
                        f"超出含量 {incl} 米部分：{calc._fmt(pipe)} 米，"
                        f"每 {calc._fmt(package.unit_m)} 米一单位（N）",
                        "单位",
                        Decimal(n),
                        price[3],
                    )
                )
        else:
            per_m, meter, meter_price = custom
            lines.append(
                calc.Line(
                    "customer",
                    "item",
                    "红线内燃气管道安装（含管件、吹扫、试压）",
                    "米",
                    pipe,
                    Decimal(per_m),
                )
            )
            lines.append(
                calc.Line(
                    "customer",
                    "item",
                    f"{meter} 燃气表及表具安装",
                    "套",
                    Decimal("1"),
                    Decimal(meter_price),
                )
            )
            lines.append(
                calc.Line(
                    "customer",
                    "item",
                    "燃气泄漏报警器及紧急切断阀",
                    "套",
                    Decimal("1"),
                    Decimal("2600.00"),
                )
            )
        if ext > 0:
            lines.append(
                calc.Line(
                    "gas_source",
                    "gas_source",
                    "红线外气源管道（燃气公司投资建设，用户零费用）",
                    "米",
                    ext,
                    ZERO,
                    policy[4] or self.gas_source_cost,
                )
            )
        totals = calc.totals(lines)
        approval = calc.assess_approval(
            customer_works=totals.customer_total,
            gas_source_works=totals.utility_investment,
            threshold=policy[1],
        )
        rows = tuple(
            (
                pos,
                ln.section,
                ln.kind,
                ln.description,
                ln.unit,
                ln.quantity,
                ln.unit_price,
                *self._line_money(ln),
            )
            for pos, ln in enumerate(lines)
        )
        return (rows, n, totals.customer_total, totals.utility_investment, approval.exempt,
                approval.needs, approval.threshold)  # fmt: skip

    def _line_money(self, ln: calc.Line) -> tuple:
        """(amount, unit cost, cost) of a quote line. The amounts are memoised: the same lines
        recur in quotes that differ elsewhere, and each is a rounding through ``core.money``
        (to 0.01, so an equal line gives the very same value)."""
        money = self._lines.get(ln)
        if money is None:
            if len(self._lines) >= PRICED_CACHE:
                self._lines.clear()
            money = self._lines[ln] = (ln.amount, ln.cost)
        return money[0], ln.unit_cost, money[1]

    def _clock(self, ledger: Ledger):
        events = ledger.events
        budget = ledger.budget
        last = events[-1].at
        state = core.evaluate(events, self.cal, budget, max(self.now, last), self.reasons)
        origin = accrual_origin(events[0].at)
        if state.stopped_at is None:
            cp = core.checkpoint(events, self.cal, budget, self.reasons)
            anchor, accrued, running, crossed = (
                cp.anchor,
                cp.accrued_seconds,
                cp.running,
                cp.crossed_at,
            )
        else:
            anchor, accrued, running = last, state.accrued_seconds, False
            crossed = state.deadline if state.accrued_seconds >= budget * core.DAY else None
        row = (
            ledger.clock_id,
            budget,
            events[0].at,
            state.stopped_at,
            state.paused,
            state.pause_reason,
            origin,
            anchor,
            accrued,
            running,
            crossed,
            state.deadline,
            state.level,
            state.provisional,
            self.calendar_version,
            state.level,
            state.stopped_at is None,
        )
        self.out.rows["clock"].append(row)
        for seq, (e, (note, actor)) in enumerate(zip(events, ledger.notes, strict=True), start=1):
            self.out.rows["clock_event"].append(
                (ledger.clock_id, seq, e.kind, e.at, e.reason, note[:300], actor, e.at),
            )
        return row

    def _after_gas_on(self, app_id, grid, am, quote, t, cust_actor, customer, ent_id):
        rng = self.rng
        now = self.now
        on = t.astimezone(SHANGHAI).date()
        # 先通气、后缴费: the receivable, paid or not
        if quote is not None and quote[17] > 0:
            policy = self.catalogue.policy(on)
            due = on + timedelta(days=policy[3])
            rec_id = self._id("receivable")
            amount = quote[17]
            paid = ZERO
            status = "open"
            settled = None
            r = rng.random()
            pay_on = on + timedelta(days=rng.randint(1, policy[3] + 20))
            if pay_on <= now.date() and r < 0.9:
                part = r >= 0.84
                paid = (amount / 2).quantize(Decimal("0.01")) if part else amount
                status = "partial" if part else "paid"
                pay_at = datetime.combine(pay_on, time(10), SHANGHAI)
                settled = None if part else pay_at
                self.out.rows["payment"].append(
                    (
                        rec_id,
                        paid,
                        rng.choice(PAYMENT_METHODS),
                        f"SYN{rec_id:010d}",
                        pay_on,
                        "",
                        None,
                        pay_at,
                    ),
                )
            overdue = status != "paid" and due < now.date()
            self.out.rows["receivable"].append(
                (
                    rec_id,
                    app_id,
                    quote[0],
                    amount,
                    paid,
                    status,
                    t,
                    due,
                    t if overdue else None,
                    t if overdue else None,
                    t,
                    settled,
                ),
            )
        # the callback after gas-on and the satisfaction survey
        cb_due = self._nth_workday(on, 3)
        done_at = self.staff_after(t, rng.uniform(4, 26))
        if done_at <= now:
            reached = rng.random() < 0.93
            self.out.rows["callback"].append(
                (
                    app_id,
                    "after_gas_on",
                    "",
                    "done" if reached else "unreachable",
                    grid.unit_id,
                    am[0],
                    cb_due,
                    1 if reached else 3,
                    done_at,
                    reached,
                    "客户对办理速度和服务表示满意。" if reached else "",
                    "",
                    done_at if reached else done_at,
                    self._service_person(grid),
                    None,
                    2,
                    t,
                ),
            )
        else:
            self.out.rows["callback"].append(
                (
                    app_id,
                    "after_gas_on",
                    "",
                    "open",
                    grid.unit_id,
                    am[0],
                    cb_due,
                    0,
                    None,
                    None,
                    "",
                    "",
                    None,
                    None,
                    None,
                    1,
                    t,
                ),
            )
        survey_id = self._id("csurvey")
        self.out.rows["csurvey"].append(
            (survey_id, app_id, grid.unit_id, am[0], t, t + timedelta(days=30), t)
        )
        answered = self.customer_after(t, rng.uniform(1, 120))
        if answered <= now and rng.random() < 0.65:
            base = _pick(rng, SCORE_T)

            def score():
                return max(1, min(5, base + rng.choice((0, 0, 0, -1, 1))))

            self.out.rows["csurvey_response"].append(
                (
                    survey_id,
                    rng.choice(("link", "link", "phone")),
                    base,
                    score(),
                    score(),
                    score(),
                    score(),
                    score(),
                    rng.choice(
                        ("", "", "办理很快，点赞！", "客户经理很专业。", "希望进一步简化流程。")
                    ),
                    answered,
                    None,
                ),
            )

    def _nth_workday(self, d: date, n: int) -> date:
        try:
            return self.cal.nth_workday_after(d, n)
        except ValueError:
            return d + timedelta(days=n + 2)

    def _service_person(self, grid):
        p = self._staff(self.org.service, grid.subsidiary_id) or self._staff(
            self.org.service, self.org.company_id
        )
        return p[0] if p else None

    def complaint(
        self, at, grid: GridInfo, *, app_id=None, ent_id=None, customer=None, contact="", name=""
    ):
        """A complaint or request and its day: registered, assigned, investigated, answered,
        closed — the same day for most (日清日结), still open when it arrived just now."""
        from tongqi.service.services.complaints import due_date_for

        rng = self.rng
        cid = self._id("complaint")
        source = _pick(rng, SOURCE_T)
        kind = _pick(rng, KIND_T)
        topic = rng.choice(list(COMPLAINT_TITLES))
        title = rng.choice(COMPLAINT_TITLES[topic])
        arrival = at.astimezone(SHANGHAI).date()
        due = due_date_for(at, cal=self.cal)
        handler = self._staff(self.org.service, grid.subsidiary_id) or self._staff(
            self.org.service, self.org.company_id
        )
        if handler is None:
            handler = rng.choice(grid.managers)
        status = "new"
        events = [("register", "", "new", None, title)]
        t = at
        answered_at = closed_at = None
        feedback = ""
        reply = findings = ""
        for action, to, hours in (
            ("assign", "assigned", (0.1, 2)),
            ("investigate", "investigating", (0.3, 3)),
            ("answer", "answered", (0.2, 3)),
            ("close", "closed", (0.1, 2)),
        ):
            late = rng.random() < 0.04
            t = self.staff_after(t, rng.uniform(*hours) * (6 if late else 1))
            if t > self.now:
                break
            note = ""
            if action == "investigate":
                findings = note = "经核实，情况属实，已安排专人跟进处理。"
            elif action == "answer":
                reply = note = "您好，您反映的问题已处理完毕，感谢您的监督。"
                answered_at = t
            elif action == "close":
                feedback = rng.choice(
                    ("satisfied", "satisfied", "satisfied", "basically", "dissatisfied")
                )
                closed_at = t
            events.append((action, status, to, t, note))
            status = to
        self.out.rows["complaint"].append(
            (
                cid,
                f"SQ{arrival:%Y%m%d}{cid:06d}",
                source,
                f"{source.upper()}{cid:08d}"
                if source in REPLY_SOURCES and source != "wechat"
                else "",
                kind,
                topic,
                title,
                f"{title}：请尽快处理。",
                name or names.person(rng),
                contact or names.mobile(5_000_000_000 + cid),
                "",
                app_id,
                ent_id,
                customer[0] if customer and source == "portal" else None,
                grid.unit_id,
                handler[0],
                status,
                len(events),
                at,
                arrival,
                due,
                findings,
                reply,
                answered_at,
                ("sent" if source in REPLY_SOURCES else "") if answered_at else "",
                answered_at if answered_at and source in REPLY_SOURCES else None,
                feedback,
                closed_at,
                closed_at.astimezone(SHANGHAI).date() if closed_at else None,
                None,
                at,
            ),
        )
        for action, frm, to, when, note in events:
            actor = None if action == "register" and source in REPLY_SOURCES else handler
            self.out.rows["complaint_event"].append(
                (
                    cid,
                    when or at,
                    action,
                    frm,
                    to,
                    actor[0] if actor else None,
                    actor[1] if actor else "接口",
                    note,
                    {},
                ),
            )
