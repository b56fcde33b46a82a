from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(_("Indicators"), "reports:home", caps=("reports.view",), order=50, icon="▦"),
]
