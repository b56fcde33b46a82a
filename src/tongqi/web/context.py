"""Template context shared by every page."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .alerts import alerts_for
from .nav import items_for


def navigation(request):
    user = getattr(request, "user", None)
    items = items_for(user) if user is not None and user.is_authenticated else []
    return {
        "nav_items": items,
        "kiosk_mode": request.COOKIES.get("tongqi_kiosk") == "1",
        "company_name": settings.TONGQI_COMPANY_NAME,
        "site_alerts": SimpleLazyObject(lambda: alerts_for(user))
        if user is not None and user.is_authenticated and user.is_staff_member
        else [],
    }
