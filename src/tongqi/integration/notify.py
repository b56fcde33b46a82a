"""Sending notifications: in-app rows at once, other channels through the outbox."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from .choices import Channel
from .models import Notification, NotificationPreference, OutboxMessage

DEFAULT_CHANNELS = (Channel.INAPP, Channel.SMS)


@dataclass(frozen=True)
class Notice:
    """One message to some users (see ``notify``)."""

    users: Iterable
    title: str
    body: str = ""
    link: str = ""
    topic: str = ""
    channels: Sequence[str] = DEFAULT_CHANNELS
    dedupe_key: str | None = None


def notify(
    *,
    users: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    topic: str = "",
    channels: Sequence[str] = DEFAULT_CHANNELS,
    dedupe_key: str | None = None,
) -> list[Notification]:
    """Notify users on the given channels, inside the caller's transaction.

    Text is rendered by the caller (in the recipient's language, Chinese by default). The in-app
    message is always written; SMS, WeChat and e-mail only where the user has not switched the
    channel off (NotificationPreference). ``dedupe_key`` makes the other channels' sending
    idempotent: a second call with the same key queues nothing more.
    """
    return notify_many([Notice(users, title, body, link, topic, channels, dedupe_key)])


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """``notify`` for several messages at once: one read of the preferences, one insert of the
    in-app messages and one of the other channels' deliveries, however many there are."""
    addressed = [(n, {u.pk: u for u in n.users if u is not None}) for n in notices]
    user_ids = {pk for _n, recipients in addressed for pk in recipients}
    if not user_ids:
        return []
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=user_ids)}
    now = timezone.now()
    rows, wanted_by_row = [], []
    for notice, recipients in addressed:
        for user in recipients.values():
            pref = prefs.get(user.pk)
            wanted = [c for c in notice.channels if pref is None or pref.allows(c)]
            rows.append(
                Notification(
                    user=user,
                    title=notice.title[:200],
                    body=notice.body,
                    link=notice.link,
                    channels=wanted,
                    topic=notice.topic,
                    created_at=now,
                )
            )
            wanted_by_row.append((notice.dedupe_key, wanted))
    created = Notification.objects.bulk_create(rows)
    deliveries = [
        OutboxMessage(
            kind=f"notify.{channel}",
            payload={"notification": n.pk, "channel": channel},
            dedupe_key=f"{key}:{n.user_id}:{channel}" if key else None,
            max_attempts=10,
            next_attempt_at=now,
        )
        for n, (key, wanted) in zip(created, wanted_by_row, strict=True)
        for channel in wanted
        if channel != Channel.INAPP
    ]
    if deliveries:
        # A delivery whose dedupe key was queued before is dropped, as ``outbox.enqueue`` does.
        OutboxMessage.objects.bulk_create(
            deliveries, ignore_conflicts=any(d.dedupe_key for d in deliveries)
        )
    return created
