"""The market's write services: listings through their workflow, review, confidentiality terms, expiry.

Views, the API, imports and commands call these, so every step is permission-checked (core.permissions),
validated and in the history with who did it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from greentech.core import audit, services
from greentech.core.permissions import SYSTEM, Action, actor_for, check
from greentech.market.models import Listing, Need, Offer, Status, TermsAcceptance

# fields an owner may change on a published listing without a new review (everything else is what the reviewer
# approved and the public sees)
UNREVIEWED_FIELDS = {"contact_name", "contact_email", "contact_phone", "expires_on", "deadline", "status"}


def needs_review(listing: Listing, changes: dict) -> bool:
    """Would these changes alter what the reviewer approved on a published listing?"""
    return listing.status == Status.PUBLISHED and any(
        name not in UNREVIEWED_FIELDS and getattr(listing, name) != value for name, value in changes.items()
    )


# allowed transitions: status → statuses it may move to
TRANSITIONS = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.PUBLISHED, Status.REJECTED, Status.WITHDRAWN},
    Status.REJECTED: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.PUBLISHED: {Status.SUBMITTED, Status.CLOSED, Status.WITHDRAWN, Status.EXPIRED},
    Status.CLOSED: set(),
    Status.EXPIRED: set(),
    Status.WITHDRAWN: set(),
}


def _move(listing: Listing, target: str) -> None:
    if target not in TRANSITIONS[Status(listing.status)]:
        raise ValidationError(
            _("A listing that is “%(current)s” cannot become “%(target)s”.")
            % {"current": Status(listing.status).label, "target": Status(target).label}
        )


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
    if resubmit:
        changes = {**changes, "status": Status.SUBMITTED}
    many = _many(listing, categories, inventors)
    services.update(user, listing, changes, many_to_many=many, reason="resubmitted after a change" if resubmit else "")
    if resubmit:
        _notify_reviewers(listing)
    return listing


def _transition(user, listing: Listing, target: str, *, action=Action.CHANGE, reason: str, **changes) -> Listing:
    """Move a listing to `target` if the user may (`action` on the listing as it is) and the workflow allows."""
    check(user, action, listing)
    _move(listing, target)
    with transaction.atomic(), audit.acting_as(user):
        listing.status = target
        for name, value in changes.items():
            setattr(listing, name, value)
        listing.full_clean()
        listing._change_reason = reason
        listing.save()
    return listing


def submit(user, listing: Listing) -> Listing:
    """The owner sends a draft (or a returned listing) for review."""
    _transition(user, listing, Status.SUBMITTED, reason="submitted for review")
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
    _transition(
        user,
        listing,
        Status.PUBLISHED if accept else Status.REJECTED,
        action=Action.REVIEW,
        reason="published" if accept else "returned by the reviewer",
        **changes,
    )
    _notify_owner(
        listing,
        "listing_published" if accept else "listing_returned",
        ("已发布 / published: " if accept else "已退回 / returned: ") + listing.title,
        note,
    )
    if accept:
        from greentech.market.matching import notify_after_publication

        notify_after_publication(listing)  # both sides of new matches are told, after the commit
    return listing


def withdraw(user, listing: Listing, reason: str = "") -> Listing:
    return _transition(user, listing, Status.WITHDRAWN, reason=reason or "withdrawn by the owner")


def close(user, listing: Listing, reason: str = "") -> Listing:
    return _transition(user, listing, Status.CLOSED, reason=reason or "closed by the owner")


def expire_listings(today: datetime.date | None = None) -> dict[str, int]:
    """Published offers past their expiry date and needs past their deadline become expired (a job:
    `greentech market expire`); owners are told."""
    today = today or timezone.localdate()
    counts = {}
    for model, field in ((Offer, "expires_on"), (Need, "deadline")):
        due = list(model.objects.filter(status=Status.PUBLISHED, **{f"{field}__lt": today}))
        for listing in due:
            _transition(SYSTEM, listing, Status.EXPIRED, reason=f"{field} passed")
            _notify_owner(listing, "listing_expired", "已过期 / expired: " + listing.title, "")
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


def _notify_owner(listing: Listing, kind: str, title: str, body: str) -> None:
    from greentech.accounts.services import holders
    from greentech.inbox.services import notify

    recipients = list(holders(organization=listing.organization))
    if listing.created_by_id:
        recipients.append(listing.created_by)
    notify(recipients, kind, title, body, link=listing.get_absolute_url(), target=listing)


def _notify_reviewers(listing: Listing) -> None:
    from greentech.accounts.services import holders
    from greentech.core.permissions import Role
    from greentech.inbox.services import notify

    kind = listing._meta.verbose_name
    notify(
        holders(Role.ADMIN, Role.DEPARTMENT_OFFICER, superusers=True),
        "listing_submitted",
        f"待审核 / to review: {listing.title}",
        f"{listing.organization} · {kind}",
        link=listing.get_absolute_url(),
        target=listing,
    )
