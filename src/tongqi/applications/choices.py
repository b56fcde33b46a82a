"""Stages, channels, categories and the other fixed vocabularies of an application."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Internal stages (SPEC §2). The customer sees two steps; see ``CUSTOMER_STEP``."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    SURVEYED = "surveyed", _("Surveyed, plan in preparation")
    QUOTED = "quoted", _("Plan and quote awaiting confirmation")
    CONFIRMED = "confirmed", _("Plan and quote confirmed, works under way")
    ACCEPTANCE_REQUESTED = "acceptance_requested", _("Acceptance requested")
    RECTIFYING = "rectifying", _("Rectification after acceptance")
    GAS_ON = "gas_on", _("Gas on")
    REJECTED = "rejected", _("Not accepted")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.SURVEYED,
        Status.QUOTED,
        Status.CONFIRMED,
        Status.ACCEPTANCE_REQUESTED,
        Status.RECTIFYING,
    }
)
CLOCK_RUNNING_STATUSES = OPEN_STATUSES - {Status.SUBMITTED}
FINAL_STATUSES = frozenset({Status.GAS_ON, Status.REJECTED, Status.CANCELLED})

STATUS_COLOUR = {
    Status.DRAFT: "grey",
    Status.SUBMITTED: "blue",
    Status.ACCEPTED: "blue",
    Status.SURVEYED: "blue",
    Status.QUOTED: "amber",
    Status.CONFIRMED: "blue",
    Status.ACCEPTANCE_REQUESTED: "blue",
    Status.RECTIFYING: "amber",
    Status.GAS_ON: "green",
    Status.REJECTED: "red",
    Status.CANCELLED: "grey",
}


class CustomerStep(models.IntegerChoices):
    """The two steps the customer sees (用气申请 → 验收通气)."""

    APPLICATION = 1, _("Application")
    ACCEPTANCE_GAS_ON = 2, _("Acceptance and gas-on")


CUSTOMER_STEP = {
    Status.DRAFT: CustomerStep.APPLICATION,
    Status.SUBMITTED: CustomerStep.APPLICATION,
    Status.ACCEPTED: CustomerStep.APPLICATION,
    Status.SURVEYED: CustomerStep.APPLICATION,
    Status.QUOTED: CustomerStep.APPLICATION,
    Status.CONFIRMED: CustomerStep.APPLICATION,
    Status.ACCEPTANCE_REQUESTED: CustomerStep.ACCEPTANCE_GAS_ON,
    Status.RECTIFYING: CustomerStep.ACCEPTANCE_GAS_ON,
    Status.GAS_ON: CustomerStep.ACCEPTANCE_GAS_ON,
    Status.REJECTED: CustomerStep.APPLICATION,
    Status.CANCELLED: CustomerStep.APPLICATION,
}


class Channel(models.TextChoices):
    """Front doors (四端同步 + 一网通办). Online = everything but the counter."""

    WEB = "web", _("PC web portal")
    MOBILE = "mobile", _("Mobile (WeChat H5)")
    KIOSK = "kiosk", _("Self-service kiosk")
    COUNTER = "counter", _("Service counter")
    GOV = "gov", _("Government portal (一网通办)")


ONLINE_CHANNELS = frozenset({Channel.WEB, Channel.MOBILE, Channel.KIOSK, Channel.GOV})


class Category(models.TextChoices):
    """Project category: sets the time limit (standard 3, no external works 8, with 16)."""

    STANDARD_PACKAGE = "standard_package", _("Standard package project")
    NO_EXTERNAL_WORKS = "no_external_works", _("Project without external works")
    WITH_EXTERNAL_WORKS = "with_external_works", _("Project with external works")


DEFAULT_LIMIT_DAYS = {
    Category.STANDARD_PACKAGE: 3,
    Category.NO_EXTERNAL_WORKS: 8,
    Category.WITH_EXTERNAL_WORKS: 16,
}


class UsageType(models.TextChoices):
    RESTAURANT = "restaurant", _("Restaurant / catering")
    CANTEEN = "canteen", _("Canteen")
    HOTEL = "hotel", _("Hotel")
    BAKERY = "bakery", _("Bakery / food processing")
    BOILER = "boiler", _("Boiler / heating")
    INDUSTRIAL = "industrial", _("Industrial process")
    COMMERCIAL = "commercial", _("Other commercial")


class CoordSystem(models.TextChoices):
    WGS84 = "wgs84", _("WGS-84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (Chinese map services)")


class AttachmentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("Signed application form")
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    SITE_PLAN = "site_plan", _("Site plan / floor plan")
    PROPERTY_PROOF = "property_proof", _("Proof of property or lease")
    ID_COPY = "id_copy", _("ID of the legal representative")
    OTHER = "other", _("Other")


class VisitKind(models.TextChoices):
    """In-person contacts. Only the customer's trips to an office count against 零上门."""

    COUNTER = "counter", _("Customer came to a service counter")
    SITE = "site", _("Staff visited the customer's site")
    COURIER = "courier", _("Documents exchanged by courier")


CUSTOMER_TRIP_KINDS = frozenset({VisitKind.COUNTER})


class CommitmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    WAIVED = "waived", _("Waived")
