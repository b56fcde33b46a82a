from django.utils.translation import gettext_lazy as _

from tongqi.accounts.choices import Role
from tongqi.accounts.roles import SECOND_FACTOR_ROLES
from tongqi.web.nav import NavItem

ALL_ROLES = tuple(Role.values)
TOKEN_ROLES = tuple(r for r in Role.values if r not in SECOND_FACTOR_ROLES)

ITEMS = [
    NavItem(_("Notifications"), "integration:notifications", roles=ALL_ROLES, order=880, icon="🔔"),
    NavItem(_("API tokens"), "integration:tokens", roles=TOKEN_ROLES, order=885, icon="🔑"),
    NavItem(
        _("Portal API clients"),
        "admin:integration_apiclient_changelist",
        caps=("config.manage",),
        section="config",
        order=910,
        icon="🔌",
    ),
    NavItem(
        _("Dead letters"),
        "admin:integration_deadletter_changelist",
        caps=("config.manage",),
        section="config",
        order=911,
        icon="📮",
    ),
]
