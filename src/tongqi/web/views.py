"""Shared pages: health, the role home redirect, kiosk mode, error pages."""

from __future__ import annotations

from django.db import connection
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST


@never_cache
def healthz(request):
    """200 only when the database answers a query; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def index(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:home"))
    return render(request, "web/landing.html")


@require_POST
def kiosk(request):
    """Switch this terminal into (or out of) kiosk mode: large targets, reset after inactivity."""
    on = request.POST.get("on") == "1"
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if on:
        response.set_cookie("tongqi_kiosk", "1", samesite="Lax", httponly=True)
    else:
        response.delete_cookie("tongqi_kiosk")
    return response


def error_400(request, exception=None):
    return render(request, "web/error.html", {"code": 400}, status=400)


def error_403(request, exception=None):
    return render(request, "web/error.html", {"code": 403}, status=403)


def error_404(request, exception=None):
    return render(request, "web/error.html", {"code": 404}, status=404)


def error_500(request):
    if request.path.startswith("/api/"):  # an API client reads JSON, even from a crash
        from tongqi.integration.errors import MESSAGES

        message = str(MESSAGES["internal_error"])
        return JsonResponse(
            {"code": "internal_error", "message": message, "fields": {}}, status=500
        )
    return render(request, "web/error.html", {"code": 500}, status=500)


def verify_document(request, token: str):
    """The page a document's QR code opens: is this paper genuine, and what does it say?"""
    from .pdf import read_token

    data = read_token(token)
    return render(request, "web/verify.html", {"data": data}, status=200 if data else 404)
