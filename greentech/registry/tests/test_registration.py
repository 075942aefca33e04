"""Registering an organization on the portal, and its members changing its record."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from greentech.accounts.models import RoleAssignment
from greentech.core.permissions import Action, Role, actor_for, can
from greentech.registry.forms import OrganizationForm, name_variants
from greentech.registry.models import Organization
from greentech.testing import factories

ADD = "/organizations/new/"


def edit_url(organization) -> str:
    return reverse("registry:organization_edit", args=[organization.pk])


def data(**overrides) -> dict:
    values = {
        "name": "辽宁碳谷新材料科技有限公司",
        "name_en": "Liaoning Carbon Valley New Materials Technology Co., Ltd.",
        "kind": Organization.Kind.ENTERPRISE,
        "credit_code": factories.credit_code(777_001, "210200"),
        "region": factories.region("210213").pk,  # 大连市金州区
        "address": "大连市金州区先进装备制造业园区 18 号",
        "industry": "新材料",
        "website": "https://www.example.cn",
        "description": "钢渣微粉与碳化养护建材。",
    }
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


@pytest.fixture
def newcomer(db):
    """A signed-up account without any role."""
    return factories.UserFactory(username="newcomer")


def signed_in(user, *, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


# --- the form ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_form_normalises_the_credit_code():
    form = OrganizationForm(data(credit_code=" " + factories.credit_code(777_001, "210200").lower() + " "))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["credit_code"] == factories.credit_code(777_001, "210200")


@pytest.mark.django_db
def test_an_invalid_credit_code_names_the_right_check_character():
    good = factories.credit_code(777_001, "210200")
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with translation.override("en"):
        form = OrganizationForm(data(credit_code=wrong))
        assert not form.is_valid()
        assert f"the last character should be {good[17]}" in " ".join(form.errors["credit_code"])
    with translation.override("zh-hans"):
        form = OrganizationForm(data(credit_code=wrong))
        assert not form.is_valid()
        assert good[17] in " ".join(form.errors["credit_code"])


@pytest.mark.django_db
def test_duplicate_names_and_credit_codes_point_to_the_registered_organization():
    existing = factories.OrganizationFactory(name="阿里巴巴（中国）有限公司", credit_code="91330100716105852F")
    with translation.override("en"):
        # the same name with half-width brackets is the same organization
        form = OrganizationForm(data(name="阿里巴巴(中国)有限公司", credit_code="91330100716105852f"))
        assert not form.is_valid()
        assert "registered already" in form.errors["name"][0]
        assert existing.get_absolute_url() in form.errors["name"][0]
        assert "unified social credit code is registered already" in form.errors["credit_code"][0]


def test_name_variants_cover_half_and_full_width_brackets():
    assert name_variants("阿里巴巴(中国)有限公司") == {"阿里巴巴(中国)有限公司", "阿里巴巴（中国）有限公司"}
    assert "阿里巴巴(中国)有限公司" in name_variants("阿里巴巴（中国）有限公司")


@pytest.mark.django_db
def test_the_form_offers_no_government_kind_and_cities_with_their_counties():
    form = OrganizationForm()
    kinds = [value for value, _label in form.fields["kind"].choices]
    assert Organization.Kind.GOVERNMENT not in kinds and Organization.Kind.UNIVERSITY in kinds
    labels = [label for _value, label in form.fields["region"].choices]
    assert "沈阳市" in labels and "大连市 · 金州区" in labels
    assert not OrganizationForm(data(kind=Organization.Kind.GOVERNMENT)).is_valid()


# --- registering ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(ADD)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/?next=/organizations/new/")
    before = Organization.objects.count()
    assert client.post(ADD, data()).status_code == 302
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_the_registration_page_in_chinese_and_english(newcomer):
    page = signed_in(newcomer).get(ADD).content.decode()
    assert "注册机构" in page and "统一社会信用代码" in page and "大连市 · 金州区" in page
    page = signed_in(newcomer, language="en").get(ADD).content.decode()
    assert "Register an organization" in page and "Unified social credit code" in page


@pytest.mark.django_db
def test_registering_makes_the_registrant_a_member_who_can_publish(newcomer):
    client = signed_in(newcomer)
    response = client.post(ADD, data())
    organization = Organization.objects.get(name="辽宁碳谷新材料科技有限公司")
    assert response.status_code == 302 and response.url == organization.get_absolute_url()
    assert organization.region.code == "210213" and organization.credit_code == data()["credit_code"]
    assert not organization.is_demo
    assignment = RoleAssignment.objects.get(user=newcomer, organization=organization)
    assert assignment.role == Role.MEMBER and assignment.active
    assert can(newcomer, Action.CHANGE, organization)
    created = organization.history.get(history_type="+")
    assert created.history_user == newcomer and created.history_source == "web"
    # the market's offer form now lists the organization
    form_page = client.get(reverse("market:offer_add"))
    assert form_page.status_code == 200
    assert f'<option value="{organization.pk}">{organization.name}</option>' in form_page.content.decode()
    detail = client.get(organization.get_absolute_url()).content.decode()
    assert edit_url(organization) in detail


@pytest.mark.django_db
def test_registering_with_green_categories(newcomer):
    from greentech.taxonomy.models import Category

    categories = list(Category.objects.filter(scheme__slug="gic2019", level=3).order_by("sort_key")[:2])
    signed_in(newcomer).post(ADD, {**data(), "green_categories": [c.pk for c in categories]})
    organization = Organization.objects.get(name="辽宁碳谷新材料科技有限公司")
    assert set(organization.green_categories.all()) == set(categories)


@pytest.mark.django_db
def test_a_duplicate_registration_writes_nothing_and_says_so(newcomer, member_org):
    before = Organization.objects.count()
    response = signed_in(newcomer).post(ADD, data(name=member_org.name, credit_code=member_org.credit_code))
    assert response.status_code == 200
    page = response.content.decode()
    assert "该机构已经注册" in page and "该统一社会信用代码已有机构注册" in page
    assert f'<a href="{member_org.get_absolute_url()}">{member_org.name}</a>' in page
    assert Organization.objects.count() == before
    assert not RoleAssignment.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_an_invalid_registration_writes_nothing_and_shows_each_error(newcomer):
    before = Organization.objects.count()
    response = signed_in(newcomer, language="en").post(
        ADD, data(name="", credit_code="91210200ABC", website="not a url", kind="")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="text-danger small"') >= 4
    assert "has 18 characters" in page and "Enter a valid URL." in page
    assert Organization.objects.count() == before
    assert not actor_for(newcomer).organization_ids


# --- changing ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_changes_the_record_and_the_change_is_in_the_history(member, member_org):
    client = signed_in(member)
    page = client.get(edit_url(member_org))
    assert page.status_code == 200 and member_org.name in page.content.decode()
    values = data(
        name=member_org.name,
        credit_code=member_org.credit_code,
        address="沈阳市浑南区创新路 100 号",
        region=factories.region("210112").pk,
    )
    response = client.post(edit_url(member_org), values)
    assert response.status_code == 302 and response.url == member_org.get_absolute_url()
    member_org.refresh_from_db()
    assert member_org.address == "沈阳市浑南区创新路 100 号" and member_org.region.code == "210112"
    change = member_org.history.filter(history_type="~").latest("history_date")
    assert change.history_user == member and change.history_source == "web"
    assert "address" in {c.field for c in change.diff_against(change.prev_record).changes}
    history_page = client.get(reverse("registry:organization_history", args=[member_org.pk])).content.decode()
    assert "沈阳市浑南区创新路 100 号" in history_page


@pytest.mark.django_db
def test_a_member_cannot_take_another_organizations_name(member, member_org, other_org):
    response = signed_in(member).post(edit_url(member_org), data(name=other_org.name, credit_code=""))
    assert response.status_code == 200
    member_org.refresh_from_db()
    assert member_org.name == "沈阳绿源环保科技有限公司"


@pytest.mark.parametrize("role", ["other_member", "broker", "evaluator", "finance_officer", "department_officer"])
@pytest.mark.django_db
def test_non_members_may_not_change_the_record(role, user_for, member_org):
    client = signed_in(user_for(role))
    assert client.get(edit_url(member_org)).status_code == 403
    snapshot = Organization.objects.filter(pk=member_org.pk).values().get()
    response = client.post(edit_url(member_org), data(name="改名的机构", credit_code=""))
    assert response.status_code == 403
    assert Organization.objects.filter(pk=member_org.pk).values().get() == snapshot
    assert not member_org.history.filter(history_type="~").exists()
    detail = client.get(member_org.get_absolute_url()).content.decode()
    assert edit_url(member_org) not in detail


@pytest.mark.django_db
def test_an_unknown_organization_is_404_and_anonymous_edits_go_to_sign_in(client, member):
    assert signed_in(member).get("/organizations/999999/edit/").status_code == 404
    response = client.get("/organizations/1/edit/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
def test_an_administrator_may_change_any_record(admin, member_org):
    response = signed_in(admin).post(
        edit_url(member_org), data(name=member_org.name, credit_code=member_org.credit_code, industry="节能环保")
    )
    assert response.status_code == 302
    member_org.refresh_from_db()
    assert member_org.industry == "节能环保"


@pytest.mark.django_db
def test_the_refusal_page_says_why_and_what_to_do(newcomer, other_member, member_org):
    refused = signed_in(newcomer).get(reverse("market:offer_add"))  # no organization yet
    assert refused.status_code == 403
    page = refused.content.decode()
    assert 'id="forbidden"' in page and "请先注册或加入机构" in page
    assert reverse("registry:organization_add") in page
    page = signed_in(other_member, language="en").get(edit_url(member_org)).content.decode()
    assert "You may not change this organization." in page


@pytest.mark.django_db
def test_an_edit_keeps_categories_outside_the_catalogue_items_offered(member, member_org):
    from greentech.taxonomy.models import Category

    level_two = Category.objects.get(scheme__slug="gic2019", code="1.1")
    level_three = Category.objects.filter(scheme__slug="gic2019", level=3).order_by("sort_key").first()
    member_org.green_categories.set([level_two, level_three])
    client = signed_in(member)
    page = client.get(edit_url(member_org)).content.decode()
    assert f'<option value="{level_two.pk}" selected>' in page  # still chosen on the form
    values = data(name=member_org.name, credit_code=member_org.credit_code)
    client.post(edit_url(member_org), {**values, "green_categories": [level_two.pk, level_three.pk]})
    assert set(member_org.green_categories.all()) == {level_two, level_three}
    english = signed_in(member, language="en").get(ADD).content.decode()
    assert f"{level_three.code} {level_three.name_en}" in english and level_two.name not in english
