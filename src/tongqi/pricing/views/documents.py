"""PDF downloads: the quote, the notice of rights and duties, the gas-on certificate. The
customer downloads its own; staff download those of the applications they see."""

from __future__ import annotations

from urllib.parse import quote as urlquote

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse

from tongqi.applications.choices import Status
from tongqi.applications.models import AcceptanceRecord
from tongqi.applications.selectors import application_for

from .. import documents, selectors
from ..choices import QuoteStatus


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    response["Content-Disposition"] = (
        f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{urlquote(filename)}"
    )
    return response


def _signed_in(view):
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_signed_in
def quote_pdf(request, pk):
    """报价单 of one version (customers: issued versions only)."""
    quote = selectors.quote_for(request.user, pk)
    if quote.status == QuoteStatus.DRAFT and not request.user.is_staff_member:
        raise Http404
    return _pdf(documents.quote_pdf(quote), f"报价单-{quote.number}.pdf")


@_signed_in
def rights_notice_pdf(request, pk):
    """权益告知书 of an application (from submission on)."""
    app = application_for(request.user, pk)
    if not app.number:
        raise Http404
    return _pdf(documents.rights_notice_pdf(app), f"权益告知书-{app.number}.pdf")


@_signed_in
def gas_on_pdf(request, pk):
    """验收通气单, from the passed acceptance record (404 before gas-on)."""
    app = application_for(request.user, pk)
    record = (
        AcceptanceRecord.objects.filter(application=app, passed=True)
        .select_related("inspector")
        .order_by("-at")
        .first()
    )
    if app.status != Status.GAS_ON or record is None:
        raise Http404
    return _pdf(documents.gas_on_certificate_pdf(app, record), f"验收通气单-{app.number}.pdf")
