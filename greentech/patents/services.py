"""The patent database's write services: translations by the applicant's members, transfer/licence records,
"list this patent in the market" (a draft offer through market.services.create_listing).

Bulk writes (imports, labels) live in importing.py and labels.py; everything a person does goes through here,
on top of core.services (permission, validation, history)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from greentech.core import services
from greentech.core.permissions import Action, actor_for, can, check
from greentech.patents.models import Patent, PatentTransfer, TransferKind
from greentech.patents.permissions import member_may_change

OFFER_MODES = {
    TransferKind.TRANSFER: "transfer",
    TransferKind.EXCLUSIVE_LICENCE: "licence_exclusive",
    TransferKind.SOLE_LICENCE: "licence_sole",
    TransferKind.ORDINARY_LICENCE: "licence_ordinary",
}


def save_translation(user, patent: Patent, *, title: str, abstract: str) -> Patent:
    """The translated title and abstract (the only fields an applicant organization's members may change)."""
    changes = {"title_translation": title.strip(), "abstract_translation": abstract.strip()}
    actor = actor_for(user)
    if not actor.is_admin and not member_may_change(actor, changes):
        raise PermissionDenied(_("You may only change the translation of your organization's patents."))
    return services.update(user, patent, changes, reason="translation")


def record_transfer(user, transfer: PatentTransfer) -> PatentTransfer:
    """Register a transfer, licence or pledge; parties are matched to registry organizations by exact name."""
    from greentech.registry.models import Organization

    for side in ("assignor", "assignee"):
        if getattr(transfer, f"{side}_organization_id") is None:
            name = getattr(transfer, side).strip()
            found = Organization.objects.filter(name=name).only("pk").first() if name else None
            setattr(transfer, f"{side}_organization", found)
    return services.create(user, transfer, reason="transfer registered")


def owner_organizations(user, patent: Patent):
    """The user's organizations that are matched applicants of the patent (who may list it in the market)."""
    from greentech.registry.models import Organization

    ids = actor_for(user).organization_ids
    if not ids:
        return Organization.objects.none()
    return Organization.objects.filter(pk__in=ids, patent_applications__patent=patent).distinct()


def list_in_market(user, patent: Patent, organization=None):
    """A draft technology offer of the applicant organization, prefilled from the patent (title, abstract,
    codes, number); the owner completes and submits it in the market. Only the applicant's members may."""
    from greentech.market import services as market_services
    from greentech.market.models import Offer

    check(user, Action.VIEW, patent)
    owners = list(owner_organizations(user, patent))
    if organization is None:
        if not owners:
            raise PermissionDenied(_("Only members of an applicant organization may list this patent in the market."))
        organization = owners[0]
    elif organization not in owners:
        raise PermissionDenied(_("Only members of an applicant organization may list this patent in the market."))
    existing = Offer.objects.filter(organization=organization, patent_numbers__contains=patent.full_number).first()
    if existing is not None and can(user, Action.VIEW, existing):
        raise ValidationError(
            _("This patent is already in the market as %(reference)s.") % {"reference": existing.reference}
        )
    summary = (patent.abstract or patent.abstract_translation or patent.title)[:2000]
    offer = Offer(
        organization=organization,
        title=patent.title[:200],
        language="en" if patent.language == "en" else "zh",
        summary=summary,
        codes=" ; ".join([*patent.ipc_list, *patent.cpc_list])[:500],
        patent_numbers=patent.full_number,
        region=patent.region,
        modes="transfer,licence_exclusive,licence_sole,licence_ordinary",
        stage=Offer.Stage.LABORATORY if patent.legal_status == "pending" else "",
    )
    return market_services.create_listing(user, offer)
