"""Ranking window and count cap of core.search (the bounds that keep a common word fast at 100,000 offers),
through the market's search: the page, the API and the CLI say when a total is a lower bound."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command

from greentech.core import search as core_search
from greentech.market import queries
from greentech.market.tests.test_market import published_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(member_org):
    """Nine published offers on 余热回收, the older ones mentioning it more often (so they score higher)."""
    made = []
    for number in range(9):
        repeats = 9 - number  # the first (oldest) has the word nine times
        made.append(
            published_offer(
                member_org,
                title=f"余热回收装置 {number}",
                summary="余热回收 " * repeats + "工业锅炉",
                price=Decimal(10 + number),
                negotiable=False,
            )
        )
    return made


@pytest.fixture
def small_bounds(monkeypatch):
    monkeypatch.setattr(core_search, "RANK_WINDOW", 4)
    monkeypatch.setattr(core_search, "COUNT_CAP", 6)


def search(**params):
    return queries.find("offers", AnonymousUser(), params, limit=params.pop("limit", 20))


def test_without_bounds_every_match_is_ranked_and_counted_exactly(offers):
    found = search(q="余热回收")
    assert found.total == 9 and found.total_exact
    assert found.items[0].object == offers[0]  # the oldest says it most often: ranked first over all nine
    assert found.total_display == "9"


def test_a_common_word_is_ranked_among_the_newest_matches_and_counted_up_to_the_cap(offers, small_bounds):
    found = search(q="余热回收", limit=3)
    # the newest four are ranked: the best of them is offer 5 (it repeats the word most among 5..8)
    assert [item.object for item in found.items] == [offers[5], offers[6], offers[7]]
    assert (found.total, found.total_exact, found.total_display) == (6, False, "6+")


def test_a_page_beyond_the_window_ranks_a_window_as_deep_as_the_page(offers, small_bounds):
    page = queries.find("offers", AnonymousUser(), {"q": "余热回收"}, limit=3, offset=6)
    # the window holds all nine (offset + limit), ranked by score: places 7 to 9 are the newest three
    assert [item.object for item in page.items] == offers[6:9]


def test_a_rare_word_is_ranked_exactly_whatever_the_bounds(offers, member_org, small_bounds):
    rare = published_offer(member_org, title="有机朗肯循环发电", summary="余热回收 低温")
    found = search(q="有机朗肯循环")
    assert [item.object for item in found.items] == [rare] and found.total == 1 and found.total_exact


def test_filters_and_the_window_apply_together(offers, small_bounds):
    found = search(q="余热回收", price_max="12")  # offers 0, 1, 2 only: all ranked although older
    assert [item.object for item in found.items] == offers[:3]
    assert found.total == 3 and found.total_exact


def test_the_page_the_api_and_the_cli_say_the_total_is_a_lower_bound(client, offers, small_bounds):
    page = client.get("/market/offers/", {"q": "余热回收"})
    assert "6+ 条结果（计数上限 6）" in page.content.decode()
    answer = client.get("/api/v1/offers/search/", {"q": "余热回收"}).json()
    assert (answer["total"], answer["total_exact"]) == (6, False)
    exact = client.get("/api/v1/offers/search/", {"q": "余热回收", "price_max": "12"}).json()
    assert (exact["total"], exact["total_exact"]) == (3, True)
    out = __import__("io").StringIO()
    call_command("search", "offers", "余热回收", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["total_exact"] is False


def test_with_the_cap_at_the_window_a_full_window_is_a_lower_bound_and_a_smaller_one_exact(
    offers, member_org, monkeypatch
):
    monkeypatch.setattr(core_search, "RANK_WINDOW", 4)  # as in production: the count stops at the window
    monkeypatch.setattr(core_search, "COUNT_CAP", 4)
    common = search(q="余热回收")
    assert (common.total, common.total_exact, common.total_display) == (4, False, "4+")
    for number in range(4):
        published_offer(member_org, title=f"烟气脱硝催化剂 {number}", summary="选择性催化还原")
    exactly_four = search(q="脱硝催化剂")
    assert (exactly_four.total, exactly_four.total_exact, exactly_four.total_display) == (4, True, "4")


def test_the_public_matching_and_window_functions(offers, member_org):
    """core.search's interface for public data (the patents use it): the keys having the words, and the ranking
    over the whole index among the highest matching keys."""
    from django.db import connection

    from greentech.market.models import Offer
    from greentech.market.search import OFFERS

    other = published_offer(member_org, title="光伏组件回收", summary="回收银和硅")
    tokens = core_search.query_tokens("余热回收")
    keys = set(Offer.objects.filter(pk__in=core_search.matching_ids(OFFERS, tokens)).values_list("pk", flat=True))
    assert keys == {offer.pk for offer in offers}
    anywhere = core_search.matching_ids(OFFERS, core_search.query_tokens("余热 硅"), "any")
    assert set(Offer.objects.filter(pk__in=anywhere).values_list("pk", flat=True)) == keys | {other.pk}
    window = core_search.ranked_window(OFFERS, tokens, window=4, limit=3)
    assert [hit.pk for hit in window.hits] == [offers[5].pk, offers[6].pk, offers[7].pk]  # the newest four ranked
    assert window.held == 4
    assert window.matches == (9 if connection.vendor == "postgresql" else None)
    assert core_search.ranked_window(OFFERS, tokens, limit=20).held == 9  # a wide window holds every match
    assert core_search.ranked_window(OFFERS, core_search.query_tokens("氢能"), limit=20).hits == []
