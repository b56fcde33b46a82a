"""Fixtures of the integration tests: a portal client, request signing, a local HTTP receiver."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache

from tongqi.core import signing
from tongqi.integration import services
from tongqi.integration.choices import SignatureAlgorithm

VECTOR_APP_KEY = "tq-demo-portal"
VECTOR_SECRET = "demo-secret-0123456789abcdef"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def portal(db, people):
    """The demo portal client (app key and secret of the guide's worked example)."""
    client, secret = services.api_client_create(
        name="一网通办测试",
        actor=people.sysadmin,
        app_key=VECTOR_APP_KEY,
        secret=VECTOR_SECRET,
        algorithm=SignatureAlgorithm.HMAC_SHA256,
    )
    assert secret == VECTOR_SECRET
    return client


def signed_headers(
    *,
    method: str,
    path: str,
    query=None,
    body: bytes = b"",
    app_key: str = VECTOR_APP_KEY,
    secret: str = VECTOR_SECRET,
    algorithm: str = "HMAC-SHA256",
    timestamp: str | None = None,
    nonce: str | None = None,
    send_method: bool = True,
) -> dict:
    """Django test-client keyword headers of a correctly signed request."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex
    sig = signing.sign_request(
        secret=secret,
        method=method,
        path=path,
        query=query,
        timestamp=timestamp,
        nonce=nonce,
        body=body,
        algorithm=algorithm,
    )
    headers = {
        "HTTP_X_TQ_APPKEY": app_key,
        "HTTP_X_TQ_TIMESTAMP": timestamp,
        "HTTP_X_TQ_NONCE": nonce,
        "HTTP_X_TQ_SIGNATURE": sig,
    }
    if send_method:
        headers["HTTP_X_TQ_SIGNATURE_METHOD"] = algorithm
    return headers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies signatures and drops duplicate deliveries."""

    port: int
    secret: str = VECTOR_SECRET
    status: int = 200
    hits: list = field(default_factory=list)  # every POST: (delivery id, verified?)
    seen: dict = field(default_factory=dict)  # delivery id -> body, deduplicated
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/tongqi/callback?from=tq"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                path, _, query = self.path.partition("?")
                ok = True
                try:
                    signing.verify_request(
                        secret=receiver.secret,
                        method="POST",
                        path=path,
                        query=[tuple(p.split("=", 1)) for p in query.split("&") if p],
                        timestamp=self.headers.get("X-TQ-Timestamp", ""),
                        nonce=self.headers.get("X-TQ-Nonce", ""),
                        body=body,
                        signature=self.headers.get("X-TQ-Signature", ""),
                        now=__import__("datetime").datetime.now(__import__("datetime").UTC),
                        algorithm=self.headers.get("X-TQ-Signature-Method", "HMAC-SHA256"),
                    )
                except signing.SignatureRejected:
                    ok = False
                delivery = self.headers.get("X-TQ-Delivery", "")
                receiver.hits.append(
                    (delivery, ok, {k.lower(): v for k, v in self.headers.items()})
                )
                status = receiver.status if ok else 401
                if status == 200 and delivery not in receiver.seen:
                    receiver.seen[delivery] = json.loads(body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver():
    r = Receiver(port=free_port())
    r.start()
    yield r
    r.stop()


@pytest.fixture
def down_receiver():
    """A receiver whose port is reserved but not listening yet (connection refused)."""
    r = Receiver(port=free_port())
    yield r
    r.stop()
