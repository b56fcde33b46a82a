"""Audit-log entries for authentication events raised by Django and django-axes."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.web.middleware import client_ip


def _username(credentials) -> str:
    return str((credentials or {}).get("username", ""))[:150]


@receiver(user_login_failed, dispatch_uid="tongqi_login_failed")
def on_login_failed(sender, credentials=None, request=None, **kwargs):
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        object_type="accounts.user",
        object_repr=_username(credentials),
        ip=client_ip(request) if request else None,
    )


@receiver(user_locked_out, dispatch_uid="tongqi_locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    audit_record(
        action=AuditAction.LOCKOUT,
        object_type="accounts.user",
        object_repr=str(username or "")[:150],
        ip=ip_address,
        reason="repeated failed sign-ins",
    )
