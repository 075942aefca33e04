"""factory_boy factories for the registry, recognitions and accounts.

Every factory builds a valid, real-looking row (unified social credit codes carry a correct check character)
and never demo data (`is_demo=False`). Reference rows (regions, departments) come from `greentech init`,
which the test database runs once (see greentech/conftest.py); factories look them up by code.
"""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from greentech.recognitions.models import Recognition
from greentech.registry.models import CreditRecord, Department, Organization, Person, Platform, PlatformMember, Region
from greentech.registry.validators import credit_code_check_character

PASSWORD = "correct-horse-battery-staple-42"


def credit_code(number: int, division: str = "210100") -> str:
    """A valid unified social credit code: legal-person enterprise (91), a Liaoning division, a serial number."""
    first17 = f"91{division}{number:09d}"
    return first17 + credit_code_check_character(first17)


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def department(code: str) -> Department:
    return Department.objects.get(code=code)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.cn")
    password = factory.django.Password(PASSWORD)
    is_active = True


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"辽宁测试绿色科技有限公司{n:04d}")
    name_en = factory.Sequence(lambda n: f"Liaoning Test Green Technology Co. {n:04d}")
    kind = Organization.Kind.ENTERPRISE
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    region = factory.LazyFunction(lambda: region("210100"))
    industry = "环保装备"
    is_demo = False

    @factory.post_generation
    def green_categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.green_categories.set(extracted)


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试人员{n:04d}")
    organization = factory.SubFactory(OrganizationFactory)
    is_inventor = True
    is_public = False
    expertise = "余热回收"
    email = factory.Sequence(lambda n: f"person{n}@example.cn")
    phone = "024-12345678"
    external_id = factory.Sequence(lambda n: f"P{n:05d}")
    is_demo = False


class PlatformFactory(DjangoModelFactory):
    class Meta:
        model = Platform
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"辽宁绿色技术创新联盟{n:04d}")
    kind = Platform.Kind.ALLIANCE
    level = Platform.Level.PROVINCIAL
    organization = factory.SubFactory(OrganizationFactory)
    region = factory.LazyFunction(lambda: region("210100"))
    established = datetime.date(2021, 6, 1)
    description = "产学研合作平台"
    is_demo = False


class PlatformMemberFactory(DjangoModelFactory):
    class Meta:
        model = PlatformMember

    platform = factory.SubFactory(PlatformFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = PlatformMember.Role.MEMBER
    joined = datetime.date(2022, 1, 1)


class CreditRecordFactory(DjangoModelFactory):
    class Meta:
        model = CreditRecord

    organization = factory.SubFactory(OrganizationFactory)
    kind = CreditRecord.Kind.IP_INFRINGEMENT
    is_negative = True
    date = datetime.date(2024, 3, 1)
    authority = factory.LazyFunction(lambda: department("gxt"))
    effect = CreditRecord.Effect.FUNDING_BAN
    expires = datetime.date(2027, 3, 1)
    reference = factory.Sequence(lambda n: f"辽工信罚〔2024〕{n}号")
    description = "专利侵权行为纳入信用记录"
    is_demo = False


class RecognitionFactory(DjangoModelFactory):
    class Meta:
        model = Recognition

    kind = Recognition.Kind.GREEN_FACTORY
    level = Recognition.Level.PROVINCIAL
    organization = factory.SubFactory(OrganizationFactory)
    batch = factory.Sequence(lambda n: f"T{n}")
    year = 2024
    granted_on = datetime.date(2024, 12, 20)
    granting_authority = "辽宁省工业和信息化厅"
    granting_department = factory.LazyFunction(lambda: department("gxt"))
    industry = "化工"
    is_demo = False
