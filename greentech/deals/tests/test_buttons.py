"""The deal page's forms and buttons are shown per role exactly when the permission mechanism allows the action
behind them; the action refused to the others is the 403 page."""

# ruff: noqa: F811 - the fixtures of test_deals are imported and then requested by name

from __future__ import annotations

import pytest
from django.urls import reverse

from greentech.deals.models import Contract, Stage
from greentech.deals.tests.test_deals import (  # noqa: F401 - fixtures
    _english_messages,
    deal,
    need,
    offer,
    professor,
    registered,
    sign,
    university,
)

pytestmark = pytest.mark.django_db


def forms_on_page(client, user, deal) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("deals:deal_detail", args=[deal.pk])).content.decode()
    ids = ("step-form", "sign-form", "terminate-form", "register-form", "distribution-form", "payment-form")
    return {name for name in ids if f'id="{name}"' in html}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("member", {"step-form", "sign-form", "terminate-form"}),  # the buyer
        ("professor", {"step-form", "sign-form", "terminate-form"}),  # the seller
        ("broker", {"step-form", "sign-form", "terminate-form"}),
        ("department_officer", set()),  # sees the deal in remit, works nothing
        ("admin", {"step-form", "sign-form", "terminate-form"}),
    ],
)
def test_an_open_deal_shows_the_working_forms_to_those_who_work_it(client, request, deal, role, expected):
    assert forms_on_page(client, request.getfixturevalue(role), deal) == expected


@pytest.mark.parametrize(
    ("role", "register", "distribute"),
    [
        ("member", False, False),
        ("professor", False, True),
        ("broker", False, False),
        ("department_officer", True, False),
        ("admin", True, True),
    ],
)
def test_a_signed_deal_shows_registration_to_officers_and_distribution_to_the_seller(
    client, request, deal, member, role, register, distribute
):
    sign(member, deal)
    shown = forms_on_page(client, request.getfixturevalue(role), deal)
    assert ("register-form" in shown) is register
    assert ("distribution-form" in shown) is distribute


def test_registration_is_refused_with_the_403_page_to_a_party_and_done_by_the_officer(
    client, deal, member, department_officer
):
    sign(member, deal)
    data = {
        "action": "register",
        "register-registration_number": "2026210200000999",
        "register-registered_on": "2026-06-10",
    }
    client.force_login(member)
    response = client.post(reverse("deals:deal_detail", args=[deal.pk]), data)
    assert response.status_code == 403 and 'id="forbidden"' in response.content.decode()
    assert not Contract.objects.get(deal=deal).registration_number
    client.force_login(department_officer)
    response = client.post(reverse("deals:deal_detail", args=[deal.pk]), data)
    assert response.status_code == 302
    assert Contract.objects.get(deal=deal).registration_number == "2026210200000999"


def test_a_registered_contract_offers_no_second_registration(client, deal, member, department_officer):
    registered(deal, member, department_officer)
    assert deal.stage == Stage.REGISTERED
    assert "register-form" not in forms_on_page(client, department_officer, deal)


def test_an_invalid_step_keeps_the_form_with_its_errors(client, deal, member):
    client.force_login(member)
    response = client.post(
        reverse("deals:deal_detail", args=[deal.pk]), {"action": "step", "step-kind": "", "step-note": "x"}
    )
    assert response.status_code == 400
    assert "kind" in response.context["step_form"].errors
    assert len(list(response.context["messages"])) == 1  # "Check the step's fields."
    assert deal.events.count() == 1  # the intent only


def test_a_move_the_service_refuses_is_a_message_and_changes_nothing(client, deal, member):
    client.force_login(member)
    response = client.post(
        reverse("deals:deal_detail", args=[deal.pk]), {"action": "advance", "stage": "completed", "note": "跳过"}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == Stage.INTENT  # a stage cannot be skipped: message and back
