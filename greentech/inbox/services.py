"""Post to and read the inbox. Modules call `notify`; the portal and the API call the readers."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from greentech.inbox.models import Notification


def notify(recipients: Iterable, kind: str, title: str, body: str = "", *, link: str = "", target=None) -> list:
    """Post one notification to each recipient (users; duplicates and inactive users are skipped)."""
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None else ""
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                title=title[:200],
                body=body,
                link=link,
                target_type=target_type,
                target_id=target_id,
            )
        )
    return Notification.objects.bulk_create(rows)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.restrict(user).filter(read_at__isnull=True).count()


def mark_read(user, notifications=None) -> int:
    """Mark the user's notifications (all unread ones when none are given) as read; returns how many."""
    queryset = Notification.objects.restrict(user, "change").filter(read_at__isnull=True)
    if notifications is not None:
        queryset = queryset.filter(pk__in=[n.pk if hasattr(n, "pk") else n for n in notifications])
    return queryset.update(read_at=timezone.now())
