"""The contractor directory as Excel: the page's search, Chinese headers, phones masked for a
role without full access to personal data, qualifications in one query."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tongqi.pricing.models import Contractor, Qualification

pytestmark = pytest.mark.django_db


def _units(start, stop):
    for n in range(start, stop):
        c = Contractor.objects.create(
            name=f"武汉第{n}管道工程有限公司", contact_name="王工", contact_phone=f"1391234567{n}"
        )
        Qualification.objects.create(
            contractor=c,
            role="builder",
            name="市政公用工程施工总承包",
            level="二级",
            certificate_number=f"D24200010{n}",
            valid_until=date(2030, 1, 1),
        )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"export": "1"}).status_code == 200
    return len(ctx.captured_queries)


def test_contractor_export(people):
    _units(0, 4)
    client = Client()
    client.force_login(people.marketing)
    url = reverse("pricing:contractors")
    client.get(url)
    _queries(client, url)  # the first export also creates the audit chain's head
    few = _queries(client, url)
    _units(4, 12)
    assert _queries(client, url) == few  # no query per unit: the same for 4 units or 4,000
    Contractor.objects.filter(
        name__in=[f"武汉第{n}管道工程有限公司" for n in range(4, 12)]
    ).delete()
    resp = client.get(url, {"export": "1"})
    rows = list(load_workbook(io.BytesIO(resp.getvalue())).active.iter_rows(values_only=True))
    assert rows[0][0] == "名称"
    assert len(rows) == 5
    cells = [str(v) for r in rows for v in r]
    assert "139****5670" in cells and not any("13912345670" in v for v in cells)
    assert "市政公用工程施工总承包" in cells
    # the page's search applies
    resp = client.get(url, {"export": "1", "q": "第2"})
    rows = list(load_workbook(io.BytesIO(resp.getvalue())).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["武汉第2管道工程有限公司"]
