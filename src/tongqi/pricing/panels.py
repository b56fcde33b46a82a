"""The sections the pricing app adds to an application's page (applications/panels.py):

* staff — "方案报价": the quote builder link, the quote versions, 零审批, the contractors the
  customer chose, the receivable, the documents;
* customer — "报价与文件": the quote to confirm, its drawings, the contractor choice, what is
  owed after gas-on, the documents to download.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Status
from tongqi.applications.panels import Panel, register

from . import selectors
from .choices import QUOTE_STATUS_COLOUR, RECEIVABLE_STATUS_COLOUR, QuoteStatus
from .models import Receivable
from .services.common import may_act_for_customer, may_quote
from .services.contractors import CHOOSABLE
from .services.quotes import QUOTABLE

HIDDEN = frozenset({Status.DRAFT})


def _documents(application, quote) -> dict:
    return {
        "quote": quote,
        "rights": bool(application.number),
        "gas_on": application.status == Status.GAS_ON,
    }


def _receivable(application):
    return Receivable.objects.filter(application=application).first()


def staff_context(request, application) -> dict | None:
    user = request.user
    if application.status in HIDDEN or not user.can(Cap.APP_VIEW):
        return None
    versions = selectors.versions(application)
    current = next(
        (q for q in versions if q.status in (QuoteStatus.ISSUED, QuoteStatus.CONFIRMED)), None
    )
    draft = next((q for q in versions if q.status == QuoteStatus.DRAFT), None)
    can_quote = may_quote(user, application)
    return {
        "app": application,
        "viewer": user,
        "versions": versions,
        "current": current,
        "draft": draft,
        "can_build": can_quote and application.status in QUOTABLE,
        "can_choose": can_quote and application.status in CHOOSABLE,
        "choices": selectors.choice_rows(application),
        "receivable": _receivable(application),
        "can_receivables": user.can(Cap.RECEIVABLE_MANAGE),
        "documents": _documents(application, current),
        "colours": QUOTE_STATUS_COLOUR,
        "rec_colours": RECEIVABLE_STATUS_COLOUR,
    }


def customer_context(request, application) -> dict | None:
    if application.status in HIDDEN:
        return None
    user = request.user
    current = selectors.current_quote(application)
    return {
        "app": application,
        "viewer": user,
        "current": current,
        "drawings": list(current.drawings.all()) if current else [],
        "to_confirm": current is not None
        and current.status == QuoteStatus.ISSUED
        and may_act_for_customer(user, application),
        "can_choose": application.status in CHOOSABLE and may_act_for_customer(user, application),
        "choices": selectors.choice_rows(application),
        "receivable": _receivable(application),
        "documents": _documents(application, current),
        "colours": QUOTE_STATUS_COLOUR,
        "rec_colours": RECEIVABLE_STATUS_COLOUR,
    }


register(
    Panel(
        key="pricing.quote",
        label=_("Plan and quote"),
        template="pricing/_panel_staff.html",
        context=staff_context,
        order=40,
        staff=True,
        customer=False,
    )
)
register(
    Panel(
        key="pricing.customer",
        label=_("Quote and documents"),
        template="pricing/_panel_customer.html",
        context=customer_context,
        order=40,
        staff=False,
        customer=True,
    )
)
