"""A small asyncio HTTP/1.1 load client for loopback benchmarks (keep-alive, low overhead).

It speaks just enough HTTP for our server (Content-Length or chunked bodies), records one
latency sample per request, and never talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field


class Conn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
            self.writer = None

    async def request(
        self, method: str, path: str, *, body: bytes = b"", headers=None, timeout: float = 30.0
    ):
        for attempt in (0, 1):
            if self.writer is None:
                await self.open()
            try:
                return await asyncio.wait_for(
                    self._roundtrip(method, path, body, headers or {}), timeout
                )
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                await self.close()
                if attempt:
                    raise ConnectionError(str(exc)) from None
        raise AssertionError("unreachable")

    async def _roundtrip(self, method, path, body, headers):
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Connection: keep-alive",
            f"Content-Length: {len(body)}",
        ]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        resp_headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            resp_headers[k.strip().lower()] = v.strip()
        if "content-length" in resp_headers:
            data = await self.reader.readexactly(int(resp_headers["content-length"]))
        elif resp_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).strip() or b"0", 16)
                if size == 0:
                    await self.reader.readline()
                    break
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            data = b"".join(chunks)
        else:
            data = await self.reader.read()
            await self.close()
        if resp_headers.get("connection", "").lower() == "close":
            await self.close()
        return status, resp_headers, data


@dataclass
class Stats:
    samples: dict = field(default_factory=lambda: defaultdict(list))  # op -> [seconds]
    statuses: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    errors: dict = field(default_factory=lambda: defaultdict(list))

    def add(self, op: str, seconds: float, status: int, ok: bool, detail: str = ""):
        self.samples[op].append(seconds)
        self.statuses[op][status] += 1
        if not ok:
            self.errors[op].append(f"{status} {detail[:200]}")

    def summary(self, op: str, duration: float) -> dict:
        xs = sorted(self.samples[op])
        if not xs:
            return {"count": 0}

        def pct(p):
            return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] * 1000

        return {
            "count": len(xs),
            "throughput": len(xs) / duration,
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "mean_ms": statistics.fmean(xs) * 1000,
            "errors": len(self.errors[op]),
            "statuses": dict(self.statuses[op]),
        }


async def timed(
    conn: Conn,
    stats: Stats,
    op: str,
    method: str,
    path: str,
    *,
    body=None,
    headers=None,
    ok=(200, 201),
):
    payload = json.dumps(body).encode() if body is not None else b""
    hdrs = (
        {"Content-Type": "application/json", **(headers or {})}
        if body is not None
        else dict(headers or {})
    )
    t0 = time.perf_counter()
    try:
        status, _h, data = await conn.request(method, path, body=payload, headers=hdrs)
    except (TimeoutError, ConnectionError, OSError) as exc:
        stats.add(op, time.perf_counter() - t0, 0, False, f"{type(exc).__name__} {exc}")
        return 0, None
    elapsed = time.perf_counter() - t0
    good = status in ok
    stats.add(op, elapsed, status, good, data.decode("utf-8", "replace") if not good else "")
    try:
        return status, json.loads(data) if data else None
    except ValueError:
        return status, None
