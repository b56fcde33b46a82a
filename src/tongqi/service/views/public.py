"""The public survey page: opened from the SMS link or the certificate's QR code, no sign-in.

Rate-limited per client address (``TONGQI_SURVEY_RATE_LIMIT = (requests, seconds)``, default 30
per 10 minutes) through Django's cache: in production configure a shared cache (Redis or the
database cache) so that every web worker counts together.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tongqi.core.context import acting
from tongqi.web.middleware import client_ip

from ..choices import Aspect
from ..forms import SurveyForm
from ..services import survey_answer, survey_resolve
from ..services.errors import ServiceError, SurveyClosed
from ..services.surveys import SCORE_FIELDS


def rate_limited(request, scope: str = "survey") -> bool:
    limit, window = getattr(settings, "TONGQI_SURVEY_RATE_LIMIT", (30, 600))
    key = f"tq:rl:{scope}:{client_ip(request) or '-'}"
    if cache.add(key, 1, window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return False
    return count > limit


@never_cache
@require_http_methods(["GET", "POST"])
def survey_public(request, token: str):
    if rate_limited(request):
        return render(request, "service/survey_public.html", {"state": "limited"}, status=429)
    with acting(channel="web"):
        link = survey_resolve(token)
    status = {"open": 200, "answered": 200, "expired": 410, "invalid": 404}[link.state]
    ctx = {"state": link.state, "app": link.application, "survey": link.survey}
    if link.state != "open":
        if request.method == "POST" and link.state == "answered":
            status = 409
        return render(request, "service/survey_public.html", ctx, status=status)
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with acting(channel="web"):
                survey_answer(
                    survey=link.survey,
                    scores={f: d[f] for f in SCORE_FIELDS},
                    comment=d["comment"],
                )
        except SurveyClosed as exc:
            state = "expired" if exc.code == "survey_expired" else "answered"
            return render(
                request, "service/survey_public.html", {**ctx, "state": state}, status=409
            )
        except ServiceError as exc:
            for name, msgs in exc.fields.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        else:
            return render(request, "service/survey_public.html", {**ctx, "state": "thanks"})
    ctx.update({"form": form, "score_fields": [form[f] for f in SCORE_FIELDS], "aspects": Aspect})
    return render(request, "service/survey_public.html", ctx)
