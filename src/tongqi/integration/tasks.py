"""Background handlers of the integration app: delivering notifications and status pushes
(``webhook.deliver``, registered in push.py), purging nonces and expired idempotency keys."""

from __future__ import annotations

from datetime import timedelta

from . import idempotency, outbox, push, signatures  # noqa: F401 - push registers its handler
from .backends import Message, backend_for
from .choices import Channel
from .models import Notification


def _address(user, channel: str) -> str:
    if channel == Channel.SMS:
        return user.mobile
    if channel == Channel.EMAIL:
        return user.email
    if channel == Channel.WECHAT:
        return getattr(user, "wechat_openid", "") or user.mobile
    return user.username


def _send(msg, n: Notification | None) -> None:
    channel = msg.payload.get("channel", "")
    if n is None:
        raise outbox.PermanentError("notification no longer exists")
    to = _address(n.user, channel)
    if not to:
        return  # nobody to reach on this channel: nothing to retry
    backend_for(channel).send(
        Message(
            channel=channel,
            to=to,
            title=n.title,
            body=n.body,
            link=n.link,
            delivery_id=str(msg.delivery_id),
        )
    )


def _notification_id(msg) -> int | None:
    try:
        return int(msg.payload.get("notification"))
    except (TypeError, ValueError):
        return None


def _deliver(msg) -> None:
    pk = _notification_id(msg)
    n = Notification.objects.select_related("user").filter(pk=pk).first() if pk else None
    _send(msg, n)


def _deliver_many(msgs) -> dict:
    """A claimed batch of deliveries: one read of their notifications, then each sent on its
    own; a failure is that message's alone (retried or dead-lettered without the others)."""
    ids = {pk for pk in map(_notification_id, msgs) if pk}
    found = Notification.objects.select_related("user").in_bulk(ids)
    failed = {}
    for msg in msgs:
        pk = _notification_id(msg)
        try:
            _send(msg, found.get(pk) if pk else None)
        except Exception as exc:  # noqa: BLE001 - reported per message to the outbox
            failed[msg.pk] = exc
    return failed


for _channel in (Channel.SMS, Channel.WECHAT, Channel.EMAIL):
    outbox.handler(f"notify.{_channel}", many=_deliver_many)(_deliver)


@outbox.periodic("integration.purge_nonces", every=timedelta(minutes=5))
def purge_nonces(msg) -> None:
    """Nonces older than twice the clock-skew window can no longer be replayed: forget them."""
    signatures.purge_nonces()


@outbox.periodic("integration.purge_idempotency_keys", every=timedelta(hours=1))
def purge_idempotency_keys(msg) -> None:
    """Idempotency keys are kept at least 24 hours, then deleted."""
    idempotency.purge()
