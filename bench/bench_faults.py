"""Faults: submissions under kill -9 of web and queue workers and a PostgreSQL restart.

Not a test and not part of ``bench/run`` without a name: ``bench/run faults``. On loopback only:

- a production-like server (gunicorn, several gthread workers, PostgreSQL) and two queue workers
  (``tongqi worker --id faults-qN``) that this benchmark supervises like systemd would: a killed
  queue worker is started again after a short pause; gunicorn's master respawns its own workers;
- a stand-alone status-push subscription to every topic and the SMS gateway both pointing at a
  small HTTP sink on loopback that records every delivery id it receives;
- API-token customers submitting applications, each with its own ``Idempotency-Key`` and its own
  enterprise (USCC), paced over the run; a client retries a connection error, a 5xx, a 429 and a
  409 ``idempotency_key_in_use`` with the same key and body (bounded, with backoff) and gives
  up on anything else;
- a chaos thread that kill -9s a random gunicorn worker or a queue worker at least 30 times, and
  restarts PostgreSQL once in the middle (``pg_ctlcluster <ver> <cluster> restart -m fast``;
  skipped with a message when not root or when BENCH_FAULTS_PG_RESTART=0).

Afterwards it waits (bounded) for the queue to drain and checks in the database and at the sink:
every acknowledged submission exists exactly once with the data sent; no application exists
twice for one key; no half-saved application; every outbox message delivered (none dead, none
stuck), every delivery id seen by the sink (duplicates are allowed and counted); every error
answer was JSON with a ``code``; /healthz answers 200 and a new submission succeeds afterwards.

The report is written to bench/results/faults.md and bench/results/faults.jsonl.

Environment: TONGQI_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tongqi_bench;
the database ``<name>_faults`` is dropped and re-created), BENCH_FAULTS_SUBMISSIONS (2000;
--quick 300), BENCH_FAULTS_SECONDS (load duration, 120; --quick 30), BENCH_FAULTS_KILLS (34;
--quick 10), BENCH_FAULTS_CLIENTS (24), BENCH_FAULTS_PG_RESTART (1), BENCH_FAULTS_DRAIN_SECONDS
(240), BENCH_FAULTS_CLIENT_PATIENCE (a client's retries of one submission, 180 s), BENCH_WORKERS / BENCH_THREADS (gunicorn; 4 / 4).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import _django
import bench_submit
from bench_submit import Server, _application, _free_port, _prepare, _uscc
from loadclient import Conn

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
RETRY_STATUSES = {0, 429} | set(range(500, 600))


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


# --- the sink: a portal's callback endpoint and an SMS gateway --------------------------------


class Sink:
    """Records each delivery id it receives (status pushes and SMS), answers 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.webhooks: Counter = Counter()
        self.sms: Counter = Counter()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 - http.server's naming
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    data = json.loads(raw)
                except ValueError:
                    data = {}
                with sink.lock:
                    if self.path.startswith("/sms"):
                        sink.sms[str(data.get("delivery_id", ""))] += 1
                    else:
                        sink.webhooks[self.headers.get("X-TQ-Delivery", "")] += 1
                body = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --- the queue workers' supervisor ----------------------------------------------------------


class QueueWorkers:
    """Keeps ``count`` queue workers running, each with a stable id, like systemd's
    Restart=always with RestartSec=0.5."""

    def __init__(self, env: dict, count: int, log):
        self.env, self.log = env, log
        self.ids = [f"faults-q{i + 1}" for i in range(count)]
        self.procs: dict[str, subprocess.Popen] = {}
        self.restarts = 0
        self.lock = threading.Lock()
        self.stopping = False
        for wid in self.ids:
            self._start(wid)
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _start(self, wid: str):
        self.procs[wid] = subprocess.Popen(
            [sys.executable, "-m", "tongqi", "worker", "--id", wid, "--sleep", "0.5"],
            env=self.env,
            cwd=ROOT,
            stdout=self.log,
            stderr=self.log,
        )

    def _watch(self):
        while not self.stopping:
            with self.lock:
                for wid, proc in list(self.procs.items()):
                    if proc.poll() is not None and not self.stopping:
                        time.sleep(0.5)  # RestartSec
                        self._start(wid)
                        self.restarts += 1
            time.sleep(0.1)

    def kill_one(self) -> str:
        with self.lock:
            wid = random.choice(self.ids)  # noqa: S311 - chaos, not crypto
            proc = self.procs[wid]
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            return wid

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _children(ppid: int) -> list[int]:
    """Process ids whose parent is ``ppid`` (from /proc: no psutil needed)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1] == str(ppid) and fields[0] != "Z":
            found.append(int(entry))
    return found


# --- PostgreSQL restart ---------------------------------------------------------------------


def _pg_restart_command() -> tuple[list[str] | None, str]:
    if os.environ.get("BENCH_FAULTS_PG_RESTART", "1") == "0":
        return None, "disabled by BENCH_FAULTS_PG_RESTART=0"
    if os.environ.get("BENCH_FAULTS_PG_COMMAND"):  # e.g. "sleep 2", to try the chaos logic
        return os.environ["BENCH_FAULTS_PG_COMMAND"].split(), ""
    if os.geteuid() != 0:
        return None, "not root: cannot restart PostgreSQL"
    if not shutil.which("pg_lsclusters") or not shutil.which("pg_ctlcluster"):
        return None, "pg_lsclusters/pg_ctlcluster not found"
    out = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[2] == "5432" and parts[3] == "online":
            return ["pg_ctlcluster", parts[0], parts[1], "restart", "-m", "fast"], ""
    return None, "no online cluster on port 5432"


# --- the clients ----------------------------------------------------------------------------


class OneShot(Conn):
    """One attempt per request (the retry is the client's own, with the same key)."""

    async def request(self, method, path, *, body=b"", headers=None, timeout=30.0):
        if self.writer is None:
            await self.open()
        try:
            return await asyncio.wait_for(
                self._roundtrip(method, path, body, headers or {}), timeout
            )
        except BaseException:
            await self.close()
            raise


class Outcomes:
    def __init__(self):
        self.acked: dict[str, dict] = {}  # key -> {"id", "number", "n", "uscc", "at", ...}
        self.gave_up: dict[str, dict] = {}
        self.sent: dict[str, dict] = {}
        self.answers: Counter = Counter()  # "503 service_unavailable" -> count
        self.malformed: list[str] = []
        self.retries = 0
        self.replayed = 0
        self.ack_times: list[float] = []
        self.ack_latency: list[float] = []  # first attempt -> acknowledgement, seconds


async def _submit_one(port, token, n, place, out: Outcomes, max_wait: float):
    key = uuid.uuid4().hex
    uscc = _uscc(n)
    payload = json.dumps(_application(n, place)).encode()
    out.sent[key] = {"n": n, "uscc": uscc}
    headers = {
        "Authorization": f"Bearer {token}",
        "Idempotency-Key": key,
        "Content-Type": "application/json",
    }
    conn = OneShot("127.0.0.1", port)
    t0 = time.monotonic()
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                status, rh, data = await conn.request(
                    "POST", "/api/v1/applications", body=payload, headers=headers, timeout=30
                )
            except (
                TimeoutError,
                ConnectionError,
                OSError,
                asyncio.IncompleteReadError,
                ValueError,
                IndexError,
            ) as exc:
                status, rh, data = 0, {}, b""
                out.answers[f"connection: {type(exc).__name__}"] += 1
            if status:
                try:
                    body = json.loads(data) if data else None
                except ValueError:
                    body = None
                if status == 201 and isinstance(body, dict) and body.get("id"):
                    if rh.get("idempotent-replayed") == "true":
                        out.replayed += 1
                    out.acked[key] = {
                        "id": body["id"],
                        "number": body.get("number"),
                        "n": n,
                        "uscc": uscc,
                        "attempts": attempt,
                        "echo_uscc": body.get("uscc"),
                    }
                    now = time.monotonic()
                    out.ack_times.append(now)
                    out.ack_latency.append(now - t0)
                    return
                if isinstance(body, dict) and isinstance(body.get("code"), str):
                    out.answers[f"{status} {body['code']}"] += 1
                    code = body["code"]
                else:
                    out.answers[f"{status} (not JSON with a code)"] += 1
                    out.malformed.append(
                        f"{status} {rh.get('content-type', '')} "
                        f"{data[:160].decode('utf-8', 'replace')!r}"
                    )
                    code = ""
                retry = status in RETRY_STATUSES or (
                    status == 409 and code == "idempotency_key_in_use"
                )
                if not retry:
                    out.gave_up[key] = {"n": n, "status": status, "code": code}
                    return
            if time.monotonic() - t0 > max_wait:
                out.gave_up[key] = {"n": n, "status": status, "code": "gave up retrying"}
                return
            out.retries += 1
            await asyncio.sleep(min(0.1 * 2 ** min(attempt, 5), 2.0) * random.uniform(0.5, 1.5))  # noqa: S311
    finally:
        await conn.close()


async def _load(port, tokens, places, total, seconds, clients, out, max_wait):
    t0 = time.monotonic()
    counter = iter(range(total))

    async def client(i):
        token = tokens[i % len(tokens)]
        for idx in counter:
            start_at = t0 + idx * seconds / total  # paced: the load spans the chaos
            delay = start_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            n = 5_000_000 + idx
            await _submit_one(port, token, n, places[idx % len(places)], out, max_wait)

    await asyncio.gather(*(client(i) for i in range(clients)))


def _probe(port, path="/healthz", timeout=10.0) -> int:
    import http.client

    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        c.request("GET", path)
        status = c.getresponse().status
        c.close()
        return status
    except OSError:
        return 0


# --- chaos ----------------------------------------------------------------------------------


class Chaos:
    def __init__(
        self, server: Server, queue: QueueWorkers, seconds: float, kills: int, pg_cmd, port: int
    ):
        self.server, self.queue, self.seconds, self.kills = server, queue, seconds, kills
        self.pg_cmd, self.port = pg_cmd, port
        self.web_kills = 0
        self.queue_kills = 0
        self.pg_restarts = 0
        self.pg = {}
        self.log: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.t0 = time.monotonic()
        self.thread.start()

    def _kill_web(self) -> bool:
        pids = _children(self.server.web.pid)
        if not pids:
            return False
        pid = random.choice(pids)  # noqa: S311
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return False
        self.web_kills += 1
        self.log.append(f"{time.monotonic() - self.t0:6.1f}s kill -9 web worker {pid}")
        return True

    def _restart_pg(self):
        t = time.monotonic()
        res = subprocess.run(self.pg_cmd, capture_output=True, text=True, timeout=120, check=False)
        done = time.monotonic()
        self.pg = {
            "started": t,
            "done": done,
            "rc": res.returncode,
            "stderr": res.stderr.strip()[:300],
        }
        # first /healthz 200 after the restart
        while time.monotonic() - done < 60 and _probe(self.port) != 200:
            time.sleep(0.05)
        self.pg["healthy"] = time.monotonic()
        if res.returncode == 0:
            self.pg_restarts += 1
        self.log.append(
            f"{t - self.t0:6.1f}s {' '.join(self.pg_cmd)} → rc {res.returncode} "
            f"in {done - t:.1f}s; /healthz 200 after {self.pg['healthy'] - t:.1f}s"
        )

    def _run(self):
        pg_at = self.seconds / 2 if self.pg_cmd else None
        interval = self.seconds / (self.kills + 1)
        kinds = ["web"] * (self.kills - self.kills * 2 // 5) + ["queue"] * (self.kills * 2 // 5)
        random.shuffle(kinds)
        for i, kind in enumerate(kinds):
            at = self.t0 + (i + 1) * interval
            while not self.stop.is_set() and time.monotonic() < at:
                if pg_at is not None and time.monotonic() - self.t0 >= pg_at:
                    pg_at = None
                    self._restart_pg()
                time.sleep(0.02)
            if self.stop.is_set():
                return
            if kind == "web":
                if not self._kill_web():  # all workers are being respawned: try later
                    time.sleep(0.5)
                    self._kill_web()
            else:
                wid = self.queue.kill_one()
                self.queue_kills += 1
                self.log.append(f"{time.monotonic() - self.t0:6.1f}s kill -9 queue worker {wid}")
        if pg_at is not None:
            self._restart_pg()


# --- verification ---------------------------------------------------------------------------


def _outbox_open() -> int:
    from tongqi.integration.choices import OutboxStatus
    from tongqi.integration.models import OutboxMessage

    return (
        OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.RUNNING])
        .exclude(kind__startswith="periodic.")
        .count()
    )


def _verify(out: Outcomes, sink: Sink, subscription_id: int) -> dict:
    from django.db.models import Count

    from tongqi.applications.models import Application, ApplicationEvent
    from tongqi.integration.choices import IdempotencyStatus, OutboxStatus
    from tongqi.integration.models import IdempotencyKey, OutboxMessage

    usccs = {v["uscc"]: k for k, v in out.sent.items()}
    apps = defaultdict(list)
    for row in Application.objects.filter(enterprise__uscc__in=list(usccs)).values(
        "id", "number", "status", "enterprise__uscc", "submitted_at"
    ):
        apps[row["enterprise__uscc"]].append(row)
    r: dict = {}
    lost, mismatch = [], []
    for key, ack in out.acked.items():
        rows = apps.get(ack["uscc"], [])
        if not any(a["id"] == ack["id"] for a in rows):
            lost.append(key)
        elif ack["echo_uscc"] != ack["uscc"] or not ack["number"]:
            mismatch.append(key)
    r["lost"] = lost
    r["corrupt_answers"] = mismatch
    r["duplicated"] = [u for u, rows in apps.items() if len(rows) > 1]
    acked_usccs = {a["uscc"] for a in out.acked.values()}
    r["created_not_acknowledged"] = [u for u in apps if u not in acked_usccs]
    ids = [a["id"] for rows in apps.values() for a in rows]
    # half-saved: not submitted, no number, not exactly one submit event, appliances missing
    events = dict(
        ApplicationEvent.objects.filter(application_id__in=ids, action="submit")
        .values_list("application_id")
        .annotate(c=Count("id"))
    )
    appliances = dict(
        Application.objects.filter(id__in=ids)
        .annotate(c=Count("appliances"))
        .values_list("id", "c")
    )
    half = []
    for rows in apps.values():
        for a in rows:
            if (
                a["status"] != "submitted"
                or not a["number"]
                or not a["submitted_at"]
                or events.get(a["id"]) != 1
                or appliances.get(a["id"]) != 2
            ):
                half.append(a["id"])
    r["half_saved"] = half
    # one status push queued per submit event
    submit_events = list(
        ApplicationEvent.objects.filter(application_id__in=ids, action="submit").values_list(
            "pk", flat=True
        )
    )
    keys = {
        f"webhook:{subscription_id}:application.status_changed:application-event-{pk}"
        for pk in submit_events
    }
    queued = set(
        OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    r["push_not_queued"] = len(keys - queued)
    # idempotency keys
    idem = IdempotencyKey.objects.filter(key__in=list(out.sent))
    r["keys_in_progress"] = idem.filter(status=IdempotencyStatus.IN_PROGRESS).count()
    wrong_key = 0
    for k, body in idem.filter(
        status=IdempotencyStatus.COMPLETED, key__in=list(out.acked)
    ).values_list("key", "response_body"):
        try:
            if json.loads(body).get("id") != out.acked[k]["id"]:
                wrong_key += 1
        except ValueError:
            wrong_key += 1
    r["keys_answering_another_application"] = wrong_key
    # outbox
    status_counts = dict(OutboxMessage.objects.values_list("status").annotate(c=Count("id")))
    r["outbox"] = {s: status_counts.get(s, 0) for s in OutboxStatus.values}
    r["outbox_dead"] = list(
        OutboxMessage.objects.filter(status=OutboxStatus.DEAD).values(
            "id", "kind", "attempts", "last_error"
        )[:5]
    )
    r["outbox_open"] = list(
        OutboxMessage.objects.filter(status__in=[OutboxStatus.PENDING, OutboxStatus.RUNNING])
        .exclude(kind__startswith="periodic.")
        .values("id", "kind", "status", "attempts", "locked_by", "locked_until", "next_attempt_at")[
            :5
        ]
    )
    r["outbox_open_count"] = _outbox_open()
    done_push = {
        str(d)
        for d in OutboxMessage.objects.filter(
            kind="webhook.deliver", status=OutboxStatus.DONE
        ).values_list("delivery_id", flat=True)
    }
    done_sms = {
        str(d)
        for d in OutboxMessage.objects.filter(
            kind="notify.sms", status=OutboxStatus.DONE
        ).values_list("delivery_id", flat=True)
    }
    with sink.lock:
        seen_push, seen_sms = Counter(sink.webhooks), Counter(sink.sms)
    r["push_done"] = len(done_push)
    r["sms_done"] = len(done_sms)
    r["push_done_not_seen"] = len(done_push - set(seen_push))
    r["sms_done_not_seen"] = len(done_sms - set(seen_sms))
    r["sink_push_ids"] = len(seen_push)
    r["sink_sms_ids"] = len(seen_sms)
    r["sink_duplicates"] = sum(c - 1 for c in seen_push.values()) + sum(
        c - 1 for c in seen_sms.values()
    )
    r["attempts_max"] = max(OutboxMessage.objects.values_list("attempts", flat=True), default=0)
    lat = [
        (done - created).total_seconds()
        for created, done in OutboxMessage.objects.filter(
            status=OutboxStatus.DONE, kind__in=["webhook.deliver", "notify.sms"]
        ).values_list("created_at", "done_at")
    ]
    r["delivery_latency"] = {p: _pct(lat, p) for p in (50, 99, 100)}
    r["attempts_over_1"] = OutboxMessage.objects.filter(attempts__gt=1).count()
    return r


def _pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else None


def run(emit, args) -> None:  # noqa: C901, PLR0915 - a script, read top to bottom
    quick = args.quick
    total = _env_int("BENCH_FAULTS_SUBMISSIONS", 300 if quick else 2000)
    seconds = float(os.environ.get("BENCH_FAULTS_SECONDS", "30" if quick else "120"))
    kills = _env_int("BENCH_FAULTS_KILLS", 10 if quick else 34)
    clients = _env_int("BENCH_FAULTS_CLIENTS", 24)
    drain_s = float(os.environ.get("BENCH_FAULTS_DRAIN_SECONDS", "240"))
    workers = _env_int("BENCH_WORKERS", 4)
    threads = _env_int("BENCH_THREADS", 4)
    max_wait = float(os.environ.get("BENCH_FAULTS_CLIENT_PATIENCE", "180"))

    os.environ.setdefault(
        "TONGQI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tongqi_bench"
    )
    os.environ["TONGQI_SECRET_KEY"] = bench_submit.SECRET_KEY  # the subscription's secret
    engine = _django.setup("faults")
    if engine != "postgresql":
        raise SystemExit("bench faults needs PostgreSQL (TONGQI_BENCH_DATABASE_URL)")
    from django.db import close_old_connections, connection

    from tongqi.integration import crypto
    from tongqi.integration.choices import SubscriptionScope
    from tongqi.integration.models import Subscription

    customers, _staff, places = _prepare(clients, 1)
    sink = Sink()
    sub = Subscription.objects.create(
        name="faults sink",
        url=f"http://127.0.0.1:{sink.port}/callback",
        topics=["*"],
        scope=SubscriptionScope.ALL,
        secret_encrypted=crypto.encrypt("whsec_faults"),
    )
    pg_cmd, pg_note = _pg_restart_command()
    connection.close()

    data_dir = Path(os.environ["TONGQI_DATA_DIR"])
    log = open(data_dir / "server.log", "ab")  # noqa: SIM115 - closed at the end
    port = _free_port()
    os.environ["BENCH_QUEUE_WORKER"] = "0"  # the queue workers are supervised here
    extra = {"TONGQI_SMS_URL": f"http://127.0.0.1:{sink.port}/sms", "TONGQI_WEBHOOK_TIMEOUT": "5"}
    server = Server(port, workers, threads, extra_env=extra, log=log)
    queue = None
    out = Outcomes()
    try:
        server.wait()
        queue = QueueWorkers(server.env, 2, log)
        emit(
            "setup",
            workers,
            "gunicorn workers",
            threads=threads,
            queue_workers=2,
            submissions=total,
            seconds=seconds,
            planned_kills=kills,
            clients=clients,
            pg_restart=" ".join(pg_cmd) if pg_cmd else f"skipped: {pg_note}",
        )
        if not pg_cmd:
            print(f"# faults: PostgreSQL restart skipped: {pg_note}", file=sys.stderr)
        # warm-up: every web worker imports Django and connects
        for _ in range(workers * 3):
            _probe(port)

        chaos = Chaos(server, queue, seconds, kills, pg_cmd, port)
        t_start = time.monotonic()
        chaos.start()
        asyncio.run(_load(port, customers, places, total, seconds, clients, out, max_wait))
        load_s = time.monotonic() - t_start
        chaos.stop.set()
        chaos.thread.join(timeout=150)

        # recovery: the service answers by itself, a new submission succeeds
        t_rec = time.monotonic()
        healthz = 0
        while time.monotonic() - t_rec < 60 and healthz != 200:
            healthz = _probe(port)
            if healthz != 200:
                time.sleep(0.2)
        healthz_after = time.monotonic() - t_rec
        after = Outcomes()
        asyncio.run(_submit_one(port, customers[0], 9_000_000, places[0], after, 60))
        gunicorn_workers = len(_children(server.web.pid))

        # drain the queue (bounded)
        t_drain = time.monotonic()
        close_old_connections()
        connection.close()
        while time.monotonic() - t_drain < drain_s:
            try:
                if _outbox_open() == 0:
                    break
            except Exception:  # noqa: BLE001 - the database may still be coming back
                connection.close()
            time.sleep(1)
        drain_time = time.monotonic() - t_drain
        time.sleep(1)  # the sink's last requests
        v = _verify(out, sink, sub.pk)
    finally:
        if queue is not None:
            queue.stop()
        server.stop()
        sink.stop()
        log.close()

    answers = dict(sorted(out.answers.items(), key=lambda kv: -kv[1]))
    pg = chaos.pg
    recovery = None
    if pg:
        first_ack = min((t for t in out.ack_times if t > pg["done"]), default=None)
        recovery = {
            "restart_s": pg["done"] - pg["started"],
            "healthz_s": pg["healthy"] - pg["started"],
            "first_ack_s": first_ack - pg["started"] if first_ack else None,
            "rc": pg["rc"],
            "stderr": pg["stderr"],
        }
    figures = []

    def fig(figure, value, unit, **extra):
        figures.append({"figure": figure, "value": value, "unit": unit, **extra})
        emit(figure, value, unit, **extra)

    fig("submissions", total, "count", clients=clients, load_seconds=round(load_s, 1))
    fig(
        "submissions acknowledged",
        len(out.acked),
        "count",
        replayed=out.replayed,
        retries=out.retries,
    )
    fig(
        "submissions lost (acknowledged, not in the database)",
        len(v["lost"]),
        "count",
        must=0,
        sample=v["lost"][:5],
    )
    fig(
        "submissions duplicated (two applications for one key)",
        len(v["duplicated"]),
        "count",
        must=0,
        sample=v["duplicated"][:5],
    )
    fig(
        "answers with wrong data",
        len(v["corrupt_answers"]) + v["keys_answering_another_application"],
        "count",
        must=0,
    )
    fig(
        "half-saved applications", len(v["half_saved"]), "count", must=0, sample=v["half_saved"][:5]
    )
    fig("status pushes not queued for a submission", v["push_not_queued"], "count", must=0)
    fig(
        "clients that gave up",
        len(out.gave_up),
        "count",
        must=0,
        sample=list(out.gave_up.values())[:5],
    )
    fig(
        "created but not acknowledged (client gave up)", len(v["created_not_acknowledged"]), "count"
    )
    fig("idempotency keys left in progress", v["keys_in_progress"], "count", must=0)
    fig("kills: web workers (kill -9)", chaos.web_kills, "count")
    fig(
        "kills: queue workers (kill -9)",
        chaos.queue_kills,
        "count",
        restarted_by_supervisor=queue.restarts,
    )
    fig(
        "PostgreSQL restarts",
        chaos.pg_restarts,
        "count",
        note="" if pg_cmd else f"skipped: {pg_note}",
    )
    if recovery:
        fig(
            "recovery after the PostgreSQL restart: /healthz 200",
            recovery["healthz_s"],
            "s",
            restart_command_s=round(recovery["restart_s"], 2),
        )
        fig(
            "recovery after the PostgreSQL restart: first acknowledged submission",
            recovery["first_ack_s"],
            "s",
        )
    fig("errors seen by clients", sum(out.answers.values()), "count", by_kind=answers)
    fig(
        "error answers not JSON with a code",
        len(out.malformed),
        "count",
        must=0,
        sample=out.malformed[:5],
    )
    fig("time to acknowledgement p50", _pct(out.ack_latency, 50), "s")
    fig("time to acknowledgement p99", _pct(out.ack_latency, 99), "s")
    fig(
        "time to acknowledgement max",
        _pct(out.ack_latency, 100),
        "s",
        attempts_max=max((a["attempts"] for a in out.acked.values()), default=0),
    )
    fig("outbox delivered", v["outbox"].get("done", 0), "count")
    fig(
        "outbox pending or running (not periodic) after the drain",
        v["outbox_open_count"],
        "count",
        must=0,
        drain_seconds=round(drain_time, 1),
        sample=[str(x) for x in v["outbox_open"]],
    )
    fig("delivery latency (commit to delivered) p50", v["delivery_latency"][50], "s")
    fig(
        "delivery latency (commit to delivered) p99",
        v["delivery_latency"][99],
        "s",
        max=v["delivery_latency"][100],
        messages_run_more_than_once=v["attempts_over_1"],
    )
    fig(
        "outbox dead letters",
        v["outbox"].get("dead", 0),
        "count",
        must=0,
        sample=[str(x) for x in v["outbox_dead"]],
    )
    fig(
        "deliveries done but never seen by the sink",
        v["push_done_not_seen"] + v["sms_done_not_seen"],
        "count",
        must=0,
        push_done=v["push_done"],
        sms_done=v["sms_done"],
    )
    fig(
        "sink: distinct delivery ids",
        v["sink_push_ids"] + v["sink_sms_ids"],
        "count",
        push=v["sink_push_ids"],
        sms=v["sink_sms_ids"],
    )
    fig("sink: duplicate deliveries (allowed, dedup by id)", v["sink_duplicates"], "count")
    fig(
        "after the chaos: /healthz",
        healthz,
        "HTTP status",
        must=200,
        within_s=round(healthz_after, 2),
    )
    fig(
        "after the chaos: a new submission acknowledged",
        len(after.acked),
        "count",
        must=1,
        answers=dict(after.answers),
    )
    fig("after the chaos: gunicorn workers alive", gunicorn_workers, "count", must=workers)

    failed = [f["figure"] for f in figures if "must" in f and f["value"] != f["must"]]
    fig("checks failed", len(failed), "count", must=0, which=failed)
    _report(
        figures, chaos.log, failed, engine=engine, workers=workers, threads=threads, pg_note=pg_note
    )


def _report(figures, chaos_log, failed, **setup) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rev = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    with open(RESULTS / "faults.jsonl", "w", encoding="utf-8") as fh:
        for f in figures:
            fh.write(json.dumps({"bench": "faults", **f}, ensure_ascii=False, default=str) + "\n")
    lines = [
        "# Faults: the latest run",
        "",
        f"`bench/run faults` on {stamp}, commit {rev}, {os.cpu_count()} cores, "
        f"gunicorn {setup['workers']} workers × {setup['threads']} threads, 2 queue workers, "
        f"PostgreSQL. The raw figures are in `faults.jsonl`.",
        "",
        f"**Result: {'all checks passed' if not failed else 'FAILED: ' + '; '.join(failed)}.**",
        "",
        "| figure | value | must be |",
        "|---|---:|---:|",
    ]
    for f in figures:
        value = f["value"]
        if isinstance(value, float):
            value = f"{value:.2f}"
        lines.append(
            f"| {f['figure']} {f['unit'] if f['unit'] not in ('count',) else ''} "
            f"| {value} | {f.get('must', '')} |"
        )
    errs = next((f.get("by_kind") for f in figures if f["figure"] == "errors seen by clients"), {})
    lines += ["", "## What the clients saw (besides 201)", ""]
    lines += [f"- {k}: {n}" for k, n in errs.items()] or ["- nothing"]
    lines += ["", "## Chaos log", "", "```", *chaos_log, "```", ""]
    (RESULTS / "faults.md").write_text("\n".join(lines), encoding="utf-8")
