"""The technology market: the listing workflow and review, who sees listings and their details (disclosure
levels, recorded confidentiality terms), full-text search in Chinese and English with filters and sorting,
`greentech search` / `greentech market`, the API, imports and exports, and the pages."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from greentech.core import imports
from greentech.core import search as core_search
from greentech.core import services as core_services
from greentech.core.permissions import SYSTEM
from greentech.core.reference import table
from greentech.inbox.models import Notification
from greentech.market import queries, services
from greentech.market.models import Need, Offer, OfferAttachment, Status, TermsAcceptance
from greentech.market.permissions import details_visible
from greentech.market.search import OFFERS
from greentech.taxonomy.models import Category
from greentech.testing import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TERMS = "接收方对技术资料承担保密义务，不得向第三方披露。"


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def category(code: str) -> Category:
    return Category.objects.get(scheme__slug="gic2019", code=code)


def make_offer(organization, *, user=SYSTEM, categories=None, **fields) -> Offer:
    """A draft offer of `organization`, created through the service."""
    values = {
        "title": "工业余热梯级利用装置",
        "summary": "回收工业窑炉排放的中低温余热，用于供暖与发电。",
        "organization": organization,
    }
    values.update(fields)
    return services.create_listing(user, Offer(**values), categories=categories)


def make_need(organization, *, user=SYSTEM, **fields) -> Need:
    values = {
        "title": "钢渣综合利用需求",
        "problem": "寻求钢渣微粉化与建材化利用的成熟工艺。",
        "organization": organization,
    }
    values.update(fields)
    return services.create_listing(user, Need(**values))


def publish(listing):
    """Submit and publish as the platform (tests whose subject is not the review itself)."""
    services.submit(SYSTEM, listing)
    return services.review(SYSTEM, listing, accept=True)


def published_offer(organization, **fields) -> Offer:
    return publish(make_offer(organization, **fields))


def reload(listing):
    return type(listing).objects.get(pk=listing.pk)


def found_titles(found) -> list[str]:
    return [item.object.title for item in found.items]


def offer_search(user, **params):
    return queries.find("offers", user, params)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# ---------------------------------------------------------------------------------------------------------------
# 1. Workflow: draft → submitted → published / returned; transitions, resubmission, expiry


def test_a_member_drafts_submits_and_a_department_officer_publishes(member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    assert offer.status == Status.DRAFT and offer.created_by == member and offer.reference.startswith("O")

    services.submit(member, offer)
    assert reload(offer).status == Status.SUBMITTED
    assert Notification.objects.filter(
        recipient=department_officer, kind="listing_submitted", target_id=str(offer.pk)
    ).exists()

    services.review(department_officer, offer, accept=True)
    stored = reload(offer)
    assert stored.status == Status.PUBLISHED
    assert stored.published_at is not None and stored.reviewed_by == department_officer
    notice = Notification.objects.get(recipient=member, kind="listing_published")
    assert notice.target_id == str(offer.pk) and offer.title in notice.title
    assert notice.link == offer.get_absolute_url()


def test_returning_without_a_reason_is_refused_and_leaves_the_listing_submitted(member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    services.submit(member, offer)
    with pytest.raises(ValidationError) as error:
        services.review(department_officer, offer, accept=False, note="   ")
    assert "review_note" in error.value.message_dict
    assert reload(offer).status == Status.SUBMITTED
    assert not Notification.objects.filter(recipient=member, kind="listing_returned").exists()


def test_a_returned_listing_carries_the_note_and_can_be_resubmitted(member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    services.submit(member, offer)
    services.review(department_officer, offer, accept=False, note="请补充中试数据")
    stored = reload(offer)
    assert stored.status == Status.REJECTED and stored.review_note == "请补充中试数据"
    assert stored.published_at is None
    assert Notification.objects.get(recipient=member, kind="listing_returned").body == "请补充中试数据"
    services.submit(member, stored)
    assert reload(offer).status == Status.SUBMITTED


def test_a_member_cannot_review_even_their_own_listing(member, member_org, other_member):
    offer = make_offer(member_org, user=member)
    services.submit(member, offer)
    for user in (member, other_member):
        with pytest.raises(PermissionDenied):
            services.review(user, offer, accept=True)
    assert reload(offer).status == Status.SUBMITTED


def test_a_department_officer_cannot_review_a_draft(member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    with pytest.raises(PermissionDenied):
        services.review(department_officer, offer, accept=True)
    assert reload(offer).status == Status.DRAFT


def test_illegal_transitions_are_validation_errors(member, member_org, admin):
    withdrawn = make_offer(member_org, user=member)
    services.withdraw(member, withdrawn)
    assert reload(withdrawn).status == Status.WITHDRAWN
    with pytest.raises(ValidationError):
        services.submit(admin, reload(withdrawn))  # withdrawn → submitted (admin passes the permission check)
    assert reload(withdrawn).status == Status.WITHDRAWN

    draft = make_offer(member_org, user=member, title="另一项成果")
    with pytest.raises(ValidationError):
        services.close(member, draft)  # draft → closed: the owner may change it, the workflow may not
    assert reload(draft).status == Status.DRAFT


def test_the_owner_cannot_touch_a_withdrawn_listing(member, member_org):
    offer = make_offer(member_org, user=member)
    services.withdraw(member, offer)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.submit(member, reload(offer))
    assert reload(offer).status == Status.WITHDRAWN


def test_changing_the_summary_of_a_published_offer_sends_it_back_to_review(member, member_org, department_officer):
    offer = published_offer(member_org)
    services.save_listing(member, reload(offer), {"summary": "新的公开摘要：余热发电效率提升至25%。"})
    stored = reload(offer)
    assert stored.status == Status.SUBMITTED and stored.summary.startswith("新的公开摘要")
    assert Notification.objects.filter(recipient=department_officer, kind="listing_submitted").exists()
    assert not Offer.objects.restrict(AnonymousUser()).filter(pk=offer.pk).exists()


def test_changing_only_the_contact_of_a_published_offer_keeps_it_published(member, member_org):
    offer = published_offer(member_org)
    services.save_listing(member, reload(offer), {"contact_phone": "024-88886666"})
    assert reload(offer).status == Status.PUBLISHED


def test_changing_public_free_text_of_a_published_offer_sends_it_back_to_review(member, member_org):
    """`application_fields` and `other_benefits` are shown to everyone on the offer's page (and indexed), so
    the reviewer approved them like the summary: changing them must not bypass the review."""
    offer = published_offer(member_org, application_fields="钢铁、水泥", other_benefits="年节约标煤1万吨")
    services.save_listing(member, reload(offer), {"other_benefits": "未经审核的广告文字"})
    assert reload(offer).status == Status.SUBMITTED
    offer = published_offer(member_org, title="另一项成果", application_fields="钢铁")
    services.save_listing(member, reload(offer), {"application_fields": "未经审核的应用领域"})
    assert reload(offer).status == Status.SUBMITTED


def test_expire_listings_expires_only_published_listings_past_their_date(member, member_org):
    today = datetime.date(2025, 6, 1)
    past = published_offer(member_org, title="已过期成果", expires_on=datetime.date(2025, 5, 31))
    due_today = published_offer(member_org, title="今日到期成果", expires_on=today)
    future = published_offer(member_org, title="未到期成果", expires_on=datetime.date(2026, 1, 1))
    open_ended = published_offer(member_org, title="长期有效成果")
    draft = make_offer(member_org, title="草稿成果", expires_on=datetime.date(2024, 1, 1))
    late_need = publish(make_need(member_org, title="过期需求", deadline=datetime.date(2025, 1, 1)))
    open_need = publish(make_need(member_org, title="有效需求", deadline=datetime.date(2025, 12, 31)))

    counts = services.expire_listings(today=today)

    assert counts == {"offer": 1, "need": 1}
    assert reload(past).status == Status.EXPIRED and reload(late_need).status == Status.EXPIRED
    for listing in (due_today, future, open_ended, open_need):
        assert reload(listing).status == Status.PUBLISHED
    assert reload(draft).status == Status.DRAFT
    assert Notification.objects.filter(recipient=member, kind="listing_expired").count() == 2
    assert services.expire_listings(today=today) == {"offer": 0, "need": 0}


def events_of(listing) -> list[tuple]:
    return [(e.kind, e.state_from, e.state_to, e.actor, e.reason) for e in listing.events.order_by("pk")]


def test_every_step_of_the_workflow_writes_a_typed_event(member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    services.submit(member, offer)
    services.review(department_officer, offer, accept=False, note="请补充中试数据")
    services.submit(member, reload(offer))
    services.review(department_officer, reload(offer), accept=True)
    services.save_listing(member, reload(offer), {"summary": "新的公开摘要"})
    services.review(department_officer, reload(offer), accept=True, note="可以发布")
    services.close(member, reload(offer), "已与买方签约")
    assert events_of(offer) == [
        ("submit", "draft", "submitted", member, ""),
        ("return", "submitted", "rejected", department_officer, "请补充中试数据"),
        ("submit", "rejected", "submitted", member, ""),
        ("publish", "submitted", "published", department_officer, ""),
        ("resubmit", "published", "submitted", member, ""),
        ("publish", "submitted", "published", department_officer, "可以发布"),
        ("close", "published", "closed", member, "已与买方签约"),
    ]
    resubmitted = offer.events.get(kind="resubmit")
    assert resubmitted.parameters == {"changed": ["summary"]} and resubmitted.created is not None
    with translation.override("en"):
        assert offer.events.filter(kind="submit").first().get_kind_display() == "submitted for review"
    need = make_need(member_org, user=member)
    services.withdraw(member, need, "不再需要")
    assert events_of(need) == [("withdraw", "draft", "withdrawn", member, "不再需要")]


def test_a_refused_source_state_names_the_allowed_states_and_writes_nothing(member, member_org):
    draft = make_offer(member_org, user=member)
    history = draft.history.count()
    with pytest.raises(ValidationError) as error:
        services.close(member, draft)
    assert error.value.code == "invalid_transition"
    assert error.value.params == {"transition": "close", "current": "draft", "allowed": ["published"]}
    with translation.override("zh-hans"):
        assert str(error.value.messages[0]) == "“关闭”只能在“已发布”状态下进行；该技术成果当前为“草稿”。"
    with translation.override("en"):
        with pytest.raises(ValidationError) as english:
            services.close(member, draft)
        assert english.value.messages == [
            "“close” is possible only from “published”; this technology offer is “draft”."
        ]
    with translation.override("en"), pytest.raises(ValidationError, match="only from “submitted for review”"):
        services.review(SYSTEM, draft, accept=True)  # publish: only from submitted
    stored = reload(draft)
    assert stored.status == Status.DRAFT and draft.status == Status.DRAFT
    assert not stored.events.exists() and stored.history.count() == history


def test_a_refused_permission_changes_nothing(member, member_org, other_member, department_officer):
    offer = make_offer(member_org, user=member)
    services.submit(member, offer)
    before = (offer.history.count(), Notification.objects.count(), offer.events.count())
    for attempt in (
        lambda: services.withdraw(other_member, reload(offer)),
        lambda: services.review(other_member, reload(offer), accept=True),
        lambda: services.review(member, reload(offer), accept=False, note="自己退回"),
        lambda: services.close(department_officer, reload(offer)),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    stored = reload(offer)
    assert stored.status == Status.SUBMITTED and stored.review_note == "" and stored.reviewed_by is None
    assert (offer.history.count(), Notification.objects.count(), offer.events.count()) == before


def test_expiry_is_an_event_of_the_platform_and_owners_are_told_once(member, member_org):
    offer = published_offer(member_org, title="过期成果", expires_on=datetime.date(2025, 5, 31))
    services.expire_listings(today=datetime.date(2025, 6, 1))
    expired = offer.events.get(kind="expire")
    assert (expired.state_from, expired.state_to, expired.actor) == ("published", "expired", None)
    assert expired.parameters == {"expires_on": "2025-05-31"}
    notice = Notification.objects.get(recipient=member, kind="listing_expired")
    assert notice.once_key == f"{offer.reference}:2025-05-31"
    with translation.override("en"):
        assert notice.title == "Expired: 过期成果"
    with translation.override("zh-hans"):
        assert notice.title == "已过期：过期成果"


def test_the_reviewers_notice_is_rendered_in_the_readers_language(member, member_org, department_officer):
    offer = make_offer(member_org, user=member, title="余热发电")
    services.submit(member, offer)
    notice = Notification.objects.get(recipient=department_officer, kind="listing_submitted")
    with translation.override("en"):
        assert (notice.title, notice.body) == ("To review: 余热发电", f"{member_org} · technology offer")
    with translation.override("zh-hans"):
        assert (notice.title, notice.body) == ("待审核：余热发电", f"{member_org} · 技术成果")


# ---------------------------------------------------------------------------------------------------------------
# 2. Visibility of listings and of an offer's details (disclosure levels, confidentiality terms)


def test_a_draft_is_seen_only_by_its_organization_and_a_published_offer_by_everyone(
    member, member_org, other_member, visitor, department_officer
):
    draft = make_offer(member_org, user=member, title="草稿")
    published = published_offer(member_org, title="已发布")

    def visible(user):
        return set(Offer.objects.restrict(user).values_list("title", flat=True))

    assert visible(member) == {"草稿", "已发布"}
    assert visible(other_member) == {"已发布"}
    assert visible(visitor) == {"已发布"}
    assert visible(department_officer) == {"已发布"}  # drafts are the owner's until submitted
    services.submit(member, draft)
    assert visible(department_officer) == {"草稿", "已发布"}
    assert visible(other_member) == {"已发布"}
    assert published.pk in Offer.objects.restrict(visitor).values_list("pk", flat=True)


def test_public_details_are_shown_to_anonymous_visitors(member_org, visitor, other_member):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.PUBLIC)
    assert details_visible(visitor, offer) and details_visible(other_member, offer)


def test_registered_details_are_shown_to_signed_in_organizations_only(member_org, visitor, other_member):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.REGISTERED)
    assert details_visible(other_member, offer)
    assert not details_visible(visitor, offer)


def test_a_draft_shows_its_details_to_nobody_outside_the_organization(member, member_org, other_member):
    offer = make_offer(member_org, user=member, disclosure=Offer.Disclosure.PUBLIC)
    assert details_visible(member, offer)
    assert not details_visible(other_member, offer)
    assert not details_visible(AnonymousUser(), offer)


def test_terms_details_show_after_the_organization_accepts_the_terms(
    member, member_org, other_member, other_org, visitor
):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    assert details_visible(member, offer)  # the owner
    assert not details_visible(other_member, offer)
    assert not details_visible(visitor, offer)

    acceptance = services.accept_terms(other_member, offer, other_org)

    assert details_visible(other_member, offer)
    assert not details_visible(visitor, offer)
    stored = TermsAcceptance.objects.get(offer=offer, organization=other_org)
    assert stored.pk == acceptance.pk and stored.terms == TERMS and stored.user == other_member
    # accepting again changes nothing
    assert services.accept_terms(other_member, offer, other_org).pk == acceptance.pk
    assert TermsAcceptance.objects.filter(offer=offer).count() == 1


def test_the_accepted_terms_are_kept_as_they_were(member, member_org, other_member, other_org):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    services.accept_terms(other_member, offer, other_org)
    Offer.objects.filter(pk=offer.pk).update(confidentiality_terms="改写后的条款")
    assert TermsAcceptance.objects.get(offer=offer).terms == TERMS


def test_terms_cannot_be_accepted_for_another_organization(member_org, other_member, agency_org):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    with pytest.raises(PermissionDenied):
        services.accept_terms(other_member, offer, agency_org)
    assert not TermsAcceptance.objects.exists()


def test_an_offer_without_terms_asks_for_no_acceptance(member_org, other_member, other_org):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.REGISTERED)
    with pytest.raises(ValidationError):
        services.accept_terms(other_member, offer, other_org)


def test_terms_disclosure_needs_the_terms_text(member_org):
    with pytest.raises(ValidationError) as error:
        make_offer(member_org, disclosure=Offer.Disclosure.TERMS, confidentiality_terms="  ")
    assert "confidentiality_terms" in error.value.message_dict
    assert not Offer.objects.exists()


def offer_with_details(organization, disclosure, **fields):
    return published_offer(
        organization,
        disclosure=disclosure,
        description="<p>完整技术方案</p>",
        contact_name="王工",
        contact_email="wang@example.cn",
        contact_phone="024-12345678",
        **fields,
    )


DETAILS = ("description", "contact_name", "contact_email", "contact_phone")


def test_the_api_hides_details_that_are_not_visible(api_client, member_org, other_member):
    offer = offer_with_details(member_org, Offer.Disclosure.REGISTERED)
    anonymous = api_client().get(f"/api/v1/offers/{offer.pk}/")
    assert anonymous.status_code == 200
    body = anonymous.json()
    assert body["details_visible"] is False and body["summary"] == offer.summary
    assert all(body[name] is None for name in DETAILS)

    signed_in = api_client(other_member).get(f"/api/v1/offers/{offer.pk}/").json()
    assert signed_in["details_visible"] is True
    assert (signed_in["description"], signed_in["contact_name"], signed_in["contact_email"]) == (
        "<p>完整技术方案</p>",
        "王工",
        "wang@example.cn",
    )
    assert signed_in["contact_phone"] == "024-12345678"


def test_the_api_shows_terms_details_after_accept_terms(api_client, member_org, other_member, other_org):
    offer = offer_with_details(member_org, Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    client = api_client(other_member)
    assert client.get(f"/api/v1/offers/{offer.pk}/").json()["contact_email"] is None
    response = client.post(f"/api/v1/offers/{offer.pk}/accept-terms/", {"organization": other_org.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["contact_email"] == "wang@example.cn"
    assert TermsAcceptance.objects.get(offer=offer).organization == other_org


def test_the_api_list_shows_no_drafts_of_other_organizations(api_client, member, member_org, other_member):
    make_offer(member_org, user=member, title="草稿")
    published_offer(member_org, title="已发布")

    def titles(user):
        response = api_client(user).get("/api/v1/offers/")
        assert response.status_code == 200
        return {row["title"] for row in response.json()["results"]}

    assert titles(None) == {"已发布"}
    assert titles(other_member) == {"已发布"}
    assert titles(member) == {"草稿", "已发布"}


# ---------------------------------------------------------------------------------------------------------------
# 3. Search: segmentation, stemming, highlighting, scope, filters, fallback, sorting, index upkeep


@pytest.fixture
def battery(member_org):
    return published_offer(
        member_org,
        title="废旧锂电池梯次利用与回收技术",
        summary="退役动力锂电池的拆解、检测与梯次利用，金属回收率高于98%。",
        categories=[category("3.4.2")],
        modes="transfer,licence_ordinary",
        readiness=7,
        price=Decimal("300"),
        negotiable=False,
        region=factories.region("210102"),  # 和平区, a county of 沈阳市
    )


@pytest.fixture
def solar(other_org):
    return published_offer(
        other_org,
        title="Photovoltaic module recycling line",
        summary="Recovers glass, silver and silicon from end-of-life solar panel modules.",
        language="en",
        categories=[category("1.1.1")],
        modes="co_development",
        readiness=4,
        price=Decimal("120"),
        negotiable=False,
        region=factories.region("210200"),
    )


def test_a_chinese_query_finds_words_inside_longer_words(battery, solar, visitor):
    found = offer_search(visitor, q="锂电")
    assert found_titles(found) == [battery.title]
    assert found.mode == "all" and found.tokens == ["锂电"]
    assert "<mark>锂电</mark>" in found.items[0].snippet


def test_an_english_query_is_stemmed(battery, solar, visitor):
    found = offer_search(visitor, q="solar panels")
    assert found_titles(found) == [solar.title]
    assert found.tokens == ["solar", "panel"]
    snippet = found.items[0].snippet
    assert "<mark>solar</mark>" in snippet and "<mark>panel</mark>" in snippet


def test_snippets_escape_the_listing_text(member_org, visitor):
    published_offer(member_org, title="脱硫废水零排放", summary="<b>脱硫</b>废水 & 浓缩结晶")
    snippet = offer_search(visitor, q="脱硫").items[0].snippet
    assert "<b>" not in snippet and "&lt;b&gt;" in snippet and "&amp;" in snippet
    assert "<mark>脱硫</mark>" in snippet


def test_search_never_returns_drafts_of_other_organizations(member, member_org, other_member, battery):
    draft = make_offer(member_org, user=member, title="锂电池正极材料修复（草稿）")
    assert draft.pk not in [item.object.pk for item in offer_search(other_member, q="锂电池").items]
    assert found_titles(offer_search(other_member, q="锂电池", status="draft")) == []
    assert found_titles(offer_search(AnonymousUser(), q="锂电池", status="draft")) == []
    # the owner finds its draft when it asks for drafts
    assert found_titles(offer_search(member, q="锂电池", status="draft")) == [draft.title]


def test_the_category_filter_matches_catalogue_codes_at_every_level(battery, solar, visitor):
    for code in ("3", "3.4", "3.4.2"):
        assert found_titles(offer_search(visitor, category=code)) == [battery.title], code
    assert found_titles(offer_search(visitor, category="3.4.1")) == []
    assert found_titles(offer_search(visitor, category="1", q="recycling")) == [solar.title]


def test_the_region_filter_includes_the_counties_of_a_city(battery, solar, visitor):
    assert factories.region("210102").parent == factories.region("210100")
    assert found_titles(offer_search(visitor, region="210100")) == [battery.title]
    assert found_titles(offer_search(visitor, region="沈阳市")) == [battery.title]
    assert found_titles(offer_search(visitor, region="210102")) == [battery.title]
    assert found_titles(offer_search(visitor, region="210200")) == [solar.title]
    assert found_titles(offer_search(visitor, region="210300")) == []


def test_the_mode_and_readiness_filters(battery, solar, visitor):
    assert found_titles(offer_search(visitor, mode="licence_ordinary")) == [battery.title]
    assert found_titles(offer_search(visitor, mode="co_development")) == [solar.title]
    assert found_titles(offer_search(visitor, mode="equity")) == []
    assert found_titles(offer_search(visitor, readiness_min=5)) == [battery.title]
    assert set(found_titles(offer_search(visitor, readiness_min=4))) == {battery.title, solar.title}
    with pytest.raises(ValidationError):
        offer_search(visitor, mode="barter")


def test_when_no_listing_has_all_the_words_listings_with_any_are_ranked(battery, solar, visitor):
    both = offer_search(visitor, q="锂电池 梯次")
    assert both.mode == "all" and found_titles(both) == [battery.title]
    either = offer_search(visitor, q="锂电池 silicon")
    assert either.mode == "any"
    assert set(found_titles(either)) == {battery.title, solar.title} and either.total == 2


def test_a_query_matching_nothing_finds_nothing(battery, visitor):
    found = offer_search(visitor, q="光伏逆变器")
    assert (found.total, found.items) == (0, [])
    assert offer_search(visitor, q="的").items == []  # stop words only: no query


def test_results_sort_by_price_with_and_without_a_query(member_org, visitor):
    for title, price in (("中价余热回收", "50"), ("低价余热回收", "10"), ("高价余热回收", "90")):
        published_offer(member_org, title=title, price=Decimal(price), negotiable=False)
    cheapest_first = ["低价余热回收", "中价余热回收", "高价余热回收"]
    assert found_titles(offer_search(visitor, q="余热", sort="price")) == cheapest_first
    assert found_titles(offer_search(visitor, q="余热", sort="-price")) == cheapest_first[::-1]
    assert found_titles(offer_search(visitor, sort="price")) == cheapest_first
    found = offer_search(visitor, q="余热", sort="price")
    assert found.sort == "price" and all("<mark>" in item.snippet for item in found.items)


def test_offers_without_a_price_come_after_priced_ones_in_either_price_order(member_org, visitor):
    """'price, lowest first' and 'price, highest first' list the negotiable offers without a price last
    (SQLite puts NULL first ascending, PostgreSQL first descending: neither should surface them first)."""
    published_offer(member_org, title="议价余热回收", price=None, negotiable=True)
    published_offer(member_org, title="低价余热回收", price=Decimal("10"), negotiable=False)
    published_offer(member_org, title="高价余热回收", price=Decimal("90"), negotiable=False)
    assert found_titles(offer_search(visitor, q="余热", sort="price"))[-1] == "议价余热回收"
    assert found_titles(offer_search(visitor, q="余热", sort="-price"))[-1] == "议价余热回收"


def test_paging_through_any_word_results(battery, solar, api_client, visitor):
    """The second page of a search that fell back to 'any' word holds the second result."""
    first = offer_search(visitor, q="锂电池 silicon")
    assert first.mode == "any" and first.total == 2
    page = queries.find("offers", visitor, {"q": "锂电池 silicon"}, limit=1, offset=1)
    assert page.mode == "any" and page.total == 2
    assert found_titles(page) == found_titles(first)[1:]
    body = api_client().get("/api/v1/offers/search/", {"q": "锂电池 silicon", "top": 1, "offset": 1}).json()
    assert body["total"] == 2 and len(body["results"]) == 1


def test_an_unknown_sort_is_a_validation_error(battery, visitor, api_client):
    with pytest.raises(ValidationError) as error:
        offer_search(visitor, q="锂电池", sort="cheapest")
    assert "sort" in error.value.message_dict
    with pytest.raises(ValidationError):
        offer_search(visitor, sort="deadline")  # a need's order, not an offer's
    response = api_client().get("/api/v1/offers/search/", {"q": "锂电池", "sort": "cheapest"})
    assert response.status_code == 400 and "sort" in response.json()


def test_the_api_search_returns_highlighted_snippets(battery, solar, api_client):
    response = api_client().get("/api/v1/offers/search/", {"q": "锂电"})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 1 and body["mode"] == "all"
    (hit,) = body["results"]
    assert hit["id"] == battery.pk and hit["title"] == battery.title and hit["region"] == "和平区"
    assert "<mark>锂电</mark>" in hit["snippet"] and hit["url"] == battery.get_absolute_url()
    filtered = api_client().get("/api/v1/offers/search/", {"q": "recycling", "category": "3"}).json()
    assert filtered["total"] == 0


def test_the_api_search_hides_other_organizations_drafts(member, member_org, other_member, api_client):
    make_offer(member_org, user=member, title="锂电池隔膜再生（草稿）")
    for user in (None, other_member):
        body = api_client(user).get("/api/v1/offers/search/", {"q": "锂电池", "status": "draft"}).json()
        assert body["total"] == 0 and body["results"] == []


def test_the_index_follows_a_changed_title(member, member_org, visitor):
    offer = make_offer(member_org, user=member, title="电镀污泥资源化")
    assert [hit.pk for hit in core_search.search(OFFERS, "电镀", Offer.objects.all()).hits] == [offer.pk]

    services.save_listing(member, offer, {"title": "印染废水深度处理"})

    assert core_search.search(OFFERS, "电镀", Offer.objects.all()).hits == []
    assert [hit.pk for hit in core_search.search(OFFERS, "印染", Offer.objects.all()).hits] == [offer.pk]
    publish(offer)
    assert found_titles(offer_search(visitor, q="印染")) == ["印染废水深度处理"]
    assert found_titles(offer_search(visitor, q="电镀")) == []


def test_a_changed_code_is_indexed_and_takes_the_offer_out_of_public_search(member, member_org, visitor):
    offer = published_offer(member_org, title="高效换热器")
    services.save_listing(member, reload(offer), {"contact_name": "李工", "codes": "F28D 7/10"})
    # `codes` is reviewed: the offer went back to review, so only its organization finds it (by the new code)
    assert found_titles(offer_search(visitor, q="换热器")) == []
    assert found_titles(offer_search(member, q="f28d", status="submitted")) == ["高效换热器"]


def test_needs_are_searched_and_sorted_by_deadline(member_org, other_org, visitor, api_client):
    late = publish(make_need(member_org, title="钢渣微粉化需求", deadline=datetime.date(2031, 1, 1)))
    soon = publish(
        make_need(
            other_org, title="钢渣建材化需求", deadline=datetime.date(2030, 1, 1), region=factories.region("210200")
        )
    )
    make_need(member_org, title="钢渣草稿需求")
    found = queries.find("needs", visitor, {"q": "钢渣", "sort": "deadline"})
    assert found_titles(found) == [soon.title, late.title]
    assert "<mark>钢渣</mark>" in found.items[0].snippet
    with pytest.raises(ValidationError):
        queries.find("needs", visitor, {"q": "钢渣", "sort": "price"})
    body = api_client().get("/api/v1/needs/search/", {"q": "钢渣", "region": "大连市"}).json()
    assert [row["id"] for row in body["results"]] == [soon.pk]


# ---------------------------------------------------------------------------------------------------------------
# 4. Commands: greentech search / greentech market


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_search_command_prints_json_results(battery, solar):
    payload = json.loads(run("search", "offers", "锂电池", "--format", "json"))
    assert payload["total"] == 1 and payload["mode"] == "all"
    (row,) = payload["results"]
    assert (row["rank"], row["id"], row["reference"], row["title"]) == (1, battery.pk, battery.reference, battery.title)
    assert "<mark>锂电池</mark>" in row["snippet"] and isinstance(row["score"], float)


def test_search_command_filters_and_table_output(battery, solar):
    payload = json.loads(run("search", "offers", "recycling", "--filter", "region=大连市", "--format", "json"))
    assert [row["id"] for row in payload["results"]] == [solar.pk]
    text = run("search", "offers", "锂电池")
    assert battery.reference in text and "1 found" in text


def test_search_command_refuses_an_unknown_kind_or_sort(battery):
    with pytest.raises(CommandError, match="Unknown kind"):
        run("search", "contracts", "锂电池")
    with pytest.raises(CommandError):
        run("search", "offers", "锂电池", "--sort", "cheapest")
    with pytest.raises(CommandError):
        run("search", "reindex", "no_such_index")


def test_search_command_acts_as_the_named_user(member, member_org, other_member):
    make_offer(member_org, user=member, title="锂电池电解液回收（草稿）")
    mine = json.loads(
        run("search", "offers", "锂电池", "--filter", "status=draft", "--user", "member", "--format", "json")
    )
    theirs = json.loads(
        run("search", "offers", "锂电池", "--filter", "status=draft", "--user", "other_member", "--format", "json")
    )
    assert mine["total"] == 1 and theirs["total"] == 0


def test_reindex_rebuilds_and_search_still_finds(battery, solar, visitor):
    output = run("search", "reindex")
    assert "market_offer: 2 indexed" in output and "market_need: 0 indexed" in output
    assert found_titles(offer_search(visitor, q="锂电")) == [battery.title]
    assert found_titles(offer_search(visitor, q="solar panels")) == [solar.title]
    assert "market_offer: 2 indexed" in run("search", "reindex", "market_offer")


def test_market_expire_command(member_org):
    late = published_offer(member_org, expires_on=datetime.date(2029, 12, 31))
    current = published_offer(member_org, title="仍有效", expires_on=datetime.date(2030, 1, 1))
    need = publish(make_need(member_org, deadline=datetime.date(2029, 6, 30)))
    output = run("market", "expire", "--today", "2030-01-01")
    assert "offers 1, needs 1" in output
    assert reload(late).status == Status.EXPIRED and reload(need).status == Status.EXPIRED
    assert reload(current).status == Status.PUBLISHED
    with pytest.raises(CommandError):
        run("market", "expire", "--today", "2030-13-01")


# ---------------------------------------------------------------------------------------------------------------
# 5. API writes and workflow actions


def new_offer_payload(organization, **fields):
    payload = {
        "organization": organization.pk,
        "title": "烧结烟气循环节能技术",
        "summary": "烧结烟气内循环，降低固体燃料消耗。",
        "modes": ["transfer"],
        "categories": ["3.4.2"],
    }
    payload.update(fields)
    return payload


def test_a_member_creates_an_offer_through_the_api(api_client, member, member_org):
    response = api_client(member).post("/api/v1/offers/", new_offer_payload(member_org), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["modes"] == ["transfer"] and body["categories"] == ["3.4.2"]
    offer = Offer.objects.get(pk=body["id"])
    assert offer.created_by == member and offer.organization == member_org and offer.modes == "transfer"
    assert list(offer.categories.values_list("code", flat=True)) == ["3.4.2"]


def test_the_api_ignores_a_status_sent_on_create(api_client, member, member_org):
    payload = new_offer_payload(member_org, status="published")
    response = api_client(member).post("/api/v1/offers/", payload, format="json")
    assert response.status_code == 201
    assert Offer.objects.get(pk=response.json()["id"]).status == Status.DRAFT


def test_creating_an_offer_for_another_organization_is_forbidden(api_client, member, other_org):
    response = api_client(member).post("/api/v1/offers/", new_offer_payload(other_org), format="json")
    assert response.status_code == 403
    assert not Offer.objects.exists()


def test_an_anonymous_visitor_cannot_create_an_offer(api_client, member_org):
    assert api_client().post("/api/v1/offers/", new_offer_payload(member_org), format="json").status_code in (401, 403)
    assert not Offer.objects.exists()


def test_an_unknown_mode_or_category_is_a_400(api_client, member, member_org):
    client = api_client(member)
    assert (
        client.post("/api/v1/offers/", new_offer_payload(member_org, modes=["barter"]), format="json").status_code
        == 400
    )
    assert (
        client.post("/api/v1/offers/", new_offer_payload(member_org, categories=["9.9.9"]), format="json").status_code
        == 400
    )
    assert not Offer.objects.exists()


def test_submit_and_review_through_the_api(api_client, member, member_org, department_officer):
    client = api_client(member)
    offer_id = client.post("/api/v1/offers/", new_offer_payload(member_org), format="json").json()["id"]

    submitted = client.post(f"/api/v1/offers/{offer_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"

    assert client.post(f"/api/v1/offers/{offer_id}/review/", {"accept": True}, format="json").status_code == 403
    officer = api_client(department_officer)
    refused = officer.post(f"/api/v1/offers/{offer_id}/review/", {"accept": False}, format="json")
    assert refused.status_code == 400 and "review_note" in refused.json()
    assert Offer.objects.get(pk=offer_id).status == Status.SUBMITTED

    published = officer.post(f"/api/v1/offers/{offer_id}/review/", {"accept": True}, format="json")
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert Offer.objects.get(pk=offer_id).reviewed_by == department_officer
    assert api_client().get(f"/api/v1/offers/{offer_id}/").status_code == 200


def test_an_illegal_transition_through_the_api_is_a_400(api_client, member, member_org):
    offer = make_offer(member_org, user=member)
    response = api_client(member).post(f"/api/v1/offers/{offer.pk}/close/", {}, format="json")
    assert response.status_code == 400
    assert reload(offer).status == Status.DRAFT


def test_listings_cannot_be_deleted_through_the_api(api_client, member, member_org, admin):
    offer = make_offer(member_org, user=member)
    for user in (member, admin):
        assert api_client(user).delete(f"/api/v1/offers/{offer.pk}/").status_code == 405
    need = make_need(member_org, user=member)
    assert api_client(member).delete(f"/api/v1/needs/{need.pk}/").status_code == 405
    assert Offer.objects.filter(pk=offer.pk).exists() and Need.objects.filter(pk=need.pk).exists()


def test_patching_a_published_offer_through_the_api_sends_it_back_to_review(api_client, member, member_org):
    offer = published_offer(member_org)
    response = api_client(member).patch(f"/api/v1/offers/{offer.pk}/", {"title": "改名后的成果"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert reload(offer).title == "改名后的成果"


def test_another_organization_cannot_change_an_offer_through_the_api(api_client, member_org, other_member):
    offer = published_offer(member_org)
    response = api_client(other_member).patch(f"/api/v1/offers/{offer.pk}/", {"title": "篡改"}, format="json")
    assert response.status_code == 403
    assert reload(offer).title != "篡改"


def test_an_offer_cannot_be_moved_to_another_organization_through_the_api(api_client, member, member_org, other_org):
    offer = make_offer(member_org, user=member)
    response = api_client(member).patch(f"/api/v1/offers/{offer.pk}/", {"organization": other_org.pk}, format="json")
    assert response.status_code == 403
    assert reload(offer).organization == member_org


# ---------------------------------------------------------------------------------------------------------------
# 6. Import and export


OFFER_HEADERS = ["reference", "title", "organization", "summary", "modes", "categories", "status"]


def offer_rows(organization, **overrides) -> list[dict]:
    rows = [
        {
            "title": "高炉煤气余压发电技术",
            "organization": organization.name,
            "summary": "利用高炉煤气余压驱动透平发电。",
            "modes": "转让|普通许可",
            "categories": "3.4.2",
        },
        {
            "title": "Waste heat recovery for cement kilns",
            "organization": organization.credit_code,
            "summary": "Organic Rankine cycle units for kiln exhaust heat.",
            "modes": "co_development",
            "categories": "1.1.1|3.4.2",
            "status": "submitted",
        },
    ]
    for key, value in overrides.items():
        rows[0][key] = value
    return rows


def import_offers(rows, user, headers=OFFER_HEADERS):
    return imports.run_import("offers", table(headers, rows), user=user)


def test_a_good_file_creates_drafts_of_the_members_organization(member, member_org):
    report = import_offers(offer_rows(member_org), member)
    assert report.ok, [error.as_dict() for error in report.errors]
    assert (report.rows, report.created, report.updated) == (2, 2, 0)
    first = Offer.objects.get(title="高炉煤气余压发电技术")
    assert first.status == Status.DRAFT and first.organization == member_org and first.created_by == member
    assert first.modes == "transfer,licence_ordinary"
    assert first.reference.startswith("O")
    second = Offer.objects.get(title="Waste heat recovery for cement kilns")
    assert second.status == Status.SUBMITTED
    assert sorted(second.categories.values_list("code", flat=True)) == ["1.1.1", "3.4.2"]


def test_imported_offers_are_searchable(member, member_org):
    assert import_offers(offer_rows(member_org), member).ok
    found = offer_search(member, q="余压", status="draft")
    assert found_titles(found) == ["高炉煤气余压发电技术"]


def test_a_member_may_not_import_a_published_listing(member, member_org):
    report = import_offers(offer_rows(member_org, status="published"), member)
    assert not report.ok
    assert [(error.row, error.column) for error in report.errors] == [(2, "status")]
    assert report.created == 0
    assert not Offer.objects.exists()


def test_an_administrator_may_import_a_published_listing(admin, member_org):
    report = import_offers(offer_rows(member_org, status="published"), admin)
    assert report.ok, [error.as_dict() for error in report.errors]
    offer = Offer.objects.get(title="高炉煤气余压发电技术")
    assert offer.status == Status.PUBLISHED and offer.published_at is not None


def test_an_unknown_mode_label_is_an_error_of_the_modes_column(member, member_org):
    report = import_offers(offer_rows(member_org, modes="转让|拍卖"), member)
    assert not report.ok
    assert [(error.row, error.column) for error in report.errors] == [(2, "modes")]
    assert "拍卖" in error_text(report)
    assert not Offer.objects.exists()


def test_an_ambiguous_or_partial_mode_label_is_an_error(member, member_org):
    """许可 (licence) names three modes, 让 and r none: none may silently become one of them (today 许可 becomes
    licence_exclusive and 让 transfer, because a token is matched as a substring of the labels)."""
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for label in ("许可", "让", "r"):
                report = import_offers(offer_rows(member_org, modes=label), member)
                assert [(error.row, error.column) for error in report.errors] == [(2, "modes")], (language, label)
    assert not Offer.objects.exists()


def error_text(report) -> str:
    return " ".join(error.text("zh-hans") + error.text("en") for error in report.errors)


def test_an_import_into_another_organization_is_refused(member, other_org):
    report = import_offers(offer_rows(other_org)[:1], member)
    assert not report.ok and report.errors[0].row == 2
    assert not Offer.objects.exists()


def test_an_import_cannot_change_a_listing_of_another_organization(member, other_member, other_org):
    offer = published_offer(other_org, title="他人的成果")
    row = {"reference": offer.reference, "title": "篡改标题", "organization": other_org.name, "summary": "x"}
    report = import_offers([row], member)
    assert not report.ok
    assert reload(offer).title == "他人的成果"


def test_reimporting_the_export_changes_nothing(member, member_org):
    assert import_offers(offer_rows(member_org), member).ok
    published_offer(
        member_org,
        title="导出再导入",
        description="<p>说明</p>",
        price=Decimal("12.50"),
        negotiable=False,
        readiness=5,
        region=factories.region("210102"),
        categories=[category("3.4.2")],
        modes="equity,service",
        expires_on=datetime.date(2030, 6, 30),
    )
    before = (Offer.history.count(), list(Offer.objects.order_by("pk").values()))
    exported = imports.export_table("offers", user=member)
    assert len(exported) == 3

    report = imports.run_import("offers", exported, user=member)

    assert report.ok, [error.as_dict() for error in report.errors]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert (Offer.history.count(), list(Offer.objects.order_by("pk").values())) == before


def test_reimporting_a_changed_published_offer_does_not_bypass_the_review(member, member_org):
    offer = published_offer(member_org, title="原标题成果")
    exported = imports.export_table("offers", user=member)
    rows = exported.dict
    assert [row["status"] for row in rows] == ["published"]
    rows[0]["title"] = "未经审核的新标题"
    report = imports.run_import("offers", table(exported.headers, rows), user=member)
    stored = reload(offer)
    assert not (stored.status == Status.PUBLISHED and stored.title == "未经审核的新标题"), report.as_dict()


def test_the_export_shows_what_the_user_may_see(member, member_org, other_member):
    make_offer(member_org, user=member, title="草稿成果")
    published_offer(member_org, title="公开成果")
    titles = {row["title"] for row in imports.export_table("offers", user=other_member).dict}
    assert titles == {"公开成果"}


# ---------------------------------------------------------------------------------------------------------------
# 7. Pages


def test_the_offer_list_page_shows_highlighted_results(client, battery, solar):
    response = client.get("/market/offers/", {"q": "锂电池"})
    assert response.status_code == 200
    page = response.content.decode()
    assert battery.title in page and "<mark>锂电池</mark>" in page
    assert solar.title not in page


def test_the_offer_list_page_reports_a_bad_sort_instead_of_failing(client, battery):
    response = client.get("/market/offers/", {"q": "锂电池", "sort": "cheapest"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="alert alert-warning"' in page and "cheapest" in page and battery.title not in page


def test_the_offer_list_page_hides_other_organizations_drafts(client, member, member_org, other_member):
    make_offer(member_org, user=member, title="锂电池草稿成果")
    client.force_login(other_member)
    response = client.get("/market/offers/", {"q": "锂电池", "status": "draft"})
    assert response.status_code == 200 and "锂电池草稿成果" not in response.content.decode()


def test_the_new_offer_form_requires_sign_in_and_an_organization(client):
    response = client.get("/market/offers/new/")
    assert response.status_code == 302 and "login" in response.url
    client.force_login(factories.UserFactory(username="loner"))
    assert client.get("/market/offers/new/").status_code == 403


def form_data(organization, **fields):
    data = {
        "organization": organization.pk,
        "title": "污泥低温干化成套装备",
        "language": "zh",
        "summary": "利用低温热泵干化市政污泥，能耗降低40%。",
        "description": '<p>工艺说明</p><script>alert("x")</script><img src=x onerror="alert(1)">',
        "categories": [category("3.4.2").pk],
        "mode_choices": ["transfer", "licence_ordinary"],
        "negotiable": "on",
        "readiness": "6",
        "disclosure": "registered",
        "region": factories.region("210102").pk,
    }
    data.update(fields)
    return data


def test_a_member_creates_a_sanitized_draft_with_the_form(client, member, member_org):
    client.force_login(member)
    assert client.get("/market/offers/new/").status_code == 200
    response = client.post("/market/offers/new/", form_data(member_org))
    assert response.status_code == 302, response.content.decode()[-2000:]
    offer = Offer.objects.get(title="污泥低温干化成套装备")
    assert response.url == offer.get_absolute_url()
    assert offer.status == Status.DRAFT and offer.created_by == member
    assert offer.modes == "transfer,licence_ordinary" and offer.readiness == 6
    assert list(offer.categories.values_list("code", flat=True)) == ["3.4.2"]
    assert "<p>工艺说明</p>" in offer.description
    assert "<script" not in offer.description and "alert" not in offer.description
    assert "onerror" not in offer.description


def test_the_form_cannot_create_an_offer_for_another_organization(client, member, other_org):
    client.force_login(member)
    response = client.post("/market/offers/new/", form_data(other_org))
    assert response.status_code == 200  # the form again, with the error
    assert "organization" in response.context["form"].errors
    assert not Offer.objects.exists()


def test_the_form_requires_a_price_unless_negotiable(client, member, member_org):
    client.force_login(member)
    data = form_data(member_org)
    del data["negotiable"]
    response = client.post("/market/offers/new/", data)
    assert response.status_code == 200 and "price" in response.context["form"].errors
    assert not Offer.objects.exists()


def test_editing_a_published_offer_with_the_form_sends_it_back_to_review(client, member, member_org):
    offer = published_offer(member_org, title="污泥低温干化成套装备", region=factories.region("210102"))
    client.force_login(member)
    data = form_data(member_org, summary="改写的公开摘要。", description="")
    response = client.post(f"/market/offers/{offer.pk}/edit/", data)
    assert response.status_code == 302
    assert reload(offer).status == Status.SUBMITTED and reload(offer).summary == "改写的公开摘要。"


def test_the_detail_page_shows_details_by_disclosure_level(client, member_org, other_member):
    offer = offer_with_details(member_org, Offer.Disclosure.REGISTERED)
    anonymous = client.get(offer.get_absolute_url()).content.decode()
    assert offer.summary in anonymous and "wang@example.cn" not in anonymous and 'id="details-hidden"' in anonymous
    client.force_login(other_member)
    signed_in = client.get(offer.get_absolute_url()).content.decode()
    assert "wang@example.cn" in signed_in and "<p>完整技术方案</p>" in signed_in


def test_a_draft_page_is_404_for_others(client, member, member_org, other_member):
    offer = make_offer(member_org, user=member)
    assert client.get(offer.get_absolute_url()).status_code == 404
    client.force_login(other_member)
    assert client.get(offer.get_absolute_url()).status_code == 404
    client.force_login(member)
    assert client.get(offer.get_absolute_url()).status_code == 200


def test_accepting_terms_on_the_detail_page(client, member_org, other_member, other_org):
    offer = offer_with_details(member_org, Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    client.force_login(other_member)
    before = client.get(offer.get_absolute_url()).content.decode()
    assert TERMS in before and 'id="terms-form"' in before and "wang@example.cn" not in before
    response = client.post(offer.get_absolute_url(), {"action": "accept_terms", "organization": other_org.pk})
    assert response.status_code == 302
    assert "wang@example.cn" in client.get(offer.get_absolute_url()).content.decode()
    assert TermsAcceptance.objects.get(offer=offer).user == other_member


def attach(user, offer, content=PDF, name="技术说明.pdf"):
    return core_services.create(
        user, OfferAttachment(offer=offer, title="技术说明", file=SimpleUploadedFile(name, content))
    )


def test_an_attachment_follows_the_offers_disclosure(client, media_root, member, member_org, other_member):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.REGISTERED)
    attachment = attach(member, offer)
    url = f"/market/attachments/{attachment.pk}/"

    assert client.get(url).status_code == 404

    client.force_login(other_member)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]


def test_a_terms_offers_attachment_needs_the_terms_accepted(
    client, media_root, member, member_org, other_member, other_org
):
    offer = published_offer(member_org, disclosure=Offer.Disclosure.TERMS, confidentiality_terms=TERMS)
    url = f"/market/attachments/{attach(member, offer).pk}/"
    client.force_login(other_member)
    assert client.get(url).status_code == 404
    services.accept_terms(other_member, offer, other_org)
    assert client.get(url).status_code == 200


def test_a_file_that_is_not_what_its_name_says_is_refused(media_root, member, member_org):
    offer = make_offer(member_org, user=member)
    with pytest.raises(ValidationError):
        attach(member, offer, content=b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationError):
        attach(member, offer, content=b"<script>", name="page.html")
    assert not OfferAttachment.objects.exists()


def test_only_the_owner_attaches_files(media_root, member_org, other_member):
    offer = published_offer(member_org)
    with pytest.raises(PermissionDenied):
        attach(other_member, offer)
    assert not OfferAttachment.objects.exists()


def test_attaching_through_the_detail_page(client, media_root, member, member_org):
    offer = make_offer(member_org, user=member)
    client.force_login(member)
    upload = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    response = client.post(offer.get_absolute_url(), {"action": "attach", "title": "方案", "file": upload})
    assert response.status_code == 302
    attachment = OfferAttachment.objects.get(offer=offer)
    assert attachment.title == "方案" and attachment.file.read() == PDF


def test_the_owner_submits_and_the_officer_publishes_on_the_detail_page(client, member, member_org, department_officer):
    offer = make_offer(member_org, user=member)
    client.force_login(member)
    assert client.post(offer.get_absolute_url(), {"action": "submit"}).status_code == 302
    assert reload(offer).status == Status.SUBMITTED
    client.force_login(department_officer)
    client.post(offer.get_absolute_url(), {"action": "return", "note": ""})
    assert reload(offer).status == Status.SUBMITTED  # a return needs a reason
    client.post(offer.get_absolute_url(), {"action": "publish"})
    assert reload(offer).status == Status.PUBLISHED


def test_my_listings_and_the_review_queue(client, member, member_org, department_officer):
    draft = make_offer(member_org, user=member, title="我的草稿成果")
    waiting = make_offer(member_org, user=member, title="待审核成果")
    services.submit(member, waiting)
    client.force_login(member)
    mine = client.get("/market/mine/")
    assert mine.status_code == 200 and draft.title in mine.content.decode()
    client.force_login(department_officer)
    queue = client.get("/market/mine/")
    assert list(queue.context["review_offers"]) == [waiting]
