from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

from .roles import STAFF_ROLES

ITEMS = [
    NavItem(
        _("Configuration"),
        "admin:index",
        caps=("config.manage",),
        section="config",
        order=900,
    ),
    # Required for administrators and auditors; any staff member may enrol voluntarily.
    NavItem(
        _("Two-step sign-in"),
        "accounts:otp",
        roles=tuple(str(r) for r in STAFF_ROLES),
        section="config",
        order=990,
    ),
]
