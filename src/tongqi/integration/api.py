"""REST operations of the integration app: the user's notifications and licence lookups.

The same selectors and services as the pages (/integration/notifications/, the licence
fragment), so both answer alike.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router, Schema
from pydantic import StrictBool

from tongqi.accounts.roles import Cap
from tongqi.api.errors import errors
from tongqi.api.pagination import LimitOffset, paginate
from tongqi.core.validators import ValidationFailure

from . import selectors, services
from .errors import MESSAGES, ApiError

ROUTER_PREFIX = "/"
router = Router(tags=["Notifications and licence sharing"])

LICENCE_CAPS = (Cap.PORTAL, Cap.APP_COUNTER, Cap.APP_ACCEPT, Cap.APP_VIEW)


class NotificationOut(Schema):
    id: int
    title: str
    body: str
    link: str
    topic: str
    created_at: datetime
    read_at: datetime | None
    unread: bool

    @staticmethod
    def resolve_unread(obj) -> bool:
        return obj.read_at is None


class NotificationFilter(Schema):
    unread: bool = False


class MarkedOut(Schema):
    marked: int


class UnreadOut(Schema):
    unread: int


class PreferencesIO(Schema):
    sms: StrictBool
    wechat: StrictBool
    email: StrictBool


class EnterpriseOut(Schema):
    uscc: str
    name: str
    legal_representative: str
    address: str
    enterprise_type: str
    registered_capital: str
    established_on: date | None
    business_scope: str
    status: str
    source: str


class LicenceOut(Schema):
    status: str  # found | not_found | unavailable
    uscc: str
    enterprise: EnterpriseOut | None


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **errors()},
    summary="My notifications",
)
@paginate(LimitOffset)
def notification_list(request, filters: Query[NotificationFilter]):
    """The caller's in-app notifications, newest first (``?unread=true`` for unread only)."""
    return selectors.notifications_for(user=request.auth, unread_only=filters.unread)


@router.get(
    "/notifications/unread-count", response={200: UnreadOut, **errors()}, summary="Unread count"
)
def notification_unread_count(request):
    return {"unread": selectors.unread_count(request.auth)}


@router.post(
    "/notifications/read-all", response={200: MarkedOut, **errors()}, summary="Mark all read"
)
def notification_read_all(request):
    return {"marked": services.notification_mark_read(user=request.auth)}


@router.post(
    "/notifications/{notification_id}/read",
    response={200: MarkedOut, **errors(404)},
    summary="Mark one read",
)
def notification_read(request, notification_id: int):
    """Another user's notification is a 404, as if it did not exist."""
    n = get_object_or_404(
        selectors.notifications_for(user=request.auth), pk=min(notification_id, 2**62)
    )
    return {"marked": services.notification_mark_read(user=request.auth, ids=[n.pk])}


@router.get(
    "/notifications/preferences",
    response={200: PreferencesIO, **errors()},
    summary="My notification channels",
)
def notification_preferences(request):
    pref = selectors.notification_preferences(request.auth)
    return {"sms": pref.sms, "wechat": pref.wechat, "email": pref.email}


@router.put(
    "/notifications/preferences",
    response={200: PreferencesIO, **errors()},
    summary="Choose my notification channels",
)
def notification_preferences_set(request, payload: PreferencesIO):
    """In-app messages always arrive; SMS, WeChat and e-mail can each be switched off."""
    pref = services.notification_preferences_set(user=request.auth, **payload.dict())
    return {"sms": pref.sms, "wechat": pref.wechat, "email": pref.email}


@router.get(
    "/licence/{uscc}",
    response={200: LicenceOut, **errors()},
    summary="Look an enterprise up by USCC (证照共享)",
)
def licence_lookup(
    request,
    uscc: str = Path(
        ...,
        min_length=18,
        max_length=18,
        pattern="^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$",
        description="统一社会信用代码 (GB 32100-2015), 18 characters with a valid check character.",
    ),
):
    """Enterprise data from licence sharing to prefill an application. ``status`` is
    ``found``, ``not_found`` or ``unavailable`` (the service is down: let the user type the
    data); a malformed code is a 422 ``uscc_invalid``."""
    if not any(request.auth.can(c) for c in LICENCE_CAPS):
        raise PermissionDenied
    try:
        answer = selectors.licence_lookup(uscc)
    except ValidationFailure:
        raise ApiError("uscc_invalid", fields={"uscc": [MESSAGES["uscc_invalid"]]}) from None
    return answer.as_dict()
