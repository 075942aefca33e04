"""Matching: the corpora of published listings, kept in the process and rebuilt when the listings change."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max

from greentech.market.matching.ranking import Corpus
from greentech.market.matching.vectors import EMBEDDER, ensure_vectors, profile_of

logger = logging.getLogger(__name__)

# how often a process looks whether the published listings changed (changes in the process itself are seen at once)
CHECK_SECONDS = 5.0


@dataclass
class _Cached:
    signature: tuple
    checked: float
    corpus: Corpus


_corpora: dict[str, _Cached] = {}
_lock = threading.Lock()
_dirty: set[str] = set()
_rebuilding: set[str] = set()
# a corpus at least this large is rebuilt in the background (smaller ones in well under a second, in place)
BACKGROUND_REBUILD_SIZE = 5000


def _invalidate(kind: str | None = None) -> None:
    _dirty.update([kind] if kind else ["offers", "needs"])


def _model(kind: str):
    from greentech.market.models import Need, Offer

    return {"offers": Offer, "needs": Need}[kind]


def _published(kind: str):
    from greentech.market.models import Status

    return _model(kind).objects.filter(status=Status.PUBLISHED)


def _signature(kind: str) -> tuple:
    """Changes when a published listing of `kind` is added, changed or leaves publication (taken before a build,
    so a change during the build triggers another one; vectors follow their listings' texts)."""
    listings = _published(kind).aggregate(count=Count("pk"), last=Max("updated"))
    return listings["count"], listings["last"]


def _build(kind: str) -> Corpus:
    model = _model(kind)
    listings = list(_published(kind).select_related("region__parent").order_by("pk"))
    through = model.categories.through
    owner = f"{model._meta.model_name}_id"
    categories: dict[int, list[str]] = {}
    for pk, scheme, code in through.objects.filter(**{f"{owner}__in": [x.pk for x in listings]}).values_list(
        owner, "category__scheme__slug", "category__code"
    ):
        categories.setdefault(pk, []).append(f"{scheme}:{code}")
    vectors = ensure_vectors(listings) if listings else {}
    profiles = [profile_of(listing, categories.get(listing.pk, [])) for listing in listings]
    if not profiles:
        from greentech.core.embeddings import BACKENDS

        return Corpus([], np.zeros((0, BACKENDS[EMBEDDER].dimension), np.float32))
    matrix = np.vstack([vectors[p.key] for p in profiles])
    return Corpus(profiles, matrix)


def corpus(kind: str) -> Corpus:
    """The published listings of `kind` ('offers' or 'needs') as a ranked-search corpus, rebuilt when they
    changed (seen at once in this process, within CHECK_SECONDS in others). A large corpus is rebuilt in a
    background thread while requests keep ranking on the previous one (a rebuild takes seconds at 100,000)."""
    with _lock:
        cached = _corpora.get(kind)
        now = time.monotonic()
        if cached is not None and kind not in _dirty and now - cached.checked < CHECK_SECONDS:
            return cached.corpus
        _dirty.discard(kind)
        signature = _signature(kind)
        if cached is not None and cached.signature == signature:
            cached.checked = now
            return cached.corpus
        if cached is not None and len(cached.corpus) >= BACKGROUND_REBUILD_SIZE:
            cached.checked = now
            if kind not in _rebuilding:
                _rebuilding.add(kind)
                threading.Thread(target=_rebuild, args=(kind, signature), daemon=True, name=f"match-{kind}").start()
            return cached.corpus
        built = _build(kind)
        _corpora[kind] = _Cached(signature, time.monotonic(), built)
        return built


def _rebuild(kind: str, signature: tuple) -> None:
    from django.db import connection

    try:
        built = _build(kind)
        with _lock:
            _corpora[kind] = _Cached(signature, time.monotonic(), built)
    except Exception:  # noqa: BLE001 - the previous corpus stays in use; the next change retries
        logger.exception("rebuilding the %s matching corpus failed", kind)
    finally:
        with _lock:
            _rebuilding.discard(kind)
        connection.close()  # this thread's own database connection


def _listing_changed(sender, **kwargs):
    _invalidate()


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_save

    from greentech.market.models import Need, Offer

    for model in (Offer, Need):
        post_save.connect(_listing_changed, sender=model, weak=False, dispatch_uid=f"matching-{model.__name__}")
        m2m_changed.connect(
            _listing_changed, sender=model.categories.through, weak=False, dispatch_uid=f"matching-{model.__name__}-c"
        )
