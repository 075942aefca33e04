"""Matching needs and offers: the ranking and its reasons (Chinese and English, across languages), stored vectors,
who sees which matches, notifications once per pair, feedback with its history, the CLI, the API, the pages and
the evaluation set."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from greentech.bench import match as match_bench
from greentech.core.permissions import SYSTEM
from greentech.inbox.models import Notification
from greentech.market import matching, services
from greentech.market.matching import corpora
from greentech.market.models import ListingVector, Match, MatchFeedback, Need, Offer, Status
from greentech.taxonomy.models import Category
from greentech.testing import factories

pytestmark = pytest.mark.django_db


def category(code: str) -> Category:
    return Category.objects.get(scheme__slug="gic2019", code=code)


def published(model, organization, categories=(), **fields):
    """A listing of `organization` created and published through the services."""
    listing = services.create_listing(
        SYSTEM, model(organization=organization, **fields), categories=[category(c) for c in categories]
    )
    services.submit(SYSTEM, listing)
    return services.review(SYSTEM, listing, accept=True)


@pytest.fixture
def market(member_org, other_org):
    """Three published offers of the member's organization (Chinese and English) and a Chinese need of the other
    member's organization."""
    battery = published(
        Offer,
        member_org,
        ["1.7.2"],
        title="退役动力电池梯次利用技术",
        summary="退役磷酸铁锂动力电池健康状态快速评估、分选与重组，用于通信基站备用电源和储能。",
        readiness=8,
    )
    sludge = published(
        Offer,
        member_org,
        ["1.7.8"],
        title="Sewage sludge drying and incineration",
        summary="Low-temperature belt drying of municipal sewage sludge followed by co-incineration in power plants.",
        language="en",
        readiness=7,
    )
    heat = published(
        Offer,
        member_org,
        ["1.5.3"],
        title="钢厂低温烟气余热回收发电",
        summary="有机朗肯循环回收烧结机和加热炉低温余热发电。",
        readiness=6,
    )
    need = published(
        Need,
        other_org,
        ["1.7.8"],
        title="污水厂污泥出路难",
        problem="市政污水处理厂每天产生含水率80%的污泥，填埋场不再接收，需要污泥干化焚烧技术。",
        min_readiness=6,
    )
    return {"battery": battery, "sludge": sludge, "heat": heat, "need": need}


# ---------------------------------------------------------------------------------------------------------------
# The ranking


def test_catalogue_items_count_at_every_level():
    levels = matching.category_levels(["gic2019:3.1.2", "ipc:H01M"])
    assert levels[3] == {"gic2019:3.1.2", "ipc:H01M"}
    assert levels[2] == {"gic2019:3.1"}
    assert levels[1] == {"gic2019:3"}
    need = matching.Profile(key=1, title="", categories=frozenset({"gic2019:3.1.2"}))
    sibling = matching.Profile(key=2, title="", categories=frozenset({"gic2019:3.1.1"}))
    assert matching.shared_categories(need, sibling) == ["gic2019:3.1"]


def test_readiness_below_the_minimum_is_penalised_and_unknown_is_neutral():
    fit = matching.readiness_fit([8, 5, float("nan"), 3], 6)
    assert fit[0] == 1.0
    assert -1.0 < fit[1] < 0
    assert fit[2] == 0.0
    assert fit[3] == -1.0


def test_shared_terms_keep_the_longest_words_both_texts_have():
    need = matching.Profile(key=1, title="退役动力电池回收", text="锂电池")
    offer = matching.Profile(key=2, title="动力电池梯次利用", text="磷酸铁锂")
    terms = matching.shared_terms(need, offer)
    assert "动力电池" in terms
    assert "电池" not in terms  # contained in a longer shared term


def test_a_chinese_need_finds_the_english_offer_and_the_reverse():
    offers = [
        matching.Profile(key="zh-battery", title="退役动力电池梯次利用", text="动力电池健康评估与重组用于储能。"),
        matching.Profile(key="en-sludge", title="Sewage sludge drying", text="Belt drying and incineration of sludge."),
        matching.Profile(key="en-wind", title="Offshore wind monitoring", text="Vibration analytics for turbines."),
    ]
    corpus = matching.Corpus(offers, matching.encode([p.content for p in offers]))
    chinese = matching.Profile(key="n1", title="污水处理厂污泥处置", text="污泥干化和焚烧。")
    ranked = corpus.rank(chinese, matching.encode([chinese.content])[0], top=3)
    assert ranked[0].key == "en-sludge"
    english = matching.Profile(key="n2", title="Reusing retired EV batteries", text="Second-life battery storage.")
    assert corpus.rank(english, matching.encode([english.content])[0], top=1)[0].key == "zh-battery"


def test_the_own_organizations_listings_and_excluded_keys_are_left_out():
    offers = [
        matching.Profile(key=1, title="污泥干化", organization=7),
        matching.Profile(key=2, title="污泥焚烧", organization=8),
        matching.Profile(key=3, title="污泥堆肥", organization=9),
    ]
    corpus = matching.Corpus(offers, matching.encode([p.content for p in offers]))
    query = matching.Profile(key=None, title="污泥处置", organization=7)
    keys = [s.key for s in corpus.rank(query, matching.encode([query.content])[0], top=5, exclude=[3])]
    assert keys == [2]


# ---------------------------------------------------------------------------------------------------------------
# Listings: vectors, matches, visibility


def test_matches_of_a_need_rank_the_right_offer_first_with_reasons(market, other_member):
    suggestions = matching.matches_for(other_member, market["need"], top=3)
    assert suggestions[0].object == market["sludge"]  # English offer for a Chinese need
    row = matching.explained(suggestions)[0]
    assert row["shared_categories"][0]["code"] == "1.7.8"
    assert row["shared_categories"][0]["name"] == category("1.7.8").name
    assert row["similarity"] > 0.3
    assert row["parts"]["readiness"] == 1.0


def test_only_published_listings_are_matched(market, member_org, other_member):
    draft = services.create_listing(
        SYSTEM,
        Offer(organization=member_org, title="污泥低温干化焚烧技术", summary="市政污泥干化焚烧，含水率降至30%。"),
    )
    keys = [s.key for s in matching.matches_for(other_member, market["need"], top=10)]
    assert draft.pk not in keys
    services.submit(SYSTEM, draft)
    services.review(SYSTEM, draft, accept=True)
    keys = [s.key for s in matching.matches_for(other_member, market["need"], top=10)]
    assert draft.pk in keys


def test_a_listings_vector_is_stored_and_recomputed_when_its_text_changes(market, member):
    offer = market["heat"]
    matching.ensure_vectors([offer])
    stored = ListingVector.objects.get(offer=offer)
    before, digest = bytes(stored.vector), stored.text_hash
    assert np.frombuffer(before, dtype=np.float32).shape == (512,)
    services.save_listing(member, offer, {"summary": "吸收式热泵回收工厂循环冷却水余热用于供暖。"})
    matching.ensure_vectors([Offer.objects.get(pk=offer.pk)])
    stored.refresh_from_db()
    assert stored.text_hash != digest and bytes(stored.vector) != before
    assert ListingVector.objects.filter(offer=offer).count() == 1


def test_an_offers_matching_needs_are_for_its_organization_and_government(
    market, member, other_member, department_officer
):
    offer = market["sludge"]
    assert matching.may_see_matches(member, offer)
    assert matching.may_see_matches(department_officer, offer)
    assert not matching.may_see_matches(other_member, offer)
    assert matching.matches_for(member, offer, top=1)[0].object == market["need"]


def test_a_free_text_need_is_matched_and_bad_input_is_explained(market, visitor):
    found = matching.matches_for_text(visitor, "Recovering waste heat from steel plant flue gas for power", top=2)
    assert found[0].object == market["heat"]
    with pytest.raises(ValidationError):
        matching.matches_for_text(visitor, "   ")
    with pytest.raises(ValidationError):
        matching.matches_for_text(visitor, "污泥", min_readiness=12)


# ---------------------------------------------------------------------------------------------------------------
# Notifications and feedback


def test_publishing_a_need_tells_both_organizations_once(
    market, member, other_member, other_org, django_capture_on_commit_callbacks
):
    need = services.create_listing(
        SYSTEM,
        Need(
            organization=other_org,
            title="寻求市政污泥干化焚烧技术",
            problem="污水处理厂污泥需要低温干化后与电厂协同焚烧，实现减量化。",
        ),
        categories=[category("1.7.8")],
    )
    services.submit(SYSTEM, need)
    with django_capture_on_commit_callbacks(execute=True):
        services.review(SYSTEM, need, accept=True)
    match = Match.objects.get(need=need, offer=market["sludge"])
    assert match.notified_at is not None and match.score >= matching.NOTIFY_THRESHOLD_CROSS_LANGUAGE
    assert Notification.objects.filter(recipient=other_member, kind="match_found").count() >= 1
    assert Notification.objects.filter(recipient=member, kind="match_found").count() >= 1
    told_need_side = Notification.objects.filter(recipient=other_member, kind="match_found").first()
    from django.utils import translation

    with translation.override("zh-hans"):  # the title in the reader's language, from its message and parameters
        assert told_need_side.title == f"匹配的技术成果：{market['sludge'].title}"
    with translation.override("en"):
        assert told_need_side.title == f"Matching technology offer: {market['sludge'].title}"
    notified = Notification.objects.filter(kind="match_found").count()
    assert matching.notify_matches(need) == 0  # told once per pair
    assert Notification.objects.filter(kind="match_found").count() == notified


def test_feedback_is_kept_with_its_history(market, other_member, other_org):
    need, offer = market["need"], market["sludge"]
    feedback = matching.give_feedback(other_member, need, offer, useful=True, note="正是我们要找的")
    assert feedback.organization == other_org
    matching.give_feedback(other_member, need, offer, useful=False, note="价格太高")
    assert MatchFeedback.objects.filter(need=need, offer=offer).count() == 1
    assert [h.useful for h in MatchFeedback.history.filter(id=feedback.pk).order_by("history_date")] == [True, False]


def test_feedback_from_outside_both_organizations_is_refused_and_writes_nothing(market, broker, visitor):
    for user in (broker, visitor):
        with pytest.raises(PermissionDenied):
            matching.give_feedback(user, market["need"], market["sludge"], useful=True)
    assert not MatchFeedback.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# CLI, API, pages


def test_cli_matches_a_text_and_a_need(market):
    out = io.StringIO()
    call_command("match", need_text="市政污泥干化焚烧", top=2, format="json", stdout=out)
    rows = json.loads(out.getvalue())
    assert rows[0]["id"] == market["sludge"].pk and rows[0]["shared_terms"] is not None
    out = io.StringIO()
    call_command("match", need=market["need"].pk, stdout=out)
    assert "Sewage sludge drying and incineration" in out.getvalue().splitlines()[0]


def test_cli_refuses_ambiguous_or_unknown_input(market):
    with pytest.raises(CommandError):
        call_command("match", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("match", need=market["need"].pk, need_text="污泥", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("match", need=999999, stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("match", need_text="污泥", top=0, stdout=io.StringIO())


def test_cli_notify_runs_for_every_published_listing(market):
    out = io.StringIO()
    call_command("match", "notify", stdout=out)
    assert "needs 1, offers 3" in out.getvalue()
    assert Match.objects.filter(need=market["need"], offer=market["sludge"]).exists()


def test_api_matches_of_a_need_and_of_an_offer(market, api_client, visitor, member, other_member):
    response = api_client(visitor).get(f"/api/v1/needs/{market['need'].pk}/matches/?top=2")
    assert response.status_code == 200
    assert response.json()[0]["id"] == market["sludge"].pk
    assert response.json()[0]["shared_categories"][0]["code"] == "1.7.8"
    assert api_client(other_member).get(f"/api/v1/offers/{market['sludge'].pk}/matches/").status_code == 403
    response = api_client(member).get(f"/api/v1/offers/{market['sludge'].pk}/matches/")
    assert response.status_code == 200 and response.json()[0]["id"] == market["need"].pk
    assert api_client(visitor).get(f"/api/v1/needs/{market['need'].pk}/matches/?top=abc").status_code == 400


def test_api_match_text_and_feedback(market, api_client, visitor, other_member, broker):
    response = api_client(visitor).post("/api/v1/match/", {"text": "sludge drying"}, format="json")
    assert response.status_code == 200 and response.json()[0]["id"] == market["sludge"].pk
    assert api_client(visitor).post("/api/v1/match/", {"text": ""}, format="json").status_code == 400
    payload = {"need": market["need"].pk, "offer": market["sludge"].pk, "useful": True, "note": "好"}
    assert api_client(broker).post("/api/v1/match-feedback/", payload, format="json").status_code == 403
    response = api_client(other_member).post("/api/v1/match-feedback/", payload, format="json")
    assert response.status_code == 201 and response.json()["useful"] is True
    listed = api_client(other_member).get("/api/v1/match-feedback/").json()
    assert listed["count"] == 1 if isinstance(listed, dict) else len(listed) == 1


def test_need_page_lists_matching_offers_with_feedback_buttons(market, client, other_member):
    client.force_login(other_member)
    page = client.get(market["need"].get_absolute_url()).content.decode()
    assert 'id="matches"' in page and "Sewage sludge drying and incineration" in page
    assert 'name="useful"' in page
    response = client.post(
        "/market/matches/feedback/",
        {"need": market["need"].pk, "offer": market["sludge"].pk, "useful": "no", "next": "/evil.example/"},
    )
    assert response.status_code == 302
    assert MatchFeedback.objects.get(user=other_member).useful is False


def test_offer_page_shows_matching_needs_only_to_its_organization(market, client, member, other_member):
    client.force_login(other_member)
    assert 'id="matches"' not in client.get(market["sludge"].get_absolute_url()).content.decode()
    client.force_login(member)
    page = client.get(market["sludge"].get_absolute_url()).content.decode()
    assert 'id="matches"' in page and "污水厂污泥出路难" in page


# ---------------------------------------------------------------------------------------------------------------
# The evaluation set and the benchmark


def test_the_evaluation_set_is_complete():
    offers, needs = match_bench.load()
    ids = {row["id"] for row in offers}
    assert len(needs) >= 60 and 150 <= len(offers) <= 300
    assert sum(row["cross_language"] for row in needs) * 3 >= len(needs)
    for row in needs:
        assert row["relevant"] and set(row["relevant"]) <= ids, row["id"]
        offer_languages = {next(o["lang"] for o in offers if o["id"] == r) for r in row["relevant"]}
        assert row["cross_language"] == (row["lang"] not in offer_languages), row["id"]
    assert {row["split"] for row in needs} == {"dev", "test"}


def test_the_combination_beats_each_signal_and_bm25_on_the_test_split():
    evaluation = match_bench.Evaluation()
    report = match_bench.quality(evaluation, "test", matching.WEIGHTS)
    combined = report["combined"]["all"]
    for baseline in ("lexical_only", "semantic_only", "bm25s_plain", "bm25s_segmented"):
        assert combined["mrr"] > report[baseline]["all"]["mrr"], baseline
        assert combined["recall@10"] > report[baseline]["all"]["recall@10"], baseline


def test_organizations_without_people_are_told_nothing_but_the_match_is_kept(member_org, other_org):
    lonely = factories.OrganizationFactory(name="铁岭秸秆能源有限公司")
    published(Offer, lonely, ["1.7.7"], title="秸秆生物质成型燃料", summary="玉米秸秆压块成型燃料，用于农村清洁取暖。")
    need = published(
        Need, other_org, ["1.7.7"], title="玉米秸秆燃料化利用", problem="禁烧后需要秸秆压块燃料技术用于村镇清洁供暖。"
    )
    assert matching.notify_matches(need) == 1
    assert Match.objects.filter(need=need).count() == 1
    assert Status(need.status) == Status.PUBLISHED


def test_the_match_section_of_the_market_benchmark_times_matching_over_its_corpus():
    from rich.console import Console

    from greentech.bench import market as bench_market

    report = bench_market.run_here(
        {"offers": 120, "needs": 30, "repeat": 1, "seed": 5, "only": "match"}, console=Console(file=io.StringIO())
    )
    section = report["match"]
    assert report["sections"] == ["match"]
    assert section["published_offers"] == report["corpus"]["published_offers"] > 0
    assert ListingVector.objects.filter(offer__isnull=False).count() >= section["published_offers"]
    assert section["top10_stored_vector"]["n"] == section["needs"] > 0
    assert section["top10_stored_vector"]["p95_ms"] >= section["top10_stored_vector"]["p50_ms"] > 0
    assert section["top10_free_text"]["n"] > 0


def test_a_large_corpus_is_rebuilt_in_the_background_while_the_old_one_serves(market, member_org, monkeypatch):
    from django.db import connection

    before = matching.corpus("offers")
    started = []

    class Deferred:
        """Keeps the rebuild to run it afterwards in this thread (where the test's transaction is visible)."""

        def __init__(self, target, args, **kwargs):
            self.target, self.args = target, args

        def start(self):
            started.append(self)

    monkeypatch.setattr(corpora, "BACKGROUND_REBUILD_SIZE", 1)
    monkeypatch.setattr(corpora.threading, "Thread", Deferred)
    monkeypatch.setattr(connection, "close", lambda: None)  # the rebuild closes its thread's connection
    new = published(Offer, member_org, ["1.7.8"], title="污泥好氧堆肥", summary="市政污泥与秸秆混合好氧发酵。")
    served = matching.corpus("offers")
    assert served is before and new.pk not in served.position and [t.args[0] for t in started] == ["offers"]
    assert matching.corpus("offers") is before and len(started) == 1  # one rebuild at a time
    started[0].target(*started[0].args)
    assert new.pk in matching.corpus("offers").position
