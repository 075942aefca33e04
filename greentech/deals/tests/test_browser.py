"""Browser test of the technology market from end to end (issue 4's "done"): a newcomer registers a university,
publishes an offer (reviewed by an officer); visitors find it by a Chinese and an English query and see it matched
to a need; an enterprise expresses interest; the university records the signed contract; the officer registers it;
a split giving the inventors less than 70% is refused, a valid one saved; the deal counts in the statistics.

Runs on the production server and headless Chromium of greentech/testing/browser.py (demo data loaded)."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from greentech.testing.browser import sign_in
from greentech.testing.factories import credit_code

pytestmark = pytest.mark.browser

OFFER_TITLE = "工业余热有机朗肯循环（ORC）发电技术"
OFFER_SUMMARY = (
    "利用 80–200 °C 工业余热和低压蒸汽，通过有机朗肯循环（Organic Rankine Cycle）螺杆膨胀机发电，单机 300–1000 kW，"
    "适用于钢铁、化工、建材企业的 waste heat power generation。"
)


def _sign_up_and_register_university(v, stamp: int) -> str:
    page = v.page
    username = f"prof{stamp}"
    v.goto("/accounts/signup/")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.edu.cn")
    page.fill("#id_password1", "lvse-jishu-2026-Dalian")
    page.fill("#id_password2", "lvse-jishu-2026-Dalian")
    page.check("#id_accept_terms")
    with page.expect_navigation():
        page.locator("#signup-form button").click()
    assert urlsplit(page.url).path == "/accounts/me/", page.url
    v.goto("/organizations/new/")
    university = f"辽宁滨海理工大学{stamp}"
    page.fill("#id_name", university)
    page.select_option("#id_kind", "university")
    page.fill("#id_credit_code", credit_code(stamp, "210200"))
    page.select_option("#id_region", label="大连市")
    with page.expect_navigation():
        page.locator("#organization-form button.btn-success").click()
    assert page.locator("h1").inner_text().strip() == university
    return university


def test_a_new_university_publishes_finds_matches_and_registers_a_deal_with_a_valid_split(visit):
    stamp = int(time.time() * 1000) % 1_000_000_000
    seller = visit("zh")
    page = seller.page
    university = _sign_up_and_register_university(seller, stamp)

    # an offer, submitted for review
    seller.goto("/market/offers/new/")
    page.fill("#id_title", OFFER_TITLE)
    page.fill("#id_summary", OFFER_SUMMARY)
    page.locator("input[name=mode_choices][value=transfer]").check()
    with page.expect_navigation():
        page.locator("#listing-form button.btn-success").click()
    offer_path = urlsplit(page.url).path
    assert re.fullmatch(r"/market/offers/\d+/", offer_path), page.url
    with page.expect_navigation():
        page.locator("#listing-actions button[value=submit]").click()
    assert page.locator("#listing-status").inner_text().strip() == "待审核"
    seller.assert_clean()

    # a department officer publishes it
    officer = visit("zh")
    sign_in(officer, "demo-officer")
    officer.goto(offer_path)
    officer.page.fill("#review-form textarea[name=note]", "信息完整，同意发布。")
    with officer.page.expect_navigation():
        officer.page.locator("#review-form button[value=publish]").click()
    assert officer.page.locator("#listing-status").inner_text().strip() == "已发布"

    # visitors find it in Chinese and in English, and see it among the matching offers of an English need
    visitor = visit("zh")
    visitor.goto("/market/offers/?q=余热发电")
    assert OFFER_TITLE in visitor.page.locator("#results .listing-title").all_inner_texts()
    english = visit("en")
    english.goto("/market/offers/?q=organic+rankine+cycle")
    assert english.page.locator("#results .listing-title").first.inner_text().strip() == OFFER_TITLE
    english.goto("/market/needs/?q=waste+heat+steam")
    need_link = english.page.locator("#results a", has_text="waste heat").first
    with english.page.expect_navigation():
        need_link.click()
    matched = english.page.locator("#matches .match a").all_inner_texts()
    assert OFFER_TITLE in matched, matched
    assert "DEMO-N-002" in english.page.locator("nav .breadcrumb").inner_text()  # the demo institute's English need
    english.shot("11-deal-need-matches-offer-en")
    visitor.assert_clean()
    english.assert_clean()

    # an enterprise expresses interest: a deal opens
    buyer = visit("zh")
    sign_in(buyer, "demo-member")
    buyer.goto(offer_path)
    with buyer.page.expect_navigation():
        buyer.page.locator("#express-interest").click()
    buyer.page.fill("#id_note", "希望在轧钢加热炉烟气余热项目上应用，请提供报价。")
    with buyer.page.expect_navigation():
        buyer.page.locator("#deal-form button").click()
    deal_path = urlsplit(buyer.page.url).path
    assert re.fullmatch(r"/deals/\d+/", deal_path), buyer.page.url
    assert buyer.page.locator("#pipeline .text-bg-success").inner_text().strip() == "意向"
    buyer.assert_clean()

    # the university records the signed contract
    seller.goto(deal_path)
    assert "希望在轧钢加热炉烟气余热项目上应用" in page.locator("#steps").inner_text()
    page.fill("#id_sign-signed_on", "2026-11-20")
    page.fill("#id_sign-amount", "120")
    page.fill("#id_sign-transaction_amount", "100")
    with page.expect_navigation():
        page.locator("#sign-form button").click()
    assert page.locator("#pipeline .text-bg-success").inner_text().strip() == "签约"
    seller.assert_clean()

    # the officer registers it (技术合同登记)
    officer.goto(deal_path)
    officer.page.fill("#id_register-registration_number", f"2026210200{stamp:09d}"[:20])
    officer.page.fill("#id_register-registered_on", "2026-11-25")
    with officer.page.expect_navigation():
        officer.page.locator("#register-form button").click()
    assert officer.page.locator("#pipeline .text-bg-success").inner_text().strip() == "合同登记"
    officer.shot("11-deal-registered-zh")
    officer.assert_clean()

    # the inventors' share: 60% is refused (nothing saved), 75% is saved
    seller.allowed_http_errors.add(400)
    seller.goto(deal_path)
    page.fill("#id_distribution-income", "100")
    page.fill("#id_distribution-costs", "0")
    rows = page.locator("#shares tbody tr")
    rows.nth(0).locator("input[name$=name]").fill("余热发电课题组")
    rows.nth(0).locator("input[name$=amount]").fill("60")
    rows.nth(1).locator("input[name$=amount]").fill("30")
    rows.nth(2).locator("input[name$=name]").fill("能源与动力学院")
    rows.nth(2).locator("input[name$=amount]").fill("10")
    with page.expect_navigation():
        page.locator("#distribution-form button").click()
    refusal = page.locator("main .alert-danger").inner_text()
    assert "不得低于净收入的 70%" in refusal, refusal
    assert page.locator("#distribution").count() == 0  # nothing saved
    seller.shot("11-deal-split-refused-zh")
    rows = page.locator("#shares tbody tr")
    rows.nth(0).locator("input[name$=amount]").fill("75")
    rows.nth(1).locator("input[name$=amount]").fill("15")
    with page.expect_navigation():
        page.locator("#distribution-form button").click()
    assert "75.00" in page.locator("#distribution").inner_text()
    assert university in page.locator("#distribution").inner_text()
    seller.shot("11-deal-split-saved-zh")
    assert seller.http_errors == []

    # the statistics count it (demo data left out by default)
    stats = visit("zh")
    stats.goto("/deals/statistics/")
    assert stats.page.locator("#total-deals").inner_text().strip() == "1"
    assert stats.page.locator("#total-value").inner_text().strip() == "120.00"
    assert stats.page.locator("#total-registered").inner_text().strip() == "100.00"
    dalian = stats.page.locator("#city-table tr", has_text="大连市").inner_text()
    assert "120.00" in dalian
    stats.shot("11-market-statistics-zh")
    stats.assert_clean()
