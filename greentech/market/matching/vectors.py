"""Matching: listings as profiles, and their stored sentence vectors (`ListingVector`, recomputed when the text
changes)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.utils import timezone

from greentech.market.matching.ranking import Profile

EMBEDDER = "use"


def embedder():
    from greentech.core.embeddings import get_embedder

    return get_embedder(EMBEDDER)


def encode(texts: list[str]) -> np.ndarray:
    return embedder().encode(texts)


def _kind_of(listing) -> str:
    from greentech.market.models import Offer

    return "offers" if isinstance(listing, Offer) else "needs"


def listing_text(listing) -> tuple[str, str]:
    """(title, text) of a listing as the matcher reads it: an offer's summary and application fields, a need's
    problem and constraints (the public parts: details under disclosure are never used)."""
    from greentech.market.models import Offer

    if isinstance(listing, Offer):
        parts = (listing.summary, listing.application_fields)
    else:
        parts = (listing.problem, listing.constraints)
    return listing.title, "\n".join(part for part in parts if part)


def text_hash(title: str, text: str) -> str:
    return hashlib.sha256(f"{EMBEDDER}\x1f{title}\x1f{text}".encode()).hexdigest()[:32]


def _city_code(region) -> str:
    if region is None:
        return ""
    city = region.city()
    return city.code if city is not None else ""


def profile_of(listing, categories: Iterable[str] | None = None) -> Profile:
    from greentech.market.models import Offer

    title, text = listing_text(listing)
    if categories is None:
        categories = [f"{c.scheme.slug}:{c.code}" for c in listing.categories.select_related("scheme")]
    is_offer = isinstance(listing, Offer)
    return Profile(
        key=listing.pk,
        title=title,
        text=text,
        categories=frozenset(categories),
        readiness=listing.readiness if is_offer else None,
        min_readiness=None if is_offer else listing.min_readiness,
        city=_city_code(listing.region),
        organization=listing.organization_id,
        language=listing.language,
    )


def ensure_vectors(listings: list, *, batch: int = 512) -> dict:
    """The vectors of these listings (pk → vector), computing and storing those missing or stale (text changed)."""
    from greentech.market.models import ListingVector

    if not listings:
        return {}
    kind = _kind_of(listings[0])
    field_name = "offer" if kind == "offers" else "need"
    stored = {
        row[f"{field_name}_id"]: row
        for row in ListingVector.objects.filter(
            **{f"{field_name}_id__in": [listing.pk for listing in listings]}, embedder=EMBEDDER
        ).values("pk", f"{field_name}_id", "text_hash", "vector")
    }
    result, stale = {}, []
    for listing in listings:
        digest = text_hash(*listing_text(listing))
        row = stored.get(listing.pk)
        if row is not None and row["text_hash"] == digest:
            result[listing.pk] = np.frombuffer(bytes(row["vector"]), dtype=np.float32)
        else:
            stale.append((listing, digest, row))
    for start in range(0, len(stale), batch):
        chunk = stale[start : start + batch]
        vectors = encode([f"{title}\n{text}".strip() for title, text in (listing_text(item[0]) for item in chunk)])
        new, changed = [], []
        for (listing, digest, row), vector in zip(chunk, vectors, strict=True):
            result[listing.pk] = vector
            if row is None:
                new.append(
                    ListingVector(**{field_name: listing}, embedder=EMBEDDER, text_hash=digest, vector=vector.tobytes())
                )
            else:
                changed.append(ListingVector(pk=row["pk"], text_hash=digest, vector=vector.tobytes()))
        # derived data, like a search-index row: bulk writes without the audit trail
        with transaction.atomic():
            ListingVector.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
            now = timezone.now()
            for item in changed:
                item.updated = now
            ListingVector.objects.bulk_update(changed, ["text_hash", "vector", "updated"], batch_size=500)
    from greentech.market.matching.corpora import _invalidate  # the corpora are built from these vectors

    _invalidate()
    return result
