"""The market's write services: listings through their workflow, review, confidentiality terms, expiry.

Views, the API, imports and commands call these, so every step is permission-checked (core.permissions),
validated and in the history with who did it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from greentech.core import services
from greentech.core.permissions import SYSTEM, Action, actor_for, check
from greentech.market.events import ListingEventKind as Kind
from greentech.market.events import MarketNotice
from greentech.market.models import Listing, ListingEvent, Need, Offer, Status, TermsAcceptance

# fields an owner may change on a published listing without a new review (everything else is what the reviewer
# approved and the public sees)
UNREVIEWED_FIELDS = {"contact_name", "contact_email", "contact_phone", "expires_on", "deadline", "status"}


def needs_review(listing: Listing, changes: dict) -> bool:
    """Would these changes alter what the reviewer approved on a published listing?"""
    return listing.status == Status.PUBLISHED and any(
        name not in UNREVIEWED_FIELDS and getattr(listing, name) != value for name, value in changes.items()
    )


# the listing workflow: which statuses each step starts from, where it leads, the permission it needs
WORKFLOW = services.Workflow(
    events=ListingEvent,
    transitions=(
        services.Transition(
            Kind.SUBMITTED, (Status.DRAFT, Status.REJECTED), Status.SUBMITTED, label=_lazy("submit for review")
        ),
        services.Transition(
            Kind.RESUBMITTED, (Status.PUBLISHED,), Status.SUBMITTED, label=_lazy("send back to review")
        ),
        services.Transition(
            Kind.PUBLISHED, (Status.SUBMITTED,), Status.PUBLISHED, action=Action.REVIEW, label=_lazy("publish")
        ),
        services.Transition(
            Kind.RETURNED, (Status.SUBMITTED,), Status.REJECTED, action=Action.REVIEW, label=_lazy("return")
        ),
        services.Transition(
            Kind.WITHDRAWN,
            (Status.DRAFT, Status.SUBMITTED, Status.REJECTED, Status.PUBLISHED),
            Status.WITHDRAWN,
            label=_lazy("withdraw"),
        ),
        services.Transition(Kind.CLOSED, (Status.PUBLISHED,), Status.CLOSED, label=_lazy("close")),
        services.Transition(Kind.EXPIRED, (Status.PUBLISHED,), Status.EXPIRED, label=_lazy("expire")),
    ),
)

# status → the statuses it may move to (the pages and the import read it)
TRANSITIONS = {state: {step.target for step in WORKFLOW.available(state)} for state in Status}


def _many(listing: Listing, categories, inventors) -> dict:
    """The many-to-many values to set (None: leave as they are; inventors exist on offers only)."""
    many = {}
    if categories is not None:
        many["categories"] = categories
    if inventors is not None and isinstance(listing, Offer):
        many["inventors"] = inventors
    return many


def create_listing(user, listing: Listing, *, categories=None, inventors=None) -> Listing:
    """A new offer or need, as a draft of the user's organization."""
    listing.status = Status.DRAFT
    listing.created_by = services.account_of(user)
    return services.create(user, listing, many_to_many=_many(listing, categories, inventors))


def save_listing(user, listing: Listing, changes: dict, *, categories=None, inventors=None) -> Listing:
    """Change a listing; a change to what the reviewer approved sends a published listing back to review."""
    resubmit = needs_review(listing, changes)
    if categories is not None and listing.status == Status.PUBLISHED:
        resubmit = resubmit or {c.pk for c in categories} != set(listing.categories.values_list("pk", flat=True))
    many = _many(listing, categories, inventors)
    if not resubmit:
        return services.update(user, listing, changes, many_to_many=many)
    changed = sorted(name for name, value in changes.items() if getattr(listing, name) != value)
    with transaction.atomic():
        WORKFLOW.run(
            user,
            listing,
            Kind.RESUBMITTED,
            changes={name: value for name, value in changes.items() if name != "status"},
            many_to_many=many,
            parameters={"changed": changed + (["categories"] if "categories" in many else [])},
            check_after=True,
        )
        _notify_reviewers(listing)
    return listing


def submit(user, listing: Listing) -> Listing:
    """The owner sends a draft (or a returned listing) for review."""
    with transaction.atomic():
        WORKFLOW.run(user, listing, Kind.SUBMITTED)
        _notify_reviewers(listing)
    return listing


def review(user, listing: Listing, *, accept: bool, note: str = "") -> Listing:
    """A department officer or an administrator publishes a submitted listing or returns it with a reason."""
    check(user, Action.REVIEW, listing)
    if not accept and not note.strip():
        raise ValidationError({"review_note": _("Give the reason for returning the listing.")})
    now = timezone.now()
    changes = {"review_note": note.strip(), "reviewed_by": services.account_of(user), "reviewed_at": now}
    if accept:
        changes["published_at"] = now
    with transaction.atomic():
        WORKFLOW.run(user, listing, Kind.PUBLISHED if accept else Kind.RETURNED, changes=changes, reason=note.strip())
        _notify_owner(
            listing, MarketNotice.LISTING_PUBLISHED if accept else MarketNotice.LISTING_RETURNED, note.strip()
        )
    if accept:
        from greentech.market.matching import notify_after_publication

        notify_after_publication(listing)  # both sides of new matches are told, after the commit
    return listing


def withdraw(user, listing: Listing, reason: str = "") -> Listing:
    WORKFLOW.run(user, listing, Kind.WITHDRAWN, reason=reason)
    return listing


def close(user, listing: Listing, reason: str = "") -> Listing:
    WORKFLOW.run(user, listing, Kind.CLOSED, reason=reason)
    return listing


def expire_listings(today: datetime.date | None = None) -> dict[str, int]:
    """Published offers past their expiry date and needs past their deadline become expired (a job:
    `greentech market expire`); owners are told."""
    today = today or timezone.localdate()
    counts = {}
    for model, field in ((Offer, "expires_on"), (Need, "deadline")):
        due = list(model.objects.filter(status=Status.PUBLISHED, **{f"{field}__lt": today}))
        for listing in due:
            date = getattr(listing, field)
            with transaction.atomic():  # expired and told together: a re-run after a crash finds neither undone
                WORKFLOW.run(SYSTEM, listing, Kind.EXPIRED, parameters={field: date})
                _notify_owner(listing, MarketNotice.LISTING_EXPIRED, once=f"{listing.reference}:{date:%Y-%m-%d}")
        counts[model._meta.model_name] = len(due)
    return counts


def accept_terms(user, offer: Offer, organization) -> TermsAcceptance:
    """An organization's person accepts the offer's confidentiality terms on its behalf (recorded with the
    terms as they are now); accepting again changes nothing."""
    if offer.status != Status.PUBLISHED or offer.disclosure != Offer.Disclosure.TERMS:
        raise ValidationError(_("This offer asks for no confidentiality terms."))
    existing = TermsAcceptance.objects.filter(offer=offer, organization=organization).first()
    if existing is not None:
        if organization.pk not in actor_for(user).organization_ids:
            raise PermissionDenied(_("You may only accept terms for your own organization."))
        return existing
    acceptance = TermsAcceptance(offer=offer, organization=organization, user=user, terms=offer.confidentiality_terms)
    return services.create(user, acceptance, reason="confidentiality terms accepted")


def suggest_categories(listing: Listing, *, limit: int = 3):
    """Green catalogue items the classification service suggests for the listing's text (the owner confirms)."""
    from greentech.classification.services import CATALOGUE, classify_one
    from greentech.taxonomy.models import Category

    if isinstance(listing, Offer):
        text = " ".join(part for part in (listing.summary, listing.application_fields) if part)
        codes = listing.codes
    else:
        text, codes = " ".join(part for part in (listing.problem, listing.constraints) if part), ""
    result = classify_one(title=listing.title, text=text, ipc=codes)
    if not result.green:
        return []
    wanted = [c.code for c in result.categories if c.scheme == CATALOGUE][:limit]
    found = {c.code: c for c in Category.objects.filter(scheme__slug=CATALOGUE, code__in=wanted)}
    return [found[code] for code in wanted if code in found]


def _notify_owner(listing: Listing, kind: str, body: str = "", *, once: str | None = None) -> None:
    from greentech.accounts.services import holders
    from greentech.inbox.services import notify

    recipients = list(holders(organization=listing.organization))
    if listing.created_by_id:
        recipients.append(listing.created_by)
    notify(
        recipients,
        kind,
        body=body,
        parameters={"title": listing.title},
        link=listing.get_absolute_url(),
        target=listing,
        once=once,
    )


def _notify_reviewers(listing: Listing) -> None:
    from greentech.accounts.services import holders
    from greentech.core.permissions import Role
    from greentech.inbox.kinds import translatable
    from greentech.inbox.services import notify

    notify(
        holders(Role.ADMIN, Role.DEPARTMENT_OFFICER, superusers=True),
        MarketNotice.LISTING_SUBMITTED,
        parameters={
            "title": listing.title,
            "organization": str(listing.organization),
            "kind": translatable(listing._meta.verbose_name),
        },
        link=listing.get_absolute_url(),
        target=listing,
    )
