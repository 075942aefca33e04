"""Sign-up (注册), the terms page and "my account": forms, views, rate limit, languages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation

from greentech.accounts import limits, views
from greentech.accounts.forms import SignUpForm
from greentech.accounts.models import RoleAssignment
from greentech.core.permissions import actor_for
from greentech.testing import factories

SIGN_UP = "/accounts/signup/"
ACCOUNT = "/accounts/me/"
GOOD_PASSWORD = "lvse-jishu-2026-Shenyang"


def data(**overrides) -> dict:
    values = {
        "username": "zhang.wei",
        "email": "zhang.wei@example.cn",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "accept_terms": "on",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


# --- the form ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_form():
    form = SignUpForm(data())
    assert form.is_valid(), form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-2026"}, "password2", "The two password fields didn’t match."),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "This password is too common."),
        ({"password1": "short", "password2": "short"}, "password2", "This password is too short."),
        ({"password1": "zhang.wei.x", "password2": "zhang.wei.x"}, "password2", "too similar to the username"),
        ({"accept_terms": None}, "accept_terms", "Please accept the terms of use to create an account."),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
        ({"username": "zhang wei"}, "username", "Enter a valid username."),
    ],
)
def test_invalid_forms_say_why_in_english(overrides, field, message):
    with translation.override("en"):
        form = SignUpForm(data(**overrides))
        assert not form.is_valid()
        assert message in " ".join(form.errors[field]), form.errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"password2": "something-else-2026"}, "password2", "输入的两个密码不一致"),
        ({"password1": "12345678", "password2": "12345678"}, "password2", "这个密码太常见了"),
        ({"accept_terms": None}, "accept_terms", "请接受使用条款后再创建账户。"),
    ],
)
def test_invalid_forms_say_why_in_chinese(overrides, field, message):
    with translation.override("zh-hans"):
        form = SignUpForm(data(**overrides))
        assert not form.is_valid()
        assert message in " ".join(form.errors[field]), form.errors


@pytest.mark.django_db
def test_usernames_and_emails_are_unique_regardless_of_case():
    factories.UserFactory(username="Zhang.Wei", email="Zhang.Wei@Example.cn")
    with translation.override("en"):
        form = SignUpForm(data())
        assert not form.is_valid()
        assert "A user with that username already exists." in form.errors["username"]
        assert "An account with this email address exists already" in " ".join(form.errors["email"])


# --- the page ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sign_up_page_is_in_chinese_first_and_in_english(client):
    page = client.get(SIGN_UP).content.decode()
    assert "创建账户" in page and "用户名" in page and "使用条款" in page
    assert 'name="csrfmiddlewaretoken"' in page
    page = english(Client()).get(SIGN_UP).content.decode()
    assert "Create an account" in page and "Username" in page and "terms of use" in page


@pytest.mark.django_db
def test_sign_up_creates_a_plain_account_and_signs_it_in(client):
    response = client.post(SIGN_UP, data(email="Zhang.Wei@EXAMPLE.CN"))
    assert response.status_code == 302 and response.url == ACCOUNT
    user = get_user_model().objects.get(username="zhang.wei")
    assert user.email == "Zhang.Wei@example.cn"  # the domain part normalised
    assert user.check_password(GOOD_PASSWORD) and not user.is_staff and not user.is_superuser
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not actor_for(user).roles
    page = client.get(ACCOUNT)  # signed in
    assert page.status_code == 200
    assert "zhang.wei" in page.content.decode()
    assert 'id="no-roles"' in page.content.decode()


@pytest.mark.django_db
def test_sign_up_goes_to_the_page_asked_for_but_never_off_site(client):
    response = client.post(SIGN_UP + "?next=/market/offers/new/", data(next="/market/offers/new/"))
    assert response.url == "/market/offers/new/"
    other = Client()
    response = other.post(SIGN_UP, data(username="li.na", email="li.na@example.cn", next="https://evil.example/"))
    assert response.status_code == 302 and response.url == ACCOUNT


@pytest.mark.django_db
def test_a_refused_sign_up_writes_nothing_and_shows_the_errors(client):
    before = get_user_model().objects.count()
    response = client.post(SIGN_UP, data(password2="something-else-2026", accept_terms=None))
    assert response.status_code == 200
    page = response.content.decode()
    assert "输入的两个密码不一致" in page
    assert "请接受使用条款后再创建账户。" in page
    assert get_user_model().objects.count() == before
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_sign_up_requires_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(SIGN_UP, data())
    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="zhang.wei").exists()


@pytest.mark.django_db
def test_sign_up_attempts_are_limited_per_address(client, monkeypatch):
    monkeypatch.setattr(limits, "SIGN_UP_PER_CLIENT", limits.Limit("sign-up", 3, 600))
    for _ in range(3):
        assert client.post(SIGN_UP, data(password2="wrong-wrong-2026"), REMOTE_ADDR="10.0.0.7").status_code == 200
    refused = client.post(SIGN_UP, data(), REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429
    assert "注册尝试次数过多，请 10 分钟后再试" in refused.content.decode()
    assert not get_user_model().objects.filter(username="zhang.wei").exists()
    # another address is not affected
    response = client.post(SIGN_UP, data(), REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="zhang.wei").exists()


@pytest.mark.django_db
def test_a_signed_in_user_is_sent_to_their_account(client, member):
    client.force_login(member)
    response = client.get(SIGN_UP)
    assert response.status_code == 302 and response.url == ACCOUNT


def test_the_terms_page_lists_the_terms_in_both_languages(client):
    page = client.get(reverse("accounts:terms")).content.decode()
    assert "使用条款" in page and "个人信息保护法" in page
    page = english(Client()).get(reverse("accounts:terms")).content.decode()
    assert "Terms of use" in page and "Personal Information Protection Law" in page


# --- my account -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_account_asks_for_a_sign_in(client):
    response = client.get(ACCOUNT)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/accounts/me/")


@pytest.mark.django_db
def test_my_account_shows_roles_organizations_and_links(client, member, member_org, other_org):
    client.force_login(member)
    page = client.get(ACCOUNT).content.decode()
    assert "机构成员" in page  # the role, in Chinese
    assert member_org.name in page and other_org.name not in page
    assert reverse("registry:organization_edit", args=[member_org.pk]) in page
    assert reverse("registry:organization_add") in page
    assert reverse("market:mine") in page and reverse("market:offer_add") in page
    english_page = english(client).get(ACCOUNT).content.decode()
    assert "Organization member" in english_page and "My organizations" in english_page


@pytest.mark.django_db
def test_the_header_offers_register_to_visitors_and_my_account_to_users(client, member):
    page = client.get("/").content.decode()
    assert 'id="nav-signup"' in page and 'id="nav-account"' not in page
    assert 'id="signup-link"' in client.get("/accounts/login/").content.decode()
    client.force_login(member)
    page = client.get("/").content.decode()
    assert 'id="nav-account"' in page and 'id="nav-signup"' not in page


@pytest.mark.django_db
def test_an_administrators_account_names_the_role_once(client, admin):
    client.force_login(admin)
    page = client.get(ACCOUNT).content.decode()
    roles = page.split('id="roles"', 1)[1].split("</ul>", 1)[0]
    assert roles.count("平台管理员") == 1


@pytest.mark.django_db
def test_behind_a_local_proxy_the_limit_counts_the_forwarded_client(client, monkeypatch):
    monkeypatch.setattr(limits, "SIGN_UP_PER_CLIENT", limits.Limit("sign-up", 1, 600))
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.post(SIGN_UP, data(accept_terms=None), HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 200
    # a client cannot escape its count by inventing an earlier X-Forwarded-For entry
    invented = "198.51.100.1, 203.0.113.5"
    assert client.post(SIGN_UP, data(), HTTP_X_FORWARDED_FOR=invented, **proxy).status_code == 429
    # another client behind the same proxy is counted on its own
    assert client.post(SIGN_UP, data(), HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 302
    # a direct client's own X-Forwarded-For is ignored
    request = type("Request", (), {"META": {"REMOTE_ADDR": "192.0.2.9", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}})()
    assert views.client_address(request) == "192.0.2.9"
