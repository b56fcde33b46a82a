from django.utils.translation import gettext_lazy as _

from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Service supervision"), "service:home", caps=("service.manage",), order=300, icon="☎"
    ),
    NavItem(_("Complaints"), "service:complaints", caps=("service.view",), order=310, icon="✉"),
    NavItem(_("Callbacks"), "service:callbacks", caps=("service.manage",), order=320, icon="↻"),
    NavItem(_("Inspections"), "service:inspections", caps=("service.manage",), order=330, icon="✓"),
    NavItem(_("Action plan"), "service:plan", caps=("service.manage",), order=340, icon="☰"),
    NavItem(_("Service windows"), "service:windows", caps=("service.manage",), order=350, icon="★"),
    NavItem(
        _("Service briefing"),
        "service:briefing",
        caps=("service.manage", "reports.view"),
        order=360,
        icon="▤",
    ),
    NavItem(
        _("My rectifications"),
        "service:rectifications",
        roles=("counter_clerk", "meter_reader", "safety_inspector"),
        order=390,
        icon="✓",
        kwargs={},
    ),
    NavItem(
        _("My complaints"),
        "service:my_complaints",
        caps=("portal.use",),
        section="portal",
        order=60,
        icon="✉",
    ),
]
