"""The record of the terms of use accepted: at sign-up, on the account and terms pages, a new version asked for
again, and who sees the records."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from greentech.accounts import models, services
from greentech.accounts.models import TermsOfUseAcceptance
from greentech.testing import factories

ACCEPT = "/accounts/terms/accept/"
ACCOUNT = "/accounts/me/"
PASSWORD = "lvse-jishu-2026-Shenyang"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def test_sign_up_records_the_version_accepted_and_the_address(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "li.na",
            "email": "li.na@example.cn",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "accept_terms": "on",
        },
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="li.na")
    acceptance = TermsOfUseAcceptance.objects.get(user=user)
    assert (acceptance.version, acceptance.address) == (models.TERMS_VERSION, "203.0.113.9")
    page = client.get(ACCOUNT).content.decode()
    assert f"版本 {models.TERMS_VERSION}" in page and 'id="terms-accept"' not in page


def test_a_refused_sign_up_records_no_acceptance(client):
    response = client.post("/accounts/signup/", {"username": "li.na", "email": "li.na@example.cn"})
    assert response.status_code == 200
    assert not TermsOfUseAcceptance.objects.exists() and not get_user_model().objects.filter(username="li.na").exists()


def test_an_account_without_an_acceptance_is_asked_and_accepts_once(client):
    user = factories.UserFactory(username="wang.fang")  # made by an administrator: never accepted
    client.force_login(user)
    page = client.get(ACCOUNT).content.decode()
    assert 'id="terms-accept"' in page and "尚未接受" in page
    assert 'id="terms-accept"' in client.get(reverse("accounts:terms")).content.decode()
    response = client.post(ACCEPT, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302 and response.url == ACCOUNT
    assert client.post(ACCEPT, REMOTE_ADDR="192.0.2.1").status_code == 302  # again: the first acceptance stands
    acceptance = TermsOfUseAcceptance.objects.get(user=user)
    assert (acceptance.version, acceptance.address) == (models.TERMS_VERSION, "198.51.100.7")
    assert 'id="terms-accept"' not in client.get(ACCOUNT).content.decode()
    assert 'id="terms-accepted"' in client.get(reverse("accounts:terms")).content.decode()


def test_a_new_version_of_the_terms_is_asked_for_again(client, monkeypatch):
    user = factories.UserFactory(username="zhao.lei")
    services.accept_terms(user)
    client.force_login(user)
    assert 'id="terms-accept"' not in client.get(ACCOUNT).content.decode()
    first = models.TERMS_VERSION
    monkeypatch.setattr(models, "TERMS_VERSION", "2099-01-01")  # the text changed
    page = client.get(ACCOUNT).content.decode()
    assert 'id="terms-accept"' in page and "2099-01-01" in page
    assert client.post(ACCEPT).status_code == 302
    assert sorted(TermsOfUseAcceptance.objects.filter(user=user).values_list("version", flat=True)) == [
        first,
        "2099-01-01",
    ]
    assert 'id="terms-accept"' not in client.get(ACCOUNT).content.decode()


def test_accepting_needs_a_signed_in_user_and_a_post(client):
    response = Client().post(ACCEPT)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    user = factories.UserFactory(username="sun.li")
    client.force_login(user)
    assert client.get(ACCEPT).status_code == 405
    assert not TermsOfUseAcceptance.objects.exists()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(ACCEPT).status_code == 403
    assert not TermsOfUseAcceptance.objects.exists()


def test_users_see_their_own_acceptances_and_administrators_all(admin):
    one, other = factories.UserFactory(username="one"), factories.UserFactory(username="other")
    mine, theirs = services.accept_terms(one), services.accept_terms(other)
    assert list(TermsOfUseAcceptance.objects.restrict(one)) == [mine]
    assert set(TermsOfUseAcceptance.objects.restrict(admin)) == {mine, theirs}
    assert not TermsOfUseAcceptance.objects.restrict(one, "change").exists()
    from django.contrib.auth.models import AnonymousUser

    assert not TermsOfUseAcceptance.objects.restrict(AnonymousUser()).exists()
    # the back office lists them read only
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/accounts/termsofuseacceptance/")
    assert page.status_code == 200 and "one" in page.content.decode()
    assert client.get(f"/admin/accounts/termsofuseacceptance/{mine.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/termsofuseacceptance/add/").status_code == 403
    client.force_login(one)
    assert client.get("/admin/accounts/termsofuseacceptance/").status_code == 302  # not staff: sent to the sign-in


def test_an_address_that_is_not_an_ip_is_left_out(admin):
    user = factories.UserFactory(username="zhou.min")
    assert services.accept_terms(user, address="unknown, <script>").address is None
    assert services.accept_terms(user, version="2000-01-01", address="2001:db8::1").address == "2001:db8::1"
