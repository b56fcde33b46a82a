"""Account actions: creating and disabling users, sessions, password changes, second factor."""

from __future__ import annotations

from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between

from .choices import Role
from .models import OrgUnit, User, UserSession

PII = {"mobile": "mobile"}


def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.CUSTOMER,
    full_name: str = "",
    mobile: str = "",
    org_unit: OrgUnit | None = None,
    email: str = "",
) -> User:
    """Create a user; staff belong to an org unit, customers to none."""
    with transaction.atomic():
        user = User(
            username=username,
            role=role,
            full_name=full_name,
            mobile=mobile,
            org_unit=org_unit,
            email=email,
            is_staff=(role == Role.SYSADMIN),
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=user,
            changes=changes_between(
                None,
                {"role": role, "mobile": mobile, "org_unit": org_unit.pk if org_unit else None},
                pii=PII,
            ),
        )
    return user


def session_register(*, user: User, session_key: str, ip: str | None) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip": ip, "created_at": timezone.now()}
    )


def sessions_end(*, user: User) -> int:
    """End every server-side session of ``user`` (logout everywhere, disabling)."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def user_set_active(*, user: User, active: bool, reason: str = "") -> User:
    """Enable or disable an account; disabling ends its sessions at once."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        before = locked.is_active
        locked.is_active = active
        locked.save(update_fields=["is_active"])
        if not active:
            sessions_end(user=locked)
        audit_record(
            action=AuditAction.SECURITY,
            obj=locked,
            reason=reason,
            changes={"is_active": [before, active]},
        )
    return locked


def password_changed(*, user: User) -> None:
    """Record a password change (rotation clock for the 等保 profile)."""
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    audit_record(action=AuditAction.SECURITY, obj=user, changes={"password": ["***", "***"]})
