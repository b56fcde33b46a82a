from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.web.nav import NavItem

ITEMS = [
    NavItem(
        _("Pricing home"),
        "pricing:home",
        caps=(Cap.PRICING_MANAGE, Cap.RECEIVABLE_MANAGE),
        section="work",
        order=300,
    ),
    NavItem(
        _("Quotes"),
        "pricing:quotes",
        caps=(Cap.QUOTE_MANAGE, Cap.RECEIVABLE_MANAGE),
        section="work",
        order=310,
    ),
    NavItem(
        _("Receivables"),
        "pricing:receivables",
        caps=(Cap.RECEIVABLE_MANAGE,),
        section="work",
        order=320,
    ),
    NavItem(
        _("Standard packages"),
        "pricing:packages",
        caps=(Cap.PRICING_MANAGE,),
        section="manage",
        order=330,
    ),
    NavItem(
        _("Price lists"),
        "pricing:price_lists",
        caps=(Cap.PRICING_MANAGE,),
        section="manage",
        order=331,
    ),
    NavItem(
        _("Policies"),
        "pricing:policies",
        caps=(Cap.PRICING_MANAGE,),
        section="manage",
        order=332,
    ),
    NavItem(
        _("Contractors"),
        "pricing:contractors",
        caps=(Cap.PRICING_MANAGE,),
        section="manage",
        order=333,
    ),
]
