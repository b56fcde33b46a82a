"""Free choice of designer, builder and supervisor; qualifications; expired flagged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tongqi.applications.choices import Status
from tongqi.pricing import selectors
from tongqi.pricing import services as svc
from tongqi.pricing.choices import ContractorRole
from tongqi.pricing.models import Contractor, ContractorChoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(people, db):
    today = timezone.localdate()
    own = svc.contractor_save(actor=people.marketing, name="燃气公司工程建设公司", is_utility=True)
    other = svc.contractor_save(actor=people.marketing, name="甲安装公司")
    late = svc.contractor_save(actor=people.marketing, name="乙监理公司")
    q_own = svc.qualification_save(
        actor=people.marketing,
        contractor=own,
        role=ContractorRole.BUILDER,
        name="市政公用工程施工总承包",
        level="一级",
        certificate_number="D1001",
        valid_until=today + timedelta(days=300),
    )
    q_other = svc.qualification_save(
        actor=people.marketing,
        contractor=other,
        role=ContractorRole.BUILDER,
        name="市政公用工程施工总承包",
        level="二级",
        certificate_number="D2002",
        valid_until=today + timedelta(days=100),
    )
    q_late = svc.qualification_save(
        actor=people.marketing,
        contractor=late,
        role=ContractorRole.SUPERVISOR,
        name="市政公用工程监理",
        level="乙级",
        certificate_number="E3003",
        valid_until=today - timedelta(days=1),
    )
    return {"own": q_own, "other": q_other, "late": q_late}


def test_options_list_every_qualified_unit_in_name_order(directory):
    names = [q.contractor.name for q in selectors.contractor_options(ContractorRole.BUILDER)]
    assert names == sorted(names) and len(names) == 2  # the utility's unit is one among others


def test_customer_chooses_freely_and_an_expired_qualification_is_flagged(
    surveyed, people, directory
):
    c = svc.contractor_choose(
        application=surveyed,
        actor=people.customer,
        role="builder",
        qualification=directory["other"],
    )
    assert c.contractor.name == "甲安装公司" and not c.qualification.expired
    c = svc.contractor_choose(
        application=surveyed,
        actor=people.customer,
        role="supervisor",
        qualification=directory["late"],
    )
    assert c.qualification.expired is True  # recorded, and flagged wherever shown
    # changing the choice replaces it (one per role)
    svc.contractor_choose(
        application=surveyed, actor=people.customer, role="builder", qualification=directory["own"]
    )
    assert ContractorChoice.objects.filter(application=surveyed).count() == 2
    assert selectors.choices_of(surveyed)["builder"].contractor.is_utility


def test_customer_names_a_unit_not_in_the_list(surveyed, people, directory):
    new = svc.NewContractor(
        name="丙设计院",
        qualification_name="市政行业（燃气工程）专业",
        level="乙级",
        certificate_number="A9009",
        valid_until=timezone.localdate() + timedelta(days=30),
    )
    c = svc.contractor_choose(application=surveyed, actor=people.customer, role="designer", new=new)
    assert c.contractor.listed is False  # not offered to other customers
    assert (
        Contractor.objects.get(name="丙设计院").qualifications.get().certificate_number == "A9009"
    )
    with pytest.raises(svc.InvalidInput) as exc:
        svc.contractor_choose(
            application=surveyed,
            actor=people.customer,
            role="designer",
            new=svc.NewContractor("", "", "", "", None),
        )
    assert {"contractor_name", "name", "level", "certificate_number", "valid_until"} <= set(
        exc.value.fields
    )


def test_rules_of_the_choice(org, surveyed, people, directory, make_user):
    with pytest.raises(svc.InvalidInput):  # a supervisor's qualification for the builder
        svc.contractor_choose(
            application=surveyed,
            actor=people.customer,
            role="builder",
            qualification=directory["late"],
        )
    with pytest.raises(svc.Forbidden):
        svc.contractor_choose(
            application=surveyed, actor=make_user(), role="builder", qualification=directory["own"]
        )
    with pytest.raises(svc.Forbidden):
        svc.contractor_choose(
            application=surveyed, actor=people.am_b, role="builder", qualification=directory["own"]
        )
    # the account manager records on the customer's behalf
    svc.contractor_choose(
        application=surveyed, actor=people.am_a, role="builder", qualification=directory["own"]
    )
    surveyed.status = Status.GAS_ON
    surveyed.save(update_fields=["status"])
    with pytest.raises(svc.IllegalTransition):
        svc.contractor_choose(
            application=surveyed,
            actor=people.customer,
            role="builder",
            qualification=directory["other"],
        )


def test_directory_validation(people, db):
    with pytest.raises(svc.InvalidInput) as exc:
        svc.contractor_save(actor=people.marketing, name=" ", uscc="123")
    assert {"name", "uscc"} <= set(exc.value.fields)
    c = svc.contractor_save(actor=people.marketing, name="丁公司")
    with pytest.raises(svc.InvalidInput) as exc:
        svc.qualification_save(
            actor=people.marketing,
            contractor=c,
            role="pilot",
            name="",
            level="",
            certificate_number="",
            valid_until=None,
        )
    assert {"role", "name", "level", "certificate_number", "valid_until"} <= set(exc.value.fields)
