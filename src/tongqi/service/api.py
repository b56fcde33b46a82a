"""Complaints API for the hotline platforms (12345, 12319, 长江网, 城市留言板) and WeChat:
register a ticket, read its status and our answer.

Authentication: the API's user authentication (a personal bearer token, or the signed-in
session with CSRF) of a service-management account — what a hotline adapter running as a
service account or a staff tool uses today. The hotline platforms will move to the signed client
authentication of the government portal (``tongqi.api.auth.GovSignatureAuth``: app key +
timestamp + nonce + HMAC signature) once each platform has an ``ApiClient``; the handlers stay
the same because they only call ``complaint_register``, the one entry point for every channel.
Errors are the API's ``{"code", "message", "fields"}``; a ticket sent twice (same source and
ticket number) answers 200 with the first registration, and ``Idempotency-Key`` is honoured too.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from tongqi.accounts.roles import Cap
from tongqi.api.errors import errors
from tongqi.api.idempotency import idempotent
from tongqi.core.masking import mask_mobile

from .choices import ComplaintKind, Source
from .models import Complaint
from .selectors import visible_complaints
from .services import ComplaintInput, InvalidInput, complaint_register

ROUTER_PREFIX = "/complaints"
router = Router(tags=["complaints"])


class ComplaintIn(Schema):
    source: str = Field(
        ..., description="12345, 12319, changjiang, message_board, wechat, phone, counter"
    )
    ticket: str = Field("", max_length=64, description="The ticket number on the source platform")
    title: str = Field(..., max_length=200)
    content: str = Field(..., max_length=5000)
    kind: str = Field(
        ComplaintKind.COMPLAINT, description="complaint, request, enquiry, suggestion, praise"
    )
    topic: str = ""
    complainant_name: str = Field("", max_length=60)
    complainant_phone: str = Field("", max_length=20)
    address: str = Field("", max_length=300)
    received_at: datetime | None = Field(None, description="ISO-8601 with offset; default now")
    application_number: str = ""
    enterprise_uscc: str = ""


class ComplaintOut(Schema):
    number: str
    source: str
    ticket: str
    status: str
    status_label: str
    received_at: datetime
    due_date: date
    answer: str
    answered_at: datetime | None
    closed_at: datetime | None
    complainant_phone: str  # masked
    created: bool = False


def _out(c: Complaint, created: bool = False) -> dict:
    return {
        "number": c.number,
        "source": c.source,
        "ticket": c.external_id,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "received_at": c.received_at,
        "due_date": c.due_date,
        "answer": c.reply,
        "answered_at": c.answered_at,
        "closed_at": c.closed_at,
        "complainant_phone": mask_mobile(c.complainant_phone),
        "created": created,
    }


def _staff(request):
    if not request.auth.can(Cap.SERVICE_MANAGE):
        raise PermissionDenied


@router.post(
    "/",
    response={201: ComplaintOut, 200: ComplaintOut, **errors(409)},
    summary="Register a complaint or request (idempotent on source + ticket number)",
)
@idempotent
def register(request, payload: ComplaintIn):
    _staff(request)
    if payload.source == Source.PORTAL:
        raise InvalidInput(fields={"source": ["Portal complaints are raised in the portal."]})
    c, created = complaint_register(
        actor=request.auth,
        data=ComplaintInput(
            source=payload.source,
            external_id=payload.ticket,
            title=payload.title,
            content=payload.content,
            kind=payload.kind,
            topic=payload.topic,
            complainant_name=payload.complainant_name,
            complainant_phone=payload.complainant_phone,
            address=payload.address,
            received_at=payload.received_at,
            application_number=payload.application_number,
            enterprise_uscc=payload.enterprise_uscc,
        ),
    )
    return Status(201 if created else 200, _out(c, created))


@router.get(
    "/{number}",
    response={200: ComplaintOut, **errors(404)},
    summary="Status and answer of a complaint",
)
def read(request, number: str):
    _staff(request)
    c = get_object_or_404(visible_complaints(request.auth), number=number)
    return Status(200, _out(c))
