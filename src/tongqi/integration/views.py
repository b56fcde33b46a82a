"""Pages of the integration app: the notification centre, personal API tokens, and the licence
lookup fragment the application form uses to prefill enterprise data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongqi.accounts.roles import SECOND_FACTOR_ROLES
from tongqi.core.validators import ValidationFailure
from tongqi.web.decorators import capability_required
from tongqi.web.listing import paginate

from . import selectors, services
from .api import LICENCE_CAPS
from .errors import MESSAGES
from .forms import PreferencesForm, TokenForm

# ---------------------------------------------------------------------------------------------
# Notification centre


@login_required
@require_GET
def notification_list(request):
    """The user's messages, newest first; unread ones marked; channel choices beside them."""
    unread_only = request.GET.get("show") == "unread"
    qs = selectors.notifications_for(user=request.user, unread_only=unread_only)
    page = paginate(request, qs)
    pref = selectors.notification_preferences(request.user)
    form = PreferencesForm(initial={"sms": pref.sms, "wechat": pref.wechat, "email": pref.email})
    return render(
        request,
        "integration/notifications.html",
        {
            "page": page,
            "unread_only": unread_only,
            "unread": selectors.unread_count(request.user),
            "pref_form": form,
        },
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one message read and go where it points (a page of this site only)."""
    n = get_object_or_404(selectors.notifications_for(user=request.user), pk=pk)
    services.notification_mark_read(user=request.user, ids=[n.pk])
    if n.link and url_has_allowed_host_and_scheme(
        n.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(n.link)
    return redirect("integration:notifications")


@login_required
@require_POST
def notification_read_all(request):
    n = services.notification_mark_read(user=request.user)
    messages.success(request, _("{n} messages marked as read.").format(n=n))
    return redirect("integration:notifications")


@login_required
@require_POST
def notification_preferences(request):
    form = PreferencesForm(request.POST)
    if form.is_valid():
        services.notification_preferences_set(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification channels have been saved."))
    return redirect("integration:notifications")


# ---------------------------------------------------------------------------------------------
# Personal API tokens


def _tokens_allowed(request) -> None:
    if request.user.role in SECOND_FACTOR_ROLES:
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    """Create and revoke one's own API tokens; a new token is shown once, on this answer."""
    _tokens_allowed(request)
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    tokens = selectors.tokens_for(user=request.user)
    return render(
        request,
        "integration/tokens.html",
        {"form": form, "tokens": tokens, "created": created, "now": timezone.now()},
        status=400 if request.method == "POST" and created is None else 200,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(selectors.tokens_for(user=request.user), pk=pk)
    services.token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “{name}” has been revoked.").format(name=token.name))
    return redirect("integration:tokens")


# ---------------------------------------------------------------------------------------------
# Licence sharing (证照共享)


def _wants_json(request) -> bool:
    return request.GET.get("format") == "json" or (
        "application/json" in request.headers.get("Accept", "")
        and not request.headers.get("HX-Request")
    )


@capability_required(*LICENCE_CAPS)
@require_GET
def licence_lookup(request, uscc: str):
    """``GET /integration/licence/<uscc>``: an HTML fragment for HTMX (``hx-get``), or JSON
    (``?format=json`` / ``Accept: application/json``) with the same fields as the API.

    Found: the enterprise's data with ``data-licence-field`` markers that
    ``integration/licence.js`` copies into the form's ``data-licence`` inputs. Not found or
    unavailable: a short note that the user types the data (never an error page).
    """
    try:
        answer = selectors.licence_lookup(uscc)
    except ValidationFailure:
        if _wants_json(request):
            return JsonResponse(
                {
                    "code": "uscc_invalid",
                    "message": str(MESSAGES["uscc_invalid"]),
                    "fields": {"uscc": [str(MESSAGES["uscc_invalid"])]},
                },
                status=422,
            )
        return render(
            request, "integration/_licence.html", {"invalid": True, "uscc": uscc[:40]}, status=422
        )
    if _wants_json(request):
        return JsonResponse(answer.as_dict(), json_dumps_params={"ensure_ascii": False})
    return render(request, "integration/_licence.html", {"answer": answer, "record": answer.record})
