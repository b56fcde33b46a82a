"""Sections of service supervision on the application pages (after gas-on).

Customer: "rate the service" (the survey link) and the answer once given.
Staff: the callback tasks with their result and the survey answer.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongqi.accounts.roles import Cap
from tongqi.applications.choices import Status
from tongqi.applications.panels import Panel, register

from .choices import CALLBACK_COLOUR
from .models import Callback, Survey, SurveyResponse
from .selectors import survey_url_for


def customer_survey_context(request, application) -> dict | None:
    if application.status != Status.GAS_ON:
        return None
    survey = Survey.objects.filter(application_id=application.pk).first()
    response = SurveyResponse.objects.filter(survey=survey).first() if survey else None
    return {
        "survey": survey,
        "response": response,
        "survey_url": None if response else survey_url_for(application, absolute=False),
    }


def staff_callback_context(request, application) -> dict | None:
    if (
        application.status != Status.GAS_ON
        and not Callback.objects.filter(application_id=application.pk).exists()
    ):
        return None
    callbacks = list(
        Callback.objects.filter(application_id=application.pk)
        .select_related("completed_by", "complaint")
        .order_by("created_at")
    )
    survey = Survey.objects.filter(application_id=application.pk).first()
    response = (
        SurveyResponse.objects.select_related("recorded_by").filter(survey=survey).first()
        if survey
        else None
    )
    user = getattr(request, "user", None)
    return {
        "can_open": bool(user is not None and user.is_authenticated and user.can(Cap.SERVICE_VIEW)),
        "callbacks": [(c, CALLBACK_COLOUR[c.status]) for c in callbacks],
        "survey": survey,
        "response": response,
    }


register(
    Panel(
        key="service_survey",
        label=_("Rate our service"),
        template="service/_panel_survey_customer.html",
        context=customer_survey_context,
        order=90,
        staff=False,
        customer=True,
    )
)
register(
    Panel(
        key="service_callback",
        label=_("Callback and satisfaction"),
        template="service/_panel_callback_staff.html",
        context=staff_callback_context,
        order=90,
        staff=True,
        customer=False,
    )
)
