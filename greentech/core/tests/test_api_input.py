"""Hostile request bodies answer a clear JSON 400, never a 500 or an HTML page (issue 15, finding 9)."""

from __future__ import annotations

import pytest
import tablib

from greentech.core import imports
from greentech.registry.models import Organization

pytestmark = pytest.mark.django_db

API = "/api/v1/organizations/"


@pytest.fixture
def api_client(api_client):
    """The API client asking for English (the platform's default language is Chinese)."""

    def make(user=None):
        client = api_client(user)
        client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


def test_json_nested_a_thousand_deep_answers_a_json_400(api_client, member):
    body = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"
    response = api_client(member).post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "nested" in response.json()["detail"]


def test_json_nested_a_hundred_thousand_deep_answers_a_json_400(api_client, member):
    body = "[" * 100_000 + "]" * 100_000
    response = api_client(member).post(API, body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")


def test_an_over_size_body_answers_a_json_400(api_client, member, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = '{"name": "' + "x" * 20_000 + '", "kind": "enterprise"}'
    response = api_client(member).post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]


def test_an_over_size_form_body_on_a_page_keeps_the_html_400(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post("/accounts/signup/", {"username": "x" * 20_000})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_byte_in_a_name_is_refused_through_the_api(api_client, member):
    response = api_client(member).post(API, {"name": "零\x00字节有限公司", "kind": "enterprise"}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    assert not Organization.objects.filter(name__startswith="零").exists()


def test_a_nul_byte_in_an_imported_cell_is_refused(member):
    table = tablib.Dataset(headers=["name", "kind", "description"])
    table.append(["零\x00字节有限公司", "enterprise", "正常"])
    report = imports.run_import("organizations", table, user=member)
    assert not report.ok
    assert [error.column for error in report.errors] == ["name"]
    assert "NUL" in report.errors[0].text("en")
    assert not Organization.objects.filter(name__startswith="零").exists()
