"""Demo data of the integration app: the government portal's demo client, whose app key and
secret are the worked example of docs/guides/integration.md (demo only: a real client gets a
generated secret), and a welcome message in every demo user's notification centre."""

from __future__ import annotations

from .choices import Channel, SignatureAlgorithm
from .notify import notify
from .services import api_client_create

DEMO_APP_KEY = "tq-demo-portal"
DEMO_SECRET = "demo-secret-0123456789abcdef"  # published in the integration guide


def seed(ctx) -> None:
    admin = ctx.users.get("admin")
    client, _secret = api_client_create(
        name="武汉政务服务网（一网通办）演示",
        actor=admin,
        algorithm=SignatureAlgorithm.HMAC_SHA256,
        contact="政务服务数据管理局 对接人",
        app_key=DEMO_APP_KEY,
        secret=DEMO_SECRET,
    )
    ctx.extra["api_client"] = client
    users = list(ctx.users.values())
    if users:
        notify(
            users=users,
            title="欢迎使用通气获得用气服务平台",
            body="办理进度、提醒和系统消息会显示在这里。可在本页选择是否同时接收短信、微信或邮件。",
            link="/integration/notifications/",
            topic="welcome",
            channels=(Channel.INAPP,),
        )
