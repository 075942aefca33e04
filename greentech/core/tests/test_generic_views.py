"""The generic form and action views (core.views.ObjectEditView, ObjectActionView), the named permission rules
and the {% can %} template tag, exercised through the pages built on them."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import Client, RequestFactory

from greentech.core.permissions import ORGANIZATION_MEMBER, SYSTEM, allows, registered_rules, require
from greentech.core.views import apply_validation_error
from greentech.market.models import Offer, Status
from greentech.registry.models import Organization

pytestmark = pytest.mark.django_db


def offer_of(organization, **fields) -> Offer:
    values = {"title": "余热回收技术", "summary": "烟气余热。", "status": Status.PUBLISHED} | fields
    return Offer.objects.create(organization=organization, **values)


# --- ObjectActionView -------------------------------------------------------------------------------------------


def test_an_unknown_action_is_a_400_with_a_message(client, member, member_org):
    offer = offer_of(member_org)
    client.force_login(member)
    response = client.post(offer.get_absolute_url(), {"action": "explode"})
    assert response.status_code == 400
    assert "explode" in response.content.decode()


def test_a_forbidden_action_is_the_sites_403_page_and_changes_nothing(client, member_org, other_member):
    offer = offer_of(member_org)
    client.force_login(other_member)
    response = client.post(offer.get_absolute_url(), {"action": "close"})
    assert response.status_code == 403
    assert 'id="forbidden"' in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Status.PUBLISHED


def test_a_refused_value_is_a_message_and_a_redirect_back(client, member, member_org, department_officer):
    offer = offer_of(member_org, status=Status.SUBMITTED)
    client.force_login(department_officer)
    response = client.post(offer.get_absolute_url(), {"action": "return", "note": ""}, follow=True)
    assert response.redirect_chain == [(offer.get_absolute_url(), 302)]
    assert "Give the reason" in response.content.decode() or "退回" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Status.SUBMITTED


def test_success_redirects_with_the_actions_message(client, member, member_org):
    offer = offer_of(member_org, status=Status.DRAFT)
    client.force_login(member)
    response = client.post(offer.get_absolute_url(), {"action": "submit"}, follow=True)
    assert response.redirect_chain[-1] == (offer.get_absolute_url(), 302)
    offer.refresh_from_db()
    assert offer.status == Status.SUBMITTED
    assert [str(m) for m in response.context["messages"]] == ["已提交审核。"]  # Submitted for review.


def test_an_action_on_an_object_the_user_may_not_see_is_a_404(client, member_org, other_member):
    draft = offer_of(member_org, status=Status.DRAFT)
    client.force_login(other_member)
    assert client.post(draft.get_absolute_url(), {"action": "submit"}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_actions_need_the_csrf_token(member, member_org):
    offer = offer_of(member_org, status=Status.DRAFT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(offer.get_absolute_url(), {"action": "submit"}).status_code == 403
    offer.refresh_from_db()
    assert offer.status == Status.DRAFT


def test_an_anonymous_action_is_sent_to_sign_in(client, member_org):
    offer = offer_of(member_org)
    response = client.post(offer.get_absolute_url(), {"action": "close"})
    assert response.status_code == 302 and "/login" in response["Location"]
    offer.refresh_from_db()
    assert offer.status == Status.PUBLISHED


# --- ObjectEditView ---------------------------------------------------------------------------------------------


def test_editing_an_object_the_user_may_not_see_is_a_404(client, member, member_org, other_member):
    draft = offer_of(member_org, status=Status.DRAFT)
    client.force_login(other_member)
    assert client.get(f"/market/offers/{draft.pk}/edit/").status_code == 404


def test_editing_a_visible_object_the_user_may_not_change_is_the_403_page(client, member_org, other_member):
    client.force_login(other_member)
    response = client.get(f"/organizations/{member_org.pk}/edit/")
    assert response.status_code == 403 and 'id="forbidden"' in response.content.decode()
    response = client.post(f"/organizations/{member_org.pk}/edit/", {"name": "改名"})
    assert response.status_code == 403
    member_org.refresh_from_db()
    assert member_org.name != "改名"


def test_a_new_object_form_asks_the_add_rule(client, department_officer):
    client.force_login(department_officer)  # acts for no organization
    response = client.get("/market/offers/new/")
    assert response.status_code == 403
    assert "organization" in response.content.decode().lower() or "机构" in response.content.decode()


def test_a_service_error_is_shown_on_the_form_and_nothing_partial_is_written(member):
    """The save hook runs in one transaction: a ValidationError after a write leaves nothing behind, and its
    messages go next to the fields they name."""
    from django.contrib.messages.storage.fallback import FallbackStorage

    from greentech.registry.views import OrganizationFormView

    class FailingAfterWriting(OrganizationFormView):
        def save(self, user, original, form):
            super().save(user, original, form)  # written ...
            raise ValidationError({"address": "地址无法核实", "__all__": "登记未完成"})  # ... and refused

    data = {"name": "沈阳半途而废科技有限公司", "kind": "enterprise", "credit_code": ""}
    request = RequestFactory().post("/organizations/new/", data)
    request.user = member
    request.session = {}
    request._messages = FallbackStorage(request)
    response = FailingAfterWriting.as_view()(request)
    assert response.status_code == 200
    form = response.context_data["form"]
    assert form.errors["address"] == ["地址无法核实"]
    assert form.non_field_errors() == ["登记未完成"]
    assert not Organization.objects.filter(name="沈阳半途而废科技有限公司").exists()


def test_apply_validation_error_puts_messages_next_to_their_fields():
    class NameForm(forms.Form):
        name = forms.CharField()

    form = NameForm({"name": "x"})
    assert form.is_valid()
    apply_validation_error(form, ValidationError({"name": "taken", "code": "bad code"}))
    assert form.errors["name"] == ["taken"] and form.non_field_errors() == ["bad code"]

    form = NameForm({"name": "x"})
    form.is_valid()
    rest = apply_validation_error(form, ValidationError({"name": "taken", "code": "bad code"}), fields_only=True)
    assert form.errors["name"] == ["taken"] and rest == ["bad code"] and not form.non_field_errors()

    form = NameForm({"name": "x"})
    form.is_valid()
    apply_validation_error(form, ValidationError("no field"))
    assert form.non_field_errors() == ["no field"]


# --- named rules and the template tag ---------------------------------------------------------------------------


def test_named_rules_answer_and_unknown_names_are_a_programming_error(member, department_officer):
    assert {"organization_member", "deals.register_contract", "roadmap.evaluate"} <= set(registered_rules())
    assert allows(member, ORGANIZATION_MEMBER) and not allows(department_officer, ORGANIZATION_MEMBER)
    assert allows(department_officer, "roadmap.evaluate") and not allows(member, "roadmap.evaluate")
    with pytest.raises(PermissionDenied):
        require(member, "roadmap.evaluate")
    with pytest.raises(ImproperlyConfigured):
        allows(member, "no.such.rule")


def test_the_can_tag_asks_actions_and_rules(member, member_org, other_member):
    offer = offer_of(member_org)
    template = Template(
        "{% load greentech %}{% can 'change' offer as may_edit %}{% can 'organization_member' as may_list %}"
        "{{ may_edit }}/{{ may_list }}"
    )
    request = RequestFactory().get("/")
    for user, expected in ((member, "True/True"), (other_member, "False/True"), (SYSTEM, "True/False")):
        request.user = user
        assert template.render(Context({"request": request, "offer": offer})) == expected
