"""Fields a role may not set are refused the same way on every path (issue 15, finding 4): only administrators
make an organization a government one, through the portal form, the API or an import."""

from __future__ import annotations

import pytest
import tablib
from django.test import Client
from django.urls import reverse

from greentech.core import imports
from greentech.registry.models import Organization
from greentech.registry.services import check_organization_fields

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"
GOVERNMENT = Organization.Kind.GOVERNMENT
NEW_NAME = "辽宁省冒充厅"


def _refused_on_kind(response):
    assert response.status_code == 400, response.content
    assert "kind" in response.json()


def test_the_api_refuses_registering_a_government_organization(api_client, other_member):
    client = api_client(other_member)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(API, {"name": NEW_NAME, "kind": GOVERNMENT}, format="json")
    _refused_on_kind(response)
    assert "administrators" in str(response.json()["kind"])
    assert not Organization.objects.filter(name=NEW_NAME).exists()


def test_the_api_refuses_a_member_turning_their_organization_into_a_government_one(api_client, member, member_org):
    response = api_client(member).patch(f"{API}{member_org.pk}/", {"kind": GOVERNMENT}, format="json")
    _refused_on_kind(response)
    member_org.refresh_from_db()
    assert member_org.kind != GOVERNMENT
    assert (
        api_client(member).patch(f"{API}{member_org.pk}/", {"industry": "环保装备"}, format="json").status_code == 200
    )


def test_an_administrator_enters_a_government_organization_and_its_members_keep_its_kind(api_client, admin, member):
    from greentech.accounts.services import assign_role
    from greentech.core.permissions import SYSTEM, Role

    response = api_client(admin).post(API, {"name": NEW_NAME, "kind": GOVERNMENT}, format="json")
    assert response.status_code == 201, response.content
    organization = Organization.objects.get(name=NEW_NAME)
    assign_role(SYSTEM, member, Role.MEMBER, organization=organization)
    edited = api_client(member).patch(f"{API}{organization.pk}/", {"industry": "政务"}, format="json")
    assert edited.status_code == 200 and edited.json()["kind"] == GOVERNMENT


def _organization_table(name, kind):
    table = tablib.Dataset(headers=["name", "kind"])
    table.append([name, kind])
    return table


def test_an_import_refuses_a_new_government_organization_from_a_member(other_member):
    report = imports.run_import("organizations", _organization_table(NEW_NAME, GOVERNMENT), user=other_member)
    assert not report.ok
    assert [error.column for error in report.errors] == ["kind"]
    assert "administrators" in report.errors[0].text("en")
    assert not Organization.objects.filter(name=NEW_NAME).exists()


def test_an_import_refuses_a_member_changing_their_organization_to_government(member, member_org):
    report = imports.run_import("organizations", _organization_table(member_org.name, GOVERNMENT), user=member)
    assert [error.column for error in report.errors] == ["kind"]
    member_org.refresh_from_db()
    assert member_org.kind != GOVERNMENT


def test_an_administrators_import_may_enter_a_government_organization(admin):
    report = imports.run_import("organizations", _organization_table(NEW_NAME, GOVERNMENT), user=admin)
    assert report.ok, [error.as_dict() for error in report.errors]
    assert Organization.objects.get(name=NEW_NAME).kind == GOVERNMENT


def test_the_portal_form_refuses_a_government_organization(member, member_org):
    client = Client()
    client.force_login(member)
    created = client.post(reverse("registry:organization_add"), {"name": NEW_NAME, "kind": GOVERNMENT})
    assert created.status_code == 200 and not Organization.objects.filter(name=NEW_NAME).exists()
    edit = reverse("registry:organization_edit", args=[member_org.pk])
    changed = client.post(edit, {"name": member_org.name, "kind": GOVERNMENT})
    assert changed.status_code == 200
    member_org.refresh_from_db()
    assert member_org.kind != GOVERNMENT


def test_the_rule_lives_in_the_registry_service(member, admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        check_organization_fields(member, GOVERNMENT)
    assert list(error.value.error_dict) == ["kind"]
    check_organization_fields(member, GOVERNMENT, stored_kind=GOVERNMENT)  # kept, not set
    check_organization_fields(admin, GOVERNMENT)
    check_organization_fields(member, Organization.Kind.ENTERPRISE)
