"""The audit log: chained, verifiable, append-only, searchable by the auditor only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import reverse

from tongqi.audit.models import AppendOnlyError, AuditRecord
from tongqi.audit.selectors import audit_verify
from tongqi.audit.services import audit_record, changes_between
from tongqi.testing.matrix import assert_matrix

pytestmark = pytest.mark.django_db


def _records(n: int = 3):
    return [
        audit_record(
            action="update", object_type="test.thing", object_id=i, changes={"x": [i, i + 1]}
        )
        for i in range(n)
    ]


def _tamper(sql: str, params) -> None:
    """Change the table behind the application's back, as an intruder with SQL access would."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_auditrecord_append_only"
            )
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute(
                "ALTER TABLE audit_auditrecord ENABLE TRIGGER audit_auditrecord_append_only"
            )


def test_records_are_chained_and_verify():
    recs = _records(3)
    assert [r.seq for r in recs] == [1, 2, 3]
    assert recs[1].prev_hash == recs[0].hash and recs[2].prev_hash == recs[1].hash
    report = audit_verify()
    assert report.ok and report.checked == 3


def test_verification_detects_an_edited_row():
    recs = _records(3)
    _tamper("UPDATE audit_auditrecord SET reason = %s WHERE seq = %s", ["edited", recs[1].seq])
    report = audit_verify()
    assert not report.ok
    assert any("record 2 was altered" in p for p in report.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_verification_detects_a_missing_row_and_a_missing_tail():
    recs = _records(4)
    _tamper("DELETE FROM audit_auditrecord WHERE seq = %s", [recs[1].seq])
    report = audit_verify()
    assert any("missing" in p for p in report.problems)
    _tamper("DELETE FROM audit_auditrecord WHERE seq = %s", [recs[3].seq])
    report = audit_verify()
    assert any("chain head" in p for p in report.problems)


def test_the_orm_refuses_to_change_or_delete_records():
    rec = _records(1)[0]
    rec.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        rec.save()
    with pytest.raises(AppendOnlyError):
        rec.delete()
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.filter(pk=rec.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=rec.pk).reason == ""


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_trigger_refuses_raw_update_and_delete():
    rec = _records(1)[0]
    for sql in (
        "UPDATE audit_auditrecord SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditrecord WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [rec.pk])
    assert AuditRecord.objects.filter(pk=rec.pk, reason="").exists()


def test_changes_mask_personal_data():
    ch = changes_between(
        {"mobile": "13812345678", "name": "a"},
        {"mobile": "13987654321", "name": "a"},
        pii={"mobile": "mobile"},
    )
    assert ch == {"mobile": ["138****5678", "139****4321"]}


def test_no_admin_or_page_can_edit_the_log(people):
    from django.contrib import admin

    assert AuditRecord not in admin.site._registry
    from django.urls import NoReverseMatch

    for name in ("audit:edit", "audit:delete", "audit:change"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[1])


def test_auditor_pages_permission_matrix(people, settings):
    settings.TONGQI_REQUIRE_2FA = False  # the second factor has its own tests
    _records(2)
    for name in ("audit:list", "audit:verify", "audit:export"):
        assert_matrix(reverse(name), allowed=people.auditor, wrong_role=people.am_a)
    assert_matrix(reverse("audit:list"), wrong_role=people.sysadmin)


def test_auditor_searches_and_exports(people, settings):
    from io import BytesIO

    from django_otp.plugins.otp_totp.models import TOTPDevice
    from openpyxl import load_workbook

    settings.TONGQI_REQUIRE_2FA = False
    TOTPDevice.objects.all().delete()
    audit_record(action="update", object_type="test.thing", object_id=7, reason="find me")
    audit_record(action="create", object_type="test.other", object_id=8)
    client = Client()
    client.force_login(people.auditor)
    resp = client.get(reverse("audit:list"), {"q": "find me"})
    assert resp.status_code == 200
    assert [r.object_id for r in resp.context["page"]] == ["7"]
    resp = client.get(reverse("audit:export"), {"object_type": "test.other"})
    assert resp.status_code == 200
    wb = load_workbook(BytesIO(b"".join(resp.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] in ("序号", "Sequence")
    assert [r[5] for r in rows[1:]] == ["8"]
    assert AuditRecord.objects.filter(action="export").exists()


def test_deferred_records_are_chained_together_at_the_end():
    from tongqi.audit.services import deferred

    with transaction.atomic(), deferred():
        a = audit_record(action="update", object_type="t", object_id=1)
        assert a.pk is None  # not yet written: the head is not locked during the work
        b = audit_record(action="update", object_type="t", object_id=2)
    assert AuditRecord.objects.count() == 2
    a2, b2 = AuditRecord.objects.order_by("seq")
    assert (a2.object_id, b2.object_id) == ("1", "2") and b2.prev_hash == a2.hash
    # written in one statement with the head on PostgreSQL: each record knows its own row
    assert (a.pk, b.pk, a.seq, b.seq) == (a2.pk, b2.pk, a2.seq, b2.seq)
    assert not a._state.adding
    assert audit_verify().ok


def test_deferred_records_vanish_with_a_failed_unit_of_work():
    from tongqi.audit.services import deferred

    def work():
        with transaction.atomic(), deferred():
            audit_record(action="update", object_type="t", object_id=1)
            raise RuntimeError("the business change failed")

    with pytest.raises(RuntimeError):
        work()
    assert AuditRecord.objects.count() == 0
