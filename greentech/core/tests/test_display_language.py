"""Pages in the reader's language only (issue 16, defects 8, 12, 16): history values, choice labels, money,
filter labels, English names of regions, departments, the plan and organizations, the region select."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from greentech import deals
from greentech.core.permissions import SYSTEM
from greentech.core.templatetags import greentech as tags
from greentech.market import services as market_services
from greentech.market.models import Offer
from greentech.registry.models import Department, Region, find_region
from greentech.roadmap.models import Plan
from greentech.taxonomy.models import Category
from greentech.testing import factories

pytestmark = pytest.mark.django_db


def get(client, path, language, **params):
    client.cookies["django_language"] = language
    response = client.get(path, params)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def offer(member_org):
    offer = market_services.create_listing(
        SYSTEM,
        Offer(
            title="工业余热有机朗肯循环发电技术",
            summary="80–200 °C 余热发电，单机 500 kW。",
            organization=member_org,
            modes="transfer,licence_ordinary",
            price=Decimal("450.00"),
            region=Region.objects.get(code="210106"),
            expires_on=datetime.date(2027, 6, 30),
        ),
        categories=[Category.objects.get(scheme__slug="gic2019", code="3.4.2")],
    )
    market_services.submit(SYSTEM, offer)
    return market_services.review(SYSTEM, offer, accept=True)


# --- history pages ------------------------------------------------------------------------------------------


def test_history_shows_choices_dates_and_times_in_the_pages_language(client, offer, admin):
    client.force_login(admin)
    path = reverse("market:offer_history", args=[offer.pk])
    chinese = text_of(get(client, path, "zh-hans"))
    english = text_of(get(client, path, "en"))
    for page in (chinese, english):
        assert "transfer,licence_ordinary" not in page
        assert "+00:00" not in page and not re.search(r"\d{2}:\d{2}:\d{2}\.\d+", page)
        assert "2027-06-30" not in page
    assert "转让、普通许可" in chinese and "2027年6月30日" in chinese and "沈阳市 · 铁西区" not in english
    assert "transfer, ordinary licence" in english and "June 30, 2027" in english
    assert "(转让)" not in english and "Tiexi District" in english
    assert "3.4.2 Construction and operation of high-efficiency energy storage facilities" in english
    assert "3.4.2 高效储能设施建设和运营" in chinese and "[{" not in english
    published = timezone.localtime(offer.published_at)
    assert f"{published:%Y}年{published.month}月{published.day}日 {published:%H:%M}" in chinese


def test_history_value_keeps_what_it_cannot_improve(offer):
    change = {"field": "title", "before": None, "after": "新标题", "before_display": None, "after_display": "新标题"}
    assert tags.history_value(offer, change, "before") is None
    assert tags.history_value(offer, change, "after") == "新标题"
    removed = {"field": "gone", "before": "x", "after": "y", "before_display": "x", "after_display": "y"}
    assert tags.history_value(offer, removed, "after") == "y"


# --- choices and money on listings --------------------------------------------------------------------------


def test_a_listing_shows_its_modes_and_price_in_the_pages_language_only(client, offer):
    english = text_of(get(client, reverse("market:offer_list"), "en"))
    chinese = text_of(get(client, reverse("market:offer_list"), "zh-hans"))
    assert "transfer, ordinary licence" in english and "CNY 4.5 million" in english
    result = english.split("1 result")[1]  # the list of results, after the filters
    assert "转让" not in result and "10k yuan" not in result and "、" not in result
    assert "转让、普通许可" in chinese and "450 万元" in chinese and "transfer" not in chinese.split("1 条结果")[-1]
    detail = text_of(get(client, offer.get_absolute_url(), "en"))
    assert "transfer, ordinary licence" in detail and "CNY 4.5 million" in detail and "Tiexi District" in detail


@pytest.mark.parametrize(
    ("language", "amount", "expected"),
    [
        ("zh-hans", "450.00", "450 万元"),
        ("zh-hans", "12.50", "12.5 万元"),
        ("zh-hans", "1200", "1,200 万元"),
        ("en", "450.00", "CNY 4.5 million"),
        ("en", "45", "CNY 450,000"),
        ("en", "0.5", "CNY 5,000"),
    ],
)
def test_money_is_written_as_the_reader_writes_it(language, amount, expected):
    with translation.override(language):
        assert tags.money(Decimal(amount)) == expected


def test_a_budget_range_in_both_languages():
    with translation.override("zh-hans"):
        assert tags.money_range(Decimal("100"), Decimal("500")) == "100–500 万元"
        assert tags.money_range(None, Decimal("50")) == "最高 50 万元"
    with translation.override("en"):
        assert tags.money_range(Decimal("100"), Decimal("500")) == "CNY 1 million – CNY 5 million"
        assert tags.money_range(Decimal("100"), None) == "from CNY 1 million"


def test_every_glossed_choice_label_is_english_only_in_english():
    from greentech.deals.models import Stage
    from greentech.market.models import Mode

    with translation.override("en"):
        labels = [str(label) for _value, label in [*Mode.choices, *Stage.choices]]
    assert labels and not [label for label in labels if re.search(r"[\u3400-\u9fff]", label)]
    with translation.override("zh-hans"):
        assert str(Mode.TRANSFER.label) == "转让"


# --- filter labels ------------------------------------------------------------------------------------------


def test_filter_labels_follow_each_pages_language(client):
    """django-filter turned a filter's label into text once, in the language of the request that first read it:
    after the API schema was generated for an English reader, the Chinese list pages read 'Kind' and 'Level'."""
    client.cookies["django_language"] = "en"
    assert client.get("/api/schema/").status_code == 200
    chinese = get(client, "/recognitions/", "zh-hans")
    labels = re.findall(r'<label class="form-label[^>]*>([^<]*)</label>', chinese)
    assert labels[:2] == ["称号", "级别"]
    assert not [label for label in labels if re.fullmatch(r"[A-Za-z ]+", label)]
    english = get(client, "/recognitions/", "en")
    assert re.findall(r'<label class="form-label[^>]*>([^<]*)</label>', english)[:2] == ["Title", "Level"]


def test_yes_no_filters_offer_all_yes_and_no():
    from greentech.deals.filtersets import ContractFilterSet, DealFilterSet

    with translation.override("zh-hans"):
        for form in (DealFilterSet().form, ContractFilterSet().form):
            html = str(form["open" if "open" in form.fields else "registered"])
            assert ">全部<" in html and ">是<" in html and ">否<" in html and "未知" not in html


# --- taxonomy and sources -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_taxonomy_pages_show_no_internal_notes(client, language):
    for path in ("/taxonomy/", "/taxonomy/schemes/cpc-y02/", "/taxonomy/schemes/cnipa-green-lowcarbon-2022/"):
        page = get(client, path, language)
        assert "PARTIAL" not in page and "SOURCE.md" not in page and "data/" not in page, path
    tree = text_of(get(client, "/taxonomy/schemes/cpc-y02/", language))
    assert ("源数据只提供该分类体系类目的英文名称" in tree) == (language == "zh-hans")


def test_a_demo_organizations_source_is_named_not_coded(client):
    organization = factories.OrganizationFactory(name="【演示】沈阳示范企业", source="demo", name_en="Demo Co.")
    chinese = text_of(get(client, organization.get_absolute_url(), "zh-hans"))
    assert "演示数据" in chinese and " demo " not in chinese


# --- English names ------------------------------------------------------------------------------------------


def test_every_region_has_its_english_name():
    names = dict(Region.objects.values_list("code", "name_en"))
    assert len(names) == 115 and all(names.values())
    assert names["210000"] == "Liaoning Province" and names["210100"] == "Shenyang"
    assert names["210106"] == "Tiexi District" and names["210303"] == "Tiexi District"
    assert names["210323"] == "Xiuyan Manchu Autonomous County" and names["210181"] == "Xinmin City"
    assert names["211324"] == "Harqin Left Wing Mongol Autonomous County"
    assert find_region("shenyang").code == "210100"


def test_the_region_select_tells_namesakes_apart_in_both_languages(member_org):
    from greentech.market.forms import OfferForm
    from greentech.registry.models import Organization

    for language, expected in (
        ("zh-hans", {"沈阳市 · 铁西区", "鞍山市 · 铁西区"}),
        ("en", {"Shenyang · Tiexi District", "Anshan · Tiexi District"}),
    ):
        with translation.override(language):
            form = OfferForm(organizations=Organization.objects.filter(pk=member_org.pk))
            labels = [label for _value, label in form.fields["region"].choices]
        assert expected <= set(labels)
        assert "铁西区" not in labels and "Tiexi District" not in labels


def test_english_pages_use_english_names_of_regions_departments_the_plan_and_organizations(client):
    factories.OrganizationFactory(
        name="沈阳绿源环保科技有限公司", name_en="Shenyang Lvyuan Environmental Technology Co., Ltd."
    )
    regions = text_of(get(client, "/regions/", "en"))
    assert "Shenyang" in regions and "Huludao" in regions and "沈阳市" not in regions
    organizations = text_of(get(client, "/organizations/", "en", q="绿源"))
    assert "Shenyang Lvyuan Environmental Technology Co., Ltd." in organizations
    assert "沈阳绿源环保科技有限公司" in text_of(get(client, "/organizations/", "zh-hans", q="绿源"))
    departments = text_of(get(client, "/departments/", "en"))
    assert Department.objects.get(code="kjt").name_en in departments
    plan = Plan.objects.first()
    roadmap = text_of(get(client, reverse("roadmap:plan_list"), "en"))
    assert plan.title_en and plan.title_en in roadmap and plan.title not in roadmap
    plan_page = text_of(get(client, plan.get_absolute_url(), "en"))
    assert "Department of Science and Technology of Liaoning Province" in plan_page and "省科技厅" not in plan_page
    assert "省科技厅" in text_of(get(client, plan.get_absolute_url(), "zh-hans"))


# --- sign-up, numbers, contract registration ----------------------------------------------------------------


def test_sign_up_without_the_terms_keeps_the_fields_and_says_to_enter_the_passwords_again(client):
    client.cookies["django_language"] = "zh-hans"
    response = client.post(
        reverse("accounts:account_add"),
        {
            "username": "newcomer",
            "email": "newcomer@example.cn",
            "password1": "Gr33n-Tech-2026!",
            "password2": "Gr33n-Tech-2026!",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="newcomer"' in html and 'value="newcomer@example.cn"' in html
    assert 'id="reenter-passwords"' in html and "请在两个密码栏中重新输入" in html
    assert "Gr33n-Tech-2026!" not in html  # passwords are still never sent back


def test_offer_and_deal_numbers_use_the_date_in_beijing(monkeypatch, member_org):
    late_evening_utc = datetime.datetime(2026, 12, 1, 19, 30, tzinfo=datetime.UTC)  # 03:30 on 2 December in Beijing
    monkeypatch.setattr(timezone, "now", lambda: late_evening_utc)
    offer = market_services.create_listing(SYSTEM, Offer(title="钢渣微粉", summary="钢渣", organization=member_org))
    assert offer.reference.startswith("O20261202-")


def test_the_contract_registration_button_says_dengji():
    with translation.override("zh-hans"):
        assert translation.pgettext("technology contract", "Register") == "登记"
        assert translation.gettext("Register") == "注册"  # the account's sign-up keeps its word
    template = (Path(deals.__file__).parent / "templates" / "deals" / "deal_detail.html").read_text()
    assert '{% trans "Register" context "technology contract" %}' in template
