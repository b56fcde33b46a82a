"""Quotes: built from a package (N from the survey) or itemised; drafted, issued, confirmed.

A quote version is a snapshot. Issuing it fixes its lines at the prices in force that day and
its 零审批 assessment; a later price list or policy never touches it. A change after issue is a
new version, which supersedes the old one and must be confirmed by the customer again
(图纸报价确认). Issuing calls ``application_mark_quoted`` and confirming calls
``application_confirm_quote``, so the application's stage follows the quote.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tongqi.applications import services as app_svc
from tongqi.applications import validation
from tongqi.applications.choices import Status, UsageType
from tongqi.applications.models import Application
from tongqi.applications.services.transitions import TRANSITIONS
from tongqi.audit.choices import AuditAction
from tongqi.audit.services import audit_record
from tongqi.integration.choices import Channel
from tongqi.integration.notify import notify

from .. import calc
from ..choices import LineKind, QuoteKind, QuoteStatus, Section
from ..models import Package, Quote, QuoteDrawing, QuoteLine
from .catalogue import policy_in_force, price_in_force
from .common import (
    Conflict,
    Forbidden,
    IllegalTransition,
    InvalidInput,
    may_act_for_customer,
    may_quote,
    parse_decimal,
)

# Stages in which a quote may be drawn up and issued. CONFIRMED: a change during the works is
# a new version the customer must confirm again (see ``quote_issue``).
QUOTABLE = frozenset({Status.SURVEYED, Status.QUOTED, Status.CONFIRMED})
MAX_LENGTH = Decimal("100000")
MAX_QTY = Decimal("1000000")
MAX_LINES = 40

MISFIT_MESSAGES = {
    "load": gettext_noop("The peak load {actual} m³/h is above this package's {limit} m³/h."),
    "usage": gettext_noop("This package is not offered for this usage type."),
    "length": gettext_noop("The pipe length {actual} m is beyond this package's {limit} m."),
}


def misfit_text(m: calc.Misfit) -> str:
    return _(MISFIT_MESSAGES[m.code]).format(actual=m.actual, limit=m.limit)


@dataclass
class ItemInput:
    """An itemised line typed by the account manager."""

    section: str
    description: str
    unit: str
    quantity: Decimal | str
    unit_price: Decimal | str = "0"
    unit_cost: Decimal | str = "0"


@dataclass
class QuoteInput:
    kind: str
    package_id: int | None = None
    pipe_length_m: Decimal | str = "0"
    external_length_m: Decimal | str = "0"
    own_works_estimate: Decimal | str = "0"
    note: str = ""
    items: list[ItemInput] = field(default_factory=list)


@dataclass
class Computed:
    """A quote worked out for a site on a date: what the builder shows and what is saved."""

    kind: str
    package: Package | None
    price: object | None  # PackagePrice
    on: date
    peak_load: Decimal
    usage_type: str
    pipe_length_m: Decimal
    external_length_m: Decimal
    own_works_estimate: Decimal
    extra_units: int
    lines: list[calc.Line]
    totals: calc.Totals
    approval: calc.Approval
    approval_document: str
    note: str


def quote_input_from(quote: Quote) -> QuoteInput:
    """The inputs a quote was built from (to start a new version from an old one)."""
    return QuoteInput(
        kind=quote.kind,
        package_id=quote.package_id,
        pipe_length_m=quote.pipe_length_m,
        external_length_m=quote.external_length_m,
        own_works_estimate=quote.own_works_estimate,
        note=quote.note,
        items=[
            ItemInput(
                section=line.section,
                description=line.description,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                unit_cost=line.unit_cost,
            )
            for line in quote.lines.all()
            if line.kind == LineKind.ITEM
        ],
    )


def quote_input_for(application: Application) -> QuoteInput:
    """A new quote's starting point: the latest version, else the survey (lengths) and the
    cheapest package that fits, else an itemised plan."""
    latest = application.quotes.order_by("-version").first()
    if latest is not None:
        return quote_input_from(latest)
    survey = getattr(application, "survey", None)
    pipe = survey.pipe_length_m if survey else Decimal("0")
    ext = survey.external_length_m if survey else Decimal("0")
    from ..selectors import package_options

    options = package_options(
        peak_load=application.peak_load, usage_type=application.usage_type, length_m=pipe
    )
    best = calc.cheapest([(str(o.package.pk), o.estimate) for o in options if o.fits])
    if best:
        return QuoteInput(
            kind=QuoteKind.PACKAGE,
            package_id=int(best),
            pipe_length_m=pipe,
            external_length_m=ext,
        )
    return QuoteInput(kind=QuoteKind.CUSTOM, pipe_length_m=pipe, external_length_m=ext)


def quote_compute(
    *, application: Application, data: QuoteInput, on: date | None = None
) -> Computed:
    """Work a quote out (no writes). Raises InvalidInput with field-level errors.

    Line descriptions are written in the utility's language (Chinese): the quote is its paper.
    """
    return _compute(application, data, on or timezone.localdate())


def _compute(application: Application, data: QuoteInput, on: date) -> Computed:
    errors: dict = {}
    if data.kind not in QuoteKind.values:
        errors["kind"] = [str(_("Choose a package or a custom plan."))]
    pipe = parse_decimal(
        data.pipe_length_m, field="pipe_length_m", errors=errors, places=1, maximum=MAX_LENGTH
    )
    ext = parse_decimal(
        data.external_length_m,
        field="external_length_m",
        errors=errors,
        places=1,
        maximum=MAX_LENGTH,
    )
    own = parse_decimal(
        data.own_works_estimate or "0", field="own_works_estimate", errors=errors, places=2
    )
    policy = policy_in_force(on)
    lines: list[calc.Line] = []
    package = price = None
    n = 0
    if data.kind == QuoteKind.PACKAGE:
        package = (
            Package.objects.filter(pk=data.package_id, active=True).first()
            if data.package_id
            else None
        )
        if package is None:
            errors.setdefault("package", []).append(str(_("Choose a package on offer.")))
        else:
            price = price_in_force(package, on)
            if price is None:
                errors.setdefault("package", []).append(
                    str(_("This package has no price in force yet."))
                )
            if pipe is not None:
                bad = calc.misfits(
                    package.spec,
                    peak_load=application.peak_load,
                    usage_type=application.usage_type,
                    length_m=pipe,
                )
                if bad:
                    errors.setdefault("package", []).extend(misfit_text(m) for m in bad)
        if package is not None and price is not None and pipe is not None:
            n = calc.extra_units(pipe, package.included_length_m, package.extra_unit_m)
            lines += _package_lines(package, price, pipe, n)
    if ext is not None and ext > 0:
        with translation.override(settings.LANGUAGE_CODE):
            lines.append(
                calc.Line(
                    section=Section.GAS_SOURCE,
                    kind=LineKind.GAS_SOURCE,
                    description=_(
                        "Gas-source pipe outside the red line, built and paid by the utility"
                    ),
                    unit=_("m"),
                    quantity=ext,
                    unit_price=Decimal("0"),
                    unit_cost=policy.gas_source_cost_per_m,
                )
            )
    if len(data.items) > MAX_LINES:
        errors.setdefault("items", []).append(str(_("At most {n} items.")).format(n=MAX_LINES))
    for i, item in enumerate(data.items[:MAX_LINES]):
        line = _clean_item(i, item, errors)
        if line is not None:
            lines.append(line)
    if data.kind == QuoteKind.CUSTOM and not lines and not data.items:
        errors.setdefault("items", []).append(str(_("A custom plan needs at least one item.")))
    if errors:
        raise InvalidInput(fields=errors)
    totals = calc.totals(lines)
    if totals.customer_total > Decimal("999999999.99"):
        raise InvalidInput(fields={"items": [str(_("The total is beyond what a quote can hold."))]})
    approval = calc.assess_approval(
        customer_works=totals.customer_total + own,
        gas_source_works=totals.utility_investment,
        threshold=policy.approval_threshold,
    )
    return Computed(
        kind=data.kind,
        package=package,
        price=price,
        on=on,
        peak_load=application.peak_load,
        usage_type=application.usage_type,
        pipe_length_m=pipe,
        external_length_m=ext,
        own_works_estimate=own,
        extra_units=n,
        lines=lines,
        totals=totals,
        approval=approval,
        approval_document=policy.approval_document,
        note=(data.note or "").strip()[:2000],
    )


def _package_lines(package: Package, price, pipe: Decimal, n: int) -> list[calc.Line]:
    """The base line and the N line, worded in the utility's language (the quote is its paper)."""
    with translation.override(settings.LANGUAGE_CODE):
        items = "、".join(package.item_list)
        lines = [
            calc.Line(
                section=Section.CUSTOMER,
                kind=LineKind.PACKAGE_BASE,
                description=_("{name}: {meter} meter, {length} m of pipe included{items}").format(
                    name=package.name,
                    meter=package.meter_rating,
                    length=calc._fmt(package.included_length_m),
                    items=("；" + items) if items else "",
                )[:200],
                unit=_("set"),
                quantity=Decimal("1"),
                unit_price=price.base_price,
            )
        ]
        if n:
            lines.append(
                calc.Line(
                    section=Section.CUSTOMER,
                    kind=LineKind.PACKAGE_EXTRA,
                    description=_(
                        "Pipe beyond the included {included} m: {length} m, in units of {unit} m (N)"
                    ).format(
                        included=calc._fmt(package.included_length_m),
                        length=calc._fmt(pipe),
                        unit=calc._fmt(package.extra_unit_m),
                    ),
                    unit=_("unit"),
                    quantity=Decimal(n),
                    unit_price=price.extra_unit_price,
                )
            )
    return lines


def _clean_item(i: int, item: ItemInput, errors: dict) -> calc.Line | None:
    key = f"items-{i}"
    local: dict = {}
    section = item.section if item.section in Section.values else None
    if section is None:
        local.setdefault(f"{key}-section", []).append(str(_("Choose the side of the red line.")))
    description = (item.description or "").strip()
    if not description:
        local.setdefault(f"{key}-description", []).append(str(_("Describe the item.")))
    unit = (item.unit or "").strip()
    if not unit:
        local.setdefault(f"{key}-unit", []).append(str(_("Give the unit.")))
    qty = parse_decimal(
        item.quantity,
        field=f"{key}-quantity",
        errors=local,
        places=3,
        maximum=MAX_QTY,
        positive=True,
    )
    price = parse_decimal(item.unit_price or "0", field=f"{key}-unit_price", errors=local, places=2)
    cost = parse_decimal(item.unit_cost or "0", field=f"{key}-unit_cost", errors=local, places=2)
    if section == Section.GAS_SOURCE and price:
        local.setdefault(f"{key}-unit_price", []).append(
            str(
                _(
                    "Works outside the red line cost the customer nothing (zero fee): leave the "
                    "price at 0 and enter the utility's own cost."
                )
            )
        )
    if local:
        for k, v in local.items():
            errors.setdefault(k, []).extend(v)
        return None
    return calc.Line(
        section=section,
        kind=LineKind.ITEM,
        description=description[:200],
        unit=unit[:10],
        quantity=qty,
        unit_price=price if section == Section.CUSTOMER else Decimal("0"),
        unit_cost=cost if section == Section.GAS_SOURCE else Decimal("0"),
    )


def _check_can_quote(actor, application: Application) -> None:
    if not may_quote(actor, application):
        raise Forbidden()
    if application.status not in QUOTABLE:
        raise IllegalTransition(
            _("A quote can be drawn up only after the survey and before acceptance is requested.")
        )


def _write(quote: Quote, c: Computed) -> None:
    """Store a computation on a (locked) quote: fields and lines."""
    quote.kind = c.kind
    quote.package = c.package
    quote.price_list = c.price.price_list if c.price is not None else None
    quote.priced_on = c.on
    quote.peak_load = c.peak_load
    quote.usage_type = c.usage_type
    quote.pipe_length_m = c.pipe_length_m
    quote.external_length_m = c.external_length_m
    quote.included_length_m = c.package.included_length_m if c.package else Decimal("0")
    quote.extra_unit_m = c.package.extra_unit_m if c.package else Decimal("1")
    quote.extra_units = c.extra_units
    quote.own_works_estimate = c.own_works_estimate
    quote.customer_total = c.totals.customer_total
    quote.utility_investment = c.totals.utility_investment
    quote.note = c.note
    quote.save()
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(
            quote=quote,
            position=i,
            section=line.section,
            kind=line.kind,
            description=line.description,
            unit=line.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            unit_cost=line.unit_cost,
            cost=line.cost,
        )
        for i, line in enumerate(c.lines)
    )


def _summary(q: Quote) -> dict:
    return {
        "number": q.number,
        "status": q.status,
        "kind": q.kind,
        "package": q.package.code if q.package else "",
        "customer_total": str(q.customer_total),
        "utility_investment": str(q.utility_investment),
        "extra_units": q.extra_units,
    }


def quote_save_draft(
    *,
    application: Application,
    actor,
    data: QuoteInput,
    lock_version: int | None = None,
) -> Quote:
    """Save the application's draft quote (creating the next version when there is none)."""
    _check_can_quote(actor, application)
    computed = quote_compute(application=application, data=data)
    with transaction.atomic():
        app = Application.objects.select_for_update().get(pk=application.pk)
        _check_can_quote(actor, app)
        draft = (
            Quote.objects.select_for_update()
            .filter(application=app, status=QuoteStatus.DRAFT)
            .first()
        )
        created = draft is None
        if created:
            if lock_version not in (None, 0):
                raise Conflict(_("The draft was issued or discarded meanwhile. Reload the page."))
            version = (app.quotes.aggregate(v=Max("version"))["v"] or 0) + 1
            draft = Quote(
                application=app,
                version=version,
                number=f"{app.number}-{version:02d}",
                status=QuoteStatus.DRAFT,
                created_by=actor,
                priced_on=computed.on,
                peak_load=app.peak_load,
                usage_type=app.usage_type,
            )
            previous = app.quotes.filter(version=version - 1).first()
        else:
            if lock_version is not None and draft.lock_version != lock_version:
                raise Conflict(
                    _("Someone else changed this draft meanwhile. Reload it and try again.")
                )
            draft.lock_version += 1
            previous = None
        before = None if created else _summary(draft)
        _write(draft, computed)
        if previous is not None:
            # drawings carry over to the next version (same stored file, new rows)
            QuoteDrawing.objects.bulk_create(
                QuoteDrawing(
                    quote=draft,
                    title=d.title,
                    file=d.file.name,
                    original_name=d.original_name,
                    content_type=d.content_type,
                    size=d.size,
                    sha256=d.sha256,
                    uploaded_by=d.uploaded_by,
                    uploaded_at=d.uploaded_at,
                )
                for d in previous.drawings.all()
            )
        after = _summary(draft)
        audit_record(
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=draft,
            actor=actor,
            changes={k: [before.get(k) if before else None, v] for k, v in after.items()},
        )
    return draft


def quote_discard(*, quote: Quote, actor) -> None:
    """Throw a draft away (issued versions are records and stay)."""
    _check_can_quote(actor, quote.application)
    with transaction.atomic():
        q = Quote.objects.select_for_update().get(pk=quote.pk)
        if q.status != QuoteStatus.DRAFT:
            raise IllegalTransition(_("Only a draft can be discarded."))
        audit_record(
            action=AuditAction.DELETE, obj=q, actor=actor, changes={"status": [q.status, None]}
        )
        q.lines.all().delete()
        q.drawings.all().delete()  # the files stay: an earlier version may share them
        q.delete()


def quote_issue(*, quote: Quote, actor, lock_version: int | None = None) -> Quote:
    """Issue a draft to the customer: prices of today, 零审批 fixed, older versions superseded.

    The application goes to QUOTED (SURVEYED → QUOTED, or QUOTED → QUOTED for a new version).
    After the customer confirmed (CONFIRMED) a new version needs a new confirmation: when the
    state machine allows CONFIRMED → QUOTED the application goes back to QUOTED; otherwise it
    stays CONFIRMED, the new version still waits for the customer, and the customer is told.
    """
    application = quote.application
    _check_can_quote(actor, application)
    today = timezone.localdate()
    with transaction.atomic():
        # lock order everywhere: the application first, then its quotes
        app = Application.objects.select_for_update().get(pk=application.pk)
        _check_can_quote(actor, app)
        q = Quote.objects.select_for_update().filter(pk=quote.pk).first()
        if q is None or q.status != QuoteStatus.DRAFT:
            raise Conflict(_("This version was already issued or discarded. Reload the page."))
        if lock_version is not None and q.lock_version != lock_version:
            raise Conflict(_("Someone else changed this draft meanwhile. Reload it and try again."))
        computed = quote_compute(application=app, data=quote_input_from(q), on=today)
        _write(q, computed)
        older = list(
            Quote.objects.select_for_update()
            .filter(application=app, status__in=[QuoteStatus.ISSUED, QuoteStatus.CONFIRMED])
            .exclude(pk=q.pk)
        )
        reconfirm = any(o.status == QuoteStatus.CONFIRMED for o in older)
        for o in older:
            o.status = QuoteStatus.SUPERSEDED
            o.save(update_fields=["status", "updated_at"])
        q.status = QuoteStatus.ISSUED
        q.issued_by = actor
        q.issued_at = timezone.now()
        q.approval_exempt = computed.approval.exempt
        q.approval_needs = computed.approval.needs
        q.approval_threshold = computed.approval.threshold
        q.approval_document = computed.approval_document
        q.change_request = ""
        q.lock_version += 1
        q.save()
        if app.status in TRANSITIONS["quote"].sources:
            app_svc.application_mark_quoted(application=app, actor=actor, quote_ref=q.number)
        else:
            _tell_customer_new_version(q)
        audit_record(
            action=AuditAction.TRANSITION,
            obj=q,
            actor=actor,
            changes={
                "status": [QuoteStatus.DRAFT, QuoteStatus.ISSUED],
                "customer_total": [None, str(q.customer_total)],
                "superseded": [None, [o.number for o in older]],
                "reconfirmation": [None, reconfirm],
                "approval_exempt": [None, q.approval_exempt],
            },
        )
    application.refresh_from_db()
    quote.refresh_from_db()
    return quote


def _customer_users(app: Application) -> list:
    users = list(app.enterprise.members.all())
    if app.applicant_id and all(u.pk != app.applicant_id for u in users):
        users.append(app.applicant)
    return users


def _tell_customer_new_version(q: Quote) -> None:
    app = q.application
    with translation.override(settings.LANGUAGE_CODE):
        notify(
            users=_customer_users(app),
            title=_("A changed plan and quote for {number} awaits your confirmation").format(
                number=app.number
            ),
            body=_("Version {version} replaces the one you confirmed. Please review it.").format(
                version=q.version
            ),
            link=reverse("pricing:portal_quote", args=[q.pk]),
            topic="pricing.quote_changed",
            channels=(Channel.INAPP, Channel.SMS),
            dedupe_key=f"quote:{q.pk}:issued",
        )


def quote_confirm(*, quote: Quote, actor) -> Quote:
    """图纸报价确认: the customer confirms this version's drawings and quote online."""
    application = quote.application
    if not may_act_for_customer(actor, application):
        raise Forbidden()
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("enterprise")
            .get(pk=application.pk)
        )
        q = Quote.objects.select_for_update().get(pk=quote.pk)
        if q.status == QuoteStatus.SUPERSEDED:
            raise Conflict(_("A newer version of this quote was issued. Please review that one."))
        if q.status != QuoteStatus.ISSUED:
            raise IllegalTransition(_("This quote is not waiting for a confirmation."))
        q.status = QuoteStatus.CONFIRMED
        q.confirmed_by = actor
        q.confirmed_at = timezone.now()
        q.change_request = ""
        q.save(update_fields=["status", "confirmed_by", "confirmed_at", "change_request"])
        if app.status == Status.QUOTED:
            app_svc.application_confirm_quote(application=app, actor=actor, quote_ref=q.number)
        elif app.account_manager_id:
            with translation.override(settings.LANGUAGE_CODE):
                notify(
                    users=[app.account_manager],
                    title=_(
                        "{enterprise} confirmed version {version} of the quote of {number}"
                    ).format(enterprise=app.enterprise.name, version=q.version, number=app.number),
                    link=reverse("pricing:quote_detail", args=[q.pk]),
                    topic="pricing.quote_confirmed",
                    channels=(Channel.INAPP,),
                )
        audit_record(
            action=AuditAction.TRANSITION,
            obj=q,
            actor=actor,
            changes={"status": [QuoteStatus.ISSUED, QuoteStatus.CONFIRMED]},
        )
    quote.refresh_from_db()
    return quote


def quote_request_change(*, quote: Quote, actor, comment: str) -> Quote:
    """The customer asks for changes instead of confirming: the account manager is told."""
    application = quote.application
    if not may_act_for_customer(actor, application):
        raise Forbidden()
    comment = (comment or "").strip()
    if not comment:
        raise InvalidInput(fields={"comment": [str(_("Say what should change."))]})
    with transaction.atomic():
        app = (
            Application.objects.select_for_update()
            .select_related("enterprise")
            .get(pk=application.pk)
        )
        q = Quote.objects.select_for_update().get(pk=quote.pk)
        if q.status != QuoteStatus.ISSUED:
            raise IllegalTransition(_("This quote is not waiting for a confirmation."))
        q.change_request = comment[:2000]
        q.save(update_fields=["change_request", "updated_at"])
        if app.account_manager_id:
            with translation.override(settings.LANGUAGE_CODE):
                notify(
                    users=[app.account_manager],
                    title=_("{enterprise} asks for changes to the quote of {number}").format(
                        enterprise=app.enterprise.name, number=app.number
                    ),
                    body=comment[:500],
                    link=reverse("pricing:builder", args=[app.pk]),
                    topic="pricing.quote_change_request",
                    channels=(Channel.INAPP,),
                )
        audit_record(
            action=AuditAction.UPDATE,
            obj=q,
            actor=actor,
            changes={"change_request": [None, comment[:500]]},
        )
    quote.refresh_from_db()
    return quote


def drawing_add(*, quote: Quote, actor, title: str, name: str, content: bytes) -> QuoteDrawing:
    """Attach a drawing to a draft (PDF, PNG or JPEG: the type is read from the content)."""
    _check_can_quote(actor, quote.application)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = [str(_("Give the drawing a title."))]
    try:
        kind = validation.clean_attachment(name, content[:16], len(content))
    except ValidationError as exc:
        errors["file"] = [str(m) for m in exc.messages]
    if errors:
        raise InvalidInput(fields=errors)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        q = Quote.objects.select_for_update().get(pk=quote.pk)
        if q.status != QuoteStatus.DRAFT:
            raise IllegalTransition(_("Drawings can be added to a draft only."))
        if q.drawings.count() >= 20:
            raise InvalidInput(fields={"file": [str(_("At most 20 drawings per quote."))]})
        d = QuoteDrawing(
            quote=q,
            title=title[:100],
            original_name=name.replace("\\", "/").rsplit("/", 1)[-1][:200],
            content_type=kind,
            size=len(content),
            sha256=digest,
            uploaded_by=actor,
        )
        d.file.save(name, ContentFile(content), save=False)
        d.save()
        audit_record(
            action=AuditAction.CREATE,
            obj=d,
            actor=actor,
            changes={"quote": [None, q.number], "sha256": [None, digest], "title": [None, title]},
        )
    return d


def drawing_remove(*, drawing: QuoteDrawing, actor) -> None:
    quote = drawing.quote
    _check_can_quote(actor, quote.application)
    with transaction.atomic():
        q = Quote.objects.select_for_update().get(pk=quote.pk)
        if q.status != QuoteStatus.DRAFT:
            raise IllegalTransition(_("Drawings of an issued quote cannot be removed."))
        audit_record(
            action=AuditAction.DELETE,
            obj=drawing,
            actor=actor,
            changes={"quote": [q.number, None], "sha256": [drawing.sha256, None]},
        )
        QuoteDrawing.objects.filter(pk=drawing.pk).delete()


__all__ = [
    "QUOTABLE",
    "Computed",
    "ItemInput",
    "QuoteInput",
    "UsageType",
    "drawing_add",
    "drawing_remove",
    "quote_compute",
    "quote_confirm",
    "quote_discard",
    "quote_input_for",
    "quote_input_from",
    "quote_issue",
    "quote_request_change",
    "quote_save_draft",
]
