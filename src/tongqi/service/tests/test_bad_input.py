"""Garbage in the forms and query strings of the service pages: field errors or a fallback,
never a server error, nothing half-saved."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tongqi.service.models import Complaint, Inspection, PlanProgress, WindowEvaluation

pytestmark = pytest.mark.django_db

JUNK = ["", " ", "<script>", "abc", "-1", "99999999999999999999", "2026-13-45", "\x00", "☃" * 300]


def test_garbage_never_breaks_a_page(world, people):
    c = Client(raise_request_exception=False)
    c.force_login(people.service)
    w = world
    gets = [
        (
            "service:complaints",
            {"date_from": "x", "view": "nope", "sort": "drop table", "page": "-3"},
        ),
        ("service:complaints_eod", {"day": "2026-02-30"}),
        ("service:briefing", {"month": "9999-99"}),
        ("service:windows", {"period": "<b>", "export": "1"}),
        ("service:plan", {"plan": "x", "status": "y"}),
        ("service:callbacks", {"status": "zz", "sort": "-evil"}),
        ("service:surveys", {"sort": "x", "low": "maybe"}),
        ("service:rectifications", {"status": "overdue", "export": "1"}),
        ("service:inspections", {"level": "moon", "date_to": "never"}),
    ]
    for name, params in gets:
        assert c.get(reverse(name), params).status_code < 500, name
    complaint = w["complaint"]
    for junk in JUNK:
        posts = [
            (
                reverse("service:complaint_new"),
                {
                    "source": junk,
                    "received_at": junk,
                    "title": junk,
                    "content": junk,
                    "assignee": junk,
                    "application_number": junk,
                },
            ),
            (
                reverse("service:complaint_detail", args=[complaint.pk]),
                {"action": "assign", "assign-version": junk, "assign-assignee": junk},
            ),
            (reverse("service:complaint_detail", args=[complaint.pk]), {"action": junk}),
            (
                reverse("service:inspection_new"),
                {"level": junk, "target_unit": junk, "inspected_on": junk},
            ),
            (
                reverse("service:inspection_detail", args=[w["inspection"].pk]),
                {
                    "form": "rectification",
                    "rect-finding": junk,
                    "rect-owner": junk,
                    "rect-due_date": junk,
                },
            ),
            (reverse("service:window_evaluate", args=[w["window"].pk]), {"period": junk}),
            (reverse("service:criteria"), {"c-TOTAL_FORMS": junk, "c-INITIAL_FORMS": junk}),
            (
                reverse("service:plan_task", args=[w["task"].pk]),
                {
                    "form": "progress",
                    "p-version": junk,
                    "p-text": junk,
                    "p-status": junk,
                    "p-percent": junk,
                },
            ),
            (
                reverse("service:settings"),
                {"callback_sample_percent": junk, "survey_valid_days": junk},
            ),
            (
                reverse("service:callback_detail", args=[w["callback"].pk]),
                {"version": junk, "reached": junk},
            ),
            (
                reverse("service:rectification_action", args=[w["rect"].pk, "verify"]),
                {f"r{w['rect'].pk}-version": junk, f"r{w['rect'].pk}-passed": junk},
            ),
        ]
        for url, data in posts:
            resp = c.post(url, data)
            assert resp.status_code < 500, (url, junk, resp.status_code)
    assert Complaint.objects.count() == 1
    assert Inspection.objects.count() == 1
    assert not PlanProgress.objects.exists() and not WindowEvaluation.objects.exists()
