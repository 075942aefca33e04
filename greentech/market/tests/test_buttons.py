"""The market's buttons and links are shown per role exactly when the permission mechanism allows the action
behind them (and the action then works)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from greentech.market.models import Offer, Status

pytestmark = pytest.mark.django_db


def offer_of(organization, **fields) -> Offer:
    values = {"title": "余热回收技术", "summary": "烟气余热。", "status": Status.PUBLISHED, "modes": "transfer"}
    return Offer.objects.create(organization=organization, **(values | fields))


def page(client, user, url, *, hidden_ok: bool = False) -> str:
    """The page as `user` sees it ("" when it is hidden from them, if `hidden_ok`)."""
    if getattr(user, "is_authenticated", False):
        client.force_login(user)
    response = client.get(url)
    if hidden_ok and response.status_code == 404:
        return ""
    assert response.status_code == 200
    return response.content.decode()


ADD_LINK = 'href="/market/offers/new/"'


@pytest.mark.parametrize(
    ("role", "shown"),
    [("member", True), ("broker", True), ("department_officer", False), ("admin", False)],
)
def test_publish_an_offer_is_shown_to_those_who_act_for_an_organization(client, user_for, role, shown):
    user = user_for(role)
    assert (ADD_LINK in page(client, user, "/market/mine/")) is shown
    assert ('id="add-listing"' in page(client, user, "/market/offers/")) is shown
    assert (ADD_LINK in page(client, user, reverse("accounts:account_detail"))) is shown
    assert client.get("/market/offers/new/").status_code == (200 if shown else 403)


def test_nobody_signed_out_sees_publish_an_offer(client):
    assert ADD_LINK not in page(client, None, "/market/offers/")


@pytest.mark.parametrize(
    ("role", "shown"), [("member", True), ("other_member", False), ("department_officer", False), ("admin", True)]
)
def test_edit_is_shown_to_those_who_may_change_the_offer_and_its_form_works_for_them(
    client, user_for, member_org, role, shown
):
    offer = offer_of(member_org)
    user = user_for(role)
    edit = f'href="/market/offers/{offer.pk}/edit/"'
    assert (edit in page(client, user, offer.get_absolute_url())) is shown
    response = client.get(f"/market/offers/{offer.pk}/edit/")
    assert response.status_code == (200 if shown else 403)
    if shown:  # the organization the offer belongs to is on the form, also for an administrator of no organization
        form = response.context["form"]
        assert list(form.fields["organization"].queryset.values_list("pk", flat=True)) != []
        assert member_org in form.fields["organization"].queryset


def test_an_administrator_changes_another_organizations_offer_with_the_form(client, admin, member_org):
    offer = offer_of(member_org, status=Status.DRAFT, summary="旧摘要。")
    client.force_login(admin)
    form = client.get(f"/market/offers/{offer.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "categories"}
    data.update(organization=member_org.pk, summary="管理员修改的摘要。", negotiable="on", mode_choices=["transfer"])
    data.pop("modes", None)
    response = client.post(f"/market/offers/{offer.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    offer.refresh_from_db()
    assert offer.summary == "管理员修改的摘要。" and offer.organization == member_org


@pytest.mark.parametrize(
    ("role", "shown"),
    [("visitor", True), ("member", False), ("other_member", True), ("department_officer", False), ("admin", False)],
)
def test_express_interest_is_shown_to_buyers_and_to_visitors_who_may_sign_in(client, user_for, member_org, role, shown):
    offer = offer_of(member_org)  # the member's organization sells
    user = user_for(role)
    html = page(client, user, offer.get_absolute_url())
    assert ('id="express-interest"' in html) is shown
    if user.is_authenticated:
        assert client.get(f"/deals/new/{offer.pk}/").status_code == (200 if shown else 403)


@pytest.mark.parametrize(
    ("role", "submit", "review"),
    [("member", True, False), ("other_member", False, False), ("department_officer", False, True)],
)
def test_workflow_buttons_follow_the_permissions(client, user_for, member_org, role, submit, review):
    offer = offer_of(member_org, status=Status.SUBMITTED)
    draft = offer_of(member_org, status=Status.DRAFT, title="草稿成果")
    user = user_for(role)
    html = page(client, user, offer.get_absolute_url(), hidden_ok=True)
    assert ('id="review-form"' in html) is review
    assert ('value="submit"' in page(client, user, draft.get_absolute_url(), hidden_ok=True)) is submit
