"""Who sees and changes the market.

Published offers and needs are public; the owning organization's people see and keep theirs in every status;
department officers see everything submitted (they review it, with administrators). An offer's details
follow its disclosure level (see `details_q`)."""

from django.db.models import Q

from greentech.core.permissions import Action, Policy, Role, actor_for, register
from greentech.market.models import (
    ListingEvent,
    ListingVector,
    Match,
    MatchFeedback,
    Need,
    Offer,
    OfferAttachment,
    Status,
    TermsAcceptance,
)

# the owner may change a listing until it is closed, expired or withdrawn; changing a published one sends it
# back to review (market.services.save_listing)
OWNER_CHANGEABLE = (Status.DRAFT, Status.SUBMITTED, Status.REJECTED, Status.PUBLISHED)


class ListingPolicy(Policy):
    def scope(self, actor, action):
        own = Q(organization__in=actor.organization_ids)
        if action == Action.VIEW:
            visible = Q(status=Status.PUBLISHED)
            if actor.organization_ids:
                visible |= own
            if Role.DEPARTMENT_OFFICER in actor.roles:
                visible |= ~Q(status=Status.DRAFT)
            return visible
        if action == Action.CHANGE and actor.organization_ids:
            return own & Q(status__in=OWNER_CHANGEABLE)
        if action == Action.REVIEW and Role.DEPARTMENT_OFFICER in actor.roles:
            return Q(status=Status.SUBMITTED)
        return False

    def can_add(self, actor, instance):
        return instance.organization_id is not None and instance.organization_id in actor.organization_ids


def details_q(actor, prefix: str = "") -> Q | bool:
    """The offers whose details (description, contact, attachments) `actor` may see."""
    if actor.is_admin or Role.DEPARTMENT_OFFICER in actor.roles:
        return True
    p = prefix
    published = Q(**{f"{p}status": Status.PUBLISHED})
    visible = published & Q(**{f"{p}disclosure": Offer.Disclosure.PUBLIC})
    if actor.organization_ids:
        visible |= Q(**{f"{p}organization__in": actor.organization_ids})
        visible |= published & Q(**{f"{p}disclosure": Offer.Disclosure.REGISTERED})
        visible |= published & Q(
            **{f"{p}disclosure": Offer.Disclosure.TERMS, f"{p}acceptances__organization__in": actor.organization_ids}
        )
    return visible


def details_visible(user, offer: Offer) -> bool:
    scope = details_q(actor_for(user))
    if scope is True:
        return True
    annotated = getattr(offer, DETAILS_VISIBLE, None)  # lists annotate it (OfferPolicy.with_field_visibility)
    if annotated is not None:
        return bool(annotated)
    return Offer.objects.filter(scope, pk=offer.pk).exists()


# the annotation market.queries.with_details_visible adds (kept equal to queries.DETAILS_VISIBLE, which imports us)
DETAILS_VISIBLE = "details_visible_for_user"
# an offer's details, shown by its disclosure level (details_q) on the detail page, in the API, history and exports
DETAIL_FIELDS = ("description", "contact_name", "contact_email", "contact_phone")


class OfferPolicy(ListingPolicy):
    restricted_fields = DETAIL_FIELDS

    def hidden_fields(self, actor, instance):
        return frozenset() if details_visible(actor.user, instance) else frozenset(DETAIL_FIELDS)

    def with_field_visibility(self, actor, queryset):
        from greentech.market import queries

        return queries.with_details_visible(queryset, actor.user)


class OfferAttachmentPolicy(Policy):
    """Attachments are part of an offer's details; its organization keeps them."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            return details_q(actor, "offer__")
        if action in (Action.CHANGE, Action.DELETE) and actor.organization_ids:
            return Q(offer__organization__in=actor.organization_ids)
        return False

    def can_add(self, actor, instance):
        return instance.offer_id is not None and instance.offer.organization_id in actor.organization_ids


class TermsAcceptancePolicy(Policy):
    """The accepting organization and the offer's owner see an acceptance; government roles too; it is a record,
    so nobody changes it. An organization's people accept on its behalf (market.services.accept_terms)."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            if Role.DEPARTMENT_OFFICER in actor.roles:
                return True
            if actor.organization_ids:
                return Q(organization__in=actor.organization_ids) | Q(offer__organization__in=actor.organization_ids)
        return False

    def can_add(self, actor, instance):
        return instance.organization_id in actor.organization_ids


register(Offer, OfferPolicy())


class ListingEventPolicy(Policy):
    """A listing's workflow events (with the reviewer's reasons): the owning organization and the reviewers
    (department officers) read them; only the workflow writes them, nobody changes them."""

    def scope(self, actor, action):
        if action != Action.VIEW:
            return False
        if Role.DEPARTMENT_OFFICER in actor.roles:
            return True
        if actor.organization_ids:
            return Q(offer__organization__in=actor.organization_ids) | Q(need__organization__in=actor.organization_ids)
        return False


register(Need, ListingPolicy())
register(OfferAttachment, OfferAttachmentPolicy())
register(TermsAcceptance, TermsAcceptancePolicy())
register(ListingEvent, ListingEventPolicy())


# --- matching (market.matching) ----------------------------------------------------------------------------------


class ListingVectorPolicy(Policy):
    """Vectors are the matcher's derived data: only the platform (and administrators) read or write them."""


class MatchPolicy(Policy):
    """A notified match: the need's and the offer's organizations see it, and the government roles; the matcher
    writes it (as the platform)."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            if Role.DEPARTMENT_OFFICER in actor.roles:
                return True
            if actor.organization_ids:
                return Q(need__organization__in=actor.organization_ids) | Q(
                    offer__organization__in=actor.organization_ids
                )
        return False


class MatchFeedbackPolicy(Policy):
    """Feedback on a match: the giver's organization and the government roles see it; its author changes it;
    a person gives it for one of their organizations that is a side of the match (MatchFeedback.clean)."""

    def scope(self, actor, action):
        if action == Action.VIEW:
            if Role.DEPARTMENT_OFFICER in actor.roles:
                return True
            if actor.organization_ids:
                return Q(organization__in=actor.organization_ids)
        if action == Action.CHANGE and actor.user is not None and actor.organization_ids:
            return Q(user=actor.user, organization__in=actor.organization_ids)
        return False

    def can_add(self, actor, instance):
        return (
            instance.organization_id is not None
            and instance.organization_id in actor.organization_ids
            and instance.user_id == getattr(actor.user, "pk", None)
        )


register(ListingVector, ListingVectorPolicy())
register(Match, MatchPolicy())
register(MatchFeedback, MatchFeedbackPolicy())
