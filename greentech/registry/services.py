"""Registry business rules."""

from django.db import transaction

from greentech.core import services
from greentech.core.permissions import SYSTEM, Role


def register_organization(user, organization, *, many_to_many=None):
    """Register a new organization; the user who registers it becomes its member (and can keep it)."""
    from greentech.accounts.services import assign_role

    with transaction.atomic():
        services.create(user, organization, many_to_many=many_to_many)
        if getattr(user, "is_authenticated", False):
            assign_role(SYSTEM, user, Role.MEMBER, organization=organization)
    return organization


def eligibility(organization, on=None) -> dict:
    """Whether active negative credit records bar the organization from public programmes on a date.

    Later modules (funding, procurement, finance) call this instead of reading credit records themselves.
    """
    records = list(organization.credit_records.active(on).filter(is_negative=True))
    effects = {record.effect for record in records}
    return {
        "eligible_for_funding": not effects & {"funding_ban", "joint_punishment"},
        "eligible_for_procurement": not effects & {"procurement_ban", "joint_punishment"},
        "records": records,
    }
