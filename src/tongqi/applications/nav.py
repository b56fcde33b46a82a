from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("My applications"),
        "applications:portal_home",
        caps=("portal.use",),
        section="portal",
        order=10,
        icon="⌂",
    ),
    NavItem(
        _("Apply for gas"),
        "applications:portal_apply",
        caps=("portal.use",),
        section="portal",
        order=11,
        icon="✎",
    ),
    NavItem(
        _("Applications"),
        "applications:workbench",
        caps=("application.view",),
        section="work",
        order=10,
        icon="▤",
    ),
    NavItem(
        _("Service counter"),
        "applications:counter",
        caps=("application.counter_entry",),
        section="work",
        order=11,
        icon="⌨",
    ),
]
