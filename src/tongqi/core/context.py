"""Who is acting, from where: set once per request (or command, or task) and read by the audit log.

Pure Python (a ``ContextVar``), so the lowest layers can read it without importing Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any


@dataclass(frozen=True)
class ActorContext:
    user: Any = None  # a Django user, or None for the system
    ip: str | None = None
    channel: str = "system"  # web, kiosk, counter, api, gov, worker, cli, system


_current: ContextVar[ActorContext] = ContextVar("tongqi_actor", default=ActorContext())  # noqa: B039


def current() -> ActorContext:
    return _current.get()


@contextmanager
def acting(**changes: Any) -> Iterator[ActorContext]:
    """Run a block as someone (``acting(user=u, channel="cli")``); the previous context returns."""
    ctx = replace(_current.get(), **changes)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


def set_current(ctx: ActorContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)
