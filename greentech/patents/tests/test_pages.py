"""The pages and the write services: search page with facets, a patent's page with labels and reasons, the
translation and "list in the market" for the applicant's members only, export, analytics, transfers, API writes."""

import pytest
from django.core.exceptions import PermissionDenied

from greentech.market.models import Offer
from greentech.patents import importing, services
from greentech.patents.models import Patent, PatentTransfer
from greentech.patents.tests.conftest import CN_SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_patent(write_jsonl, member_org):
    record = {
        "number": "CN115000001A",
        "title": "一种退役动力电池梯次利用方法",
        "abstract": "健康状态评估、分选重组与均衡管理。",
        "applicants": [member_org.name],
        "cpc": ["Y02W 30/84"],
        "ipc": ["H01M 10/54"],
        "publication_date": "2022-01-10",
    }
    assert importing.run(write_jsonl([record]), label_text=False).ok
    return Patent.objects.get(number="CN115000001")


def test_search_page_with_facets_and_export(client, own_patent):
    page = client.get("/patents/", {"q": "梯次利用"})
    html = page.content.decode()
    assert page.status_code == 200 and "一种退役动力电池梯次利用方法" in html and 'id="facets"' in html
    assert "<mark>" in html and "format=xlsx" in html
    assert client.get("/patents/", {"code": "???"}).content.decode().count('id="search-error"') == 1
    csv = client.get("/patents/export/", {"q": "梯次利用", "format": "csv"})
    assert (
        csv.status_code == 200 and csv["X-Export-Cap"] == "5000" and "CN115000001A" in csv.content.decode("utf-8-sig")
    )
    xlsx = client.get("/patents/export/", {"code": "H01M", "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_patent_page_shows_labels_with_reasons(client, own_patent):
    html = client.get(own_patent.get_absolute_url()).content.decode()
    assert 'id="labels"' in html and "Y02W 30/84" in html and "label-reason" in html
    assert 'id="list-in-market"' not in html and 'id="translation-form"' not in html  # a visitor


def test_member_lists_the_patent_in_the_market_others_may_not(client, own_patent, member, other_member):
    client.force_login(other_member)
    assert 'id="list-in-market"' not in client.get(own_patent.get_absolute_url()).content.decode()
    client.post(own_patent.get_absolute_url(), {"action": "list_in_market"})
    assert not Offer.objects.exists()
    with pytest.raises(PermissionDenied):
        services.list_in_market(other_member, own_patent)
    client.force_login(member)
    assert 'id="list-in-market"' in client.get(own_patent.get_absolute_url()).content.decode()
    response = client.post(own_patent.get_absolute_url(), {"action": "list_in_market"})
    offer = Offer.objects.get()
    assert response.status_code == 302 and response["Location"] == offer.get_absolute_url()
    assert offer.status == "draft" and offer.organization == own_patent.applicant_rows.get().organization
    assert offer.title == own_patent.title and offer.patent_numbers == "CN115000001A"
    assert "Y02W 30/84" in offer.codes and offer.summary.startswith("健康状态评估")
    client.post(own_patent.get_absolute_url(), {"action": "list_in_market"})
    assert Offer.objects.count() == 1  # once


def test_translation_by_the_applicants_members_only(client, own_patent, member, other_member):
    with pytest.raises(PermissionDenied):
        services.save_translation(other_member, own_patent, title="x", abstract="y")
    client.force_login(member)
    client.post(
        own_patent.get_absolute_url(),
        {
            "action": "translate",
            "title_translation": "Cascade use of retired batteries",
            "abstract_translation": "Sorting.",
        },
    )
    own_patent.refresh_from_db()
    assert own_patent.title_translation == "Cascade use of retired batteries"
    assert own_patent.history.first().history_user == member
    from greentech.core.permissions import SYSTEM
    from greentech.patents import queries

    assert queries.find(SYSTEM, {"q": "cascade"}).total == 1  # the index follows the edit


def test_analytics_page_and_statistics(client, api_client, own_patent):
    importing.run(CN_SAMPLE)
    html = client.get("/patents/analytics/").content.decode()
    assert 'id="chart-year"' in html and "patent-statistics" in html and "echarts" in html
    stats = api_client().get("/api/v1/patents/statistics/").json()
    assert stats["green"] >= 2
    assert {row["office"] for row in stats["by_office"]} == {"CN"}
    assert any(row["category"] == "cpc-y02:Y02E" for row in stats["by_category"])
    from greentech.roadmap.indicators import value

    assert value("green-patents") == stats["green"]


def test_transfers_recorded_by_administrators(api_client, own_patent, admin, member, member_org, client):
    payload = {
        "patent": own_patent.pk,
        "kind": "licence_exclusive",
        "assignor": member_org.name,
        "assignee": "鞍山某钢铁公司",
        "registered_on": "2023-04-01",
    }
    assert api_client(member).post("/api/v1/patent-transfers/", payload, format="json").status_code == 403
    assert not PatentTransfer.objects.exists()
    response = api_client(admin).post("/api/v1/patent-transfers/", payload, format="json")
    assert response.status_code == 201, response.content
    transfer = PatentTransfer.objects.get()
    assert transfer.assignor_organization == member_org and transfer.assignee_organization is None
    html = client.get(own_patent.get_absolute_url()).content.decode()
    assert "鞍山某钢铁公司" in html and "2023" in html


def test_api_translation_and_list_in_market(api_client, own_patent, member, other_member):
    url = f"/api/v1/patents/{own_patent.pk}/"
    body = {"title_translation": "Cascade use", "abstract_translation": ""}
    assert api_client(other_member).post(url + "translation/", body, format="json").status_code == 403
    assert (
        api_client(member).post(url + "translation/", body, format="json").json()["title_translation"] == "Cascade use"
    )
    assert api_client(other_member).post(url + "list-in-market/", {}, format="json").status_code == 403
    response = api_client(member).post(url + "list-in-market/", {}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "draft"


def test_transfer_import_links_a_deal_shown_to_its_parties_only(tmp_path, own_patent, client, member_org):
    from greentech.core.imports import run_import
    from greentech.deals.models import Deal
    from greentech.market.models import Offer

    offer = Offer.objects.create(
        organization=member_org,
        title="梯次利用技术",
        summary="退役电池。",
        status="published",
        patent_numbers="CN115000001A",
    )
    from greentech.registry.models import Organization

    buyer = Organization.objects.exclude(pk=member_org.pk).first()
    deal = Deal.objects.create(offer=offer, seller=member_org, buyer=buyer)
    path = tmp_path / "transfers.csv"
    path.write_text(
        "patent,kind,assignor,assignee,registration_number,registered_on,deal\n"
        f"CN115000001A,普通许可,{member_org.name},{buyer.name},2023990000123,2023-05-06,{deal.reference}\n",
        encoding="utf-8",
    )
    from greentech.core.permissions import SYSTEM

    report = run_import("patent-transfers", path, user=SYSTEM)
    assert report.ok, [e.as_dict() for e in report.errors]
    transfer = PatentTransfer.objects.get()
    assert transfer.deal == deal and transfer.kind == "licence_ordinary"
    html = client.get(own_patent.get_absolute_url()).content.decode()
    assert "2023990000123" in html and deal.get_absolute_url() not in html  # a visitor is no party to the deal
    bad = tmp_path / "bad.csv"
    bad.write_text("patent,kind,assignor,assignee\nCN999999999A,转让,甲,乙\n", encoding="utf-8")
    assert not run_import("patent-transfers", bad, user=SYSTEM).ok and PatentTransfer.objects.count() == 1
