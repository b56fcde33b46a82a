from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Old-community retrofit"),
        "retrofit:list",
        caps=(Cap.RETROFIT_VIEW,),
        order=500,
        icon="🏘",
    ),
    NavItem(
        _("Retrofit issue log"),
        "retrofit:issue_board",
        caps=(Cap.RETROFIT_VIEW,),
        order=501,
        icon="⚠",
    ),
    NavItem(
        _("Retrofit summary"),
        "retrofit:summary",
        caps=(Cap.RETROFIT_VIEW,),
        order=502,
        icon="📊",
    ),
]
