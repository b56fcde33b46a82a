"""Load on the production server setup (gunicorn, several workers, PostgreSQL, a queue worker).

Three phases, loopback only, bounded in time:
1. mixed: 50 customers submitting and reading their applications, 20 account managers
   working their queues (list, accept) — throughput and p50/p95/p99 per operation, errors;
2. submit: 16 concurrent clients only submitting (full submission: validation, routing, clock,
   audit, outbox, idempotency key) — throughput and p99;
3. baseline: 16 concurrent clients on an operation that only inserts one row through Django
   (same server, auth, middleware) — so the submit figure is also a ratio. Phases 2 and 3
   alternate in BENCH_ROUNDS short slices (6; --quick 3), so both see the same machine.

Environment: TONGQI_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tongqi_bench),
BENCH_WORKERS / BENCH_THREADS (gunicorn), BENCH_MIXED_SECONDS (180; --quick 20),
BENCH_PHASE_SECONDS (30 per operation in all; --quick 10), BENCH_ROUNDS.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import _django
from loadclient import Conn, Stats, timed

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(n_customers: int, n_staff: int):
    """Seed the organisation, create customers and tokens; returns tokens and district codes."""
    from tongqi.accounts.choices import Role
    from tongqi.accounts.models import Grid, User
    from tongqi.integration import services as integration
    from tongqi.web.seeding import seed_demo

    seed_demo()
    grids = list(Grid.objects.select_related("unit", "district").order_by("unit__code"))
    staff = []
    for g in grids:
        staff += list(
            User.objects.filter(org_unit=g.unit, role=Role.ACCOUNT_MANAGER).order_by("pk")
        )
    staff = staff[:n_staff]
    staff_grids = {u.org_unit_id for u in staff}
    places = [
        (g.district.code, (g.streets or ["街道"])[0]) for g in grids if g.unit_id in staff_grids
    ]
    template = User.objects.filter(role=Role.ACCOUNT_MANAGER).first().password
    customers = []
    for i in range(n_customers):
        u = User.objects.create(
            username=f"bench{i:03d}",
            role=Role.CUSTOMER,
            mobile=f"1880000{i:04d}",
            full_name=f"压测用户{i}",
            password=template,
        )
        customers.append(u)

    def token(user):
        return integration.token_create(user=user, name="bench", days=7)[1]

    return ([token(u) for u in customers], [token(u) for u in staff], places)


def _uscc(n: int) -> str:
    from tongqi.core.validators import uscc_check_char

    body = f"91420100{n:09d}"[:17]
    return body + uscc_check_char(body)


def _application(n: int, place) -> dict:
    district, street = place
    return {
        "enterprise": {
            "name": f"压测餐饮{n}有限公司",
            "uscc": _uscc(n),
            "legal_representative": "王五",
            "contact_name": "赵六",
            "contact_mobile": "13812345678",
        },
        "district_code": district,
        "street": street,
        "address_detail": f"测试路{n % 997}号",
        "usage_type": "restaurant",
        "annual_consumption": "36000",
        "appliances": [
            {"name": "中餐炒灶", "rated_flow": "4.5", "count": 2},
            {"name": "蒸箱", "rated_flow": "2.8", "count": 1},
        ],
        "privacy_notice_accepted": True,
        "channel": "mobile",
    }


SECRET_KEY = "bench-" + "k" * 30 + "-Secret_Key-0123456789abcdef"


class Server:
    def __init__(
        self, port: int, workers: int, threads: int, extra_env: dict | None = None, log=None
    ):
        self.port = port
        env = {k: v for k, v in os.environ.items() if not k.startswith("TONGQI_")}
        env.update(
            {
                "DATABASE_URL": os.environ["DATABASE_URL"],
                "TONGQI_DATA_DIR": os.environ["TONGQI_DATA_DIR"],
                "TONGQI_ENV": "production",
                "TONGQI_SECRET_KEY": SECRET_KEY,
                "TONGQI_ALLOWED_HOSTS": "127.0.0.1",
                "TONGQI_SSL_REDIRECT": "0",
                "TONGQI_BENCH_ENDPOINTS": "1",
                "TONGQI_API_RATE": "1000000/m",
                "PYTHONPATH": str(ROOT / "src"),
            }
        )
        env.update(extra_env or {})
        self.env = env
        self.web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "tongqi.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "-k",
                "gthread",
                "--threads",
                str(threads),
                "--keep-alive",
                "30",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
        # BENCH_QUEUE_WORKER=0 measures the web tier alone (the outbox then just fills up).
        self.worker = (
            subprocess.Popen(
                [sys.executable, "-m", "tongqi", "worker"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            if os.environ.get("BENCH_QUEUE_WORKER", "1") != "0"
            else None
        )

    def wait(self, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stop(self):
        procs = [p for p in (self.web, self.worker) if p is not None]
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


async def _customer(port, token, places, stats, until, counter):
    conn = Conn("127.0.0.1", port)
    h = {"Authorization": f"Bearer {token}"}
    try:
        while time.monotonic() < until:
            counter[0] += 1
            n = counter[0]
            status, body = await timed(
                conn,
                stats,
                "submit",
                "POST",
                "/api/v1/applications",
                body=_application(100000 + n, places[n % len(places)]),
                headers={**h, "Idempotency-Key": uuid.uuid4().hex},
                ok=(201,),
            )
            if status == 201 and body:
                await timed(
                    conn, stats, "read", "GET", f"/api/v1/applications/{body['id']}", headers=h
                )
    finally:
        await conn.close()


async def _staff(port, token, stats, until):
    conn = Conn("127.0.0.1", port)
    h = {"Authorization": f"Bearer {token}"}
    try:
        while time.monotonic() < until:
            status, body = await timed(
                conn, stats, "queue", "GET", "/api/v1/applications?queue=new&limit=20", headers=h
            )
            items = (body or {}).get("items", []) if status == 200 else []
            if not items:
                await asyncio.sleep(0.2)
                continue
            target = items[len(items) // 2]["id"]
            # Two managers of one grid may pick the same application: one wins, the other is
            # told it changed (409) — the expected answer, not an error.
            await timed(
                conn,
                stats,
                "accept",
                "POST",
                f"/api/v1/applications/{target}/accept",
                body={"category": "standard_package"},
                headers=h,
                ok=(200, 409),
            )
    finally:
        await conn.close()


async def _only(port, tokens, places, stats, until, op, counter=None):
    """16 clients doing only ``op`` until ``until``; ``counter`` numbers the submissions (one
    enterprise each) across slices."""
    counter = counter if counter is not None else [10**6]

    async def client(token):
        conn = Conn("127.0.0.1", port)
        h = {"Authorization": f"Bearer {token}"}
        try:
            while time.monotonic() < until:
                counter[0] += 1
                if op == "submit":
                    await timed(
                        conn,
                        stats,
                        op,
                        "POST",
                        "/api/v1/applications",
                        body=_application(counter[0], places[counter[0] % len(places)]),
                        headers={**h, "Idempotency-Key": uuid.uuid4().hex},
                        ok=(201,),
                    )
                else:
                    await timed(
                        conn,
                        stats,
                        op,
                        "POST",
                        "/api/v1/bench/baseline",
                        body={},
                        headers=h,
                        ok=(201,),
                    )
        finally:
            await conn.close()

    await asyncio.gather(*(client(t) for t in tokens))


def _emit_ops(emit, stats, duration, phase, ops):
    for op in ops:
        s = stats.summary(op, duration)
        if not s.get("count"):
            continue
        emit(
            f"{phase}: {op} throughput",
            s["throughput"],
            "req/s",
            errors=s["errors"],
            statuses=s["statuses"],
        )
        for p in ("p50_ms", "p95_ms", "p99_ms"):
            emit(f"{phase}: {op} {p[:3]}", s[p], "ms")


def _cpu_seconds() -> dict[int, tuple[str, float]]:
    """CPU seconds used so far by each web worker, queue worker and PostgreSQL process (Linux)."""
    hz = os.sysconf("SC_CLK_TCK")
    out = {}
    for pid in (p for p in os.listdir("/proc") if p.isdigit()) if os.path.isdir("/proc") else ():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        part = (
            "web"
            if "gunicorn" in cmd
            else "queue"
            if "tongqi worker" in cmd
            else "database"
            if cmd.startswith("postgres")
            else None
        )
        if part:  # its own CPU, and that of its children that have ended (PostgreSQL's
            # postmaster collects its backends' when they close: a connection recycled by
            # CONN_MAX_AGE during the phase is not lost)
            out[int(pid)] = (part, sum(int(x) for x in fields[11:15]) / hz)
    return out


def _cpu_used(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds per part between two readings (a process started in between counts whole;
    one that ended in between is in its parent's figure)."""
    used = {"web": 0.0, "queue": 0.0, "database": 0.0}
    for pid, (part, seconds) in after.items():
        used[part] += seconds - before.get(pid, (part, 0.0))[1]
    return used


def _wait_for_queue(timeout: float = 180.0) -> int:
    """Wait until the queue worker has caught up (nothing due or running); the backlog left."""
    from django.db import close_old_connections
    from django.db.models import Q
    from django.utils import timezone

    from tongqi.integration.choices import OutboxStatus
    from tongqi.integration.models import OutboxMessage

    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        left = OutboxMessage.objects.filter(
            Q(status=OutboxStatus.PENDING, next_attempt_at__lte=timezone.now())
            | Q(status=OutboxStatus.RUNNING)
        ).count()
        if left == 0 or time.monotonic() > deadline:
            return left
        time.sleep(1)


def run(emit, args) -> None:
    quick = args.quick
    os.environ.setdefault(
        "TONGQI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongqi_bench"
    )
    engine = _django.setup("submit")
    customers, staff, places = _prepare(50, 20)
    cores = os.cpu_count() or 2
    # Processes rather than threads (docs/guides/operations.md): with 4 threads a process, a
    # request holding the audit chain's lock waited for the GIL between its statements, and
    # every other submission waited for that lock (44 ms on average, 3.5 ms with 2 threads).
    workers = int(os.environ.get("BENCH_WORKERS", str(max(2, cores * 4))))
    threads = int(os.environ.get("BENCH_THREADS", "2"))
    mixed_s = float(os.environ.get("BENCH_MIXED_SECONDS", "20" if quick else "180"))
    phase_s = float(os.environ.get("BENCH_PHASE_SECONDS", "10" if quick else "30"))
    port = _free_port()
    server = Server(port, workers, threads)
    try:
        server.wait()
        emit("setup", workers, "gunicorn workers", threads=threads, engine=engine, cores=cores)

        # warm-up: every worker process imports, connects and fills its caches
        warm = Stats()
        asyncio.run(_only(port, customers[:8], places, warm, time.monotonic() + 5, "submit"))

        stats = Stats()
        until = time.monotonic() + mixed_s
        counter = [0]

        async def mixed():
            await asyncio.gather(
                *(_customer(port, t, places, stats, until, counter) for t in customers),
                *(_staff(port, t, stats, until) for t in staff),
            )

        t0 = time.monotonic()
        asyncio.run(mixed())
        _emit_ops(
            emit,
            stats,
            time.monotonic() - t0,
            "mixed 50 customers + 20 staff",
            ("submit", "read", "queue", "accept"),
        )
        errors = sum(len(v) for v in stats.errors.values())
        emit(
            "mixed: errors",
            errors,
            "count",
            sample=[e for v in stats.errors.values() for e in v][:5],
        )

        # Submit and baseline alternate in short slices (S B, B S, S B, …), so both are measured
        # on the same machine: a shared 2-core host speeds up and slows down by a third within
        # minutes, and two phases one after the other gave ratios from 0.19 to 0.27.
        rounds = int(os.environ.get("BENCH_ROUNDS", "3" if quick else "6"))
        stats = {op: Stats() for op in ("submit", "baseline")}
        spent = dict.fromkeys(stats, 0.0)
        cpu = {op: {"web": 0.0, "queue": 0.0, "database": 0.0} for op in stats}
        counter, backlog = [10**6], 0
        for r in range(rounds):
            for op in ("submit", "baseline") if r % 2 == 0 else ("baseline", "submit"):
                # Each slice starts from a quiet queue: the work a submit slice leaves to the
                # queue worker would otherwise eat into the next slice's share of the machine.
                backlog = max(backlog, _wait_for_queue())
                t0, cpu0 = time.monotonic(), _cpu_seconds()
                asyncio.run(
                    _only(
                        port,
                        customers[:16],
                        places,
                        stats[op],
                        time.monotonic() + phase_s / rounds,
                        op,
                        counter,
                    )
                )
                spent[op] += time.monotonic() - t0
                for part, seconds in _cpu_used(cpu0, _cpu_seconds()).items():
                    cpu[op][part] += seconds
        emit("interleaved: largest outbox backlog at a slice's start", backlog, "messages")
        results = {op: stats[op].summary(op, spent[op]) for op in stats}
        for op in stats:  # where a request's CPU goes
            n = max(results[op]["count"], 1)
            for part, seconds in cpu[op].items():
                emit(f"{op}: CPU per request, {part}", seconds / n * 1000, "ms")
        sub, base = results["submit"], results["baseline"]
        emit(
            "submit throughput, 16 clients (full submission)",
            sub["throughput"],
            "req/s",
            baseline=base["throughput"],
            errors=sub["errors"],
            rounds=rounds,
            goal="≥ 150 req/s; ≥ 30 % of baseline first, 50 % real",
        )
        emit(
            "submit p99 latency, 16 clients",
            sub["p99_ms"],
            "ms",
            baseline=base["p99_ms"],
            goal="< 250 ms",
        )
        emit("submit p50 latency, 16 clients", sub["p50_ms"], "ms", baseline=base["p50_ms"])
        emit(
            "baseline insert throughput, 16 clients",
            base["throughput"],
            "req/s",
            errors=base["errors"],
        )
    finally:
        server.stop()
