"""Matching: notifying both organizations of a new match, the batch commands, and people's feedback."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greentech.market.matching.corpora import _model, _published
from greentech.market.matching.ranking import Suggestion
from greentech.market.matching.suggestions import as_dict, category_names, matches_for
from greentech.market.matching.vectors import ensure_vectors

logger = logging.getLogger(__name__)

# both sides are told of a match scoring at least this, by whether the two texts are in the same language (a
# cross-language pair has no lexical signal, so its scores run lower): on the dev split, 0.70 of the
# same-language and 0.74 of the cross-language pairs notified are correct (docs/MATCHING.md)
NOTIFY_THRESHOLD = 1.1
NOTIFY_THRESHOLD_CROSS_LANGUAGE = 1.0
NOTIFY_TOP = 10


def _pair(listing, other):
    from greentech.market.models import Offer

    return (other, listing) if isinstance(listing, Offer) else (listing, other)


def notify_threshold(suggestion: Suggestion) -> float:
    return NOTIFY_THRESHOLD_CROSS_LANGUAGE if suggestion.cross_language else NOTIFY_THRESHOLD


def notify_matches(listing, *, top: int = NOTIFY_TOP) -> int:
    """Tell both organizations of each new match of a published listing scoring at least its threshold (once per
    pair: notified pairs are kept as `Match` rows). Returns the number of new matches."""
    from greentech.accounts.services import holders
    from greentech.core import audit, services
    from greentech.core.permissions import SYSTEM
    from greentech.inbox.kinds import translatable
    from greentech.inbox.services import notify
    from greentech.market.models import Match, Status

    if listing.status != Status.PUBLISHED:
        return 0
    suggestions = [s for s in matches_for(SYSTEM, listing, top=top) if s.score >= notify_threshold(s)]
    if not suggestions:
        return 0
    names = category_names({c for s in suggestions for c in s.shared_categories})
    new = 0
    for suggestion in suggestions:
        need, offer = _pair(listing, suggestion.object)
        if Match.objects.filter(need=need, offer=offer).exists():
            continue
        reasons = as_dict(suggestion, names)
        reasons = {key: reasons[key] for key in ("shared_categories", "shared_terms", "parts")}
        with transaction.atomic(), audit.acting_as(None, audit.Source.JOB):
            match = services.create(
                SYSTEM,
                Match(
                    need=need,
                    offer=offer,
                    score=suggestion.score,
                    similarity=suggestion.similarity,
                    reasons=reasons,
                    notified_at=timezone.now(),
                ),
                reason="match notified",
            )
            why = _reason_line(reasons)
            for own, other in ((need, offer), (offer, need)):  # each side is told of the other listing
                notify(
                    holders(organization=own.organization),
                    "match_found",
                    body=f"{own.title} ↔ {other.title} ({other.organization}) · {why}",
                    link=own.get_absolute_url() + "#matches",
                    target=match,
                    parameters={"what": translatable(other._meta.verbose_name), "title": other.title},
                    once=f"match:{need.pk}:{offer.pk}:{own._meta.model_name}",
                )
        new += 1
    return new


def _reason_line(reasons: dict) -> str:
    parts = []
    names = [c["name"] or c["code"] for c in reasons.get("shared_categories", [])]
    if names:
        parts.append("类别 / categories: " + "、".join(names[:3]))
    if reasons.get("shared_terms"):
        parts.append("关键词 / terms: " + "、".join(reasons["shared_terms"][:5]))
    return "; ".join(parts)


def notify_after_publication(listing) -> None:
    """Queue the `market.notify_matches` job for a listing just published: it runs once the publishing transaction
    is committed, on a worker (the review answers without waiting for the matcher); a failure of the matcher is
    retried by the job system and never undoes the publication. One job per publication (keyed by its time)."""
    from greentech.core import jobs

    kind = listing._meta.model_name
    stamp = listing.published_at.isoformat() if listing.published_at else "unpublished"
    jobs.enqueue(
        "market.notify_matches",
        key=f"market.notify_matches:{kind}:{listing.pk}:{stamp}",
        params={"kind": kind, "id": listing.pk},
    )


def notify_all(*, top: int = NOTIFY_TOP) -> dict[str, int]:
    """`greentech match notify`: run the notification for every published need and offer (new pairs only)."""
    counts = {"needs": 0, "offers": 0, "matches": 0}
    for kind in ("needs", "offers"):
        for listing in _published(kind).select_related("organization", "region").order_by("pk"):
            counts[kind] += 1
            counts["matches"] += notify_matches(listing, top=top)
    return counts


def index_all() -> dict[str, int]:
    """`greentech match index`: compute the missing or stale vectors of every listing."""
    counts = {}
    for kind in ("offers", "needs"):
        listings = list(_model(kind).objects.order_by("pk"))
        counts[kind] = len(ensure_vectors(listings))
    return counts


def give_feedback(user, need, offer, *, useful: bool, note: str = "", organization=None):
    """A person of the need's or the offer's organization marks the match useful or not (changing their mind
    updates their feedback; the history keeps every version)."""
    from greentech.core import services
    from greentech.core.permissions import Action, actor_for, check
    from greentech.market.models import MatchFeedback
    from greentech.registry.models import Organization

    check(user, Action.VIEW, need)
    check(user, Action.VIEW, offer)
    actor = actor_for(user)
    sides = [need.organization_id, offer.organization_id]
    if organization is None:
        mine = [pk for pk in sides if pk in actor.organization_ids]
        if not mine:
            raise PermissionDenied(
                _("Only people of the need's or the offer's organization give feedback on this match.")
            )
        organization = Organization.objects.get(pk=mine[0])
    note = (note or "").strip()
    existing = MatchFeedback.objects.filter(need=need, offer=offer, user=user).first()
    if existing is not None:
        return services.update(user, existing, {"useful": bool(useful), "note": note, "organization": organization})
    return services.create(
        user,
        MatchFeedback(need=need, offer=offer, user=user, organization=organization, useful=bool(useful), note=note),
        reason="match feedback",
    )


def feedback_of(user, need=None, offer=None) -> dict:
    """The user's own feedback on the matches of a need or an offer: (need pk, offer pk) → MatchFeedback."""
    from greentech.market.models import MatchFeedback

    if not getattr(user, "is_authenticated", False):
        return {}
    queryset = MatchFeedback.objects.restrict(user).filter(user=user)
    if need is not None:
        queryset = queryset.filter(need=need)
    if offer is not None:
        queryset = queryset.filter(offer=offer)
    return {(f.need_id, f.offer_id): f for f in queryset}
