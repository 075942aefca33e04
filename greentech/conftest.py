"""Shared fixtures: the reference data (loaded once per test database) and one user per platform role.

`greentech init --skip-migrate` runs once, right after pytest-django has created the test database, so every
test starts from the reference data (regions, departments, catalogues, code patterns, MIIT recognitions) and
its changes are rolled back at the end of the test. Tests must therefore not use `transaction=True` (it would
flush the reference data for the tests after it).
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from greentech.accounts.services import assign_role, create_admin
from greentech.core.permissions import SYSTEM, Role
from greentech.registry.models import Department, Organization
from greentech.testing import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("init", skip_migrate=True, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture(scope="session", autouse=True)
def _jobs_run_where_queued():
    """The suite runs each job in the enqueuing process once the transaction commits (GREENTECH_JOBS_URL=immediate),
    through the same runner a worker uses; core/tests/test_jobs.py runs the real engines with real workers."""
    from django.conf import settings

    from greentech.core import jobs

    settings.GREENTECH_JOBS_URL = "immediate"
    jobs.reset_engine()
    yield
    jobs.reset_engine()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: its database is rolled back after it, and what an earlier test
    cached (keyed by that test's stamps, core.freshness) must not meet data written without signals."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts: hash their passwords cheaply (production keeps Django's PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- organizations and departments the roles are held in ----------------------------------------------------


@pytest.fixture
def member_org(db):
    return factories.OrganizationFactory(name="沈阳绿源环保科技有限公司", kind=Organization.Kind.ENTERPRISE)


@pytest.fixture
def other_org(db):
    return factories.OrganizationFactory(
        name="大连蓝海新能源有限公司", kind=Organization.Kind.ENTERPRISE, region=factories.region("210200")
    )


@pytest.fixture
def agency_org(db):
    return factories.OrganizationFactory(name="辽宁技术转移服务中心", kind=Organization.Kind.INTERMEDIARY)


@pytest.fixture
def evaluator_org(db):
    return factories.OrganizationFactory(name="辽宁绿色认证评价中心", kind=Organization.Kind.EVALUATOR)


@pytest.fixture
def bank_org(db):
    return factories.OrganizationFactory(name="盛京绿色银行沈阳分行", kind=Organization.Kind.BANK)


@pytest.fixture
def gxt(db):
    """省工业和信息化厅, from the reference data."""
    return Department.objects.get(code="gxt")


# --- one user per role ---------------------------------------------------------------------------------------


@pytest.fixture
def visitor():
    return AnonymousUser()


@pytest.fixture
def member(member_org):
    user = factories.UserFactory(username="member")
    assign_role(SYSTEM, user, Role.MEMBER, organization=member_org)
    return user


@pytest.fixture
def other_member(other_org):
    user = factories.UserFactory(username="other_member")
    assign_role(SYSTEM, user, Role.MEMBER, organization=other_org)
    return user


@pytest.fixture
def broker(agency_org):
    user = factories.UserFactory(username="broker")
    assign_role(SYSTEM, user, Role.BROKER, organization=agency_org)
    return user


@pytest.fixture
def evaluator(evaluator_org):
    user = factories.UserFactory(username="evaluator")
    assign_role(SYSTEM, user, Role.EVALUATOR, organization=evaluator_org)
    return user


@pytest.fixture
def finance_officer(bank_org):
    user = factories.UserFactory(username="finance_officer")
    assign_role(SYSTEM, user, Role.FINANCE_OFFICER, organization=bank_org)
    return user


@pytest.fixture
def department_officer(gxt):
    user = factories.UserFactory(username="department_officer")
    assign_role(SYSTEM, user, Role.DEPARTMENT_OFFICER, department=gxt)
    return user


@pytest.fixture
def admin(db):
    return create_admin("admin", "admin@example.cn", factories.PASSWORD)


ROLES = ["visitor", "member", "other_member", "broker", "evaluator", "finance_officer", "department_officer", "admin"]


@pytest.fixture
def user_for(request):
    """`user_for("broker")`: the user of a role fixture, for tests parametrized over role names."""

    def get(role: str):
        return request.getfixturevalue(role)

    return get


# --- API ------------------------------------------------------------------------------------------------------


@pytest.fixture
def api_client():
    """`api_client(user)`: a DRF APIClient authenticated as `user` (anonymous for None or AnonymousUser)."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None and user.is_authenticated:
            client.force_authenticate(user=user)
        return client

    return make


# --- browser tests: one production server and Chromium for the whole suite (greentech/testing/browser.py) -----

from greentech.testing.browser import artifacts_dir, greentech_server, playwright_browser, visit  # noqa: E402, F401
