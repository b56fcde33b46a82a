from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Working-day calendar"),
        "sla:calendar",
        caps=("calendar.manage",),
        section="config",
        order=890,
        icon="📅",
    ),
]
