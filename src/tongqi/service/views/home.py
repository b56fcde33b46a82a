"""The service management home (``service:home``) and its settings."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongqi.accounts.roles import Cap
from tongqi.web.decorators import capability_required

from .. import selectors
from ..choices import COMPLAINT_COLOUR, OPEN_COMPLAINT_STATUSES
from ..forms import SettingsForm
from ..models import ServiceSettings
from ..services import settings_update
from .common import run


@capability_required(Cap.SERVICE_VIEW)
def home(request):
    """Today first: complaints due today and past their day, the same-day closure rate, then
    callbacks, satisfaction, rectifications and plan deadlines."""
    board = selectors.dashboard(request.user)
    urgent = [
        (c, COMPLAINT_COLOUR[c.status])
        for c in selectors.board_order(
            selectors.visible_complaints(request.user).filter(
                status__in=OPEN_COMPLAINT_STATUSES, due_date__lte=board.today
            ),
            board.today,
        ).select_related("org_unit", "assignee")[:10]
    ]
    return render(
        request,
        "service/home.html",
        {"d": board, "urgent": urgent},
    )


@capability_required(Cap.SERVICE_MANAGE)
@require_http_methods(["GET", "POST"])
def settings_view(request):
    conf = ServiceSettings.current()
    form = SettingsForm(request.POST or None, instance=conf)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.fields}
        if run(
            request,
            form,
            lambda: settings_update(actor=request.user, values=values),
            _("Settings saved."),
        ):
            return redirect("service:settings")
    return render(request, "service/settings.html", {"form": form})
