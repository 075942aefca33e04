"""Sign-in and sign-up attempt limits in the shared cache (issue 15, finding 3): per account and per client,
across server processes, the client address believed from X-Forwarded-For only behind a trusted proxy."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys

import pytest
from django.core.cache import caches
from django.test import Client

from greentech.accounts import limits
from greentech.testing import factories

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "correct-horse-2026"


@pytest.fixture
def account(db):
    user = factories.UserFactory(username="zhang.wei")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username, password, address="192.0.2.10", url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_ten_failures_at_one_account(account):
    client = Client()
    for number in range(limits.SIGN_IN_PER_ACCOUNT.attempts):
        response = sign_in(client, "zhang.wei", f"guess-{number}", address=f"198.51.100.{number + 1}")
        assert response.status_code == 200
    refused = sign_in(client, "ZHANG.WEI", PASSWORD, address="203.0.113.77")  # another client, other case
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "登录失败次数过多" in refused.content.decode()  # the platform speaks Chinese by default
    assert not signed_in(client)


def test_one_client_is_stopped_after_thirty_failures_across_accounts(account):
    client = Client()
    for number in range(limits.SIGN_IN_PER_CLIENT.attempts):
        sign_in(client, f"user{number}", "wrong-password")
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 429
    assert not signed_in(client)
    elsewhere = Client()
    assert sign_in(elsewhere, "zhang.wei", PASSWORD, address="192.0.2.99").status_code == 302
    assert signed_in(elsewhere)


def test_a_person_who_mistypes_a_few_times_still_signs_in(account):
    client = Client()
    for _number in range(3):
        assert sign_in(client, "zhang.wei", "typo").status_code == 200
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 302


def test_the_admin_login_is_under_the_same_limit(account):
    account.is_staff = account.is_superuser = True
    account.save()
    client = Client()
    for number in range(limits.SIGN_IN_PER_ACCOUNT.attempts):
        sign_in(client, "zhang.wei", f"guess-{number}", url=ADMIN_LOGIN)
    refused = sign_in(client, "zhang.wei", PASSWORD, url=ADMIN_LOGIN)
    assert not signed_in(client)
    assert "登录失败次数过多" in refused.content.decode()  # the platform speaks Chinese by default
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 429  # and the portal's page knows it too


def test_a_spoofed_forwarded_header_from_an_untrusted_client_does_not_escape_the_limit(account):
    client = Client()
    for number in range(limits.SIGN_IN_PER_CLIENT.attempts):
        sign_in(client, f"user{number}", "wrong", HTTP_X_FORWARDED_FOR=f"10.9.{number}.1")
    assert sign_in(client, "zhang.wei", PASSWORD, HTTP_X_FORWARDED_FOR="10.200.0.1").status_code == 429


def test_the_forwarded_address_counts_behind_a_trusted_proxy(settings):
    settings.GREENTECH_TRUSTED_PROXIES = ["10.0.0.0/8"]

    def request(remote, forwarded=""):
        return type("Request", (), {"META": {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}})()

    assert limits.client_address(request("10.0.0.5", "1.2.3.4, 203.0.113.5")) == "203.0.113.5"
    assert limits.client_address(request("10.0.0.5", "203.0.113.5, 10.1.1.1")) == "203.0.113.5"  # two proxies
    assert limits.client_address(request("192.0.2.9", "203.0.113.5")) == "192.0.2.9"  # not a proxy we trust
    settings.GREENTECH_TRUSTED_PROXIES = []
    assert limits.client_address(request("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


def test_the_limits_hold_across_two_processes_sharing_the_database_cache(account, monkeypatch):
    """Two server processes are two cache clients on the same store: failures counted by either lock both."""
    first, second = caches.create_connection(limits.CACHE_ALIAS), caches.create_connection(limits.CACHE_ALIAS)
    assert first is not second
    turns = itertools.cycle([first, second])
    monkeypatch.setattr(limits, "_cache", lambda: next(turns))
    client = Client()
    for number in range(limits.SIGN_IN_PER_ACCOUNT.attempts):
        sign_in(client, "zhang.wei", f"guess-{number}", address=f"198.51.100.{number + 1}")
    assert limits.count(limits.SIGN_IN_PER_ACCOUNT, "zhang.wei") == limits.SIGN_IN_PER_ACCOUNT.attempts
    assert limits.count(limits.SIGN_IN_PER_ACCOUNT, "zhang.wei") == limits.SIGN_IN_PER_ACCOUNT.attempts
    assert sign_in(client, "zhang.wei", PASSWORD).status_code == 429


def test_the_sign_up_limit_holds_across_two_processes(monkeypatch):
    first, second = caches.create_connection(limits.CACHE_ALIAS), caches.create_connection(limits.CACHE_ALIAS)
    turns = itertools.cycle([first, second])
    monkeypatch.setattr(limits, "_cache", lambda: next(turns))
    monkeypatch.setattr(limits, "SIGN_UP_PER_CLIENT", limits.Limit("sign-up", 4, 600))
    client = Client()
    statuses = [
        client.post("/accounts/signup/", {"username": ""}, REMOTE_ADDR="192.0.2.50").status_code for _ in range(6)
    ]
    assert statuses == [200, 200, 200, 200, 429, 429]


def test_the_shared_cache_is_the_database_by_default_and_redis_when_configured():
    from django.conf import settings

    assert settings.CACHES["shared"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    code = "import django.conf as c; from greentech import settings as s; print(s.CACHES['shared']['BACKEND'])"
    env = os.environ | {"GREENTECH_CACHE_URL": "redis://127.0.0.1:6379/0"}
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert output.strip() == "django.core.cache.backends.redis.RedisCache"
