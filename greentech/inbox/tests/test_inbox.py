"""The inbox: `notify` posts, the recipient (and only the recipient) reads and marks as read."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.utils import translation

from greentech.inbox import kinds, services
from greentech.inbox.models import Notification
from greentech.market.events import MarketNotice
from greentech.market.models import Offer
from greentech.testing import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications/"
ANONYMOUS_REFUSED = {401, 403}


class ExampleKind(models.TextChoices):
    """Kinds with literal titles, for these tests only."""

    NEW_MATCH = "new_match", "new match"
    REPORT_DUE = "report_due", "report due"
    A = "a", "a"
    B = "b", "b"
    C = "c", "c"


kinds.register(ExampleKind)


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


# --- kinds and messages in the reader's language ------------------------------------------------------------------


def test_an_unknown_kind_is_refused_and_writes_nothing(member):
    with pytest.raises(ValueError, match="unknown notification kind"):
        services.notify([member], "listing_publihsed", "拼错的类型")
    assert not Notification.objects.exists()


def test_a_kind_with_a_message_is_rendered_in_the_readers_language(api_client, member, member_org):
    services.notify(
        [member],
        MarketNotice.LISTING_SUBMITTED,
        parameters={
            "title": "余热回收",
            "organization": "沈阳某公司",
            "kind": kinds.translatable(Offer._meta.verbose_name),
        },
        target=member_org,
    )
    stored = Notification.objects.get(recipient=member)
    assert (stored.title_text, stored.title_message) == ("", "To review: %(title)s")
    assert stored.parameters["kind"] == {"message": "technology offer"}
    with translation.override("en"):
        assert (stored.title, stored.body, stored.kind_label) == (
            "To review: 余热回收",
            "沈阳某公司 · technology offer",
            "listing to review",
        )
    with translation.override("zh-hans"):
        assert stored.title == "待审核：余热回收"
        assert stored.body == "沈阳某公司 · 技术成果"
    client = api_client(member)
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    chinese = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert (english["title"], english["body"]) == ("To review: 余热回收", "沈阳某公司 · technology offer")
    assert (chinese["title"], chinese["body"]) == ("待审核：余热回收", "沈阳某公司 · 技术成果")


def test_the_inbox_page_renders_titles_in_the_readers_language(client, member):
    services.notify([member], MarketNotice.LISTING_EXPIRED, parameters={"title": "钢渣利用"})
    client.force_login(member)
    assert "已过期：钢渣利用" in client.get("/inbox/").content.decode()
    client.cookies["django_language"] = "en"
    assert "Expired: 钢渣利用" in client.get("/inbox/").content.decode()


def test_old_rows_and_literal_titles_are_shown_as_they_are(member):
    """Rows from before messages were stored keep their bilingual text (the migration renamed the columns)."""
    old = Notification.objects.create(recipient=member, kind="listing_published", title="已发布 / published: 旧")
    with translation.override("en"):
        assert Notification.objects.get(pk=old.pk).title == "已发布 / published: 旧"


def test_a_message_that_does_not_fit_its_parameters_is_shown_untranslated(member):
    services.notify([member], MarketNotice.LISTING_EXPIRED, parameters={"wrong": "x"})
    assert Notification.objects.get(recipient=member).title == "Expired: %(title)s"


# --- told once ----------------------------------------------------------------------------------------------------


def test_once_tells_each_recipient_once_per_kind_and_key(member, other_member):
    first = services.notify([member], ExampleKind.NEW_MATCH, "第一次", once="pair:1:2")
    again = services.notify([member, other_member], ExampleKind.NEW_MATCH, "第二次", once="pair:1:2")
    assert [n.recipient for n in first] == [member] and first[0].pk is not None
    assert [n.recipient for n in again] == [other_member]  # only the one not told yet
    assert services.notify([member, other_member], ExampleKind.NEW_MATCH, "第三次", once="pair:1:2") == []
    assert len(services.notify([member], ExampleKind.NEW_MATCH, "另一对", once="pair:1:3")) == 1
    assert len(services.notify([member], ExampleKind.REPORT_DUE, "另一类型", once="pair:1:2")) == 1
    assert len(services.notify([member], ExampleKind.NEW_MATCH, "没有键")) == 1
    assert len(services.notify([member], ExampleKind.NEW_MATCH, "没有键")) == 1  # without a key: every time
    assert Notification.objects.filter(recipient=member, kind="new_match", once_key="pair:1:2").count() == 1
    assert Notification.objects.get(recipient=member, kind="new_match", once_key="pair:1:2").title == "第一次"


def test_the_database_refuses_a_second_notice_with_the_same_key(member):
    services.notify([member], ExampleKind.NEW_MATCH, "第一次", once="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=member, kind="new_match", title="重复", once_key="k")


def test_a_writer_that_got_there_first_is_absorbed_by_the_constraint(member, other_member, monkeypatch):
    """Another worker told `member` between our look-up and our insert: the constraint refuses that row only."""
    Notification.objects.create(recipient=member, kind="new_match", title="另一个进程", once_key="k")
    real_filter = Notification.objects.filter

    def nobody_told_yet(*args, **kwargs):
        if kwargs.get("once_key") == "k" and "recipient_id__in" in kwargs:
            return real_filter(pk__in=[])
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Notification.objects, "filter", nobody_told_yet)
    written = services.notify([member, other_member], ExampleKind.NEW_MATCH, "本进程", once="k")
    monkeypatch.undo()
    assert [n.recipient for n in written] == [other_member]
    assert list(Notification.objects.filter(once_key="k").order_by("pk").values_list("title_text", flat=True)) == [
        "另一个进程",
        "本进程",
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two concurrent transactions need PostgreSQL")
def test_two_concurrent_workers_tell_once(django_user_model):
    """Worker one has written but not committed; worker two's insert waits for it, then the constraint refuses."""
    user = django_user_model.objects.create_user("concurrent", password="x")
    written_by = {}
    inserted = threading.Event()

    def worker(name, hold):
        from django.db import connection as own

        try:
            with transaction.atomic():
                written_by[name] = services.notify([user], ExampleKind.NEW_MATCH, name, once="race")
                if hold:
                    inserted.set()
                    threading.Event().wait(0.5)
        finally:
            own.close()

    one = threading.Thread(target=worker, args=("one", True))
    one.start()
    inserted.wait(5)
    two = threading.Thread(target=worker, args=("two", False))
    two.start()
    one.join(10)
    two.join(10)
    assert len(written_by["one"]) == 1 and written_by["two"] == []
    assert list(Notification.objects.filter(once_key="race").values_list("title_text", flat=True)) == ["one"]
