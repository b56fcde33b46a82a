from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Audit log"), "audit:list", caps=("audit.view",), section="manage", order=950, icon="🔍"
    ),
    NavItem(
        _("Chain verification"),
        "audit:verify",
        caps=("audit.view",),
        section="manage",
        order=951,
        icon="🔗",
    ),
]
