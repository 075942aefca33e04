"""Post to and read the inbox. Modules call `notify`; the portal and the API call the readers."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from greentech.inbox import kinds
from greentech.inbox.models import Notification

ONCE_KEY_LENGTH = Notification._meta.get_field("once_key").max_length


def notify(
    recipients: Iterable,
    kind: str,
    title: str = "",
    body: str = "",
    *,
    link: str = "",
    target=None,
    parameters: dict | None = None,
    once: str | None = None,
) -> list[Notification]:
    """Post one notification of `kind` to each recipient (users; duplicates and inactive users are skipped) and
    return the notifications written.

    `kind` is a registered kind (an app's `events.py`, `inbox.kinds.register`). Its message's title (and body, if
    it has one) is stored as the msgid with `parameters` and rendered in the reader's language when shown; a
    `title` given is literal text instead (free text), a `body` given is literal text shown after the rendered one
    (a reviewer's note). `once`: tell each recipient at most once of this kind with this key (e.g. the deliverable
    and the warning's period): a second call writes nothing for those already told, whether it comes from the same
    job run again after a crash or from another worker at the same time, because a unique constraint in the
    database decides.
    """
    message = kinds.get(kind).message
    if not title and not message.title:
        raise ValueError(f"notification kind {kind!r} has no title message: give a title")
    target_type = ContentType.objects.get_for_model(target) if target is not None else None
    target_id = str(target.pk) if target is not None else ""
    once_key = None if once is None else str(once)[:ONCE_KEY_LENGTH]
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                recipient=user,
                kind=str(kind),
                title_text=title[:200],
                body_text=body or "",
                title_message="" if title else message.title,
                body_message=message.body,
                parameters=parameters or {},
                once_key=once_key,
                link=link,
                target_type=target_type,
                target_id=target_id,
            )
        )
    if once_key is None:
        return Notification.objects.bulk_create(rows)
    return _post_once(rows, str(kind), once_key)


def _post_once(rows: list[Notification], kind: str, key: str) -> list[Notification]:
    """Write the rows whose recipient has not been told (kind, key) yet. The common case (a re-run: all told) is one
    query; the rest is one insert, and only if another writer got there in between, one insert per row, each in
    its savepoint, where the unique constraint refuses the ones already told."""
    told = set(
        Notification.objects.filter(
            kind=kind, once_key=key, recipient_id__in=[row.recipient_id for row in rows]
        ).values_list("recipient_id", flat=True)
    )
    rows = [row for row in rows if row.recipient_id not in told]
    if not rows:
        return []
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        pass
    written = []
    for row in rows:
        row.pk = None
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            if not Notification.objects.filter(recipient_id=row.recipient_id, kind=kind, once_key=key).exists():
                raise  # some other constraint: not "already told"
            continue
        written.append(row)
    return written


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
