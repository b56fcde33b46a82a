"""List pages count at most COUNT_CAP + 1 rows and say so honestly above the cap."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from tongqi.accounts.models import OrgUnit
from tongqi.web.listing import paginate

pytestmark = pytest.mark.django_db


def _units(n):
    OrgUnit.objects.bulk_create(
        [OrgUnit(name=f"u{i}", code=f"u{i}", kind="grid") for i in range(n)]
    )
    return OrgUnit.objects.order_by("pk")


def test_exact_below_the_cap():
    request = RequestFactory().get("/x/")
    page = paginate(request, _units(7), per_page=2, cap=10)
    assert page.paginator.count == 7 and not page.paginator.capped
    assert page.paginator.num_pages == 4


def test_capped_above_and_the_page_says_so(django_assert_max_num_queries):
    request = RequestFactory().get("/x/", {"page": "99"})
    qs = _units(12)
    with django_assert_max_num_queries(2):
        page = paginate(request, qs, per_page=2, cap=5)
        assert page.paginator.count == 5 and page.paginator.capped
        assert page.number == 3  # the last page within the cap
        assert len(list(page.object_list)) == 1
    html = render_to_string("web/_pagination.html", {"page": page, "request": request})
    assert "5" in html and ("More than" in html or "超过" in html)


def test_capped_count_of_a_tab_renders_with_a_plus():
    from django.template import Context, Template

    from tongqi.web.listing import capped_count

    qs = _units(4)
    assert capped_count(qs, cap=10) == 4 and not capped_count(qs, cap=10).capped
    many = capped_count(qs, cap=3)
    assert many == 3 and many.capped
    assert Template("{{ n }}").render(Context({"n": many})) == "3+"
    assert Template("{{ n }}").render(Context({"n": capped_count(qs, cap=10)})) == "4"
