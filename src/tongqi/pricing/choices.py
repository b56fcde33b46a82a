"""Vocabularies of packages, quotes, contractors and receivables (labels translated)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuoteKind(models.TextChoices):
    """A quote is built from a standard package (定型套餐) or itemised for a custom plan."""

    PACKAGE = "package", _("Standard package")
    CUSTOM = "custom", _("Custom plan (itemised)")


class QuoteStatus(models.TextChoices):
    """A quote version: drafted, issued to the customer, confirmed, or replaced by a newer one."""

    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Awaiting the customer's confirmation")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    SUPERSEDED = "superseded", _("Replaced by a newer version")


QUOTE_STATUS_COLOUR = {
    QuoteStatus.DRAFT: "grey",
    QuoteStatus.ISSUED: "amber",
    QuoteStatus.CONFIRMED: "green",
    QuoteStatus.SUPERSEDED: "grey",
}


class Section(models.TextChoices):
    """Where the works are: the customer's side of the red line, or the utility's side."""

    CUSTOMER = "customer", _("Customer works (inside the red line)")
    GAS_SOURCE = "gas_source", _("Gas-source works (outside the red line, zero fee)")


class LineKind(models.TextChoices):
    PACKAGE_BASE = "package_base", _("Package base price")
    PACKAGE_EXTRA = "package_extra", _("Extra units (N)")
    GAS_SOURCE = "gas_source", _("Gas-source pipe (utility-funded)")
    ITEM = "item", _("Item")


class ContractorRole(models.TextChoices):
    """The three units a customer chooses freely for its in-red-line works."""

    DESIGNER = "designer", _("Designer")
    BUILDER = "builder", _("Builder")
    SUPERVISOR = "supervisor", _("Supervisor")


class ReceivableStatus(models.TextChoices):
    """先通气、后缴费: what the customer owes after gas-on."""

    OPEN = "open", _("Unpaid")
    PARTIAL = "partial", _("Partly paid")
    PAID = "paid", _("Paid in full")


RECEIVABLE_STATUS_COLOUR = {
    ReceivableStatus.OPEN: "blue",
    ReceivableStatus.PARTIAL: "amber",
    ReceivableStatus.PAID: "green",
}


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card (POS)")
    CASH = "cash", _("Cash at a service counter")
    CHEQUE = "cheque", _("Cheque")
