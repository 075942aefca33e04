"""core.freshness: renderings cached for anonymous visitors stay exactly as fresh as the database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection, transaction

from greentech.core import freshness
from greentech.core import services as core_services
from greentech.core.models import TopicStamp
from greentech.core.permissions import SYSTEM
from greentech.market.tests.test_market import published_offer
from greentech.taxonomy.models import Category

pytestmark = pytest.mark.django_db


def offer_page(client, **params):
    return client.get("/market/offers/", params).content.decode()


def test_a_change_to_a_watched_model_gives_the_topic_a_new_stamp(member_org):
    before = freshness.stamp("market")
    offer = published_offer(member_org, title="低温余热有机朗肯循环发电")
    after_create = freshness.stamp("market")
    assert after_create != before
    core_services.update(SYSTEM, offer, {"title": "低温余热发电"})
    assert freshness.stamp("market") != after_create


def test_a_change_that_rolls_back_leaves_the_stamp_as_it_was(member_org):
    freshness.bump("market")
    before = freshness.stamp("market")
    with pytest.raises(RuntimeError), transaction.atomic():
        published_offer(member_org, title="回滚的成果")
        raise RuntimeError("rolled back")
    assert freshness.stamp("market") == before


def test_the_anonymous_list_is_served_from_the_cache_until_the_market_changes(client, member_org):
    offer = published_offer(member_org, title="工业锅炉余热回收装置")
    assert "工业锅炉余热回收装置" in offer_page(client)
    keys = set(cache._cache)  # LocMemCache: what the first rendering stored
    assert any(key.startswith(":1:fresh:market:") for key in keys)
    # a write the ORM's signals do not see stays invisible until the topic changes...
    with connection.cursor() as cursor:
        cursor.execute("UPDATE market_offer SET title = %s WHERE id = %s", ["改名未通知", offer.pk])
    assert "工业锅炉余热回收装置" in offer_page(client)
    # ...and any change through the platform shows everything at the next request
    offer.refresh_from_db()
    core_services.update(SYSTEM, offer, {"summary": "回收工业锅炉烟气余热。"})
    page = offer_page(client)
    assert "改名未通知" in page and "工业锅炉余热回收装置" not in page


def test_renaming_the_organization_or_changing_categories_refreshes_the_list(client, member_org):
    offer = published_offer(member_org, title="污水处理再生利用")
    assert member_org.name in offer_page(client)
    core_services.update(SYSTEM, member_org, {"name": "沈阳清源水务有限公司"})
    assert "沈阳清源水务有限公司" in offer_page(client)
    assert "污水处理再生利用" not in offer_page(client, category="3")
    offer.categories.add(Category.objects.get(scheme__slug="gic2019", code="3.4.2"))
    assert "污水处理再生利用" in offer_page(client, category="3")


def test_another_app_server_changing_the_data_is_seen_through_the_stamp(client, member_org):
    offer = published_offer(member_org, title="风电叶片回收")
    assert "风电叶片回收" in offer_page(client)
    with connection.cursor() as cursor:  # as another server would: its own cache, the same database
        cursor.execute("UPDATE market_offer SET title = %s WHERE id = %s", ["风电叶片热解回收", offer.pk])
    TopicStamp.objects.filter(name="market").update(stamp=12345)
    assert "风电叶片热解回收" in offer_page(client)


def test_cached_and_fresh_api_lists_are_the_same_bytes(client, member_org, settings):
    published_offer(member_org, title="储能电站调峰", price=Decimal("80"), negotiable=False)
    cached_first = client.get("/api/v1/offers/?ordering=-id")
    cached_again = client.get("/api/v1/offers/?ordering=-id")
    settings.GREENTECH_RENDER_CACHE = False
    fresh = client.get("/api/v1/offers/?ordering=-id")
    assert cached_first.status_code == cached_again.status_code == fresh.status_code == 200
    assert cached_first.content == cached_again.content == fresh.content
    assert cached_first["Content-Type"] == fresh["Content-Type"]
    assert "储能电站调峰" in fresh.content.decode()


def test_signed_in_users_are_never_served_from_the_cache(client, member, member_org, monkeypatch):
    published_offer(member_org, title="光伏组件回收")

    def refuse(*args, **kwargs):
        raise AssertionError("a signed-in user's page went through the cache")

    client.force_login(member)
    monkeypatch.setattr(freshness, "cached", refuse)
    assert "光伏组件回收" in offer_page(client)
    assert client.get("/api/v1/offers/").status_code == 200
