"""放开用气工程建设市场: the customer chooses its designer, builder and supervisor freely.

Marketing keeps a directory of units with their qualifications (资质); the utility's own units
are listed like any other and never preselected. A customer may also name a unit that is not in
the directory. An expired qualification is flagged wherever the choice is shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Status
from tongqi.applications.models import Application
from tongqi.applications.validation import clean_uscc
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between

from ..choices import ContractorRole
from ..models import Contractor, ContractorChoice, Qualification
from .common import (
    Forbidden,
    IllegalTransition,
    InvalidInput,
    may_act_for_customer,
    may_quote,
    require,
)

# The customer's own works happen between acceptance and the acceptance visit (and again while
# rectifying), so the choice can be made or changed in those stages.
CHOOSABLE = frozenset(
    {Status.ACCEPTED, Status.SURVEYED, Status.QUOTED, Status.CONFIRMED, Status.RECTIFYING}
)

CONTRACTOR_FIELDS = (
    "name",
    "uscc",
    "contact_name",
    "contact_phone",
    "is_utility",
    "listed",
    "active",
)
QUALIFICATION_FIELDS = ("role", "name", "level", "certificate_number", "valid_until")


def _clean_uscc(value: str, errors: dict, field: str = "uscc") -> str:
    value = (value or "").strip().upper()
    if not value:
        return ""
    try:
        return clean_uscc(value)
    except ValidationError as exc:
        errors[field] = list(exc.messages)
        return value


def contractor_save(*, actor, contractor: Contractor | None = None, **fields) -> Contractor:
    """Add or change a unit of the directory (marketing)."""
    require(actor, Cap.PRICING_MANAGE)
    errors: dict = {}
    if "name" in fields and not (fields["name"] or "").strip():
        errors["name"] = [str(_("Give the unit's name."))]
    if "uscc" in fields:
        fields["uscc"] = _clean_uscc(fields["uscc"], errors)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if contractor is None:
            obj, before = Contractor(created_by=actor), None
        else:
            obj = Contractor.objects.select_for_update().get(pk=contractor.pk)
            before = {f: getattr(obj, f) for f in CONTRACTOR_FIELDS}
        for k, v in fields.items():
            if k not in CONTRACTOR_FIELDS:
                raise TypeError(k)
            setattr(obj, k, v.strip() if isinstance(v, str) else v)
        obj.save()
        audit_record(
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=obj,
            actor=actor,
            changes=changes_between(before, {f: getattr(obj, f) for f in CONTRACTOR_FIELDS}),
        )
    return obj


def _check_qualification(fields: dict, errors: dict) -> None:
    if fields.get("role") not in ContractorRole.values:
        errors["role"] = [str(_("Choose the role this qualification is for."))]
    for f, msg in (
        ("name", _("Give the qualification's name.")),
        ("level", _("Give the qualification's level.")),
        ("certificate_number", _("Give the certificate number.")),
    ):
        if not (fields.get(f) or "").strip():
            errors[f] = [str(msg)]
    if not isinstance(fields.get("valid_until"), date):
        errors["valid_until"] = [str(_("Give the date the certificate is valid until."))]


def qualification_save(
    *, actor, contractor: Contractor, qualification: Qualification | None = None, **fields
) -> Qualification:
    """Record a qualification certificate of a unit (marketing keeps the directory)."""
    require(actor, Cap.PRICING_MANAGE)
    errors: dict = {}
    _check_qualification(fields, errors)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        if qualification is None:
            obj, before = Qualification(contractor=contractor), None
        else:
            obj = Qualification.objects.select_for_update().get(
                pk=qualification.pk, contractor=contractor
            )
            before = {f: getattr(obj, f) for f in QUALIFICATION_FIELDS}
        for k in QUALIFICATION_FIELDS:
            v = fields[k]
            setattr(obj, k, v.strip() if isinstance(v, str) else v)
        obj.save()
        audit_record(
            action=AuditAction.CREATE if before is None else AuditAction.UPDATE,
            obj=obj,
            actor=actor,
            changes=changes_between(before, {f: getattr(obj, f) for f in QUALIFICATION_FIELDS}),
        )
    return obj


@dataclass(frozen=True)
class NewContractor:
    """A unit the customer names that is not in the directory."""

    name: str
    qualification_name: str
    level: str
    certificate_number: str
    valid_until: date | None
    uscc: str = ""
    contact_phone: str = ""


def contractor_choose(
    *,
    application: Application,
    actor,
    role: str,
    qualification: Qualification | None = None,
    new: NewContractor | None = None,
) -> ContractorChoice:
    """Record the customer's choice for one role (its own, or by its account manager on its
    behalf). Returns the choice; ``choice.qualification.expired`` flags an expired certificate."""
    if not (may_act_for_customer(actor, application) or may_quote(actor, application)):
        raise Forbidden()
    if role not in ContractorRole.values:
        raise InvalidInput(fields={"role": [str(_("Choose a role."))]})
    if (qualification is None) == (new is None):
        raise InvalidInput(
            fields={"qualification": [str(_("Choose a unit from the list or name another one."))]}
        )
    errors: dict = {}
    if qualification is not None:
        if (
            qualification.role != role
            or not qualification.contractor.active
            or not qualification.contractor.listed
        ):
            errors["qualification"] = [
                str(_("This unit is not listed with a qualification for this role."))
            ]
    else:
        fields = {
            "role": role,
            "name": new.qualification_name,
            "level": new.level,
            "certificate_number": new.certificate_number,
            "valid_until": new.valid_until,
        }
        _check_qualification(fields, errors)
        if not (new.name or "").strip():
            errors["contractor_name"] = [str(_("Give the unit's name."))]
        uscc = _clean_uscc(new.uscc, errors)
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        if app.status not in CHOOSABLE:
            raise IllegalTransition(
                _("Contractors are chosen between acceptance and the acceptance visit.")
            )
        if new is not None:
            unit = Contractor.objects.create(
                name=new.name.strip()[:200],
                uscc=uscc,
                contact_phone=(new.contact_phone or "").strip()[:20],
                listed=False,  # named by this customer: not offered to others
                created_by=actor,
            )
            qualification = Qualification.objects.create(
                contractor=unit,
                role=role,
                name=new.qualification_name.strip()[:100],
                level=new.level.strip()[:20],
                certificate_number=new.certificate_number.strip()[:60],
                valid_until=new.valid_until,
            )
        old = ContractorChoice.objects.filter(application=app, role=role).first()
        choice, _created = ContractorChoice.objects.update_or_create(
            application=app,
            role=role,
            defaults={
                "contractor": qualification.contractor,
                "qualification": qualification,
                "chosen_by": actor,
                "chosen_at": timezone.now(),
            },
        )
        audit_record(
            action=AuditAction.UPDATE if old else AuditAction.CREATE,
            obj=choice,
            actor=actor,
            changes={
                "role": [None, role],
                "contractor": [old.contractor.name if old else None, qualification.contractor.name],
                "certificate": [None, qualification.certificate_number],
                "expired": [None, qualification.expired],
            },
        )
    return choice
