"""Roles, org-unit kinds and their labels (TextChoices with Chinese labels via gettext)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The people of SPEC section 1. One role per account keeps separation of duties simple."""

    CUSTOMER = "customer", _("Customer (enterprise applicant)")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    ENGINEER = "engineer", _("Engineering staff")
    COUNTER_CLERK = "counter_clerk", _("Counter clerk")
    SERVICE_MANAGER = "service_manager", _("Service management")
    MARKETING = "marketing", _("Marketing")
    METER_READER = "meter_reader", _("Meter reader")
    SAFETY_INSPECTOR = "safety_inspector", _("Safety inspector")
    LEADER = "leader", _("Manager / leader")
    SYSADMIN = "sysadmin", _("System administrator")
    AUDITOR = "auditor", _("Security auditor")


class UnitKind(models.TextChoices):
    """Levels of the organisation tree: company → subsidiary → department / grid."""

    COMPANY = "company", _("Company")
    SUBSIDIARY = "subsidiary", _("Subsidiary / region")
    DEPARTMENT = "department", _("Department")
    GRID = "grid", _("Grid")


class DistrictKind(models.TextChoices):
    DISTRICT = "district", _("Administrative district")
    FUNCTIONAL_ZONE = "functional_zone", _("Functional zone")
