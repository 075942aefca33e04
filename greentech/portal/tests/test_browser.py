"""Browser tests: headless Chromium against the production server (gunicorn + WhiteNoise) on a demo database.

The server and the browser come from greentech/testing/browser.py. Every test opens a fresh browser
context (no shared cookies), records console errors, uncaught page errors, failed requests and HTTP errors,
blocks and records every request that would leave 127.0.0.1 (the platform must work offline, without CDNs),
and saves full-page screenshots to test-artifacts/.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from greentech.testing.browser import Visit, sign_in

pytestmark = pytest.mark.browser

PLATFORM_ZH = "辽宁省绿色技术创新服务平台"
PLATFORM_EN = "Liaoning Green Technology Innovation Platform"
DEMO_ENTERPRISE = "【演示】辽宁绿能储能科技有限公司"
DEMO_ANSHAN = "【演示】鞍山钢铁节能示范有限公司"

# The UI strings the tests look for, per language (zh: greentech/locale/zh_Hans/LC_MESSAGES/django.po).
TEXT = {
    "zh": {
        "locale": "zh-CN",
        "html_lang": "zh-hans",
        "platform": PLATFORM_ZH,
        "organizations": "机构",
        "green_factory": "绿色工厂",
        "region": "地区",
        "change_history": "变更历史",
        "credit_records": "信用记录",
        "demo": "演示",
        "inbox": "消息",
        "mark_all_read": "全部标为已读",
        "sign_in": "登录",
        "sign_out": "退出登录",
        "expand_all": "全部展开",
        "description": "说明",
        "source": "来源",
        "other_language_button": "English",
    },
    "en": {
        "locale": "en-US",
        "html_lang": "en",
        "platform": PLATFORM_EN,
        "organizations": "Organizations",
        "green_factory": "Green factory",
        "region": "region",
        "change_history": "Change history",
        "credit_records": "Credit records",
        "demo": "demo",
        "inbox": "Inbox",
        "mark_all_read": "Mark all as read",
        "sign_in": "Sign in",
        "sign_out": "Sign out",
        "expand_all": "Expand all",
        "description": "description",
        "source": "Source",
        "other_language_button": "中文",
    },
}
LANGS = ["zh", "en"]
WELCOME_TITLE = "欢迎使用辽宁省绿色技术创新服务平台（演示账户）"


def _stat(v: Visit, href: str) -> str:
    return v.page.locator(f'#stats a[href="{href}"] .value').inner_text().strip()


def _visible_count(v: Visit, selector: str) -> int:
    return v.page.evaluate(
        "sel => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility()).length", selector
    )


# --- 1. home page ----------------------------------------------------------------------------------------------


def test_home_page_in_chinese_shows_statistics_and_city_chart_offline(visit):
    v = visit("zh")
    v.goto("/")
    page = v.page
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert PLATFORM_ZH in page.title()
    assert page.locator(".gt-brand").inner_text().strip() == PLATFORM_ZH
    assert page.locator(".gt-hero h1").inner_text().strip() == PLATFORM_ZH

    assert _stat(v, "/taxonomy/schemes/gic2019/") == "211"
    assert _stat(v, "/regions/") == "14"
    recognitions = int(_stat(v, "/recognitions/").replace(",", ""))
    assert recognitions > 0
    assert "绿色产业指导目录条目" in page.locator("#stats").inner_text()

    chart = page.locator("#city-chart")
    page.wait_for_selector("#city-chart canvas, #city-chart svg", state="attached")
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200, box
    # the chart got one bar per city (plus one for organizations known only at province level): all are counted
    rows = page.evaluate("JSON.parse(document.getElementById('city-data').textContent)")
    rows = page.evaluate("r => typeof r === 'string' ? JSON.parse(r) : r", rows)
    assert len(rows) in (14, 15)
    assert sum(row["recognitions"] for row in rows) == recognitions
    assert "沈阳市" in {row["city"] for row in rows}
    drawn = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('city-chart')).getOption();"
        " return {cities: o.xAxis[0].data, values: o.series[0].data}; }"
    )
    assert drawn == {"cities": [row["city"] for row in rows], "values": [row["recognitions"] for row in rows]}
    # the per-title table adds up to the recognitions statistic
    by_title = page.locator("table.table-sm tr td.text-end").all_inner_texts()
    assert by_title and sum(int(n.replace(",", "")) for n in by_title) == recognitions
    assert "绿色工厂" in page.locator("table.table-sm").inner_text()
    v.shot("01-home-zh")
    v.assert_clean()


# --- 2. language switch ----------------------------------------------------------------------------------------


def test_language_button_switches_to_english_and_back(visit):
    v = visit("zh")
    v.goto("/organizations/")
    page = v.page
    nav = page.locator("nav.gt-navbar")
    assert page.locator(".gt-brand").inner_text().strip() == PLATFORM_ZH
    assert nav.get_by_role("link", name="机构", exact=True).is_visible()

    button = page.locator("#language-form button[name=language]")
    assert button.inner_text().strip() == "English"
    with page.expect_navigation():
        button.click()
    assert urlsplit(page.url).path == "/organizations/", "the language switch should stay on the page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator(".gt-brand").inner_text().strip() == PLATFORM_EN
    assert PLATFORM_EN in page.title()
    assert nav.get_by_role("link", name="Organizations", exact=True).is_visible()
    assert page.locator("h1").inner_text().strip() == "Organizations"
    v.shot("02-organizations-en-after-switch")

    v.goto("/")  # the choice sticks (language cookie) for the next pages
    assert page.locator(".gt-hero h1").inner_text().strip() == PLATFORM_EN
    assert "green industry catalogue items" in page.locator("#stats").inner_text()
    page.wait_for_selector("#city-chart canvas, #city-chart svg", state="attached")
    v.shot("02-home-en")

    button = page.locator("#language-form button[name=language]")
    assert button.inner_text().strip() == "中文"
    with page.expect_navigation():
        button.click()
    assert urlsplit(page.url).path == "/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".gt-brand").inner_text().strip() == PLATFORM_ZH
    assert nav.get_by_role("link", name="机构", exact=True).is_visible()
    assert page.locator("#language-form button[name=language]").inner_text().strip() == "English"
    v.shot("02-home-zh-after-switch-back")
    v.assert_clean()

    english_browser = visit("en", chosen=False)  # Accept-Language: en-US, no choice made yet
    english_browser.goto("/")
    assert english_browser.page.locator("html").get_attribute("lang") == "zh-hans"
    assert english_browser.page.locator(".gt-brand").inner_text().strip() == PLATFORM_ZH
    english_browser.assert_clean()


# --- 3. taxonomy tree ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_taxonomy_tree_expands_to_211_leaves_linking_to_categories(visit, lang):
    v = visit(lang)
    page = v.page
    v.goto("/taxonomy/schemes/gic2019/")
    assert page.locator("html").get_attribute("lang") == TEXT[lang]["html_lang"]
    roots = page.locator("#tree > details")
    assert roots.count() == 6
    assert _visible_count(v, '#tree [data-level="2"]') == 0
    assert _visible_count(v, '#tree [data-level="3"]') == 0
    assert page.locator("#expand-all").inner_text().strip() == TEXT[lang]["expand_all"]
    level_counts = page.locator("#level-counts").inner_text()
    assert ("三级类目 211 个" if lang == "zh" else "211 third-level") in level_counts, level_counts
    v.shot(f"03-taxonomy-collapsed-{lang}")

    first = roots.first
    children = first.locator(":scope > details, :scope > .leaf")
    expected_children = int(first.locator(":scope > summary .badge").inner_text())
    assert expected_children > 0
    first.locator(":scope > summary").click()
    assert first.evaluate("d => d.open")
    assert children.count() == expected_children
    for i in range(expected_children):
        assert children.nth(i).is_visible()
        assert children.nth(i).get_attribute("data-level") == "2"
    assert _visible_count(v, '#tree [data-level="2"]') == expected_children
    assert _visible_count(v, '#tree [data-level="3"]') == 0  # grandchildren stay closed
    v.shot(f"03-taxonomy-one-open-{lang}")

    page.click("#expand-all")
    assert page.evaluate("[...document.querySelectorAll('#tree details')].every(d => d.open)")
    assert page.locator('#tree [data-level="3"]').count() == 211
    assert _visible_count(v, '#tree [data-level="3"]') == 211
    v.shot(f"03-taxonomy-expanded-{lang}")

    leaf = page.locator('#tree .leaf[data-level="3"]').first
    code = leaf.locator(".code").inner_text().strip()
    tree_description = leaf.locator(".desc").inner_text().strip()
    assert re.fullmatch(r"\d+\.\d+\.\d+", code), code
    with page.expect_navigation():
        leaf.locator("a").click()
    assert re.search(r"/taxonomy/categories/\d+/$", page.url)
    assert page.locator("h1").inner_text().startswith(code)
    assert page.locator("h2", has_text=TEXT[lang]["description"]).count() == 1
    description = page.locator("h2", has_text=TEXT[lang]["description"]).locator("xpath=following-sibling::p[1]")
    full = description.inner_text().strip()
    assert full and full.startswith(tree_description.rstrip("…").strip()[:40])
    v.shot(f"03-category-{code}-{lang}")

    v.goto("/taxonomy/schemes/gic2019/")
    page.click("#expand-all")
    page.click("#collapse-all")
    assert _visible_count(v, '#tree [data-level="2"]') == 0
    v.assert_clean()


# --- 4. organization page and its history ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_recognition_leads_to_organization_with_region_and_history(visit, lang):
    t = TEXT[lang]
    v = visit(lang)
    page = v.page
    v.goto("/recognitions/")
    v.shot(f"04-recognitions-{lang}")
    with page.expect_navigation():
        page.locator("table tbody").get_by_role("link", name=t["green_factory"], exact=True).first.click()
    assert re.search(r"/recognitions/\d+/$", page.url)
    assert page.locator("h1").inner_text().strip().startswith(t["green_factory"])
    organization_link = page.locator("dl a[href^='/organizations/']").first
    organization = organization_link.inner_text().strip()
    assert organization
    v.shot(f"04-recognition-{lang}")
    with page.expect_navigation():
        organization_link.click()

    assert re.search(r"/organizations/\d+/$", page.url)
    assert page.locator("h1").inner_text().strip().startswith(organization)
    recognitions = page.locator("table").first
    assert recognitions.get_by_role("link", name=t["green_factory"], exact=True).count() >= 1
    region = page.locator(f"dt:text-is('{t['region']}') + dd")
    region_text = region.inner_text().strip()
    assert region_text and region_text != "—"
    # the region's name in the page's language (English pages: 'Shenyang', 'Anshan · Tiexi District')
    region_name = {"zh": r"[省市县区旗]", "en": r"^[A-Z][A-Za-z'ü]+( [A-Za-z]+)*( · [A-Z][A-Za-z'ü ]+)?$"}[lang]
    assert re.search(region_name, region_text), region_text
    assert region.locator("a[href^='/regions/']").count() == 1
    v.shot(f"04-organization-{lang}")

    with page.expect_navigation():
        page.get_by_role("link", name=t["change_history"], exact=True).click()
    assert re.search(r"/organizations/\d+/history/$", page.url)
    assert page.locator("h1").inner_text().strip().startswith(t["change_history"])
    headings = [h.strip() for h in page.locator("table thead th").all_inner_texts()]
    assert t["source"] in headings, headings
    # each history entry's first row carries When, Who, Source, Change (rowspan over the field rows)
    source_column = headings.index(t["source"]) + 1
    first_rows = page.locator("table tbody tr:has(td:nth-child(7))")
    sources = [s.strip() for s in first_rows.locator(f"td:nth-child({source_column})").all_inner_texts()]
    assert {"zh": "基础数据加载", "en": "Reference data load"}[lang] in sources, sources
    # values are shown as people read them: the region by its name, not its database id
    table_text = page.locator("table tbody").inner_text()
    assert region_text.split(" · ")[-1] in table_text, table_text
    assert organization in page.locator(".breadcrumb").inner_text()
    v.shot(f"04-organization-history-{lang}")
    v.assert_clean()


# --- 5. sign-in, inbox, sign-out -----------------------------------------------------------------------------------


def test_member_reads_welcome_notification_and_signs_out(visit):
    v = visit("zh")
    page = v.page
    v.goto("/accounts/login/?next=/")
    assert page.locator("h1").inner_text().strip() == "登录"
    v.shot("05-login-zh")
    with page.expect_navigation():
        page.locator("#language-form button[name=language]").click()
    assert page.locator("h1").inner_text().strip() == "Sign in"
    assert urlsplit(page.url).path == "/accounts/login/"
    page.fill("#id_username", "demo-member")
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.locator("main form button").click()
    assert page.locator("main .alert-danger").is_visible()  # wrong password: stays on the form, says so
    assert urlsplit(page.url).path == "/accounts/login/"
    v.shot("05-login-wrong-password-en")
    with page.expect_navigation():
        page.locator("#language-form button[name=language]").click()
    assert page.locator("h1").inner_text().strip() == "登录"
    sign_in(v, "demo-member")
    nav = page.locator("nav.gt-navbar")
    badge = page.locator("#unread-count")
    assert badge.is_visible()
    assert int(badge.inner_text()) >= 1
    unread = int(badge.inner_text())
    inbox_link = nav.locator("a[href='/inbox/']")
    assert inbox_link.inner_text().strip().startswith("消息")

    with page.expect_navigation():
        inbox_link.click()
    assert urlsplit(page.url).path == "/inbox/"
    assert page.locator("h1").inner_text().strip() == "消息"
    welcome = page.locator(".list-group-item", has_text=WELCOME_TITLE)
    assert welcome.count() == 1
    assert "list-group-item-success" in welcome.get_attribute("class")  # shown as unread
    assert page.locator(".list-group-item.list-group-item-success").count() == unread
    v.shot("05-inbox-unread-zh")

    with page.expect_navigation():  # the same inbox in English
        page.locator("#language-form button[name=language]").click()
    assert page.locator("h1").inner_text().strip() == "Inbox"
    assert page.locator("#unread-count").inner_text().strip() == str(unread)
    v.shot("05-inbox-unread-en")
    with page.expect_navigation():
        page.locator("#language-form button[name=language]").click()
    assert page.locator("h1").inner_text().strip() == "消息"

    with page.expect_navigation():
        page.get_by_role("button", name="全部标为已读").click()
    assert urlsplit(page.url).path == "/inbox/"
    assert page.locator("#unread-count").count() == 0
    assert page.locator(".list-group-item.list-group-item-success").count() == 0
    assert page.locator(".list-group-item", has_text=WELCOME_TITLE).count() == 1  # still listed, now read
    v.shot("05-inbox-read-zh")

    sign_out = nav.get_by_role("button", name=re.compile(r"^退出登录"))
    assert sign_out.get_attribute("title") == "demo-member"
    with page.expect_navigation():
        sign_out.click()
    v.shot("05-after-sign-out-zh")
    v.goto("/")
    assert nav.get_by_role("link", name="登录", exact=True).is_visible()
    assert nav.get_by_role("button", name=re.compile(r"^退出登录")).count() == 0
    assert page.locator("#unread-count").count() == 0
    response = page.goto(v.base_url + "/inbox/")  # the inbox now asks for a sign-in again
    assert response.ok and urlsplit(page.url).path == "/accounts/login/"
    v.assert_clean()


# --- 6. permissions as seen in the browser ---------------------------------------------------------------------------


def _open_organization(v: Visit, name: str) -> None:
    """From the organization list, via the search filter, to the organization's page."""
    page = v.page
    v.goto("/organizations/")
    page.fill("#id_q", name)
    with page.expect_navigation():
        page.locator("form.gt-filters button.btn-success").click()
    row_link = page.locator("table tbody").get_by_role("link", name=name, exact=True)
    assert row_link.count() == 1
    assert row_link.locator("xpath=following-sibling::span[contains(@class, 'badge')]").count() == 1
    with page.expect_navigation():
        row_link.click()
    assert re.search(r"/organizations/\d+/$", page.url)
    assert page.locator("h1").inner_text().strip().startswith(name)


def _credit_section(v: Visit, lang: str):
    return v.page.locator("h2", has_text=TEXT[lang]["credit_records"])


@pytest.mark.parametrize("lang", LANGS)
def test_visitor_sees_no_credit_records_on_demo_organizations(visit, lang):
    t = TEXT[lang]
    v = visit(lang)
    page = v.page
    v.goto("/organizations/")
    demo_badges = page.locator("table tbody .badge", has_text=t["demo"])
    assert demo_badges.count() >= 8  # the demo organizations are flagged in the list
    v.shot(f"06-organizations-visitor-{lang}")

    _open_organization(v, DEMO_ENTERPRISE)
    assert page.locator("h1 .badge").inner_text().strip() == t["demo"]
    assert _credit_section(v, lang).count() == 0
    v.shot(f"06-demo-enterprise-visitor-{lang}")

    _open_organization(v, DEMO_ANSHAN)
    assert page.locator("h1 .badge").inner_text().strip() == t["demo"]
    assert _credit_section(v, lang).count() == 0
    assert "2029-06-30" not in page.locator("main").inner_text()
    v.shot(f"06-anshan-visitor-{lang}")
    v.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_finance_officer_sees_credit_records_a_member_of_another_organization_does_not(visit, lang):
    t = TEXT[lang]
    member = visit(lang)  # demo-university: a member of 【演示】沈阳示范理工大学
    sign_in(member, "demo-university")
    _open_organization(member, DEMO_ANSHAN)
    assert _credit_section(member, lang).count() == 0
    member.assert_clean()

    bank = visit(lang)
    sign_in(bank, "demo-bank")
    _open_organization(bank, DEMO_ANSHAN)
    page = bank.page
    assert page.locator("h1 .badge").inner_text().strip() == t["demo"]
    section = _credit_section(bank, lang)
    assert section.count() == 1 and section.is_visible()
    table = section.locator("xpath=following-sibling::table[1]")
    rows = table.locator("tbody tr")
    assert rows.count() == 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[0] == "2026-07-01" and cells[3] == "2029-06-30", cells
    bank.shot(f"06-anshan-finance-officer-{lang}")
    bank.assert_clean()


# --- layout: the navbar fits a 1280 px wide window ---------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_signed_in_navbar_fits_a_1280px_window(visit, lang):
    v = visit(lang)
    sign_in(v, "demo-broker")
    page = v.page
    v.shot(f"08-navbar-signed-in-{lang}")
    width = page.evaluate("() => ({page: document.documentElement.scrollWidth, window: window.innerWidth})")
    assert width["page"] <= width["window"], width
    button = page.locator("#language-form button[name=language]").bounding_box()
    assert button["height"] < 40, button  # one line of text
    sign_out = page.locator("nav.gt-navbar").get_by_role("button", name=re.compile(TEXT[lang]["sign_out"]))
    box = sign_out.bounding_box()
    assert box["x"] + box["width"] <= width["window"], box
    v.assert_clean()


# --- 7. API documentation --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_api_docs_render_swagger_ui_offline(visit, lang):
    v = visit(lang)
    page = v.page
    v.goto("/api/docs/")
    page.wait_for_selector(".opblock", timeout=20_000)
    # Swagger UI renders a large schema's operations only while they are in view: collect them while scrolling
    operations: set[str] = set()
    for _screen in range(500):  # bounded: the page is some tens of screens long
        operations |= set(page.locator(".opblock-summary").all_inner_texts())
        bottom = page.evaluate("window.scrollBy(0, window.innerHeight); window.scrollY + window.innerHeight")
        if bottom >= page.evaluate("document.body.scrollHeight"):
            break
        page.wait_for_timeout(150)
    operations |= set(page.locator(".opblock-summary").all_inner_texts())
    assert len(operations) >= 20, sorted(operations)[:10]
    assert page.locator(".opblock-tag").count() >= 1
    assert "Liaoning Green Technology Innovation Platform API" in page.locator(".info .title").inner_text()
    assert any("/api/v1/organizations/" in operation for operation in operations), sorted(operations)[:10]
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_load_state("networkidle")
    v.shot(f"07-api-docs-{lang}")
    v.assert_clean()


# --- 9. roadmap dashboard ----------------------------------------------------------------------------------------

DASHBOARD = "/roadmap/plans/liaoning-green-tech-2019/dashboard/"


@pytest.mark.parametrize("lang", LANGS)
def test_roadmap_dashboard_renders_with_data_for_government_and_public(visit, lang):
    # a department officer sees the status charts, drawn from the 45 deliverables
    v = visit(lang)
    sign_in(v, "demo-officer")
    v.goto(DASHBOARD)
    page = v.page
    heading = page.locator("h1").inner_text()
    assert heading.startswith({"zh": "监测看板", "en": "Dashboard"}[lang]), heading
    for chart in ("chart-status", "chart-departments", "chart-timeline"):
        page.wait_for_selector(f"#{chart} canvas", state="attached")
    drawn = page.evaluate(
        "() => { const o = echarts.getInstanceByDom(document.getElementById('chart-timeline')).getOption();"
        " const s = echarts.getInstanceByDom(document.getElementById('chart-status')).getOption();"
        " return {bars: o.series[0].data.length, rows: o.yAxis[0].data.length,"
        " statuses: s.series[0].data.reduce((n, d) => n + d.value, 0)}; }"
    )
    assert drawn == {"bars": 45, "rows": 45, "statuses": 45}, drawn
    # the innovation index on the map of Liaoning's 14 cities
    page.wait_for_selector("#chart-index-map[data-ready='1']", state="attached")
    cities = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-index-map')).getOption().series[0].data.length"
    )
    assert cities == 14
    assert page.locator("#index-table tbody tr").count() == 14
    v.shot(f"09-roadmap-dashboard-officer-{lang}")
    v.assert_clean()
    # a visitor sees the plan's charts but no status
    visitor = visit(lang)
    visitor.goto(DASHBOARD)
    visitor.page.wait_for_selector("#chart-timeline canvas", state="attached")
    assert visitor.page.locator("#chart-status").count() == 0
    visitor.shot(f"09-roadmap-dashboard-visitor-{lang}")
    visitor.assert_clean()


# --- 9. Technology market ------------------------------------------------------------------------------------------


def test_member_publishes_an_offer_an_officer_reviews_and_visitors_find_it(visit):
    """A member writes an offer (draft, categories suggested by the classifier), submits it; a department
    officer publishes it; a visitor finds it with a Chinese query, and the English demo offer with an English one."""
    title = "光伏组件低温拆解与银硅回收工艺"
    v = visit("zh")
    page = v.page
    sign_in(v, "demo-member")
    v.goto("/market/offers/new/")
    page.fill("#id_title", title)
    page.fill("#id_summary", "对退役光伏组件进行低温拆解，化学浸出回收银和高纯硅，材料回收率超过90%。")
    page.locator("input[name=mode_choices][value=transfer]").check()
    with page.expect_navigation():
        page.locator("#listing-form button.btn-success").click()
    assert re.search(r"/market/offers/\d+/$", urlsplit(page.url).path), page.url
    offer_path = urlsplit(page.url).path
    v.shot("09-market-offer-saved-zh")
    assert page.locator("h1").inner_text().startswith(title)
    assert page.locator("#listing-status").inner_text().strip() == "草稿"
    v.shot("09-market-offer-draft-zh")
    with page.expect_navigation():
        page.locator("#listing-actions button[value=submit]").click()
    assert page.locator("#listing-status").inner_text().strip() == "待审核"
    v.assert_clean()

    officer = visit("zh")
    sign_in(officer, "demo-officer")
    officer.goto(offer_path)
    officer.page.fill("#review-form textarea[name=note]", "内容完整，同意发布。")
    with officer.page.expect_navigation():
        officer.page.locator("#review-form button[value=publish]").click()
    assert officer.page.locator("#listing-status").inner_text().strip() == "已发布"
    officer.assert_clean()

    visitor = visit("zh")
    visitor.goto("/market/offers/?q=光伏组件回收")
    first = visitor.page.locator("#results .list-group-item").first
    assert first.locator(".listing-title").inner_text().strip() == title
    assert first.locator("mark").count() >= 1
    visitor.shot("09-market-search-zh")
    english = visit("en")
    english.goto("/market/offers/?q=solar+panels+silver")
    assert "photovoltaic" in english.page.locator("#results .listing-title").first.inner_text().lower()
    english.shot("09-market-search-en")
    visitor.assert_clean()
    english.assert_clean()
