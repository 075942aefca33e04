"""Renderings cached across requests and app servers, kept fresh by the database.

A *topic* (e.g. "market") names the models a rendering is made of. Every save, delete or many-to-many change of
one of them gives the topic a new random stamp (table core_topicstamp), in the same transaction as the change,
so a change that rolls back leaves the stamp as it was. A cached rendering's key carries the stamp the request
read (one row by primary key), so each app server sees a change at its next request, whatever cache backend the
settings choose (per-process memory here; a shared backend would work unchanged). Stamps are
random rather than counted so that a database restored or rolled back to an earlier state never meets a
rendering cached for different data under the same number. TIMEOUT bounds the life of every entry in any case:
writes that bypass the ORM's signals (raw SQL bulk loads such as `greentech bench market`) are seen at the
latest after it.

Only what is the same for everyone asking may be cached this way (the pages and API lists of anonymous
visitors); the permission mechanism still runs for every request, and the rendering is made by the same code.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

TIMEOUT = 300  # seconds
_topics: dict[str, list] = {}


def enabled() -> bool:
    return getattr(settings, "GREENTECH_RENDER_CACHE", True)


def watch(topic: str, *models) -> None:
    """Give `topic` a new stamp whenever one of `models` (models or many-to-many through tables) changes."""
    _topics.setdefault(topic, [])
    for model in models:
        if model in _topics[topic]:
            continue
        _topics[topic].append(model)
        uid = f"freshness-{topic}-{model._meta.label_lower}"
        post_save.connect(_changed(topic), sender=model, weak=False, dispatch_uid=uid + "-save")
        post_delete.connect(_changed(topic), sender=model, weak=False, dispatch_uid=uid + "-delete")
        if model._meta.auto_created:  # a through table: its rows change by m2m_changed, not by save()
            m2m_changed.connect(_changed(topic), sender=model, weak=False, dispatch_uid=uid + "-m2m")


def _changed(topic: str):
    def receiver(sender, raw=False, action=None, **kwargs):
        if raw or (action is not None and not action.startswith("post_")):
            return
        bump(topic)

    return receiver


def bump(topic: str) -> int:
    """A new stamp for `topic` (inside the caller's transaction, if any)."""
    from greentech.core.models import TopicStamp

    stamp = secrets.randbits(62)
    if not TopicStamp.objects.filter(name=topic).update(stamp=stamp):
        try:
            with transaction.atomic():
                TopicStamp.objects.create(name=topic, stamp=stamp)
        except IntegrityError:  # created meanwhile by another request
            TopicStamp.objects.filter(name=topic).update(stamp=stamp)
    return stamp


def stamp(topic: str) -> int:
    """The topic's current stamp: one primary-key read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT stamp FROM core_topicstamp WHERE name = %s", [topic])
        row = cursor.fetchone()
    return row[0] if row else 0


def cached(topic: str, parts: tuple, make: Callable[[], object], *, timeout: int = TIMEOUT):
    """The value `make()` returns, cached under `parts` (everything the value depends on besides the topic's
    data: the path and query, the language, ...) and the topic's current stamp."""
    if not enabled():
        return make()
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"fresh:{topic}:{stamp(topic)}:{digest}"
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, timeout)
    return value
