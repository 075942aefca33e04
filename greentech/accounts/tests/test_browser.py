"""Browser test: a newcomer signs up, registers an organization and opens the offer form with it available.

Runs on the suite's one production server and headless Chromium (greentech/testing/browser.py); the `visit`
fixture records console errors, failed requests, HTTP errors and requests leaving 127.0.0.1.
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from greentech.accounts.models import TERMS_VERSION
from greentech.testing.factories import credit_code

pytestmark = pytest.mark.browser


def test_a_newcomer_signs_up_registers_an_organization_and_can_publish_for_it(visit):
    stamp = int(time.time() * 1000) % 1_000_000_000
    username = f"newcomer{stamp}"
    organization = f"辽宁碳谷新材料科技有限公司{stamp}"
    v = visit("zh")
    page = v.page
    v.goto("/")
    with page.expect_navigation():
        page.locator("#nav-signup").click()
    assert urlsplit(page.url).path == "/accounts/signup/"
    assert page.locator("h1").inner_text().strip() == "创建账户"
    v.shot("10-signup-zh")

    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.cn")
    page.fill("#id_password1", "12345678")
    page.fill("#id_password2", "12345678")
    with page.expect_navigation():
        page.locator("#signup-form button").click()
    errors = page.locator("#signup-form .text-danger").all_inner_texts()
    assert any("这个密码太常见了" in error for error in errors), errors
    assert any("请接受使用条款" in error for error in errors), errors
    v.shot("10-signup-errors-zh")

    page.fill("#id_password1", "lvse-jishu-2026-Dalian")
    page.fill("#id_password2", "lvse-jishu-2026-Dalian")
    page.check("#id_accept_terms")
    with page.expect_navigation():
        page.locator("#signup-form button").click()
    assert urlsplit(page.url).path == "/accounts/me/"
    assert page.locator(f'nav.gt-navbar button[title="{username}"]').count() == 1  # signed in
    assert page.locator("#no-roles").is_visible()
    assert f"版本 {TERMS_VERSION}，接受于" in page.locator("#account-terms").inner_text()  # recorded
    assert page.locator("#terms-accept").count() == 0
    v.shot("10-account-new-zh")

    with page.expect_navigation():
        page.locator("#register-organization").click()
    assert urlsplit(page.url).path == "/organizations/new/"
    assert page.locator("h1").inner_text().strip() == "注册机构"
    page.fill("#id_name", organization)
    page.fill("#id_name_en", "Liaoning Carbon Valley New Materials Technology Co., Ltd.")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_credit_code", credit_code(stamp, "210200"))
    page.select_option("#id_region", label="大连市 · 金州区")
    page.fill("#id_address", "大连市金州区先进装备制造业园区 18 号")
    v.shot("10-organization-form-zh")
    with page.expect_navigation():
        page.locator("#organization-form button.btn-success").click()
    assert re.search(r"/organizations/\d+/$", urlsplit(page.url).path), page.url
    assert page.locator("h1").inner_text().strip() == organization
    assert "您是其成员" in page.locator("main .alert-success").inner_text()
    assert page.locator("#organization-edit").is_visible()
    v.shot("10-organization-registered-zh")

    v.goto("/accounts/me/")
    assert page.locator("#roles").inner_text().count("机构成员") == 1
    assert organization in page.locator("#organizations").inner_text()
    v.shot("10-account-member-zh")

    v.goto("/market/offers/new/")
    options = page.locator("#id_organization option").all_inner_texts()
    assert options == [organization], options
    v.shot("10-offer-form-with-organization-zh")

    with page.expect_navigation():  # the same form in English
        page.locator("#language-form button[name=language]").click()
    assert page.locator("label[for=id_organization]").inner_text().lower().startswith("organization")
    v.goto("/accounts/me/")
    assert page.locator("h1").inner_text().strip() == "My account"
    v.shot("10-account-member-en")
    v.assert_clean()


def test_an_account_that_never_accepted_the_terms_accepts_them_from_its_page(visit):
    from greentech.testing.browser import sign_in

    v = visit("en")
    sign_in(v, "demo-evaluator")  # a demo account: made by `greentech init --demo`, never through the sign-up form
    v.goto("/accounts/me/")
    page = v.page
    assert page.locator("#terms-accept").is_visible()
    assert "not accepted yet" in page.locator("#account-terms").inner_text()
    v.shot("10-account-terms-not-accepted-en")
    with page.expect_navigation():
        page.locator("#terms-accept button").click()
    assert urlsplit(page.url).path == "/accounts/me/"
    assert "you accepted the terms of use" in page.locator(".alert-success").inner_text()
    assert page.locator("#terms-accept").count() == 0
    assert f"version {TERMS_VERSION}, accepted on" in page.locator("#account-terms").inner_text()
    v.shot("10-account-terms-accepted-en")
    v.assert_clean()
