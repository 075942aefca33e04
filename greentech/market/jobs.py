"""The technology market's background jobs (core.jobs): expiry, match notifications, listing vectors."""

from __future__ import annotations

import datetime

from greentech.core.jobs import job


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


@job("market.expire", schedule="10 0 * * *", description="Published offers past expiry and needs past deadline expire")
def expire(context, today: str | None = None) -> dict:
    from greentech.market.services import expire_listings

    return expire_listings(_date(today))


@job("market.notify_matches", retries=2, description="Tell both sides of the new matches of a published listing")
def notify_matches(context, kind: str, id: int) -> dict:
    from greentech.market import matching
    from greentech.market.models import Need, Offer

    model = {"offer": Offer, "need": Need}[kind]
    listing = model.objects.filter(pk=id).select_related("organization", "region").first()
    if listing is None:
        return {"matches": 0, "note": "listing gone"}
    return {"matches": matching.notify_matches(listing)}


@job("market.notify_all", description="Tell of new matches for every published listing (new pairs only)")
def notify_all(context) -> dict:
    from greentech.market import matching

    return matching.notify_all()


@job("market.index_vectors", schedule="40 * * * *", description="Compute missing or stale listing vectors")
def index_vectors(context) -> dict:
    from greentech.market import matching

    return matching.index_all()
