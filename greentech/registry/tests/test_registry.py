"""Registry rules: credit codes, registering an organization, credit records and eligibility, brokers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from greentech.core.permissions import Action, can
from greentech.registry import services
from greentech.registry.models import CreditRecord, Organization, Person
from greentech.registry.validators import CREDIT_CODE_CHARSET, credit_code_check_character, validate_credit_code
from greentech.testing import factories

# Published codes: 华为技术有限公司, 深圳市腾讯计算机系统有限公司, 阿里巴巴（中国）有限公司
REAL_CODES = ["914403001922038216", "91440300708461136T", "91330100716105852F"]


def messages(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


# --- unified social credit codes -------------------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_CODES + [factories.credit_code(n) for n in (1, 42, 999_999_999)])
def test_valid_credit_codes(code):
    assert credit_code_check_character(code[:17]) == code[17]
    validate_credit_code(code)
    validate_credit_code(code.lower())
    validate_credit_code(f"  {code} ")


def test_check_character_uses_the_31_character_set():
    assert len(CREDIT_CODE_CHARSET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_CHARSET)
    characters = {credit_code_check_character(f"9121010000000{n:04d}") for n in range(200)}
    assert characters <= set(CREDIT_CODE_CHARSET)
    assert len(characters) == 31  # every check character occurs


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("91440300708461136", "credit_code_length", "has 18 characters; 91440300708461136 has 17"),
        ("91440300708461136TX", "credit_code_length", "has 19"),
        ("", "credit_code_length", "has 0"),
        ("91440300708461136I", "credit_code_charset", "cannot have: I"),
        ("9144030O708461136T", "credit_code_charset", "cannot have: O"),
        ("91440300708461136Z", "credit_code_charset", "cannot have: Z"),
        ("S1440300708461136V", "credit_code_charset", "cannot have: SV"),
        ("91440300708461136A", "credit_code_check_digit", "the last character should be T"),
        ("914403001922038217", "credit_code_check_digit", "the last character should be 6"),
    ],
)
def test_invalid_credit_codes(value, code, fragment):
    with pytest.raises(ValidationError) as error:
        validate_credit_code(value)
    assert error.value.code == code
    assert fragment in messages(error.value)


def test_invalid_credit_code_message_in_chinese():
    with pytest.raises(ValidationError) as error:
        validate_credit_code("91440300708461136A")
    with translation.override("zh-hans"):
        text = " ".join(error.value.messages)
    assert "91440300708461136A" in text
    assert "T" in text
    assert text != messages(error.value)


@pytest.mark.django_db
def test_organization_full_clean_checks_the_credit_code_and_save_normalises_it():
    with pytest.raises(ValidationError) as error:
        Organization(name="校验位错误企业", kind="enterprise", credit_code="91440300708461136A").full_clean()
    assert set(error.value.message_dict) == {"credit_code"}
    organization = Organization(name="小写代码企业", kind="enterprise", credit_code=REAL_CODES[1].lower())
    organization.full_clean()
    organization.save()
    assert Organization.objects.get(pk=organization.pk).credit_code == REAL_CODES[1]
    blank = Organization.objects.create(name="无代码企业", kind="enterprise", credit_code="")
    assert Organization.objects.get(pk=blank.pk).credit_code is None


@pytest.mark.django_db
def test_a_credit_code_in_other_letter_case_is_still_a_duplicate(member_org):
    """Validation must see what save() will store (upper-case), or the database constraint fails instead."""
    taken = Organization.objects.create(name="已登记企业", kind="enterprise", credit_code=REAL_CODES[1])
    duplicate = Organization(name="重复登记企业", kind="enterprise", credit_code=taken.credit_code.lower())
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "credit_code" in error.value.message_dict


# --- registering an organization --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_register_organization_makes_the_creator_a_member_who_can_keep_it():
    user = factories.UserFactory(username="founder")
    organization = Organization(
        name="辽宁新注册绿色科技有限公司", kind="enterprise", credit_code=factories.credit_code(77)
    )
    assert not can(user, Action.CHANGE, factories.OrganizationFactory())
    services.register_organization(user, organization)
    assert organization.pk is not None
    assert list(user.role_assignments.values_list("role", "organization")) == [("member", organization.pk)]
    assert can(user, Action.CHANGE, organization)
    from greentech.core import services as core_services

    core_services.update(user, organization, {"industry": "新能源"})
    assert Organization.objects.get(pk=organization.pk).industry == "新能源"
    record = organization.history.earliest()
    assert (record.history_type, record.history_user) == ("+", user)


@pytest.mark.django_db
def test_anonymous_visitors_cannot_register_an_organization(visitor):
    before = Organization.objects.count()
    with pytest.raises(PermissionDenied):
        services.register_organization(visitor, Organization(name="匿名注册企业", kind="enterprise"))
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_a_failed_registration_leaves_no_role_behind():
    user = factories.UserFactory(username="founder")
    with pytest.raises(ValidationError):
        services.register_organization(user, Organization(name="", kind="enterprise"))
    assert not user.role_assignments.exists()


# --- credit records and eligibility -----------------------------------------------------------------------------

TODAY = datetime.date(2025, 6, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("date", "expires", "active"),
    [
        (datetime.date(2025, 1, 1), None, True),
        (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1), True),
        (datetime.date(2025, 1, 1), TODAY, True),  # the expiry day is still covered
        (TODAY, TODAY, True),
        (datetime.date(2024, 1, 1), datetime.date(2025, 5, 31), False),  # expired the day before
        (datetime.date(2025, 6, 2), None, False),  # not yet in force
    ],
)
def test_credit_record_active_on_a_date(member_org, gxt, date, expires, active):
    record = factories.CreditRecordFactory(organization=member_org, authority=gxt, date=date, expires=expires)
    assert record.is_active(TODAY) is active
    assert (record in CreditRecord.objects.active(TODAY)) is active
    assert (record in member_org.active_credit_records(TODAY)) is active


@pytest.mark.django_db
def test_credit_record_validation(member_org, gxt):
    with pytest.raises(ValidationError) as error:
        CreditRecord(
            organization=member_org, kind="other", date=TODAY, expires=datetime.date(2025, 1, 1), authority=gxt
        ).full_clean()
    assert set(error.value.message_dict) == {"expires"}
    with pytest.raises(ValidationError) as error:
        CreditRecord(organization=member_org, kind="other", date=TODAY).full_clean()
    assert set(error.value.message_dict) == {"authority"}
    CreditRecord(organization=member_org, kind="other", date=TODAY, authority_name="沈阳海关").full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("effect", "is_negative", "funding", "procurement"),
    [
        ("none", True, True, True),
        ("warning", True, True, True),
        ("funding_ban", True, False, True),
        ("procurement_ban", True, True, False),
        ("joint_punishment", True, False, False),
        ("joint_punishment", False, True, True),  # a positive record never bars
    ],
)
def test_eligibility_follows_the_effects_of_active_negative_records(
    member_org, gxt, effect, is_negative, funding, procurement
):
    record = factories.CreditRecordFactory(
        organization=member_org,
        authority=gxt,
        effect=effect,
        is_negative=is_negative,
        date=datetime.date(2025, 1, 1),
        expires=None,
    )
    result = services.eligibility(member_org, TODAY)
    assert (result["eligible_for_funding"], result["eligible_for_procurement"]) == (funding, procurement)
    assert result["records"] == ([record] if is_negative else [])


@pytest.mark.django_db
def test_eligibility_ignores_expired_and_future_records_and_other_organizations(member_org, other_org, gxt):
    factories.CreditRecordFactory(
        organization=member_org,
        authority=gxt,
        effect="joint_punishment",
        date=datetime.date(2020, 1, 1),
        expires=datetime.date(2023, 1, 1),
    )
    factories.CreditRecordFactory(
        organization=member_org, authority=gxt, effect="joint_punishment", date=datetime.date(2026, 1, 1)
    )
    factories.CreditRecordFactory(
        organization=other_org, authority=gxt, effect="joint_punishment", date=datetime.date(2025, 1, 1)
    )
    assert services.eligibility(member_org, TODAY) == {
        "eligible_for_funding": True,
        "eligible_for_procurement": True,
        "records": [],
    }
    assert services.eligibility(member_org, datetime.date(2022, 1, 1))["eligible_for_funding"] is False
    assert services.eligibility(other_org, TODAY)["eligible_for_procurement"] is False


# --- people -----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_broker_needs_a_licence_number(member_org):
    broker = Person(name="无证经纪人", organization=member_org, is_broker=True)
    for language, text in (("en", "A technology broker needs a licence number."), ("zh-hans", "经纪人")):
        with translation.override(language), pytest.raises(ValidationError) as error:
            broker.full_clean()
        assert text in " ".join(error.value.messages)
    with pytest.raises(IntegrityError), transaction.atomic():
        broker.save()
    broker.broker_licence_number = "辽技经〔2024〕018"
    broker.full_clean()
    broker.save()
    assert Person.objects.get(pk=broker.pk).is_broker
    Person(name="发明人", organization=member_org, is_inventor=True).full_clean()  # others need none
