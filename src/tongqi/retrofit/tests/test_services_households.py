"""Households: registration, the sign-up → installation → gas-on machine, counts, the phone."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tongqi.audit.choices import AuditAction
from tongqi.audit.models import AuditRecord
from tongqi.retrofit import selectors, services
from tongqi.retrofit.choices import (
    HouseholdAction,
    HouseholdStatus,
    Stage,
)
from tongqi.retrofit.errors import ConflictError, RetrofitError
from tongqi.retrofit.models import Household, HouseholdEvent
from tongqi.retrofit.services.households import HOUSEHOLD_TRANSITIONS

pytestmark = pytest.mark.django_db
H = HouseholdStatus


def test_create_normalises_the_flat_and_validates_the_phone(project, people):
    h = services.household_create(
        project=project,
        actor=people.engineer_a,
        building="３栋",
        unit="2单元",
        room="502室",
        contact_name=" 张桂英 ",
        phone="+86 138-1234-5678",
    )
    assert (h.building, h.unit, h.room, h.phone) == ("3", "2", "502", "13812345678")
    assert h.label == "3栋2单元502" and h.contact_name == "张桂英"
    assert HouseholdEvent.objects.get(household=h).action == HouseholdAction.CREATE
    rec = AuditRecord.objects.get(action=AuditAction.CREATE, object_type="retrofit.household")
    assert rec.changes["phone"] == [None, "138****5678"]  # masked in the audit log
    with pytest.raises(RetrofitError) as exc:
        services.household_create(
            project=project,
            actor=people.engineer_a,
            building="3",
            unit="2",
            room="502",
            contact_name="李四",
            phone="13900000000",
        )
    assert exc.value.code == "household_exists" and exc.value.field == "room"
    with pytest.raises(RetrofitError) as exc:
        services.household_create(
            project=project,
            actor=people.engineer_a,
            building="3",
            room="601",
            contact_name="李四",
            phone="027-8888888",
        )
    assert exc.value.code == "mobile_format" and exc.value.field == "phone"
    assert Household.objects.count() == 1


def test_sign_up_install_connect_happy_path(project, people, add_household, at_stage):
    h = add_household(project)
    h = services.household_sign_up(household=h, actor=people.engineer_a, expected_version=1)
    assert h.status == H.WILLING and h.signed_up_on is not None
    at_stage(project, Stage.CONSTRUCTION)
    h = services.household_install(household=h, actor=people.engineer_a, expected_version=2)
    assert h.status == H.INSTALLED and h.installed_on is not None
    at_stage(project, Stage.GAS_ON)
    h = services.household_connect(household=h, actor=people.engineer_a, expected_version=3)
    assert h.status == H.CONNECTED and h.connected_on is not None
    actions = list(
        HouseholdEvent.objects.filter(household=h)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "sign_up", "install", "connect"]


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (action, status)
        for action, t in HOUSEHOLD_TRANSITIONS.items()
        for status in H.values
        if status not in t.from_status
    ],
)
def test_every_illegal_source_status_is_refused(project, people, at_stage, action, status):
    # given a project at gas-on (so no stage guard applies) and a household in ``status``
    at_stage(project, Stage.GAS_ON)
    h = Household.objects.create(
        project=project, building="9", room="901", contact_name="王五", phone="13700000000"
    )
    Household.objects.filter(pk=h.pk).update(status=status)
    kwargs = {"reason": "测试"} if action == HouseholdAction.WITHDRAW else {}
    # when / then
    with pytest.raises(RetrofitError) as exc:
        services.HOUSEHOLD_ACTION_FUNCTIONS[action](
            household=h, actor=people.engineer_a, expected_version=None, **kwargs
        )
    assert exc.value.code == "illegal_transition"
    assert Household.objects.get(pk=h.pk).status == status


def test_installation_and_gas_on_wait_for_their_stage(project, people, add_household, at_stage):
    h = add_household(project, status=H.WILLING)
    with pytest.raises(RetrofitError) as exc:
        services.household_install(household=h, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "stage_too_early"
    at_stage(project, Stage.CONSTRUCTION)
    h = services.household_install(household=h, actor=people.engineer_a, expected_version=None)
    with pytest.raises(RetrofitError) as exc:
        services.household_connect(household=h, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "stage_too_early"


def test_nothing_moves_while_the_project_is_suspended(project, people, add_household):
    h = add_household(project)
    services.project_suspend(
        project=project, actor=people.engineer_a, expected_version=None, reason="停工"
    )
    with pytest.raises(RetrofitError) as exc:
        services.household_sign_up(household=h, actor=people.engineer_a, expected_version=None)
    assert exc.value.code == "project_not_active"


def test_withdraw_needs_a_reason_and_can_sign_up_again(project, people, add_household):
    h = add_household(project, status=H.WILLING)
    with pytest.raises(RetrofitError) as exc:
        services.household_withdraw(
            household=h, actor=people.engineer_a, expected_version=None, reason=""
        )
    assert exc.value.code == "reason_required"
    h = services.household_withdraw(
        household=h, actor=people.engineer_a, expected_version=None, reason="房屋出售"
    )
    assert h.status == H.WITHDRAWN
    h = services.household_sign_up(household=h, actor=people.engineer_a, expected_version=None)
    assert h.status == H.WILLING


def test_concurrent_household_actions_cannot_both_win(project, people, add_household):
    h = add_household(project)
    services.household_sign_up(household=h, actor=people.engineer_a, expected_version=1)
    with pytest.raises(ConflictError):
        services.household_decline(household=h, actor=people.engineer_a, expected_version=1)
    assert Household.objects.get(pk=h.pk).status == H.WILLING


def test_household_counts(project, other_project, people, add_household, at_stage):
    # given households in several states (and one in another project, which must not count)
    for status, n in ((H.PENDING, 2), (H.WILLING, 3), (H.DECLINED, 1)):
        for _ in range(n):
            add_household(project, status=status)
    at_stage(project, Stage.GAS_ON)
    willing = list(project.households.filter(status=H.WILLING))
    for h in willing[:2]:
        services.household_install(household=h, actor=people.engineer_a, expected_version=None)
    services.household_connect(household=willing[0], actor=people.engineer_a, expected_version=None)
    services.household_create(
        project=other_project,
        actor=other_project.created_by,
        building="1",
        room="101",
        contact_name="赵六",
        phone="13600000000",
        status=H.WILLING,
    )
    # when
    counts = selectors.household_counts(project)
    annotated = selectors.project_get(people.engineer_a, project.pk)
    # then
    assert counts["registered"] == 6
    assert counts["signed"] == 3
    assert (counts[H.PENDING], counts[H.DECLINED], counts[H.INSTALLED], counts[H.CONNECTED]) == (
        2,
        1,
        1,
        1,
    )
    assert (annotated.n_registered, annotated.n_signed, annotated.n_installed) == (6, 3, 2)
    assert annotated.n_connected == 1


def test_full_phone_is_for_the_team_and_audited(project, people, add_household):
    h = add_household(project, phone="13912345678")
    assert (
        services.household_reveal_phone(household=h, actor=people.engineer_a, reason="回访")
        == "13912345678"
    )
    rec = AuditRecord.objects.get(action=AuditAction.VIEW_PII)
    assert rec.actor == people.engineer_a and rec.object_id == str(h.pk)
    with pytest.raises(PermissionDenied):
        services.household_reveal_phone(household=h, actor=people.marketing)  # no PII_FULL
    with pytest.raises(PermissionDenied):
        services.household_reveal_phone(household=h, actor=people.am_b)  # other grid


def test_update_refuses_a_flat_taken_by_another_household(project, people, add_household):
    a = add_household(project, room="101")
    add_household(project, room="102")
    with pytest.raises(RetrofitError) as exc:
        services.household_update(
            household=a,
            actor=people.engineer_a,
            expected_version=a.version,
            building="1",
            unit="1",
            room="102",
            contact_name="张三",
            phone="13800000000",
        )
    assert exc.value.code == "household_exists"
    a = services.household_update(
        household=a,
        actor=people.engineer_a,
        expected_version=a.version,
        building="1",
        unit="1",
        room="103",
        contact_name="张三",
        phone="13800000009",
    )
    assert a.room == "103" and a.version == 2
