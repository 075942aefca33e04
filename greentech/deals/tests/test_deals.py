"""Deals: the pipeline, contract registration, the 70% rule, payments, events, statistics; services, API and pages."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from greentech.accounts.services import assign_role
from greentech.core.permissions import SYSTEM, Role
from greentech.deals import services
from greentech.deals.models import Contract, Deal, DealEvent, IncomeDistribution, IncomeShare, MatchmakingEvent, Payment
from greentech.deals.statistics import market_statistics
from greentech.inbox.models import Notification
from greentech.market.models import Need, Offer
from greentech.registry.models import Department, Organization
from greentech.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """Service messages are matched in English here (one test checks both languages)."""
    with translation.override("en"):
        yield


@pytest.fixture
def university(db):
    return factories.OrganizationFactory(
        name="大连理工大学（测试）", kind=Organization.Kind.UNIVERSITY, region=factories.region("210200")
    )


@pytest.fixture
def professor(university):
    user = factories.UserFactory(username="professor")
    assign_role(SYSTEM, user, Role.MEMBER, organization=university)
    return user


@pytest.fixture
def offer(university):
    return Offer.objects.create(
        organization=university,
        title="工业余热有机朗肯循环发电技术",
        summary="80–200 °C 余热发电，单机 500 kW。",
        status="published",
        modes="transfer,licence_ordinary",
        region=factories.region("210200"),
    )


@pytest.fixture
def need(member_org):
    return Need.objects.create(
        organization=member_org, title="寻求余热回收发电技术", problem="轧钢加热炉烟气余热。", status="published"
    )


@pytest.fixture
def deal(member, professor, broker, offer, need, agency_org):
    """An intent of the member's organization on the university's offer (both sides and the broker exist first)."""
    return services.open_deal(
        member, offer, offer_buyer(member), need=need, broker_organization=agency_org, mode="transfer", note="有意向"
    )


def offer_buyer(user):
    from greentech.core.permissions import actor_for

    return Organization.objects.get(pk=next(iter(actor_for(user).organization_ids)))


def sign(user, deal, **fields):
    values = {
        "contract_type": Contract.Type.TRANSFER,
        "title": "余热发电技术转让合同",
        "signed_on": datetime.date(2026, 6, 1),
        "amount": Decimal("120"),
        "transaction_amount": Decimal("100"),
    } | fields
    return services.sign(user, deal, **values)


def registered(deal, member, department_officer):
    contract = sign(member, deal)
    services.register_contract(
        department_officer, contract, registration_number="2026210200000123", registered_on=datetime.date(2026, 6, 10)
    )
    deal.refresh_from_db()
    return contract


# --- the pipeline ---------------------------------------------------------------------------------------------


def test_an_intent_opens_a_deal_with_its_first_step_and_tells_the_seller(deal, professor, member, broker):
    assert deal.stage == "intent"
    assert deal.seller.name == "大连理工大学（测试）"
    assert deal.reference.startswith("D")
    steps = list(deal.events.all())
    assert [(s.kind, s.stage_to, s.note, s.actor) for s in steps] == [("stage", "intent", "有意向", member)]
    assert Notification.objects.filter(recipient=professor, kind="deal_opened").exists()
    assert Notification.objects.filter(recipient=broker, kind="deal_opened").exists()
    assert not Notification.objects.filter(recipient=member, kind="deal_opened").exists()  # not told of their own act


def test_only_a_published_offer_can_be_dealt(member, offer):
    offer.status = "draft"
    offer.save()
    with pytest.raises(ValidationError, match="published"):
        services.open_deal(member, offer, offer_buyer(member), mode="transfer")
    assert not Deal.objects.exists()


def test_a_mode_the_offer_does_not_propose_is_refused(member, offer):
    with pytest.raises(ValidationError) as error:
        services.open_deal(member, offer, offer_buyer(member), mode="equity")
    assert "mode" in error.value.message_dict
    assert not Deal.objects.exists()


def test_a_need_of_another_organization_is_refused(member, offer, other_org):
    foreign = Need.objects.create(organization=other_org, title="别人的需求", problem="…", status="published")
    with pytest.raises(ValidationError) as error:
        services.open_deal(member, offer, offer_buyer(member), need=foreign, mode="transfer")
    assert "need" in error.value.message_dict


def test_someone_outside_the_buyer_cannot_open_a_deal_for_it(other_member, offer, member_org):
    with pytest.raises(PermissionDenied):
        services.open_deal(other_member, offer, member_org, mode="transfer")
    assert not Deal.objects.exists()


def test_the_pipeline_runs_to_completion(deal, member, professor, department_officer):
    services.advance(member, deal, "negotiation", note="第一次洽谈")
    with pytest.raises(ValidationError, match="contract"):
        services.advance(member, deal, "signed")
    registered(deal, member, department_officer)
    assert deal.stage == "registered"
    services.advance(professor, deal, "performing")
    payment = services.add_payment(member, deal, title="首付款", due_on=datetime.date(2026, 7, 1), amount=Decimal("60"))
    with pytest.raises(ValidationError, match="not done"):
        services.advance(member, deal, "completed")
    services.mark_done(member, payment, date=datetime.date(2026, 6, 30))
    services.advance(member, deal, "completed")
    deal.refresh_from_db()
    assert deal.stage == "completed"
    stages = list(deal.events.filter(kind="stage").order_by("pk").values_list("stage_from", "stage_to"))
    assert stages == [
        ("", "intent"),
        ("intent", "negotiation"),
        ("negotiation", "signed"),
        ("signed", "registered"),
        ("registered", "performing"),
        ("performing", "completed"),
    ]
    registration = deal.events.get(stage_to="registered")
    assert registration.actor == department_officer
    with pytest.raises(ValidationError, match="closed"):
        services.advance(member, deal, "terminated")


def test_a_stage_cannot_be_skipped(deal, member):
    with pytest.raises(ValidationError):
        services.advance(member, deal, "performing")
    deal.refresh_from_db()
    assert deal.stage == "intent"


def test_termination_needs_a_reason_and_ends_the_deal(deal, member):
    with pytest.raises(ValidationError):
        services.terminate(member, deal, "  ")
    services.terminate(member, deal, "价格未谈拢")
    deal.refresh_from_db()
    assert (deal.stage, deal.termination_reason) == ("terminated", "价格未谈拢")
    with pytest.raises(ValidationError):
        services.record_step(member, deal, "note", "还想谈")


def test_steps_are_recorded_with_documents_and_served_only_to_the_deal(
    deal, member, other_member, client, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%%EOF\n")
    step = services.record_step(member, deal, DealEvent.Kind.MEETING, "现场考察", documents=[("纪要", pdf)])
    document = step.documents.get()
    url = reverse("deals:document", args=[document.pk])
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_renamed_executable_is_refused_as_a_document(deal, member, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError):
        services.record_step(member, deal, DealEvent.Kind.NOTE, "合同扫描件", documents=[("合同", fake)])
    assert deal.events.count() == 1  # only the intent: the step with the bad file was not written


# --- contract registration ------------------------------------------------------------------------------------


def test_parties_cannot_register_their_own_contract(deal, member):
    contract = sign(member, deal)
    with pytest.raises(PermissionDenied):
        services.register_contract(member, contract, registration_number="X1")
    contract.refresh_from_db()
    assert contract.registration_number is None


def test_a_municipal_officer_of_another_city_cannot_register(deal, member):
    department = Department.objects.create(
        code="as-kjj",
        short_name="鞍山市科技局（测试）",
        full_name="鞍山市科学技术局",
        level="municipal",
        region=factories.region("210300"),
    )
    officer = factories.UserFactory(username="as_officer")
    assign_role(SYSTEM, officer, Role.DEPARTMENT_OFFICER, department=department)
    contract = sign(member, deal)
    # the buyer is in 沈阳 and the seller in 大连: not in 鞍山's remit
    assert not Deal.objects.restrict(officer).filter(pk=deal.pk).exists()
    with pytest.raises(PermissionDenied):
        services.register_contract(officer, contract, registration_number="2026210300000001")
    dalian = Department.objects.create(
        code="dl-kjj",
        short_name="大连市科技局（测试）",
        full_name="大连市科学技术局",
        level="municipal",
        region=factories.region("210200"),
    )
    officer2 = factories.UserFactory(username="dl_officer")
    assign_role(SYSTEM, officer2, Role.DEPARTMENT_OFFICER, department=dalian)
    services.register_contract(officer2, contract, registration_number="2026210200000001")
    contract.refresh_from_db()
    assert contract.is_registered


def test_transaction_amount_above_the_contract_amount_is_refused(deal, member):
    with pytest.raises(ValidationError) as error:
        sign(member, deal, amount=Decimal("50"), transaction_amount=Decimal("60"))
    assert "transaction_amount" in error.value.message_dict
    deal.refresh_from_db()
    assert deal.stage == "intent" and not Contract.objects.exists()


def test_a_registration_number_is_unique(deal, member, department_officer, offer, agency_org):
    registered(deal, member, department_officer)
    second = services.open_deal(member, offer, offer_buyer(member), mode="licence_ordinary")
    contract = sign(member, second, contract_type=Contract.Type.LICENCE)
    with pytest.raises(ValidationError):
        services.register_contract(department_officer, contract, registration_number="2026210200000123")
    second.refresh_from_db()
    assert second.stage == "signed"


# --- income distribution: the 70% rule ------------------------------------------------------------------------


def shares(inventors, institution, unit):
    return [
        {"beneficiary": IncomeShare.Beneficiary.INVENTORS, "name": "王教授团队", "amount": Decimal(inventors)},
        {"beneficiary": IncomeShare.Beneficiary.INSTITUTION, "name": "大连理工大学", "amount": Decimal(institution)},
        {"beneficiary": IncomeShare.Beneficiary.UNIT, "name": "能源与动力学院", "amount": Decimal(unit)},
    ]


def test_a_valid_split_is_saved(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    distribution = services.set_distribution(
        professor,
        deal,
        income=Decimal("120"),
        costs=Decimal("20"),
        broker_commission=Decimal("6"),
        shares=shares("70", "20", "10"),
    )
    assert distribution.net_income == Decimal("100")
    assert distribution.rule_applies
    assert sorted(distribution.shares.values_list("amount", flat=True)) == [10, 20, 70]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_inventors_below_70_percent_is_refused_and_nothing_is_saved(
    deal, member, professor, department_officer, language
):
    registered(deal, member, department_officer)
    with translation.override(language), pytest.raises(ValidationError) as error:
        services.set_distribution(
            professor, deal, income=Decimal("120"), costs=Decimal("20"), shares=shares("69.99", "20.01", "10")
        )
    message = " ".join(error.value.messages)
    if language == "en":
        assert "at least 70%" in message and "70.0%" in message
    else:
        assert "70%" in message and "发明人" in message
    assert not IncomeDistribution.objects.exists()
    assert not IncomeShare.objects.exists()


def test_a_correction_below_70_percent_leaves_the_saved_split_as_it_was(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    services.set_distribution(professor, deal, income=Decimal("100"), shares=shares("80", "15", "5"))
    with pytest.raises(ValidationError):
        services.set_distribution(professor, deal, income=Decimal("100"), shares=shares("60", "30", "10"))
    distribution = IncomeDistribution.objects.get()
    assert sorted(distribution.shares.values_list("amount", flat=True)) == [5, 15, 80]


def test_shares_must_add_up_to_the_net_income(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    with pytest.raises(ValidationError, match="add up"):
        services.set_distribution(
            professor, deal, income=Decimal("100"), costs=Decimal("10"), shares=shares("70", "20", "10")
        )
    assert not IncomeDistribution.objects.exists()


def test_the_rule_does_not_bind_an_enterprise_seller(member, other_member, other_org, agency_org, department_officer):
    offer = Offer.objects.create(
        organization=other_org, title="光伏组件回收", summary="…", status="published", modes="transfer"
    )
    deal = services.open_deal(member, offer, offer_buyer(member), mode="transfer")
    registered(deal, member, department_officer)
    distribution = services.set_distribution(
        other_member,
        deal,
        income=Decimal("50"),
        shares=[{"beneficiary": "institution", "name": "公司", "amount": Decimal("50")}],
    )
    assert not distribution.rule_applies


def test_only_the_seller_distributes_and_the_buyer_does_not_see_it(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    with pytest.raises(PermissionDenied):
        services.set_distribution(member, deal, income=Decimal("100"), shares=shares("70", "20", "10"))
    services.set_distribution(professor, deal, income=Decimal("100"), shares=shares("70", "20", "10"))
    assert not IncomeDistribution.objects.restrict(member).exists()
    assert IncomeDistribution.objects.restrict(department_officer).exists()


def test_the_broker_commission_is_part_of_the_costs(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    with pytest.raises(ValidationError) as error:
        services.set_distribution(
            professor,
            deal,
            income=Decimal("100"),
            costs=Decimal("5"),
            broker_commission=Decimal("8"),
            shares=shares("66.5", "20", "8.5"),
        )
    assert "broker" in " ".join(error.value.messages).lower() or "经纪" in " ".join(error.value.messages)


def test_each_move_is_a_stage_step_with_its_transition_and_data(deal, member, department_officer):
    services.advance(member, deal, "negotiation", note="第一次洽谈", date=datetime.date(2026, 5, 20))
    contract = registered(deal, member, department_officer)
    steps = list(deal.events.filter(kind="stage").order_by("pk"))
    assert [(s.parameters.get("transition"), s.actor, s.note) for s in steps] == [
        ("open", member, "有意向"),
        ("negotiate", member, "第一次洽谈"),
        ("sign", member, ""),
        ("register", department_officer, ""),
    ]
    assert steps[1].date == datetime.date(2026, 5, 20) and deal.stage_changed_on == datetime.date(2026, 6, 10)
    assert steps[2].parameters == {"transition": "sign", "contract": contract.pk, "amount": "120"}
    assert steps[3].parameters["registration_number"] == "2026210200000123"


def test_a_move_from_a_stage_it_does_not_start_from_names_the_allowed_stages(deal, member):
    with pytest.raises(ValidationError) as error:
        services.advance(member, deal, "performing")
    assert error.value.code == "invalid_transition"
    assert error.value.messages == [
        "“start performance” is possible only from “contract registered”; this deal is “intent”."
    ]
    with pytest.raises(ValidationError, match="only from “contract signed"):
        services.register_contract(SYSTEM, Contract(deal=deal), registration_number="1")
    deal.refresh_from_db()
    assert deal.stage == "intent" and deal.events.count() == 1


def test_a_refused_move_changes_nothing(deal, member, other_member, professor):
    notices = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        services.advance(other_member, deal, "negotiation", note="不是当事方")
    with pytest.raises(PermissionDenied):
        services.terminate(other_member, deal, "不是当事方")
    assert deal.stage == "intent" and deal.termination_reason == ""  # the instance keeps its values too
    deal.refresh_from_db()
    assert deal.stage == "intent" and deal.events.count() == 1 and Notification.objects.count() == notices
    services.advance(professor, deal, "negotiation")
    stage = Notification.objects.get(recipient=member, kind="deal_stage")
    assert stage.title == f"Deal {deal.reference}: negotiation"
    with translation.override("zh-hans"):
        assert stage.title == f"交易 {deal.reference}：洽谈"


# --- payments -------------------------------------------------------------------------------------------------


def test_overdue_payments_are_flagged_once(deal, member, professor, department_officer):
    registered(deal, member, department_officer)
    payment = services.add_payment(
        member, deal, title="第二期款", due_on=datetime.date(2026, 8, 1), amount=Decimal("40")
    )
    assert not payment.is_overdue(datetime.date(2026, 8, 1))
    assert payment.is_overdue(datetime.date(2026, 8, 2))
    assert services.flag_overdue(datetime.date(2026, 8, 2)) == 1
    assert Notification.objects.filter(recipient=professor, kind="deal_overdue").count() == 1
    assert services.flag_overdue(datetime.date(2026, 8, 3)) == 0
    assert Notification.objects.filter(recipient=professor, kind="deal_overdue").count() == 1


def test_a_job_run_again_after_a_crash_tells_nobody_twice(deal, member, professor, department_officer):
    """The crash came after the notices, before `overdue_notified_on` was stored: the once-key keeps them single."""
    registered(deal, member, department_officer)
    payment = services.add_payment(member, deal, title="尾款", due_on=datetime.date(2026, 8, 1), amount=Decimal("40"))
    assert services.flag_overdue(datetime.date(2026, 8, 2)) == 1
    Payment.objects.filter(pk=payment.pk).update(overdue_notified_on=None)
    assert services.flag_overdue(datetime.date(2026, 8, 2)) == 0
    notices = Notification.objects.filter(recipient=professor, kind="deal_overdue")
    assert notices.count() == 1
    assert notices.get().title == "Overdue: 尾款 (due 2026-08-01)" and notices.get().body == deal.offer.title
    with translation.override("zh-hans"):
        assert notices.get().title == "已逾期：尾款（到期日 2026-08-01）"


def test_a_payment_needs_an_amount(deal, member):
    with pytest.raises(ValidationError):
        services.add_payment(member, deal, title="首付款", due_on=datetime.date(2026, 8, 1))
    assert not Payment.objects.exists()


# --- who sees what --------------------------------------------------------------------------------------------


def test_deals_are_seen_by_parties_broker_and_officers_only(
    deal, member, professor, broker, department_officer, other_member, evaluator, visitor
):
    for user in (member, professor, broker, department_officer):
        assert Deal.objects.restrict(user).filter(pk=deal.pk).exists(), user
    for user in (other_member, evaluator, visitor):
        assert not Deal.objects.restrict(user).filter(pk=deal.pk).exists(), user


def test_an_assigned_broker_person_sees_the_deal(deal, member):
    person_user = factories.UserFactory(username="broker_person")
    person = factories.PersonFactory(
        name="李经纪", is_broker=True, broker_licence_number="LN-2026-01", user=person_user
    )
    from greentech.core import services as core_services

    core_services.update(member, deal, {"broker": person})
    assert Deal.objects.restrict(person_user).filter(pk=deal.pk).exists()


# --- matchmaking events ---------------------------------------------------------------------------------------


def test_an_event_records_participants_presentations_and_its_deals(broker, agency_org, member, offer, member_org):
    from greentech.core import services as core_services

    event = core_services.create(
        broker, MatchmakingEvent(title="辽宁绿色技术对接会", date=datetime.date(2026, 10, 15), organizer=agency_org)
    )
    services.add_participant(broker, event, member_org, "attendee")
    services.add_participant(broker, event, member_org, "presenter")
    services.present(broker, event, offers=[offer])
    deal = services.open_deal(member, offer, member_org, mode="transfer", event=event)
    assert list(event.participants.values_list("role", flat=True)) == ["presenter"]
    assert list(event.offers.all()) == [offer]
    assert list(event.deals.all()) == [deal]


def test_a_draft_cannot_be_presented(broker, agency_org, offer):
    from greentech.core import services as core_services

    event = core_services.create(
        broker, MatchmakingEvent(title="路演", kind="roadshow", date=datetime.date(2026, 10, 15), organizer=agency_org)
    )
    offer.status = "draft"
    offer.save()
    with pytest.raises(ValidationError):
        services.present(broker, event, offers=[offer])
    assert not event.offers.exists()


def test_an_event_names_its_organizer(broker):
    from greentech.core import services as core_services

    with pytest.raises((ValidationError, PermissionDenied)):
        core_services.create(broker, MatchmakingEvent(title="无主办", date=datetime.date(2026, 10, 15)))
    assert not MatchmakingEvent.objects.exists()


# --- statistics -----------------------------------------------------------------------------------------------


def test_statistics_count_offers_needs_deals_and_value_by_city_category_and_month(
    deal, member, department_officer, offer
):
    from greentech.taxonomy.models import Category

    offer.published_at = offer.created
    offer.save()
    offer.categories.set([Category.objects.get(scheme__slug="gic2019", code="3.1.2")])
    registered(deal, member, department_officer)
    figures = market_statistics()
    dalian = next(row for row in figures["cities"] if row["key"] == "210200")
    assert (dalian["offers"], dalian["deals"], dalian["contract_value"], dalian["registered_value"]) == (
        1,
        1,
        "120.00",
        "100.00",
    )
    shenyang = next(row for row in figures["cities"] if row["key"] == "210100")
    assert (shenyang["deals"], shenyang["deals_absorbed"], shenyang["contract_value_absorbed"]) == (0, 1, "120.00")
    category = next(row for row in figures["categories"] if row["key"] == "3")
    assert (category["offers"], category["deals"], category["contract_value"]) == (1, 1, "120.00")
    june = next(row for row in figures["months"] if row["key"] == "2026-06")
    assert june["contract_value"] == "120.00"
    assert figures["totals"]["deals"] == 1


def test_terminated_and_demo_deals_are_left_out(deal, member, offer):
    services.terminate(member, deal, "不再需要")
    demo = services.open_deal(member, offer, offer_buyer(member), mode="transfer")
    Deal.objects.filter(pk=demo.pk).update(is_demo=True)
    assert market_statistics()["totals"]["deals"] == 0
    assert market_statistics(include_demo=True)["totals"]["deals"] == 1


# --- API ------------------------------------------------------------------------------------------------------


def test_api_runs_a_deal_to_registration_with_a_valid_split(
    api_client, member, professor, department_officer, offer, need
):
    buyer = api_client(member)
    response = buyer.post(
        "/api/v1/deals/",
        {"offer": offer.pk, "buyer": need.organization_id, "need": need.pk, "mode": "transfer", "note": "希望洽谈"},
        format="json",
    )
    assert response.status_code == 201, response.content
    deal_id = response.json()["id"]
    assert response.json()["stage"] == "intent"
    assert buyer.post(f"/api/v1/deals/{deal_id}/advance/", {"stage": "negotiation"}, format="json").status_code == 200
    response = buyer.post(
        f"/api/v1/deals/{deal_id}/sign/",
        {"contract_type": "transfer", "title": "技术转让合同", "signed_on": "2026-06-01", "amount": "120"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["stage"] == "signed"
    assert (
        buyer.post(f"/api/v1/deals/{deal_id}/register/", {"registration_number": "R1"}, format="json").status_code
        == 403
    )
    officer = api_client(department_officer)
    response = officer.post(
        f"/api/v1/deals/{deal_id}/register/",
        {"registration_number": "2026210200000777", "registered_on": "2026-06-08"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["contract"]["registration_number"] == "2026210200000777"
    seller = api_client(professor)
    bad = {
        "income": "100",
        "costs": "0",
        "service_invention": True,
        "shares": [
            {"beneficiary": "inventors", "name": "团队", "amount": "60"},
            {"beneficiary": "institution", "name": "学校", "amount": "40"},
        ],
    }
    response = seller.put(f"/api/v1/deals/{deal_id}/distribution/", bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "at least 70%" in str(response.json())
    assert not IncomeDistribution.objects.exists()
    good = bad | {
        "shares": [
            {"beneficiary": "inventors", "name": "团队", "amount": "75"},
            {"beneficiary": "institution", "name": "学校", "amount": "25"},
        ]
    }
    response = seller.put(f"/api/v1/deals/{deal_id}/distribution/", good, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["net_income"] == "100.00"
    assert buyer.get(f"/api/v1/deals/{deal_id}/distribution/").status_code == 404
    stats = api_client(None).get("/api/v1/market-statistics/").json()
    assert stats["totals"]["deals"] == 1 and stats["totals"]["registered_value"] == "120.00"


def test_api_hides_deals_from_outsiders(api_client, deal, other_member):
    assert api_client(other_member).get(f"/api/v1/deals/{deal.pk}/").status_code == 404
    assert api_client(other_member).get("/api/v1/deals/").json()["count"] == 0
    assert api_client(None).post("/api/v1/deals/", {}, format="json").status_code in (401, 403)


def test_api_refuses_changing_the_buyer(api_client, deal, member, other_org):
    response = api_client(member).patch(f"/api/v1/deals/{deal.pk}/", {"buyer": other_org.pk}, format="json")
    assert response.status_code == 400
    deal.refresh_from_db()
    assert deal.buyer.name == "沈阳绿源环保科技有限公司"


# --- pages ----------------------------------------------------------------------------------------------------


def test_pages_show_the_deal_to_its_parties(client, deal, member, other_member):
    client.force_login(member)
    page = client.get(reverse("deals:deal_detail", args=[deal.pk]))
    assert page.status_code == 200
    assert "工业余热有机朗肯循环发电技术" in page.content.decode()
    listing = client.get(reverse("deals:deal_list"))
    assert deal.reference in listing.content.decode()
    client.force_login(other_member)
    assert client.get(reverse("deals:deal_detail", args=[deal.pk])).status_code == 404


def test_the_page_refuses_a_split_below_70_percent_with_the_form_kept(
    client, deal, member, professor, department_officer
):
    registered(deal, member, department_officer)
    client.force_login(professor)
    data = {
        "action": "distribution",
        "distribution-income": "100",
        "distribution-costs": "0",
        "distribution-broker_commission": "0",
        "distribution-service_invention": "on",
        "shares-TOTAL_FORMS": "2",
        "shares-INITIAL_FORMS": "0",
        "shares-MIN_NUM_FORMS": "1",
        "shares-MAX_NUM_FORMS": "30",
        "shares-0-beneficiary": "inventors",
        "shares-0-name": "团队",
        "shares-0-amount": "50",
        "shares-1-beneficiary": "institution",
        "shares-1-name": "学校",
        "shares-1-amount": "50",
    }
    response = client.post(reverse("deals:deal_detail", args=[deal.pk]), data)
    assert response.status_code == 400
    assert "70%" in response.content.decode()
    assert not IncomeDistribution.objects.exists()
    data["shares-0-amount"], data["shares-1-amount"] = "70", "30"
    response = client.post(reverse("deals:deal_detail", args=[deal.pk]), data)
    assert response.status_code == 302
    assert IncomeDistribution.objects.get().shares.count() == 2


def test_open_deal_page_and_statistics_page(client, member, offer):
    client.force_login(member)
    url = reverse("deals:deal_add", args=[offer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"buyer": offer_buyer(member).pk, "mode": "transfer", "note": "想了解"})
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    page = client.get(reverse("deals:statistics"))
    assert page.status_code == 200 and "market-figures" in page.content.decode()


def test_event_pages(client, broker, agency_org):
    client.force_login(broker)
    response = client.post(
        reverse("deals:event_add"),
        {"title": "绿色技术路演", "kind": "roadshow", "date": "2026-11-20", "organizer": agency_org.pk},
    )
    event = MatchmakingEvent.objects.get()
    assert response.status_code == 302
    client.logout()
    page = client.get(event.get_absolute_url())
    assert page.status_code == 200 and "绿色技术路演" in page.content.decode()
    assert "绿色技术路演" in client.get(reverse("deals:event_list")).content.decode()


def test_deals_and_contract_value_count_in_the_innovation_index_of_the_sellers_city(deal, member, department_officer):
    from greentech.roadmap import innovation_index

    before = {row.code: row for row in innovation_index.compute()}
    registered(deal, member, department_officer)
    after = {row.code: row for row in innovation_index.compute()}
    dalian = after["210200"]
    assert (dalian.counts["deals"], dalian.counts["contract_value"]) == (1, 120.0)
    assert after["210100"].counts["deals"] == 0  # the buyer's city does not supply the technology
    assert dalian.scores["deals"] == 1.0 and dalian.index > before["210200"].index


def test_deliverable_41_shows_the_matchmaking_events_held(broker, agency_org):
    from greentech.core import services as core_services
    from greentech.roadmap.models import Deliverable

    item = Deliverable.objects.get(number=41)
    assert item.indicator == "matchmaking-events"
    before = item.indicator_value()
    core_services.create(
        broker,
        MatchmakingEvent(title="绿色创新发展论坛", kind="forum", date=datetime.date(2026, 9, 1), organizer=agency_org),
    )
    MatchmakingEvent.objects.create(
        title="演示对接会", date=datetime.date(2026, 9, 2), organizer=agency_org, is_demo=True
    )
    assert item.indicator_value() == before + 1


def test_the_valuation_reference_needs_three_comparable_registered_contracts(
    client, member, professor, department_officer, university
):
    from greentech.deals.statistics import valuation_reference
    from greentech.taxonomy.models import Category

    solar = Category.objects.get(scheme__slug="gic2019", code="3.1.2")
    neighbour = Category.objects.filter(scheme__slug="gic2019", code__startswith="3.1.", level=3).exclude(pk=solar.pk)[
        0
    ]
    subject = Offer.objects.create(organization=university, title="新型光伏组件", summary="…", status="published")
    subject.categories.set([solar])
    for number, amount in enumerate(["40", "100", "60"], start=1):
        offer = Offer.objects.create(
            organization=university, title=f"光伏技术{number}", summary="…", status="published", modes="transfer"
        )
        offer.categories.set([neighbour if number == 2 else solar])
        deal = services.open_deal(member, offer, offer_buyer(member), mode="transfer")
        contract = sign(member, deal, amount=Decimal(amount), transaction_amount=None)
        if number < 3:
            assert valuation_reference(subject) is None  # fewer than three: nothing is shown
        services.register_contract(department_officer, contract, registration_number=f"2026210200VAL{number}")
    reference = valuation_reference(subject)
    assert (reference["count"], reference["median"], reference["p25"], reference["p75"]) == (3, 60.0, 50.0, 80.0)
    assert reference["groups"] == ["3.1"]
    page = client.get(subject.get_absolute_url()).content.decode()
    assert 'id="valuation-reference"' in page and "60.0" in page


def test_the_overdue_command_notifies_and_refuses_a_bad_date(deal, member, professor, department_officer):
    import io

    from django.core.management import CommandError, call_command

    registered(deal, member, department_officer)
    services.add_payment(member, deal, title="尾款", due_on=datetime.date(2026, 8, 1), amount=Decimal("20"))
    out = io.StringIO()
    call_command("deals", "overdue", "--today", "2026-08-05", stdout=out)
    assert out.getvalue().strip().endswith(": 1")
    assert Notification.objects.filter(recipient=professor, kind="deal_overdue").count() == 1
    with pytest.raises(CommandError, match="2026-12-31"):
        call_command("deals", "overdue", "--today", "05/08/2026")
