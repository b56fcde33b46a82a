"""Submission: validation at every front door, routing, numbering, nothing half-saved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tongqi.accounts.choices import Role
from tongqi.applications.choices import Channel, Status
from tongqi.applications.models import Application, ApplicationEvent, Enterprise
from tongqi.applications.services import InvalidInput
from tongqi.applications.services.submit import (
    ApplianceInput,
    application_create_and_submit,
    application_save_draft,
    application_submit,
    enterprise_upsert,
)
from tongqi.audit.models import AuditRecord
from tongqi.integration.models import OutboxMessage
from tongqi.testing.app_factories import application_input, enterprise_input, submitted_application

pytestmark = pytest.mark.django_db


def test_customer_submission_is_routed_numbered_and_recorded(org, people):
    # given an account manager in the grid of the district
    # when
    app = submitted_application(org, customer=people.customer)
    # then
    assert app.status == Status.SUBMITTED
    assert app.number.startswith("TQ" + timezone.localdate().strftime("%Y%m%d"))
    assert app.grid == org.grid_a and app.org_unit == org.grid_a.unit
    assert app.account_manager == people.am_a
    assert app.peak_load == Decimal("11.800")  # 4.5 × 2 + 2.8
    assert app.privacy_notice_version
    ev = ApplicationEvent.objects.get(application=app, action="submit")
    assert (ev.from_status, ev.to_status, ev.actor) == (
        Status.DRAFT,
        Status.SUBMITTED,
        people.customer,
    )
    assert AuditRecord.objects.filter(action="transition", object_id=str(app.pk)).exists()
    assert OutboxMessage.objects.filter(kind="applications.notify").exists()


@pytest.mark.parametrize(
    ("field", "value", "error_key"),
    [
        ("uscc", "91110108551385082A", "enterprise.uscc"),  # altered check character
        ("uscc", "123", "enterprise.uscc"),
        ("contact_mobile", "12812345678", "enterprise.contact_mobile"),
        ("id_number", "110105194912310021", "enterprise.id_number"),  # wrong check digit
    ],
)
def test_bad_enterprise_data_is_refused_field_by_field(org, field, value, error_key):
    with pytest.raises(InvalidInput) as exc:
        application_create_and_submit(
            actor=None,
            enterprise_data=enterprise_input(5, **{field: value}),
            channel=Channel.GOV,
            data=application_input(org.district_a.code),
        )
    assert error_key in exc.value.fields
    assert Application.objects.count() == 0 and Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({"district_code": "999999"}, "district"),
        ({"appliances": [ApplianceInput("灶", "-1", 1)]}, "appliances.0.rated_flow"),
        ({"appliances": [ApplianceInput("灶", "99999", 1)]}, "appliances.0.rated_flow"),
        ({"appliances": []}, "appliances"),
        ({"annual_consumption": "lots"}, "annual_consumption"),
        ({"desired_gas_on_date": timezone.localdate().replace(year=2020)}, "desired_gas_on_date"),
        ({"privacy_notice_accepted": False}, "privacy_notice_accepted"),
        ({"latitude": "91", "longitude": "114.3"}, "location"),
        ({"usage_type": "spaceship"}, "usage_type"),
    ],
)
def test_bad_application_data_is_refused_and_nothing_is_saved(org, changes, error_key):
    with pytest.raises(InvalidInput) as exc:
        application_create_and_submit(
            actor=None,
            enterprise_data=enterprise_input(6),
            channel=Channel.GOV,
            data=application_input(**{"district_code": org.district_a.code, **changes}),
        )
    assert error_key in exc.value.fields, exc.value.fields
    assert Application.objects.count() == 0
    assert Enterprise.objects.count() == 0


def test_draft_can_be_partial_and_is_submitted_later(org, people):
    ent = enterprise_upsert(data=enterprise_input(7), actor=people.customer)
    draft = application_save_draft(
        actor=people.customer,
        enterprise=ent,
        channel=Channel.MOBILE,
        data=application_input(org.district_a.code, appliances=[], usage_type=""),
    )
    assert draft.status == Status.DRAFT and draft.number is None
    with pytest.raises(InvalidInput) as exc:
        application_submit(actor=people.customer, application=draft, privacy_notice_accepted=True)
    assert {"usage_type", "appliances"} <= set(exc.value.fields)
    draft = application_save_draft(
        actor=people.customer,
        enterprise=ent,
        channel=Channel.MOBILE,
        application=draft,
        data=application_input(org.district_a.code),
    )
    app = application_submit(actor=people.customer, application=draft, privacy_notice_accepted=True)
    assert app.status == Status.SUBMITTED and app.channel == Channel.MOBILE


def test_another_customer_cannot_edit_or_submit_my_draft(org, people, make_user):
    ent = enterprise_upsert(data=enterprise_input(8), actor=people.customer)
    draft = application_save_draft(
        actor=people.customer,
        enterprise=ent,
        channel=Channel.WEB,
        data=application_input(org.district_a.code),
    )
    stranger = make_user(Role.CUSTOMER)
    from tongqi.applications.services import Forbidden

    with pytest.raises(Forbidden):
        application_submit(actor=stranger, application=draft, privacy_notice_accepted=True)
    with pytest.raises(Forbidden):
        application_save_draft(
            actor=stranger,
            enterprise=ent,
            channel=Channel.WEB,
            application=draft,
            data=application_input(org.district_a.code),
        )


def test_counter_clerk_enters_for_a_walk_in(org, people):
    app = application_create_and_submit(
        actor=people.counter_a,
        enterprise_data=enterprise_input(9),
        channel=Channel.COUNTER,
        data=application_input(org.district_a.code),
    )
    assert app.channel == Channel.COUNTER and app.created_by == people.counter_a
    assert app.applicant is None


def test_same_uscc_reuses_the_enterprise(org, people):
    a = submitted_application(org, customer=people.customer, n=3)
    b = submitted_application(org, customer=people.customer, n=3)
    assert a.enterprise_id == b.enterprise_id
    assert Enterprise.objects.count() == 1


def test_a_new_business_applying_gets_its_application_written_once_already_submitted(org, people):
    """PostgreSQL: the new enterprise's insert draws the keys of the application and of its
    event, so the application is inserted once, submitted (no draft row updated, its indexes
    written twice). Elsewhere the draft is inserted, then updated. Either way the row is whole."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        app = application_create_and_submit(
            actor=people.customer,
            enterprise_data=enterprise_input(41),
            channel=Channel.WEB,
            data=application_input(org.district_a.code),
        )
    table = Application._meta.db_table
    inserts = [x for x in q.captured_queries if x["sql"].startswith(f'INSERT INTO "{table}"')]
    updates = [x for x in q.captured_queries if x["sql"].startswith(f'UPDATE "{table}"')]
    assert len(inserts) == 1
    assert len(updates) == (0 if connection.vendor == "postgresql" else 1)
    row = Application.objects.get(pk=app.pk)
    assert row.status == Status.SUBMITTED and row.number == app.number
    assert row.number.endswith(f"{app.pk:07d}")
    assert row.version == app.version and row.account_manager == people.am_a
    assert row.created_at and row.updated_at and row.submitted_at
    assert row.applicant == people.customer and row.appliances.count() == 2
    event = ApplicationEvent.objects.get(application=app)
    assert (event.from_status, event.to_status) == (Status.DRAFT, Status.SUBMITTED)
    assert people.customer in row.enterprise.members.all()
    # a business that applied before: its enterprise is not inserted, so nothing was drawn
    again = application_create_and_submit(
        actor=people.customer,
        enterprise_data=enterprise_input(41),
        channel=Channel.WEB,
        data=application_input(org.district_a.code),
    )
    assert again.enterprise_id == app.enterprise_id and again.pk != app.pk
    assert Application.objects.get(pk=again.pk).status == Status.SUBMITTED
