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


def _deliver(msg) -> None:
    channel = msg.payload.get("channel", "")
    n = (
        Notification.objects.select_related("user")
        .filter(pk=msg.payload.get("notification"))
        .first()
    )
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


for _channel in (Channel.SMS, Channel.WECHAT, Channel.EMAIL):
    outbox.handler(f"notify.{_channel}")(_deliver)


@outbox.periodic("integration.purge_nonces", every=timedelta(minutes=5))
def purge_nonces(msg) -> None:
    """Nonces older than twice the clock-skew window can no longer be replayed: forget them."""
    signatures.purge_nonces()


@outbox.periodic("integration.purge_idempotency_keys", every=timedelta(hours=1))
def purge_idempotency_keys(msg) -> None:
    """Idempotency keys are kept at least 24 hours, then deleted."""
    idempotency.purge()
