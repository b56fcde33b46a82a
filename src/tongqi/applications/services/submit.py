"""Creating applications: the enterprise, the one merged form, attachments, drafts, submission.

The same functions serve the customer portal, the counter (a clerk entering for a walk-in
customer) and the government portal, so the same validation applies at every front door.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record, changes_between
from tongqi.audit.services import deferred as audit_deferred
from tongqi.core.validators import peak_load
from tongqi.sql import Insert, draw_with, drawn_key, write

from .. import routing, validation
from ..choices import AttachmentKind, Channel, CoordSystem, Status, UsageType
from ..models import Appliance, Application, ApplicationEvent, Attachment, Enterprise
from .errors import Forbidden, IllegalTransition, InvalidInput
from .transitions import _sync, atomic, is_owner, transition, whole_unit

# every submission inserts its application (tongqi.sql says why this is written once)
_insert_application = Insert(Application)
_insert_appliances = Insert(Appliance)

PRIVACY_NOTICE_VERSION = "2026-01"
PII = {"contact_mobile": "mobile", "id_number": "id_number"}


@dataclass
class EnterpriseInput:
    name: str
    uscc: str
    legal_representative: str
    contact_name: str
    contact_mobile: str
    id_number: str = ""
    registered_address: str = ""
    licence_source: str = ""


@dataclass
class ApplianceInput:
    name: str
    rated_flow: Decimal | str
    count: int = 1


@dataclass
class ApplicationInput:
    district_code: str
    street: str
    address_detail: str
    usage_type: str
    annual_consumption: Decimal | str
    appliances: list[ApplianceInput] = field(default_factory=list)
    desired_gas_on_date: date | None = None
    latitude: Decimal | str | None = None
    longitude: Decimal | str | None = None
    coord_system: str = ""
    note: str = ""
    privacy_notice_accepted: bool = False


def _collect(errors: dict, key: str, fn, *args):
    try:
        return fn(*args)
    except ValidationError as exc:
        errors.setdefault(key, []).extend(str(m) for m in exc.messages)
        return None


def _required(errors: dict, key: str, value) -> None:
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        errors.setdefault(key, []).append(str(_("This field is required.")))


def validate_enterprise(data: EnterpriseInput) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    for key in ("name", "uscc", "legal_representative", "contact_name", "contact_mobile"):
        _required(errors, f"enterprise.{key}", getattr(data, key))
    clean = {
        "name": (data.name or "").strip()[:200],
        "legal_representative": (data.legal_representative or "").strip()[:60],
        "contact_name": (data.contact_name or "").strip()[:60],
        "registered_address": (data.registered_address or "").strip()[:300],
        "licence_source": (data.licence_source or "")[:20],
    }
    if data.uscc:
        clean["uscc"] = _collect(errors, "enterprise.uscc", validation.clean_uscc, data.uscc)
    if data.contact_mobile:
        clean["contact_mobile"] = _collect(
            errors, "enterprise.contact_mobile", validation.clean_mobile, data.contact_mobile
        )
    clean["id_number"] = ""
    if data.id_number:
        clean["id_number"] = (
            _collect(errors, "enterprise.id_number", validation.clean_resident_id, data.id_number)
            or ""
        )
    return clean, errors


def validate_application(data: ApplicationInput, *, for_submit: bool) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    district = routing.district_by_code(data.district_code) if data.district_code else None
    if data.district_code and district is None:
        errors.setdefault("district", []).append(str(_("Choose a district from the list.")))
    clean["district"] = district
    clean["street"] = (data.street or "").strip()[:60]
    clean["address_detail"] = (data.address_detail or "").strip()[:200]
    clean["note"] = (data.note or "").strip()[:2000]
    if data.usage_type and data.usage_type not in UsageType.values:
        errors.setdefault("usage_type", []).append(str(_("Choose a usage type from the list.")))
    clean["usage_type"] = data.usage_type or ""
    clean["annual_consumption"] = None
    if data.annual_consumption not in (None, ""):
        clean["annual_consumption"] = _collect(
            errors,
            "annual_consumption",
            validation.clean_annual_consumption,
            data.annual_consumption,
        )
    clean["desired_gas_on_date"] = _collect(
        errors, "desired_gas_on_date", validation.clean_desired_date, data.desired_gas_on_date
    )
    # location: both or neither, within China's bounding box
    lat, lng = data.latitude, data.longitude
    clean["latitude"] = clean["longitude"] = None
    clean["coord_system"] = ""
    if lat not in (None, "") or lng not in (None, ""):
        try:
            lat_d, lng_d = Decimal(str(lat)), Decimal(str(lng))
            if not (
                Decimal("3") <= lat_d <= Decimal("54") and Decimal("73") <= lng_d <= Decimal("136")
            ):
                raise ValueError
            clean["latitude"] = lat_d.quantize(Decimal("0.000001"))
            clean["longitude"] = lng_d.quantize(Decimal("0.000001"))
            clean["coord_system"] = (
                data.coord_system if data.coord_system in CoordSystem.values else CoordSystem.GCJ02
            )
        except (ArithmeticError, ValueError, TypeError):
            errors.setdefault("location", []).append(
                str(_("The location must be a latitude and longitude inside China."))
            )
    appliances = []
    for i, a in enumerate(data.appliances):
        key = f"appliances.{i}"
        name = (a.name or "").strip()[:60]
        if not name:
            errors.setdefault(f"{key}.name", []).append(str(_("Name the appliance.")))
        flow = _collect(errors, f"{key}.rated_flow", validation.clean_rated_flow, a.rated_flow)
        try:
            count = int(a.count)
            if not 1 <= count <= 500:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault(f"{key}.count", []).append(
                str(_("The count must be a whole number from 1 to 500."))
            )
            count = None
        if name and flow is not None and count:
            appliances.append((name, flow, count))
    clean["appliances"] = appliances
    clean["peak_load"] = (
        peak_load([(f, c) for _n, f, c in appliances]) if appliances else Decimal("0")
    )
    if for_submit:
        for key in ("district", "street", "address_detail", "usage_type", "annual_consumption"):
            if key not in errors:
                _required(errors, key, clean.get(key))
        if "appliances" not in errors and not any(k.startswith("appliances.") for k in errors):
            _collect(errors, "appliances", validation.clean_peak_load_total, clean["peak_load"])
        if not data.privacy_notice_accepted:
            errors.setdefault("privacy_notice_accepted", []).append(
                str(_("Please read and accept the personal-information notice."))
            )
    return clean, errors


def _insert_new_enterprise(clean: dict, draw=None) -> Enterprise | None:
    """Insert the enterprise unless its USCC is known: the new row, or None.

    One statement for the usual case (a business applies once), where a read under lock and an
    insert took two; a concurrent insert of the same USCC waits for the first and finds it.
    ``draw``: models whose new keys the same statement draws (``tongqi.sql.Insert``)."""
    ent = Enterprise(**clean)
    return ent if _insert_enterprise([ent], draw=draw) else None


_insert_enterprise = Insert(Enterprise, unless_exists=("uscc",))


def enterprise_upsert(
    *, data: EnterpriseInput, actor=None, _clean: dict | None = None, _draw=None
) -> Enterprise:
    """Create the enterprise, or update the one with this USCC, and link the customer.

    ``_clean``: the data as ``validate_enterprise`` cleaned it, when the caller has just done so.
    ``_draw``: models whose new keys a new enterprise's insert also draws, left on it for
    ``tongqi.sql.drawn_key`` (none are drawn for a known enterprise)."""
    if _clean is not None:
        clean = _clean
    else:
        clean, errors = validate_enterprise(data)
        if errors:
            raise InvalidInput(fields=errors)
    with atomic():
        ent = _insert_new_enterprise(clean, draw=_draw)
        if ent is not None:
            audit_record(
                action=AuditAction.CREATE,
                obj=ent,
                actor=actor,
                changes=changes_between(None, clean, pii=PII),
            )
        else:
            # the USCC is known: the existing row, locked until the transaction ends
            ent = Enterprise.objects.select_for_update().get(uscc=clean["uscc"])
            if (
                actor is not None
                and actor.is_customer
                and not ent.members.filter(pk=actor.pk).exists()
                and ent.members.exists()
            ):
                # Someone else's enterprise: do not let a stranger rewrite its data.
                return ent
            old = {k: getattr(ent, k) for k in clean}
            for k, v in clean.items():
                if v or k in ("id_number",):
                    setattr(ent, k, v)
            ent.save()
            changed = changes_between(old, {k: getattr(ent, k) for k in clean}, pii=PII)
            if changed:
                audit_record(action=AuditAction.UPDATE, obj=ent, actor=actor, changes=changed)
        if actor is not None and getattr(actor, "is_customer", False):
            _add_member(ent, actor)
    return ent


def _add_member(ent: Enterprise, user) -> None:
    """Link a customer to the enterprise (kept if linked already): ``members.add`` without the
    read, sent with the next round trip (tongqi.sql.write; it cannot fail on the key)."""
    through = Enterprise.members.through
    write(
        f"INSERT INTO {through._meta.db_table} (enterprise_id, user_id)"  # noqa: S608
        " VALUES (%s, %s) ON CONFLICT DO NOTHING",
        [ent.pk, user.pk],
    )


def application_save_draft(
    *,
    actor,
    enterprise: Enterprise,
    data: ApplicationInput,
    channel: str,
    application: Application | None = None,
    expected_version: int | None = None,
    api_client=None,
    _audit: bool = True,
    _clean: dict | None = None,
    _submitting: bool = False,
) -> Application:
    """Save (or update) a draft: partial data is fine, but what is given must be valid.

    ``_clean``: the data as ``validate_application`` cleaned it, when the caller has just done
    so (a submission validates everything before its unit of work starts). ``_submitting``:
    the draft is submitted next in the same unit, so its insert also draws the key of the
    submission's event (``tongqi.sql.drawn_key``). When the enterprise's insert drew the keys of
    both already (``application_create_and_submit``), the draft is not written at all: the
    submission writes the row once, already submitted (``transition``), and the answer is
    the unsaved application with its key."""
    if _clean is not None:
        clean = dict(_clean)
    else:
        clean, errors = validate_application(data, for_submit=False)
        if errors:
            raise InvalidInput(fields=errors)
    if clean["district"] is None:
        raise InvalidInput(fields={"district": [str(_("Choose a district from the list."))]})
    appliances = clean.pop("appliances")
    with atomic():
        if application is None:
            app = Application(
                enterprise=enterprise,
                channel=channel,
                status=Status.DRAFT,
                applicant=actor if actor is not None and actor.is_customer else None,
                created_by=actor,
                annual_consumption=clean["annual_consumption"] or 0,
                api_client=api_client,
            )
        else:
            app = Application.objects.select_for_update().get(pk=application.pk)
            if app.status != Status.DRAFT:
                raise IllegalTransition(_("Only a draft can be edited."))
            if actor is not None and actor.is_customer and not is_owner(actor, app):
                raise Forbidden()
            if expected_version is not None and app.version != expected_version:
                from .errors import Conflict

                raise Conflict()
            app.version += 1
            app.enterprise = enterprise
        for k, v in clean.items():
            if k == "annual_consumption" and v is None:
                v = Decimal("0")
            if k == "desired_gas_on_date" or v is not None:
                setattr(app, k, v)
        key = drawn_key(enterprise, Application) if application is None and _submitting else None
        if key is not None:
            # no draft row to insert and then update (its 19 indexes written twice): the
            # transition inserts it submitted; until then only this transaction knows the key
            app.pk = key
            draw_with(app, ApplicationEvent, drawn_key(enterprise, ApplicationEvent))
        elif application is None:
            _insert_application([app], draw=ApplicationEvent if _submitting else None)
        else:
            app.save()
            app.appliances.all().delete()
        # their keys are not read back: the insert may go with the next round trip
        _insert_appliances.write(
            [Appliance(application=app, name=n, rated_flow=f, count=c) for n, f, c in appliances]
        )
        if _audit:  # a draft submitted in the same transaction is audited by its submission
            audit_record(
                action=AuditAction.UPDATE if application else AuditAction.CREATE,
                obj=app,
                actor=actor,
                changes={"draft": [None, "saved"]},
            )
    if application is not None:
        _sync(application, app)
        return application
    return app


def _number(app: Application) -> str:
    return f"TQ{timezone.localdate():%Y%m%d}{app.pk:07d}"


def _validate_for_submit(app: Application, privacy_notice_accepted: bool) -> None:
    data = ApplicationInput(
        district_code=app.district.code if app.district_id else "",
        street=app.street,
        address_detail=app.address_detail,
        usage_type=app.usage_type,
        annual_consumption=app.annual_consumption if app.annual_consumption else "",
        appliances=[ApplianceInput(a.name, a.rated_flow, a.count) for a in app.appliances.all()],
        desired_gas_on_date=app.desired_gas_on_date,
        latitude=app.latitude,
        longitude=app.longitude,
        coord_system=app.coord_system,
        note=app.note,
        privacy_notice_accepted=privacy_notice_accepted,
    )
    _clean, errors = validate_application(data, for_submit=True)
    if errors:
        raise InvalidInput(fields=errors)


def application_submit(
    *,
    actor,
    application: Application,
    expected_version: int | None = None,
    privacy_notice_accepted: bool = False,
    _validated: bool = False,
    _held: bool = False,
    at=None,
) -> Application:
    """Submit a draft: validate it whole, route it to a grid and a manager, number it."""
    app = application
    if not _validated:
        _validate_for_submit(app, privacy_notice_accepted)

    def apply(locked: Application) -> dict:
        grid = routing.find_grid(
            district=locked.district,
            street=locked.street,
            latitude=locked.latitude,
            longitude=locked.longitude,
        )
        manager = routing.choose_manager(grid) if grid else None
        locked.grid = grid
        locked.org_unit = grid.unit if grid else None
        locked.account_manager = manager
        locked.submitted_at = at or timezone.now()
        locked.privacy_notice_version = PRIVACY_NOTICE_VERSION
        locked.number = _number(locked)
        return {
            "grid": grid.unit.name if grid else "",
            "manager": manager.display_name if manager else "",
        }

    return transition(
        application=app,
        action="submit",
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        at=at,
        _held=_held,
    )


def application_create_and_submit(
    *,
    actor,
    enterprise_data: EnterpriseInput,
    data: ApplicationInput,
    channel: str,
    api_client=None,
    at=None,
) -> Application:
    """One step for the counter and the government portal: enterprise, draft, submit."""
    # Validated before the unit of work starts: bad input leaves the caller's transaction usable.
    clean_e, e_errors = validate_enterprise(enterprise_data)
    clean_a, a_errors = validate_application(data, for_submit=True)
    if e_errors or a_errors:
        raise InvalidInput(fields={**e_errors, **a_errors})
    with whole_unit(), audit_deferred():
        # a new enterprise's insert draws the keys of the application and of its submission's
        # event (PostgreSQL): both rows are then written without waiting for a key
        enterprise = enterprise_upsert(
            data=enterprise_data,
            actor=actor,
            _clean=clean_e,
            _draw=(Application, ApplicationEvent),
        )
        app = application_save_draft(
            actor=actor,
            enterprise=enterprise,
            data=data,
            channel=channel,
            api_client=api_client,
            _audit=False,
            _clean=clean_a,
            _submitting=True,
        )
        return application_submit(
            actor=actor,
            application=app,
            privacy_notice_accepted=data.privacy_notice_accepted,
            _validated=True,
            _held=True,
            at=at,
        )


def attachment_add(
    *,
    actor,
    application: Application,
    kind: str,
    name: str,
    content: bytes,
) -> Attachment:
    """Store a file after sniffing its type from the content (not the name)."""
    if kind not in AttachmentKind.values:
        raise InvalidInput(fields={"kind": [str(_("Choose the kind of document."))]})
    if application.status in (Status.REJECTED, Status.CANCELLED):
        raise IllegalTransition(_("Documents cannot be added to a closed application."))
    try:
        content_type = validation.clean_attachment(name, content[:16], len(content))
    except ValidationError as exc:
        raise InvalidInput(fields={"file": [str(m) for m in exc.messages]}) from None
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        att = Attachment(
            application=application,
            kind=kind,
            original_name=name[:200],
            content_type=content_type,
            size=len(content),
            sha256=digest,
            uploaded_by=actor,
        )
        att.file.save(name, ContentFile(content), save=False)
        att.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=att,
            actor=actor,
            changes={
                "application": [None, application.pk],
                "kind": [None, kind],
                "sha256": [None, digest],
            },
        )
    return att


__all__ = [
    "ApplicationInput",
    "ApplianceInput",
    "EnterpriseInput",
    "application_create_and_submit",
    "application_save_draft",
    "application_submit",
    "attachment_add",
    "enterprise_upsert",
    "Channel",
]
