from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Engineering workbench"), "works:workbench", caps=(Cap.WORKS_MANAGE,), order=300, icon="🛠"
    ),
    NavItem(_("Gas-source projects"), "works:list", caps=(Cap.WORKS_VIEW,), order=310, icon="🔧"),
    NavItem(
        _("Municipal gas-source project report"),
        "works:report",
        caps=(Cap.WORKS_VIEW,),
        order=320,
        icon="📋",
    ),
    NavItem(_("Demand planning"), "works:planning", caps=(Cap.WORKS_VIEW,), order=330, icon="🗺"),
]
