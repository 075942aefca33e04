"""The inbox: `notify` posts, the recipient (and only the recipient) reads and marks as read."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from greentech.inbox import services
from greentech.inbox.models import Notification
from greentech.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
ANONYMOUS_REFUSED = {401, 403}


def test_notify_posts_once_per_active_recipient(member, other_member, member_org):
    inactive = factories.UserFactory(username="left", is_active=False)
    posted = services.notify(
        [member, other_member, member, inactive, None],
        "new_match",
        "新的技术需求与您匹配" + "！" * 300,
        "余热回收需求",
        link="/demands/1/",
        target=member_org,
    )
    assert len(posted) == 2
    mine = Notification.objects.get(recipient=member)
    assert (mine.kind, mine.body, mine.link, mine.is_read) == ("new_match", "余热回收需求", "/demands/1/", False)
    assert len(mine.title) == 200
    assert mine.target_type == ContentType.objects.get_for_model(member_org)
    assert mine.target == member_org
    assert not Notification.objects.filter(recipient=inactive).exists()


def test_unread_count_and_mark_read(member, other_member):
    first, second = services.notify([member], "a", "一"), services.notify([member], "b", "二")
    services.notify([other_member], "c", "三")
    assert services.unread_count(member) == 2
    assert services.unread_count(AnonymousUser()) == 0
    assert services.mark_read(member, [first[0]]) == 1
    assert services.unread_count(member) == 1
    assert services.mark_read(member) == 1
    assert services.unread_count(member) == 0
    assert Notification.objects.get(pk=second[0].pk).is_read
    assert services.unread_count(other_member) == 1


def test_a_user_cannot_mark_someone_elses_notifications(member, other_member):
    theirs = services.notify([other_member], "c", "别人的通知")[0]
    assert services.mark_read(member, [theirs.pk]) == 0
    assert services.mark_read(member) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_api_list_unread_and_mark_read(api_client, member, other_member):
    services.notify([member], "report_due", "请提交年度报告")
    newest = services.notify([member], "new_match", "新的匹配")[0]
    services.notify([other_member], "new_match", "别人的匹配")
    client = api_client(member)
    rows = client.get(URL).json()["results"]
    assert [row["title"] for row in rows] == ["新的匹配", "请提交年度报告"]  # newest first
    assert all(row["is_read"] is False for row in rows)
    assert client.get(URL, {"kind": "report_due"}).json()["count"] == 1
    assert client.get(f"{URL}unread/").json() == {"unread": 2}

    assert client.post(f"{URL}mark-read/", {"ids": [newest.pk]}, format="json").json() == {"marked": 1}
    assert client.get(f"{URL}unread/").json() == {"unread": 1}
    assert [row["title"] for row in client.get(URL, {"unread": 1}).json()["results"]] == ["请提交年度报告"]
    assert client.get(f"{URL}{newest.pk}/").json()["is_read"] is True
    assert client.post(f"{URL}mark-read/", {}, format="json").json() == {"marked": 1}
    assert client.get(f"{URL}unread/").json() == {"unread": 0}
    assert api_client(other_member).get(f"{URL}unread/").json() == {"unread": 1}


def test_api_users_cannot_read_or_mark_others_notifications(api_client, member, other_member):
    mine = services.notify([member], "new_match", "我的通知")[0]
    intruder = api_client(other_member)
    assert intruder.get(f"{URL}{mine.pk}/").status_code == 404
    assert intruder.get(URL).json()["count"] == 0
    assert intruder.post(f"{URL}mark-read/", {"ids": [mine.pk]}, format="json").json() == {"marked": 0}
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_administrators_do_not_read_other_peoples_notifications(api_client, member, admin):
    mine = services.notify([member], "new_match", "我的通知")[0]
    client = api_client(admin)
    assert client.get(URL).json()["count"] == 0
    assert client.get(f"{URL}{mine.pk}/").status_code == 404
    assert client.post(f"{URL}mark-read/", {"ids": [mine.pk]}, format="json").json() == {"marked": 0}
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_api_inbox_needs_an_account_and_is_read_only(api_client, member):
    mine = services.notify([member], "new_match", "我的通知")[0]
    anonymous = api_client()
    assert anonymous.get(URL).status_code in ANONYMOUS_REFUSED
    assert anonymous.get(f"{URL}unread/").status_code in ANONYMOUS_REFUSED
    assert anonymous.post(f"{URL}mark-read/", {}, format="json").status_code in ANONYMOUS_REFUSED
    assert Notification.objects.get(pk=mine.pk).read_at is None
    client = api_client(member)
    assert client.post(URL, {"kind": "x", "title": "伪造"}, format="json").status_code == 405
    assert client.delete(f"{URL}{mine.pk}/").status_code == 405
    assert Notification.objects.count() == 1
