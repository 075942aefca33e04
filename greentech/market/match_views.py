"""Matching on the listing pages: the "matching offers" of a need (and the owner's "matching needs" of an offer)
with their reasons, and the useful / not useful buttons (market.matching.give_feedback)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from greentech.core.permissions import Action, actor_for, can
from greentech.market import matching
from greentech.market.models import MatchFeedback, Need, Offer

logger = logging.getLogger(__name__)

PAGE_MATCHES = 8


def detail_context(user, listing) -> dict:
    """What the detail template's "matches" panel shows (nothing when the user may not see the matches)."""
    if not matching.may_see_matches(user, listing):
        return {"matches": None}
    try:
        suggestions = matching.matches_for(user, listing, top=PAGE_MATCHES)
    except Exception:  # noqa: BLE001 - the page works without its matches panel; the error is logged
        logger.exception("matching for %s failed", listing)
        return {"matches": None, "matches_error": True}
    rows = matching.explained(suggestions)
    is_need = isinstance(listing, Need)
    feedback = matching.feedback_of(user, need=listing) if is_need else matching.feedback_of(user, offer=listing)
    actor = actor_for(user)
    for row, suggestion in zip(rows, suggestions, strict=True):
        need, offer = (listing, suggestion.object) if is_need else (suggestion.object, listing)
        given = feedback.get((need.pk, offer.pk))
        row["feedback"] = None if given is None else given.useful
        row["need_id"], row["offer_id"] = need.pk, offer.pk
        # asked of MatchFeedback's policy for each of the user's organizations that is a side of the match
        row["can_feedback"] = any(
            can(user, Action.ADD, MatchFeedback(need=need, offer=offer, organization_id=organization, user=user))
            for organization in {need.organization_id, offer.organization_id} & actor.organization_ids
        )
    return {"matches": rows, "matches_of": "offers" if is_need else "needs"}


@login_required
@require_POST
def match_feedback(request):
    """The useful / not useful buttons of a match on a need's or an offer's page."""
    need = get_object_or_404(Need.objects.restrict(request.user, Action.VIEW), pk=request.POST.get("need") or 0)
    offer = get_object_or_404(Offer.objects.restrict(request.user, Action.VIEW), pk=request.POST.get("offer") or 0)
    useful = request.POST.get("useful")
    back = request.POST.get("next") or need.get_absolute_url()
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = need.get_absolute_url()
    try:
        if useful not in ("yes", "no"):
            raise ValidationError(_("Say whether the match is useful (yes or no)."))
        matching.give_feedback(request.user, need, offer, useful=useful == "yes", note=request.POST.get("note", ""))
        messages.success(request, _("Thank you: your feedback on this match is saved."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as denied:
        messages.error(request, str(denied) or _("You may not do this."))
    return redirect(back + "#matches")
